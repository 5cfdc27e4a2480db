"""``sdistguard check``'s table (the default ``--format``): one block per input, hints, a total."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sdistguard.audit.checked import GROUP_ABOVE, CheckedInput, FindingGroup, group_findings
from sdistguard.report.summary import describe_blocking
from sdistguard.rules import RULES, Code, Finding
from sdistguard.rules.render import counts, finding_line, human_size, printable

if TYPE_CHECKING:
    from sdistguard.audit.base import AuditResult

__all__ = ["check_total", "format_check_table"]


def format_check_table(items: Sequence[CheckedInput | AuditResult], group_above: int = GROUP_ABOVE) -> str:
    """The human report of ``sdistguard check``: one block per input, then hints and a total.

    Each finding is one row (code, path relative to the sdist's top-level directory, the wheel's root
    or the project directory, files and bytes below it, the rule's reason and what triggered it; an
    advisory finding, which does not fail the check, ends with ``(advisory)``); more than
    ``group_above`` findings of one code under one top-level directory become one row
    (:func:`group_findings`; 0 groups nothing). A block ends with the fixes in the terms of the backend
    that built the input, when it says which. Each other code's hint is printed once; the total
    counts every finding and the failing ones. An input that could not be read shows its error instead.
    """
    checked = [CheckedInput.of(item) for item in items]
    lines: list[str] = []
    codes: dict[Code, int] = {}
    generic: set[Code] = set()
    for item in checked:
        lines.extend(_table_block(item, group_above))
        for found in item.result.findings:
            codes[found.code] = codes.get(found.code, 0) + 1
            if found.code not in item.fixes and "*" not in item.fixes:
                generic.add(found.code)
    if generic:
        lines.append("hints:")
        lines.extend(f"  {code} {RULES[code].name}: {RULES[code].hint}" for code in sorted(generic))
    lines.append(check_total(checked, codes))
    return "\n".join(lines)


def _table_block(item: CheckedInput, group_above: int) -> list[str]:
    result = item.result
    if result.error is not None:  # the message itself went to stderr, once
        return [f"{printable(result.path)}: could not be read (the error is on stderr)", ""]
    head = f"{printable(result.path)}: {result.kind}"
    if result.kind != "directory":
        head += f", {result.members:,} members, {human_size(result.size)}"
    if item.built_by is not None:
        head += f", built by {item.built_by.name} ({printable(item.built_by.evidence)})"
    lines = [head + (": no findings" if not result.findings else "")]
    if item.would_ship and result.findings:
        lines.append(f"  what {item.would_ship}'s own sdist of this tree would hold, as `check` judges an sdist:")
    advisory = {id(found) for found, fail in zip(result.findings, item.fails, strict=False) if not fail}
    rows = group_findings(result.findings, group_above)
    if result.refused:  # an sdistguard project: the build's own decision and wording stand for the rows
        lines.append("  the sdist build would be refused:")
        lines.extend(f"    {describe_blocking(found)}" for found in result.refused)
        rows = []
    for row in rows:
        first = row.findings[0] if isinstance(row, FindingGroup) else row
        mark = " (advisory)" if id(first) in advisory else ""
        lines.append(f"  {_row_line(row)}{mark}")
    if rows and len(rows) < len(result.findings):
        lines.append("  (a row 'N below' stands for N findings; --format json or --group 0 lists each)")
    if result.largest:
        largest = ", ".join(f"{printable(item.path)} {human_size(item.size)}" for item in result.largest[:5])
        lines.append(f"  largest directories: {largest}")
    lines.extend(f"  note: {note}" for note in item.notes)
    unknown = result.project.describe() if result.project is not None else None
    if unknown is not None:
        lines.append(f"  not known without running the project (the preview runs none of it): {unknown}")
    shown = sorted({found.code for found in result.findings if found.code in item.fixes or "*" in item.fixes})
    if "*" in item.fixes and shown:
        lines.append(f"  fix ({', '.join(shown)}): {item.fixes['*']}")
    else:
        lines.extend(f"  fix ({code}): {item.fixes[code]}" for code in shown)
    lines.append("")
    return lines


def _row_line(row: Finding | FindingGroup) -> str:
    """A table row: :func:`sdistguard.rules.render.finding_line`; a group reads the same, its counts and first
    finding in the parentheses (``CODE dir/: reason (N below; counts; e.g. first: detail)``)."""
    if not isinstance(row, FindingGroup):
        return finding_line(row)
    first = row.findings[0]
    example = printable(first.path.removeprefix(row.directory)) or "."
    example += f": {printable(first.detail)}" if first.detail else ""
    parts = "; ".join(part for part in (f"{len(row.findings)} below", counts(row.files, row.size), f"e.g. {example}")
                      if part)
    return f"{row.code} {printable(row.directory)}: {RULES[row.code].reason} ({parts})"


def check_total(checked: Sequence[CheckedInput], codes: dict[Code, int]) -> str:
    """The last line of the table and of ``--format github``: findings per code, failing ones, unreadable inputs.

    ``codes`` counts the findings per code over ``checked``.
    """
    total = sum(codes.values())
    failing = sum(sum(item.fails) for item in checked)
    errors = sum(1 for item in checked if item.result.error is not None)
    count = len(checked)
    text = f"{total} finding{'s' if total != 1 else ''} in {count} input{'s' if count != 1 else ''}"
    if codes:
        text += " (" + ", ".join(f"{code} x{number}" for code, number in sorted(codes.items())) + ")"
    if total:
        text += f"; {failing} fail{'s' if failing == 1 else ''} the check" if failing else "; all advisory, none fails"
    if errors:
        text += f"; {errors} input{'s' if errors != 1 else ''} could not be read"
    refused = sum(1 for item in checked if item.result.refused)
    if refused:
        text += f"; the build of {refused} director{'ies' if refused != 1 else 'y'} would be refused"
    return text
