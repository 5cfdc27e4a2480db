"""``sdistguard check --format``: the one choice of report format, loading only the chosen format's module."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sdistguard.audit.checked import GROUP_ABOVE, CheckedInput

__all__ = ["FORMATS", "Format", "format_check"]

Format = Literal["table", "json", "github", "sarif"]
"""A whole-report format (``--format jsonl``, one line per dist, is :mod:`sdistguard.index.jsonl`'s)."""

FORMATS: tuple[Format, ...] = ("table", "json", "github", "sarif")


def format_check(checked: Sequence[CheckedInput], report_format: str, tool_version: str, exit_code: int,
                 group_above: int | None = None) -> str:
    """The whole report of ``sdistguard check`` over ``checked`` in ``report_format`` (one of :data:`FORMATS`).

    ``tool_version`` and ``exit_code`` go into the JSON and SARIF documents; ``group_above`` is the
    table's ``--group`` (``None``: :data:`~sdistguard.audit.checked.GROUP_ABOVE`). Raises ``ValueError``
    for another format name (argparse's ``choices`` keeps users from it).
    """
    if report_format == "json":
        from sdistguard.report.json import format_check_json

        return format_check_json(checked, tool_version, exit_code)
    if report_format == "github":
        from sdistguard.report.github import format_check_github

        return format_check_github(checked)
    if report_format == "sarif":
        from sdistguard.report.sarif import format_check_sarif

        return format_check_sarif(checked, tool_version, exit_code)
    if report_format == "table":
        from sdistguard.report.table import format_check_table

        return format_check_table(checked, group_above=GROUP_ABOVE if group_above is None else group_above)
    raise ValueError(f"unknown report format {report_format!r} (known: {', '.join(FORMATS)})")
