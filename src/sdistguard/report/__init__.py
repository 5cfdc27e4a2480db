"""The report formats, one module per format; importing this package imports none of them.

- :mod:`~sdistguard.report.summary`: the build's stderr summary and a refused build's lines (the only
  module a build imports, and only when it has findings)
- :mod:`~sdistguard.report.table`: ``sdistguard check``'s table (the default ``--format``)
- :mod:`~sdistguard.report.json`: ``--format json``; :mod:`~sdistguard.report.github`: ``--format github``;
  :mod:`~sdistguard.report.sarif`: ``--format sarif`` (``--format jsonl`` is :mod:`sdistguard.index.jsonl`)
- :mod:`~sdistguard.report.lines`: what ``github`` and ``sarif`` share (a finding's location and message)

What they render, one input as ``check`` judged it, is :class:`sdistguard.audit.checked.CheckedInput`.
"""

from __future__ import annotations

__all__: list[str] = []
