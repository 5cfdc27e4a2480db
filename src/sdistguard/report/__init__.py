"""The report formats, one module per format; importing this package imports none of them.

- :mod:`~sdistguard.report.summary`: the build's stderr summary and a refused build's lines (the only
  module a build imports, and only when it has findings)
- :mod:`~sdistguard.report.table`: ``sdistguard check``'s table (the default ``--format``)
- :mod:`~sdistguard.report.json`: ``--format json``; :mod:`~sdistguard.report.github`: ``--format github``;
  :mod:`~sdistguard.report.sarif`: ``--format sarif`` (``--format jsonl`` is :mod:`sdistguard.index.jsonl`)
- :mod:`~sdistguard.report.lines`: what ``github`` and ``sarif`` share (a finding's location and message)

What they render, one input as ``check`` judged it, is :class:`sdistguard.audit.checked.CheckedInput`.
The names this module held when it was one file (``from sdistguard.report import format_check_table``) still
resolve, each loading only its own module (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any, Final

__all__: list[str] = []

_MOVED: Final = {
    "format_build_summary": "sdistguard.report.summary", "describe_blocking": "sdistguard.report.summary",
    "format_check_table": "sdistguard.report.table", "format_check_json": "sdistguard.report.json",
    "CHECK_REPORT_VERSION": "sdistguard.report.json", "format_check_github": "sdistguard.report.github",
    "format_check_sarif": "sdistguard.report.sarif", "CheckedInput": "sdistguard.audit.checked",
    "FindingGroup": "sdistguard.audit.checked", "group_findings": "sdistguard.audit.checked",
    "GROUP_ABOVE": "sdistguard.audit.checked", "human_size": "sdistguard.rules.render",
}


def __getattr__(name: str) -> Any:
    """A name of the former one-file module, from the module that holds it now; ``AttributeError`` otherwise."""
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module 'sdistguard.report' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
