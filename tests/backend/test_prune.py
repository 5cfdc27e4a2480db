"""Nothing below a pruned directory is ever opened or stat'ed: checked with strace on a real build.

The only reads allowed inside a directory left out by a marker are the marker files the rules need
to read (``CACHEDIR.TAG`` for its signature, a nested ``.gitignore`` for its patterns); a directory
excluded by hatchling's own patterns (root ``.gitignore``) is not even listed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_uv_env, write_project

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace (installed by .ci/run)")

# sys.path[0] (the project, as cwd) is dropped first: what `python -P` does, on Python 3.10 too
BUILD = "import sys, importlib; sys.path.pop(0); importlib.import_module(sys.argv[1]).build_sdist(sys.argv[2])"
PATH_ARGUMENT = re.compile(r'"((?:[^"\\]|\\.)*)"')


def traced_paths(project: Path, backend: str, out: Path, log: Path) -> set[str]:
    """Every path argument of a file system call made while ``backend`` builds the sdist."""
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=%file", "-o", str(log),
                    sys.executable, "-c", BUILD, backend, str(out)],
                   cwd=project, check=True, capture_output=True)
    return {match for line in log.read_text().splitlines() for match in PATH_ARGUMENT.findall(line)}


@pytest.fixture
def polluted(tmp_path: Path) -> Path:
    project = write_project(tmp_path / "project")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "venv")], check=True)
    make_uv_env(project, venv="env", cache=".uv-cache")
    (project / ".hypothesis" / "examples").mkdir(parents=True)
    (project / ".hypothesis" / ".gitignore").write_text("*\n")
    (project / ".hypothesis" / "examples" / "x").write_text("x")
    (project / ".gitignore").write_text("/build/\n")
    (project / "build" / "lib").mkdir(parents=True)
    (project / "build" / "lib" / "big.py").write_text("x = 1\n")
    (project / "docs" / "_build").mkdir(parents=True)
    (project / "docs" / ".gitignore").write_text("_build/\n")
    (project / "docs" / "_build" / "page.html").write_text("x")
    return project


def below(paths: set[str], directory: Path) -> set[str]:
    prefix = f"{directory}/"
    return {path for path in paths if path.startswith(prefix)}


def test_pruned_directories_are_never_walked(polluted: Path, tmp_path: Path) -> None:
    paths = traced_paths(polluted, "sdistguard.build", tmp_path / "out", tmp_path / "ours.log")
    assert below(paths, polluted / "venv") == set()
    assert below(paths, polluted / "env") == set()
    assert below(paths, polluted / ".uv-cache") == {f"{polluted}/.uv-cache/CACHEDIR.TAG"}
    assert below(paths, polluted / ".hypothesis") == set()  # a well-known cache name: not even its .gitignore read
    assert below(paths, polluted / "docs" / "_build") == set()
    assert below(paths, polluted / "build") == set() and str(polluted / "build") not in paths
    assert f"{polluted}/src/demo/data.txt" in paths  # the trace does see the files that are built


def test_hatchling_walks_them_file_by_file(polluted: Path, tmp_path: Path) -> None:
    """The same probe on hatchling: shows the test above can fail."""
    paths = traced_paths(polluted, "hatchling.build", tmp_path / "out", tmp_path / "theirs.log")
    assert f"{polluted}/venv/pyvenv.cfg" in paths
    assert below(paths, polluted / "build")


def test_external_link_targets_are_never_opened(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("secret\n")
    (tmp_path / "outside" / "sub").mkdir()
    (tmp_path / "outside" / "sub" / "inner.txt").write_text("x\n")
    project = write_project(tmp_path / "project")
    (project / "src" / "demo" / "secret.txt").symlink_to(tmp_path / "outside" / "secret.txt")
    (project / "src" / "demo" / "outside").symlink_to("../../../outside")
    for backend, opened in (("sdistguard.build", False), ("hatchling.build", True)):
        log = tmp_path / f"{backend}.log"
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", str(log),
                        sys.executable, "-c", BUILD, backend, str(tmp_path / backend)],
                       cwd=project, check=True, capture_output=True)
        paths = {match for line in log.read_text().splitlines() for match in PATH_ARGUMENT.findall(line)}
        package = project / "src" / "demo"
        through_links = {str(package / "secret.txt")} | below(paths, package / "outside")
        reached = (paths & through_links) | below(paths, tmp_path / "outside")
        assert bool(reached) is opened, (backend, reached)
