"""Reports say what happened and no more: the report file's mode, SARIF's documentation link,
which codes fail ``check``, and which rows of the build report were left out and which rewritten."""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
from importlib.metadata import metadata
from pathlib import Path

import pytest

from sdistguard.cli import main
from sdistguard.core.config import ADVISORY_CODES
from sdistguard.report.summary import format_build_summary
from sdistguard.rules import RULES, finding


def _leaky_sdist(tmp_path: Path) -> Path:
    path = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in (("demo-1.0/PKG-INFO", b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"),
                           ("demo-1.0/venv/pyvenv.cfg", b"home = /usr\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_output_file_mode_follows_the_umask(tmp_path: Path, mask: int) -> None:
    sdist = _leaky_sdist(tmp_path)
    report = tmp_path / "report.json"
    old = os.umask(mask)
    try:
        assert main(["check", "--format", "json", "--output", str(report), str(sdist)]) == 1
    finally:
        os.umask(old)
    assert stat.S_IMODE(report.stat().st_mode) == 0o666 & ~mask
    assert json.loads(report.read_text())["summary"]["codes"] == {"SG101": 1}
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".sdistguard")] == []


def test_sarif_information_uri_is_the_documentation_url_of_the_installed_metadata(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = dict(entry.split(", ", 1) for entry in metadata("sdistguard").get_all("Project-URL") or [])
    assert "Documentation" in urls, "sdistguard's [project.urls] names its documentation"
    assert main(["check", "--format", "sarif", str(_leaky_sdist(tmp_path))]) == 1
    driver = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == urls["Documentation"]
    assert driver["informationUri"] != "https://pypi.org/project/sdistguard/"


def test_codes_say_which_codes_fail_check_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes"]) == 0
    rows = {line.split()[0]: line.split()[3] for line in capsys.readouterr().out.splitlines()
            if line.startswith("SG")}
    assert list(rows) == list(RULES)
    assert rows == {code: "advisory" if code in ADVISORY_CODES else "fails" for code in RULES}
    assert rows["SG101"] == "fails" and rows["SG521"] == "advisory"


def test_build_report_says_which_rows_were_left_out_and_which_were_rewritten() -> None:
    findings = [
        finding("venv", "venv/"),
        finding("link-rewritten", "docs/readme.md", "-> ../README.md"),
        finding("cache-dir", ".cache/"),
        finding("parent-ignore-file", "/outer/.gitignore", "shipped as .gitignore"),
    ]
    lines = format_build_summary(findings, "demo-1.0.tar.gz").splitlines()
    assert lines[0] == ("sdistguard: demo-1.0.tar.gz: left out 2 path(s), wrote 1 link(s) as regular files, "
                        "shipped 1 file(s) from outside the project, as hatchling does:")
    assert lines[1:-1] == [
        "  left out:",
        f"    SG101 venv/: {RULES['SG101'].reason}",
        f"    SG103 .cache/: {RULES['SG103'].reason}",
        "  written as regular files:",
        f"    SG204 docs/readme.md: {RULES['SG204'].reason} (-> ../README.md)",
        "  shipped, with a warning:",
        f"    SG105 /outer/.gitignore: {RULES['SG105'].reason} (shipped as .gitignore)",
    ]
