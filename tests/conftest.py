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

from helpers.git import git_environment

REPO = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------- hermetic runs
#
# Every test runs below a hostile parent: the session's basetemp is placed in a fresh directory holding a
# stray pyproject.toml (a uv workspace that `uv init` without --no-workspace would join and edit) and a
# .gitignore with `*` (which hatchling would apply to any project below it that has no .git of its own).
# The basetemp itself holds an empty `.git` directory: the boundary hatchling's .gitignore search stops at,
# as a checkout's would (git ignores an empty one). At the end of the session the stray files must be
# unchanged, or the run fails: nothing is read or written outside the temp directories but the project's
# own caches. git reads no global or system configuration (GIT_CONFIG_GLOBAL points into the parent),
# and never searches for a repository above the hostile parent (GIT_CEILING_DIRECTORIES).
# SDISTGUARD_TEST_PARENT=DIR uses DIR as the parent (kept afterwards); pytest --basetemp disables the parent,
# not git's isolation (a commit.gpgsign in ~/.gitconfig would break every test that commits).

STRAY_PYPROJECT = """\
[project]
name = "stray-workspace"
version = "0"

[tool.uv.workspace]
members = []
"""
STRAY_GITIGNORE = "*\n"
_HOSTILE: dict[str, Path] = {}


def _isolate_git(directory: Path) -> None:
    """Make git read ``directory``/gitconfig (a test identity, branch main) and no global or system config."""
    (directory / "gitconfig").write_text(
        "[user]\n\tname = sdistguard tests\n\temail = tests@example.invalid\n[init]\n\tdefaultBranch = main\n"
    )
    os.environ["GIT_CONFIG_GLOBAL"] = str(directory / "gitconfig")
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"


def pytest_configure(config: pytest.Config) -> None:
    """Place the session's basetemp below a hostile parent (see above), unless --basetemp was given; isolate
    git from the user's configuration either way."""
    import tempfile

    if hasattr(config, "workerinput"):
        return
    if config.option.basetemp:
        _HOSTILE["remove"] = Path(tempfile.mkdtemp(prefix="sdistguard-git-"))
        _isolate_git(_HOSTILE["remove"])
        return
    given = os.environ.get("SDISTGUARD_TEST_PARENT")
    parent = Path(given) if given else Path(tempfile.mkdtemp(prefix="sdistguard-tests-"))
    parent.mkdir(parents=True, exist_ok=True)
    (parent / "pyproject.toml").write_text(STRAY_PYPROJECT)
    (parent / ".gitignore").write_text(STRAY_GITIGNORE)
    _isolate_git(parent)
    basetemp = parent / "basetemp"
    config.option.basetemp = str(basetemp)
    os.environ["GIT_CEILING_DIRECTORIES"] = str(parent)
    _HOSTILE["parent"] = parent
    if not given:
        _HOSTILE["remove"] = parent


def pytest_sessionstart(session: pytest.Session) -> None:
    """Create the boundary ``basetemp/.git`` once pytest has made (and emptied) the basetemp."""
    if "parent" in _HOSTILE:
        basetemp = session.config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
        (basetemp / ".git").mkdir(exist_ok=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test changed the stray files of the hostile parent, or added files beside them."""
    parent = _HOSTILE.get("parent")
    if parent is None:
        return
    problems = []
    if (parent / "pyproject.toml").read_text() != STRAY_PYPROJECT:
        problems.append("pyproject.toml was changed")
    if (parent / ".gitignore").read_text() != STRAY_GITIGNORE:
        problems.append(".gitignore was changed")
    extra = sorted({path.name for path in parent.iterdir()} - {"pyproject.toml", ".gitignore", "gitconfig", "basetemp"})
    if extra:
        problems.append(f"files were written beside them: {extra}")
    if problems:
        print(f"\nnot hermetic: in the hostile parent {parent} of the temp root, " + "; ".join(problems))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the hostile parent made for this run (its basetemp with it)."""
    removable = _HOSTILE.pop("remove", None)
    if removable is not None:
        shutil.rmtree(removable, ignore_errors=True)

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


@pytest.fixture
def git_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hermetic git configuration: a global config file and a global excludes file in ``tmp_path``.

    The excludes file (``home/global-excludes``) holds ``*.secret``; the config names it, a user, ``main``
    as the default branch, and allows the ``file`` protocol (``git submodule add`` of a local path). The
    in-process build's git calls see it too (the environment is the test's).
    """
    home = tmp_path / "home"
    home.mkdir()
    excludes = home / "global-excludes"
    excludes.write_text("*.secret\n")
    config = (f"[core]\n\texcludesFile = {excludes}\n[user]\n\tname = t\n\temail = t@t\n"
              "[init]\n\tdefaultBranch = main\n[protocol \"file\"]\n\tallow = always\n")
    for name, value in git_environment(home, config).items():
        monkeypatch.setenv(name, value)
    return home


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The end-to-end tests' wheelhouse: sdistguard's own wheel, built by ``python -m build`` (isolated)."""
    out = tmp_path_factory.mktemp("wheelhouse")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)], REPO)
    assert [p.name for p in out.iterdir()] == ["sdistguard-0.1.0-py3-none-any.whl"]
    return out
