"""``sdistguard explain``: the one reason per path, from the build's own walk and hatchling's config.

Real trees, real links, real git repositories (hermetic: ``git_home``); the differential test builds
the real sdist and wheel of generated trees and checks every verdict against the archives.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_project
from helpers.git import git, write
from sdistguard.cli import main
from sdistguard.cli.explain import explain

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

SETTINGS = """\
[tool.hatch.build]
exclude = ["*.log"]
[tool.hatch.build.targets.wheel]
packages = ["src/demo"]
[tool.hatch.build.targets.wheel.force-include]
"data/extra.txt" = "demo/extra.txt"
"""


def make_tree(root: Path) -> Path:
    """A project in a git repository with one path per reason."""
    write_project(root, extra=SETTINGS)
    git(root, "init", "-q")
    write(root, {
        ".gitignore": "# ours\nsecret.txt\n",
        "secret.txt": "s\n",
        "app.log": "log\n",
        "sub/.gitignore": "*.tmp\n",
        "sub/x.tmp": "ignored\n",
        "sub/keep.tmp": "tracked on purpose\n",
        "sub/code.py": "x = 1\n",
        "notes/a.md": "a\n",
        "notes/private.md": "p\n",
        "only/private.md": "every file of only/ is ignored\n",
        "venv/pyvenv.cfg": "home = /usr\n",
        "venv/lib/m.py": "m\n",
        "src/demo/__pycache__/demo.cpython-311.pyc": "pyc\n",
        "data/extra.txt": "extra\n",
    })
    (root / ".git" / "info" / "exclude").write_text("# local\nprivate.md\n")
    (root / "link.txt").symlink_to("/etc/hostname")
    (root / "etc").symlink_to("/etc")
    git(root, "add", ".")
    git(root, "add", "-f", "sub/keep.tmp")
    git(root, "commit", "-qm", "init")
    return root


@pytest.fixture
def tree(tmp_path: Path, git_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_tree(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


def one(path: str, project: Path | None = None) -> dict[str, object]:
    (item,) = explain([path], str(project) if project else None)
    return {"sdist": (item.sdist.ships, item.sdist.dist_path, item.sdist.reason),
            "wheel": (item.wheel.ships, item.wheel.dist_path, item.wheel.reason)}


NOT_IN_PACKAGES = (False, None, 'not under [tool.hatch.build.targets.wheel] packages = ["src/demo"]')


@needs_git
def test_shipped_package_file(tree: Path) -> None:
    assert one("src/demo/__init__.py") == {
        "sdist": (True, "src/demo/__init__.py", "hatchling's default selection: every project file no rule leaves out"),
        "wheel": (True, "demo/__init__.py", '[tool.hatch.build.targets.wheel] packages = ["src/demo"]'),
    }


@needs_git
def test_venv_names_rule_and_marker(tree: Path) -> None:
    reason = ("SG101 venv at venv/: virtual environment (PEP 405: pyvenv.cfg, or a venv's layout); "
              "marker venv/pyvenv.cfg")
    assert one("venv/lib/m.py") == {"sdist": (False, None, reason), "wheel": NOT_IN_PACKAGES}
    (item,) = explain(["venv"])
    assert (item.kind, item.sdist.ships, item.sdist.code, item.sdist.reason) == ("directory", False, "SG101", reason)


@needs_git
def test_hatch_exclude_names_key_and_pattern(tree: Path) -> None:
    assert one("app.log")["sdist"] == (False, None, 'excluded by [tool.hatch.build] exclude pattern "*.log"')


@needs_git
def test_root_gitignore_names_file_and_line(tree: Path) -> None:
    assert one("secret.txt")["sdist"] == (False, None, "excluded by .gitignore:2: secret.txt (read by hatchling)")


@needs_git
def test_nested_gitignore_names_file_and_line(tree: Path) -> None:
    assert one("sub/x.tmp")["sdist"] == (False, None, "SG104 nested-gitignore: by sub/.gitignore:1: *.tmp")


@needs_git
def test_info_exclude_names_file_and_line(tree: Path) -> None:
    assert one("notes/private.md")["sdist"] == (
        False, None, "SG104 nested-gitignore: by .git/info/exclude:2: private.md")
    assert one("notes/a.md")["sdist"][0] is True
    # a directory every file of which git ignores is left out whole; the file still names its own line
    assert one("only/private.md")["sdist"] == (
        False, None, "SG104 nested-gitignore: by .git/info/exclude:2: private.md")
    (item,) = explain(["only"])
    assert item.sdist.reason == "SG104 nested-gitignore at only/: by git: every file below it is ignored"


@needs_git
def test_external_link_names_target(tree: Path) -> None:
    assert one("link.txt")["sdist"] == (False, None, "SG201 external-link: -> /etc/hostname")
    (item,) = explain(["etc"])
    assert (item.kind, item.sdist.ships, item.sdist.reason) == (
        "directory", False, "SG201 external-link: -> /etc")


@needs_git
def test_tracked_file_matched_by_nested_gitignore_ships(tree: Path) -> None:
    assert one("sub/keep.tmp")["sdist"] == (
        True, "sub/keep.tmp",
        "tracked by git: git never ignores a tracked file (sub/.gitignore:1: *.tmp would)")


@needs_git
def test_pycache_pruned_by_hatchlings_fixed_names(tree: Path) -> None:
    reason = (False, None, "hatchling's fixed pruned directory names (__pycache__)")
    assert one("src/demo/__pycache__/demo.cpython-311.pyc") == {"sdist": reason, "wheel": reason}


@needs_git
def test_force_include(tree: Path) -> None:
    assert one("data/extra.txt")["wheel"] == (
        True, "demo/extra.txt", '[tool.hatch.build.targets.wheel] force-include: "data/extra.txt" = "demo/extra.txt"')


@needs_git
def test_cli_text_json_and_errors(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "app.log"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "app.log",
        '  sdist: left out  (excluded by [tool.hatch.build] exclude pattern "*.log")',
        '  wheel: left out  (not under [tool.hatch.build.targets.wheel] packages = ["src/demo"])',
    ]
    assert main(["explain", "--format", "json", str(tree / "src" / "demo" / "__init__.py")]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["version"] == 1
    assert document["paths"][0]["relative"] == "src/demo/__init__.py"
    assert document["paths"][0]["wheel"]["dist_path"] == "demo/__init__.py"
    assert main(["explain", "missing.py"]) == 2
    assert capsys.readouterr().err == "sdistguard: error: missing.py: no such file or directory\n"
    assert main(["explain", "--project", str(tree), str(tree.parent)]) == 2
    assert capsys.readouterr().err == f"sdistguard: error: {tree.parent}: outside the project {tree}\n"


def test_bad_pyproject_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "p", extra="[tool.hatch.build]\nexclude = 3\n")
    assert main(["explain", "--project", str(root), str(root / "README.md")]) == 2
    assert capsys.readouterr().err == (
        "sdistguard: error: hatchling: Field `tool.hatch.build.exclude` must be an array of strings\n")


def test_the_build_explain_and_check_dir_word_hatchlings_complaint_alike(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """One ProjectError for hatchling's error, whoever ran hatchling: the same text, ``check DIR`` naming the DIR."""
    import sdistguard.build as hooks

    root = write_project(tmp_path / "p", extra="[tool.hatch.build]\nexclude = 3\n")
    complaint = "hatchling: Field `tool.hatch.build.exclude` must be an array of strings"
    assert main(["explain", "--project", str(root), str(root / "README.md")]) == 2
    assert capsys.readouterr().err == f"sdistguard: error: {complaint}\n"
    assert main(["check", str(root)]) == 2
    assert capsys.readouterr().err == f"sdistguard: error: {root}: {complaint}\n"
    monkeypatch.chdir(root)
    with pytest.raises(SystemExit):
        hooks.build_sdist(str(tmp_path / "dist"))
    assert capsys.readouterr().err == f"sdistguard: error: {complaint}\n"


