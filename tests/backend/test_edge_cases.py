"""Adversarial edge cases of the guarded walk and the builders, on real trees.

Each test under "bugs found in review" reproduces a bug found by an adversarial review (fixed since);
the others lock in behaviour that was checked by hand (byte identity with hatchling, git's semantics).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import members, snapshot, wheel_members, write_project

BASE = {"README.md": "file", "pyproject.toml": "file", "src/demo/__init__.py": "file",
        "src/demo/data.txt": "file", "PKG-INFO": "file"}
WHEEL_BASE = ["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL",
              "demo/__init__.py", "demo/data.txt"]
SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55\n"


class Hung(BaseException):
    """Raised by the alarm below; a BaseException so that no ``except OSError`` swallows it."""


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Interrupt a blocking system call (``open`` of a FIFO) in the main thread after ``seconds``."""

    def alarm(signum: int, frame: object) -> None:
        raise Hung(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def outside_dir(tmp_path: Path) -> Path:
    """A directory next to the project, with two files."""
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "e.txt").write_text("e\n")
    (outside / "sub" / "s.txt").write_text("s\n")
    return outside


# --- confirmed-good behaviour -------------------------------------------------------------------


def test_exclude_negations_and_skip_excluded_dirs_identical_to_hatchling(tmp_path: Path, build_in) -> None:
    for skip in ("false", "true"):
        root = write_project(tmp_path / f"p-{skip}", extra=f"""
            [tool.hatch.build]
            exclude = ["docs/", "!docs/keep.txt", "build/*", "!build/keep/", "data/**", "!data/**/*.csv"]
            skip-excluded-dirs = {skip}
            """)
        for name in ("docs/a.txt", "docs/keep.txt", "docs/sub/b.md", "build/x.o", "build/keep/k.txt",
                     "data/d/e.csv", "data/e.txt"):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(name)
        for kind in ("sdist", "wheel"):
            ours, theirs = build_in(root, kind), build_in(root, kind, backend="hatchling")
            assert ours.read_bytes() == theirs.read_bytes(), (skip, kind)
        # skip-excluded-dirs: hatchling prunes docs/ and data/, so their negations cannot reach below
        rescued = ["build/keep/k.txt"] if skip == "true" else ["build/keep/k.txt", "docs/keep.txt", "data/d/e.csv"]
        assert members(ours.with_name("demo-1.0.tar.gz") if kind == "sdist" else build_in(root, "sdist")) == {
            **BASE, **dict.fromkeys(rescued, "file")}


def test_marker_lookalikes_and_spaces_identical_to_hatchling(project: Path, build_in) -> None:
    (project / "a" / "pyvenv.cfg").mkdir(parents=True)  # a directory, not PEP 405's file
    (project / "a" / "pyvenv.cfg" / "x").write_text("1\n")
    (project / "b").mkdir()
    (project / "b" / "CACHEDIR.TAG").write_text("no signature here\n")
    (project / "b" / "conda-meta").write_text("a file, not conda's directory\n")
    (project / "c d").mkdir()
    (project / "c d" / "file name.txt").write_text("spaces inside names are portable\n")
    for kind in ("sdist", "wheel"):
        assert build_in(project, kind).read_bytes() == build_in(project, kind, backend="hatchling").read_bytes()
    assert members(build_in(project, "sdist")) == {
        **BASE, "a/pyvenv.cfg/x": "file", "b/CACHEDIR.TAG": "file", "b/conda-meta": "file",
        "c d/file name.txt": "file"}


def test_parent_gitignore_with_crlf_identical_to_hatchling(tmp_path: Path, build_in) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / ".gitignore").write_bytes(b"data/\n!data/keep.txt\r\n*.log\n")
    root = write_project(tmp_path / "repo" / "proj")
    (root / "data").mkdir()
    (root / "data" / "keep.txt").write_text("1\n")
    (root / "data" / "x.txt").write_text("2\n")
    (root / "a.log").write_text("3\n")
    for kind in ("sdist", "wheel"):
        assert build_in(root, kind).read_bytes() == build_in(root, kind, backend="hatchling").read_bytes()


