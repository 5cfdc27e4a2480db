"""The gitignore engine against git itself: hand-picked lines (where pathspec and git disagree), then generated trees.

The differential test writes a hypothesis-generated tree (files, ``.gitignore`` files anywhere,
``.git/info/exclude`` and a global excludes file) into one real git repository and compares the
files git lists as untracked and not ignored (``git ls-files --others --exclude-standard``, one
call per tree) with the files the engine keeps in a pruning walk. git runs hermetically:
``GIT_CONFIG_NOSYSTEM=1``, ``GIT_CONFIG_GLOBAL`` and ``HOME`` in the test's temp directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers.git import git_environment, write
from sdistguard.git.gitignore import IgnoreRules, parse_patterns, read_pattern_file, wildmatch_regex
from sdistguard.rules import unportable_reason

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git_env(home: Path) -> dict[str, str]:
    """A hermetic environment for git: its config (empty) and home inside ``home``, an author and committer."""
    return {**os.environ, **git_environment(home), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def engine_keeps(top: Path, extra=()) -> set[str]:
    """The files a pruning walk keeps under the engine's rules (paths relative to ``top``)."""
    rules = IgnoreRules(str(top), extra)
    kept: set[str] = set()
    stack = [""]
    while stack:
        directory = stack.pop()
        for entry in os.scandir(top / directory if directory else top):
            if entry.name == ".git" and not directory:
                continue
            path = f"{directory}/{entry.name}" if directory else entry.name
            is_dir = entry.is_dir(follow_symlinks=False)
            if rules.ignored(path, is_dir=is_dir) is not None:
                continue
            if is_dir:
                stack.append(path)
            else:
                kept.add(path)
    return kept


def git_keeps(top: Path, env: dict[str, str]) -> set[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--others", "--exclude-standard"], cwd=top, env=env,
                         capture_output=True, check=True).stdout
    return {os.fsdecode(item) for item in out.split(b"\0") if item}


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    env = git_env(tmp_path / "home")
    top = tmp_path / "repo"
    top.mkdir()
    subprocess.run(["git", "init", "-q", str(top)], env=env, check=True)
    return top, env


# --- lines where pathspec and git disagree, and lines git accepts that pathspec refuses ---

CASES = [
    ({"d/.gitignore": b"x/**\n!x/k\n", "d/x/k": b"", "d/x/j": b""}, {"d/.gitignore", "d/x/k"}),
    ({"d/.gitignore": b"x/**/\n", "d/x/f": b"", "d/x/y/g": b""}, {"d/.gitignore", "d/x/f"}),
    ({"p/.gitignore": b"*\n!*/\n!*.py\n", "p/d/e.txt": b"", "p/d/m.py": b""}, {"p/d/m.py"}),
    ({"p/.gitignore": b"*.cfg\n!conf/\n", "p/conf/a.cfg": b"", "p/b": b""}, {"p/.gitignore", "p/b"}),
    ({"p/.gitignore": b"\xef\xbb\xbfsecret.txt\n", "p/secret.txt": b"", "p/a": b""}, {"p/.gitignore", "p/a"}),
    ({"p/.gitignore": b"# caf\xe9\nsecret.env\n", "p/secret.env": b"", "p/a": b""}, {"p/.gitignore", "p/a"}),
    ({"p/.gitignore": b"!\n[z-a]\nfoo\\\n", "p/!": b"", "p/foo": b"", "p/z": b"", "p/[z-a]": b""},
     {"p/.gitignore", "p/!", "p/foo", "p/[z-a]"}),  # [z-a] holds 'z' (then an empty range)
    ({"p/.gitignore": b"a**/b\n", "p/a/x/b": b"", "p/c/b": b""}, {"p/.gitignore", "p/c/b"}),
    ({"p/.gitignore": b"sp\\ \ntr  \r\n", "p/sp ": b"", "p/tr": b"", "p/tr  ": b""}, {"p/.gitignore", "p/tr  "}),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_table_of_the_issue_against_git(repo, files: dict[str, bytes], expected: set[str]) -> None:
    top, env = repo
    write(top, files)
    assert git_keeps(top, env) == expected
    assert engine_keeps(top) == expected


def test_unusable_lines_match_nothing_and_never_raise() -> None:
    for line in (b"!", b"foo\\", b"[", b"[[:nope:]]", b"/", b"!/", b"\\"):
        for pattern in parse_patterns(line + b"\n", "x"):
            assert not pattern.matches(b"foo", is_dir=False)
            assert not pattern.matches(b"z", is_dir=True)
    (z_to_a,) = parse_patterns(b"[z-a]", "x")  # git: the member 'z', then an empty range
    assert [z_to_a.matches(name, is_dir=False) for name in (b"z", b"a", b"m")] == [True, False, False]
    assert wildmatch_regex(b"foo\\") is None
    assert wildmatch_regex(b"[abc") is None


def test_a_link_named_gitignore_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "rules").write_text("*\n")
    (tmp_path / ".gitignore").symlink_to(tmp_path / "rules")
    assert read_pattern_file(str(tmp_path / ".gitignore"), ".gitignore") is None


