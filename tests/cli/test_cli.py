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

from conftest import REPO
from helpers.builds import build_standard
from sdistguard.cli import main
from sdistguard.core.config import CheckSelection, load_check_selection
from sdistguard.core.errors import ConfigError
from sdistguard.rules import RULES

PKG_INFO = b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"
HATCHLING = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


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
    assert "  SG101 venv/: " in out
    assert "(1 file, 100 B; layout: lib/python3.12/site-packages/, pyvenv.cfg missing)" in out
    assert "  SG510 src/demo/__pycache__/: " in out
    assert "  fix (SG101): exclude venv/ in the build backend's configuration (the backend that built this " in out
    assert "largest directories: venv/ 100 B" in out
    assert out.rstrip().endswith("2 findings in 1 input (SG101 x1, SG510 x1); 2 fail the check")


def test_json_report(leaky: Path, clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "json", str(leaky), str(clean)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["version"] == 1
    assert document["tool"]["name"] == "sdistguard"
    assert document["exit_code"] == 1
    assert document["summary"] == {"findings": 2, "failing": 2, "codes": {"SG101": 1, "SG510": 1}}
    first, second = document["inputs"]
    assert (first["kind"], first["members"], first["error"], first["built_by"]) == ("sdist", 3, None, None)
    assert first["findings"][1] == {
        "code": "SG101",
        "name": "venv",
        "severity": "warning",
        "fails": True,
        "path": "venv/",
        "detail": "layout: lib/python3.12/site-packages/, pyvenv.cfg missing",
        "files": 1,
        "size": 100,
        "reason": RULES["SG101"].reason,
        "hint": "exclude venv/ in the build backend's configuration (the backend that built this archive is not "
        "recorded in it)",
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
    assert "0  nothing that breaks installs or leaks" in out
    assert "1  at least one failing finding" in out
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
    pyproject = HATCHLING + '[project]\nname = "demo"\nversion = "1.0"\n'
    (root / "pyproject.toml").write_text(pyproject)
    assert main(["check", str(root)]) == 1
    (root / "pyproject.toml").write_text(pyproject + '[tool.sdistguard.check]\nignore = ["SG101"]\n')
    assert main(["check", str(root)]) == 0


def test_codes_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines() if line.startswith("SG")] == list(RULES)


def test_python_dash_m(leaky: Path) -> None:
    src = str(REPO / "src")
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
    return [line for line in out.split("\nhints:\n")[0].splitlines() if re.match(r"  SG\d{3} ", line)]


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
        f"  SG201 LICENSE: {reason_201} (symlink to absolute path /usr/share/common-licenses/MIT)",
        *(f"  SG502 docs/page{index}.md: {reason_502} (symlink to ../README.md) (advisory)" for index in range(5)),
        f"  SG201 src/demo/: {reason_201} (8 below; e.g. bin/python: symlink to absolute path /usr/bin/python3)",
        "  (a row 'N below' stands for N findings; --format json or --group 0 lists each)",
        "  largest directories: docs/ 0 B, src/ 0 B, src/demo/ 0 B, src/demo/bin/ 0 B, src/demo/etc/ 0 B",
        "  fix (SG201): exclude LICENSE, src/demo/ in the build backend's configuration (the backend that built "
        "this archive is not recorded in it)",
    ]


def test_table_total_and_json_keep_every_finding(leaked_etc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(leaked_etc)]) == 1
    assert capsys.readouterr().out.rstrip().endswith("14 findings in 1 input (SG201 x9, SG502 x5); 9 fail the check")
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
    assert not any(" below; " in row for row in rows)
    assert main(["check", "--group", "4", str(leaked_etc)]) == 1
    rows = table_rows(capsys.readouterr().out)
    assert [row.split()[:3] for row in rows] == [
        ["SG201", "LICENSE:", "link"],
        ["SG502", "docs/:", "symbolic"],
        ["SG201", "src/demo/:", "link"],
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
        f"  SG101 tests/envs/: {RULES['SG101'].reason} (6 below; 12 files, 1.2 kB; e.g. env0/: pyvenv.cfg)"
    ]


