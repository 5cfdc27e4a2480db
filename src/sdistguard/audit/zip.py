"""Reading a wheel (a zip): its central directory, bounded, then each member opened at most once.

A hostile central directory declaring millions of entries is refused before ``zipfile`` builds one
object per entry (:func:`open_wheel`). :meth:`Wheel.members` yields one
:class:`~sdistguard.audit.base.Member` per central directory entry, in order; member kinds come from
the Unix mode in ``external_attr`` and a symlink's target is its data (the Info-ZIP convention). A
member's data is opened once, on first use: the ``head`` the collector asks for (or a symlink's
target) and the rest for hashing against ``RECORD`` and the secret scan are one read
(:class:`Content`). A member the caller already read whole through :meth:`Wheel.read` (``RECORD``)
is served from memory, not opened again.

Every member is read in chunks of at most 64 KiB, whatever its compression: stored and deflate members
through ``zipfile`` (which bounds each deflate call), bzip2 and LZMA members through
:class:`_BoundedMember`, which gives each decompression call a maximum output (``zipfile`` decompresses
those in one call per read, so a 1 KB member could take gigabytes). :func:`open_wheel` counts the central
directory headers ``zipfile`` would read (not the end record's claim) and checks the zip's framing as PyPI
does (:mod:`~sdistguard.audit.zipframe`), from the raw bytes, before the members are read.
"""

from __future__ import annotations

import bz2
import lzma
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Final, Protocol

from sdistguard.audit.base import ZIP_ERRORS, LimitReached, Limits, Member, MemberKind, describe, open_input
from sdistguard.audit.zipframe import central_directory_entries, framing_problem
from sdistguard.core.errors import InputError

__all__ = ["Content", "Wheel", "open_wheel"]

_UTF8_FLAG: Final = 0x800
_LINK_TARGET_LIMIT: Final = 4096
_CHUNK: Final = 64 * 1024
_MODE_KINDS: Final[tuple[tuple[Callable[[int], bool], MemberKind], ...]] = (
    (stat.S_ISLNK, "symlink"),
    (stat.S_ISFIFO, "fifo"),
    (stat.S_ISCHR, "chardev"),
    (stat.S_ISBLK, "blockdev"),
)


