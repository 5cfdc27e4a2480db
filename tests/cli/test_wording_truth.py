"""Findings are worded for what happened: an ignore file above the project root is not "below the
root", and SG108 says once that sdistguard read the ignore files itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import write_project
from sdistguard.builders import preview_findings
from sdistguard.report.summary import format_build_summary

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _monorepo(tmp_path: Path) -> Path:
    """A repository whose root .gitignore (above the project) ignores the project's ``scratch/``."""
    repository = tmp_path / "repository"
    project = write_project(repository / "proj")
    (project / ".gitignore").write_text("*.log\n")  # hatchling reads this one, not the repository's
    (repository / ".gitignore").write_text("/proj/scratch/\n")
    (project / "scratch").mkdir()
    (project / "scratch" / "notes.txt").write_text("notes\n")
    subprocess.run(["git", "init", "-q"], cwd=repository, check=True)
    return project


def test_ignore_file_above_the_project_root_is_not_called_below_the_root(tmp_path: Path) -> None:
    project = _monorepo(tmp_path)
    (found,) = [found for found in preview_findings(str(project)) if found.code == "SG104"]
    assert found.path == "scratch/"
    assert "../.gitignore:1" in found.detail
    line = format_build_summary([found], "demo-1.0.tar.gz")
    assert "below the root" not in line
    assert "a .gitignore of the repository" in line


def test_git_unavailable_says_once_that_sdistguard_read_the_ignore_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _monorepo(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    (found,) = [found for found in preview_findings(str(project)) if found.code == "SG108"]
    line = format_build_summary([found], "demo-1.0.tar.gz").splitlines()[2]
    assert line.count("read by sdistguard instead") == 1, line
    assert "git is not installed (not on PATH)" in line
