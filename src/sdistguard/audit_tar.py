"""Reading a gzip-compressed tar (an sdist) as one bounded stream, member by member, never extracting.

``tarfile`` runs in stream mode (``r|``) over a reader that counts uncompressed bytes; extended
headers (PAX, GNU long names) larger than :attr:`~sdistguard.audit_base.Limits.max_header_bytes` are
refused before ``tarfile`` reads them into memory, and the ``TarInfo`` objects it keeps are dropped
as it goes, so memory stays flat whatever the archive declares. Where ``tarfile`` itself has no
bound, the header class it is given stops first: chains of extended headers (it recurses once per
header), GNU sparse maps (parsed without limit) and global PAX keys (applied to every later member);
see :func:`_bounded_tarinfo`.
"""

from __future__ import annotations

import gzip
import tarfile
from collections.abc import Callable, Iterator
from typing import Final, Protocol

from sdistguard.audit_base import TAR_ERRORS, LimitReached, Limits, describe, open_input
from sdistguard.audit_members import MemberCollector, MemberKind
from sdistguard.credentials import SecretScanner
from sdistguard.errors import InputError

__all__ = ["bounded_members", "read_sdist"]

_HEADER_TYPES: Final = (
    tarfile.XHDTYPE,
    tarfile.XGLTYPE,
    tarfile.SOLARIS_XHDTYPE,
    tarfile.GNUTYPE_LONGNAME,
    tarfile.GNUTYPE_LONGLINK,
)
_EMPTY_READS: Final = 16


def read_sdist(path: str, collector: MemberCollector) -> None:
    """Feed every member of the ``.tar.gz`` at ``path`` to ``collector``, with the heads it asks for.

    Raises :class:`~sdistguard.errors.InputError` when the file cannot be opened or is not a
    gzip-compressed tar from its first bytes on; a limit or later damage is recorded on the
    collector (SG590, SG591) instead.
    """
    limits = collector.limits
    with open_input(path) as raw, gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
        stream = _BoundedReader(unzipped, limits.max_bytes)
        try:
            archive = tarfile.open(  # noqa: SIM115 - closed by _read_members
                fileobj=stream,
                mode="r|",  # type: ignore[call-overload]
                tarinfo=_bounded_tarinfo(limits.max_header_bytes),
            )
        except LimitReached as stop:
            collector.stop(str(stop))
        except _ChainTooLong as damage:
            collector.corrupt(str(damage))
        except TAR_ERRORS as error:
            raise InputError(f"{path}: not a gzip-compressed tar archive ({describe(error)})") from None
        else:
            _read_members(archive, collector)


def bounded_members(path: str, limits: Limits) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
    """Yield ``(archive, member)`` for the members of the ``.tar.gz`` at ``path``, under the auditor's bounds.

    The same reader as :func:`read_sdist` (bytes read, header size, header chains, sparse maps, global
    PAX keys), for a second look at an archive the audit already read (the backend that built it).
    Iteration simply ends at a limit, at damage or at the end; ``OSError`` from opening the file is
    raised as it is.
    """
    with open_input(path) as raw, gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
        try:
            archive = tarfile.open(  # noqa: SIM115 - closed below
                fileobj=_BoundedReader(unzipped, limits.max_bytes),
                mode="r|",  # type: ignore[call-overload]
                tarinfo=_bounded_tarinfo(limits.max_header_bytes),
            )
            with archive:
                for count, info in enumerate(iter(archive.next, None)):
                    if count >= limits.max_members:
                        return
                    yield archive, info
                    _forget_members(archive)
        except (LimitReached, _ChainTooLong):
            return
        except TAR_ERRORS:
            return


def _read_members(archive: tarfile.TarFile, collector: MemberCollector) -> None:
    """Feed every member of the open stream to ``collector``; limits and damage become findings."""
    try:
        with archive:
            while (info := archive.next()) is not None:
                member = archive.extractfile(info) if info.isreg() else None
                wanted = collector.head_size(info.name)
                head = member.read(wanted) if member is not None and wanted else b""
                path = collector.add(info.name, _tar_kind(info), max(info.size, 0), info.linkname, head)
                scanner = collector.scanner(path) if member is not None else None
                if member is not None and scanner is not None and path is not None:
                    _scan(member, head, scanner)
                    collector.secrets(path, scanner.finish())
                _forget_members(archive)
    except LimitReached as stop:
        collector.stop(str(stop))
    except _ChainTooLong as damage:
        collector.corrupt(str(damage))
    except TAR_ERRORS as error:
        collector.corrupt(describe(error))


def _forget_members(archive: tarfile.TarFile) -> None:
    """Drop the ``TarInfo`` objects ``tarfile`` keeps for every member read (memory stays flat)."""
    members = getattr(archive, "members", None)
    if isinstance(members, list):
        members.clear()


_CHUNK: Final = 64 * 1024


def _scan(member: _Readable, head: bytes, scanner: SecretScanner) -> None:
    """Feed ``scanner`` the member's bytes: the ``head`` already read, then the rest as the stream gives it.

    These are the bytes ``tarfile`` reads (and would skip) anyway; they count against ``--max-bytes``
    through :class:`_BoundedReader`, which raises :class:`LimitReached` past it.
    """
    if head:
        scanner.feed(head)
    while chunk := member.read(_CHUNK):
        scanner.feed(chunk)


