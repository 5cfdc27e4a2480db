"""sdistguard builds itself with its own backend (backend-path): its sdist holds exactly the files
git knows under the paths it names, and its wheel exactly the package (pypa/build's habit)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import REPO, members, wheel_members

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs the git checkout"
)

SDIST_PATHS = ("src/", "tests/", "examples/", "benchmarks/", "docs/", "README.md", "LICENSE")


def git_files() -> set[str]:
    """Tracked files plus untracked ones git does not ignore, relative to the repository."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.split("\n")
    return {path for path in listed if path and (REPO / path).is_file()}


def test_own_sdist_holds_exactly_the_named_files(build_in) -> None:
    sdist = build_in(REPO, "sdist")
    expected = {path for path in git_files() if path.startswith(SDIST_PATHS)}
    # hatchling force-includes the root .gitignore it read
    assert set(members(sdist)) == expected | {"pyproject.toml", "PKG-INFO", ".gitignore"}
    assert set(members(sdist).values()) == {"file"}


def test_own_wheel_holds_exactly_the_package(build_in) -> None:
    wheel = build_in(REPO, "wheel")
    package = sorted(path.removeprefix("src/") for path in git_files() if path.startswith("src/sdistguard/"))
    dist_info = [f"sdistguard-0.1.0.dist-info/{name}" for name in
                 ("METADATA", "RECORD", "WHEEL", "entry_points.txt", "licenses/LICENSE")]
    assert wheel_members(wheel) == sorted(package + dist_info)


def test_backend_import_is_light() -> None:
    """Importing the backend reads hatchling's version only; its builders load when a hook runs."""
    code = "import sys, sdistguard.build; print(sorted(m for m in sys.modules if m.startswith(('hatchling', 'sdist'))))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO / "src", capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == ("['hatchling', 'hatchling.__about__', 'sdistguard', 'sdistguard.build', 'sdistguard.core', "
                           "'sdistguard.core.compat', 'sdistguard.core.version']")
