"""Run hatchling's own builder test suite against sdistguard's builders (or hatchling's, as a baseline).

hatchling's tests live in the *hatch* repository and ship in hatch's sdist on PyPI. For each
supported hatchling release we pin the hatch release cut from the same commit (see
``HATCH_FOR_HATCHLING``). This script

1. downloads that hatch sdist with pip and unpacks its ``tests/`` tree into the cache,
2. makes a private venv there with ``uv`` (hatch itself, because hatch's ``tests/conftest.py`` and the
   builder tests use the ``hatch new`` command and hatch's helpers; pytest, pytest-mock, filelock,
   editables; hatchling pinned to the version under test),
3. installs a start-up hook into that venv (``hatchling_substitute.py`` + a ``.pth`` line) which, in
   ``--builders guarded`` mode, rebinds ``hatchling.builders.sdist.SdistBuilder`` and
   ``hatchling.builders.wheel.WheelBuilder`` to ``sdistguard.builders.GuardedSdistBuilder`` /
   ``GuardedWheelBuilder`` in every Python process of the run (pytest and its subprocesses),
4. runs pytest on ``tests/backend/builders`` and ``tests/backend/test_build.py`` and exits with
   pytest's exit code.

Tests that fail on purpose with sdistguard are listed in ``expected_differences.toml`` next to this
file and are deselected in ``guarded`` mode (``--expected xfail`` runs them as strict xfails instead,
to find stale entries; ``--expected run`` runs them normally).

Usage (from the repository root; needs ``uv`` and ``pip`` on the interpreter running the script
or on PATH, and access to PyPI)::

    python tests/compat/hatchling_suite.py --builders stock     # baseline: hatchling's own builders
    python tests/compat/hatchling_suite.py                      # sdistguard's builders (default)
    python tests/compat/hatchling_suite.py --hatchling 1.27.0   # another hatchling of the range
    python tests/compat/hatchling_suite.py -- -k sdist -x       # extra pytest arguments after --

The cache is ``$SDISTGUARD_COMPAT_CACHE`` or ``~/.cache/sdistguard-compat`` (outside the repo,
never committed). The CI variables ``CI``/``GITHUB_ACTIONS`` are removed from the pytest
environment: hatch's conftest treats them as "git, cargo, docker and the internet are available",
which is not true here (``--keep-ci-env`` keeps them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SRC = REPO / "src"

# hatchling version -> hatch release whose sdist carries the matching tests.
# 1.33.0: hatch 1.18.2 and hatchling 1.33.0 were released from the same commit on 2026-10-27
#         (the sdist's docs/history/hatchling.md tops out at 1.33.0 with an empty "Unreleased").
#         Baseline: all tests pass with hatchling 1.33.0.
# 1.27.0: no hatch release was cut from the hatchling-v1.27.0 commit; hatch 1.14.2 (2025-09-24) is
#         the newest release before hatchling 1.28.0 (2025-11-26). Its editable-wheel expectations
#         follow editables 0.5 (editables 0.6 renamed the generated .pth/loader files), hence the pin.
# The second item holds extra pins for the suite venv.
HATCH_FOR_HATCHLING: dict[str, tuple[str, list[str]]] = {
    "1.33.0": ("1.18.2", ["editables==0.6"]),
    "1.27.0": ("1.14.2", ["editables==0.5"]),
}
DEFAULT_HATCHLING = "1.33.0"
TEST_PATHS = ["tests/backend/builders", "tests/backend/test_build.py"]
SUITE_REQUIREMENTS = ["pytest>=8", "pytest-mock", "filelock"]
GUARDED_MODULE = "sdistguard.builders"


def cache_dir() -> Path:
    return Path(os.environ.get("SDISTGUARD_COMPAT_CACHE", Path.home() / ".cache" / "sdistguard-compat"))


def log(message: str) -> None:
    print(f"[hatchling-suite] {message}", file=sys.stderr, flush=True)


def find_tool(name: str) -> str:
    candidates = [Path(sys.executable).parent / name, shutil.which(name)]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return str(candidate)
    sys.exit(f"hatchling_suite.py: `{name}` not found (install the test extra: pip install -e '.[test]')")


def pip_download(requirement: str, dest: Path, *, sdist: bool) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    binary = ["--no-binary", ":all:"] if sdist else ["--only-binary", ":all:"]
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", *binary, requirement, "-d", str(dest)]
    try:
        subprocess.run(cmd, check=True)
    except (subprocess.CalledProcessError, FileNotFoundError):
        # No pip in this interpreter: uv can run one.
        subprocess.run([find_tool("uv"), "tool", "run", "pip", "download", "-q", "--no-deps", *binary,
                        requirement, "-d", str(dest)], check=True)


def unpack_tests(hatch_version: str) -> Path:
    """Unpack hatch's tests/ (and nothing else) once; return the directory holding ``tests/``."""
    root = cache_dir() / f"hatch-{hatch_version}"
    marker = root / ".complete"
    if marker.exists():
        return root
    downloads = cache_dir() / "downloads"
    archive = downloads / f"hatch-{hatch_version}.tar.gz"
    if not archive.exists():
        log(f"downloading hatch=={hatch_version} (sdist)")
        pip_download(f"hatch=={hatch_version}", downloads, sdist=True)
    shutil.rmtree(root, ignore_errors=True)
    prefix = f"hatch-{hatch_version}/"
    with tarfile.open(archive) as tar:
        members = []
        for member in tar.getmembers():
            if not member.name.startswith(prefix + "tests/"):
                continue
            member.name = member.name[len(prefix):]
            members.append(member)
        extract_kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(root, members=members, **extract_kwargs)
    # Pin pytest's rootdir/config here so the project's own pytest settings never apply.
    (root / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n", encoding="utf-8")
    marker.touch()
    return root


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(hatchling_version: str, hatch_version: str, pins: list[str], python: str) -> Path:
    venv = cache_dir() / f"suite-venv-hatchling-{hatchling_version}"
    stamp = venv / ".sdistguard-compat-stamp"
    requirements = [f"hatch=={hatch_version}", f"hatchling=={hatchling_version}", *SUITE_REQUIREMENTS, *pins]
    wanted = f"{' '.join(requirements)} {python}"
    if not (stamp.exists() and stamp.read_text() == wanted):
        uv = find_tool("uv")
        log(f"creating {venv} (hatchling=={hatchling_version}, hatch=={hatch_version})")
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([uv, "venv", "-q", "--python", python, str(venv)], check=True)
        subprocess.run(
            [uv, "pip", "install", "-q", "--python", str(venv_python(venv)),
             *requirements],
            check=True,
        )
        stamp.write_text(wanted)
    # The start-up hook is refreshed on every run (it is ours, it may have changed).
    site = subprocess.run(
        [str(venv_python(venv)), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    shutil.copyfile(HERE / "hatchling_substitute.py", Path(site) / "_sdistguard_compat_substitute.py")
    Path(site, "_sdistguard_compat_substitute.pth").write_text("import _sdistguard_compat_substitute\n")
    return venv


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--builders", choices=["guarded", "stock"], default="guarded",
                        help="guarded: sdistguard's builders substituted (default); stock: hatchling's own")
    parser.add_argument("--hatchling", default=DEFAULT_HATCHLING, help="hatchling version under test")
    parser.add_argument("--hatch", help="hatch release whose tests to run (default: the one matching --hatchling)")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the suite venv")
    parser.add_argument("--expected", choices=["deselect", "xfail", "run"], default="deselect",
                        help="what to do with tests listed in expected_differences.toml (guarded mode)")
    parser.add_argument("--module", default=GUARDED_MODULE, help="module holding GuardedSdistBuilder/WheelBuilder")
    parser.add_argument("--keep-ci-env", action="store_true", help="do not remove CI/GITHUB_ACTIONS")
    args = parser.parse_args(argv)

    known = HATCH_FOR_HATCHLING.get(args.hatchling)
    if known is None and args.hatch is None:
        parser.error(f"no hatch release known for hatchling {args.hatchling}; pass --hatch")
    hatch_version = args.hatch or known[0]  # type: ignore[index]
    pins = known[1] if known and args.hatch in (None, known[0]) else ["editables"]

    started = time.monotonic()
    root = unpack_tests(hatch_version)
    venv = ensure_venv(args.hatchling, hatch_version, pins, args.python)
    setup_seconds = time.monotonic() - started

    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    if not args.keep_ci_env:
        env.pop("CI", None)
        env.pop("GITHUB_ACTIONS", None)
    # hatch's conftest looks up `uv` on PATH; the venv has one (hatch depends on uv).
    env["PATH"] = str(venv_python(venv).parent) + os.pathsep + env.get("PATH", "")
    env["SDISTGUARD_COMPAT_SRC"] = str(SRC)
    env.pop("SDISTGUARD_COMPAT_SUBSTITUTE", None)
    if args.builders == "guarded":
        env["SDISTGUARD_COMPAT_SUBSTITUTE"] = args.module
        env["SDISTGUARD_COMPAT_EXPECTED"] = str(HERE / "expected_differences.toml")
        env["SDISTGUARD_COMPAT_EXPECTED_MODE"] = args.expected

    cmd = [str(venv_python(venv)), "-m", "pytest", "-p", "_sdistguard_compat_substitute",
           "-q", "-rfE", *TEST_PATHS, *extra]
    log(f"hatchling {args.hatchling}, hatch {hatch_version} tests, builders={args.builders} "
        f"(setup {setup_seconds:.1f}s)")
    log("running: " + " ".join(cmd) + f"  (cwd {root})")
    code = subprocess.run(cmd, cwd=root, env=env, check=False).returncode
    log(f"pytest exit code {code}, total {time.monotonic() - started:.1f}s")
    return code


if __name__ == "__main__":
    sys.exit(main())