class Content:
    """The data of one zip member after its ``head``, opened at most once.

    Iterating yields the bytes after :attr:`~sdistguard.audit.base.Member.head` in chunks of at most
    64 KiB, from the handle that read the head, or from the bytes :meth:`Wheel.read` kept. Raises one
    of :data:`~sdistguard.audit.base.ZIP_ERRORS` when the member cannot be read (also for an error met
    while reading the head, which was then left empty).
    """

    def __init__(self, wheel: Wheel, info: zipfile.ZipInfo, kept: bytes | None) -> None:
        self._wheel = wheel
        self._info = info
        self._kept = kept
        self._handle: _Reader | None = None
        self._error: Exception | None = None
        self._offset = 0

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes; ``b""`` when the member cannot be read (iterating says why)."""
        if size <= 0:
            return b""
        if self._kept is not None:
            self._offset = min(size, len(self._kept))
            return self._kept[:size]
        try:
            self._handle = self._wheel.open_member(self._info)
            data = _read_up_to(self._handle, size)
        except ZIP_ERRORS as error:
            self._error = error
            return b""
        self._offset = len(data)
        return data

    def __iter__(self) -> Iterator[bytes]:
        if self._error is not None:
            raise self._error
        if self._kept is not None:
            for start in range(self._offset, len(self._kept), _CHUNK):
                yield self._kept[start : start + _CHUNK]
            return
        if self._handle is None:
            self._handle = self._wheel.open_member(self._info)
        while chunk := self._handle.read(_CHUNK):
            yield chunk

    def close(self) -> None:
        """Close the member's handle, if one was opened."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class Wheel:
    """An open wheel: its central directory (:attr:`infos`), whole-member reads and the member stream.

    Use as a context manager; :func:`open_wheel` makes one. :attr:`framing` is why PyPI would refuse
    the zip's framing (warehouse's message, :func:`~sdistguard.audit.zipframe.framing_problem`), or
    ``None``.
    """

    def __init__(self, archive: zipfile.ZipFile, raw: IO[bytes]) -> None:
        self.archive = archive
        self._raw = raw
        self.infos: list[zipfile.ZipInfo] = archive.infolist()
        self._kept: dict[int, bytes] = {}
        central = {info.orig_filename: (info.compress_size, info.file_size) for info in self.infos}
        self.framing: str | None = framing_problem(raw, central)

    def __enter__(self) -> Wheel:
        return self

    def __exit__(self, *_: object) -> None:
        self.archive.close()
        self._raw.close()

    def open_member(self, info: zipfile.ZipInfo) -> _Reader:
        """A reader of the member ``info``'s uncompressed data whose every ``read(n)`` returns at most
        ``n`` bytes and decompresses no more (:class:`_BoundedMember` for bzip2 and LZMA members).
        Raises one of :data:`~sdistguard.audit.base.ZIP_ERRORS` when the member cannot be read."""
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return self.archive.open(info)
        return _BoundedMember(self._raw, info)

    def read(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        """The first ``limit`` bytes of the member ``info``, read in chunks and kept so that :meth:`members`
        does not read it again. Raises one of :data:`~sdistguard.audit.base.ZIP_ERRORS` when it cannot be read."""
        member = self.open_member(info)
        try:
            data = _read_up_to(member, limit)
        finally:
            member.close()
        if len(data) < limit:  # the whole member: serve it from memory later
            self._kept[info.header_offset] = data
        return data

    def members(self, head_size: Callable[[str], int]) -> Iterator[tuple[Member, Content | None]]:
        """Yield ``(member, content)`` per central directory entry (directories: ``content`` is ``None``).

        ``head_size(name)`` says how many leading bytes of a regular file member to put in the
        member's ``head``; a symlink's head is its data, its target (up to 4096 bytes). ``content`` gives the
        rest while the caller holds the member; it is closed when the iteration moves on.
        """
        for info in self.infos:
            kind = _zip_kind(info)
            cp437 = not info.flag_bits & _UTF8_FLAG and not info.filename.isascii()
            mode = info.external_attr >> 16
            if kind == "dir":
                yield Member(info.filename, kind, info.file_size, mode, cp437=cp437), None
                continue
            content = Content(self, info, self._kept.pop(info.header_offset, None))
            try:
                if kind == "symlink":
                    data = content.head(_LINK_TARGET_LIMIT)
                    target = data.decode("utf-8", "surrogateescape")
                    member = Member(info.filename, kind, info.file_size, mode, target, data, cp437)
                else:
                    head = content.head(head_size(info.filename)) if kind == "file" else b""
                    member = Member(info.filename, kind, info.file_size, mode, head=head, cp437=cp437)
                yield member, content
            finally:
                content.close()


def open_wheel(path: str, limits: Limits) -> Wheel:
    """Open the wheel at ``path`` and read its central directory.

    Raises :class:`~sdistguard.core.errors.InputError` when the file cannot be opened or is not a zip
    archive, and :class:`~sdistguard.audit.base.LimitReached` when its end-of-central-directory
    record declares more entries than ``limits.max_members`` or a directory larger than the name
    budget allows (checked before ``zipfile`` reads the listing).
    """
    raw = open_input(path)
    try:
        too_large = _central_directory_too_large(raw, limits)
        if too_large:
            raise LimitReached(too_large)
        try:
            return Wheel(zipfile.ZipFile(raw), raw)
        except ZIP_ERRORS as error:
            raise InputError(f"{path}: not a zip archive ({describe(error)})") from None
    except BaseException:
        raw.close()
        raise


def _central_directory_too_large(raw: IO[bytes], limits: Limits) -> str | None:
    """Read the end-of-central-directory record; say why the listing is too large to load, if so.

    The entries are counted as ``zipfile`` would read them
    (:func:`~sdistguard.audit.zipframe.central_directory_entries`): ``zipfile`` ignores the end record's
    count and reads headers while the declared directory size lasts.
    """
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
    declared, size, location = int(record[4]), int(record[5]), int(record[9])
    if size > location:
        return None  # a directory larger than what precedes its end record: zipfile refuses it (damage, no limit)
    if size > limits.max_name_bytes + 100 * limits.max_members:
        return f"the central directory takes {size} bytes"
    start = location - size - (_ZIP64_END_RECORDS if record[0] == _ZIP64_END else 0)
    if start < 0:
        return None  # zipfile refuses it: "Bad offset for central directory"
    try:
        entries = central_directory_entries(raw, start, size, limits.max_members)
    except ZIP_ERRORS:
        return None
    if declared > limits.max_members:
        return f"the central directory lists {declared} members (limit {limits.max_members})"
    if entries > limits.max_members:
        return (
            f"the central directory holds more than {limits.max_members} members "
            f"(its end record says {declared})"
        )
    return None


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


def _read_up_to(reader: _Reader, limit: int) -> bytes:
    """Up to ``limit`` bytes from ``reader``, read in chunks of at most 64 KiB."""
    parts: list[bytes] = []
    left = limit
    while left > 0 and (chunk := reader.read(min(left, _CHUNK))):
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


_ZIP64_END: Final = b"PK\x06\x06"
_ZIP64_END_RECORDS: Final = 56 + 20  # the ZIP64 end record and its locator, between directory and end record
_LOCAL_HEADER: Final = struct.Struct("<4s22xHH")
_ENCRYPTED: Final = 0x1
_STALLED_CALLS: Final = 16


class _Decompressor(Protocol):
    @property
    def eof(self) -> bool: ...

    @property
    def needs_input(self) -> bool: ...

    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


class _BoundedMember:
    """A bzip2 or LZMA zip member's data, decompressed at most ``n`` bytes per ``read(n)``.

    ``zipfile`` hands each compressed chunk to these decompressors in one call, with no output bound: a
    1 KB bzip2 member of 1 GiB of zeros becomes one 1 GiB ``bytes``. This reader gives every call its
    ``max_length`` (``bz2.BZ2Decompressor``, ``lzma.LZMADecompressor``), reads compressed data in 64 KiB
    chunks from the member's local header on, and checks the declared size and CRC-32 at the end as
    ``zipfile`` does (``BadZipFile``). LZMA members carry a 4-byte header and the LZMA1 properties
    (APPNOTE 5.8.8). Encrypted and other methods raise ``NotImplementedError``.
    """

    def __init__(self, raw: IO[bytes], info: zipfile.ZipInfo) -> None:
        if info.flag_bits & _ENCRYPTED:
            raise NotImplementedError("encrypted member")
        raw.seek(info.header_offset)
        header = raw.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("Bad magic number for file header")
        _, name_size, extra_size = _LOCAL_HEADER.unpack(header)
        self._raw = raw
        self._position = info.header_offset + _LOCAL_HEADER.size + name_size + extra_size
        self._left = info.compress_size
        self._info = info
        self._crc = 0
        self._size = 0
        self._done = False
        self._decompressor: _Decompressor
        if info.compress_type == zipfile.ZIP_BZIP2:
            self._decompressor = bz2.BZ2Decompressor()
        elif info.compress_type == zipfile.ZIP_LZMA:
            self._decompressor = _lzma_decompressor(self._lzma_properties())
        else:
            raise NotImplementedError(f"compression type {info.compress_type}")

    def _take(self, size: int) -> bytes:
        """Up to ``size`` compressed bytes of the member (fewer at its end)."""
        self._raw.seek(self._position)
        data = self._raw.read(min(size, self._left))
        self._position += len(data)
        self._left -= len(data)
        return data

    def _lzma_properties(self) -> bytes:
        head = self._take(4)
        if len(head) != 4:
            raise EOFError("LZMA member shorter than its header")
        (size,) = struct.unpack("<H", head[2:4])
        properties = self._take(size)
        if len(properties) != size:
            raise EOFError("LZMA member shorter than its properties")
        return properties

    def read(self, size: int = -1, /) -> bytes:
        """At most ``size`` (64 KiB when negative) uncompressed bytes; ``b""`` at the end."""
        size = _CHUNK if size < 0 else size
        stalled = 0
        while not self._done and size > 0:
            if self._decompressor.eof or (self._left == 0 and self._decompressor.needs_input):
                self._finish()
                return b""
            chunk = self._take(_CHUNK) if self._decompressor.needs_input else b""
            if self._decompressor.needs_input and not chunk:
                raise EOFError("compressed data ends early")
            data = self._decompressor.decompress(chunk, size)
            if data:
                self._size += len(data)
                if self._size > self._info.file_size:
                    raise zipfile.BadZipFile(f"more data than the {self._info.file_size} bytes declared")
                self._crc = zlib.crc32(data, self._crc)
                return data
            stalled = 0 if chunk else stalled + 1
            if stalled > _STALLED_CALLS:
                raise zipfile.BadZipFile("the decompressor makes no progress")
        return b""

    def _finish(self) -> None:
        self._done = True
        if self._size != self._info.file_size:
            raise EOFError(f"{self._size} bytes, {self._info.file_size} declared")
        if self._crc != self._info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {self._info.filename!r}")

    def close(self) -> None:
        """Nothing to release: the archive's file is the wheel's."""


def _lzma_decompressor(properties: bytes) -> lzma.LZMADecompressor:
    """A raw LZMA1 decompressor from the 5-byte properties a zip's LZMA member stores (APPNOTE 5.8.8)."""
    if len(properties) < 5:
        raise zipfile.BadZipFile("LZMA properties too short")
    first = properties[0]
    if first >= 9 * 5 * 5:
        raise zipfile.BadZipFile("bad LZMA properties")
    (dictionary,) = struct.unpack("<I", properties[1:5])
    lzma_filter = {"id": lzma.FILTER_LZMA1, "dict_size": dictionary,
                   "lc": first % 9, "lp": (first // 9) % 5, "pb": first // 45}
    return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma_filter])


def _zip_kind(info: zipfile.ZipInfo) -> MemberKind:
    """The member's kind from its Unix mode; ``"file"`` without one."""
    if info.is_dir():
        return "dir"
    mode = info.external_attr >> 16
    return next((kind for test, kind in _MODE_KINDS if test(mode)), "file")
