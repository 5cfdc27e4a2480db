"""Reading a gzip-compressed tar (an sdist) as one bounded stream, member by member, never extracting.

:func:`sdist_members` yields one :class:`~sdistguard.audit.base.Member` per tar member, with the
member's data stream for regular files; nothing is extracted and each member's data is read at most
once, in stream order. ``tarfile`` runs in stream mode (``r|``) over a reader that counts
uncompressed bytes; extended headers (PAX, GNU long names) larger than
:attr:`~sdistguard.audit.base.Limits.max_header_bytes` are refused before ``tarfile`` reads them into
memory, and the ``TarInfo`` objects it keeps are dropped as it goes, so memory stays flat whatever the
archive declares. Where ``tarfile`` itself has no bound, the header class it is given stops first:
chains of extended headers (it recurses once per header), GNU sparse maps (parsed without limit) and
global PAX keys (applied to every later member); see :func:`_bounded_tarinfo`. Member kinds follow
``tarfile``'s own tests, as its PEP 706 ``data`` filter does.
"""

from __future__ import annotations

import gzip
import tarfile
from collections.abc import Callable, Generator, Iterator
from typing import Final, Protocol

from sdistguard.audit.base import TAR_ERRORS, Damaged, LimitReached, Limits, Member, MemberKind, describe, open_input
from sdistguard.core.errors import InputError

__all__ = ["MAX_GLOBAL_KEYS", "MAX_HEADER_CHAIN", "SPARSE_REFUSED", "Content", "SparseMember", "sdist_members"]

_HEADER_TYPES: Final = (
    tarfile.XHDTYPE,
    tarfile.XGLTYPE,
    tarfile.SOLARIS_XHDTYPE,
    tarfile.GNUTYPE_LONGNAME,
    tarfile.GNUTYPE_LONGLINK,
)
_EMPTY_READS: Final = 16
_CHUNK: Final = 64 * 1024


class Content:
    """The data of one regular file member after its ``head``: iterate for chunks of at most 64 KiB.

    Valid only until the reader moves to the next member (the tar is one stream); what is not read
    is skipped by ``tarfile``. Reading raises what the stream raises (:class:`LimitReached` past
    ``max_bytes``, one of :data:`~sdistguard.audit.base.TAR_ERRORS` on damage).
    """

    def __init__(self, stream: _Readable) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._stream.read(_CHUNK):
            yield chunk


def sdist_members(
    path: str, limits: Limits, head_size: Callable[[str], int]
) -> Generator[tuple[Member, Content | None], None, None]:
    """Yield ``(member, content)`` for every member of the ``.tar.gz`` at ``path``, in stream order.

    ``head_size(name)`` says how many leading bytes of a regular file member to put in
    :attr:`~sdistguard.audit.base.Member.head`; ``content`` (regular files only, else ``None``) gives
    the rest while the caller holds the member. Raises :class:`~sdistguard.core.errors.InputError` (before
    the first member) when the file cannot be opened or is not a gzip-compressed tar from its first
    bytes on. Later, iteration raises :class:`~sdistguard.audit.base.LimitReached` at a bound of
    ``limits`` (uncompressed bytes, header size, global PAX keys, a GNU sparse member),
    :class:`~sdistguard.audit.base.Damaged` at a header chain longer than :data:`MAX_HEADER_CHAIN`, or
    one of :data:`~sdistguard.audit.base.TAR_ERRORS` on damage; the caller records it. Member counts
    are the caller's to bound.
    """
    with open_input(path) as raw, gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
        stream = _BoundedReader(unzipped, limits.max_bytes)
        try:
            archive = tarfile.open(  # noqa: SIM115 - closed below
                fileobj=stream,
                mode="r|",  # type: ignore[call-overload]
                tarinfo=_bounded_tarinfo(limits.max_header_bytes),
            )
        except (LimitReached, Damaged):
            raise
        except TAR_ERRORS as error:
            raise InputError(f"{path}: not a gzip-compressed tar archive ({describe(error)})") from None
        with archive:
            while (info := archive.next()) is not None:
                data = archive.extractfile(info) if info.isreg() else None
                wanted = head_size(info.name) if data is not None else 0
                head = data.read(wanted) if data is not None and wanted else b""
                member = Member(info.name, _tar_kind(info), max(info.size, 0), info.mode, info.linkname, head)
                yield member, (Content(data) if data is not None else None)
                _forget_members(archive)