def test_decision_names_file_line_and_pattern(tmp_path: Path) -> None:
    write(tmp_path, {"docs/.gitignore": b"# notes\n\n*.tmp\n"})
    found = IgnoreRules(str(tmp_path)).ignored("docs/a.tmp", is_dir=False)
    assert found is not None
    assert (found.source, found.line, found.text) == ("docs/.gitignore", 3, "*.tmp")


# --- the differential test on generated trees ---

NAMES = ["a", "b", "d", "x.py", "e.txt", "a.cfg", "#h", "!n", "sp ", "\u00e9", "[x]"]
SEGMENTS = [*NAMES[:6], "a", "b", "d", "*", "**", "**", "?", "a*", "*.py", "[a-c]", "[!a]*", "[z-a]",
            "[[:alpha:]]*", "\\#h", "\\!n", "sp\\ ", "sp", "a**", "**b", "[]]", "?.*", "\\*", "\u00e9", "?",
            "[^a-b]", "[x]", "\\[x]"]


@st.composite
def pattern_lines(draw) -> bytes:
    special = draw(st.sampled_from([None, None, None, None, b"!", b"#c", b"", b"\\", b"x\\", b"/", b"**"]))
    if special is not None:
        return special
    segments = draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=3))
    text = "/".join(segments)
    if draw(st.booleans()) and draw(st.booleans()):
        text = "/" + text
    if draw(st.booleans()) and draw(st.booleans()):
        text += "/"
    if draw(st.integers(0, 5)) == 0:
        text = "!" + text
    text += draw(st.sampled_from(["", "", "", "  ", "\\ ", "\t"]))
    return text.encode()


@st.composite
def ignore_files(draw) -> bytes:
    lines = draw(st.lists(pattern_lines(), min_size=1, max_size=5))
    newline = draw(st.sampled_from([b"\n", b"\n", b"\r\n"]))
    data = newline.join(lines) + draw(st.sampled_from([newline, b""]))
    if draw(st.integers(0, 6)) == 0:
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 6)) == 0:
        data = b"# caf\xe9\n" + data
    return data


@st.composite
def trees(draw) -> dict[str, bytes]:
    paths = draw(st.lists(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3), min_size=3, max_size=20))
    files: dict[str, bytes] = {}
    directories: set[str] = {""}
    for parts in paths:
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts))]
        path = "/".join(parts)
        if path in directories or any(prefix in files for prefix in prefixes):
            continue
        files[path] = b""
        directories.update(prefixes)
    for directory in sorted(directories):
        if draw(st.integers(0, 2)) == 0:
            name = f"{directory}/.gitignore" if directory else ".gitignore"
            if name not in directories:
                files[name] = draw(ignore_files())
    return files


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=trees(), exclude=st.one_of(st.none(), ignore_files()), global_=st.one_of(st.none(), ignore_files()))
def test_engine_agrees_with_git_on_generated_trees(tmp_path_factory, tree, exclude, global_) -> None:
    base = tmp_path_factory.getbasetemp() / "differential"
    top, home = base / "repo", base / "home"
    if not (top / ".git").is_dir():
        shutil.rmtree(base, ignore_errors=True)
        env = git_env(home)
        top.mkdir(parents=True)
        subprocess.run(["git", "init", "-q", str(top)], env=env, check=True)
    env = git_env(home)
    for entry in top.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    write(top, tree)
    (top / ".git" / "info").mkdir(exist_ok=True)
    (top / ".git" / "info" / "exclude").write_bytes(exclude or b"")
    global_file = home / "global-ignore"
    global_file.write_bytes(global_ or b"")
    Path(env["GIT_CONFIG_GLOBAL"]).write_text(f"[core]\n\texcludesFile = {global_file}\n")
    extra = [parse for parse in (
        read_pattern_file(str(top / ".git" / "info" / "exclude"), ".git/info/exclude"),
        read_pattern_file(str(global_file), str(global_file)),
    ) if parse is not None]
    assert engine_keeps(top, extra) == git_keeps(top, env)


