"""The rule registry as text: ``sdistguard codes`` and the code table of docs/rules.md, both from :data:`RULES`.

The docs' table sits between :data:`BEGIN` and :data:`END`; ``python -m sdistguard.rules.codes docs/rules.md``
rewrites it from the registry, and a test fails when the file drifts from it.
"""

from __future__ import annotations

import sys
from typing import Final

from sdistguard.rules import RULES, Rule

__all__ = ["BEGIN", "END", "codes_markdown", "codes_text", "main", "update_markdown"]

BEGIN: Final = "<!-- codes: generated from src/sdistguard/rules/ by `python -m sdistguard.rules.codes` -->"
END: Final = "<!-- end of the generated codes -->"


def _check(rule: Rule) -> str:
    return "advisory" if rule.advisory else "fails"


def codes_text() -> str:
    """What ``sdistguard codes`` prints: every code with its name, severity, check column, reason and fix."""
    lines = [
        "check: \"fails\" = a finding with this code makes `sdistguard check` exit 1 by default; "
        "\"advisory\" = reported only",
        "(with --select or [tool.sdistguard.check] select, every selected code fails)",
        "",
    ]
    for rule in RULES.values():
        lines.append(f"{rule.code}  {rule.name:<20} {rule.severity:<8} {_check(rule):<8} {rule.reason}")
        lines.append(f"       {'':<20} {'':<8} {'':<8} fix: {rule.hint}")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def codes_markdown() -> str:
    """The Markdown table of every code (code, name, severity, effect, check, reason, fix), in table order."""
    rows = ["| code | name | severity | effect | check | reason | fix |", "|---|---|---|---|---|---|---|"]
    rows.extend(
        f"| {rule.code} | {rule.name} | {rule.severity} | {rule.effect} | {_check(rule)} | {_cell(rule.reason)} "
        f"| {_cell(rule.hint)} |"
        for rule in RULES.values()
    )
    return "\n".join(rows)


def update_markdown(text: str) -> str:
    """``text`` (a Markdown document holding :data:`BEGIN` and :data:`END` on lines of their own) with the
    table between them replaced by :func:`codes_markdown`; raises ``ValueError`` when a marker is missing."""
    head, begin, rest = text.partition(BEGIN + "\n")
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"the document needs the lines {BEGIN!r} and {END!r}")
    return f"{head}{begin}{codes_markdown()}\n{end}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the code table of each Markdown file named in ``argv`` (default: ``sys.argv[1:]``); returns 0."""
    for path in sys.argv[1:] if argv is None else argv:
        with open(path, encoding="utf-8") as file:
            text = file.read()
        with open(path, "w", encoding="utf-8") as file:
            file.write(update_markdown(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
