"""The pruning-safety test for patterns (git's ignore rules themselves: tests/git/test_gitignore.py)."""

from __future__ import annotations

import pytest

from sdistguard.core.patterns import could_match_below


@pytest.mark.parametrize(
    ("patterns", "directory", "expected"),
    [
        (["!keep.txt"], "build", True),  # floats: any depth
        (["!**/keep.txt"], "build", True),
        (["!/gen/keep.txt"], "gen", True),
        (["!/gen/keep.txt"], "other", False),
        (["!src/*/keep.txt"], "src/pkg", True),
        (["tests/fixtures/venv/"], "venv", False),
        (["tests/fixtures/venv/"], "tests/fixtures", True),
        ([], "anything", False),
    ],
)
def test_could_match_below(patterns: list[str], directory: str, expected: bool) -> None:
    assert could_match_below(patterns, directory) is expected
