"""Shared fixtures: real project trees in tmp dirs, real venvs and caches, and builds of them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"

PYPROJECT = """\
[build-system]
requires = ["sdistguard"]
build-backend = "sdistguard.build"

[project]
name = "demo"
version = "1.0"
readme = "README.md"
{extra_project}
{extra}
"""


def write_project(root: Path, *, extra: str = "", extra_project: str = "") -> Path:
    """A minimal src-layout project ``demo`` 1.0 at ``root``; returns ``root``."""
    (root / "src" / "demo").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(extra=textwrap.dedent(extra), extra_project=textwrap.dedent(extra_project))
    )
    (root / "README.md").write_text("# demo\n")
    (root / "src" / "demo" / "__init__.py").write_text("__version__ = '1.0'\n")
    (root / "src" / "demo" / "data.txt").write_text("data\n")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A clean project tree ``tmp_path/project``."""
    return write_project(tmp_path / "project")


def members(sdist: Path) -> dict[str, str]:
    """Member name (without the top-level dir) -> tar type name, for an sdist."""
    kinds = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir", tarfile.SYMTYPE: "symlink",
             tarfile.LNKTYPE: "hardlink", tarfile.FIFOTYPE: "fifo"}
    with tarfile.open(sdist) as archive:
        return {m.name.split("/", 1)[1]: kinds.get(m.type, repr(m.type)) for m in archive.getmembers()}


def wheel_members(wheel: Path) -> list[str]:
    """Sorted member names of a wheel."""
    with zipfile.ZipFile(wheel) as archive:
        return sorted(archive.namelist())


def assert_installable(sdist: Path, tmp_path: Path) -> None:
    """Every member passes Python's ``tarfile.data_filter`` (PEP 706, PEP 721) and is a file or dir."""
    destination = tmp_path / "unpacked"
    destination.mkdir(exist_ok=True)
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            assert member.isfile() or member.isdir(), member.name
            tarfile.data_filter(member, str(destination))


BuildHook = Callable[..., str]


@pytest.fixture
def build_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Path]:
    """Run a PEP 517 hook in-process, with the project as cwd; returns the artifact's path.

    ``build_in(project, "sdist" | "wheel" | "editable", backend="sdistguard" | "hatchling",
    config_settings=None)``.
    """
    counter = iter(range(1000))

    def build(root: Path, kind: str = "sdist", *, backend: str = "sdistguard",
              config_settings: dict[str, str] | None = None) -> Path:
        if backend == "sdistguard":
            import sdistguard.build as hooks
        else:
            import hatchling.build as hooks  # type: ignore[no-redef]
        out = tmp_path / f"out-{backend}-{kind}-{next(counter)}"
        monkeypatch.chdir(root)
        hook: BuildHook = getattr(hooks, f"build_{kind}")
        name = hook(str(out), config_settings) if config_settings else hook(str(out))
        return out / name

    return build


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every path below ``root`` with its type, size, mtime and link target (``lstat``, not followed)."""
    state: dict[str, tuple[object, ...]] = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            target = os.readlink(path) if os.path.islink(path) else ""
            state[os.path.relpath(path, root)] = (info.st_mode, info.st_size, info.st_mtime_ns, target)
    return state


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run a real command; fail the test with its output when it exits non-zero."""
    result = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True,
                            text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def uv() -> str:
    """The uv binary (from the test environment's ``uv`` package)."""
    beside = os.path.join(os.path.dirname(sys.executable), "uv")
    found = beside if os.path.exists(beside) else shutil.which("uv") or beside
    assert os.path.exists(found), "uv is a test requirement (pip install -e '.[test]')"
    return found


def make_uv_env(root: Path, venv: str = "env", cache: str = ".uv-cache") -> None:
    """``uv venv root/venv`` and ``uv pip install six`` into it with the uv cache at ``root/cache``.

    Both are real: the cache holds uv's CACHEDIR.TAG, its ``.gitignore`` with ``*``, and files
    hardlinked into the venv (same file system), as in astral-sh/uv#11213.
    """
    env = {"UV_CACHE_DIR": str(root / cache)}
    run([uv(), "venv", "--quiet", str(root / venv)], root, env)
    run([uv(), "pip", "install", "--quiet", "--python", str(root / venv / "bin" / "python"), "six"], root, env)
