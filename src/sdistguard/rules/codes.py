"""The rule registry as text: ``sdistguard codes``, all of docs/rules.md, and docs/check.md's code list.

Everything here is generated from :data:`~sdistguard.rules.FAMILIES`: the page's table from each rule's
fields, each rule's section from its ``docs`` and ``source``, each family's heading from the family.
``python -m sdistguard.rules.codes docs/rules.md docs/check.md`` rewrites docs/rules.md whole and the block
of docs/check.md between :data:`FAMILIES_BEGIN` and :data:`FAMILIES_END`; a test fails when either drifts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Final

from sdistguard.rules import FAMILIES, RULES, Rule

__all__ = [
    "BEGIN", "END", "FAMILIES_BEGIN", "FAMILIES_END", "codes_markdown", "codes_text", "families_markdown",
    "main", "rules_page", "update_markdown",
]

BEGIN: Final = "<!-- codes: generated from src/sdistguard/rules/ by `python -m sdistguard.rules.codes` -->"
END: Final = "<!-- end of the generated codes -->"
FAMILIES_BEGIN: Final = "<!-- families: generated from src/sdistguard/rules/ by `python -m sdistguard.rules.codes` -->"
FAMILIES_END: Final = "<!-- end of the generated families -->"

_PAGE_HEAD: Final = """\
# Rules and codes