def test_nested_gitignore_agrees_with_git(project: Path, build_in) -> None:
    """The member list equals ``git ls-files --others --exclude-standard`` (git 2.39) on this tree."""
    files = {
        "p/.gitignore": "trail.txt   \n\\!bang.txt\n\\#hash.txt\nlogs/\nq/**/r.txt\n/q/only.txt\nf[0-9].txt\n*.log\n",
        "p/q/.gitignore": "x.txt\r\n!keep.txt\r\n!*.log\r\n",
        "p/q/r/.gitignore": "*.txt\n!/keep2.txt\n",
        "p/x/.gitignore": "*\n!.gitignore\n!wanted.txt\n",
    }
    for name in ("p/trail.txt", "p/!bang.txt", "p/#hash.txt", "p/logs/l.txt", "p/q/logs", "p/q/r.txt",
                 "p/q/a/r.txt", "p/q/only.txt", "p/only.txt", "p/f1.txt", "p/fa.txt", "p/q/x.txt",
                 "p/q/keep.txt", "p/q/r/keep2.txt", "p/q/r/other.txt", "p/a.log", "p/q/b.log",
                 "p/x/wanted.txt", "p/x/other.txt"):
        files[name] = "1\n"
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_bytes(text.encode())
    assert members(build_in(project, "sdist")) == {
        **BASE, **dict.fromkeys(
            ["p/.gitignore", "p/q/.gitignore", "p/q/r/.gitignore", "p/x/.gitignore", "p/fa.txt", "p/only.txt",
             "p/q/keep.txt", "p/q/logs", "p/q/r/keep2.txt", "p/q/b.log", "p/x/wanted.txt"], "file")}


def test_link_cycle_through_two_directories_is_finite(project: Path, build_in, capsys) -> None:
    for name in ("a", "b", "c", "a/deep"):
        (project / name).mkdir()
    (project / "a" / "fa").write_text("a\n")
    (project / "b" / "fb").write_text("b\n")
    (project / "c" / "fc").write_text("c\n")
    (project / "a" / "tob").symlink_to("../b")
    (project / "b" / "toa").symlink_to("../a")
    (project / "a" / "deep" / "toc").symlink_to("../../c")  # a link to an ancestor's sibling
    (project / "c" / "self").symlink_to(".")
    sdist = build_in(project, "sdist")
    assert members(sdist) == {
        **BASE, **dict.fromkeys(["a/fa", "a/deep/toc/fc", "a/tob/fb", "b/fb", "b/toa/fa", "c/fc"], "file")}
    err = capsys.readouterr().err
    assert "  SG203 a/tob/toa: " in err and "  SG203 c/self: " in err
    assert "  SG205 b/toa/deep/toc/: " in err  # the link a/deep/toc, reached a second time


def test_reproducible_builds_into_the_same_directory(tmp_path: Path, monkeypatch) -> None:
    import sdistguard.build as hooks

    root = write_project(tmp_path / "project")
    (root / "src" / "demo" / "alias.txt").symlink_to("data.txt")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "env")], check=True)
    before = snapshot(root)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "out"
    digests = []
    for _ in range(2):
        names = [hooks.build_sdist(str(out)), hooks.build_wheel(str(out))]
        digests.append([(out / name).read_bytes() for name in names])
    assert digests[0] == digests[1]
    assert sorted(os.listdir(out)) == ["demo-1.0-py2.py3-none-any.whl", "demo-1.0.tar.gz"]
    assert snapshot(root) == before


# --- bugs found in review (fixed) -----------------------------------------------------------------------------


def test_fifo_named_cachedir_tag_does_not_hang(project: Path, build_in) -> None:
    (project / "cache").mkdir()
    (project / "cache" / "a.txt").write_text("a\n")
    os.mkfifo(project / "cache" / "CACHEDIR.TAG")
    with deadline(3):
        sdist = build_in(project, "sdist")
    assert members(sdist) == {**BASE, "cache/a.txt": "file"}


def test_fifo_named_gitignore_does_not_hang(project: Path, build_in) -> None:
    (project / "sub").mkdir()
    (project / "sub" / "a.txt").write_text("a\n")
    os.mkfifo(project / "sub" / ".gitignore")
    with deadline(3):
        sdist = build_in(project, "sdist")
    assert members(sdist) == {**BASE, "sub/a.txt": "file"}


def test_external_cachedir_tag_link_is_not_read(tmp_path: Path, build_in) -> None:
    root = write_project(tmp_path / "project")
    (tmp_path / "tag").write_text(SIGNATURE)
    (root / "cache").mkdir()
    (root / "cache" / "a.txt").write_text("a\n")
    (root / "cache" / "CACHEDIR.TAG").symlink_to(tmp_path / "tag")
    assert members(build_in(root, "sdist")) == {**BASE, "cache/a.txt": "file"}  # the link itself: SG201


def test_external_gitignore_link_is_not_read(tmp_path: Path, build_in) -> None:
    root = write_project(tmp_path / "project")
    (tmp_path / "rules").write_text("*.txt\n")
    (root / "sub").mkdir()
    (root / "sub" / "b.txt").write_text("b\n")
    (root / "sub" / ".gitignore").symlink_to(tmp_path / "rules")
    assert members(build_in(root, "sdist")) == {**BASE, "sub/b.txt": "file"}  # the link itself: SG201


