"""What every part of ``sdistguard check`` shares: limits, the member record, results, stop signals.

The readers (:mod:`~sdistguard.audit.tar`, :mod:`~sdistguard.audit.zip`) yield one :class:`Member`
per archive member and raise :class:`LimitReached`, :class:`Damaged` or one of :data:`READ_ERRORS`
out of their iteration; :mod:`~sdistguard.audit.run` turns those into findings. Only a file that
cannot be opened at all is an :class:`~sdistguard.core.errors.InputError`.
"""

from __future__ import annotations

import os
import stat
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Final, Literal

from sdistguard.core.errors import InputError
from sdistguard.rules import Finding

if TYPE_CHECKING:
    from sdistguard.audit.hints import BuiltBy
    from sdistguard.builders.static import ProjectPreview

__all__ = [
    "READ_ERRORS",
    "TAR_ERRORS",
    "ZIP_ERRORS",
    "AuditResult",
    "Damaged",
    "DirectorySize",
    "LimitReached",
    "Limits",
    "Member",
    "MemberKind",
    "MiB",
    "describe",
    "input_is_directory",
    "open_input",
    "sort_key",
]

MiB: Final = 1024 * 1024

READ_ERRORS: Final[tuple[type[Exception], ...]] = (
    OSError,
    EOFError,
    ValueError,
    UnicodeError,
    OverflowError,
    struct.error,
    zlib.error,
)
"""What reading damaged compressed data raises, in ``gzip``, ``tarfile`` and ``zipfile`` alike."""

TAR_ERRORS: Final[tuple[type[Exception], ...]] = (tarfile.TarError, *READ_ERRORS)
"""What reading a damaged or truncated ``.tar.gz`` stream raises."""

ZIP_ERRORS: Final[tuple[type[Exception], ...]] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    KeyError,
    *READ_ERRORS,
)
"""What ``zipfile`` raises on a damaged, encrypted or unsupported archive or member."""


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one audit may do; each one hit yields an ``audit-limit`` finding.

    ``max_members``: archive members examined. ``max_bytes``: uncompressed bytes read from an sdist's
    stream, or bytes hashed in a wheel. ``max_name_bytes``: bytes of member names kept in memory (for
    duplicates and link targets). ``max_header_bytes``: size of one tar extended header (PAX, GNU
    long name); a larger one stops the audit before it is read into memory.
    """

    max_members: int = 200_000
    max_bytes: int = 2 * 1024 * MiB
    max_name_bytes: int = 64 * MiB
    max_header_bytes: int = 16 * 1024


MemberKind = Literal["file", "dir", "symlink", "hardlink", "fifo", "chardev", "blockdev"]
"""What an archive member is. Regular, contiguous, sparse and unknown tar types are ``"file"`` (``tarfile``
reads them as regular files), as is a zip member without a Unix mode."""


@dataclass(frozen=True, slots=True)
class Member:
    """One archive member as a reader yields it: everything the checks need, nothing more.

    ``name``: the member name as stored (``str``; a zip name not flagged UTF-8 is decoded as cp437,
    ``cp437`` is then true when it holds a non-ASCII character). ``kind``: :data:`MemberKind`.
    ``size``: stored (uncompressed) bytes, never negative. ``mode``: the Unix mode as stored:
    permission bits in a tar, permission and type bits in a zip (``external_attr >> 16``; 0 when
    it has none). ``target``: a link's target as stored (a tar link name, a zip symlink's data
    decoded as UTF-8 with ``surrogateescape``), ``""`` otherwise. ``head``: the first bytes of a
    regular file member, as many as the collector asked for
    (:meth:`~sdistguard.audit.collector.Collector.head_size`); a zip symlink's data (its target);
    ``b""`` for any other member.
    """

    name: str
    kind: MemberKind
    size: int
    mode: int = 0
    target: str = ""
    head: bytes = b""
    cp437: bool = False


@dataclass(frozen=True)
class DirectorySize:
    """Total ``files`` and ``size`` (bytes, as stored) below one directory ``path`` (ends with ``/``)."""

    path: str
    files: int
    size: int


InputKind = Literal["sdist", "wheel", "directory", "unknown"]
"""What an audited input is (``"unknown"``: it could not be read)."""


@dataclass
class AuditResult:
    """What :func:`sdistguard.audit.audit_report` found in one input.

    ``path`` is the input as given; ``kind`` is ``"sdist"``, ``"wheel"`` or ``"directory"`` (``"unknown"``
    for an input that could not be read).
    ``members`` and ``size`` count the archive members examined and their stored bytes (0 for a
    directory). ``largest`` lists the largest directories (up to three levels deep below the top-level
    directory), largest first. Finding paths are relative to the sdist's top-level directory, the
    wheel's root or the project directory. ``error`` is set (and nothing else) by callers that
    report an input that could not be read at all. ``refused`` (a directory only) holds the findings
    that would stop the sdist build (:func:`sdistguard.rules.blocking_findings`, the build's own
    decision), whatever ``--select``/``--ignore`` report. ``built_by`` (an archive only) is the backend the
    archive says built it (:mod:`sdistguard.audit.builder`), read in the same pass; ``None`` when
    nothing in the archive says so. ``project`` (a directory only) is the project's name and version
    as the preview knows them without running it, and what it cannot know
    (:class:`~sdistguard.builders.static.ProjectPreview`).
    """

    path: str
    kind: InputKind
    findings: list[Finding] = field(default_factory=list)
    members: int = 0
    size: int = 0
    largest: list[DirectorySize] = field(default_factory=list)
    error: str | None = None
    refused: list[Finding] = field(default_factory=list)
    built_by: BuiltBy | None = None
    project: ProjectPreview | None = None


class LimitReached(Exception):
    """A :class:`Limits` bound was passed; ``str()`` says which (it becomes an ``audit-limit`` finding)."""


class Damaged(Exception):
    """Damage a reader recognised itself (not an error of ``tarfile``/``zipfile``); ``str()`` says what
    (it becomes a ``corrupt-archive`` finding)."""


def describe(error: BaseException) -> str:
    """``"TypeName: message"`` (or the type name alone) for a finding's detail or an error message."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


_SPECIAL_KINDS: Final = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)


def _not_regular(path: str, mode: int) -> InputError:
    kind = next((name for test, name in _SPECIAL_KINDS if test(mode)), "another kind of file")
    return InputError(f"{path}: not a regular file or a directory ({kind})")


def input_is_directory(path: str) -> bool:
    """True for a directory, False for a regular file (links followed); else :class:`InputError`.

    A FIFO, a device or a socket is refused by its mode, before anything opens it (opening a FIFO
    for reading waits for a writer, forever). A missing path or one that cannot be examined is an
    :class:`InputError` too.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: no such file or directory") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        raise InputError(f"{path}: cannot read: {getattr(error, 'strerror', None) or error}") from None
    if stat.S_ISDIR(mode):
        return True
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)
    return False


def open_input(path: str) -> BinaryIO:
    """Open the regular file at ``path`` for binary reading; raises :class:`InputError` when it cannot be.

    Opened without blocking and checked with ``fstat`` on the open descriptor, so a path swapped for
    a FIFO or a device after :func:`input_is_directory` looked at it is refused, not waited on.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise _not_regular(path, mode)
    if _NONBLOCK:
        os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def sort_key(item: Finding) -> tuple[str, str]:
    """The order of an audit's findings: by path, then by code."""
    return (item.path, item.code)
