"""Data flows one way: the walk asks git for its ignore lines in an explicit last step (``GuardedWalker.settle``),
and reading the findings afterwards runs nothing and changes nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import write_project
from sdistguard.builders import preview_builder


def test_the_findings_name_gits_line_once_the_walk_ended_and_reading_them_runs_no_git(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_project(tmp_path / "project")
    (root / "src" / "demo" / ".gitignore").write_text("scratch.txt\n")
    (root / "src" / "demo" / "scratch.txt").write_text("notes\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "pyproject.toml", "README.md", "src"], cwd=root, check=True)
    builder = preview_builder(str(root), "sdist")
    build_data = builder.get_default_build_data()
    builder.set_build_data_defaults(build_data)
    with builder.config.set_build_data(build_data):
        shipped = [included.relative_path for _, included in builder.walk_included_files()]
    assert "src/demo/scratch.txt" not in shipped
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))  # from here on, a git call could not answer
    first = builder.walker.findings
    assert [(found.code, found.path, found.detail, found.evidence) for found in first if found.code == "SG104"] == [
        ("SG104", "src/demo/scratch.txt", "by src/demo/.gitignore:1: scratch.txt",
         (("ignore-source", "src/demo/.gitignore:1: scratch.txt"),)),
    ]
    assert builder.walker.findings == first


def test_git_names_its_ignore_line_as_a_decision_not_as_text_to_strip(tmp_path: Path) -> None:
    """``IgnoreOracle.explain`` answers with git's Decision (its ``source`` the ignore line), never a "by ..." text."""
    from sdistguard.git.ignores import IgnoreOracle

    root = write_project(tmp_path / "project")
    (root / ".gitignore").write_text("*.log\n")
    (root / "debug.log").write_text("x\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    oracle = IgnoreOracle(str(root))
    (decision,) = oracle.explain(["debug.log"]).values()
    assert (decision.rule, decision.detail, decision.source) == (
        "nested-gitignore", "by .gitignore:1: *.log", ".gitignore:1: *.log")
