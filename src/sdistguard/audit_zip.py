"""Reading a wheel (a zip): its central directory, bounded, then each member streamed once.

A hostile central directory declaring millions of entries is refused before ``zipfile`` builds one
object per entry. Member kinds come from the Unix mode in ``external_attr``; a symlink's target is
its data (the Info-ZIP convention). Every file member is checked against ``RECORD``
(:mod:`~sdistguard.audit_record`), and its content scanned for secrets in the same read.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Callable
from typing import IO, Final

from sdistguard.audit_base import ZIP_ERRORS, LimitReached, Limits, describe, open_input
from sdistguard.audit_members import MemberCollector, MemberKind
from sdistguard.audit_record import RecordVerifier, read_record
from sdistguard.errors import InputError
from sdistguard.rules import finding

__all__ = ["read_wheel"]

_UTF8_FLAG: Final = 0x800
_LINK_TARGET_LIMIT: Final = 4096
_MODE_KINDS: Final[tuple[tuple[Callable[[int], bool], MemberKind], ...]] = (
    (stat.S_ISLNK, "symlink"),
    (stat.S_ISFIFO, "fifo"),
    (stat.S_ISCHR, "chardev"),
    (stat.S_ISBLK, "blockdev"),
)


def read_wheel(path: str, collector: MemberCollector) -> str | None:
    """Feed every member of the wheel at ``path`` to ``collector`` and verify ``RECORD``.

    Returns the project name from the ``*.dist-info`` directory (``None`` without a RECORD).
    Raises :class:`~sdistguard.errors.InputError` when the file cannot be opened or is not a zip
    archive; limits (SG590), damaged members (SG591) and RECORD problems (SG530, SG531) are
    recorded on the collector.
    """
    with open_input(path) as raw:
        too_large = _central_directory_too_large(raw, collector.limits)
        if too_large:
            collector.stop(too_large)
            return None
        try:
            archive = zipfile.ZipFile(raw)
        except ZIP_ERRORS as error:
            raise InputError(f"{path}: not a zip archive ({describe(error)})") from None
        with archive:
            record = read_record(path, archive, collector)
            verifier = RecordVerifier(archive, collector, record)
            try:
                for info in archive.infolist():
                    member_path = _add_member(archive, info, collector)
                    if not info.is_dir():
                        scanner = collector.scanner(member_path) if _zip_kind(info) == "file" else None
                        verifier.verify(info, scanner)
                        if scanner is not None and member_path is not None:
                            collector.secrets(member_path, scanner.finish())
            except LimitReached as stop:
                collector.stop(str(stop))
            verifier.finish()
    return record.project()


def _add_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, collector: MemberCollector) -> str | None:
    kind = _zip_kind(info)
    target = _read(archive, info, _LINK_TARGET_LIMIT).decode("utf-8", "surrogateescape") if kind == "symlink" else ""
    wanted = collector.head_size(info.filename) if kind == "file" else 0
    head = _read(archive, info, wanted) if wanted else b""
    path = collector.add(info.filename, kind, info.file_size, target, head)
    if not info.flag_bits & _UTF8_FLAG and not info.filename.isascii():
        detail = "name is not marked as UTF-8 (read as cp437)"
        collector.findings.append(finding("unportable-name", info.filename, detail))
    return path


def _central_directory_too_large(raw: IO[bytes], limits: Limits) -> str | None:
    """Read the end-of-central-directory record; say why the listing is too large to load, if so."""
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:
        return None
    try:
        record = end_record(raw)
        raw.seek(0)
    except ZIP_ERRORS:
        return None  # zipfile itself will say what is wrong
    if not record:
        return None
    entries, size = int(record[4]), int(record[5])
    if entries > limits.max_members:
        return f"the central directory lists {entries} members (limit {limits.max_members})"
    if size > limits.max_name_bytes + 100 * limits.max_members:
        return f"the central directory takes {size} bytes"
    return None


def _zip_kind(info: zipfile.ZipInfo) -> MemberKind:
    """The member's kind (:data:`~sdistguard.audit_members.KINDS`) from its Unix mode; ``"file"`` without one."""
    if info.is_dir():
        return "dir"
    mode = info.external_attr >> 16
    return next((kind for test, kind in _MODE_KINDS if test(mode)), "file")


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> bytes:
    """The first ``size`` bytes of a member; ``b""`` when it cannot be read (the verifier says why)."""
    try:
        with archive.open(info) as member:
            return member.read(size)
    except ZIP_ERRORS:
        return b""
