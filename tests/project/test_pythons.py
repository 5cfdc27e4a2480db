"""The offline tests again under every other supported Python found on the machine (requires-python >= 3.10).

Interpreters are looked for as ``python3.X`` on PATH and in pyenv's versions (``pyenv root``, else
``~/.pyenv``); a version not found is skipped, not failed. For each one, in tmp_path: a venv, the project
with its test extra installed by pip (from the package index and mirror pip is configured with), then
``pytest -m "not e2e and not corpus and not matrix and not network"`` with this file and the lint tests
left out. The versions run as separate processes, one per core at a time, each writing its log into
tmp_path; a test per version waits for its own and fails with the log's tail.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import time
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

pytestmark = pytest.mark.skipif(
    bool(os.environ.get(CHILD) or os.environ.get("SDISTGUARD_MATRIX_CHILD")),
    reason="already a run under another Python, or under the oldest hatchling (tests/compat/matrix.sh)",
)

_SCRIPT = """\
set -eu
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --no-compile "$REPO[test]"
cd "$REPO"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -m "$OFFLINE" \\
    --ignore=tests/project/test_pythons.py --ignore=tests/project/test_lint.py $DESELECT tests
"""
# Wall-clock bounds that two suites on two busy cores cannot keep; each runs in the main session.
DESELECT = ["tests/audit/test_audit_hostile.py::test_a_million_members_stop_at_the_default_limit"]


class Runs:
    """The install-and-test processes, at most ``slots`` at a time (one per core), started in version order."""

    def __init__(self, base: pytest.TempPathFactory, slots: int) -> None:
        self.base = base
        self.slots = max(1, slots)
        self.pending = sorted(INTERPRETERS)
        self.running: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
        self.done: dict[str, tuple[int, Path]] = {}

    def _start_more(self) -> None:
        while self.pending and len(self.running) < self.slots:
            version = self.pending.pop(0)
            work = self.base.mktemp(f"python{version}")
            (work / "tmp").mkdir()
            log = work / "log.txt"
            env = {**os.environ, "PYTHON": INTERPRETERS[version], "VENV": str(work / "venv"), "REPO": str(REPO),
                   "OFFLINE": OFFLINE, CHILD: "1",
                   "DESELECT": " ".join(f"--deselect={test}" for test in DESELECT), "TMPDIR": str(work / "tmp"),
                   "PYTHONDONTWRITEBYTECODE": "1"}
            env.pop("SDISTGUARD_TEST_PARENT", None)
            with log.open("wb") as output:
                process = subprocess.Popen(["bash", "-c", _SCRIPT], stdout=output, stderr=subprocess.STDOUT,
                                           env=env, cwd=work)
            self.running[version] = (process, log)

    def wait(self, version: str, timeout: float) -> tuple[int | None, Path | None]:
        """The exit code and log of ``version``'s run (``None`` code after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while version not in self.done:
            self._start_more()
            for name, (process, log) in list(self.running.items()):
                if process.poll() is not None:
                    self.done[name] = (process.returncode, log)
                    del self.running[name]
            if version not in self.done:
                if time.monotonic() > deadline:
                    return None, self.running.get(version, (None, None))[1]
                time.sleep(1)
        return self.done[version]

    def stop(self) -> None:
        for process, _log in self.running.values():
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """The runs, one per core at a time; any still running at the end is stopped."""
    started = Runs(tmp_path_factory, os.cpu_count() or 1)
    yield started
    started.stop()


@pytest.mark.parametrize("version", sorted(INTERPRETERS) or [pytest.param("none", marks=pytest.mark.skip(
    reason="no other supported Python on this machine"))])
def test_offline_suite_under(version: str, runs: Runs) -> None:
    code, log = runs.wait(version, TIMEOUT)
    if code is None:
        pytest.fail(f"Python {version}: still running after {TIMEOUT} s; log: {log}")
    assert log is not None
    text = log.read_text(errors="replace")
    tail = "\n".join(line for line in text.splitlines()[-80:] if not line.startswith("WARNING: Location"))
    assert code == 0, f"Python {version} ({INTERPRETERS[version]}) exited {code}:\n{tail}"
    last = text.rstrip().splitlines()[-1]
    counts = {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", last)}  # "1 xfailed" is no failure
    assert counts.get("passed", 0) > 0 and not counts.get("failed") and not counts.get("error") and not counts.get(
        "errors"), last
