"""Real frontends on real polluted trees: python -m build, pip wheel, pip install -e, uv build.

sdistguard is on no registry: the session builds our own wheel first (with ``python -m build``,
which also proves the project builds itself) and points each isolated frontend at it with
find-links; hatchling comes from the package registry.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import assert_installable, make_uv_env, members, run, uv, wheel_members, write_project

pytestmark = pytest.mark.e2e

SDIST = {"LICENSE": "file", "PKG-INFO": "file", "README": "file", "README.md": "file", "pyproject.toml": "file",
         "src/demo/__init__.py": "file", "src/demo/alias.txt": "file", "src/demo/data.txt": "file",
         "src/demo/hard.txt": "file"}
WHEEL = ["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL",
         "demo-1.0.dist-info/licenses/LICENSE", "demo/__init__.py", "demo/alias.txt", "demo/data.txt",
         "demo/hard.txt"]


@pytest.fixture
def polluted(tmp_path: Path) -> Path:
    """A monorepo member holding at once every kind of pollution the backend keeps out.

    venvs by ``python -m venv`` (``venv/``) and ``uv venv`` (``env/``) with an in-project uv cache,
    ``README -> README.md``, a directory link to ``/etc``, a link to ``../outside``, a dangling
    link, a link cycle, a hardlink, a FIFO, and ``LICENSE -> ../LICENSE`` listed in license-files.
    """
    (tmp_path / "LICENSE").write_text("MIT\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("secret\n")
    project = write_project(tmp_path / "project", extra_project='license-files = ["LICENSE"]\n')
    package = project / "src" / "demo"
    (project / "LICENSE").symlink_to("../LICENSE")
    (project / "README").symlink_to("README.md")
    (package / "alias.txt").symlink_to("data.txt")
    (package / "etcdir").symlink_to("/etc")
    (package / "outside.txt").symlink_to("../../../outside/secret.txt")
    (package / "dangling").symlink_to("nowhere")
    (package / "loop").symlink_to("..")
    os.link(package / "data.txt", package / "hard.txt")
    os.mkfifo(project / "fifo")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "venv")], check=True)
    make_uv_env(project, venv="env", cache=".uv-cache")
    return project


def check_sdist(sdist: Path, tmp_path: Path) -> None:
    assert sdist.name == "demo-1.0.tar.gz"
    assert members(sdist) == SDIST
    assert_installable(sdist, tmp_path)


def test_python_m_build_isolated(polluted: Path, wheelhouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--outdir", str(out), str(polluted)], polluted,
        {"PIP_FIND_LINKS": str(wheelhouse)})
    check_sdist(out / "demo-1.0.tar.gz", tmp_path)
    assert wheel_members(out / "demo-1.0-py2.py3-none-any.whl") == WHEEL  # built from the sdist


def test_python_m_build_without_isolation(polluted: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    # sdistguard and hatchling from the test environment itself (pip install -e ".[test]")
    result = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(polluted)], polluted)
    check_sdist(out / "demo-1.0.tar.gz", tmp_path)
    reason = "virtual environment (PEP 405: pyvenv.cfg, or a venv's layout)"
    assert f"  SG101 venv/: {reason}" in result.stdout + result.stderr


def test_pip_wheel(polluted: Path, wheelhouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--find-links", str(wheelhouse), "-w", str(out),
         str(polluted)], polluted)
    assert wheel_members(out / "demo-1.0-py2.py3-none-any.whl") == WHEEL


def test_pip_install_editable(polluted: Path, wheelhouse: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([uv(), "venv", "--seed", "--quiet", str(venv)], tmp_path)
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "install", "--quiet", "--find-links", str(wheelhouse), "-e", str(polluted)], polluted)
    result = run([python, "-c", "import demo, os; print(os.path.dirname(demo.__file__))"], tmp_path)
    assert result.stdout.strip() == str(polluted / "src" / "demo")


def test_uv_build(polluted: Path, wheelhouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    run([uv(), "build", "--find-links", str(wheelhouse), "--out-dir", str(out), str(polluted)], polluted)
    check_sdist(out / "demo-1.0.tar.gz", tmp_path)
    assert wheel_members(out / "demo-1.0-py2.py3-none-any.whl") == WHEEL  # uv unpacked our sdist


def test_uv_11213_in_project_cache(wheelhouse: Path, tmp_path: Path) -> None:
    """astral-sh/uv#11213: ``UV_CACHE_DIR=.uv-cache uv build`` on a project uv made itself."""
    run([uv(), "init", "--quiet", "--no-workspace", "--lib", "--build-backend", "hatch", "--vcs", "none", "a_package"],
        tmp_path)
    project = tmp_path / "a_package"
    env = {"UV_CACHE_DIR": ".uv-cache"}

    hatchling = subprocess.run([uv(), "build", "--out-dir", "hatchling-dist"], cwd=project, capture_output=True,
                               text=True, env={**os.environ, **env}, check=False)
    assert hatchling.returncode != 0  # what we exist to prevent
    assert "is absolute" in hatchling.stderr or "escapes" in hatchling.stderr

    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('requires = ["hatchling"]', 'requires = ["sdistguard"]')
                         .replace('build-backend = "hatchling.build"', 'build-backend = "sdistguard.build"'))
    run([uv(), "build", "--find-links", str(wheelhouse), "--out-dir", str(tmp_path / "dist")], project, env)
    sdist = tmp_path / "dist" / "a_package-0.1.0.tar.gz"
    assert members(sdist) == {
        ".python-version": "file", "PKG-INFO": "file", "README.md": "file", "pyproject.toml": "file",
        "src/a_package/__init__.py": "file", "src/a_package/py.typed": "file",
    }
    assert_installable(sdist, tmp_path)
    assert (tmp_path / "dist" / "a_package-0.1.0-py3-none-any.whl").exists()


