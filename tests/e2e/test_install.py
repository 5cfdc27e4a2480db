"""The install story of README.md ("Install", "Check a dist"), step by step, as a new user follows it.

sdistguard is not on PyPI yet: its wheel is built once with README's command (``pip wheel --no-deps
--wheel-dir``), and each frontend is pointed at that folder the way README says (uv ``--find-links``,
build and pip ``PIP_FIND_LINKS``, hatch ``UV_FIND_LINKS``). The project is a fresh ``uv init
--no-workspace --lib`` project switched to sdistguard by its two ``[build-system]`` lines, with a venv
left in it (which every build must leave out). The auditor is installed from the same wheel into a venv
of its own and run on three published sdists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, assert_installable, members, run, uv

pytestmark = pytest.mark.e2e

SWITCHED = '[build-system]\nrequires = ["sdistguard"]\nbuild-backend = "sdistguard.build"\n'
SDIST = {".gitignore", ".python-version", "PKG-INFO", "README.md", "pyproject.toml", "src/demo_lib/__init__.py",
         "src/demo_lib/py.typed"}
WHEEL = ["demo_lib-0.1.0.dist-info/METADATA", "demo_lib-0.1.0.dist-info/RECORD", "demo_lib-0.1.0.dist-info/WHEEL",
         "demo_lib/__init__.py", "demo_lib/py.typed"]
PUBLISHED = ("requests==2.32.3", "attrs==24.2.0", "idna==3.7")


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """README's step: ``python3 -m pip wheel --no-deps --wheel-dir WHEELS /path/to/sdistguard``."""
    out = tmp_path_factory.mktemp("sdistguard-wheels")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(REPO)], REPO)
    assert [path.name for path in out.iterdir()] == ["sdistguard-0.1.0-py3-none-any.whl"]
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh ``uv init --no-workspace --lib demo_lib``, switched to sdistguard, with a venv left in it."""
    base = tmp_path_factory.mktemp("uv-init")
    run([uv(), "init", "--quiet", "--no-workspace", "--lib", "demo_lib"], base)
    project = base / "demo_lib"
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    start = text.index("[build-system]")
    pyproject.write_text(text[:start] + SWITCHED)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "venv")], check=True)
    return project


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo_lib"
    shutil.copytree(template, copy, symlinks=True)
    return copy


def check_artifacts(out: Path, tmp_path: Path, *, sdist: bool = True) -> None:
    """The sdist (when built) and the wheel hold the project's files only; the venv is left out."""
    if sdist:
        built = out / "demo_lib-0.1.0.tar.gz"
        assert set(members(built)) == SDIST
        assert_installable(built, tmp_path)
    with zipfile.ZipFile(out / "demo_lib-0.1.0-py3-none-any.whl") as archive:
        assert sorted(archive.namelist()) == WHEEL


def test_uv_build_with_find_links(project: Path, wheels: Path, tmp_path: Path) -> None:
    """README: ``uv build --find-links ~/sdistguard-wheels``."""
    result = run([uv(), "build", "--find-links", str(wheels), "--out-dir", str(tmp_path / "dist")], project)
    assert "SG101 venv/" in result.stderr  # sdistguard's report reaches the user through uv
    check_artifacts(tmp_path / "dist", tmp_path)


def test_python_m_build_with_pip_find_links(project: Path, wheels: Path, tmp_path: Path) -> None:
    """README: ``PIP_FIND_LINKS=~/sdistguard-wheels python -m build``."""
    run([sys.executable, "-m", "build", "--outdir", str(tmp_path / "dist")], project, {"PIP_FIND_LINKS": str(wheels)})
    check_artifacts(tmp_path / "dist", tmp_path)


def test_pip_wheel_with_pip_find_links(project: Path, wheels: Path, tmp_path: Path) -> None:
    """README: ``PIP_FIND_LINKS=~/sdistguard-wheels pip wheel .``."""
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path / "dist"), "."],
        project, {"PIP_FIND_LINKS": str(wheels)})
    check_artifacts(tmp_path / "dist", tmp_path, sdist=False)


def test_hatch_build_with_uv_find_links(project: Path, wheels: Path, tmp_path: Path) -> None:
    """README: ``UV_FIND_LINKS=~/sdistguard-wheels hatch build`` (hatch ignores PIP_FIND_LINKS).

    hatch's own folders (environments, cache, config) are placed in tmp_path; nothing else changes.
    """
    hatch = Path(sys.executable).with_name("hatch")
    if not hatch.exists():
        pytest.fail("hatch is a test requirement (pip install -e '.[test]')")
    home = tmp_path / "hatch"
    home.mkdir()
    (home / "config.toml").write_text("")
    env = {"UV_FIND_LINKS": str(wheels), "HATCH_DATA_DIR": str(home / "data"), "HATCH_CACHE_DIR": str(home / "cache"),
           "HATCH_CONFIG": str(home / "config.toml"), "HATCH_ENV_TYPE_VIRTUAL_UV_PATH": uv()}
    run([str(hatch), "build", str(tmp_path / "dist")], project, env)
    check_artifacts(tmp_path / "dist", tmp_path)


def _download(requirement: str) -> Path:
    """One published sdist, fetched with pip into the tests' cache (kept between runs, as test_audit.py's)."""
    cache = Path(os.environ.get("SDISTGUARD_SDIST_CACHE", Path.home() / ".cache" / "sdistguard-tests" / "sdists"))
    name, version = requirement.split("==")
    for path in cache.glob("*.tar.gz") if cache.is_dir() else ():
        if path.name.lower() == f"{name}-{version}.tar.gz".lower():
            return path
    cache.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", "--dest",
         str(cache), requirement], cache)
    return cache / f"{name}-{version}.tar.gz"


@pytest.mark.network
def test_check_three_published_sdists_with_the_installed_command(wheels: Path, tmp_path: Path) -> None:
    """README: ``pip install ~/sdistguard-wheels/sdistguard-*.whl``, then ``sdistguard check`` on clean sdists.

    requests 2.32.3 and idna 3.7 carry Metadata-Version 2.1 (SG521): reported as advisory, exit 0.
    requests ships the throwaway TLS keys of its test server (``tests/certs/``): real SG602 findings,
    accepted here the way a user accepts them, through ``allow-secrets`` in the current directory's
    pyproject.toml (docs/check.md).
    """
    sdists = [_download(requirement) for requirement in PUBLISHED]
    (tmp_path / "pyproject.toml").write_text('[tool.sdistguard]\nallow-secrets = ["tests/certs/"]\n')
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    (wheel,) = wheels.glob("sdistguard-*.whl")
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], tmp_path)
    command = str(venv / "bin" / "sdistguard")
    assert run([command, "--version"], tmp_path).stdout == "sdistguard 0.1.0\n"
    result = subprocess.run([command, "check", *map(str, sdists)], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith(
        "2 findings in 3 inputs (SG521 x2); all advisory, none fails"), result.stdout
    for sdist in sdists:
        with tarfile.open(sdist) as archive:
            assert archive.getmembers()  # a real, readable sdist
