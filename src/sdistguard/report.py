"""Rendering findings: the backend's stderr summary (and the auditor's table and JSON)."""

from __future__ import annotations

from collections.abc import Sequence

from sdistguard.rules import RULE_BY_NAME, Finding

__all__ = ["format_build_summary"]

_MAX_LINES = 20
REWRITTEN = RULE_BY_NAME["link-rewritten"].code


def format_build_summary(findings: Sequence[Finding], artifact: str) -> str:
    """The short report a build prints on stderr, or ``""`` when nothing was left out or rewritten.

    ``artifact`` is the file name built (``demo-1.0.tar.gz``). One line per finding (at most 20,
    then a count of the rest): code, rule name, path, and what triggered it. Files and bytes are
    counted for what the walk examined; a directory left out whole was never walked, so it is
    reported as one path.
    """
    if not findings:
        return ""
    left_out = [found for found in findings if found.code != REWRITTEN]
    rewritten = len(findings) - len(left_out)
    files = sum(found.files for found in left_out)
    size = sum(found.size for found in left_out)
    counts = f" ({files} files, {size} bytes, besides whole directories)" if files else ""
    head = f"sdistguard: {artifact}: left out {len(left_out)} path(s){counts}"
    if rewritten:
        head += f", wrote {rewritten} link(s) as regular files"
    lines = [head + ":"]
    for found in findings[:_MAX_LINES]:
        detail = f"  [{found.detail}]" if found.detail else ""
        lines.append(f"  {found.code} {found.rule.name:<16} {found.path}{detail}")
    if len(findings) > _MAX_LINES:
        lines.append(f"  ... and {len(findings) - _MAX_LINES} more")
    lines.append("  (codes and fixes: sdistguard check --help, or README.md 'Rules')")
    return "\n".join(lines)
