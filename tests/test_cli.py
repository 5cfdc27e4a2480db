"""sdistguard check on the command line: output, exit codes, selection, configuration."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from sdistguard.cli import CheckSelection, load_check_selection, main
from sdistguard.errors import ConfigError
from sdistguard.rules import RULES

PKG_INFO = b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"


def write_sdist(path: Path, *members: tuple[str, bytes]) -> Path:
    """An sdist at ``path`` holding ``members`` (name below demo-1.0/, data) and PKG-INFO."""
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, data in [*members, ("PKG-INFO", PKG_INFO)]:
            info = tarfile.TarInfo(f"demo-1.0/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_sdist(tmp_path / "demo-1.0.tar.gz", ("src/demo/__init__.py", b"x = 1\n"))


@pytest.fixture
def leaky(tmp_path: Path) -> Path:
    (tmp_path / "leaky").mkdir()
    return write_sdist(
        tmp_path / "leaky" / "demo-1.0.tar.gz",
        ("venv/lib/python3.12/site-packages/six.py", b"x" * 100),
        ("src/demo/__pycache__/m.cpython-312.pyc", b"c"),
    )


@pytest.fixture(autouse=True)
def empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every test from a directory without pyproject.toml (the repository's own is not read)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_clean_sdist_exits_0(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(clean)]) == 0
    out = capsys.readouterr().out
    assert f"{clean}: sdist, 2 members" in out
    assert "no findings" in out
    assert out.rstrip().endswith("0 findings in 1 input")


def test_findings_exit_1_with_codes_paths_counts_and_hints(leaky: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(leaky)]) == 1
    out = capsys.readouterr().out
    assert "  SG101  venv/" in out
    assert "[1 file, 100 B; layout: lib/python3.12/site-packages/, pyvenv.cfg missing]" in out
    assert "  SG510  src/demo/__pycache__/" in out
    assert f"  SG101 venv: {RULES['SG101'].hint}" in out
    assert "largest directories: venv/ 100 B" in out
    assert out.rstrip().endswith("2 findings in 1 input (SG101 x1, SG510 x1)")


def test_json_report(leaky: Path, clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "json", str(leaky), str(clean)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["version"] == 1
    assert document["tool"]["name"] == "sdistguard"
    assert document["exit_code"] == 1
    assert document["summary"] == {"findings": 2, "codes": {"SG101": 1, "SG510": 1}}
    first, second = document["inputs"]
    assert (first["kind"], first["members"], first["error"]) == ("sdist", 3, None)
    assert first["findings"][1] == {
        "code": "SG101",
        "name": "venv",
        "severity": "warning",
        "path": "venv/",
        "detail": "layout: lib/python3.12/site-packages/, pyvenv.cfg missing",
        "files": 1,
        "size": 100,
        "reason": RULES["SG101"].reason,
        "hint": RULES["SG101"].hint,
    }
    assert second["findings"] == []


def test_unreadable_input_exits_2_without_traceback(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.tar.gz").write_bytes(b"not gzip")
    assert main(["check", str(clean), str(tmp_path / "broken.tar.gz"), str(tmp_path / "none.whl")]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert f"sdistguard: error: {tmp_path / 'broken.tar.gz'}: not a gzip-compressed tar archive" in captured.err
    assert f"sdistguard: error: {tmp_path / 'none.whl'}: no such file or directory" in captured.err
    assert "2 inputs could not be read" in captured.out


@pytest.mark.parametrize(
    "argv", [["check"], ["check", "--format", "xml", "x"], [], ["frobnicate"], ["check", "--max-members", "0", "x"]]
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert "0  no findings" in out
    assert "1  at least one finding" in out
    assert "2  usage error" in out
    assert "[tool.sdistguard.check]" in out


def test_select_and_ignore_options(leaky: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--select", "SG5", str(leaky)]) == 1
    assert "SG101" not in capsys.readouterr().out.split("hints:")[0]
    assert main(["check", "--ignore", "SG101,SG510", str(leaky)]) == 0
    assert main(["check", "--ignore", "SG101", "--ignore", "sg51", str(leaky)]) == 0
    capsys.readouterr()
    assert main(["check", "--select", "SG999", str(leaky)]) == 2
    assert "'SG999' is not an sdistguard code or prefix" in capsys.readouterr().err


def test_configuration_from_the_current_directory(leaky: Path, empty_cwd: Path) -> None:
    (empty_cwd / "pyproject.toml").write_text('[tool.sdistguard.check]\nignore = ["SG101"]\n')
    assert main(["check", "--select", "SG1", str(leaky)]) == 0  # --ignore from the file still applies
    (empty_cwd / "pyproject.toml").write_text('[tool.sdistguard.check]\nselect = ["SG510"]\nignore = ["SG510"]\n')
    assert main(["check", str(leaky)]) == 0
    assert main(["check", "--select", "SG101", str(leaky)]) == 1  # --select replaces the file's


def test_configuration_errors_exit_2(leaky: Path, empty_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for text, message in [
        ('[tool.sdistguard.check]\nselect = "SG101"\n', "tool.sdistguard.check.select: must be an array"),
        ("[tool.sdistguard.check]\nexclude = []\n", "tool.sdistguard.check.exclude: unknown key"),
        ('[tool.sdistguard.check]\nignore = ["X1"]\n', "'X1' is not an sdistguard code"),
        ("[tool.sdistguard\n", "cannot read"),
    ]:
        (empty_cwd / "pyproject.toml").write_text(text)
        assert main(["check", str(leaky)]) == 2
        assert message in capsys.readouterr().err


def test_load_check_selection() -> None:
    assert load_check_selection({}) == CheckSelection()
    selection = load_check_selection({"tool": {"sdistguard": {"check": {"select": ["sg1"], "ignore": ["SG103"]}}}})
    assert selection == CheckSelection(("SG1",), ("SG103",))
    assert [selection.wants(code) for code in ("SG101", "SG103", "SG201")] == [True, False, False]
    with pytest.raises(ConfigError, match=r"tool\.sdistguard\.check must be a table"):
        load_check_selection({"tool": {"sdistguard": {"check": []}}})


def _preview_available() -> bool:
    try:
        from sdistguard.builders import preview_findings  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _preview_available(), reason="sdistguard.builders.preview_findings is not written yet")
def test_directory_uses_its_own_pyproject(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "src" / "demo").mkdir(parents=True)
    (root / "src" / "demo" / "__init__.py").write_text("")
    (root / "venv").mkdir()
    (root / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    pyproject = '[project]\nname = "demo"\nversion = "1.0"\n'
    (root / "pyproject.toml").write_text(pyproject)
    assert main(["check", str(root)]) == 1
    (root / "pyproject.toml").write_text(pyproject + '[tool.sdistguard.check]\nignore = ["SG101"]\n')
    assert main(["check", str(root)]) == 0


def test_codes_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines() if line.startswith("SG")] == list(RULES)


def test_python_dash_m(leaky: Path) -> None:
    src = str(Path(__file__).resolve().parents[1] / "src")
    completed = subprocess.run(
        [sys.executable, "-m", "sdistguard", "check", "--format", "json", str(leaky)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": src, "PATH": ""},
    )
    assert completed.returncode == 1, completed.stderr
    assert json.loads(completed.stdout)["summary"]["codes"] == {"SG101": 1, "SG510": 1}
