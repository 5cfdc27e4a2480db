"""``sdistguard check --format json``: the machine-readable report (docs/check.md, "JSON output")."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sdistguard.audit.checked import CheckedInput
from sdistguard.report.summary import describe_blocking
from sdistguard.rules import Code, Finding
from sdistguard.rules.render import printable

if TYPE_CHECKING:
    from sdistguard.audit.base import AuditResult

__all__ = ["CHECK_REPORT_VERSION", "format_check_json"]


CHECK_REPORT_VERSION = 1
"""The ``version`` field of ``sdistguard check --format json``; raised when a field changes meaning."""


def format_check_json(items: Sequence[CheckedInput | AuditResult], tool_version: str, exit_code: int) -> str:
    """The machine-readable report of ``sdistguard check --format json`` (docs/check.md, "JSON output").

    Top level: ``version`` (:data:`CHECK_REPORT_VERSION`), ``tool``, ``exit_code``, ``summary``
    (finding count per code, and how many fail) and ``inputs``: one object per input with ``path``,
    ``kind``, ``members``, ``size``, ``error`` (``null`` or the message), ``built_by`` (``null`` or
    ``{"name", "evidence"}``), ``findings`` (each with ``fails`` and ``hint``, the fix in the terms of
    that backend when known), ``largest`` and ``project`` (a directory: ``{"name", "version",
    "unknown"}``, the version or ``<unknown: WHY>``; ``null`` for an archive).
    """
    checked = [CheckedInput.of(item) for item in items]
    codes: dict[Code, int] = {}
    failing = 0
    inputs = []
    for item in checked:
        result = item.result
        for found in result.findings:
            codes[found.code] = codes.get(found.code, 0) + 1
        failing += sum(item.fails)
        inputs.append(
            {
                "path": printable(result.path),
                "kind": result.kind,
                "members": result.members,
                "size": result.size,
                "error": result.error,
                "refused": [describe_blocking(found) for found in result.refused],
                "built_by": (
                    {"name": item.built_by.name, "evidence": printable(item.built_by.evidence)}
                    if item.built_by
                    else None
                ),
                "findings": [
                    _finding_json(found, fail, item.fix(found.code))
                    for found, fail in zip(result.findings, item.fails, strict=True)
                ],
                "largest": [
                    {"path": printable(entry.path), "files": entry.files, "size": entry.size}
                    for entry in result.largest
                ],
                "project": result.project.as_json() if result.project is not None else None,
            }
        )
    document = {
        "version": CHECK_REPORT_VERSION,
        "tool": {"name": "sdistguard", "version": tool_version},
        "exit_code": exit_code,
        "summary": {"findings": sum(codes.values()), "failing": failing, "codes": dict(sorted(codes.items()))},
        "inputs": inputs,
    }
    return json.dumps(document, indent=2)


def _finding_json(found: Finding, fails: bool, hint: str) -> dict[str, object]:
    rule = found.rule
    return {
        "code": found.code,
        "name": rule.name,
        "severity": rule.severity,
        "fails": fails,
        "path": printable(found.path),
        "detail": printable(found.detail),
        "files": found.files,
        "size": found.size,
        "reason": rule.reason,
        "hint": hint,
    }
