"""The one text of a finding: what the build's report, a refused build and the auditor print.

A finding reads ``CODE path: reason (detail)``, and a finding that stops a build adds
``; fix: hint``. Paths and details are escaped by :func:`printable`, so a file name cannot
forge lines. This module sits just above :mod:`sdistguard.rules` and imports nothing else of
sdistguard, so errors, report formats and the auditor can all use it without a cycle.
"""

from __future__ import annotations

from sdistguard.rules import Finding

__all__ = ["counts", "finding_line", "human_size", "printable"]


def printable(text: str) -> str:
    """``text`` safe for a terminal or JSON: undecodable bytes as ``\\xNN``, control characters escaped.

    A file name read from disk can hold any byte but ``/`` and NUL; its undecodable bytes arrive as
    surrogate escapes (``\\udcff``) and are shown as ``\\xff``; a newline is shown as ``\\n``.
    """
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


_UNITS = ("kB", "MB", "GB", "TB", "PB", "EB")


def human_size(size: int) -> str:
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


def counts(files: int, size: int) -> str:
    """``"12 files, 1.2 kB"`` for what a finding counted (``size`` in bytes), ``""`` when it counted nothing."""
    if not files and not size:
        return ""
    return f"{files:,} file{'s' if files != 1 else ''}, {human_size(size)}"


def finding_line(found: Finding, *, fix: bool = False) -> str:
    """One line for ``found``: ``CODE path: reason (counts; detail)``, then ``; fix: hint`` when ``fix``.

    ``path`` is the finding's (relative to the project root or the archive's top level; ``(archive)``
    when it names the whole artifact); the
    detail, when there is one, says what made the rule fire. Used by the build's summary, the
    message of :class:`sdistguard.core.errors.TreeError` and the auditor's table.
    """
    parts = [part for part in (counts(found.files, found.size), printable(found.detail)) if part]
    detail = f" ({'; '.join(parts)})" if parts else ""
    line = f"{found.code} {printable(found.path) or '(archive)'}: {found.rule.reason}{detail}"
    return f"{line}; fix: {found.rule.hint}" if fix else line
