"""``sdistguard check DIR`` on a hatchling project says what hatchling's own sdist would hold, no more, no less;
the build report names only what hatchling would have shipped; tracked files hatchling drops are said.

Every expectation is taken from hatchling itself: its sdist of the same tree, built in-process, read by
the auditor (``sdistguard.audit``), or its members.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from hatchling.builders.sdist import SdistBuilder

from helpers.builds import build_standard
from helpers.git import git
from sdistguard.audit import audit
from sdistguard.audit.shipped import preview_hatchling
from sdistguard.builders import preview_findings
from sdistguard.builders.sdist import GuardedSdistBuilder
from sdistguard.cli import main
from sdistguard.rules import Finding

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

HATCHLING = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
METADATA_CODES = ("SG52",)  # PKG-INFO: the preview writes none


def project(root: Path, extra: str = "", *, backend: str = HATCHLING) -> Path:
    (root / "src" / "demo").mkdir(parents=True)
    (root / "src" / "demo" / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(backend + '[project]\nname = "demo"\nversion = "1.0"\n' + extra)
    return root


def venv(path: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)


def hatchling_audit(root: Path, out: Path) -> list[Finding]:
    sdist = build_standard(SdistBuilder, root, out)
    return [found for found in audit(sdist) if not found.code.startswith(METADATA_CODES)]


def test_preview_with_an_include_list_that_never_reaches_the_venv_says_nothing_about_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "project", '[tool.hatch.build.targets.sdist]\ninclude = ["/src", "/tests"]\n')
    venv(root / "venv")
    assert main(["check", str(root)]) == 0
    out = capsys.readouterr().out
    assert "venv" not in out
    assert hatchling_audit(root, tmp_path / "dist") == [] == preview_hatchling(str(root))


def test_preview_counts_only_what_the_root_gitignore_lets_hatchling_ship(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    venv(root / "venv")
    (root / ".gitignore").write_text("venv/lib/\n")  # hatchling's reading drops part of the venv
    expected = hatchling_audit(root, tmp_path / "dist")
    (shipped,) = [found for found in expected if found.code == "SG101"]
    with tarfile.open(next((tmp_path / "dist").glob("*.tar.gz"))) as archive:
        below = [m for m in archive.getmembers() if m.name.split("/", 1)[1].startswith("venv/")]
    assert shipped.files == len(below) > 0
    assert preview_hatchling(str(root)) == expected


def test_preview_of_a_project_in_a_subdirectory_reports_the_venvs_and_secrets_hatchling_would_ship(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repository = tmp_path / "repository"
    repository.mkdir()
    (repository / ".gitignore").write_text("env-dev/\nvenv/\n.env\n")  # the repository ignores them
    root = project(repository / "logfire-api")
    (root / ".gitignore").write_text("*.log\n")  # hatchling reads this one and stops
    venv(root / "env-dev")
    venv(root / "venv")
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    (root / ".env").write_text(f"GITHUB_TOKEN={token}\n")
    git(repository, "init", "-q")
    expected = hatchling_audit(root, tmp_path / "dist")
    assert {found.code for found in expected} >= {"SG101", "SG601", "SG602"}
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr().out
    assert "SG101 env-dev/: " in out and "SG101 venv/: " in out and "SG601 .env: " in out and "SG602 .env: " in out
    assert token not in out
    preview = preview_hatchling(str(root))
    assert [found for found in preview if found.code != "SG104"] == expected
    assert {found.path for found in preview if found.code == "SG104"} == {"env-dev/", "venv/", ".env"}


def test_links_inside_a_git_ignored_venv_are_not_reported_as_written(tmp_path: Path) -> None:
    root = project(tmp_path / "project", '[tool.hatch.build.targets.sdist]\nartifacts = ["src/demo/_version.py"]\n',
                   backend='[build-system]\nrequires = ["sdistguard"]\nbuild-backend = "sdistguard.build"\n')
    venv(root / "venv")  # lib64 -> lib on Linux
    cache = root / ".uv-cache" / "archive"
    cache.mkdir(parents=True)
    (root / ".uv-cache" / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
    (cache / "entry").symlink_to("..")
    (root / "venv" / "lib-link").symlink_to("lib")
    git(root, "init", "-q")
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("venv/\n.uv-cache/\n")  # git's, not hatchling's
    builder = GuardedSdistBuilder(str(root))
    next(builder.build(directory=str(tmp_path / "dist"), versions=["standard"]))
    assert [found for found in builder.findings if found.code == "SG204"] == []
    assert {found.path for found in builder.findings} == {"venv/", ".uv-cache/"}


def test_build_report_with_an_include_list_names_no_directory_hatchling_would_not_ship(tmp_path: Path) -> None:
    root = project(tmp_path / "project", '[tool.hatch.build.targets.sdist]\ninclude = ["src"]\n',
                   backend='[build-system]\nrequires = ["sdistguard"]\nbuild-backend = "sdistguard.build"\n')
    venv(root / "venv")
    venv(root / "tools" / "env")
    (root / ".cache").mkdir()
    (root / ".cache" / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
    (root / "scratch").mkdir()
    (root / "scratch" / ".gitignore").write_text("*\n")
    (root / "scratch" / "x").write_text("x\n")
    venv(root / "src" / "demo" / "env")  # inside the include list: hatchling would ship it
    builder = GuardedSdistBuilder(str(root))
    next(builder.build(directory=str(tmp_path / "dist"), versions=["standard"]))
    assert [(found.code, found.path) for found in builder.findings] == [("SG101", "src/demo/env/")]


def test_tracked_files_hatchling_drops_by_the_root_gitignore_are_reported_with_the_fix(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    (root / ".gitignore").write_text("# tools\n.python-version\n")
    for name in ("a", "b"):
        (root / "examples" / name).mkdir(parents=True)
        (root / "examples" / name / ".python-version").write_text("3.12\n")
    (root / "scratch.python-version").write_text("x\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "add", "-f", "examples")
    findings = preview_findings(str(root))
    assert [(f.code, f.path, f.detail) for f in findings] == [
        ("SG109", f"examples/{name}/.python-version",
         "by .gitignore:2: .python-version (read by hatchling); git tracks it") for name in ("a", "b")
    ]
    sdist = build_standard(GuardedSdistBuilder, root, tmp_path / "ours")
    theirs = build_standard(SdistBuilder, root, tmp_path / "theirs")
    with tarfile.open(sdist) as ours_tar, tarfile.open(theirs) as theirs_tar:
        assert sorted(ours_tar.getnames()) == sorted(theirs_tar.getnames())  # hatchling's selection is kept
    # the fix the finding gives works: a negation in [tool.hatch.build] exclude re-includes them
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text + '[tool.hatch.build]\nexclude = ["!examples/*/.python-version"]\n')
    fixed = build_standard(SdistBuilder, root, tmp_path / "fixed")
    with tarfile.open(fixed) as archive:
        assert {"demo-1.0/examples/a/.python-version", "demo-1.0/examples/b/.python-version"} <= set(
            archive.getnames())
    assert [f for f in preview_findings(str(root)) if f.code == "SG109"] == []
