"""``sdistguard check --format github``: GitHub Actions workflow commands, one per finding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sdistguard.audit.checked import CheckedInput
from sdistguard.report.lines import finding_location, finding_message
from sdistguard.report.table import check_total
from sdistguard.rules import Code
from sdistguard.rules.render import printable

if TYPE_CHECKING:
    from sdistguard.audit.base import AuditResult

__all__ = ["format_check_github"]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_check_github(items: Sequence[CheckedInput | AuditResult]) -> str:
    """``sdistguard check --format github``: one GitHub Actions workflow command per finding.

    ``::error file=F,title=T::MESSAGE`` for a failing finding, ``::warning`` for an advisory one
    (GitHub docs, "Workflow commands for GitHub Actions": data escapes ``%``, CR, LF; properties also
    ``:`` and ``,``). ``F`` is the archive (a member's path is in the message) or, for a project
    directory, the file or directory found. An unreadable input is an ``::error`` of its own; a last
    plain line gives the total.
    """
    checked = [CheckedInput.of(item) for item in items]
    lines: list[str] = []
    codes: dict[Code, int] = {}
    for item in checked:
        result = item.result
        if result.error is not None:
            lines.append(f"::error file={_escape_property(printable(result.path))},title=sdistguard::"
                         f"{_escape_data(printable(result.error))}")
            continue
        for found, fail in zip(result.findings, item.fails, strict=True):
            codes[found.code] = codes.get(found.code, 0) + 1
            file, _member = finding_location(item, found)
            level = "error" if fail else "warning"
            title = f"sdistguard {found.code} {found.rule.name}"
            lines.append(f"::{level} file={_escape_property(printable(file))},title={_escape_property(title)}::"
                         f"{_escape_data(finding_message(item, found))}")
    lines.append(check_total(checked, codes))
    return "\n".join(lines)
