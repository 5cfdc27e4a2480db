"""The per-backend audit policy of ``sdistguard check``: what is reported, what fails, which fix is shown.

An archive is audited as it is; a project directory is judged by the backend its pyproject.toml names
(sdistguard: what would stop its build; hatchling: what hatchling's own sdist of the tree would hold;
any other backend: refused, since only building it says what it ships). ``selection`` is the
command's :class:`~sdistguard.core.config.CheckSelection`; the fixes come from :mod:`sdistguard.audit.hints`.
"""

from __future__ import annotations

import os

from sdistguard.audit.base import Limits
from sdistguard.audit.checked import CheckedInput, FindingGroup, group_findings
from sdistguard.audit.hints import LEAVE_OUT_CODES, leave_out_fix, project_backend
from sdistguard.audit.run import audit_report
from sdistguard.core.config import CheckSelection
from sdistguard.core.errors import InputError

__all__ = ["check_directory", "check_input"]


def check_input(path: str, selection: CheckSelection, limits: Limits) -> CheckedInput:
    """Audit one input of ``sdistguard check`` (an sdist, a wheel, or a project directory: :func:`check_directory`).

    Returns a :class:`CheckedInput` with the findings ``selection`` reports, which of them fail, and, for
    an archive built by another backend, each leave-out fix in that backend's terms (naming the table's
    rows: a group's directory stands for the paths below it). Raises :class:`InputError` for an input
    that cannot be read and :class:`~sdistguard.core.errors.ConfigError` for a project's bad settings.
    """
    if os.path.isdir(path):
        return check_directory(path, selection)
    result = audit_report(path, limits=limits, allow_secrets=selection.allow_secrets)
    result.findings = selection.apply(result.findings)
    fails = tuple(selection.fails(found.code) for found in result.findings)
    leave_out: dict[str, list[str]] = {}
    for row in group_findings(result.findings):  # a group's directory stands for the paths below it
        if row.code in LEAVE_OUT_CODES:
            leave_out.setdefault(row.code, []).append(row.directory if isinstance(row, FindingGroup) else row.path)
    built_by = result.built_by if leave_out else None  # read in the audit's one pass
    fixes: dict[str, str] = {}
    if built_by is None or built_by.name != "sdistguard":
        backend = built_by.name if built_by else None
        fixes = {code: leave_out_fix(backend, paths, result.kind) for code, paths in leave_out.items()}
    return CheckedInput(result, fails, built_by, fixes)


def check_directory(root: str, selection: CheckSelection) -> CheckedInput:
    """A project directory (``root``, holding a pyproject.toml), judged by its configured backend.

    sdistguard: only what would stop its build (as the build decides). hatchling: what hatchling's own
    sdist of the tree would hold that the auditor flags, with the files and bytes hatchling would ship
    (the auditor's findings on that sdist, plus git's view of the tree). Any other backend: an :class:`InputError`
    (its file selection is its own; build the sdist and check that).
    """
    if not os.path.isfile(os.path.join(root, "pyproject.toml")):
        raise InputError(f"{root}: a project directory needs a pyproject.toml")
    built_by = project_backend(root)
    if built_by.name not in ("hatchling", "sdistguard"):
        raise InputError(
            f"{root}: builds with {built_by.name} ({built_by.evidence}); `sdistguard check DIR` predicts only "
            f"hatchling and sdistguard builds without running them: run `sdistguard check --build {root}`, "
            f"which builds it with its own backend (running the project's build code) and audits the artifacts"
        )
    result = audit_report(root, as_hatchling=built_by.name == "hatchling", allow_secrets=selection.allow_secrets)
    findings = selection.apply(result.findings)
    notes: list[str] = []
    if built_by.name == "sdistguard":  # the build's own decision (blocking_findings), whatever is selected
        blocking = result.refused
        left_out = len(result.findings) - len(blocking)
        if left_out:
            notes.append(
                f"the build leaves out or rewrites {left_out} path(s) as intended (its stderr report "
                "lists them); only what would stop the build is shown"
            )
        result.findings = blocking
        return CheckedInput(result, tuple(True for _ in blocking), built_by, {}, notes)
    counted = findings  # counted over hatchling's own selection (sdistguard.builders.shipped)
    result.findings = counted
    result.refused = []  # what would stop an sdistguard build is no news for a hatchling project
    fails = tuple(selection.fails(found.code) for found in counted)
    failing = {found.path for found, fail in zip(counted, fails, strict=True) if fail}
    shipped = sorted(path for path in failing  # a path below a failing directory goes with it
                     if not any(path != other and path.startswith(other) for other in failing if other.endswith("/")))
    fixes = {"*": leave_out_fix("hatchling", shipped, "directory")} if shipped else {}
    return CheckedInput(result, fails, built_by, fixes, notes, would_ship="hatchling")
