"""One input of ``sdistguard check`` as the check judges it: :class:`CheckedInput`, and its findings in groups.

What ``check`` hands the report formats (:mod:`sdistguard.report`), the release gate and the index
command: the audit's result, which findings fail, and the fixes in the terms of the backend that built it.
:func:`group_findings` folds many findings under one directory into one row; the fixes name the same
directories as the table's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sdistguard.rules import RULES, Code, Finding

if TYPE_CHECKING:
    from sdistguard.audit.base import AuditResult
    from sdistguard.audit.hints import BuiltBy

__all__ = ["GROUP_ABOVE", "CheckedInput", "FindingGroup", "group_findings"]

GROUP_ABOVE = 5
"""More findings than this of one code under one top-level directory share one table row."""


@dataclass
class CheckedInput:
    """One input of ``sdistguard check``, ready to render.

    ``result`` holds the selected findings; ``fails`` says, per finding, whether it makes the check
    exit 1 (an advisory one does not). ``built_by`` is the backend the archive or project names (or
    ``None``); ``fixes`` maps a code (or ``"*"`` for all) to a fix in that backend's terms, replacing
    the rule's own hint. ``notes`` are extra lines for the table; ``would_ship`` names the backend
    whose build would ship the findings' paths (a project directory that does not build with sdistguard).
    """

    result: AuditResult
    fails: tuple[bool, ...] = ()
    built_by: BuiltBy | None = None
    fixes: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    would_ship: str | None = None

    @classmethod
    def of(cls, item: CheckedInput | AuditResult) -> CheckedInput:
        """``item`` itself, or a bare :class:`AuditResult` as one whose every finding fails."""
        if isinstance(item, CheckedInput):
            return item
        return cls(item, tuple(True for _ in item.findings))

    def fix(self, code: Code) -> str:
        """The fix for ``code``: the backend's own when known, else the rule's hint."""
        return self.fixes.get(code) or self.fixes.get("*") or RULES[code].hint


@dataclass(frozen=True)
class FindingGroup:
    """Findings of one ``code`` that share a top-level directory, shown as one row at ``directory``.

    ``directory`` is the deepest directory (ending with ``/``) holding every finding's path;
    ``findings`` are in report order, the first serving as the example.
    """

    code: Code
    directory: str
    findings: tuple[Finding, ...]

    @property
    def files(self) -> int:
        """The sum of the findings' file counts."""
        return sum(found.files for found in self.findings)

    @property
    def size(self) -> int:
        """The sum of the findings' bytes."""
        return sum(found.size for found in self.findings)


def group_findings(findings: Sequence[Finding], above: int = GROUP_ABOVE) -> list[Finding | FindingGroup]:
    """Fold the findings of one code under one top-level directory into a group when there are more than ``above``.

    ``findings`` are in report order (by path, then code); a group takes the place of its first
    finding. A finding whose path has no ``/`` (a top-level file, the archive itself) is never
    grouped; ``above`` 0 or less groups nothing. The findings themselves are not changed.
    """
    buckets: dict[tuple[Code, str], list[Finding]] = {}
    for found in findings:
        top, slash, _ = found.path.partition("/")
        if slash and above > 0:
            buckets.setdefault((found.code, top + "/"), []).append(found)
    groups: dict[int, FindingGroup] = {}
    for members in buckets.values():
        if len(members) > above:
            group = FindingGroup(members[0].code, _common_directory(members), tuple(members))
            groups.update((id(found), group) for found in members)
    rows: list[Finding | FindingGroup] = []
    shown: set[int] = set()
    for found in findings:
        owner = groups.get(id(found))
        if owner is None:
            rows.append(found)
        elif id(owner) not in shown:
            shown.add(id(owner))
            rows.append(owner)
    return rows


def _common_directory(findings: Sequence[Finding]) -> str:
    """The deepest directory (``a/b/``, compared component by component) that every path lies in or is."""
    common = findings[0].path.split("/")[:-1]
    for found in findings[1:]:
        parts = found.path.split("/")[:-1]
        same = 0
        while same < min(len(common), len(parts)) and common[same] == parts[same]:
            same += 1
        del common[same:]
    return "/".join(common) + "/"
