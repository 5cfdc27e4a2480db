"""What the per-finding formats (``github``, ``sarif``) share: where a finding is, and its one-line message."""

from __future__ import annotations

import posixpath

from sdistguard.audit.checked import CheckedInput
from sdistguard.rules import Finding
from sdistguard.rules.render import counts, printable

__all__ = ["finding_location", "finding_message"]


def finding_location(item: CheckedInput, found: Finding) -> tuple[str, str]:
    """(file, member): the file to annotate and, for an archive, the member path inside it."""
    path = item.result.path
    if item.result.kind == "directory":
        return posixpath.join(path.replace("\\", "/"), found.path) if found.path else path, ""
    return path, found.path


def finding_message(item: CheckedInput, found: Finding) -> str:
    """One line: code, member (for an archive), reason, what triggered it, and the fix."""
    where = f"{printable(found.path)}: " if item.result.kind != "directory" and found.path else ""
    detail = "; ".join(part for part in (counts(found.files, found.size), printable(found.detail)) if part)
    text = f"{found.code} {found.rule.name}: {where}{found.rule.reason}" + (f" [{detail}]" if detail else "")
    return f"{text}. Fix: {item.fix(found.code)}"
