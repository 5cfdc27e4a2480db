"""The main job: ``examples/demo.py`` tells the story of one polluted project built by hatchling and sdistguard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.e2e


def run_demo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the demo with its temporary folder inside ``cwd`` (TMPDIR), as a user would from a checkout."""
    return subprocess.run([sys.executable, str(REPO / "examples" / "demo.py"), *args], cwd=cwd,
                          env={**os.environ, "TMPDIR": str(cwd)}, capture_output=True, text=True, timeout=600,
                          check=False)


def test_demo_tells_what_happened_and_keeps_its_folder(tmp_path: Path) -> None:
    keep = tmp_path / "kept"
    completed = run_demo("--keep", str(keep), cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    out = completed.stdout
    table = out.split("\n\n")[2].splitlines()
    assert table[0].split() == ["hatchling", "sdistguard"]
    cells = {line[:32].strip(): line[32:].split() for line in table[2:]}
    assert cells["sdist"] == ["demo_project-1.0.0.tar.gz", "demo_project-1.0.0.tar.gz"]
    assert cells["files / links in it"][-3:] == ["6", "/", "0"]
    assert cells["installers refuse to unpack"][-1] == "nothing"
    assert cells["installers refuse to unpack"][1:3] == ["members,", "see"]  # hatchling's: counted, cause below
    assert "pip and uv stop with an error on" in out and "links to an absolute path" in out
    assert "hatchling's wheel failed: " in out or "hatchling's wheel holds " in out  # the cause, never cut
    assert "refused by data filter" not in out
    assert "\nWhat happened:\n- hatchling packed the venvs, uv's cache" in out
    assert "- sdistguard left the venvs, the cache and the links leaving the project out" in out
    assert f"The scratch folder is kept: {keep.resolve()}" in out
    assert sorted(path.name for path in keep.iterdir()) == ["demo-project", "notes.txt", "out"]
    assert (keep / "out" / "sdistguard" / "demo_project-1.0.0.tar.gz").is_file()


def test_demo_without_keep_says_its_folder_was_deleted(tmp_path: Path) -> None:
    completed = run_demo(cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    last = completed.stdout.rstrip().splitlines()[-1]
    assert last.startswith("The scratch folder ") and last.endswith(
        " was deleted; run with --keep DIR to keep the project and artifacts.")
    folder = Path(last.removeprefix("The scratch folder ").split(" was deleted")[0])
    assert folder.parent == tmp_path
    assert not folder.exists()
