"""Hostile trees (issue 9, backend half): each test reproduces one defect found by trying to break
the backend with real trees (venvs made by ``python -m venv``, real links, FIFOs, killed builds)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import members, wheel_members, write_project

BASE = {"README.md": "file", "pyproject.toml": "file", "src/demo/__init__.py": "file",
        "src/demo/data.txt": "file", "PKG-INFO": "file"}
WHEEL_BASE = ["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL",
              "demo/__init__.py", "demo/data.txt"]


# --- item 0: a keep pattern git would refuse is a configuration error naming the key ---------------


def test_invalid_keep_pattern_is_a_config_error_naming_the_key(tmp_path: Path, build_in, capsys) -> None:
    root = write_project(tmp_path / "p", extra='[tool.sdistguard]\nkeep = ["ok/", "[z-a]"]\n')
    with pytest.raises(SystemExit):
        build_in(root)
    err = capsys.readouterr().err
    assert err == (
        "sdistguard: error: invalid sdistguard settings in pyproject.toml:\n"
        "  tool.sdistguard.keep[1]: '[z-a]' is not a valid gitignore-style pattern (bad character range z-a)\n"
    )
