"""A wheel's ``RECORD``: finding and parsing it with bounds, and checking members against it (SG530, SG531).

Follows the binary distribution format (``{name}-{version}.dist-info/RECORD``: CSV rows of path,
``algorithm=urlsafe-base64-digest`` without padding, size; ``RECORD`` and its signatures unlisted
or listed without a hash). The spec asks for "sha256 or better" and forbids ``md5`` and ``sha1``:
only the fixed-length algorithms of :data:`ALLOWED_HASHES` are verified, any other name is SG531.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Final

from sdistguard.audit_base import ZIP_ERRORS, LimitReached, MiB, describe
from sdistguard.audit_members import MemberCollector
from sdistguard.credentials import SecretScanner
from sdistguard.rules import finding

__all__ = ["ALLOWED_HASHES", "Record", "RecordVerifier", "read_record"]

_CHUNK: Final = 64 * 1024
_RECORD_LIMIT: Final = 64 * MiB
_SIGNATURES: Final = ("RECORD", "RECORD.jws", "RECORD.p7s")
ALLOWED_HASHES: Final = frozenset(
    {"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s"}
)
"""The RECORD hash names verified: ``hashlib.algorithms_guaranteed`` with a digest of 256 bits or more
and a fixed length (the wheel spec: "sha256 or better"). Not ``md5``, ``sha1``, ``sha224``,
``sha3_224`` (too weak), ``shake_128``, ``shake_256`` (no fixed digest length), nor names only some
OpenSSL builds provide, which an installer elsewhere may not verify."""
_ALLOWED_TEXT: Final = ", ".join(sorted(ALLOWED_HASHES))
_RECORD_NAME: Final = re.compile(r"[^/]+\.dist-info/RECORD")


@dataclass
class Record:
    """A wheel's RECORD: where it is (``None``: none found), ``{path: (hash, size)}``, and a problem.

    ``problem`` is ``""`` when the rows can be trusted; otherwise members are not checked against it.
    """

    location: str | None
    rows: dict[str, tuple[str, str]] = field(default_factory=dict)
    problem: str = ""

    def project(self) -> str | None:
        """The distribution name from the ``*.dist-info`` directory holding RECORD."""
        if self.location is None:
            return None
        return self.location.split("/", 1)[0].removesuffix(".dist-info").split("-", 1)[0]


def read_record(path: str, archive: zipfile.ZipFile, collector: MemberCollector) -> Record:
    """Find and parse ``{name}-{version}.dist-info/RECORD`` of the wheel at ``path``.

    The RECORD matching the wheel's file name wins over others. Problems become findings on
    ``collector``: SG530 when there is none, SG531 when it is too large, unreadable or not CSV.
    """
    candidates = [info for info in archive.infolist() if _RECORD_NAME.fullmatch(info.filename)]
    if not candidates:
        collector.findings.append(finding("missing-record", "", "no *.dist-info/RECORD in the wheel"))
        return Record(None)
    stem = os.path.basename(path).split("-", 2)
    wanted = f"{stem[0]}-{stem[1]}.dist-info/RECORD" if len(stem) > 2 else ""
    info = next((item for item in candidates if item.filename == wanted), candidates[0])
    if info.file_size > _RECORD_LIMIT:
        collector.findings.append(finding("record-mismatch", info.filename, "RECORD too large; not read"))
        return Record(info.filename, problem="too large")
    try:
        with archive.open(info) as member:
            text = member.read(_RECORD_LIMIT + 1).decode("utf-8")
    except ZIP_ERRORS as error:  # UnicodeDecodeError is among them
        collector.findings.append(finding("record-mismatch", info.filename, f"unreadable: {describe(error)}"))
        return Record(info.filename, problem="unreadable")
    return Record(info.filename, _record_rows(text, collector))


def _record_rows(text: str, collector: MemberCollector) -> dict[str, tuple[str, str]]:
    rows: dict[str, tuple[str, str]] = {}
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if not row:
                continue
            if len(rows) >= collector.limits.max_members:
                raise LimitReached(f"RECORD lists more than {collector.limits.max_members} files")
            padded = [*row, "", ""]
            rows[padded[0]] = (padded[1], padded[2])
    except csv.Error as error:
        collector.findings.append(finding("record-mismatch", "", f"RECORD is not valid CSV: {error}"))
    except LimitReached as stop:
        collector.stop(str(stop))
    return rows


class RecordVerifier:
    """Hashes each wheel member once and compares it with its RECORD row (SG531).

    Bytes hashed count against :attr:`~sdistguard.audit_base.Limits.max_bytes`; past it, one
    SG590 finding and no more hashing. A member that cannot be read is SG591.
    """

    def __init__(self, archive: zipfile.ZipFile, collector: MemberCollector, record: Record) -> None:
        self.archive = archive
        self.collector = collector
        self.record = record
        self.seen: set[str] = set()
        self._hashed = 0
        self._capped = False

    def verify(self, info: zipfile.ZipInfo, scanner: SecretScanner | None = None) -> None:
        """Check one file member against RECORD (nothing when there is no usable RECORD).

        ``scanner``, when given, is fed the member's bytes in the same read that hashes them (a
        member that is not hashed, such as one RECORD does not list, is read for the scanner alone).
        """
        name = info.filename
        self.seen.add(name)
        row = self._row(name)
        if self._capped:
            return
        if row is None:
            if scanner is not None:
                self._stream(info, None, scanner)
            return
        self._compare(info, *row, scanner)

    def _row(self, name: str) -> tuple[str, str] | None:
        """The RECORD row to check ``name`` against, or ``None`` (no usable RECORD, a signature, unlisted)."""
        if self.record.location is None or self.record.problem:
            return None
        if posixpath.basename(name) in _SIGNATURES and (
            posixpath.dirname(name) == posixpath.dirname(self.record.location)
        ):
            return None
        row = self.record.rows.get(name)
        if row is None:
            self._mismatch(name, "not listed in RECORD")
        return row

    def finish(self) -> None:
        """Report the files RECORD lists that no member provided (unless the audit stopped early)."""
        if self.record.location is None or self.collector.stopped:
            return
        for missing in sorted(set(self.record.rows) - self.seen):
            self._mismatch(missing, "listed in RECORD, not in the wheel")

    def _compare(
        self, info: zipfile.ZipInfo, expected_hash: str, expected_size: str, scanner: SecretScanner | None
    ) -> None:
        algorithm, _, digest = expected_hash.partition("=")
        if expected_hash and algorithm not in ALLOWED_HASHES:
            self._mismatch(info.filename, f"hash algorithm {algorithm!r} is not allowed (allowed: {_ALLOWED_TEXT})")
            if scanner is not None:
                self._stream(info, None, scanner)
            return
        hasher = hashlib.new(algorithm or "sha256")
        size = self._stream(info, hasher, scanner)
        if size is None:
            return
        if expected_size and expected_size != str(size):
            self._mismatch(info.filename, f"size {size}, RECORD says {expected_size}")
        if not expected_hash:
            self._mismatch(info.filename, "no hash in RECORD")
        elif base64.urlsafe_b64encode(hasher.digest()).rstrip(b"=").decode() != digest:
            self._mismatch(info.filename, f"{algorithm} hash differs from RECORD")

    def _stream(self, info: zipfile.ZipInfo, hasher: hashlib._Hash | None, scanner: SecretScanner | None) -> int | None:
        """Hash the member and feed it to ``scanner`` (either may be ``None``), in one read; return its
        size, or ``None`` when the limit or damage stopped it."""
        size = 0
        limit = self.collector.limits.max_bytes
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    self._hashed += len(chunk)
                    if self._hashed > limit:
                        self._capped = True
                        detail = f"hashed more than {limit} bytes; this and later members not verified"
                        self.collector.findings.append(finding("audit-limit", info.filename, detail))
                        return None
                    if hasher is not None:
                        hasher.update(chunk)
                    if scanner is not None:
                        scanner.feed(chunk)
        except ZIP_ERRORS as error:
            self.collector.findings.append(finding("corrupt-archive", info.filename, describe(error)))
            return None
        return size

    def _mismatch(self, path: str, detail: str) -> None:
        self.collector.findings.append(finding("record-mismatch", path, detail))
