"""What goes into a walk and what comes out: hatchling's verdict per entry, the walk's facts, the decided records.

:class:`WalkFacts` is everything the builder knows about one walk (hatchling's relative path of the
top, whether it is a force-include walk, whether artifacts are possible, the private output
directory), with :data:`Decide`, the one callback the walk asks hatchling through, at most once per
entry, for a :class:`Verdict`. Out comes one :class:`WalkedFile` per file the walk decided, shipped
or left out. Nothing here reads the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from sdistguard.rules.model import Record

if TYPE_CHECKING:
    from sdistguard.rules import Code

__all__ = ["Decide", "EntryKind", "Rescue", "Verdict", "WalkFacts", "WalkedFile"]

Rescue = Literal["keep", "named"]
"""Why a file ships although a rule left it or its directory out: ``keep`` names it, or the user named it."""

EntryKind = Literal["file", "directory", "link"]
"""What a listed entry is, from its ``d_type``: ``"file"`` (also a special file), ``"directory"``, ``"link"``."""


class Verdict(Record):
    """hatchling's answer for one entry of the walk, given by the builder's :data:`Decide` callback.

    ``distribution_path``: where hatchling would ship the entry as a file (its path inside the
    artifact, platform separator), ``None`` when hatchling's own selection leaves it out (its
    fixed names, reserved paths, patterns) or for a directory. ``named``: the user named the entry
    (an artifact pattern, a reserved or forced path), so git's ignore rules do not take it and a
    link leaving the tree is followed; for a link, named as a file or as a directory. ``pruned``:
    (a directory or a link) hatchling never walks into it.
    """

    __slots__ = ("distribution_path", "named", "pruned")

    distribution_path: str | None
    named: bool
    pruned: bool

    def __init__(self, distribution_path: str | None = None, named: bool = False, pruned: bool = False) -> None:
        _set = object.__setattr__
        _set(self, "distribution_path", distribution_path)
        _set(self, "named", named)
        _set(self, "pruned", pruned)


Decide = Callable[[str, EntryKind, bool], Verdict]
"""``decide(relative_path, kind, is_package) -> Verdict``: the builder's one question to hatchling per path.

``relative_path`` is hatchling's relative path of the entry (:attr:`WalkFacts.prefix` joined with
the path below the walk's top, platform separator); ``is_package`` whether its directory's listing
holds an ``__init__.py`` (hatchling's ``"__init__.py" in files``). The walk calls it at most once
per entry, and only for entries a rule has not already taken with their directory.
"""


class WalkFacts(Record):
    """What the builder knows before one walk; the walker never calls back for anything else.

    ``prefix``: hatchling's relative path of the walk's top (``""`` for the project walk, the
    inclusion map's target path for a named directory), platform separator. ``decide``: hatchling's
    per-entry answer (:data:`Decide`). ``forced``: a force-include walk (what the user named ships
    even when git does not track it). ``artifacts_possible``: hatchling has artifact patterns (config
    or build hooks), so files below a directory git ignores may come back. ``private``: the resolved
    path of the build's private output directory, never walked (``None`` outside a build).
    ``named``: the user named the walk's top (``force-include``, the wheel's ``shared-data``,
    ``shared-scripts``, ``extra-metadata``, or the same maps a build hook declares in its build data),
    so git's ignore rules and ``untracked`` do not apply below it, as hatchling applies no ignore
    file there: what the user named ships (a build hook's output in a git-ignored ``build/``). The
    other rules (venv and cache markers below the top, links, credential files, secrets) still apply.
    """

    __slots__ = (
        "artifacts_possible", "decide", "forced", "may_ship_below", "named", "prefix", "private", "tracked_dropped",
    )

    prefix: str
    decide: Decide
    forced: bool
    artifacts_possible: bool
    private: str | None
    named: bool
    may_ship_below: Callable[[str], bool] | None
    """``(relative_directory) -> bool``: false when hatchling's patterns cannot select any file below
    the directory (an ``include`` list of anchored patterns that never reaches it); ``None``: always may."""
    tracked_dropped: Callable[[str, bool], str | None] | None
    """``(relative_path, is_package) -> "file:line: pattern" | None``: for a file git tracks that hatchling
    leaves out, the root ``.gitignore`` line that alone drops it (reported, SG109); ``None``: never asked."""

    def __init__(self, prefix: str, decide: Decide, forced: bool = False, artifacts_possible: bool = False,
                 private: str | None = None, named: bool = False,
                 may_ship_below: Callable[[str], bool] | None = None,
                 tracked_dropped: Callable[[str, bool], str | None] | None = None) -> None:
        _set = object.__setattr__
        _set(self, "prefix", prefix)
        _set(self, "decide", decide)
        _set(self, "forced", forced)
        _set(self, "artifacts_possible", artifacts_possible)
        _set(self, "private", private)
        _set(self, "named", named)
        _set(self, "may_ship_below", may_ship_below)
        _set(self, "tracked_dropped", tracked_dropped)


class WalkedFile(Record):
    """One file the walk decided: shipped, or left out by a sdistguard rule although hatchling would ship it.

    ``path``: absolute, as reached (it may pass through an in-tree link). ``relative_path``:
    hatchling's (:attr:`WalkFacts.prefix` joined with the path below the top, platform separator).
    ``project_path``: POSIX, relative to the project root, ``None`` outside it. ``distribution_path``:
    hatchling's path inside the artifact. ``left_out``: the code of the rule that left it out (the
    walk's finding names it, or its directory), ``None`` when it ships. ``rescued``: ``"keep"`` or
    ``"named"`` when it ships although an ignore rule or a marker left it or its directory out.
    Files hatchling's own selection leaves out get no record.
    """

    __slots__ = ("distribution_path", "left_out", "path", "project_path", "relative_path", "rescued")

    path: str
    relative_path: str
    project_path: str | None
    distribution_path: str
    left_out: Code | None
    rescued: Rescue | None

    def __init__(self, path: str, relative_path: str, project_path: str | None, distribution_path: str,
                 left_out: Code | None = None, rescued: Rescue | None = None) -> None:
        _set = object.__setattr__
        _set(self, "path", path)
        _set(self, "relative_path", relative_path)
        _set(self, "project_path", project_path)
        _set(self, "distribution_path", distribution_path)
        _set(self, "left_out", left_out)
        _set(self, "rescued", rescued)

