"""When git gives no answer for part of the tree, sdistguard reads that part's ignore files itself.

Real repositories: a submodule added with ``git submodule add`` that git then cannot answer for
(owned by another user and refused by ``safe.directory``, a broken ``.git`` file, git gone from
``PATH`` after the first call, an uninitialised submodule directory with content) falls back as the
whole repository does: the submodule's own ignore files are read with git's rules, with an SG108
note at its directory. And an unpacked sdist sitting untracked in some work tree is an unpacked
sdist (its ``PKG-INFO``), also under ``untracked = "exclude"``.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import members, wheel_members, write_project
from helpers.git import GIT, commit_all, commit_with_submodule, git, git_environment
from sdistguard.builders import preview_findings
from sdistguard.core.errors import ConfigError

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

BASE = {"PKG-INFO": "file", "README.md": "file", "pyproject.toml": "file", "src/demo/__init__.py": "file",
        "src/demo/data.txt": "file"}
SUBMODULE = {".gitmodules": "file", "vendor/library/.gitignore": "file", "vendor/library/lib.py": "file"}


@pytest.fixture
def git_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hermetic git configuration in ``tmp_path`` (the in-process build's git calls see it too)."""
    home = tmp_path / "home"
    home.mkdir()
    config = "[user]\n\tname = t\n\temail = t@t\n[init]\n\tdefaultBranch = main\n"  # no global excludes file
    for name, value in git_environment(home, config).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SUDO_UID", raising=False)  # git would trust the sudoer's files
    return home


def with_submodule(tmp_path: Path, *, extra: str = "") -> Path:
    """A project with the submodule ``vendor/library`` (its ``.gitignore``: ``build/``) and a built ``build/``."""
    library = tmp_path / "library"
    library.mkdir()
    git(library, "init", "-q")
    (library / ".gitignore").write_text("build/\n")
    (library / "lib.py").write_text("x = 1\n")
    git(library, "add", ".")
    git(library, "commit", "-qm", "lib")
    root = write_project(tmp_path / "repo", extra=extra)
    commit_with_submodule(root, library)
    (root / "vendor" / "library" / "build").mkdir()
    (root / "vendor" / "library" / "build" / "generated.py").write_text("ignored by the submodule\n")
    return root


