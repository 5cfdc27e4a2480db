"""Rendering findings: the backend's stderr summary (and the auditor's table and JSON)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from sdistguard.render import counts as _counts
from sdistguard.render import finding_line, human_size, printable
from sdistguard.rules import RULES, Code, Finding, Severity, left_out

if TYPE_CHECKING:
    from sdistguard.audit import AuditResult
    from sdistguard.hints import BuiltBy

__all__ = [
    "CHECK_REPORT_VERSION",
    "GROUP_ABOVE",
    "CheckedInput",
    "FindingGroup",
    "describe_blocking",
    "format_build_summary",
    "format_check_github",
    "format_check_json",
    "format_check_sarif",
    "format_check_table",
    "group_findings",
    "human_size",
]

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
    """One line for a finding that blocks a build: :func:`sdistguard.render.finding_line` with the fix."""
    return finding_line(found, fix=True)


# --------------------------------------------------------------------------- sdistguard check


_printable = printable
"""The one escaping function of sdistguard's reports (:func:`sdistguard.render.printable`)."""

GROUP_ABOVE = 5
"""More findings than this of one code under one top-level directory share one table row."""


@dataclass
class CheckedInput:
    """One input of ``sdistguard check``, ready to render.

    ``result`` holds the selected findings; ``fails`` says, per finding, whether it makes the check
    exit 1 (an advisory one does not). ``built_by`` is the backend the archive or project names (or
    ``None``); ``fixes`` maps a code (or ``"*"`` for all) to a fix in that backend's terms, replacing
    the rule's own hint. ``notes`` are extra lines for the table; ``would_ship`` names the backend
    whose build would ship the findings' paths (a project directory that does not build with sdistguard).
    """

    result: AuditResult
    fails: tuple[bool, ...] = ()
    built_by: BuiltBy | None = None
    fixes: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    would_ship: str | None = None

    @classmethod
    def of(cls, item: CheckedInput | AuditResult) -> CheckedInput:
        """``item`` itself, or a bare :class:`AuditResult` as one whose every finding fails."""
        if isinstance(item, CheckedInput):
            return item
        return cls(item, tuple(True for _ in item.findings))

    def fix(self, code: Code) -> str:
        """The fix for ``code``: the backend's own when known, else the rule's hint."""
        return self.fixes.get(code) or self.fixes.get("*") or RULES[code].hint


@dataclass(frozen=True)
class FindingGroup:
    """Findings of one ``code`` that share a top-level directory, shown as one row at ``directory``.

    ``directory`` is the deepest directory (ending with ``/``) holding every finding's path;
    ``findings`` are in report order, the first serving as the example.
    """

    code: Code
    directory: str
    findings: tuple[Finding, ...]

    @property
    def files(self) -> int:
        """The sum of the findings' file counts."""
        return sum(found.files for found in self.findings)

    @property
    def size(self) -> int:
        """The sum of the findings' bytes."""
        return sum(found.size for found in self.findings)


def group_findings(findings: Sequence[Finding], above: int = GROUP_ABOVE) -> list[Finding | FindingGroup]:
    """Fold the findings of one code under one top-level directory into a group when there are more than ``above``.

    ``findings`` are in report order (by path, then code); a group takes the place of its first
    finding. A finding whose path has no ``/`` (a top-level file, the archive itself) is never
    grouped; ``above`` 0 or less groups nothing. The findings themselves are not changed.
    """
    buckets: dict[tuple[Code, str], list[Finding]] = {}
    for found in findings:
        top, slash, _ = found.path.partition("/")
        if slash and above > 0:
            buckets.setdefault((found.code, top + "/"), []).append(found)
    groups: dict[int, FindingGroup] = {}
    for members in buckets.values():
        if len(members) > above:
            group = FindingGroup(members[0].code, _common_directory(members), tuple(members))
            groups.update((id(found), group) for found in members)
    rows: list[Finding | FindingGroup] = []
    shown: set[int] = set()
    for found in findings:
        owner = groups.get(id(found))
        if owner is None:
            rows.append(found)
        elif id(owner) not in shown:
            shown.add(id(owner))
            rows.append(owner)
    return rows


def _common_directory(findings: Sequence[Finding]) -> str:
    """The deepest directory (``a/b/``, compared component by component) that every path lies in or is."""
    common = findings[0].path.split("/")[:-1]
    for found in findings[1:]:
        parts = found.path.split("/")[:-1]
        same = 0
        while same < min(len(common), len(parts)) and common[same] == parts[same]:
            same += 1
        del common[same:]
    return "/".join(common) + "/"


