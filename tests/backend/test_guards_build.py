"""The build refuses secrets (SG602), credential files (SG601), names (SG402-SG404) and size (SG610/SG611).

Real trees through the PEP 517 hooks (in-process, ``build_in``) and one ``python -m build`` run; the
secrets are generated fake tokens of the documented shapes (``FAKE_TOKENS``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, members, wheel_members, write_project
from helpers.fakes import FAKE_TOKENS
from sdistguard.builders import content as content_module
from sdistguard.core.config import load_settings, parse_size
from sdistguard.core.errors import ConfigError

Build = Callable[..., Path]


def _fails(build_in: Build, root: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Build, expect exit status 1, return stderr; no artifact and no private directory is left."""
    before = set(root.parent.glob("out-*/*"))
    with pytest.raises(SystemExit) as raised:
        build_in(root, kind)
    assert raised.value.code == 1
    stderr = capsys.readouterr().err
    leftovers = set(root.parent.glob("out-*/*")) - before
    assert leftovers == set(), leftovers
    return stderr


# --------------------------------------------------------------------------- SG602 secrets by content


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), kind=st.sampled_from(sorted(FAKE_TOKENS)), line=st.integers(1, 40))
def test_a_secret_in_a_shipped_file_stops_both_builds_without_echoing_it(
        tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, kind: str, line: int) -> None:
    token = data.draw(FAKE_TOKENS[kind])
    root = write_project(tmp_path_factory.mktemp("secret") / "project")
    (root / "src" / "demo" / "settings.py").write_text("x = 1\n" * (line - 1) + f"TOKEN = '{token}'\n")
    for kind_built in ("sdist", "wheel"):
        out = root.parent / f"out-{kind_built}"
        result = subprocess.run(
            [sys.executable, "-c", f"import sdistguard.build as b; b.build_{kind_built}({str(out)!r})"],
            cwd=root, capture_output=True, text=True, check=False)
        assert result.returncode == 1, result.stderr
        assert "SG602 src/demo/settings.py: " in result.stderr
        assert f"line {line}: {kind}" in result.stderr
        assert token not in result.stderr and token not in result.stdout
        token_lines = token.replace("\\n", "\n").splitlines()
        assert not any(part in result.stderr for part in token_lines if len(part) > 8)
        assert os.listdir(out) == []  # no artifact, no private directory


