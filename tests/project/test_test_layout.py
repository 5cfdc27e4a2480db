"""The tests' own layout: test files by subject, and no test module importing another.

A test module imports only the code under test, libraries, ``conftest`` and the shared ``helpers``
package (tests/helpers/); what two test modules need lives there. Importing a test module runs its
module-level code a second time (under a second name when the import style differs), re-registers its
fixtures, and ties one file's refactoring to another's. Every ``test_*.py`` sits in a folder named for its
subject; directly in tests/ is only conftest.py. The subject folders have no ``__init__.py`` (pytest's
default ``prepend`` import mode; tests/compat/ has one for its scripts), so two test files may not share a
base name.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

TESTS = REPO / "tests"
SUBJECTS = ("backend", "git", "audit", "cli", "rules", "project", "e2e", "compat")
"""The subject folders: the build, git's rules, the auditor, the commands, the rule registry's per-rule
tests, the project's own checks (architecture, lint, other Pythons), real frontends, hatchling and real
projects."""
TOP_LEVEL = {"conftest.py"}
"""The only Python file directly in tests/."""
NOT_PYTHON_TESTS = ("data", "helpers")
"""Folders of tests/ holding no test files: data files, and the shared helpers package."""


def imported_test_modules(source: str) -> list[tuple[int, str]]:
    """``(line, dotted name)`` of every import in ``source`` that names a test module, inside functions too.

    A name is a test module's when one of its dotted parts starts with ``test_`` (``test_audit``,
    ``tests.test_audit``, ``compat.test_corpus``, ``from . import test_x``).
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names = [base] + [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
        found += [(node.lineno, name) for name in names
                  if any(part.startswith("test_") for part in name.split("."))]
    return sorted(set(found))


def _python_files() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if ".hypothesis" not in path.parts)


def test_the_import_check_sees_every_style_of_importing_a_test_module() -> None:
    source = (
        "from test_audit import member\n"
        "import tests.test_credentials\n"
        "from tests.compat.test_corpus import Project\n"
        "from . import test_frontends\n"
        "def f():\n    from test_git_rules import git\n"
        "from helpers.git import git\nfrom conftest import REPO\nimport sdistguard.rules\n"
    )
    assert [name for _, name in imported_test_modules(source)] == [
        "test_audit", "test_audit.member", "tests.test_credentials", "tests.compat.test_corpus",
        "tests.compat.test_corpus.Project", "test_frontends", "test_git_rules", "test_git_rules.git",
    ]


def test_no_test_module_imports_another() -> None:
    offenders = [f"{path.relative_to(REPO)}:{line}: imports {name}"
                 for path in _python_files() for line, name in imported_test_modules(path.read_text(encoding="utf-8"))]
    assert offenders == [], "move what is shared into tests/helpers/:\n" + "\n".join(offenders)


def test_every_test_file_sits_in_a_subject_folder() -> None:
    misplaced = []
    for path in _python_files():
        parts = path.relative_to(TESTS).parts
        if len(parts) == 1:
            if parts[0] not in TOP_LEVEL:
                misplaced.append(f"{path.relative_to(REPO)}: directly in tests/ (shared code goes in tests/helpers/)")
        elif parts[0] in NOT_PYTHON_TESTS:
            if path.name.startswith("test_"):
                misplaced.append(f"{path.relative_to(REPO)}: a test file in tests/{parts[0]}/")
        elif parts[0] not in SUBJECTS:
            misplaced.append(f"{path.relative_to(REPO)}: tests/{parts[0]}/ is not a subject folder {SUBJECTS}")
    assert misplaced == []


def test_no_two_test_files_share_a_base_name() -> None:
    by_name: dict[str, list[str]] = {}
    for path in _python_files():
        if path.name.startswith("test_") and "compat" not in path.relative_to(TESTS).parts:  # compat/ is a package
            by_name.setdefault(path.name, []).append(str(path.relative_to(REPO)))
    assert {name: paths for name, paths in by_name.items() if len(paths) > 1} == {}
