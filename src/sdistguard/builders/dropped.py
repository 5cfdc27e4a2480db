"""The tracked files hatchling's reading of the root ``.gitignore`` drops (the ``tracked-ignored-by-hatchling``
rule, SG109): the one check of :mod:`sdistguard.builders.shipped` that a build asks too.

A module of its own so that a build does not load the auditor's preview of hatchling's sdist
(tests/backend/test_startup.py).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pathspec
from hatchling.builders.constants import EXCLUDED_FILES

from sdistguard.core.patterns import to_posix

if TYPE_CHECKING:
    from hatchling.builders.config import BuilderConfig

__all__ = ["tracked_dropped_checker"]


def tracked_dropped_checker(config: BuilderConfig) -> Callable[[str, bool, bool], str | None] | None:
    """A check for files git tracks that hatchling drops only because of the root ``.gitignore``.

    hatchling adds the lines of the one ``.gitignore`` it finds (at the root or above it) to its
    exclude patterns (``BuilderConfig.exclude_spec``), and git's index means nothing to it: a
    tracked ``examples/a/.python-version`` matched by a root ``.python-version`` line is not in
    hatchling's sdist. Returns ``None`` when hatchling reads no ``.gitignore`` (or ``ignore-vcs``),
    else ``check(relative_path, is_package, explicit) -> "file:line: pattern" | None``:
    ``relative_path`` relative to the project root (platform separator), hatchling's
    ``include_path`` arguments; the answer names the deciding line when hatchling would ship the
    file but for that ``.gitignore``. Read in hatchling 1.27-1.33 ``builders/config.py``.
    """
    if config.ignore_vcs or not config.vcs_exclusion_files["git"]:
        return None
    @functools.cache
    def specs() -> tuple[list[tuple[str, int, str]], pathspec.PathSpec[Any], pathspec.PathSpec[Any]]:
        # compiled at the first question, as hatchling compiles its exclude patterns only when asked
        lines: list[tuple[str, int, str]] = []
        for exclusion_file in config.vcs_exclusion_files["git"]:
            name = to_posix(os.path.relpath(exclusion_file, config.root))
            with open(exclusion_file, encoding="utf-8") as file:
                lines.extend((name, number, line) for number, line in enumerate(file, 1))
        key = "exclude"
        table = config.target_config if key in config.target_config else config.build_config
        others = [*config.default_global_exclude(), *table.get(key, config.default_exclude())]
        return (lines, pathspec.GitIgnoreSpec.from_lines(line for _, _, line in lines),
                pathspec.GitIgnoreSpec.from_lines(others))

    def check(relative_path: str, is_package: bool, explicit: bool) -> str | None:
        if os.path.basename(relative_path) in EXCLUDED_FILES:
            return None
        if config.path_is_reserved(config.get_distribution_path(relative_path)):
            return None
        lines, vcs, without = specs()
        if not vcs.match_file(relative_path) or without.match_file(relative_path):
            return None
        if not config.path_is_excluded(relative_path):
            return None  # a later pattern re-includes it: hatchling ships it
        if config.only_packages and not is_package:
            return None
        if not explicit and not config.path_is_included(relative_path):
            return None
        deciding = _deciding_line(vcs, relative_path)
        if deciding is None or deciding >= len(lines):
            return f"{lines[0][0]} (read by hatchling)"
        source, number, text = lines[deciding]
        return f"{source}:{number}: {text.rstrip(chr(10)).rstrip(chr(13))} (read by hatchling)"

    return check


def _deciding_line(spec: pathspec.PathSpec[Any], path: str) -> int | None:
    """Index of the pattern that decides that ``spec`` matches ``path`` (the last matching one)."""
    deciding = None
    for index, pattern in enumerate(spec.patterns):
        if pattern.include is not None and pattern.match_file(path) is not None:
            deciding = index if pattern.include else None
    return deciding
