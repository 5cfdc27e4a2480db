"""One audit, top-down: pick the reader, feed its members to the collector, add the other checks.

An sdist (:func:`audit_sdist`) is one pass over its tar stream; a wheel (:func:`audit_wheel`) is its
``RECORD`` first, then one pass over its members, each opened at most once for its head, its hash and
the secret scan together; a project directory asks the backend (:func:`sdistguard.builders.preview`).
Every finding goes to the one :class:`~sdistguard.audit.collector.Collector`, which sorts them once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from typing import Final

from sdistguard.audit.base import (
    TAR_ERRORS,
    ZIP_ERRORS,
    AuditResult,
    Damaged,
    InputKind,
    LimitReached,
    Limits,
    describe,
    input_is_directory,
    sort_key,
)
from sdistguard.audit.collector import Collector
from sdistguard.audit.metadata import check_sdist_metadata, parse_pkg_info, project_name
from sdistguard.audit.pypi import (
    SMALL_MEMBER_LIMIT,
    WheelFacts,
    check_polyglot,
    check_upload_filename,
    check_wheel,
    check_wheel_members,
    small_members,
)
from sdistguard.audit.record import (
    Expected,
    Record,
    check_member,
    expect,
    listed,
    missing_members,
    new_hasher,
    read_record,
)
from sdistguard.audit.record import project_directory as record_directory
from sdistguard.audit.tar import SPARSE_REFUSED, SparseMember, sdist_members
from sdistguard.audit.zip import Content, Wheel, open_wheel
from sdistguard.audit.zipframe import FRAMING_HELP, MALFORMED, framing_problem
from sdistguard.core.errors import InputError, project_errors
from sdistguard.rules import PYPI_FILE_LIMIT, Finding, finding
from sdistguard.rules.credentials import SecretScanner
from sdistguard.rules.sizes import over_pypi_limit

__all__ = ["LARGE_ARTIFACT", "audit", "audit_report", "audit_sdist", "audit_wheel"]

LARGE_ARTIFACT: Final = PYPI_FILE_LIMIT
"""PyPI's default upload limit per file: warehouse's ``MAX_FILESIZE`` (100 MiB); a larger file is
refused at upload unless the project asked PyPI for a higher limit."""


def audit(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    allow_secrets: Sequence[str] = (),
    scan_content: bool = True,
) -> list[Finding]:
    """Audit an sdist (``.tar.gz``), a wheel (``.whl``) or a project directory; return the findings.

    Findings are sorted by path, then code. Raises :class:`~sdistguard.core.errors.InputError` when
    ``path`` is missing, not a regular file or a directory (a FIFO, a device: never opened), of
    another kind, or unreadable from its first bytes on. Damage found later is a finding
    (``corrupt-archive``), so what was read before it is still reported.

    ``allow_secrets``: gitignore-style patterns, relative to the sdist's top-level directory or the
    wheel's root, of members whose content is not scanned for secrets (``[tool.sdistguard]
    allow-secrets``: throwaway test keys shipped on purpose). ``scan_content=False`` skips the
    ``secret`` content scan altogether (to measure its cost; names are still checked).
    """
    return audit_report(path, limits=limits, allow_secrets=allow_secrets, scan_content=scan_content).findings


def audit_report(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    allow_secrets: Sequence[str] = (),
    scan_content: bool = True,
    as_hatchling: bool = False,
) -> AuditResult:
    """Like :func:`audit`, with member counts, the size summary and the builder (:class:`AuditResult`).

    ``as_hatchling``: a project directory is judged as hatchling would build it (what its sdist
    would hold that the auditor flags), not as sdistguard's build would.

    An archive whose file is larger than :data:`LARGE_ARTIFACT` bytes gets a ``large-artifact`` finding
    at path ``""``. Raises :class:`~sdistguard.core.errors.InputError` as :func:`audit` does.
    """
    text = os.fspath(path)
    limits = limits or Limits()
    if input_is_directory(text):
        return _audit_directory(text, hatchling=as_hatchling, allow_secrets=allow_secrets)
    lower = os.path.basename(text).lower()
    if lower.endswith(".whl"):
        return audit_wheel(text, Collector(False, limits, allow_secrets, scan_content))
    if lower.endswith((".tar.gz", ".tgz")):
        return audit_sdist(text, Collector(True, limits, allow_secrets, scan_content))
    raise InputError(f"{text}: not an sdist (.tar.gz), a wheel (.whl) or a project directory")


def audit_sdist(path: str, collector: Collector) -> AuditResult:
    """Audit the sdist at ``path``: one pass over its members, then its metadata (PEP 625/643/639).

    The metadata is checked unless a limit or damage cut the stream. Raises
    :class:`~sdistguard.core.errors.InputError` when the file is no gzip-compressed tar from its first bytes on.
    """
    collector.report(check_upload_filename(os.path.basename(path), "sdist"))
    collector.report(check_polyglot(path, "sdist"))
    try:
        with contextlib.closing(sdist_members(path, collector.limits, collector.head_size)) as members:
            for member, content in members:
                where = collector.add(member)
                scanner = collector.scanner(where) if content is not None else None
                if content is not None and scanner is not None and where is not None:
                    scanner.feed(member.head)
                    for chunk in content:
                        scanner.feed(chunk)
                    collector.secrets(where, scanner.finish(), scanner.pointer)
    except SparseMember as sparse:
        name = sparse.name
        if collector.top and name.startswith(f"{collector.top}/"):
            name = name[len(collector.top) + 1 :]
        collector.report([finding("sparse-member", name, SPARSE_REFUSED)])
        collector.stop(str(sparse))
    except LimitReached as stop:
        collector.stop(str(stop))
    except Damaged as damage:
        collector.corrupt(str(damage))
    except TAR_ERRORS as error:
        collector.corrupt(describe(error))
    pkg_info = parse_pkg_info(collector.pkg_info)
    if not collector.stopped:
        collector.report(check_sdist_metadata(path, pkg_info, collector.top, collector.files))
    _check_size(path, collector)
    findings = collector.finish(project_name(pkg_info.name, collector.top))
    return _result(path, "sdist", findings, collector)


def audit_wheel(path: str, collector: Collector) -> AuditResult:
    """Audit the wheel at ``path``: its RECORD, then one pass over its members (PEP 427, RECORD per PEP 376).

    Each member is opened at most once: its head, its RECORD hash and the secret scan share one read
    (RECORD itself is read once, to parse it). Bytes hashed or scanned count against
    ``Limits.max_bytes``: past it, one ``audit-limit`` finding and no more hashing. Raises
    :class:`~sdistguard.core.errors.InputError` when the file cannot be opened. A file that Python's ``zipfile``
    cannot read as a zip is no input error: PyPI refuses it (``_is_valid_dist_file``: "File is not a
    zipfile", or ``validate_zipfile``'s framing answer), so it gives ``zip-framing`` and ``corrupt-archive``.
    """
    limits = collector.limits
    collector.report(check_upload_filename(os.path.basename(path), "wheel"))
    collector.report(check_polyglot(path, "wheel"))
    try:
        wheel = open_wheel(path, limits)
    except LimitReached as stop:
        collector.stop(str(stop))
        _check_size(path, collector)
        return _result(path, "wheel", collector.finish(None), collector)
    except InputError as error:  # zipfile cannot read it: PyPI refuses it too (no audit past this point)
        collector.report(_unreadable_zip(path, error))
        return _result(path, "wheel", collector.finish(None), collector)
    with wheel:
        collector.report(_pypi_wheel_checks(path, wheel))
        record, problems = read_record(wheel, path, limits.max_members)
        collector.report(problems)
        if record.overflow:
            collector.stop(record.overflow)
        budget = _Budget(limits.max_bytes)
        seen: set[str] = set()
        try:
            for member, content in wheel.members(collector.head_size):
                where = collector.add(member)
                if content is None:
                    continue
                seen.add(member.name)
                row, unlisted = listed(record, member.name)
                collector.report(unlisted)
                if budget.spent:
                    continue
                expected, refused = expect(member.name, row)
                collector.report(refused)
                scanner = collector.scanner(where) if member.kind == "file" else None
                collector.report(_read_member(member.name, member.head, content, expected, scanner, budget))
                if scanner is not None and where is not None:
                    collector.secrets(where, scanner.finish(), scanner.pointer)
        except LimitReached as stop:
            collector.stop(str(stop))
        if not collector.stopped:
            collector.report(missing_members(record, seen))
    _check_size(path, collector)
    findings = collector.finish(_wheel_project(record))
    return _result(path, "wheel", findings, collector)


def _unreadable_zip(path: str, error: InputError) -> list[Finding]:
    """``zip-framing`` and ``corrupt-archive`` for a ``.whl`` that ``zipfile`` refuses (``error`` says why).

    The framing detail is warehouse's answer: "File is not a zipfile" when ``zipfile.is_zipfile`` finds
    no end record (``forklift/legacy.py`` ``_is_valid_dist_file``), else the first framing rule the bytes
    break (:func:`~sdistguard.audit.zipframe.framing_problem`, read without a central directory).
    """
    import zipfile

    reason = "File is not a zipfile"
    if zipfile.is_zipfile(path):
        with open(path, "rb") as raw:
            reason = f"ZIP archive not accepted: {framing_problem(raw, {}) or MALFORMED}. {FRAMING_HELP}"
    because = str(error).removeprefix(f"{path}: ")
    return [finding("zip-framing", "", reason), finding("corrupt-archive", "", because)]


def _pypi_wheel_checks(path: str, wheel: Wheel) -> list[Finding]:
    """What PyPI refuses in the wheel at ``path`` (:mod:`~sdistguard.audit.pypi`, :mod:`~sdistguard.audit.zipframe`).

    ``METADATA`` and ``entry_points.txt`` are read here, up to :data:`~sdistguard.audit.pypi.SMALL_MEMBER_LIMIT`
    bytes each, and kept by the wheel, so the member pass does not read them again.
    """
    size = os.path.getsize(path)
    found: list[Finding] = []
    if wheel.framing is not None:
        found.append(finding("zip-framing", "", f"ZIP archive not accepted: {wheel.framing}. {FRAMING_HELP}"))
    found.extend(check_wheel_members(wheel.infos, size))
    by_name = {info.filename: info for info in wheel.infos}  # the last of duplicates, as zipfile.read finds it
    contents: list[bytes | None] = []
    for name in small_members(os.path.basename(path)):
        info = by_name.get(name)
        data: bytes | None = None
        if info is not None and not info.is_dir() and info.file_size <= SMALL_MEMBER_LIMIT:
            try:
                data = wheel.read(info, SMALL_MEMBER_LIMIT + 1)
            except ZIP_ERRORS:
                data = None  # the member pass reports the damage
        contents.append(data if data is not None and len(data) <= SMALL_MEMBER_LIMIT else None)
    metadata, entry_points = [*contents, None, None][:2]
    found.extend(check_wheel(os.path.basename(path), by_name, WheelFacts(size, metadata, entry_points)))
    return found


class _Budget:
    """Bytes a wheel audit may still hash or scan (``Limits.max_bytes``); :attr:`spent` once passed."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.spent = False

    def take(self, size: int) -> bool:
        """Count ``size`` bytes; False (and :attr:`spent`) when that passes the limit."""
        self.used += size
        self.spent = self.used > self.limit
        return not self.spent


def _read_member(
    name: str,
    head: bytes,
    content: Content,
    expected: Expected | None,
    scanner: SecretScanner | None,
    budget: _Budget,
) -> list[Finding]:
    """Hash the member ``name`` for RECORD and feed ``scanner``, in its one read; return the findings.

    Nothing is read when neither is wanted. ``audit-limit`` when the budget runs out (this and later
    members are not verified), ``corrupt-archive`` when the member cannot be read, else
    :func:`~sdistguard.audit.record.check_member`.
    """
    if expected is None and scanner is None:
        return []
    hasher = new_hasher(expected) if expected is not None else None
    size = 0
    try:
        for chunk in _chunks(head, content):
            size += len(chunk)
            if not budget.take(len(chunk)):
                detail = f"hashed more than {budget.limit} bytes; this and later members not verified"
                return [finding("audit-limit", name, detail)]
            if hasher is not None:
                hasher.update(chunk)
            if scanner is not None:
                scanner.feed(chunk)
    except ZIP_ERRORS as error:
        return [finding("corrupt-archive", name, describe(error))]
    if expected is None or hasher is None:
        return []
    return check_member(name, expected, size, hasher.digest())


def _chunks(head: bytes, content: Iterable[bytes]) -> Iterable[bytes]:
    if head:
        yield head
    yield from content


def _wheel_project(record: Record) -> str | None:
    return project_name("", record_directory(record))


def _check_size(path: str, collector: Collector) -> None:
    """``large-artifact`` when the archive file at ``path`` is larger than :data:`LARGE_ARTIFACT`."""
    detail = over_pypi_limit(os.path.getsize(path))  # the build's SG610 says the same
    if detail is not None:
        collector.report([finding("large-artifact", "", detail)])


def _result(path: str, kind: InputKind, findings: list[Finding], collector: Collector) -> AuditResult:
    return AuditResult(
        path, kind, findings, collector.members, collector.size, collector.largest(), built_by=collector.built_by
    )


def _audit_directory(root: str, *, hatchling: bool = False, allow_secrets: Sequence[str] = ()) -> AuditResult:
    """Ask the backend what it would leave out of ``root`` and why, without building or running project code.

    No metadata hook, build hook or executing version source runs, and git runs no repository
    config (:func:`sdistguard.builders.preview_builder`, :mod:`sdistguard.git.vcs`); what cannot be
    known so is named in the result's ``project``. ``hatchling``: instead, what hatchling's own sdist
    of ``root`` would hold that the auditor flags (:func:`sdistguard.audit.shipped.preview_hatchling`;
    ``refused`` is then empty).
    """
    from sdistguard.audit.shipped import preview_hatchling
    from sdistguard.builders import preview, preview_project

    if not os.path.isfile(os.path.join(root, "pyproject.toml")):
        raise InputError(f"{root}: a project directory needs a pyproject.toml")
    with project_errors(root=root):  # a bug, not the project, keeps its traceback
        findings, blocking = (preview_hatchling(root, allow_secrets), []) if hatchling else preview(root)
        project = preview_project(root)
    return AuditResult(
        path=root, kind="directory", findings=sorted(findings, key=sort_key), refused=blocking, project=project
    )