# --- the build, with git on PATH and without: the same members, and git's answer ---

BUILD_PYPROJECT = """\
[build-system]
requires = ["sdistguard"]
build-backend = "sdistguard.build"

[project]
name = "demo"
version = "1.0"

[tool.hatch.build.targets.sdist]
only-include = ["t"]
"""


def _shipped(root: Path) -> set[str]:
    """The files the sdist builder selects, in-process (the walk and hatchling's selection, no archive)."""
    from sdistguard.builders import GuardedSdistBuilder

    builder = GuardedSdistBuilder(str(root))
    build_data = builder.get_default_build_data()
    builder.set_build_data_defaults(build_data)
    with builder.config.set_build_data(build_data):
        shipped = {included.distribution_path.replace(os.sep, "/") for included in builder.recurse_included_files()}
    return {path for path in shipped if path.startswith("t/")}


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=trees(), exclude=st.one_of(st.none(), ignore_files()))
def test_build_ships_git_answer_with_and_without_git(tmp_path_factory, tree, exclude) -> None:
    """Every file below ``t/`` (only-include): git's untracked, unignored files, with git or with the engine."""
    base = tmp_path_factory.getbasetemp() / "differential-build"
    top, home = base / "repo", base / "home"
    env = git_env(home)
    if not (top / ".git").is_dir():
        shutil.rmtree(base, ignore_errors=True)
        env = git_env(home)
        top.mkdir(parents=True)
        subprocess.run(["git", "init", "-q", str(top)], env=env, check=True)
    for entry in top.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    write(top, {f"t/{name}": data for name, data in tree.items()})
    (top / "pyproject.toml").write_text(BUILD_PYPROJECT)
    (top / ".git" / "info").mkdir(exist_ok=True)
    (top / ".git" / "info" / "exclude").write_bytes(exclude or b"")
    listed = git_keeps(top, env)
    assume("pyproject.toml" in listed)  # else the repository ignores the project (sdistguard: see docs/git.md)
    expected = {path for path in listed if path.startswith("t/") and unportable_reason(path) is None}
    saved = dict(os.environ)
    try:
        os.environ.update({key: env[key] for key in ("GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL", "HOME",
                                                     "XDG_CONFIG_HOME")})
        with_git = _shipped(top)
        os.environ["PATH"] = str(base / "no-git")
        without_git = _shipped(top)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert with_git == expected
    assert without_git == expected


def test_nested_gitignore_lines_git_accepts_never_stop_the_build(tmp_path: Path, build_in) -> None:
    """A lone '!', '[z-a]' and 'foo\\' in a nested .gitignore (pathspec refuses them) match as git matches them."""
    from conftest import members, write_project

    root = write_project(tmp_path / "p")
    write(root, {"fixtures/.gitignore": b"!\n[z-a]\nfoo\\\n[\n", "fixtures/z": b"", "fixtures/foo": b"",
                 "fixtures/a": b""})
    assert set(members(build_in(root))) == {"PKG-INFO", "README.md", "pyproject.toml", "src/demo/__init__.py",
                                            "src/demo/data.txt", "fixtures/.gitignore", "fixtures/foo",
                                            "fixtures/a"}