def test_clean_project_same_as_hatchling_through_build(wheelhouse: Path, tmp_path: Path) -> None:
    """Only pyproject.toml may differ (it names the backend): every other member, byte for byte."""
    project = write_project(tmp_path / "project")
    run([sys.executable, "-m", "build", "--outdir", str(tmp_path / "ours"), str(project)], project,
        {"PIP_FIND_LINKS": str(wheelhouse)})
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('["sdistguard"]', '["hatchling==1.33.0"]')
                         .replace("sdistguard.build", "hatchling.build"))
    run([sys.executable, "-m", "build", "--outdir", str(tmp_path / "theirs"), str(project)], project)
    wheel = "demo-1.0-py2.py3-none-any.whl"
    assert (tmp_path / "ours" / wheel).read_bytes() == (tmp_path / "theirs" / wheel).read_bytes()
    assert sdist_contents(tmp_path / "ours" / "demo-1.0.tar.gz") == sdist_contents(
        tmp_path / "theirs" / "demo-1.0.tar.gz")


def sdist_contents(sdist: Path) -> list[tuple[object, ...]]:
    """Every member but pyproject.toml: name, type, mode, mtime, owner and content."""
    with tarfile.open(sdist) as archive:
        return [
            (m.name, m.type, m.mode, m.mtime, m.uid, m.gid, m.uname, m.gname,
             archive.extractfile(m).read() if m.isfile() else b"")  # type: ignore[union-attr]
            for m in archive.getmembers()
            if not m.name.endswith("/pyproject.toml")
        ]


def test_strict_config_setting_through_build(polluted: Path, wheelhouse: Path, tmp_path: Path) -> None:
    """``-C strict=true`` (PEP 517 config setting) fails the build with one message, and leaves no artifact."""
    out = tmp_path / "dist"
    result = subprocess.run([sys.executable, "-m", "build", "--sdist", "-C", "strict=true", "--outdir", str(out),
                             str(polluted)], cwd=polluted, capture_output=True, text=True,
                            env={**os.environ, "PIP_FIND_LINKS": str(wheelhouse)}, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "sdistguard: error: cannot build the sdist (strict)" in output
    for path in ("SG101 venv/:", "SG101 env/:", "SG103 .uv-cache/:", "SG201 src/demo/etcdir:", "SG301 fifo:"):
        assert path in output
    assert "Traceback" not in output
    assert not out.exists() or list(out.iterdir()) == []