def _tar_kind(info: tarfile.TarInfo) -> MemberKind:
    """The member's kind (:data:`~sdistguard.audit_members.KINDS`); regular, contiguous, sparse and
    unknown types are ``"file"`` (``tarfile`` reads them as regular files)."""
    tests: tuple[tuple[Callable[[], bool], MemberKind], ...] = (
        (info.isdir, "dir"),
        (info.issym, "symlink"),
        (info.islnk, "hardlink"),
        (info.isfifo, "fifo"),
        (info.ischr, "chardev"),
        (info.isblk, "blockdev"),
    )
    return next((kind for test, kind in tests if test()), "file")


class _HeaderTooLarge(LimitReached):
    """An extended header declared more bytes than :attr:`~sdistguard.audit_base.Limits.max_header_bytes`."""


class _SparseMember(LimitReached):
    """A GNU sparse member: ``tarfile`` would read its sparse map without bound, so the audit stops."""


class _ChainTooLong(Exception):
    """More extended headers chained before one member than any archiver writes (damage, SG591).

    ``tarfile`` reads each header of a chain one recursion level deeper, so a long chain ends in
    ``RecursionError``; this is raised first.
    """


MAX_HEADER_CHAIN: Final = 16
"""Extended headers (PAX, global PAX, GNU long name and link) allowed before one member; GNU tar and
``tarfile`` write at most three (a global header, then a PAX header or a long link and a long name)."""

MAX_GLOBAL_KEYS: Final = 64
"""Keys that global PAX headers may set in all. ``tarfile`` applies every one to every later member,
so more would make the work grow with keys times members; ``git archive`` writes one key."""

_SPARSE = "a GNU sparse member (its sparse map is not read)"


def _bounded_tarinfo(max_header: int) -> type[tarfile.TarInfo]:
    """A ``TarInfo`` class that keeps ``tarfile``'s header parsing bounded in time and memory.

    ``tarfile`` reads a PAX or GNU long-name header's whole declared size into memory (and parses
    PAX records with a regular expression): a header larger than ``max_header`` bytes is refused on
    its 512-byte header block, before that (:class:`_HeaderTooLarge`). A chain of more than
    :data:`MAX_HEADER_CHAIN` extended headers is refused before ``tarfile`` recurses into it
    (:class:`_ChainTooLong`); global PAX headers setting more than :data:`MAX_GLOBAL_KEYS` keys stop
    the audit. A GNU sparse member, old style (type ``S``, a map in extension blocks) or PAX (formats
    0.0, 0.1 and 1.0, the last with its map in the member data), stops the audit before its map is
    parsed (:class:`_SparseMember`): ``tarfile`` parses sparse maps without any bound. The sparse
    hooks are ``tarfile``'s own ``_proc_sparse`` and ``_proc_gnusparse_*`` methods, present from
    Python 3.2 to 3.14; ``tests/test_audit_hostile.py`` fails if one goes missing.
    """

    class BoundedTarInfo(tarfile.TarInfo):
        _depth = 0

        @classmethod
        def frombuf(cls, buf: bytes | bytearray, encoding: str, errors: str) -> BoundedTarInfo:
            info = super().frombuf(buf, encoding, errors)
            if info.type in _HEADER_TYPES and info.size > max_header:
                raise _HeaderTooLarge(f"an extended tar header of {info.size} bytes (limit {max_header})")
            if info.type == tarfile.GNUTYPE_SPARSE:
                raise _SparseMember(_SPARSE)
            return info

        @classmethod
        def fromtarfile(cls, archive: tarfile.TarFile) -> BoundedTarInfo:
            if cls._depth > MAX_HEADER_CHAIN:
                raise _ChainTooLong(
                    f"more than {MAX_HEADER_CHAIN} extended headers (PAX, GNU long names) chained before one member"
                )
            cls._depth += 1
            try:
                info = super().fromtarfile(archive)
            finally:
                cls._depth -= 1
            if len(archive.pax_headers) > MAX_GLOBAL_KEYS:
                raise LimitReached(f"global PAX headers with more than {MAX_GLOBAL_KEYS} keys")
            return info

        def _proc_sparse(self, archive: tarfile.TarFile) -> BoundedTarInfo:
            raise _SparseMember(_SPARSE)  # pragma: no cover - frombuf refuses type S first

        def _proc_gnusparse_00(self, *_: object) -> None:
            raise _SparseMember(_SPARSE)

        def _proc_gnusparse_01(self, *_: object) -> None:
            raise _SparseMember(_SPARSE)

        def _proc_gnusparse_10(self, *_: object) -> None:
            raise _SparseMember(_SPARSE)

    return BoundedTarInfo


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _BoundedReader:
    """A read-only stream over ``source`` that raises :class:`LimitReached` past ``limit`` bytes.

    It also ends loops over a truncated stream: after a few reads at end of data it raises
    ``EOFError`` (``tarfile`` would otherwise skip a huge declared member size block by block).
    """

    def __init__(self, source: _Readable, limit: int) -> None:
        self.source = source
        self.limit = limit
        self.count = 0
        self.empty_reads = 0

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (all that is left when negative, within the limit)."""
        room = self.limit + 1 - self.count
        data = self.source.read(room if size < 0 else min(size, room))
        self.count += len(data)
        if self.count > self.limit:
            raise LimitReached(f"more than {self.limit} uncompressed bytes")
        if not data and size != 0:
            self.empty_reads += 1
            if self.empty_reads > _EMPTY_READS:
                raise EOFError("unexpected end of data")
        return data
