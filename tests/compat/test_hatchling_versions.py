"""hatchling's own builder tests with sdistguard's builders in place, and the oldest supported hatchling.

Both run real things in venvs of their own (made with uv, cached in ``~/.cache/sdistguard-compat``):
``hatchling_suite.py`` runs hatch's ``tests/backend/builders`` for the installed hatchling with the
guarded builders substituted; ``matrix.sh`` runs this project's tests again at the oldest hatchling
of the supported range, with the oldest pathspec it accepts (the newest of both are the ones the
test environment has).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hatchling.__about__ import __version__ as HATCHLING

from sdistguard.core.compat import HATCHLING_REQUIREMENT

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OLDEST = "1.27.0"
OLDEST_PATHSPEC = "0.10.1"  # what hatchling 1.27 accepts: before pathspec 1.0's backends (match(), not search())
IN_MATRIX = os.environ.get("SDISTGUARD_MATRIX_CHILD") == "1"


def run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join((os.path.dirname(sys.executable), os.environ.get("PATH", "")))  # uv, like an activated venv
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False, timeout=1500,
                            env={**os.environ, "PATH": path, **(env or {})})
    assert result.returncode == 0, f"{command}:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.mark.network
def test_hatchlings_builder_suite_passes_with_our_builders() -> None:
    result = run([sys.executable, str(HERE / "hatchling_suite.py"), "--hatchling", HATCHLING])
    assert " passed" in result.stdout and " failed" not in result.stdout


@pytest.mark.matrix
@pytest.mark.skipif(IN_MATRIX, reason="already inside the matrix run")
def test_oldest_supported_hatchling() -> None:
    assert HATCHLING_REQUIREMENT.startswith(f">={OLDEST.rsplit('.', 1)[0]},")
    result = run(["bash", str(HERE / "matrix.sh"), OLDEST],
                 {"SDISTGUARD_MATRIX_CHILD": "1", "PYTEST_MARKERS": "not e2e and not network",
                  "PINS": f"pathspec=={OLDEST_PATHSPEC}"})
    assert f"all passed for hatchling {OLDEST}" in result.stdout


def test_unsupported_hatchling_is_refused_at_import(tmp_path: Path) -> None:
    uv = str(Path(sys.executable).with_name("uv"))
    venv = tmp_path / "old"
    run([uv, "venv", "--quiet", str(venv)])
    python = str(venv / "bin" / "python")
    run([uv, "pip", "install", "--quiet", "--python", python, "hatchling==1.26.3"])
    run([uv, "pip", "install", "--quiet", "--python", python, "--no-deps", "-e", str(REPO)])
    result = subprocess.run([python, "-c", "import sdistguard.build"], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    assert result.returncode != 0
    assert "ImportError: sdistguard supports hatchling >=1.27,<1.34, but hatchling 1.26.3 is installed" in (
        result.stderr)
