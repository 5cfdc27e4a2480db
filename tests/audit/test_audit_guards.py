"""The auditor's guards: Windows names (SG402), name twins (SG403), long paths (SG404),
credential files (SG601), secrets by content (SG602) and large artifacts (SG610), through
``sdistguard check`` on real archives. Tokens are generated fakes of the documented shapes."""

from __future__ import annotations

import io
import json
import tarfile
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.archives import PKG_INFO, member, sdist, write_wheel
from helpers.builds import hatchling_sdist
from helpers.fakes import fake_token
from sdistguard.audit import Limits, audit
from sdistguard.cli import main


def _rows(findings: list[object]) -> list[tuple[str, str, str]]:
    return [(found.code, found.path, found.detail) for found in findings]  # type: ignore[attr-defined]


def _check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = main(["check", "--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out), out


def test_names_credentials_and_secrets_in_an_sdist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = fake_token("GitHub token (ghp)")
    long_name = "pkg/" + "d" * 80 + "/" + "f" * 80 + ".py"
    path = sdist(
        tmp_path,
        member("demo-1.0/aux.py", b"x = 1\n"),
        member("demo-1.0/con/x.py", b""),
        member("demo-1.0/con/y.py", b""),
        member("demo-1.0/README.md", b"# a\n"),
        member("demo-1.0/readme.md", b"# b\n"),
        member("demo-1.0/deploy/.pypirc", b"[pypi]\n"),
        member("demo-1.0/src/settings.py", f"A = 1\nTOKEN = '{token}'\n".encode()),
        member(f"demo-1.0/{long_name}", b""),
    )
    assert _rows(audit(path)) == [
        ("SG402", "aux.py", "'aux.py' is a reserved device name on Windows"),
        ("SG402", "con/", "'con' is a reserved device name on Windows"),
        ("SG601", "deploy/.pypirc", "PyPI upload credentials (twine, .pypirc)"),
        ("SG404", long_name, "168 characters (budget 160)"),
        (
            "SG403",
            "readme.md",
            "same name as README.md on a case-insensitive or normalising file system (Windows, macOS)",
        ),
        ("SG602", "src/settings.py", "line 2: GitHub token (ghp)"),
    ]
    for form in ("table", "json", "github", "sarif"):
        assert main(["check", "--format", form, str(path)]) == 1
        out = capsys.readouterr().out
        assert token not in out and token[4:] not in out
        assert "GitHub token (ghp)" in out


def test_a_hatchling_sdist_of_a_real_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "project"
    (root / "src" / "demo").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "demo"\nversion = "1.0"\n'
    )
    token = fake_token("PyPI API token")
    (root / "src" / "demo" / "__init__.py").write_text("")
    (root / "src" / "demo" / "aux.py").write_text("x = 1\n")
    (root / "README.md").write_text("# demo\n")
    (root / "readme.md").write_text("# other\n")
    (root / ".pypirc").write_text("[pypi]\nusername = __token__\n")
    (root / "src" / "demo" / "upload.py").write_text(f"# upload\n\n\nPASSWORD = {token!r}\n")
    built = hatchling_sdist(root, tmp_path / "dist")
    code, report, out = _check_json(capsys, str(built))
    assert code == 1
    assert token not in out
    (entry,) = report["inputs"]  # type: ignore[index]
    found = [(item["code"], item["path"], item["detail"], item["fails"]) for item in entry["findings"]]
    assert found == [
        ("SG601", ".pypirc", "PyPI upload credentials (twine, .pypirc)", True),
        (
            "SG403",
            "readme.md",
            "same name as README.md on a case-insensitive or normalising file system (Windows, macOS)",
            True,
        ),
        ("SG402", "src/demo/aux.py", "'aux.py' is a reserved device name on Windows", True),
        ("SG602", "src/demo/upload.py", "line 4: PyPI API token", True),
    ]


def test_allow_secrets_in_the_check_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    key = fake_token("private key (PEM)")
    path = sdist(
        tmp_path,
        member("demo-1.0/tests/keys/server.pem", key.encode()),
        member("demo-1.0/src/leak.pem", key.encode()),
    )
    project = tmp_path / "conf"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.sdistguard]\nallow-secrets = ["tests/keys/"]\n')
    monkeypatch.chdir(project)  # restored after the test: later tests read the current directory's pyproject
    code, report, _ = _check_json(capsys, str(path))
    assert code == 1
    (entry,) = report["inputs"]  # type: ignore[index]
    assert [(item["code"], item["path"], item["detail"]) for item in entry["findings"]] == [
        ("SG602", "src/leak.pem", "line 1: private key (PEM)")
    ]
    (project / "pyproject.toml").write_text('[tool.sdistguard]\nallow-secrets = ["*.pem"]\n')
    assert main(["check", str(path)]) == 0
    (project / "pyproject.toml").write_text('[tool.sdistguard]\nallow-secrets = "*.pem"\n')
    assert main(["check", str(path)]) == 2
    assert "tool.sdistguard.allow-secrets: must be an array of patterns" in capsys.readouterr().err


