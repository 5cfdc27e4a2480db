"""The walk's findings carry structured evidence (a marker, a name, git's ignore line or status, a link's target),
and they go to the one findings log the builder owns: the walk, the builder's name checks and the writer add to
the same log, and nothing is read back out of the walker."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_project
from helpers.git import git, git_environment, write
from sdistguard.builders import preview_builder
from sdistguard.builders.sdist import GuardedSdistBuilder
from sdistguard.core.errors import TreeError
from sdistguard.rules.evidence import IGNORED_BELOW, evidence_of


@pytest.fixture
def hermetic_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git reads no configuration but an empty global one in ``tmp_path``."""
    for name, value in git_environment(tmp_path / "home", "[user]\n\tname = t\n\temail = t@t\n").items():
        monkeypatch.setenv(name, value)


def _tree(root: Path) -> Path:
    write_project(root)
    files = {
        "venv/pyvenv.cfg": "home = /usr\n",
        "venv/lib/m.py": "m\n",
        ".hypothesis/examples/x": "x\n",
        "src/demo/.gitignore": "scratch.txt\n",
        "src/demo/scratch.txt": "notes\n",
        "only/private.md": "every file of only/ is ignored\n",
    }
    write(root, files)
    (root / "src" / "demo" / "dangling.py").symlink_to("nowhere.py")
    git(root, "init", "-q")
    (root / ".git" / "info" / "exclude").write_text("private.md\n")
    git(root, "add", "pyproject.toml", "README.md", "src")
    return root


def _walked(root: Path) -> GuardedSdistBuilder:
    builder = preview_builder(str(root), "sdist")
    build_data = builder.get_default_build_data()
    builder.set_build_data_defaults(build_data)
    with builder.config.set_build_data(build_data):
        for _ in builder.recurse_included_files():
            pass
    assert isinstance(builder, GuardedSdistBuilder)
    return builder


def test_each_finding_names_its_evidence_by_kind_not_by_text(tmp_path: Path, hermetic_git: None) -> None:
    builder = _walked(_tree(tmp_path / "project"))
    by_path = {found.path: found for found in builder.findings}
    assert by_path["venv/"].evidence == (("marker", "pyvenv.cfg"),)
    assert by_path[".hypothesis/"].evidence == (("name", ".hypothesis"),)
    assert by_path["src/demo/scratch.txt"].evidence == (("ignore-source", "src/demo/.gitignore:1: scratch.txt"),)
    assert evidence_of(by_path["only/"], "git") == IGNORED_BELOW
    assert evidence_of(by_path["src/demo/dangling.py"], "link-target") == "nowhere.py"
    assert evidence_of(by_path["venv/"], "link-target") is None


def test_the_builder_the_walk_and_the_writer_share_one_log(tmp_path: Path, hermetic_git: None) -> None:
    root = _tree(tmp_path / "project")
    (root / "src" / "demo" / "aux.py").write_text("x = 1\n")  # a name Windows refuses: SG402, the builder's
    (root / "src" / "demo" / "config.py").write_text('token = "ghp_' + "a1B2" * 9 + '"\n')  # SG602, the writer's
    git(root, "add", "src")
    builder = GuardedSdistBuilder(str(root))
    with pytest.raises(TreeError, match=r"src/demo/aux\.py"):  # SG402 stops the build
        for _ in builder.build(directory=str(tmp_path / "dist"), versions=["standard"]):
            pass
    assert builder.walker.log is builder.log and builder.content.log is builder.log
    codes = {(found.code, found.path) for found in builder.log.findings()}
    assert {("SG101", "venv/"), ("SG104", "src/demo/scratch.txt"), ("SG402", "src/demo/aux.py"),
            ("SG602", "src/demo/config.py")} <= codes
    assert builder.findings == builder.log.findings()
    assert not hasattr(builder.walker, "report")  # nothing is written back into the walker


def test_without_git_the_engine_names_the_ignore_line_as_evidence_too(
        tmp_path: Path, hermetic_git: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path / "project")
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))  # git gone: sdistguard's engine reads the files
    by_path = {found.path: found for found in _walked(root).findings}
    assert by_path["./"].rule.name == "git-unavailable"  # the engine's answer, not git's
    assert by_path["src/demo/scratch.txt"].detail == "by src/demo/.gitignore:1: scratch.txt"
    assert by_path["src/demo/scratch.txt"].evidence == (("ignore-source", "src/demo/.gitignore:1: scratch.txt"),)


def test_what_git_does_not_track_says_so_as_evidence(tmp_path: Path, hermetic_git: None) -> None:
    root = tmp_path / "project"
    write_project(root, extra='[tool.sdistguard]\nuntracked = "exclude"\n')
    (root / "notes.txt").write_text("not added\n")
    git(root, "init", "-q")
    git(root, "add", "pyproject.toml", "README.md", "src")
    (found,) = [found for found in _walked(root).findings if found.path == "notes.txt"]
    assert (found.rule.name, found.evidence) == ("untracked-excluded", (("git", "untracked"),))
