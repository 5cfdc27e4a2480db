"""Type checking and lint run with the tests: ``mypy --strict`` on src/ and ``ruff check`` on src/ and tests/.

Both read their settings from pyproject.toml (``[tool.mypy]``, ``[tool.ruff]``); both come with the
test extra. The caches stay in a temporary directory, so the run writes nothing into the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(
    os.environ.get("SDISTGUARD_MATRIX_CHILD") == "1", reason="lint and types do not depend on hatchling's version"
)


def _tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is a test requirement (pip install -e '.[test]')")
    return found


def test_mypy_strict_on_src(tmp_path: Path) -> None:
    completed = subprocess.run(
        [_tool("mypy"), "--strict", "--cache-dir", str(tmp_path / "mypy-cache")],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.startswith("Success: no issues found")


def test_ruff_check(tmp_path: Path) -> None:
    completed = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", "src", "tests", "examples", "benchmarks"],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=300,
        env={**os.environ, "RUFF_CACHE_DIR": str(tmp_path / "ruff-cache")},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
