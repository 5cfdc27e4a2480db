"""``sdistguard check``: audit a built sdist or wheel from any backend, or a project directory.

Archives are hostile input. Nothing is ever extracted: an sdist is read as one gzip stream
(:mod:`~sdistguard.audit_tar`), a wheel's central directory is read and each member streamed once
to verify ``RECORD`` (:mod:`~sdistguard.audit_zip`, :mod:`~sdistguard.audit_record`). Both feed the
same :class:`~sdistguard.audit_members.MemberCollector`, which classifies member paths
(:mod:`~sdistguard.audit_layout`); an sdist's metadata is checked last (:mod:`~sdistguard.audit_sdist`).
Memory and time are bounded by :class:`Limits`; when a limit is hit the audit stops with an
``SG590`` finding instead of running on.

The checks follow what installers refuse (PEP 706's ``data`` filter, pip, uv), the sdist format
(PEP 625 names, PEP 643 ``Metadata-Version``, PEP 639 license files, PEP 721) and the wheel format
(``RECORD``). Codes are the backend's own (:data:`sdistguard.rules.RULES`) wherever one fits.

Public entry points: :func:`audit` (findings only) and :func:`audit_report` (findings, counts and
the size summary). This module only dispatches; each step lives in its own module.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Final

from sdistguard.audit_base import AuditResult, DirectorySize, Limits, describe, input_is_directory, sort_key
from sdistguard.audit_members import MemberCollector
from sdistguard.audit_sdist import check_sdist_metadata, project_name
from sdistguard.audit_tar import read_sdist
from sdistguard.audit_zip import read_wheel
from sdistguard.errors import HATCHLING_USER_ERRORS, InputError, SdistguardError, raised_by
from sdistguard.rules import PYPI_FILE_LIMIT, Finding, finding

__all__ = ["AuditResult", "DirectorySize", "Limits", "audit", "audit_report"]


def audit(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    allow_secrets: Sequence[str] = (),
    scan_content: bool = True,
) -> list[Finding]:
    """Audit an sdist (``.tar.gz``), a wheel (``.whl``) or a project directory; return the findings.

    Findings are sorted by path, then code. Raises :class:`~sdistguard.errors.InputError` when
    ``path`` is missing, not a regular file or a directory (a FIFO, a device: never opened), of
    another kind, or unreadable from its first bytes on. Damage found later is a finding
    (``SG591``), so what was read before it is still reported.

    ``allow_secrets``: gitignore-style patterns, relative to the sdist's top-level directory or the
    wheel's root, of members whose content is not scanned for secrets (``[tool.sdistguard]
    allow-secrets``: throwaway test keys shipped on purpose). ``scan_content=False`` skips the SG602
    content scan altogether (to measure its cost; names are still checked).
    """
    return audit_report(path, limits=limits, allow_secrets=allow_secrets, scan_content=scan_content).findings


def audit_report(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    allow_secrets: Sequence[str] = (),
    scan_content: bool = True,
) -> AuditResult:
    """Like :func:`audit`, with member counts and the size summary (:class:`AuditResult`).

    An archive whose file is larger than :data:`LARGE_ARTIFACT` bytes gets an SG610 finding at path ``""``.
    """
    text = os.fspath(path)
    limits = limits or Limits()
    if input_is_directory(text):
        return _audit_directory(text)
    lower = os.path.basename(text).lower()
    if lower.endswith(".whl"):
        collector = MemberCollector(sdist=False, limits=limits, allow_secrets=allow_secrets, scan_content=scan_content)
        return _with_size(text, _audit_wheel(text, collector))
    if lower.endswith((".tar.gz", ".tgz")):
        collector = MemberCollector(sdist=True, limits=limits, allow_secrets=allow_secrets, scan_content=scan_content)
        return _with_size(text, _audit_sdist(text, collector))
    raise InputError(f"{text}: not an sdist (.tar.gz), a wheel (.whl) or a project directory")


LARGE_ARTIFACT: Final = PYPI_FILE_LIMIT
"""PyPI's default upload limit per file: warehouse's ``MAX_FILESIZE`` (100 MiB); a larger file is
refused at upload unless the project asked PyPI for a higher limit."""


def _with_size(path: str, result: AuditResult) -> AuditResult:
    """Add SG610 when the archive file at ``path`` is larger than :data:`LARGE_ARTIFACT`."""
    size = os.path.getsize(path)
    if size > LARGE_ARTIFACT:
        detail = f"{size} bytes, over PyPI's default limit of {LARGE_ARTIFACT} bytes (100 MiB) per file"
        result.findings = sorted([*result.findings, finding("large-artifact", "", detail)], key=sort_key)
    return result


def _audit_sdist(path: str, collector: MemberCollector) -> AuditResult:
    """Stream the sdist once, then check its metadata unless a limit or damage cut the stream."""
    read_sdist(path, collector)
    findings = collector.finish(project_name(collector.pkg_info, collector.top))
    if not collector.stopped:
        metadata = check_sdist_metadata(path, collector.pkg_info, collector.top, collector.files)
        findings = sorted([*findings, *metadata], key=sort_key)
    return AuditResult(path, "sdist", findings, collector.members, collector.size, collector.largest())


def _audit_wheel(path: str, collector: MemberCollector) -> AuditResult:
    """Read the wheel's members and verify RECORD; its ``*.egg-info`` of its own name is not foreign."""
    project = read_wheel(path, collector)
    findings = collector.finish(project)
    return AuditResult(path, "wheel", findings, collector.members, collector.size, collector.largest())


def _audit_directory(root: str) -> AuditResult:
    """Ask the backend what it would leave out of ``root`` and why, without building."""
    from sdistguard.builders import preview

    if not os.path.isfile(os.path.join(root, "pyproject.toml")):
        raise InputError(f"{root}: a project directory needs a pyproject.toml")
    try:
        findings, blocking = preview(root)
    except SdistguardError:
        raise
    except HATCHLING_USER_ERRORS as error:
        if raised_by(error) != "hatchling" and not isinstance(error, OSError):
            raise  # a bug, not the project: keep the traceback
        raise InputError(f"{root}: hatchling cannot read this project: {describe(error)}") from None
    return AuditResult(path=root, kind="directory", findings=sorted(findings, key=sort_key), refused=blocking)
