"""Real git repositories for the tests: git run as a subprocess, with a configuration of the test's own.

Every function runs the real ``git`` found on ``PATH`` when this module was imported (``GIT``), so a test
may empty ``PATH`` to hide git from the code under test and still set up its repository. Outside a test's
own configuration (``git_environment``), tests/conftest.py points git's global configuration at the hostile
parent of the temp root and sets ``GIT_CEILING_DIRECTORIES`` there.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

GIT = shutil.which("git") or "git"


def git(cwd: Path, *arguments: str) -> str:
    """``git ARGUMENTS`` in ``cwd``; its stdout as text. Raises CalledProcessError when git exits non-zero."""
    return subprocess.run([GIT, *arguments], cwd=cwd, capture_output=True, text=True, check=True).stdout


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write each ``path -> content`` of ``files`` below ``root`` (paths relative to it, parents made)."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def commit_all(root: Path) -> None:
    """``git init`` at ``root`` and commit every file git does not ignore (``git add -A``)."""
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "init"]):
        git(root, *command)


def commit_with_submodule(root: Path, library: Path, where: str = "vendor/library") -> None:
    """``git init`` at ``root``, the committed repository ``library`` added as the submodule ``where``
    (``git submodule add`` of a local path: ``protocol.file.allow=always``), then everything committed."""
    git(root, "init", "-q")
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), where)
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")


def git_environment(home: Path, config: str = "") -> dict[str, str]:
    """A git configuration of its own in ``home`` (made when missing): ``home/gitconfig`` holds ``config``.

    Returns the environment variables that make git read that file as its global configuration, no system
    configuration, and ``home`` as ``HOME`` (``XDG_CONFIG_HOME`` below it, not created).
    """
    home.mkdir(parents=True, exist_ok=True)
    (home / "gitconfig").write_text(config)
    return {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(home / "gitconfig"), "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "xdg")}