def test_group_findings_keeps_order_and_leaves_findings_alone() -> None:
    from sdistguard.audit.checked import FindingGroup, group_findings
    from sdistguard.rules import Finding

    many = [Finding("SG201", f"a/b/{index}", "x") for index in range(6)]
    few = [Finding("SG502", f"a/c/{index}") for index in range(3)]
    top = [Finding("SG201", f"file{index}") for index in range(7)]
    findings = [few[0], *many, *few[1:], *top]
    rows = group_findings(findings)
    assert rows == [few[0], FindingGroup("SG201", "a/b/", tuple(many)), *few[1:], *top]
    assert group_findings(findings, above=0) == findings
    assert group_findings(findings, above=6) == findings


# ---------------------------------------------------------------------------- default selection, formats


def write_members(path: Path, top: str, members: dict[str, bytes]) -> Path:
    """A tar.gz at ``path`` holding ``members`` (name below ``top``/, data), in this order."""
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def old_metadata_sdist(tmp_path: Path) -> Path:
    """A clean sdist whose only finding is advisory: Metadata-Version 2.1 (SG521), like requests 2.32.3."""
    pkg_info = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"
    return write_members(tmp_path / "demo-1.0.tar.gz", "demo-1.0", {"demo/__init__.py": b"", "PKG-INFO": pkg_info})


def test_advisory_codes_are_reported_but_fail_only_when_selected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sdist = old_metadata_sdist(tmp_path)
    assert main(["check", str(sdist)]) == 0
    out = capsys.readouterr().out
    assert f"  SG521 PKG-INFO: {RULES['SG521'].reason} (Metadata-Version 2.1) (advisory)" in out
    assert out.rstrip().endswith("1 finding in 1 input (SG521 x1); all advisory, none fails")
    assert main(["check", "--select", "SG521", str(sdist)]) == 1
    assert "(advisory)" not in capsys.readouterr().out
    assert main(["check", "--select", "SG", str(sdist)]) == 1  # a prefix selects (and fails) every code
    (tmp_path / "cwd" / "pyproject.toml").write_text('[tool.sdistguard.check]\nselect = ["SG5"]\n')
    assert main(["check", str(sdist)]) == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from sdistguard import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"sdistguard {__version__}\n"