<!-- This page is generated from src/sdistguard/rules/ (each rule's object in its family module):
     edit the rule there and run `python -m sdistguard.rules.codes docs/rules.md docs/check.md`. -->

Every outcome of the backend and of `sdistguard check` is a finding with a code from one rule registry
(`src/sdistguard/rules/`, one module per family, one object per rule; `sdistguard codes` prints it). This page
says, for each code, its cause, its fix and its source.

## The backend's rules

Applied while walking; each has a stable code. Nothing below a directory left out whole is ever
listed, opened or stat'ed (so its files and bytes are not counted either). The markers are read only
when they are regular files (a `CACHEDIR.TAG` or `.gitignore` that is a link or a FIFO is never
opened; git does not follow a linked `.gitignore` either). A finding is reported only for what
hatchling would otherwise have shipped: a link your `exclude` already drops is not news, and does not
trip `external-links = "error"`.

**Explicit beats implicit.** The rules guard what the walk discovers on its own. What you name is
taken as asked: a `force-include` source (also one a build hook adds), an `only-include` path,
`artifacts` (also those a build hook declares), the wheel's `shared-data`, `shared-scripts` and
`extra-metadata`, `pyproject.toml`, and the files the core metadata needs (`readme`,
`license-files`, e.g. a monorepo's `LICENSE -> ../../LICENSE`) are copied in as content even when
they are links leaving the tree. A link an `artifacts` pattern takes that way is still
reported as SG201 (content from outside; `external-links = "error"` refuses it), and a link inside
a directory that `artifacts` names is not named by that: the rules apply to it. Nothing else is
named: the files hatchling force-includes into the sdist by itself (`hatch.toml`,
`hatch_build.py`, the `.gitignore` and `.hgignore` it reads) are left out as SG201 when they are
links leaving the root, and never read. Every file written, named or not (also `shared-data`,
`shared-scripts`, `extra-metadata` and an editable wheel's forced files), passes the SG401 name check.
Inside a named directory the rules still apply; its boundary is the project root when it lies inside the
project, itself otherwise. Artifacts win over exclusion patterns (root and nested `.gitignore`), as in
hatchling, but not over the venv and cache markers.

Each build prints one short report on stderr when anything was left out or rewritten (what, why,
the files and bytes it examined), and nothing when the tree was clean.

## The codes

Severity: `info` (nothing lost), `warning` (left out by the backend; a problem in a published dist), `error`
(installers refuse or crash). Every finding of the auditor counts for the exit code, whatever its severity,
except the advisory ones (the `check` column of the table below: reported, failing only when selected). Each
rule also has an effect: what happens to the path (`left out`, `rewritten`, `shipped`, `reported`, or `blocks`
the build; every code of the auditor only reports). Codes, names, severities and effects are typed
(`Literal`) in each family module of `src/sdistguard/rules/`, so mypy checks every use. The table, like this
whole page, is the registry's own text (`sdistguard codes` prints the same); a test fails when it drifts.
"""


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
        lines.append(f"       {'':<20} {'':<8} {'':<8} fix: {rule.fix}")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def codes_markdown() -> str:
    """The Markdown table of every code (code, name, severity, effect, check, reason, fix), in table order."""
    rows = ["| code | name | severity | effect | check | reason | fix |", "|---|---|---|---|---|---|---|"]
    rows.extend(
        f"| {rule.code} | {rule.name} | {rule.severity} | {rule.effect} | {_check(rule)} | {_cell(rule.reason)} "
        f"| {_cell(rule.fix)} |"
        for rule in RULES.values()
    )
    return "\n".join(rows)


def _section(rule: Rule) -> str:
    text = f"### {rule.code} {rule.name}\n{rule.docs.rstrip()}\n"
    if rule.source and "**Source:**" not in rule.docs:
        text += f"**Source:** {rule.source}.\n"
    return text


def rules_page() -> str:
    """All of docs/rules.md: the page's head, the code table, then per family its heading, its intro and one
    section per rule (``### CODE name``, the rule's ``docs``, its ``source``)."""
    parts = [_PAGE_HEAD, f"{BEGIN}\n{codes_markdown()}\n{END}\n"]
    for family in FAMILIES:
        parts.append(f"## {family.title}\n" + (f"\n{family.intro.rstrip()}\n" if family.intro else ""))
        parts.extend(_section(rule) for rule in family.rules)
    return "\n".join(parts)


def _ranges(codes: Iterable[str]) -> str:
    """``SG101, SG102, SG103, SG111`` -> ``SG101-SG103, SG111`` (consecutive numbers joined)."""
    runs: list[list[int]] = []
    for number in (int(code[2:]) for code in codes):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"SG{run[0]}" if len(run) == 1 else f"SG{run[0]}-SG{run[-1]}" for run in runs)


def families_markdown() -> str:
    """docs/check.md's list of codes by family: which fail ``sdistguard check`` by default, which are advisory."""
    rows = ["| family | fails by default | advisory (fails when selected) |", "|---|---|---|"]
    for family in FAMILIES:
        fails = _ranges(rule.code for rule in family.rules if not rule.advisory)
        advisory = _ranges(rule.code for rule in family.rules if rule.advisory)
        rows.append(f"| {family.title} | {fails or '-'} | {advisory or '-'} |")
    return "\n".join(rows)


def _replace_block(text: str, begin: str, end: str, body: str) -> str:
    head, found_begin, rest = text.partition(begin + "\n")
    _, found_end, tail = rest.partition(end)
    if not found_begin or not found_end:
        raise ValueError(f"the document needs the lines {begin!r} and {end!r}")
    return f"{head}{found_begin}{body}\n{found_end}{tail}"


def update_markdown(text: str) -> str:
    """``text`` (a Markdown document) with each generated block it holds (the code table between :data:`BEGIN`
    and :data:`END`, the families between :data:`FAMILIES_BEGIN` and :data:`FAMILIES_END`, each marker on a line
    of its own) rewritten from the registry; raises ``ValueError`` when it holds neither block."""
    if BEGIN not in text and FAMILIES_BEGIN not in text:
        raise ValueError(f"the document needs the lines {BEGIN!r} and {END!r}, or {FAMILIES_BEGIN!r} and "
                         f"{FAMILIES_END!r}")
    if BEGIN in text:
        text = _replace_block(text, BEGIN, END, codes_markdown())
    if FAMILIES_BEGIN in text:
        text = _replace_block(text, FAMILIES_BEGIN, FAMILIES_END, families_markdown())
    return text


def main(argv: list[str] | None = None) -> int:
    """Rewrite each Markdown file named in ``argv`` (default: ``sys.argv[1:]``): a file named ``rules.md``
    becomes :func:`rules_page`, any other has its generated blocks rewritten (:func:`update_markdown`);
    returns 0."""
    for path in sys.argv[1:] if argv is None else argv:
        if os.path.basename(path) == "rules.md":
            text = rules_page()
        else:
            with open(path, encoding="utf-8") as file:
                text = update_markdown(file.read())
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
