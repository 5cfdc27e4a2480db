"""One fixture per rule code that both engines see: the build and the auditor find exactly its (code, path) pairs.

Each ``tests/rules/SGnnn.toml`` describes a tree (``[tree]``: path relative to the project root -> text) and what
it must give (``[found]``: code -> paths). The tree is added to a minimal project; the sdistguard sdist build
(hatchling-backed) must report exactly those pairs, and so must ``sdistguard check``'s auditor on plain
hatchling's sdist of the same tree, counting every code that has a fixture: one detector per rule, run by both
engines. A rule of the registry that both engines can see has a fixture (the last test), so adding such a rule
is its family module and its fixture. ``{secret:KIND}`` in a text is a token of that kind made up at run time,
so that no token shape is ever committed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import write_project
from helpers.builds import guarded_findings, hatchling_sdist
from helpers.git import write
from sdistguard.audit import audit
from sdistguard.builders.sdist import GuardedSdistBuilder
from sdistguard.rules import DIRECTORY_MARKERS, JUNK_DIRECTORY_NAMES, RULE_BY_NAME, RULES, Finding, naming

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HERE = Path(__file__).parent
FIXTURES = sorted(HERE.glob("SG*.toml"))
SECRETS = {  # KIND -> a token of that documented shape (rules/credentials.py), assembled here, never committed
    "npm": "npm" + "_" + "A1b2C3d4E5" * 3 + "f6G7h8",
    "github": "ghp" + "_" + "Z9y8X7w6V5" * 3 + "u4T3s2",
}


def load(fixture: Path) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """A fixture's tree (path -> text, secrets filled in) and its expected ``(code, path)`` pairs."""
    data: dict[str, Any] = tomllib.loads(fixture.read_text(encoding="utf-8"))
    tree = {path: _fill(text) for path, text in data["tree"].items()}
    found = {(code, path) for code, paths in data["found"].items() for path in paths}
    return tree, found


def _fill(text: str) -> str:
    for kind, token in SECRETS.items():
        text = text.replace("{secret:" + kind + "}", token)
    return text


def compared_codes() -> set[str]:
    """Every code that has a fixture: the pairs both engines are held to."""
    return {fixture.stem for fixture in FIXTURES}


def pairs(findings: list[Finding]) -> set[tuple[str, str]]:
    """``(code, path)`` of the findings whose code has a fixture."""
    codes = compared_codes()
    return {(found.code, found.path) for found in findings if found.code in codes}


def make_tree(base: Path, tree: dict[str, str]) -> Path:
    """A minimal project at ``base / "project"`` with ``tree``'s files added; returns its root."""
    root = write_project(base / "project")
    write(root, tree)
    return root


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.stem)
def test_the_build_and_the_auditor_find_exactly_the_fixtures_pairs(fixture: Path, tmp_path: Path) -> None:
    tree, expected = load(fixture)
    assert fixture.stem in RULES and {code for code, _ in expected} == {fixture.stem}
    root = make_tree(tmp_path, tree)
    assert pairs(guarded_findings(GuardedSdistBuilder, root, tmp_path / "ours")) == expected, "the build"
    assert pairs(audit(hatchling_sdist(root, tmp_path / "hatchling"))) == expected, "the auditor"


def test_a_clean_project_gives_no_pair_in_either_engine(tmp_path: Path) -> None:
    """The fixtures' pairs come from their trees: the minimal project alone gives none (the test can fail)."""
    root = make_tree(tmp_path, {})
    assert pairs(guarded_findings(GuardedSdistBuilder, root, tmp_path / "ours")) == set()
    assert pairs(audit(hatchling_sdist(root, tmp_path / "hatchling"))) == set()


def test_every_rule_both_engines_see_has_a_fixture() -> None:
    """The junk rules the one directory detector gives (by marker or by name), the name rules, credential files,
    secrets and LFS pointers: each has ``tests/rules/CODE.toml``."""
    junk = {*DIRECTORY_MARKERS, *(rule for rule, _ in JUNK_DIRECTORY_NAMES.values())}
    both = {RULE_BY_NAME[name].code for name in junk} | {rule.code for rule in naming.FAMILY.rules}
    both |= {RULE_BY_NAME[name].code for name in ("credential-file", "secret", "lfs-pointer")}
    assert sorted(both - compared_codes()) == []