def test_wheel_members_are_scanned_in_the_record_read(tmp_path: Path) -> None:
    token = fake_token("AWS access key id")
    wheel = write_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl",
        {"demo/__init__.py": b"", "demo/nul.txt": b"", "demo/keys.py": f"\n\nK = '{token}'\n".encode()},
        extra_infos=[(zipfile.ZipInfo("demo/.env"), b"A=1\n"), (zipfile.ZipInfo("demo/extra.py"), token.encode())],
    )
    assert _rows(audit(wheel)) == [
        ("SG531", "demo/.env", "not listed in RECORD"),
        ("SG601", "demo/.env", "dotenv environment file"),
        ("SG531", "demo/extra.py", "not listed in RECORD"),
        ("SG602", "demo/extra.py", "line 1: AWS access key id"),
        ("SG602", "demo/keys.py", "line 3: AWS access key id"),
        ("SG402", "demo/nul.txt", "'nul.txt' is a reserved device name on Windows"),
    ]
    assert _rows(audit(wheel, scan_content=False)) == [
        ("SG531", "demo/.env", "not listed in RECORD"),
        ("SG601", "demo/.env", "dotenv environment file"),
        ("SG531", "demo/extra.py", "not listed in RECORD"),
        ("SG402", "demo/nul.txt", "'nul.txt' is a reserved device name on Windows"),
    ]


def test_max_bytes_bounds_the_scan(tmp_path: Path) -> None:
    token = fake_token("npm access token")
    path = sdist(tmp_path, member("demo-1.0/big.txt", b"a" * 200_000 + token.encode()))
    codes = {found.code for found in audit(path, limits=Limits(max_bytes=100_000))}
    assert "SG590" in codes and "SG602" not in codes


def test_large_archive_is_an_advisory_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in (("demo-1.0/PKG-INFO", PKG_INFO), ("demo-1.0/pyproject.toml", b"[project]\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    with open(path, "ab") as file:  # zero padding after the gzip member (gzip skips it): a sparse file
        file.truncate(100 * 1024 * 1024 + 1)
    found = [found for found in audit(path) if found.code == "SG610"]
    assert [(found.path, found.detail) for found in found] == [
        ("", "104.9 MB (104857601 bytes) over PyPI's default limit of 104.9 MB (104857600 bytes)")
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(st.text(alphabet="aAbBe\u00e9E\u0301", min_size=1, max_size=4), min_size=1, max_size=10, unique=True)
)
def test_twins_match_a_reference_fold(tmp_path: Path, names: list[str]) -> None:
    path = tmp_path / "twins-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(f"pkg/{name}", b"")
    first: dict[str, str] = {}
    expected = []
    for name in names:  # reference: fold with NFC + lower, the first spelling of a fold wins
        folded = unicodedata.normalize("NFC", name).lower()
        if folded in first:
            expected.append(
                (
                    f"pkg/{name}",
                    f"same name as pkg/{first[folded]} on a case-insensitive or "
                    "normalising file system (Windows, macOS)",
                )
            )
        first.setdefault(folded, name)
    reported = [(found.path, found.detail) for found in audit(path, scan_content=False) if found.code == "SG403"]
    assert sorted(reported) == sorted(expected)