def format_check_table(items: Sequence[CheckedInput | AuditResult], group_above: int = GROUP_ABOVE) -> str:
    """The human report of ``sdistguard check``: one block per input, then hints and a total.

    Each finding is one row (code, path relative to the sdist's top-level directory, the wheel's root
    or the project directory, files and bytes below it, the rule's reason and what triggered it; an
    advisory finding, which does not fail the check, ends with ``(advisory)``); more than
    ``group_above`` findings of one code under one top-level directory become one row
    (:func:`group_findings`; 0 groups nothing). A block ends with the fixes in the terms of the backend
    that built the input, when it says which. Each other code's hint is printed once; the total
    counts every finding and the failing ones. An input that could not be read shows its error instead.
    """
    checked = [CheckedInput.of(item) for item in items]
    lines: list[str] = []
    codes: dict[Code, int] = {}
    generic: set[Code] = set()
    for item in checked:
        lines.extend(_table_block(item, group_above))
        for found in item.result.findings:
            codes[found.code] = codes.get(found.code, 0) + 1
            if found.code not in item.fixes and "*" not in item.fixes:
                generic.add(found.code)
    if generic:
        lines.append("hints:")
        lines.extend(f"  {code} {RULES[code].name}: {RULES[code].hint}" for code in sorted(generic))
    lines.append(_check_total(checked, codes))
    return "\n".join(lines)


def _table_block(item: CheckedInput, group_above: int) -> list[str]:
    result = item.result
    if result.error is not None:  # the message itself went to stderr, once
        return [f"{_printable(result.path)}: could not be read (the error is on stderr)", ""]
    head = f"{_printable(result.path)}: {result.kind}"
    if result.kind != "directory":
        head += f", {result.members:,} members, {human_size(result.size)}"
    if item.built_by is not None:
        head += f", built by {item.built_by.name} ({_printable(item.built_by.evidence)})"
    lines = [head + (": no findings" if not result.findings else "")]
    if item.would_ship and result.findings:
        lines.append(f"  what {item.would_ship}'s own sdist of this tree would hold, as `check` judges an sdist:")
    advisory = {id(found) for found, fail in zip(result.findings, item.fails, strict=False) if not fail}
    rows = group_findings(result.findings, group_above)
    if result.refused:  # an sdistguard project: the build's own decision and wording stand for the rows
        lines.append("  the sdist build would be refused:")
        lines.extend(f"    {describe_blocking(found)}" for found in result.refused)
        rows = []
    for row in rows:
        first = row.findings[0] if isinstance(row, FindingGroup) else row
        mark = " (advisory)" if id(first) in advisory else ""
        lines.append(f"  {_row_line(row)}{mark}")
    if rows and len(rows) < len(result.findings):
        lines.append("  (a row 'N below' stands for N findings; --format json or --group 0 lists each)")
    if result.largest:
        largest = ", ".join(f"{_printable(item.path)} {human_size(item.size)}" for item in result.largest[:5])
        lines.append(f"  largest directories: {largest}")
    lines.extend(f"  note: {note}" for note in item.notes)
    unknown = result.project.describe() if result.project is not None else None
    if unknown is not None:
        lines.append(f"  not known without running the project (the preview runs none of it): {unknown}")
    shown = sorted({found.code for found in result.findings if found.code in item.fixes or "*" in item.fixes})
    if "*" in item.fixes and shown:
        lines.append(f"  fix ({', '.join(shown)}): {item.fixes['*']}")
    else:
        lines.extend(f"  fix ({code}): {item.fixes[code]}" for code in shown)
    lines.append("")
    return lines


def _row_line(row: Finding | FindingGroup) -> str:
    """A table row: :func:`sdistguard.render.finding_line`; a group reads the same, its counts and first
    finding in the parentheses (``CODE dir/: reason (N below; counts; e.g. first: detail)``)."""
    if not isinstance(row, FindingGroup):
        return finding_line(row)
    first = row.findings[0]
    example = _printable(first.path.removeprefix(row.directory)) or "."
    example += f": {_printable(first.detail)}" if first.detail else ""
    parts = "; ".join(part for part in (f"{len(row.findings)} below", _counts(row.files, row.size), f"e.g. {example}")
                      if part)
    return f"{row.code} {_printable(row.directory)}: {RULES[row.code].reason} ({parts})"


def _check_total(checked: Sequence[CheckedInput], codes: dict[Code, int]) -> str:
    total = sum(codes.values())
    failing = sum(sum(item.fails) for item in checked)
    errors = sum(1 for item in checked if item.result.error is not None)
    count = len(checked)
    text = f"{total} finding{'s' if total != 1 else ''} in {count} input{'s' if count != 1 else ''}"
    if codes:
        text += " (" + ", ".join(f"{code} x{number}" for code, number in sorted(codes.items())) + ")"
    if total:
        text += f"; {failing} fail{'s' if failing == 1 else ''} the check" if failing else "; all advisory, none fails"
    if errors:
        text += f"; {errors} input{'s' if errors != 1 else ''} could not be read"
    refused = sum(1 for item in checked if item.result.refused)
    if refused:
        text += f"; the build of {refused} director{'ies' if refused != 1 else 'y'} would be refused"
    return text


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
    import json

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
                "path": _printable(result.path),
                "kind": result.kind,
                "members": result.members,
                "size": result.size,
                "error": result.error,
                "refused": [describe_blocking(found) for found in result.refused],
                "built_by": (
                    {"name": item.built_by.name, "evidence": _printable(item.built_by.evidence)}
                    if item.built_by
                    else None
                ),
                "findings": [
                    _finding_json(found, fail, item.fix(found.code))
                    for found, fail in zip(result.findings, item.fails, strict=True)
                ],
                "largest": [
                    {"path": _printable(entry.path), "files": entry.files, "size": entry.size}
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
        "path": _printable(found.path),
        "detail": _printable(found.detail),
        "files": found.files,
        "size": found.size,
        "reason": rule.reason,
        "hint": hint,
    }


