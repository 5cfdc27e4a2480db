"""git is the reference: builds from real git repositories (commits, info/exclude, a global excludes
file, submodules, worktrees, a repository git refuses), with git on PATH and without it.

git runs hermetically: ``GIT_CONFIG_NOSYSTEM=1``, ``GIT_CONFIG_GLOBAL`` and ``HOME`` point into
``tmp_path`` (set with monkeypatch, so the in-process build's own git calls see them too).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import members, write_project
from helpers.git import commit_all, commit_with_submodule, git, write
from sdistguard.builders import preview_findings

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

BASE = {"PKG-INFO": "file", "README.md": "file", "pyproject.toml": "file", "src/demo/__init__.py": "file",
        "src/demo/data.txt": "file"}


def make_repo(root: Path) -> Path:
    """A project in a git repository, with every ignore source and each case where pathspec and git disagree."""
    write_project(root)
    git(root, "init", "-q")
    write(root, {
        "tests/data/.gitignore": "*.txt\n",            # a formatter's fixtures, committed on purpose
        "tests/data/fixture.txt": "tracked fixture\n",
        "tests/data/scratch.txt": "untracked, ignored\n",
        "d/.gitignore": "x/**\n!x/k\ny/**/\n",
        "d/x/k": "kept by the negation\n", "d/x/j": "ignored\n",
        "d/y/f": "kept: y/**/ matches directories only\n", "d/y/z/g": "ignored with its directory\n",
        "p/.gitignore": "*\n!*/\n!*.py\n", "p/d/e.txt": "ignored\n", "p/d/m.py": "kept\n",
        "c/.gitignore": "*.cfg\n!conf/\n", "c/conf/a.cfg": "ignored\n",
        ".envrc": "export TOKEN=secret\n",              # hatch#1958: only .git/info/exclude names it
        "keys.secret": "global excludes\n",
        "bang/.gitignore": "!\n[z-a]\nfoo\\\n", "bang/foo": "kept\n", "bang/q": "kept\n",
    })
    (root / "bom").mkdir()
    (root / "bom" / ".gitignore").write_bytes(b"\xef\xbb\xbfsecret.txt\n")
    (root / "bom" / "secret.txt").write_text("x\n")
    (root / "latin").mkdir()
    (root / "latin" / ".gitignore").write_bytes(b"# caf\xe9\nsecret.env\n")
    (root / "latin" / "secret.env").write_text("x\n")
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text(".envrc\n")
    git(root, "add", ".")
    git(root, "add", "-f", "tests/data/fixture.txt")
    git(root, "commit", "-qm", "init")
    return root


KEPT = {**BASE, "tests/data/.gitignore": "file", "tests/data/fixture.txt": "file", "d/.gitignore": "file",
        "d/x/k": "file", "d/y/f": "file", "p/d/m.py": "file", "c/.gitignore": "file", "bang/.gitignore": "file",
        "bang/foo": "file", "bang/q": "file", "bom/.gitignore": "file", "latin/.gitignore": "file"}


def test_git_decides_every_source_and_keeps_tracked_files(tmp_path: Path, git_home: Path, build_in) -> None:
    root = make_repo(tmp_path / "repo")
    before = git(root, "status", "--porcelain", "--ignored")
    assert members(build_in(root)) == KEPT
    assert git(root, "status", "--porcelain", "--ignored") == before  # the tree and index are untouched


def test_each_left_out_path_names_its_ignore_file_and_line(tmp_path: Path, git_home: Path) -> None:
    root = make_repo(tmp_path / "repo")
    details = {found.path: (found.code, found.detail) for found in preview_findings(str(root))}
    assert details[".envrc"] == ("SG104", "by .git/info/exclude:1: .envrc")
    assert details["keys.secret"] == ("SG104", f"by {git_home / 'global-excludes'}:1: *.secret")
    assert details["tests/data/scratch.txt"] == ("SG104", "by tests/data/.gitignore:1: *.txt")
    assert details["d/x/j"] == ("SG104", "by d/.gitignore:1: x/**")
    assert details["bom/secret.txt"] == ("SG104", "by bom/.gitignore:1: secret.txt")
    assert details["latin/secret.env"] == ("SG104", "by latin/.gitignore:2: secret.env")
    assert "tests/data/fixture.txt" not in details


def test_without_git_on_path_the_engine_reads_the_same_files(tmp_path: Path, git_home: Path, build_in,
                                                               monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    root = make_repo(tmp_path / "repo")
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    # Every ignore source is read alike; only the tracked-file rule needs git's index.
    expected = {name: kind for name, kind in KEPT.items() if name != "tests/data/fixture.txt"}
    monkeypatch.setenv("XDG_CONFIG_HOME", str(git_home / "xdg"))
    (git_home / "xdg" / "git").mkdir(parents=True)
    shutil.copy(git_home / "global-excludes", git_home / "xdg" / "git" / "ignore")  # git's default excludes file
    assert members(build_in(root)) == expected
    assert "SG108 ./: git could not be asked" in capsys.readouterr().err


def test_a_repository_git_refuses_falls_back_with_a_note(tmp_path: Path, git_home: Path, build_in, capsys) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give the repository to another user")
    root = make_repo(tmp_path / "repo")
    subprocess.run(["chown", "-R", "nobody", str(root)], check=True)
    refused = subprocess.run(["git", "status"], cwd=root, capture_output=True, text=True, check=False)
    assert refused.returncode != 0 and "dubious ownership" in refused.stderr
    expected = {name: kind for name, kind in KEPT.items() if name != "tests/data/fixture.txt"}
    expected.pop("keys.secret", None)
    assert members(build_in(root)) == {**expected, "keys.secret": "file"}  # core.excludesFile is git config
    err = capsys.readouterr().err
    assert "SG108 ./: git could not be asked about this work tree" in err
    assert "detected dubious ownership" in err
    assert "Traceback" not in err


def test_submodule_answers_for_its_own_files(tmp_path: Path, git_home: Path, build_in) -> None:
    library = tmp_path / "library"
    library.mkdir()
    git(library, "init", "-q")
    write(library, {".gitignore": "*.log\n", "lib.py": "x\n", "fixture.log": "tracked on purpose\n"})
    git(library, "add", ".")
    git(library, "add", "-f", "fixture.log")
    git(library, "commit", "-qm", "lib")
    root = write_project(tmp_path / "repo")
    commit_with_submodule(root, library)
    write(root, {"vendor/library/debug.log": "ignored by the submodule's .gitignore\n"})
    assert members(build_in(root)) == {**BASE, ".gitmodules": "file", "vendor/library/.gitignore": "file",
                                       "vendor/library/lib.py": "file", "vendor/library/fixture.log": "file"}


def test_worktree_reads_the_common_info_exclude(tmp_path: Path, git_home: Path, build_in) -> None:
    root = make_repo(tmp_path / "repo")
    git(root, "worktree", "add", "-q", str(tmp_path / "wt"))
    worktree = tmp_path / "wt"
    assert (worktree / ".git").is_file()  # a gitdir link
    write(worktree, {".envrc": "TOKEN=1\n", "tests/data/scratch.txt": "x\n", "keys.secret": "x\n"})
    assert members(build_in(worktree)) == KEPT


def test_sparse_checkout_ships_what_is_checked_out(tmp_path: Path, git_home: Path, build_in) -> None:
    root = make_repo(tmp_path / "repo")
    git(root, "sparse-checkout", "set", "--no-cone", "/*", "!/d/")
    assert not (root / "d" / ".gitignore").exists()
    expected = {name: kind for name, kind in KEPT.items() if not name.startswith("d/")}
    assert members(build_in(root)) == expected


def test_untracked_warn_groups_by_directory_and_strict_refuses(tmp_path: Path, git_home: Path, build_in,
                                                                capsys) -> None:
    root = make_repo(tmp_path / "repo")
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text + '\n[tool.sdistguard]\nuntracked = "warn"\n')
    git(root, "commit", "-qam", "warn")
    write(root, {"src/demo/scratch.py": "x\n", "notes/a.md": "x\n", "notes/b.md": "x\n"})
    assert members(build_in(root)) == {**KEPT, "src/demo/scratch.py": "file", "notes/a.md": "file",
                                       "notes/b.md": "file"}
    err = capsys.readouterr().err
    assert "  SG106 notes/: file git does not track (and does not ignore), shipped (2 files, " in err
    assert "; 2 files not tracked by git: a.md, b.md)" in err
    assert "  SG106 src/demo/scratch.py: file git does not track" in err
    with pytest.raises(SystemExit):
        build_in(root, config_settings={"strict": "true"})
    assert "SG106 notes/: file git does not track" in capsys.readouterr().err


def test_untracked_exclude_ships_tracked_and_named_files_only(tmp_path: Path, git_home: Path, build_in) -> None:
    root = make_repo(tmp_path / "repo")
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        text + '\n[tool.sdistguard]\nuntracked = "exclude"\nkeep = ["notes/keep.md"]\n'
        "[tool.hatch.build]\nartifacts = ['src/demo/_version.py']\n"
    )
    git(root, "commit", "-qam", "exclude")
    write(root, {"src/demo/scratch.py": "x\n", "src/demo/_version.py": "v = 1\n", "notes/a.md": "x\n",
                 "notes/keep.md": "x\n"})
    assert members(build_in(root)) == {**KEPT, "src/demo/_version.py": "file", "notes/keep.md": "file"}
    details = {found.path: found.code for found in preview_findings(str(root))}
    assert details["src/demo/scratch.py"] == "SG107"


def test_untracked_exclude_outside_a_work_tree_says_why(tmp_path: Path, git_home: Path, build_in, capsys) -> None:
    root = write_project(tmp_path / "plain", extra='[tool.sdistguard]\nuntracked = "exclude"\n')
    with pytest.raises(SystemExit):
        build_in(root)
    err = capsys.readouterr().err
    assert 'tool.sdistguard.untracked = "exclude" ships only what git tracks, but git cannot say: ' in err
    assert "not a git repository" in err and "Traceback" not in err
    out = tmp_path / "out-sdistguard-sdist-0"
    assert not out.exists() or not any(out.iterdir())  # never a half-written artifact


def test_rebuilding_from_the_unpacked_sdist_gives_the_same_members(tmp_path: Path, git_home: Path,
                                                                   build_in) -> None:
    root = make_repo(tmp_path / "repo")
    sdist = build_in(root)
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    unpacked = tmp_path / "unpacked" / "demo-1.0"
    assert (unpacked / "tests" / "data" / ".gitignore").read_text() == "*.txt\n"  # not applied again
    rebuilt = build_in(unpacked)
    assert members(rebuilt) == members(sdist) == KEPT


def test_untracked_exclude_builds_the_wheel_from_its_unpacked_sdist(tmp_path: Path, git_home: Path,
                                                                   build_in) -> None:
    """What frontends do: the sdist in the work tree, then the wheel from the unpacked sdist (no git there)."""
    root = write_project(tmp_path / "repo", extra='[tool.sdistguard]\nuntracked = "exclude"\n')
    commit_all(root)
    (root / "src" / "demo" / "scratch.py").write_text("x\n")
    sdist = build_in(root)
    assert members(sdist) == BASE
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    wheel = build_in(tmp_path / "unpacked" / "demo-1.0", "wheel")
    assert wheel.name == "demo-1.0-py2.py3-none-any.whl"


def test_clean_git_tree_builds_hatchlings_bytes_and_reports_nothing(tmp_path: Path, git_home: Path, build_in,
                                                                     capsys) -> None:
    """What git and hatchling agree on (the root .gitignore's build/, dist/) is hatchling's: same bytes, no report."""
    root = write_project(tmp_path / "repo", extra="[tool.hatch.build]\nartifacts = ['*.so']\n")
    write(root, {".gitignore": "build/\ndist/\n*.pyc\n", "build/lib/x.py": "x\n", "dist/old.tar.gz": "x\n",
                 "src/demo/mod.pyc": "x\n"})
    commit_all(root)
    for kind in ("sdist", "wheel"):
        assert build_in(root, kind).read_bytes() == build_in(root, kind, backend="hatchling").read_bytes()
    assert capsys.readouterr().err == ""


def test_a_project_its_repository_ignores_is_built_from_its_own_rules(tmp_path: Path, git_home: Path,
                                                                      build_in) -> None:
    """A vendored copy in an ignored directory: git lists nothing, so only the project's own files decide."""
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    (outer / ".gitignore").write_text("vendor/\n")
    root = write_project(outer / "vendor" / "demo")
    write(root, {"docs/.gitignore": "*.tmp\n", "docs/a.tmp": "x\n", "docs/index.md": "x\n"})
    # hatchling itself ships the outer .gitignore it reads (and drops its patterns: they match the root)
    assert members(build_in(root)) == {**BASE, ".gitignore": "file", "docs/.gitignore": "file", "docs/index.md": "file"}


def test_check_dir_names_the_ignore_file_and_line(tmp_path: Path, git_home: Path, capsys) -> None:
    """``sdistguard check DIR`` of a hatchling project shows what sdistguard would leave out, with the same
    sources as the build (git check-ignore -v style). An sdistguard project shows only what stops its build."""
    from sdistguard.cli import main

    root = make_repo(tmp_path / "repo")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"sdistguard.build"', '"hatchling.build"'))
    assert main(["check", str(root)]) == 1  # SG104 is advisory, but hatchling's sdist would hold .envrc
    out = capsys.readouterr().out
    assert "SG601 .envrc: " in out  # the auditor's finding on hatchling's sdist of this tree
    assert "by .git/info/exclude:1: .envrc" in out
    assert "by tests/data/.gitignore:1: *.txt" in out
    assert "tests/data/fixture.txt" not in out


def test_a_walk_that_starts_inside_a_submodule_asks_the_submodule(tmp_path: Path, git_home: Path,
                                                                   build_in) -> None:
    """only-include names a directory inside a submodule: its files are the submodule's to decide."""
    library = tmp_path / "library"
    library.mkdir()
    git(library, "init", "-q")
    write(library, {".gitignore": "*.log\n", "pkg/lib.py": "x\n"})
    git(library, "add", ".")
    git(library, "commit", "-qm", "lib")
    root = write_project(tmp_path / "repo",
                         extra='[tool.hatch.build.targets.sdist]\nonly-include = ["vendor/library/pkg"]\n')
    commit_with_submodule(root, library)
    write(root, {"vendor/library/pkg/debug.log": "x\n", "vendor/library/pkg/new.py": "untracked, not ignored\n"})
    assert members(build_in(root)) == {"PKG-INFO": "file", "README.md": "file", "pyproject.toml": "file",
                                       "vendor/library/pkg/lib.py": "file", "vendor/library/pkg/new.py": "file"}
