"""The offline tests again under every other supported Python found on the machine (requires-python >= 3.10).

Interpreters are looked for as ``python3.X`` on PATH and in pyenv's versions (``pyenv root``, else
``~/.pyenv``); a version not found is skipped, not failed. For each one, in tmp_path: a venv, the project
with its test extra installed by pip (from the package index and mirror pip is configured with), then
``pytest -m "not e2e and not corpus and not matrix and not network"`` with this file and the lint tests
left out. All versions run at once, as separate processes, each writing its log into tmp_path; a
test per version waits for its own and fails with the log's tail.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO

SUPPORTED = ("3.10", "3.11", "3.12", "3.13")
OFFLINE = "not e2e and not corpus and not matrix and not network"
TIMEOUT = 1200  # seconds for one version: install and run
CHILD = "SDISTGUARD_TESTS_CHILD"


def _pyenv_root() -> Path:
    if shutil.which("pyenv"):
        completed = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
        if completed.returncode == 0 and completed.stdout.strip():
            return Path(completed.stdout.strip())
    return Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))


def find_interpreters() -> dict[str, str]:
    """Supported version -> an interpreter's path, for each version found (newest patch release of pyenv's)."""
    found: dict[str, str] = {}
    versions = _pyenv_root() / "versions"
    for version in SUPPORTED:
        candidates = sorted(glob.glob(str(versions / f"{version}.*" / "bin" / "python")),
                            key=lambda path: [int(part) for part in Path(path).parents[1].name.split(".")
                                              if part.isdigit()])
        on_path = shutil.which(f"python{version}")
        chosen = candidates[-1] if candidates else on_path
        if chosen:
            found[version] = chosen
    return found


CURRENT = f"{sys.version_info.major}.{sys.version_info.minor}"
INTERPRETERS = {version: path for version, path in find_interpreters().items() if version != CURRENT}

pytestmark = pytest.mark.skipif(bool(os.environ.get(CHILD)), reason="already a run under another Python")

_SCRIPT = """\
set -eu
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet --no-compile "$REPO[test]"
cd "$REPO"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -m "$OFFLINE" \\
    --ignore=tests/test_pythons.py --ignore=tests/test_lint.py tests
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[subprocess.Popen[bytes], Path]]]:
    """Start one install-and-test process per other Python, all at once; stop any still running at the end."""
    started: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    for version, python in INTERPRETERS.items():
        work = tmp_path_factory.mktemp(f"python{version}")
        (work / "tmp").mkdir()
        log = work / "log.txt"
        env = {**os.environ, "PYTHON": python, "VENV": str(work / "venv"), "REPO": str(REPO), "OFFLINE": OFFLINE,
               CHILD: "1", "TMPDIR": str(work / "tmp"), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("SDISTGUARD_TEST_PARENT", None)
        with log.open("wb") as output:
            process = subprocess.Popen(["bash", "-c", _SCRIPT], stdout=output, stderr=subprocess.STDOUT, env=env,
                                       cwd=work)
        started[version] = (process, log)
    yield started
    for process, _log in started.values():
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("version", sorted(INTERPRETERS) or [pytest.param("none", marks=pytest.mark.skip(
    reason="no other supported Python on this machine"))])
def test_offline_suite_under(version: str, runs: dict[str, tuple[subprocess.Popen[bytes], Path]]) -> None:
    process, log = runs[version]
    try:
        code = process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"Python {version}: still running after {TIMEOUT} s; log: {log}")
    text = log.read_text(errors="replace")
    tail = "\n".join(text.splitlines()[-60:])
    assert code == 0, f"Python {version} ({INTERPRETERS[version]}) exited {code}:\n{tail}"
    last = text.rstrip().splitlines()[-1]
    assert " passed" in last and "failed" not in last and "error" not in last, last
