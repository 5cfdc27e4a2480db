"""The walk's decided records: one :class:`WalkedFile` per file the walk decided, shipped or left out."""

from __future__ import annotations

from typing import NamedTuple

from sdistguard.rules import Code
from sdistguard.walk.facts import Rescue

__all__ = ["WalkedFile"]

class WalkedFile(NamedTuple):
    """One file the walk decided: shipped, or left out by a sdistguard rule although hatchling would ship it.

    ``path``: absolute, as reached (it may pass through an in-tree link). ``relative_path``:
    hatchling's (:attr:`WalkFacts.prefix` joined with the path below the top, platform separator).
    ``project_path``: POSIX, relative to the project root, ``None`` outside it. ``distribution_path``:
    hatchling's path inside the artifact. ``left_out``: the code of the rule that left it out (the
    walk's finding names it, or its directory), ``None`` when it ships. ``rescued``: ``"keep"`` or
    ``"named"`` when it ships although an ignore rule or a marker left it or its directory out.
    Files hatchling's own selection leaves out get no record.
    """

    path: str
    relative_path: str
    project_path: str | None
    distribution_path: str
    left_out: Code | None = None
    rescued: Rescue | None = None

