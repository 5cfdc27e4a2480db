"""A wheel's ``RECORD`` (the binary distribution format; PEP 376 / PEP 427): found and parsed with
bounds, then every member checked against it. Each function returns its findings; none reads members.

``{name}-{version}.dist-info/RECORD`` holds CSV rows of path, ``algorithm=urlsafe-base64-digest``
without padding, and size; ``RECORD`` and its signatures are unlisted or listed without a hash. The
spec asks for "sha256 or better" and forbids ``md5`` and ``sha1``: only the fixed-length algorithms
of :data:`ALLOWED_HASHES` are verified, any other name is a ``record-mismatch`` finding. The hashing
itself happens in the one read of each member (:mod:`sdistguard.audit.run`).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from sdistguard.audit.base import ZIP_ERRORS, MiB, describe
from sdistguard.audit.zip import Wheel
from sdistguard.rules import Finding, finding

__all__ = [
    "ALLOWED_HASHES",
    "Expected",
    "Record",
    "check_member",
    "expect",
    "listed",
    "missing_members",
    "new_hasher",
    "project_directory",
    "read_record",
]

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
    """A wheel's RECORD: where it is (``None``: none found), ``{path: (hash, size)}`` as stored, and a problem.

    ``problem`` is ``""`` when the rows can be trusted; otherwise members are not checked against it.
    ``overflow`` says why parsing stopped at the row limit (``""``: it did not); the rows read before
    it are kept.
    """

    location: str | None
    rows: dict[str, tuple[str, str]] = field(default_factory=dict)
    problem: str = ""
    overflow: str = ""

    @property
    def usable(self) -> bool:
        """True when members are checked against the rows."""
        return self.location is not None and not self.problem


@dataclass(frozen=True)
class Expected:
    """What RECORD says about one member: an allowed ``algorithm`` (a ``hashlib`` name), the urlsafe
    base64 ``digest`` without padding (``None``: the row has no hash) and ``size`` as stored (``""``: none)."""

    algorithm: str
    digest: str | None
    size: str


def read_record(wheel: Wheel, path: str, max_rows: int) -> tuple[Record, list[Finding]]:
    """Find and parse ``{name}-{version}.dist-info/RECORD`` in the open ``wheel`` whose file is ``path``.

    The RECORD matching the wheel's file name (PEP 427 ``{distribution}-{version}-...whl``) wins over
    others. Returns the record and its findings: ``missing-record`` when there is none, or none at the
    path the file name gives (split at its first two ``-``, as warehouse's ``validate_record`` does: PyPI
    looks nowhere else and refuses the upload; another RECORD found is still verified);
    ``record-mismatch`` when it is larger than 64 MiB, unreadable, not UTF-8 or not CSV. At more than
    ``max_rows`` rows, parsing stops and :attr:`Record.overflow` says so. Never raises for a damaged
    archive.
    """
    candidates = [info for info in wheel.infos if _RECORD_NAME.fullmatch(info.filename)]
    filename = os.path.basename(path)
    stem = filename.split("-", 2)
    wanted = f"{stem[0]}-{stem[1]}.dist-info/RECORD" if len(stem) > 2 else ""
    refused = f"Wheel '{filename}' does not contain the required RECORD file: {wanted}" if wanted else ""
    if not candidates:
        detail = f"no *.dist-info/RECORD in the wheel; PyPI: {refused}" if refused else "no *.dist-info/RECORD"
        return Record(None), [finding("missing-record", "", detail)]
    info = next((item for item in candidates if item.filename == wanted), candidates[0])
    misplaced: list[Finding] = []
    if wanted and info.filename != wanted:  # PyPI looks only where the file name points (validate_record)
        misplaced.append(finding("missing-record", "", f"RECORD is at {info.filename}; PyPI: {refused}"))
    if info.file_size > _RECORD_LIMIT:
        return Record(info.filename, problem="too large"), [
            *misplaced,
            finding("record-mismatch", info.filename, "RECORD too large; not read"),
        ]
    try:
        text = wheel.read(info, _RECORD_LIMIT + 1).decode("utf-8")
    except ZIP_ERRORS as error:  # UnicodeDecodeError is among them
        why = f"unreadable: {describe(error)}" + (f"; PyPI: {refused}" if refused else "")
        return Record(info.filename, problem="unreadable"), [
            *misplaced,
            finding("record-mismatch", info.filename, why),
        ]
    record = Record(info.filename)
    findings: list[Finding] = misplaced
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if not row:
                continue
            if len(record.rows) >= max_rows:
                record.overflow = f"RECORD lists more than {max_rows} files"
                break
            padded = [*row, "", ""]
            record.rows[padded[0]] = (padded[1], padded[2])
    except csv.Error as error:
        why = f"RECORD is not valid CSV: {error}" + (f"; PyPI: {refused}" if refused else "")
        findings.append(finding("record-mismatch", "", why))
    return record, findings


def project_directory(record: Record) -> str | None:
    """The ``{name}-{version}.dist-info`` directory holding RECORD (``None``: no RECORD)."""
    return record.location.split("/", 1)[0] if record.location is not None else None


def listed(record: Record, name: str) -> tuple[tuple[str, str] | None, list[Finding]]:
    """The RECORD row ``(hash, size)`` the member stored as ``name`` is checked against, and its findings.

    ``None`` when the member is not checked: no usable RECORD, RECORD itself or one of its signatures,
    or a member RECORD does not list (then a ``record-mismatch`` finding).
    """
    if record.location is None or record.problem:
        return None, []
    if posixpath.basename(name) in _SIGNATURES and posixpath.dirname(name) == posixpath.dirname(record.location):
        return None, []
    row = record.rows.get(name)
    if row is None:
        return None, [finding("record-mismatch", name, "not listed in RECORD")]
    return row, []


def expect(name: str, row: tuple[str, str] | None) -> tuple[Expected | None, list[Finding]]:
    """What the RECORD ``row`` of the member ``name`` (from :func:`listed`) expects, and its findings.

    ``None`` without a row, or for a row whose hash algorithm is not in :data:`ALLOWED_HASHES` (then a
    ``record-mismatch`` finding). A row without a hash is checked as sha256 (its size) and reported by
    :func:`check_member`.
    """
    if row is None:
        return None, []
    expected_hash, expected_size = row
    algorithm, _, digest = expected_hash.partition("=")
    if expected_hash and algorithm not in ALLOWED_HASHES:
        detail = f"hash algorithm {algorithm!r} is not allowed (allowed: {_ALLOWED_TEXT})"
        return None, [finding("record-mismatch", name, detail)]
    return Expected(algorithm or "sha256", digest if expected_hash else None, expected_size), []


def new_hasher(expected: Expected) -> hashlib._Hash:
    """A ``hashlib`` object for ``expected.algorithm`` (one of :data:`ALLOWED_HASHES`)."""
    return hashlib.new(expected.algorithm)


def check_member(name: str, expected: Expected, size: int, digest: bytes) -> list[Finding]:
    """Compare one member read whole (``size`` bytes, raw ``digest`` of ``expected.algorithm``) with its row.

    Returns ``record-mismatch`` findings: a size that differs, a row without a hash, a hash that differs.
    """
    found: list[Finding] = []
    if expected.size and expected.size != str(size):
        found.append(finding("record-mismatch", name, f"size {size}, RECORD says {expected.size}"))
    if expected.digest is None:
        found.append(finding("record-mismatch", name, "no hash in RECORD"))
    elif base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != expected.digest:
        found.append(finding("record-mismatch", name, f"{expected.algorithm} hash differs from RECORD"))
    return found


def missing_members(record: Record, seen: Iterable[str]) -> list[Finding]:
    """``record-mismatch`` for every file RECORD lists that no member named in ``seen`` provided."""
    if record.location is None:
        return []
    return [
        finding("record-mismatch", missing, "listed in RECORD, not in the wheel")
        for missing in sorted(set(record.rows) - set(seen))
    ]
