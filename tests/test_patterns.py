"""Nested .gitignore precedence (git's rules) and the pruning-safety test for patterns."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdistguard.patterns import could_match_below, is_ignored, read_ignore_file


def ignore_file(tmp_path: Path, base: str, text: str):
    path = tmp_path / (base.replace("/", "_") + "gitignore")
    path.write_text(text)
    return read_ignore_file(str(path), base)


def test_deeper_file_wins_and_last_pattern_wins(tmp_path: Path) -> None:
    outer = ignore_file(tmp_path, "docs/", "*.tmp\n_build/\n")
    inner = ignore_file(tmp_path, "docs/sub/", "!keep.tmp\n")
    stack = (outer, inner)
    assert is_ignored(stack, "docs/a.tmp", is_dir=False) is outer
    assert is_ignored(stack, "docs/sub/keep.tmp", is_dir=False) is None
    assert is_ignored(stack, "docs/sub/other.tmp", is_dir=False) is outer
    assert is_ignored(stack, "docs/_build", is_dir=True) is outer
    assert is_ignored(stack, "docs/_build", is_dir=False) is None  # a file named _build: dir-only pattern


def test_patterns_are_relative_to_their_directory(tmp_path: Path) -> None:
    stack = (ignore_file(tmp_path, "pkg/", "/data\n"),)
    assert is_ignored(stack, "pkg/data", is_dir=True) is not None
    assert is_ignored(stack, "pkg/sub/data", is_dir=True) is None


def test_empty_file_is_none(tmp_path: Path) -> None:
    assert ignore_file(tmp_path, "x/", "# only a comment\n\n") is None


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