# --- differential: explain's verdict equals membership in the real sdist and wheel ---

POOL = {
    "src/demo/a.py": "a\n", "src/demo/b.log": "b\n", "src/demo/__pycache__/c.pyc": "c\n", "x.log": "x\n",
    "docs/a.txt": "a\n", "docs/b.md": "b\n", "venv/pyvenv.cfg": "home = /usr\n", "venv/lib/m.py": "m\n",
    "sub/.gitignore": "*.txt\n", "sub/a.txt": "a\n", "sub/b.py": "b\n", "dist/old.tar.gz": "o\n",
    "cache/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n", "cache/v": "v\n",
}
SETTING_CHOICES = ["", '[tool.hatch.build]\nexclude = ["*.log"]\n', '[tool.hatch.build]\nexclude = ["docs/"]\n']
counter = itertools.count()


def sdist_members(path: Path) -> set[str]:
    with tarfile.open(path) as archive:
        return {m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()} - {"PKG-INFO"}


def wheel_files(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return {name for name in archive.namelist() if ".dist-info/" not in name}


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(files=st.sets(st.sampled_from(sorted(POOL))), extra=st.sampled_from(SETTING_CHOICES),
       root_ignore=st.sampled_from(["", "*.md\n", "docs/\n"]), use_git=st.booleans())
def test_verdicts_equal_the_built_archives(tmp_path: Path, build_in, monkeypatch: pytest.MonkeyPatch,
                                           git_home: Path, files: set[str], extra: str, root_ignore: str,
                                           use_git: bool) -> None:
    root = write_project(tmp_path / f"t{next(counter)}", extra=extra)
    write(root, {name: POOL[name] for name in files})
    if root_ignore:
        (root / ".gitignore").write_text(root_ignore)
    if use_git and shutil.which("git"):
        git(root, "init", "-q")
        git(root, "add", ".")
        if "sub/a.txt" in files:  # tracked, although sub/.gitignore matches it: ships
            git(root, "add", "-f", "sub/a.txt")
        git(root, "commit", "-qm", "init")
    every = sorted(
        os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/")
        for directory, _, names in os.walk(root) for name in names
    )
    monkeypatch.chdir(root)
    verdicts = explain(every)
    sdist, wheel = sdist_members(build_in(root, "sdist")), wheel_files(build_in(root, "wheel"))
    assert {item.relative for item in verdicts if item.sdist.ships} == sdist
    assert {item.wheel.dist_path for item in verdicts if item.wheel.ships} == wheel
    for item in verdicts:  # a left-out path always has its reason
        assert item.sdist.reason and item.wheel.reason