def test_github_annotations(leaky: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sdist = old_metadata_sdist(tmp_path)
    assert main(["check", "--format", "github", str(leaky), str(sdist), str(tmp_path / "gone.whl")]) == 2
    lines = capsys.readouterr().out.splitlines()
    unknown = (
        "exclude {} in the build backend's configuration (the backend that built this archive is not recorded in it)"
    )
    assert lines == [
        f"::error file={leaky},title=sdistguard SG510 bytecode::SG510 bytecode: src/demo/__pycache__/: "
        f"{RULES['SG510'].reason} [1 file, 1 B; __pycache__]. Fix: {unknown.format('src/demo/__pycache__/')}",
        f"::error file={leaky},title=sdistguard SG101 venv::SG101 venv: venv/: {RULES['SG101'].reason} "
        f"[1 file, 100 B; layout: lib/python3.12/site-packages/, pyvenv.cfg missing]. Fix: {unknown.format('venv/')}",
        f"::warning file={sdist},title=sdistguard SG521 metadata-version::SG521 metadata-version: PKG-INFO: "
        f"{RULES['SG521'].reason} [Metadata-Version 2.1]. Fix: {RULES['SG521'].hint}",
        f"::error file={tmp_path / 'gone.whl'},title=sdistguard::{tmp_path / 'gone.whl'}: no such file or directory",
        "3 findings in 3 inputs (SG101 x1, SG510 x1, SG521 x1); 2 fail the check; 1 input could not be read",
    ]


def test_github_annotation_escapes_newlines_percent_and_property_separators() -> None:
    from sdistguard.report.github import _escape_data, _escape_property

    assert _escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert _escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_sarif_report_is_valid_sarif_2_1_0(leaky: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    sdist = old_metadata_sdist(tmp_path)
    assert main(["check", "--format", "sarif", str(leaky), str(sdist), str(tmp_path / "gone.whl")]) == 2
    log = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(schema).validate(log)
    (run,) = log["runs"]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(RULES)
    assert [(r["ruleId"], r["level"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"])
            for r in run["results"]] == [
        ("SG510", "error", "src/demo/__pycache__/"),
        ("SG101", "error", "venv/"),
        ("SG521", "warning", "PKG-INFO"),
    ]
    assert run["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f"file://{leaky}"
    assert run["invocations"][0]["exitCode"] == 2
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"].endswith("no such file or directory")
    broken = dict(log, version="2.0.0")
    with pytest.raises(jsonschema.ValidationError):  # the schema is strict enough to fail a wrong log
        jsonschema.Draft4Validator(schema).validate(broken)


def test_output_file_replaces_stdout(leaky: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    report.write_text("old")
    assert main(["check", "--format", "json", "--output", str(report), str(leaky)]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads(report.read_text())["summary"]["codes"] == {"SG101": 1, "SG510": 1}
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".sdistguard")) == []
    assert main(["check", "--output", str(tmp_path / "no" / "dir" / "r.txt"), str(leaky)]) == 2
    assert f"--output {tmp_path / 'no' / 'dir' / 'r.txt'}: cannot write" in capsys.readouterr().err


# ---------------------------------------------------------------------------- fixes in the backend's terms

VENV = {"venv/pyvenv.cfg": b"home = /usr/bin\n", "venv/lib/site.py": b"x = 1\n"}


def backend_pyproject(backend: str) -> bytes:
    return f'[build-system]\nrequires = ["x"]\nbuild-backend = "{backend}"\n'.encode()


@pytest.mark.parametrize(
    ("extra", "built_by", "fix"),
    [
        (
            {"pyproject.toml": backend_pyproject("hatchling.build")},
            "hatchling (the sdist's pyproject.toml build-backend = 'hatchling.build')",
            'add ["/venv/"] to [tool.hatch.build.targets.sdist] exclude in pyproject.toml, or switch build-backend '
            'to "sdistguard.build", which leaves these out itself',
        ),
        (
            {"setup.py": b"from setuptools import setup\nsetup()\n", "demo.egg-info/PKG-INFO": PKG_INFO},
            "setuptools (setup.py in the sdist)",
            "add to MANIFEST.in: prune venv",
        ),
        (
            {"pyproject.toml": backend_pyproject("setuptools.build_meta")},
            "setuptools (the sdist's pyproject.toml build-backend = 'setuptools.build_meta')",
            "add to MANIFEST.in: prune venv",
        ),
        (
            {"pyproject.toml": backend_pyproject("uv_build")},
            "uv_build (the sdist's pyproject.toml build-backend = 'uv_build')",
            'add ["venv"] to [tool.uv.build-backend] source-exclude in pyproject.toml',
        ),
        (
            {"pyproject.toml": backend_pyproject("flit_core.buildapi")},
            "flit (the sdist's pyproject.toml build-backend = 'flit_core.buildapi')",
            'add ["venv"] to [tool.flit.sdist] exclude in pyproject.toml',
        ),
        (
            {"pyproject.toml": backend_pyproject("pdm.backend")},
            "pdm-backend (the sdist's pyproject.toml build-backend = 'pdm.backend')",
            'add ["venv"] to [tool.pdm.build] excludes in pyproject.toml',
        ),
    ],
    ids=["hatchling", "setup.py", "setuptools", "uv_build", "flit", "pdm-backend"],
)
def test_fix_in_the_terms_of_the_backend_that_built_the_sdist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: dict[str, bytes], built_by: str, fix: str
) -> None:
    sdist = write_members(tmp_path / "demo-1.0.tar.gz", "demo-1.0", {**VENV, **extra, "PKG-INFO": PKG_INFO})
    assert main(["check", str(sdist)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith(f", built by {built_by}")
    assert f"  fix (SG101): {fix}\n" in out
    assert "hints:" not in out  # the rule's generic hint (keep) is not shown for a foreign sdist
    assert main(["check", "--format", "json", str(sdist)]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["inputs"][0]["findings"]
    assert finding["hint"] == fix


def write_wheel(path: Path, generator: str, files: dict[str, bytes]) -> Path:
    """A wheel with a RECORD that matches and a WHEEL file naming ``generator``."""
    import base64
    import hashlib
    import zipfile

    files = {**files, "demo-1.0.dist-info/WHEEL": f"Wheel-Version: 1.0\nGenerator: {generator}\n".encode()}
    rows = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append(f"{name},sha256={digest},{len(data)}")
    rows.append("demo-1.0.dist-info/RECORD,,")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("demo-1.0.dist-info/RECORD", "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    ("generator", "fix"),
    [
        ("hatchling 1.27.0", 'add ["demo/venv/"] to [tool.hatch.build.targets.wheel] exclude in pyproject.toml'),
        ("setuptools (75.1.0)", '[tool.setuptools.exclude-package-data] "*" = ["demo/venv"]'),
        ("uv 0.5.2", 'add ["demo/venv"] to [tool.uv.build-backend] wheel-exclude in pyproject.toml'),
        ("flit 3.9.0", "flit ships the whole module directory: move them out of the package"),
    ],
)
def test_fix_in_the_terms_of_the_wheel_generator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], generator: str, fix: str
) -> None:
    venv = {f"demo/{name}": data for name, data in VENV.items()}
    wheel = write_wheel(tmp_path / "demo-1.0-py3-none-any.whl", generator, {"demo/__init__.py": b"", **venv})
    assert main(["check", str(wheel)]) == 1
    out = capsys.readouterr().out
    assert f", built by {generator.split()[0]}" in out.splitlines()[0] or "built by uv_build" in out
    assert f"(WHEEL Generator: {generator})" in out.splitlines()[0]
    assert fix in out


# ---------------------------------------------------------------------------- a project directory, by its backend


def venv_project(root: Path, pyproject: str) -> Path:
    """A project at ``root`` holding a real ``python -m venv`` (no pip) next to its package."""
    (root / "src" / "demo").mkdir(parents=True)
    (root / "src" / "demo" / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(pyproject + '[project]\nname = "demo"\nversion = "1.0"\n')
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    return root


def test_hatchling_project_shows_what_hatchling_would_ship(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hatchling.builders.sdist import SdistBuilder

    from sdistguard.audit import audit
    from sdistguard.rules.render import human_size

    root = venv_project(tmp_path / "project", HATCHLING)
    sdist = build_standard(SdistBuilder, root, tmp_path / "dist")
    (venv,) = [found for found in audit(sdist) if found.code == "SG101"]  # what hatchling really ships
    assert main(["check", str(root)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        f"{root}: directory, built by hatchling (pyproject.toml build-backend = 'hatchling.build')",
        "  what hatchling's own sdist of this tree would hold, as `check` judges an sdist:",
    ]
    expected = f"{RULES['SG101'].reason} ({venv.files:,} files, {human_size(venv.size)}; pyvenv.cfg)"
    assert re.fullmatch(re.escape("  SG101 venv/: " + expected), lines[2]), lines[2]
    assert any(line.startswith('  fix (SG101') and '"/venv/"' in line for line in lines)


def test_sdistguard_project_shows_only_what_would_stop_its_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sdistguard = '[build-system]\nrequires = ["sdistguard"]\nbuild-backend = "sdistguard.build"\n'
    root = venv_project(tmp_path / "project", sdistguard)
    assert main(["check", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        f"{root}: directory, built by sdistguard (pyproject.toml build-backend = 'sdistguard.build'): no findings",
        "  note: the build leaves out or rewrites 1 path(s) as intended (its stderr report lists them); only what "
        "would stop the build is shown",
    ]
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text + "[tool.sdistguard]\nstrict = true\n")
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr().out
    assert f"  the sdist build would be refused:\n    SG101 venv/: {RULES['SG101'].reason}" in out
    assert out.rstrip().endswith("1 fails the check; the build of 1 directory would be refused")


def test_project_of_another_backend_is_not_predicted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = venv_project(tmp_path / "project", backend_pyproject("setuptools.build_meta").decode())
    assert main(["check", str(root)]) == 2
    assert (
        f"sdistguard: error: {root}: builds with setuptools (pyproject.toml build-backend = 'setuptools.build_meta'); "
        "`sdistguard check DIR` predicts only hatchling and sdistguard builds without running them: run "
        f"`sdistguard check --build {root}`, which builds it with its own backend (running the project's build code) "
        "and audits the artifacts"
    ) in capsys.readouterr().err


def test_a_project_of_a_backend_sdistguard_does_not_know_is_named_by_its_build_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = venv_project(tmp_path / "project", backend_pyproject("mybackend.build").decode())
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"sdistguard: error: {root}: builds with mybackend.build (pyproject.toml build-backend = " in err
    assert "setuptools" not in err


def test_a_project_whose_pyproject_is_not_toml_is_told_so_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[build-system]\nrequires = ["hatchling"\n')
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err
    assert err == f"sdistguard: error: {root / 'pyproject.toml'}: cannot read: Unclosed array (at end of document)\n"