def refused_by_owner(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if os.geteuid() != 0:
        pytest.skip("needs root to give the submodule to another user")
    submodule = root / "vendor" / "library"
    for directory, dirs, files in os.walk(submodule):
        for name in [directory, *(os.path.join(directory, entry) for entry in dirs + files)]:
            os.chown(name, 65534, 65534, follow_symlinks=False)
    return "detected dubious ownership"


def broken_git_file(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (root / "vendor" / "library" / ".git").write_text("gitdir: ../../.git/modules/gone\n")
    return "not a git repository"


def git_gone_after_first_call(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A ``git`` on PATH that runs the real git once, then removes itself: PATH holds nothing else."""
    bin_dir = tmp_path / "bin-once"
    bin_dir.mkdir()
    once = bin_dir / "git"
    once.write_text(f'#!/bin/sh\n/bin/rm -f "$0"\nexec {GIT} "$@"\n')
    once.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return "git is not installed (not on PATH)"


def uninitialised(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    git(root, "submodule", "deinit", "-q", "-f", "vendor/library")
    library = root / "vendor" / "library"
    assert list(library.iterdir()) == []
    (library / ".gitignore").write_text("build/\n")  # content copied in by hand, or by a tool
    (library / "lib.py").write_text("x = 1\n")
    (library / "build").mkdir()
    (library / "build" / "generated.py").write_text("ignored by the submodule's own .gitignore\n")
    return "an uninitialised submodule (no .git in it)"


Breakage = Callable[[Path, Path, pytest.MonkeyPatch], str]


def test_a_submodule_git_answers_for_leaves_its_ignored_build_out(tmp_path: Path, git_home: Path, build_in) -> None:
    root = with_submodule(tmp_path)
    assert members(build_in(root)) == {**BASE, **SUBMODULE}


@pytest.mark.parametrize("breakage", [refused_by_owner, broken_git_file, git_gone_after_first_call, uninitialised])
def test_a_submodule_git_gives_no_answer_for_falls_back_to_its_own_ignore_files(
        tmp_path: Path, git_home: Path, build_in, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, breakage: Breakage) -> None:
    root = with_submodule(tmp_path)
    message = breakage(root, tmp_path, monkeypatch)
    sdist = build_in(root)
    assert members(sdist) == {**BASE, **SUBMODULE}
    err = capsys.readouterr().err
    assert "SG108 vendor/library/:" in err
    assert message in err
    assert "(submodule: " in err and "; its own ignore files were read, tracked files unknown)" in err
    assert "SG104 vendor/library/build/: " in err and "by vendor/library/.gitignore:1: build/" in err
    if breakage is git_gone_after_first_call:
        return  # the preview's own first call would remove git again
    found = {(item.code, item.path): item.detail for item in preview_findings(str(root))}
    assert found[("SG104", "vendor/library/build/")] == "by vendor/library/.gitignore:1: build/"
    assert message in found[("SG108", "vendor/library/")]


def test_untracked_exclude_stops_at_a_submodule_git_cannot_answer_for(tmp_path: Path, git_home: Path, build_in,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = with_submodule(tmp_path, extra='[tool.sdistguard]\nuntracked = "exclude"\n')
    broken_git_file(root, tmp_path, pytest.MonkeyPatch())
    with pytest.raises(SystemExit):
        build_in(root)
    err = capsys.readouterr().err
    assert err.startswith('sdistguard: error: tool.sdistguard.untracked = "exclude" ships only what git tracks, but '
                          "git cannot say for the submodule vendor/library/: git cannot list ")
    assert "not a git repository" in err and "Traceback" not in err
    with pytest.raises(ConfigError, match="for the submodule vendor/library/"):
        preview_findings(str(root))


def test_a_wheel_from_an_unpacked_sdist_untracked_in_a_work_tree_ships_every_file(tmp_path: Path, git_home: Path,
                                                                                 build_in) -> None:
    """untracked = "exclude": the sdist from the checkout, the wheel from it unpacked in another work tree."""
    root = write_project(tmp_path / "repo", extra='[tool.sdistguard]\nuntracked = "exclude"\n')
    commit_all(root)
    sdist = build_in(root)
    assert members(sdist) == BASE
    outer = tmp_path / "outer"  # some work tree (a home directory, a CI workspace) holding the unpacked sdist
    outer.mkdir()
    git(outer, "init", "-q")
    (outer / "notes.txt").write_text("tracked by the outer repository\n")
    (outer / ".git" / "info" / "exclude").write_text("*.txt\n!notes.txt\n")  # git reads it, hatchling does not
    git(outer, "add", ".")
    git(outer, "commit", "-qm", "outer")
    with tarfile.open(sdist) as archive:
        archive.extractall(outer / "unpacked", filter="data")
    unpacked = outer / "unpacked" / "demo-1.0"
    status = git(outer, "status", "--porcelain", "--untracked-files=all", "--ignored")
    assert "?? unpacked/demo-1.0/PKG-INFO\n" in status  # untracked, not ignored
    assert "!! unpacked/demo-1.0/src/demo/data.txt\n" in status  # the outer repository's *.txt
    wheel = build_in(unpacked, "wheel")
    assert wheel_members(wheel) == ["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD",
                                    "demo-1.0.dist-info/WHEEL", "demo/__init__.py", "demo/data.txt"]
    assert members(build_in(unpacked)) == BASE  # the outer repository's *.txt does not apply either


def test_an_untracked_pkg_info_in_a_checkout_with_tracked_files_keeps_gits_rules(tmp_path: Path, git_home: Path,
                                                                                build_in) -> None:
    """A stray PKG-INFO in a developer's checkout does not turn git's answer off: git tracks files there."""
    root = write_project(tmp_path / "repo")
    (root / ".gitignore").write_text("PKG-INFO\n")
    (root / "src" / "demo" / ".gitignore").write_text("*.txt\n")
    commit_all(root)
    (root / "PKG-INFO").write_text("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n")
    assert "src/demo/data.txt" not in members(build_in(root))


def test_explain_below_a_submodule_git_gives_no_answer_for(tmp_path: Path, git_home: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from sdistguard.cli.explain import explain

    root = with_submodule(tmp_path)
    broken_git_file(root, tmp_path, monkeypatch)
    monkeypatch.chdir(root)
    shipped, ignored = explain(["vendor/library/lib.py", "vendor/library/build/generated.py"])
    assert (shipped.sdist.ships, shipped.sdist.code) == (True, None)
    assert (ignored.sdist.ships, ignored.sdist.code) == (False, "SG104")
    assert ignored.sdist.reason == ("SG104 nested-gitignore at vendor/library/build/: by vendor/library/.gitignore:1: "
                                    "build/")


def test_a_submodules_own_fsmonitor_never_runs(tmp_path: Path, git_home: Path, build_in) -> None:
    """The submodule's git config (in the superproject's .git/modules/) names a program: asking git there runs none."""
    root = with_submodule(tmp_path)
    marker = tmp_path / "fsmonitor-ran"
    script = tmp_path / "fsmonitor.sh"
    script.write_text(f'#!/bin/sh\necho "$@" >> {marker}\n')
    script.chmod(0o755)
    git(root / "vendor" / "library", "config", "core.fsmonitor", str(script))
    git(root / "vendor" / "library", "status")  # the script works: git runs it when not told otherwise
    assert marker.exists()
    marker.unlink()
    assert members(build_in(root)) == {**BASE, **SUBMODULE}
    found = {(item.code, item.path) for item in preview_findings(str(root))}
    assert ("SG104", "vendor/library/build/") in found
    assert not marker.exists()
