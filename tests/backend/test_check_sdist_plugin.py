"""The check-sdist plugin: check-sdist picks it for sdistguard projects and excuses what we leave out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_project

check_sdist = pytest.importorskip("check_sdist")
from check_sdist.backends import Backend, resolve_backend  # noqa: E402

from sdistguard.check_sdist import SdistguardBackend  # noqa: E402


def test_check_sdist_resolves_our_backend() -> None:
    backend = resolve_backend("auto", {"build-system": {"build-backend": "sdistguard.build"}})
    assert isinstance(backend, SdistguardBackend)
    assert isinstance(backend, Backend)


def test_git_only_excludes_drops_what_we_leave_out(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", extra='[tool.hatch.build.targets.sdist]\nexclude = ["/docs"]\n')
    (project / "lib" / "scratch").mkdir(parents=True)
    (project / "lib" / "scratch" / ".gitignore").write_text("*\n")
    (project / "lib" / "scratch" / "x.py").write_text("x = 1\n")
    (project / "outside.txt").symlink_to("/etc/hostname")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "tools-env")], check=True)
    files = frozenset({"docs/a.md", "lib/scratch/x.py", "outside.txt", "tools-env/pyvenv.cfg", "README.md"})
    pyproject = {"tool": {"hatch": {"build": {"targets": {"sdist": {"exclude": ["/docs"]}}}}}}
    assert SdistguardBackend().git_only_excludes(pyproject, files, project) == {"README.md"}
