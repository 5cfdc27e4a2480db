"""What hatchling itself would put in a project's sdist: the members, as plain data for the auditor.

``sdistguard check DIR`` on a hatchling project answers "what would hatchling's sdist of this tree
hold that should not ship?". :func:`hatchling_selection` is hatchling's own file selection (its
``recurse_project_files`` / ``recurse_explicit_files`` / ``recurse_forced_files`` of
``BuilderInterface``, unguarded: its root ``.gitignore``, patterns, only-include, force-include), and
:func:`sdist_members` turns each selected file into the tar member hatchling's ``SdistArchive`` would
write for it (``TarFile.gettarinfo``: a link stays a link, a second hard link a hard link member, a
socket is skipped): a :class:`ShippedMember`. The auditor (:mod:`sdistguard.audit.shipped`) feeds them
to its collector, so the preview's codes, paths and counts are the auditor's on hatchling's built
sdist of the same tree, by construction. Nothing here imports the auditor: data flows up.

What only the tree can tell is added by :func:`tree_findings` from the guarded walk: the files git
ignores that hatchling ships anyway (SG104, counted over hatchling's selection and dropped when
hatchling ships nothing below), untracked files, the ignore file from above the root, and the tracked
files hatchling's reading of the root ``.gitignore`` drops
(:func:`~sdistguard.builders.dropped.tracked_dropped_checker`, the ``tracked-ignored-by-hatchling`` rule).
"""

from __future__ import annotations

import bisect
import io
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from hatchling.builders.plugin.interface import BuilderInterface, IncludedFile
from hatchling.builders.utils import normalize_archive_path

from sdistguard.core.patterns import to_posix
from sdistguard.rules import Finding, RuleName

__all__ = [
    "TREE_ONLY", "HatchlingSdist", "ShippedKind", "ShippedMember", "hatchling_members", "hatchling_selection",
    "sdist_members", "tree_findings",
]

TREE_ONLY: Final[frozenset[RuleName]] = frozenset({
    "nested-gitignore", "parent-ignore-file", "untracked", "untracked-excluded", "git-unavailable",
    "tracked-ignored-by-hatchling",
})
"""The guarded walk's rules that no archive can show (git's view of the tree): added to the audit's findings."""

ShippedKind = Literal["file", "dir", "symlink", "hardlink", "fifo", "chardev", "blockdev"]
"""A member's type, in the auditor's words (``sdistguard.audit.base.MemberKind`` has the same values)."""

_KINDS: Final[dict[bytes, ShippedKind]] = {
    b"2": "symlink", b"1": "hardlink", b"6": "fifo", b"3": "chardev", b"4": "blockdev", b"5": "dir",
}
"""tarfile's ``SYMTYPE``, ``LNKTYPE``, ``FIFOTYPE``, ``CHRTYPE``, ``BLKTYPE``, ``DIRTYPE``, spelled out: a
build imports this module, a wheel build no tarfile (sdist_members imports it)."""


@dataclass(frozen=True)
class ShippedMember:
    """One member of the sdist hatchling would write, and the file on disk it would be written from.

    ``name``: the member name (``TOP/`` + the distribution path, normalized as hatchling does); ``kind``,
    ``size`` (bytes; 0 but for a regular file), ``mode`` and ``target`` (a link's name) as
    ``TarFile.gettarinfo`` reads them; ``source``: the file's path on disk (hatchling's
    ``IncludedFile.path``); ``relative``: its project-relative POSIX path, ``""`` when hatchling names
    none; ``selected``: true for the project walk's files, false for a forced inclusion.
    """

    name: str
    kind: ShippedKind
    size: int
    mode: int
    target: str
    source: str
    relative: str
    selected: bool


@dataclass(frozen=True)
class HatchlingSdist:
    """What hatchling's own sdist of a tree would hold (:func:`sdistguard.builders.hatchling_sdist`).

    ``members`` in hatchling's order (project files, then forced inclusions); ``project`` the
    distribution's name (``None`` when the preview cannot read one); ``walked`` the guarded walk's
    findings on the same builder (see :func:`tree_findings`).
    """

    members: list[ShippedMember]
    project: str | None
    walked: list[Finding]