def test_secret_hits_are_findings_with_line_and_kind(build_in: Build, project: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    key = "AKIA" + "Q" * 16
    pat = "ghp_" + "a1B2" * 9
    (project / "src" / "demo" / "keys.txt").write_text(f"a\n{key}\nb\n\n{pat}\n")
    stderr = _fails(build_in, project, "sdist", capsys)
    assert "SG602 src/demo/keys.txt: " in stderr
    assert "line 2: AWS access key id" in stderr
    assert "line 5: GitHub token (ghp)" in stderr
    assert key not in stderr and pat not in stderr
    stderr = _fails(build_in, project, "wheel", capsys)
    assert "line 2: AWS access key id" in stderr and "line 5: GitHub token (ghp)" in stderr


def test_allow_secrets_accepts_named_files_only(build_in: Build, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "project", extra='[tool.sdistguard]\nallow-secrets = ["src/demo/fixtures/*.pem"]\n')
    pem = "-----BEGIN PRIVATE KEY-----\n" + "A" * 64 + "\n-----END PRIVATE KEY-----\n"
    (root / "src" / "demo" / "fixtures").mkdir()
    (root / "src" / "demo" / "fixtures" / "test.pem").write_text(pem)
    sdist = build_in(root, "sdist")
    assert "src/demo/fixtures/test.pem" in members(sdist)
    wheel = build_in(root, "wheel")
    assert "demo/fixtures/test.pem" in wheel_members(wheel)
    assert "SG602" not in capsys.readouterr().err
    (root / "src" / "demo" / "other.pem").write_text(pem)
    stderr = _fails(build_in, root, "sdist", capsys)
    assert "SG602 src/demo/other.pem: " in stderr and "line 1: private key (PEM)" in stderr
    assert "fixtures/test.pem" not in stderr


def test_a_secret_in_a_large_file_is_found_across_chunks(build_in: Build, project: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    token = "npm_" + "Z9" * 18
    filler = b"x" * (600 << 10) + b"\n"  # past the wheel's spool piece and the sdist's chunk
    (project / "src" / "demo" / "big.bin").write_bytes(filler + token.encode() + b"\n")
    stderr = _fails(build_in, project, "wheel", capsys)
    assert "SG602 src/demo/big.bin: " in stderr and "line 2: npm access token" in stderr
    stderr = _fails(build_in, project, "sdist", capsys)
    assert "line 2: npm access token" in stderr and token not in stderr


def test_allow_secrets_invalid_pattern_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"tool\.sdistguard\.allow-secrets\[0\]"):
        load_settings({"tool": {"sdistguard": {"allow-secrets": ["!"]}}})
    with pytest.raises(ConfigError, match=r"tool\.sdistguard\.allow-secrets: must be an array"):
        load_settings({"tool": {"sdistguard": {"allow-secrets": "x"}}})


def test_python_m_build_stops_on_a_secret(tmp_path: Path) -> None:
    """A real frontend, isolated, with this checkout as the backend (a wheel of it from the local mirror)."""
    root = write_project(tmp_path / "project")
    pyproject = (root / "pyproject.toml").read_text()
    assert 'build-backend = "sdistguard.build"' in pyproject
    token = "pypi-AgEIcHlwaS5vcmc" + "Ab1_" * 15
    (root / "src" / "demo" / "upload.py").write_text(f"# deploy\nTOKEN = {token!r}\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    result = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--sdist", "--outdir",
                             str(tmp_path / "dist"), str(root)], capture_output=True, text=True, env=env, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "SG602 src/demo/upload.py: " in output and "line 2: PyPI API token" in output
    assert token not in output
    assert not (tmp_path / "dist").exists() or not any(p.suffix == ".gz" for p in (tmp_path / "dist").iterdir())


# --------------------------------------------------------------------------- SG601 credential files


def test_credential_files_are_left_out_with_a_warning_unless_kept(build_in: Build, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "project")
    names = (".pypirc", ".env", ".env.example", "src/demo/id_rsa", "src/demo/id_rsa.pub", "deploy/.aws/credentials")
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("placeholder\n")
    sdist = build_in(root, "sdist")
    shipped = set(members(sdist))
    assert {".env.example", "src/demo/id_rsa.pub"} <= shipped
    assert not {".pypirc", ".env", "src/demo/id_rsa", "deploy/.aws/credentials"} & shipped
    stderr = capsys.readouterr().err
    for name in (".pypirc", ".env", "src/demo/id_rsa", "deploy/.aws/credentials"):
        assert f"SG601 {name}: " in stderr
    assert "SG601 .env.example" not in stderr
    (root / "pyproject.toml").write_text((root / "pyproject.toml").read_text()
                                         + '[tool.sdistguard]\nkeep = ["src/demo/id_rsa"]\n')
    shipped = set(members(build_in(root, "sdist")))
    assert "src/demo/id_rsa" in shipped and ".pypirc" not in shipped
    assert "SG601 src/demo/id_rsa" not in capsys.readouterr().err
    assert "demo/id_rsa" in wheel_members(build_in(root, "wheel"))


# --------------------------------------------------------------------------- SG402-SG404 names


def test_windows_names_and_twins_block_long_paths_warn(build_in: Build, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "project")
    (root / "src" / "demo" / "aux.py").write_text("")
    stderr = _fails(build_in, root, "sdist", capsys)
    assert "SG402 src/demo/aux.py: " in stderr and "'aux.py' is a reserved device name on Windows" in stderr
    (root / "src" / "demo" / "aux.py").unlink()
    (root / "src" / "demo" / "Data.txt").write_text("twin\n")
    stderr = _fails(build_in, root, "wheel", capsys)
    assert "SG403 src/demo/data.txt: " in stderr and "same name as demo/Data.txt" in stderr
    (root / "src" / "demo" / "Data.txt").unlink()
    deep = root / "src" / "demo" / ("d" * 70) / ("e" * 70)
    deep.mkdir(parents=True)
    (deep / "module_with_a_long_name.py").write_text("")
    sdist = build_in(root, "sdist")
    name = f"src/demo/{'d' * 70}/{'e' * 70}/module_with_a_long_name.py"
    assert name in members(sdist)
    assert f"SG404 {name}: " in capsys.readouterr().err


# --------------------------------------------------------------------------- SG610/SG611 size


@pytest.mark.parametrize(("value", "expected"), [(10, 10), ("50 MB", 50_000_000), ("1.5 GiB", 3 << 29),
                                                 ("2kB", 2000), ("3 KiB", 3072), ("7", 7), ("1 b", 1)])
def test_size_values(value: object, expected: int) -> None:
    assert parse_size(value) == expected
    assert load_settings({"tool": {"sdistguard": {"max-wheel-size": value}}}).max_wheel_size == expected


@pytest.mark.parametrize("value", ["5 XB", -1, True, "abc", "", [1]])
def test_bad_size_is_a_config_error_naming_the_key(value: object) -> None:
    with pytest.raises(ConfigError, match=r"tool\.sdistguard\.max-sdist-size: "):
        load_settings({"tool": {"sdistguard": {"max-sdist-size": value}}})


def test_an_artifact_over_its_limit_stops_the_build_and_names_the_largest(build_in: Build, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "project", extra='[tool.sdistguard]\nmax-sdist-size = "20 kB"\n'
                                                     'max-wheel-size = 100000\n')
    media = root / "src" / "demo" / "media"
    media.mkdir()
    (media / "demo.gif").write_bytes(os.urandom(40_000))
    (media / "small.gif").write_bytes(os.urandom(5_000))
    stderr = _fails(build_in, root, "sdist", capsys)
    assert "SG611" in stderr and "over max-sdist-size = 20.0 kB (20000 bytes)" in stderr
    assert "largest directories: src/demo/media/ (45.0 kB)" in stderr
    assert "largest files: src/demo/media/demo.gif (40.0 kB), src/demo/media/small.gif (5.0 kB)" in stderr
    wheel = build_in(root, "wheel")  # 100 kB is enough for the wheel
    assert "demo/media/demo.gif" in wheel_members(wheel)


def test_past_pypis_limit_is_a_warning(build_in: Build, project: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(content_module, "PYPI_FILE_LIMIT", 50)
    sdist = build_in(project, "sdist")
    assert sdist.exists()
    stderr = capsys.readouterr().err
    assert f"SG610 {sdist.name}: " in stderr and "over PyPI's default limit" in stderr


# --------------------------------------------------------------------------- a clean tree is untouched


def test_a_clean_tree_gives_hatchlings_bytes(build_in: Build, project: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    for kind in ("sdist", "wheel"):
        ours = build_in(project, kind)
        theirs = build_in(project, kind, backend="hatchling")
        assert ours.read_bytes() == theirs.read_bytes()
    assert capsys.readouterr().err == ""
    with zipfile.ZipFile(build_in(project, "wheel")) as wheel:
        assert "demo/data.txt" in wheel.namelist()


def test_the_fallback_writers_scan_too(build_in: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """tarfile's own path (``reproducible = false``) and hatchling's ``add_file`` (zipfile internals differ)."""
    from sdistguard.builders import wheel_writer

    root = write_project(tmp_path / "project", extra="[tool.hatch.build]\nreproducible = false\n")
    token = "sk_live_" + "k3Y" * 10
    (root / "src" / "demo" / "pay.py").write_text(f"KEY = {token!r}\n")
    stderr = _fails(build_in, root, "sdist", capsys)
    assert "SG602 src/demo/pay.py: " in stderr and "line 1: Stripe live secret key" in stderr
    monkeypatch.setattr(wheel_writer, "_AGREE", False)
    stderr = _fails(build_in, root, "wheel", capsys)
    assert "SG602 src/demo/pay.py: " in stderr and "line 1: Stripe live secret key" in stderr
    assert token not in stderr
