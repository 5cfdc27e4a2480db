"""A link on disk, as the walk meets it: what the disk says about it, and the registry's one decision on that.

The links family's rule (:func:`sdistguard.rules.links.classify_link`) decides for the walk and the auditor alike;
this module gives it what only the walk can know: the resolved real path (``os.path.realpath``), the boundary it
may not leave, what ``os.stat`` reaches (asked only for a link that stays inside, so no link is followed out of
the project) and whether a directory reached holds the directory being listed or lies on the path that reached
it. :class:`~sdistguard.walk.visit.Visit` asks :func:`disk_link` for each link of a listing and keeps a
:class:`DirectoryLink` for each directory link it may follow.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Literal

from sdistguard.core.paths import is_within
from sdistguard.rules.links import Reached, classify_link
from sdistguard.rules.model import Record

if TYPE_CHECKING:
    from sdistguard.rules import RuleName

__all__ = ["DirectoryLink", "DiskLink", "disk_link", "link_target"]


class DirectoryLink(Record):
    """A directory link of a listing: its entry, the rule that reports it when followed, named by the user."""

    __slots__ = ("entry", "named", "rule")

    entry: os.DirEntry[str]
    rule: RuleName
    named: bool

    def __init__(self, entry: os.DirEntry[str], rule: RuleName, named: bool) -> None:
        _set = object.__setattr__
        _set(self, "entry", entry)
        _set(self, "rule", rule)
        _set(self, "named", named)


class DiskLink(Record):
    """A link as the disk shows it: ``kind`` (``external-link``, ``dangling-link``, ``link-cycle``,
    ``special-file``, or ``file`` / ``directory`` for one to follow), ``real`` its resolved path, ``target`` as
    ``readlink`` says (``""`` when it cannot be read)."""

    __slots__ = ("kind", "real", "target")

    kind: RuleName | Literal["file", "directory"]
    real: str
    target: str

    def __init__(self, kind: RuleName | Literal["file", "directory"], real: str, target: str) -> None:
        _set = object.__setattr__
        _set(self, "kind", kind)
        _set(self, "real", real)
        _set(self, "target", target)


def disk_link(path: str, report_path: str, boundary: str, holders: Callable[[], Iterable[str]]) -> DiskLink:
    """Classify the link at ``path`` (absolute, as reached) without following it out of ``boundary`` (resolved).

    ``report_path`` is the link's path as findings name it; ``holders()`` the resolved directories the walk is in
    (the one being listed, then the ones that reached it, outermost last): a directory reached that holds one of
    them is a cycle. Raises nothing.
    """
    real = os.path.realpath(path)
    target = link_target(path)
    reached: list[Reached] = []

    def reach() -> Reached:
        try:
            mode = os.stat(path).st_mode
        except OSError as error:
            reached.append("loop" if error.errno == errno.ELOOP else "missing")
        else:
            reached.append("directory" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "special")
        return reached[-1]

    def holds_link() -> bool:
        return any(is_within(holder, real) for holder in holders())

    rule = classify_link(report_path, target, reach, real=real, boundary=boundary, holds_link=holds_link)
    if rule is not None:
        return DiskLink(rule, real, target)
    return DiskLink("directory" if reached[-1] == "directory" else "file", real, target)


def link_target(path: str) -> str:
    """The target of the link at ``path``, as ``readlink`` says; ``""`` when it cannot be read."""
    try:
        return os.readlink(path)
    except OSError:
        return ""
