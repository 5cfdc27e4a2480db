"""sdistguard check on the command line: output, exit codes, selection, configuration."""

from __future__ import annotations

import io
import json
import re
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


# ---------------------------------------------------------------------------- grouped table rows


def write_tree(path: Path, files: dict[str, bytes], links: dict[str, str]) -> Path:
    """An sdist at ``path``: regular ``files`` and symlinks (``name: target``) below demo-1.0/, with PKG-INFO."""
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, data in {**files, "PKG-INFO": PKG_INFO}.items():
            info = tarfile.TarInfo(f"demo-1.0/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in links.items():
            info = tarfile.TarInfo(f"demo-1.0/{name}")
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return path


def table_rows(out: str) -> list[str]:
    """The finding rows of a table report (not the hints)."""
    return [line for line in out.splitlines() if re.match(r"  SG\d{3}  ", line)]


@pytest.fixture
def leaked_etc(tmp_path: Path) -> Path:
    """Eight absolute links under src/ (one group), five in-tree links under docs/ (not grouped), one at the top."""
    links = {f"src/demo/etc/conf{index}": f"/etc/conf{index}" for index in range(7)}
    links["src/demo/bin/python"] = "/usr/bin/python3"
    links.update({f"docs/page{index}.md": "../README.md" for index in range(5)})
    links["LICENSE"] = "/usr/share/common-licenses/MIT"
    return write_tree(tmp_path / "demo-1.0.tar.gz", {"README.md": b"hello\n"}, links)


def test_table_groups_many_findings_of_one_code_under_one_directory(
    leaked_etc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(leaked_etc)]) == 1
    block = capsys.readouterr().out.split("\n\n")[0].splitlines()
    reason_201, reason_502 = RULES["SG201"].reason, RULES["SG502"].reason
    assert block == [
        f"{leaked_etc}: sdist, 16 members, 52 B",
        f"  SG201  LICENSE        {reason_201} [symlink to absolute path /usr/share/common-licenses/MIT]",
        *(f"  SG502  docs/page{index}.md  {reason_502} [symlink to ../README.md]" for index in range(5)),
        f"  SG201  src/demo/      8 below: {reason_201} [e.g. bin/python: symlink to absolute path /usr/bin/python3]",
        "  (a row 'N below' stands for N findings; --format json or --group 0 lists each)",
        "  largest directories: docs/ 0 B, src/ 0 B, src/demo/ 0 B, src/demo/bin/ 0 B, src/demo/etc/ 0 B",
    ]


def test_table_total_and_json_keep_every_finding(leaked_etc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(leaked_etc)]) == 1
    assert capsys.readouterr().out.rstrip().endswith("14 findings in 1 input (SG201 x9, SG502 x5)")
    assert main(["check", "--format", "json", str(leaked_etc)]) == 1
    findings = json.loads(capsys.readouterr().out)["inputs"][0]["findings"]
    assert [item["path"] for item in findings if item["path"].startswith("src/")] == [
        "src/demo/bin/python",
        *(f"src/demo/etc/conf{index}" for index in range(7)),
    ]


def test_group_option_sets_the_threshold(leaked_etc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--group", "0", str(leaked_etc)]) == 1
    rows = table_rows(capsys.readouterr().out)
    assert len(rows) == 14
    assert not any("below:" in row for row in rows)
    assert main(["check", "--group", "4", str(leaked_etc)]) == 1
    rows = table_rows(capsys.readouterr().out)
    assert [row.split()[:3] for row in rows] == [
        ["SG201", "LICENSE", "link"],
        ["SG502", "docs/", "5"],
        ["SG201", "src/demo/", "8"],
    ]
    assert main(["check", "--group", "-1", str(leaked_etc)]) == 2
    assert "must not be negative" in capsys.readouterr().err


def test_grouped_row_sums_files_and_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files: dict[str, bytes] = {}
    for index in range(6):
        files[f"tests/envs/env{index}/pyvenv.cfg"] = b"home = /usr/bin\n"  # 16 bytes
        files[f"tests/envs/env{index}/lib/site.py"] = b"x" * 184
    sdist = write_tree(tmp_path / "demo-1.0.tar.gz", files, {})
    assert main(["check", str(sdist)]) == 1
    rows = table_rows(capsys.readouterr().out)
    assert rows == [
        f"  SG101  tests/envs/  6 below: {RULES['SG101'].reason} [12 files, 1.2 kB; e.g. env0/: pyvenv.cfg]"
    ]


def test_group_findings_keeps_order_and_leaves_findings_alone() -> None:
    from sdistguard.report import FindingGroup, group_findings
    from sdistguard.rules import Finding

    many = [Finding("SG201", f"a/b/{index}", "x") for index in range(6)]
    few = [Finding("SG502", f"a/c/{index}") for index in range(3)]
    top = [Finding("SG201", f"file{index}") for index in range(7)]
    findings = [few[0], *many, *few[1:], *top]
    rows = group_findings(findings)
    assert rows == [few[0], FindingGroup("SG201", "a/b/", tuple(many)), *few[1:], *top]
    assert group_findings(findings, above=0) == findings
    assert group_findings(findings, above=6) == findings
