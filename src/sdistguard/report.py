"""Rendering findings: the backend's stderr summary (and the auditor's table and JSON)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sdistguard.rules import RULES, Finding

if TYPE_CHECKING:
    from sdistguard.auditor import AuditResult

__all__ = [
    "CHECK_REPORT_VERSION",
    "GROUP_ABOVE",
    "FindingGroup",
    "describe_blocking",
    "format_build_summary",
    "format_check_json",
    "format_check_table",
    "group_findings",
    "printable",
]

_MAX_LINES = 20


def format_build_summary(findings: Sequence[Finding], artifact: str) -> str:
    """The short report a build prints on stderr, or ``""`` when nothing was left out or rewritten.

    ``artifact`` is the file name built (``demo-1.0.tar.gz``). One line per finding (at most 20,
    then a count of the rest): code, path, why, and what triggered it. Files and bytes are
    counted for what the walk examined; a directory left out whole was never walked, so it is
    reported as one path.
    """
    if not findings:
        return ""
    left_out = [found for found in findings if found.rule.effect == "left out"]
    rewritten = sum(1 for found in findings if found.rule.effect == "rewritten")
    shipped = sum(1 for found in findings if found.rule.effect == "shipped")
    files = sum(found.files for found in left_out)
    size = sum(found.size for found in left_out)
    counts = f" ({files} files, {size} bytes, besides whole directories)" if files else ""
    parts = [f"left out {len(left_out)} path(s){counts}"] if left_out else []
    if rewritten:
        parts.append(f"wrote {rewritten} link(s) as regular files")
    if shipped:
        parts.append(f"shipped {shipped} file(s) from outside the project, as hatchling does")
    head = f"sdistguard: {artifact}: " + ", ".join(parts or [f"{len(findings)} finding(s)"])
    lines = [head + ":"]
    for found in findings[:_MAX_LINES]:
        detail = f" ({_printable(found.detail)})" if found.detail else ""  # names can hold any byte but / and NUL
        lines.append(f"  {found.code} {_printable(found.path)}: {found.rule.reason}{detail}")
    if len(findings) > _MAX_LINES:
        lines.append(f"  ... and {len(findings) - _MAX_LINES} more")
    lines.append("  (codes and fixes: `sdistguard codes`, or docs/rules.md)")
    return "\n".join(lines)


def describe_blocking(found: Finding) -> str:
    """One line for a finding that blocks a build: path, code, reason, what triggered it, the fix.

    The path and the detail are escaped (:func:`printable`), so a file name cannot forge lines.
    """
    detail = f": {_printable(found.detail)}" if found.detail else ""
    return f"{_printable(found.path)}: {found.code} {found.rule.reason}{detail} ({found.rule.hint})"


# --------------------------------------------------------------------------- sdistguard check


def _printable(text: str) -> str:
    """``text`` safe for a terminal or JSON: undecodable bytes as ``\\xNN``, control characters escaped.

    A file name read from disk can hold any byte but ``/`` and NUL; its undecodable bytes arrive as
    surrogate escapes (``\\udcff``) and are shown as ``\\xff``; a newline is shown as ``\\n``.
    """
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


printable = _printable
"""The one escaping function of sdistguard's reports (the build summary, the table, JSON, errors)."""

_UNITS = ("kB", "MB", "GB", "TB", "PB", "EB")


def _human_size(size: int) -> str:
    """Bytes as ``"512 B"``, ``"3.4 kB"`` ... ``"83.1 MB"`` ... ``"2.0 EB"`` (powers of 1000, like pip).

    A size of 1000 EB or more (only a hostile archive declares one) is shown in bytes, ``"1,000,... B"``.
    """
    if size < 1000:
        return f"{size} B"
    for power, unit in enumerate(_UNITS, 1):
        text = f"{size / 1000**power:.1f}"
        if float(text) < 1000:
            return f"{text} {unit}"
    return f"{size:,} B"


def _counts(files: int, size: int) -> str:
    if not files and not size:
        return ""
    return f"{files:,} file{'s' if files != 1 else ''}, {_human_size(size)}"


GROUP_ABOVE = 5
"""More findings than this of one code under one top-level directory share one table row."""


@dataclass(frozen=True)
class FindingGroup:
    """Findings of one ``code`` that share a top-level directory, shown as one row at ``directory``.

    ``directory`` is the deepest directory (ending with ``/``) holding every finding's path;
    ``findings`` are in report order, the first serving as the example.
    """

    code: str
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
    buckets: dict[tuple[str, str], list[Finding]] = {}
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


def format_check_table(results: Sequence[AuditResult], group_above: int = GROUP_ABOVE) -> str:
    """The human report of ``sdistguard check``: one block per input, then hints and a total.

    Each finding is one row (code, path relative to the sdist's top-level directory, the wheel's root
    or the project directory, files and bytes below it, the rule's reason and what triggered it);
    more than ``group_above`` findings of one code under one top-level directory become one row
    (:func:`group_findings`; 0 groups nothing). Each code's hint is printed once; the total counts
    every finding. An input that could not be read shows its error instead.
    """
    lines: list[str] = []
    codes: dict[str, int] = {}
    for result in results:
        lines.extend(_table_block(result, group_above))
        for found in result.findings:
            codes[found.code] = codes.get(found.code, 0) + 1
    if codes:
        lines.append("hints:")
        lines.extend(f"  {code} {RULES[code].name}: {RULES[code].hint}" for code in sorted(codes))
    lines.append(_check_total(results, codes))
    return "\n".join(lines)


