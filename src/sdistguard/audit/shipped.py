"""``sdistguard check DIR`` on a hatchling project: hatchling's own sdist of the tree, audited member by member.

:func:`sdistguard.builders.hatchling_sdist` says what that sdist would hold (plain data, no auditor);
here each member is fed to the auditor's :class:`~sdistguard.audit.collector.Collector` as if read from
the built sdist, content scanned for secrets, so the preview's codes, paths and counts are the
auditor's on hatchling's built sdist of the same tree; only the metadata checks (PKG-INFO, which the
preview does not write) are left out. The guarded walk's view of git is added
(:func:`sdistguard.builders.shipped.tree_findings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from sdistguard.audit.base import LimitReached, Limits, Member, sort_key
from sdistguard.audit.collector import Collector
from sdistguard.builders import hatchling_sdist
from sdistguard.builders.shipped import ShippedMember, tree_findings
from sdistguard.rules import Finding

__all__ = ["audit_members", "preview_hatchling"]

_CHUNK: Final = 1 << 20


def preview_hatchling(root: str, allow_secrets: Sequence[str] = ()) -> list[Finding]:
    """What hatchling's own sdist of ``root`` would hold that ``sdistguard check`` flags, without building.

    ``root`` is a project directory; ``allow_secrets``: member patterns whose content is not scanned
    (SG602). Returns findings sorted by path, then code (paths below the sdist's top-level directory).
    Raises ``ConfigError`` and what hatchling raises for a bad project.
    """
    sdist = hatchling_sdist(root)
    findings, sizes = audit_members(sdist.members, sdist.project, allow_secrets)
    selected = {member.relative for member in sdist.members if member.selected}
    counted = {path: size for path, size in sizes.items() if path in selected}
    return sorted(findings + tree_findings(sdist.walked, counted), key=sort_key)


def audit_members(members: Iterable[ShippedMember], project: str | None, allow_secrets: Sequence[str] = (),
                  limits: Limits | None = None) -> tuple[list[Finding], dict[str, int]]:
    """Audit ``members`` as the members of the sdist hatchling would write, reading each file from disk.

    ``project`` is the distribution's name (its own ``*.egg-info`` is no foreign one). Returns the
    collector's findings (paths as below the sdist's top-level directory, i.e. the distribution
    paths) and ``{project-relative POSIX path: stored bytes}`` of every member audited that names a
    project file. A file that cannot be opened is skipped, as if hatchling had failed on it later.
    ``allow_secrets``: patterns of members whose content is not scanned (SG602); ``limits``: the
    auditor's (:class:`Limits`' defaults when ``None``).
    """
    collector = Collector(True, limits or Limits(), allow_secrets)
    sizes: dict[str, int] = {}
    try:
        for member in members:
            if member.kind != "file":
                collector.add(Member(member.name, member.kind, 0, member.mode, member.target))
                if member.relative:
                    sizes[member.relative] = 0  # a member, as the collector counts it
                continue
            try:
                handle = open(member.source, "rb")  # noqa: SIM115 - closed in the finally below
            except OSError:
                continue
            try:
                head = handle.read(collector.head_size(member.name))
                where = collector.add(Member(member.name, "file", member.size, member.mode, member.target, head))
                if member.relative:
                    sizes[member.relative] = member.size
                scanner = collector.scanner(where)
                if scanner is not None and where is not None:
                    scanner.feed(head)
                    chunk = handle.read(_CHUNK)
                    while chunk:
                        scanner.feed(chunk)
                        chunk = handle.read(_CHUNK)
                    collector.secrets(where, scanner.finish())
            finally:
                handle.close()
    except LimitReached as stop:
        collector.stop(str(stop))
    return collector.finish(project), sizes
