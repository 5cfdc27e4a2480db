"""The build summary: what ``build_sdist`` and ``build_wheel`` print on stderr, and a refused build's line.

Only this module of :mod:`sdistguard.report` is imported by a build, and only when it has findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from sdistguard.rules import Finding, left_out
from sdistguard.rules.render import finding_line

__all__ = ["describe_blocking", "format_build_summary"]

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
    gone = left_out(findings)
    rewritten = sum(1 for found in findings if found.rule.effect == "rewritten")
    shipped = sum(1 for found in findings if found.rule.effect == "shipped")
    files = sum(found.files for found in gone)
    size = sum(found.size for found in gone)
    counts = f" ({files} files, {size} bytes, besides whole directories)" if files else ""
    parts = [f"left out {len(gone)} path(s){counts}"] if gone else []
    if rewritten:
        parts.append(f"wrote {rewritten} link(s) as regular files")
    if shipped:
        outside = sum(1 for found in findings if found.rule.name == "parent-ignore-file")
        if outside:
            parts.append(f"shipped {outside} file(s) from outside the project, as hatchling does")
        if shipped - outside:
            parts.append(f"{shipped - outside} warning(s) on what ships")
    head = f"sdistguard: {artifact}: " + ", ".join(parts or [f"{len(findings)} finding(s)"])
    lines = [head + ":"]
    shown = 0
    for title, rows in _build_sections(findings):  # one heading per effect, so each row says what befell it
        if shown >= _MAX_LINES:
            break
        lines.append(f"  {title}:")
        for found in rows[:_MAX_LINES - shown]:
            lines.append(f"    {finding_line(found)}")
        shown += min(len(rows), _MAX_LINES - shown)
    if len(findings) > _MAX_LINES:
        lines.append(f"  ... and {len(findings) - _MAX_LINES} more")
    lines.append("  (codes and fixes: `sdistguard codes`, or docs/rules.md)")
    return "\n".join(lines)


_BUILD_SECTIONS: Final = (("left out", "left out"), ("rewritten", "written as regular files"),
                          ("shipped", "shipped, with a warning"), ("blocks", "stops the build"),
                          ("reported", "noted"))


def _build_sections(findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    """The build report's rows under one heading per rule ``effect`` (in :data:`_BUILD_SECTIONS` order)."""
    sections = []
    for effect, title in _BUILD_SECTIONS:
        rows = [found for found in findings if found.rule.effect == effect]
        if rows:
            sections.append((title, rows))
    return sections


def describe_blocking(found: Finding) -> str:
    """One line for a finding that blocks a build: :func:`sdistguard.rules.render.finding_line` with the fix."""
    return finding_line(found, fix=True)