def _forget_members(archive: tarfile.TarFile) -> None:
    """Drop the ``TarInfo`` objects ``tarfile`` keeps for every member read (memory stays flat)."""
    members = getattr(archive, "members", None)
    if isinstance(members, list):
        members.clear()


_KIND_TESTS: Final[tuple[tuple[Callable[[tarfile.TarInfo], bool], MemberKind], ...]] = (
    (tarfile.TarInfo.isdir, "dir"),
    (tarfile.TarInfo.issym, "symlink"),
    (tarfile.TarInfo.islnk, "hardlink"),
    (tarfile.TarInfo.isfifo, "fifo"),
    (tarfile.TarInfo.ischr, "chardev"),
    (tarfile.TarInfo.isblk, "blockdev"),
)


def _tar_kind(info: tarfile.TarInfo) -> MemberKind:
    """The member's kind; regular, contiguous, sparse and unknown types are ``"file"`` (``tarfile``
    reads them as regular files)."""
    return next((kind for test, kind in _KIND_TESTS if test(info)), "file")


class _HeaderTooLarge(LimitReached):
    """An extended header declared more bytes than :attr:`~sdistguard.audit.base.Limits.max_header_bytes`."""


class SparseMember(LimitReached):
    """A GNU sparse member: ``tarfile`` would read its sparse map without bound, so the audit stops.

    ``name`` is the member's name as stored (``""`` when the header does not say). PyPI refuses any
    sdist holding one (:data:`SPARSE_REFUSED`).
    """

    def __init__(self, name: str) -> None:
        super().__init__(_SPARSE)
        self.name = name


SPARSE_REFUSED: Final = (
    "tar archive not accepted: Sparse members are not allowed. See https://docs.pypi.org/archives for more information"
)
"""PyPI's message for an sdist with a sparse member (warehouse forklift/legacy.py ``_is_valid_dist_file``)."""


def _sparse_name(arguments: tuple[object, ...]) -> str:
    """The member name from the arguments ``tarfile`` passes its ``_proc_gnusparse_*`` hooks: the next
    member's ``TarInfo``, then the PAX headers (``GNU.sparse.name`` wins, as in GNU tar)."""
    headers = next((item for item in arguments if isinstance(item, dict)), {})
    member = next((item for item in arguments if isinstance(item, tarfile.TarInfo)), None)
    name = headers.get("GNU.sparse.name") or headers.get("path") or (member.name if member is not None else "")
    return name if isinstance(name, str) else ""


class _ChainTooLong(Damaged):
    """More extended headers chained before one member than any archiver writes (``corrupt-archive``).

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
    parsed (:class:`SparseMember`): ``tarfile`` parses sparse maps without any bound. The sparse
    hooks are ``tarfile``'s own ``_proc_sparse`` and ``_proc_gnusparse_*`` methods, present from
    Python 3.2 to 3.14; ``tests/audit/test_audit_hostile.py`` fails if one goes missing.
    """

    class BoundedTarInfo(tarfile.TarInfo):
        _depth = 0

        @classmethod
        def frombuf(cls, buf: bytes | bytearray, encoding: str, errors: str) -> BoundedTarInfo:
            info = super().frombuf(buf, encoding, errors)
            if info.type in _HEADER_TYPES and info.size > max_header:
                raise _HeaderTooLarge(f"an extended tar header of {info.size} bytes (limit {max_header})")
            if info.type == tarfile.GNUTYPE_SPARSE:
                raise SparseMember(info.name)
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
            raise SparseMember(self.name)  # pragma: no cover - frombuf refuses type S first

        def _proc_gnusparse_00(self, *arguments: object) -> None:
            raise SparseMember(_sparse_name(arguments))

        def _proc_gnusparse_01(self, *arguments: object) -> None:
            raise SparseMember(_sparse_name(arguments))

        def _proc_gnusparse_10(self, *arguments: object) -> None:
            raise SparseMember(_sparse_name(arguments))

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