def _table_block(result: AuditResult, group_above: int) -> list[str]:
    if result.error is not None:  # the message itself went to stderr, once
        return [f"{_printable(result.path)}: could not be read (the error is on stderr)", ""]
    head = f"{_printable(result.path)}: {result.kind}"
    if result.kind != "directory":
        head += f", {result.members:,} members, {_human_size(result.size)}"
    lines = [head + (": no findings" if not (result.findings or result.refused) else "")]
    rows = group_findings(result.findings, group_above)
    if rows:
        paths = [_printable(_row_path(row)) or "(archive)" for row in rows]
        width = min(max(len(path) for path in paths), 48)
        lines.extend(f"  {row.code}  {path:<{width}}  {_row_text(row)}" for row, path in zip(rows, paths, strict=True))
    if result.refused:  # the build's own decision (strict, external-links, SG401), whatever is selected
        lines.append("  the sdist build would be refused:")
        lines.extend(f"    {line}" for line in result.refused)
    if len(rows) < len(result.findings):
        lines.append("  (a row 'N below' stands for N findings; --format json or --group 0 lists each)")
    if result.largest:
        largest = ", ".join(f"{_printable(item.path)} {_human_size(item.size)}" for item in result.largest[:5])
        lines.append(f"  largest directories: {largest}")
    lines.append("")
    return lines


def _row_path(row: Finding | FindingGroup) -> str:
    return row.directory if isinstance(row, FindingGroup) else row.path


def _row_text(row: Finding | FindingGroup) -> str:
    """The reason, then in brackets the counts and what triggered it (the first finding, for a group)."""
    if isinstance(row, FindingGroup):
        first = row.findings[0]
        example = _printable(first.path.removeprefix(row.directory)) or "."
        example += f": {_printable(first.detail)}" if first.detail else ""
        parts = (_counts(row.files, row.size), f"e.g. {example}")
        return f"{len(row.findings)} below: {RULES[row.code].reason} [{'; '.join(part for part in parts if part)}]"
    detail = "; ".join(part for part in (_counts(row.files, row.size), _printable(row.detail)) if part)
    return row.rule.reason + (f" [{detail}]" if detail else "")


def _check_total(results: Sequence[AuditResult], codes: dict[str, int]) -> str:
    total = sum(codes.values())
    errors = sum(1 for result in results if result.error is not None)
    text = f"{total} finding{'s' if total != 1 else ''} in {len(results)} input{'s' if len(results) != 1 else ''}"
    if codes:
        text += " (" + ", ".join(f"{code} x{count}" for code, count in sorted(codes.items())) + ")"
    if errors:
        text += f"; {errors} input{'s' if errors != 1 else ''} could not be read"
    refused = sum(1 for result in results if result.refused)
    if refused:
        text += f"; the build of {refused} director{'ies' if refused != 1 else 'y'} would be refused"
    return text


CHECK_REPORT_VERSION = 1
"""The ``version`` field of ``sdistguard check --format json``; raised when a field changes meaning."""


def format_check_json(results: Sequence[AuditResult], tool_version: str, exit_code: int) -> str:
    """The machine-readable report of ``sdistguard check --format json`` (docs/check.md, "JSON output").

    Top level: ``version`` (:data:`CHECK_REPORT_VERSION`), ``tool``, ``exit_code``, ``summary``
    (finding count per code) and ``inputs``: one object per input with ``path``, ``kind``,
    ``members``, ``size``, ``error`` (``null`` or the message), ``findings`` and ``largest``.
    """
    import json

    codes: dict[str, int] = {}
    inputs = []
    for result in results:
        for found in result.findings:
            codes[found.code] = codes.get(found.code, 0) + 1
        inputs.append(
            {
                "path": _printable(result.path),
                "kind": result.kind,
                "members": result.members,
                "size": result.size,
                "error": result.error,
                "refused": result.refused,
                "findings": [_finding_json(found) for found in result.findings],
                "largest": [
                    {"path": _printable(item.path), "files": item.files, "size": item.size} for item in result.largest
                ],
            }
        )
    document = {
        "version": CHECK_REPORT_VERSION,
        "tool": {"name": "sdistguard", "version": tool_version},
        "exit_code": exit_code,
        "summary": {"findings": sum(codes.values()), "codes": dict(sorted(codes.items()))},
        "inputs": inputs,
    }
    return json.dumps(document, indent=2)


def _finding_json(found: Finding) -> dict[str, object]:
    rule = found.rule
    return {
        "code": found.code,
        "name": rule.name,
        "severity": rule.severity,
        "path": _printable(found.path),
        "detail": _printable(found.detail),
        "files": found.files,
        "size": found.size,
        "reason": rule.reason,
        "hint": rule.hint,
    }