def hatchling_selection(builder: BuilderInterface[Any, Any], *, forced: bool = True) -> Iterator[IncludedFile]:
    """hatchling's own ``recurse_included_files`` for ``builder``, whatever subclass overrides it.

    The same two lines as hatchling's (selected project files, then the forced inclusion map),
    calling ``BuilderInterface``'s implementations directly, so sdistguard's guarded walks are not
    used; ``forced=False``: the selected project files only. Call inside ``builder.config.set_build_data``;
    raises what hatchling raises
    (``FileNotFoundError`` for a missing forced source, ``TypeError``/``ValueError`` for bad patterns).
    """
    config = builder.config
    if config.only_include:
        yield from BuilderInterface.recurse_explicit_files(builder, config.only_include)
    else:
        yield from BuilderInterface.recurse_project_files(builder)
    if forced:
        yield from BuilderInterface.recurse_forced_files(builder, config.get_force_include())


def sdist_members(files: Iterable[IncludedFile], project: str | None, *,
                  selected: bool = True) -> Iterator[ShippedMember]:
    """The member hatchling's sdist would write for each of ``files``, in their order.

    ``project`` names the top-level directory (``"project"`` when ``None``); ``selected`` is stored in
    each member. A file that vanished (``gettarinfo`` fails) or is a socket is skipped, as if hatchling
    had failed on it later or as tarfile skips it.
    """
    import tarfile  # here, not at the top: a wheel build imports this module and loads no tarfile

    archive = tarfile.TarFile(fileobj=io.BytesIO(), mode="w", format=tarfile.PAX_FORMAT)  # gettarinfo only
    top = project or "project"
    for included in files:
        name = normalize_archive_path(os.path.join(top, included.distribution_path))
        try:
            info = archive.gettarinfo(included.path, arcname=name)
        except OSError:
            continue
        if info is None:  # a socket: tarfile skips it, and so does hatchling's sdist
            continue
        kind: ShippedKind = "file" if info.isfile() else _KINDS.get(info.type, "file")
        size = info.size if kind == "file" else 0
        relative = to_posix(included.relative_path) if included.relative_path else ""
        yield ShippedMember(name, kind, size, info.mode, info.linkname, included.path, relative, selected)


def hatchling_members(builder: BuilderInterface[Any, Any]) -> list[ShippedMember]:
    """The members of hatchling's own sdist of ``builder``'s tree: its project files, then its forced ones.

    Call inside ``builder.config.set_build_data``; raises what hatchling raises.
    """
    project = builder.metadata.name
    members = list(sdist_members(hatchling_selection(builder, forced=False), project))
    forced = BuilderInterface.recurse_forced_files(builder, builder.config.get_force_include())
    # git's view is about the project walk: what the user forces in ships with sdistguard too
    members.extend(sdist_members(forced, project, selected=False))
    return members


def tree_findings(walked: Sequence[Finding], sizes: Mapping[str, int]) -> list[Finding]:
    """The guarded walk's :data:`TREE_ONLY` findings, counted over what hatchling's sdist would hold.

    ``walked``: the walk's findings on the same builder; ``sizes``: ``{project-relative POSIX path:
    bytes}`` of each file of hatchling's project walk that its sdist would hold. A directory git
    ignores is kept only when hatchling ships a file below it (with the files and bytes below); a file
    only when hatchling ships it; the others as found. Returns them in ``walked``'s order.
    """
    shipped = sorted(sizes)
    findings: list[Finding] = []
    for found in walked:
        if found.rule.name not in TREE_ONLY:
            continue
        path = found.path
        if found.rule.name == "tracked-ignored-by-hatchling" or path in ("", "./") or path.startswith("/"):
            findings.append(found)
        elif path.endswith("/"):
            start = bisect.bisect_left(shipped, path)
            end = bisect.bisect_left(shipped, path + "\U0010ffff")
            if end > start:
                below = shipped[start:end]
                findings.append(Finding(found.code, path, found.detail, len(below), sum(sizes[p] for p in below)))
        elif path in sizes:
            findings.append(Finding(found.code, path, found.detail, 1, sizes[path]))
    return findings
