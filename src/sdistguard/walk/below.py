"""Whether hatchling would ship anything below a directory: asked before a rule's finding about a
directory left out whole is reported (a ``venv/`` that an ``include`` list never reaches is no news)."""

from __future__ import annotations

import operator
import os

from sdistguard.paths import is_within
from sdistguard.walk.facts import WalkFacts

__all__ = ["ships_below"]

_name = operator.attrgetter("name")


def ships_below(path: str, relative: str, boundary: str, facts: WalkFacts) -> bool:
    """Whether hatchling would ship any file below the directory ``path`` (hatchling's ``relative``).

    A rule's finding about a directory left out whole is news only then: with an ``include``
    list that never reaches a ``venv/``, hatchling would not ship it either. hatchling's verdicts
    alone decide (its pruned directories are skipped); links inside ``boundary`` are followed,
    each target once. Stops at the first file hatchling would ship, so a directory hatchling
    would ship costs one listing.
    """
    if facts.may_ship_below is not None and not facts.may_ship_below(relative):
        return False  # hatchling's patterns cannot reach below it: nothing is listed
    stack = [(path, relative)]
    seen: set[str] = set()
    decide = facts.decide
    while stack:
        directory, below = stack.pop()
        try:
            with os.scandir(directory) as iterator:
                entries = sorted(iterator, key=_name)
        except OSError:
            continue
        is_package = any(entry.name == "__init__.py" for entry in entries)
        for entry in entries:  # regular files first: their d_type suffices, no stat
            if entry.is_file(follow_symlinks=False) and decide(
                os.path.join(below, entry.name), "file", is_package
            ).distribution_path is not None:
                return True
        directories = []
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                continue
            child = os.path.join(below, entry.name)
            link = entry.is_symlink()
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                if decide(child, "link" if link else "file", is_package).distribution_path is not None:
                    return True
                continue
            if link:
                real = os.path.realpath(entry.path)
                if not is_within(real, boundary) or real in seen:
                    continue
                seen.add(real)
            if not decide(child, "link" if link else "directory", is_package).pruned:
                directories.append((entry.path, child))
        stack.extend(reversed(directories))
    return False
