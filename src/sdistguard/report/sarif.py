"""``sdistguard check --format sarif``: one SARIF 2.1.0 log (OASIS standard), for code scanning uploads."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from sdistguard.audit.checked import CheckedInput
from sdistguard.report.lines import finding_location, finding_message
from sdistguard.rules import RULES, Severity
from sdistguard.rules.render import printable

if TYPE_CHECKING:
    from sdistguard.audit.base import AuditResult

__all__ = ["format_check_sarif"]


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
                    "message": {"text": printable(result.error)},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(result.path, quote)}}}],
                }
            )
            continue
        for found, fail in zip(result.findings, item.fails, strict=True):
            file, member = finding_location(item, found)
            location: dict[str, object] = {"physicalLocation": {"artifactLocation": {"uri": _uri(file, quote)}}}
            if member:
                location["logicalLocations"] = [
                    {"fullyQualifiedName": printable(member), "kind": "member"}
                ]
            results.append(
                {
                    "ruleId": found.code,
                    "ruleIndex": index[found.code],
                    "level": "error" if fail else "warning",
                    "message": {"text": finding_message(item, found)},
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
    text = printable(path).replace("\\", "/")
    return quote(text, safe="/") if not text.startswith("/") else "file://" + quote(text, safe="/")
