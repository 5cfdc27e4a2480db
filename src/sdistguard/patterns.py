"""Gitignore-style patterns: nested ``.gitignore`` files with git's semantics, and pruning safety.

Patterns are compiled by pathspec (``GitIgnoreSpec``, the library hatchling itself uses); this module
only decides *which* file's patterns apply to a path and whether a directory can be skipped whole.
Paths here are POSIX-style and relative to the project root.

Git's rules (https://git-scm.com/docs/gitignore): patterns in a ``.gitignore`` are relative to its
own directory; a deeper file takes precedence over a shallower one; within a file the last matching
pattern wins; a directory that is excluded is not descended into, so nothing below it can be
re-included.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pathspec

__all__ = ["IgnoreFile", "could_match_below", "is_ignored", "read_ignore_file"]

_GLOB_CHARACTERS = frozenset("*?[\\")


@dataclass(frozen=True)
class IgnoreFile:
    """One nested ``.gitignore``: ``base`` is its directory (``"docs/"``, with the trailing slash)."""

    base: str
    source: str
    spec: pathspec.GitIgnoreSpec


def read_ignore_file(path: str, base: str) -> IgnoreFile | None:
    """Read the ``.gitignore`` at ``path`` whose directory is ``base`` (relative, ending in ``/``).

    Returns ``None`` when the file holds no pattern. An unreadable or non-UTF-8 file counts as
    empty, as git does for unreadable ignore files.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    if all(pattern.include is None for pattern in spec.patterns):  # blank lines and comments only
        return None
    return IgnoreFile(base, base + ".gitignore", spec)


def is_ignored(stack: Sequence[IgnoreFile], path: str, *, is_dir: bool) -> IgnoreFile | None:
    """Return the ``.gitignore`` that excludes ``path``, or ``None`` when it is not excluded.

    ``stack`` holds the ignore files of the path's ancestors, shallowest first; ``path`` is relative
    to the project root. The deepest file with a matching pattern decides (git's precedence).
    """
    for ignore in reversed(stack):
        relative = path[len(ignore.base):] + ("/" if is_dir else "")
        for pattern in reversed(ignore.spec.patterns):
            if pattern.include is not None and pattern.match_file(relative) is not None:
                return ignore if pattern.include else None
    return None


def could_match_below(patterns: Iterable[str], directory: str) -> bool:
    """True when some pattern might match a path strictly below ``directory``.

    Used to decide whether a directory may be skipped whole: a negation (``!keep.txt``) in an
    exclude list, or a ``keep`` pattern, that could apply below it forces a file-by-file walk.
    A pattern without an inner slash floats (matches at any depth), so it always could; an anchored
    pattern could only when its literal leading components agree with ``directory``'s. The answer
    errs on the side of ``True``.
    """
    directory_parts = directory.strip("/").split("/")
    for raw in patterns:
        pattern = raw.strip().removeprefix("!")
        if not pattern or pattern.startswith("#"):
            continue
        if pattern.startswith("**/") or "/" not in pattern.rstrip("/"):
            return True
        literal: list[str] = []
        for part in pattern.lstrip("/").split("/"):
            if _GLOB_CHARACTERS.intersection(part):
                break
            literal.append(part)
        common = min(len(literal), len(directory_parts))
        if literal[:common] == directory_parts[:common]:
            return True
    return False


def negations(spec: pathspec.PathSpec[Any] | None) -> list[str]:
    """The negation patterns (``!...``) of a compiled spec, as their source text."""
    if spec is None:
        return []
    return [
        str(getattr(pattern, "pattern", "") or "**")  # pathspec < 0.11 keeps no source: assume it floats
        for pattern in spec.patterns
        if pattern.include is False
    ]


def to_posix(path: str) -> str:
    """``path`` with the platform separator replaced by ``/``."""
    return path.replace(os.sep, "/") if os.sep != "/" else path