def test_output_directory_inside_project_private_dir_not_packed(project: Path, monkeypatch) -> None:
    import sdistguard.build as hooks

    monkeypatch.chdir(project)
    name = hooks.build_sdist("out")
    assert members(project / "out" / name) == BASE
    assert os.listdir(project / "out") == [name]


def test_wheel_applies_gitignore_of_package_directory(project: Path, build_in) -> None:
    (project / "src" / "demo" / ".gitignore").write_text("secret.txt\n")
    (project / "src" / "demo" / "secret.txt").write_text("s\n")
    assert "src/demo/secret.txt" not in members(build_in(project, "sdist"))  # the sdist honours it
    assert wheel_members(build_in(project, "wheel")) == sorted([*WHEEL_BASE, "demo/.gitignore"])


def test_link_farm_does_not_explode(project: Path, build_in) -> None:
    levels = 10
    for level in range(levels + 1):
        (project / f"d{level}").mkdir()
        (project / f"d{level}" / "f.txt").write_text(f"{level}\n")
    for level in range(levels):
        (project / f"d{level}" / "x").symlink_to(f"../d{level + 1}")
        (project / f"d{level}" / "y").symlink_to(f"../d{level + 1}")
    hatchling_count = len(members(build_in(project, "sdist", backend="hatchling")))  # 16: linear
    assert len(members(build_in(project, "sdist"))) <= 8 * hatchling_count  # today: 4,088


def test_very_deep_tree_builds_or_fails_with_a_message(project: Path, build_in) -> None:
    depth = 1200
    deep_tree(project, depth)
    try:
        try:
            sdist = build_in(project, "sdist")
        except SystemExit:
            return  # one clear message is acceptable too
        assert "a/" * depth + "f.txt" in members(sdist)
    finally:
        deep_tree(project, depth, remove=True)


def deep_tree(root: Path, depth: int, *, remove: bool = False) -> None:
    """Create (or remove) ``root/a/a/.../a/f.txt``, ``depth`` levels, without recursion.

    ``os.makedirs`` and Python 3.11's ``shutil.rmtree`` recurse once per level, so both are avoided.
    """
    path = os.fspath(root) + "/a" * depth
    if remove:
        if os.path.exists(os.path.join(path, "f.txt")):
            os.unlink(os.path.join(path, "f.txt"))
        for _ in range(depth):
            if os.path.isdir(path):
                os.rmdir(path)
            path = os.path.dirname(path)
        return
    for level in range(1, depth + 1):
        os.mkdir(os.fspath(root) + "/a" * level)
    with open(os.path.join(path, "f.txt"), "w") as handle:
        handle.write("deep\n")


def test_excluded_external_link_does_not_trip_error_policy(tmp_path: Path, build_in) -> None:
    root = write_project(tmp_path / "project", extra="""
        [tool.hatch.build]
        exclude = ["hostlink"]
        [tool.sdistguard]
        external-links = "error"
        """)
    (tmp_path / "secret").write_text("outside\n")
    (root / "hostlink").symlink_to(tmp_path / "secret")
    assert members(build_in(root, "sdist")) == BASE


def test_links_inside_left_out_venv_do_not_trip_error_policy(tmp_path: Path, build_in) -> None:
    root = write_project(tmp_path / "project", extra="""
        [tool.sdistguard]
        keep = ["venv/keep.txt"]
        external-links = "error"
        """)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    (root / "venv" / "keep.txt").write_text("k\n")
    assert members(build_in(root, "sdist")) == {**BASE, "venv/keep.txt": "file"}


def test_artifact_naming_external_directory_link(tmp_path: Path, build_in) -> None:
    outside = outside_dir(tmp_path)
    root = write_project(tmp_path / "project", extra="""
        [tool.hatch.build]
        artifacts = ["extdir"]
        """)
    (root / "extdir").symlink_to(outside)
    sdist = build_in(root, "sdist")
    assert members(sdist) == {**BASE, "extdir/e.txt": "file", "extdir/sub/s.txt": "file"}


def test_wheel_with_non_utf8_name_names_the_file(project: Path, build_in, capsys) -> None:
    (Path(os.fsdecode(os.fsencode(project / "src" / "demo") + b"/bad\xff.txt"))).write_text("x\n")
    with pytest.raises(SystemExit):
        build_in(project, "wheel")
    err = capsys.readouterr().err
    assert "bad" in err and "not valid UTF-8" in err
