"""Real frontends on real git repositories: ``python -m build`` and ``uv build`` ship git's answer.

The sdist is built in the work tree (git is asked); the wheel is built from the unpacked sdist,
where the ignore files are not applied again. git runs hermetically (config and home in tmp_path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PYPROJECT as CONFTEST_PYPROJECT
from conftest import members, run, uv, wheel_members

pytestmark = pytest.mark.e2e

REPO_SDIST = {"PKG-INFO": "file", "README.md": "file", "pyproject.toml": "file", "src/demo/__init__.py": "file",
              "src/demo/data.txt": "file", "src/demo/fixtures/.gitignore": "file",
              "src/demo/fixtures/tracked.json": "file", "docs/.gitignore": "file", "docs/x/keep.md": "file"}
REPO_WHEEL = ["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL",
              "demo/__init__.py", "demo/data.txt", "demo/fixtures/.gitignore", "demo/fixtures/tracked.json"]


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    excludes = home / "excludes"
    excludes.write_text("*.secret\n")
    config = home / "gitconfig"
    config.write_text(f"[core]\n\texcludesFile = {excludes}\n[user]\n\tname = t\n\temail = t@t\n")
    return {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(config), "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "xdg")}


def git(cwd: Path, env: dict[str, str], *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=cwd, env={**os.environ, **env}, check=True, capture_output=True)


def make_repo(root: Path, env: dict[str, str], pyproject: str) -> Path:
    files = {
        "pyproject.toml": pyproject,
        "README.md": "# demo\n",
        "src/demo/__init__.py": "",
        "src/demo/data.txt": "data\n",
        "src/demo/fixtures/.gitignore": "*.json\n",
        "src/demo/fixtures/tracked.json": "{}\n",             # committed although ignored: ships
        "src/demo/fixtures/local.json": "{}\n",               # ignored and untracked: left out
        "src/demo/token.secret": "core.excludesFile\n",
        ".envrc": "export TOKEN=1\n",                         # .git/info/exclude
        "docs/.gitignore": "x/**\n!x/keep.md\n",
        "docs/x/keep.md": "kept\n", "docs/x/drop.md": "ignored\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, env, "init", "-q")
    (root / ".git" / "info" / "exclude").write_text(".envrc\n")
    git(root, env, "add", ".")
    git(root, env, "add", "-f", "src/demo/fixtures/tracked.json")
    git(root, env, "commit", "-qm", "init")
    return root


PYPROJECT = CONFTEST_PYPROJECT.format(extra="", extra_project="")  # the shared demo project


def test_python_m_build_in_a_git_repository(git_env: dict[str, str], wheelhouse: Path,
                                            tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", git_env, PYPROJECT)
    out = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--outdir", str(out), str(root)], root,
        {**git_env, "PIP_FIND_LINKS": str(wheelhouse)})
    assert members(out / "demo-1.0.tar.gz") == REPO_SDIST
    assert wheel_members(out / "demo-1.0-py2.py3-none-any.whl") == REPO_WHEEL


def test_uv_build_in_a_git_repository(git_env: dict[str, str], wheelhouse: Path,
                                      tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", git_env, PYPROJECT)
    out = tmp_path / "dist"
    run([uv(), "build", "--find-links", str(wheelhouse), "--out-dir", str(out), str(root)], root, git_env)
    assert members(out / "demo-1.0.tar.gz") == REPO_SDIST
    assert wheel_members(out / "demo-1.0-py2.py3-none-any.whl") == REPO_WHEEL


def test_uv_init_with_git_and_untracked_exclude(git_env: dict[str, str], wheelhouse: Path,
                                                tmp_path: Path) -> None:
    """A project ``uv init`` made (its own git repository); ``untracked = "exclude"`` ships only commits."""
    run([uv(), "init", "--quiet", "--lib", "--build-backend", "hatch", "--vcs", "git", "--no-workspace",
         "a_package"], tmp_path, git_env)
    project = tmp_path / "a_package"
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('requires = ["hatchling"]', 'requires = ["sdistguard"]')
                         .replace('build-backend = "hatchling.build"', 'build-backend = "sdistguard.build"')
                         + '\n[tool.sdistguard]\nuntracked = "exclude"\n')
    git(project, git_env, "add", ".")
    git(project, git_env, "commit", "-qm", "init")
    (project / "src" / "a_package" / "scratch.py").write_text("print('forgotten')\n")
    out = tmp_path / "dist"
    result = run([uv(), "build", "--find-links", str(wheelhouse), "--out-dir", str(out)], project, git_env)
    assert members(out / "a_package-0.1.0.tar.gz") == {
        ".gitignore": "file", ".python-version": "file", "PKG-INFO": "file", "README.md": "file",
        "pyproject.toml": "file", "src/a_package/__init__.py": "file", "src/a_package/py.typed": "file",
    }
    assert "SG107 src/a_package/scratch.py" in result.stderr