def _location(item: CheckedInput, found: Finding) -> tuple[str, str]:
    """(file, member): the file to annotate and, for an archive, the member path inside it."""
    import posixpath

    path = item.result.path
    if item.result.kind == "directory":
        return posixpath.join(path.replace("\\", "/"), found.path) if found.path else path, ""
    return path, found.path


def _message(item: CheckedInput, found: Finding) -> str:
    """One line: code, member (for an archive), reason, what triggered it, and the fix."""
    where = f"{_printable(found.path)}: " if item.result.kind != "directory" and found.path else ""
    detail = "; ".join(part for part in (_counts(found.files, found.size), _printable(found.detail)) if part)
    text = f"{found.code} {found.rule.name}: {where}{found.rule.reason}" + (f" [{detail}]" if detail else "")
    return f"{text}. Fix: {item.fix(found.code)}"


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
            lines.append(f"::error file={_escape_property(_printable(result.path))},title=sdistguard::"
                         f"{_escape_data(_printable(result.error))}")
            continue
        for found, fail in zip(result.findings, item.fails, strict=True):
            codes[found.code] = codes.get(found.code, 0) + 1
            file, _member = _location(item, found)
            level = "error" if fail else "warning"
            title = f"sdistguard {found.code} {found.rule.name}"
            lines.append(f"::{level} file={_escape_property(_printable(file))},title={_escape_property(title)}::"
                         f"{_escape_data(_message(item, found))}")
    lines.append(_check_total(checked, codes))
    return "\n".join(lines)


_SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVELS: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "note"}


def format_check_sarif(items: Sequence[CheckedInput | AuditResult], tool_version: str, exit_code: int) -> str:
    """``sdistguard check --format sarif``: one SARIF 2.1.0 log (OASIS standard) with one run.

    The driver lists every rule (``id`` the code, ``name``, ``shortDescription`` the reason, ``help``
    the fix, ``defaultConfiguration.level`` from the severity). Each finding is a result: ``level``
    ``error`` when it fails the check, ``warning`` when it is advisory; its location is the archive
    (``artifactLocation.uri``, relative as given) with the member as a logical location, or, for a
    project directory, the path found. Unreadable inputs are tool execution notifications.
    """
    checked = [CheckedInput.of(item) for item in items]
    import json
    from urllib.parse import quote

    rules = list(RULES.values())
    index = {rule.code: number for number, rule in enumerate(rules)}
    results: list[dict[str, object]] = []
    notifications: list[dict[str, object]] = []
    for item in checked:
        result = item.result
        if result.error is not None:
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": _printable(result.error)},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(result.path, quote)}}}],
                }
            )
            continue
        for found, fail in zip(result.findings, item.fails, strict=True):
            file, member = _location(item, found)
            location: dict[str, object] = {"physicalLocation": {"artifactLocation": {"uri": _uri(file, quote)}}}
            if member:
                location["logicalLocations"] = [
                    {"fullyQualifiedName": _printable(member), "kind": "member"}
                ]
            results.append(
                {
                    "ruleId": found.code,
                    "ruleIndex": index[found.code],
                    "level": "error" if fail else "warning",
                    "message": {"text": _message(item, found)},
                    "locations": [location],
                    "properties": {"fails": fail, "files": found.files, "size": found.size},
                }
            )
    log = {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sdistguard",
                        "version": tool_version,
                        **_information_uri(),
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.name,
                                "shortDescription": {"text": rule.reason},
                                "help": {"text": rule.hint},
                                "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
                            }
                            for rule in rules
                        ],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": exit_code != 2,
                        "exitCode": exit_code,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2)


def _information_uri() -> dict[str, str]:
    """SARIF's ``informationUri``: the ``Documentation`` URL of sdistguard's installed core metadata.

    Read from the distribution's ``Project-URL`` fields (``[project.urls]`` of its pyproject.toml,
    core metadata 2.1+), so the log points where the project says its documentation is; ``{}``
    (the property is optional in SARIF 2.1.0, section 3.19.17) when the metadata names none.
    """
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("sdistguard").get_all("Project-URL") or []
    except PackageNotFoundError:
        return {}
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation" and url.strip():
            return {"informationUri": url.strip()}
    return {}


def _uri(path: str, quote: Callable[..., str]) -> str:
    """A relative or absolute file path as a URI reference (``/`` separators, percent-encoded)."""
    text = _printable(path).replace("\\", "/")
    return quote(text, safe="/") if not text.startswith("/") else "file://" + quote(text, safe="/")
