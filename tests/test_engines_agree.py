"""The build and the auditor run one detector per rule: for a tree, the sdistguard build's findings and the
auditor's findings on hatchling's sdist of the same tree are the same (code, path) pairs.

The name rules (SG401-SG404) are :class:`sdistguard.names.NameCheck` in both; a rule about a path component
names the offending directory once, in the same words.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from conftest import write_project
from sdistguard.audit import audit
from sdistguard.builders.guard import GuardedSdistBuilder
from sdistguard.errors import InputError, TreeError, project_errors
from sdistguard.rules import Code, Finding
from test_audit import hatchling_sdist


def backend_findings(root: Path, out: Path) -> list[Finding]:
    """The sdistguard sdist build's findings on ``root``, whether the build stopped or not."""
    builder = GuardedSdistBuilder(str(root))
    with contextlib.suppress(TreeError):
        next(iter(builder.build(directory=str(out), versions=["standard"])))
    return builder.findings


def rows(findings: list[Finding], codes: tuple[Code, ...]) -> set[tuple[str, str, str]]:
    """(code, path, detail) of the findings whose code is one of ``codes``."""
    return {(found.code, found.path, found.detail) for found in findings if found.code in codes}


def test_a_refused_directory_is_named_once_in_the_same_words_by_the_build_and_the_auditor(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project")
    for directory in ("con", "trail."):
        (root / "src" / "demo" / directory).mkdir()
        for name in ("x.py", "y.py"):
            (root / "src" / "demo" / directory / name).write_text("x = 1\n")
    (root / "src" / "demo" / "a:b.py").write_text("x = 1\n")
    expected = {
        ("SG402", "src/demo/con/", "'con' is a reserved device name on Windows"),
        ("SG402", "src/demo/trail./", "'trail.' ends in a dot (Windows drops it)"),
        ("SG401", "src/demo/a:b.py", "contains ':'"),
    }
    names: tuple[Code, ...] = ("SG401", "SG402", "SG403", "SG404")
    assert rows(backend_findings(root, tmp_path / "ours"), names) == expected
    assert rows(audit(hatchling_sdist(root, tmp_path / "hatchling")), names) == expected


def test_one_context_manager_tells_the_users_error_from_a_bug(tmp_path: Path) -> None:
    """hatchling's own error (its code raised it) and the environment's are the user's; our TypeError is a bug."""
    from hatchling.metadata.core import ProjectMetadata

    def wrap(error: BaseException, prefix: str) -> InputError:
        return InputError(f"{prefix}{error}")

    with pytest.raises(InputError, match=r"^hatchling: .*project.name"), project_errors(wrap):
        metadata: ProjectMetadata[Any] = ProjectMetadata(str(tmp_path), None, {"project": {"name": 1, "version": "1"}})
        assert metadata.core.name  # hatchling validates the field when asked
    with pytest.raises(InputError, match=r"^\[Errno 2\]"), project_errors(wrap):
        (tmp_path / "missing").read_text()
    with pytest.raises(TypeError, match="ours"), project_errors(wrap):
        raise TypeError("ours")
