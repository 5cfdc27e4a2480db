"""Reading a wheel (a zip): its central directory, bounded, then each member opened at most once.

A hostile central directory declaring millions of entries is refused before ``zipfile`` builds one
object per entry (:func:`open_wheel`). :meth:`Wheel.members` yields one
:class:`~sdistguard.audit.base.Member` per central directory entry, in order; member kinds come from
the Unix mode in ``external_attr`` and a symlink's target is its data (the Info-ZIP convention). A
member's data is opened once, on first use: the ``head`` the collector asks for (or a symlink's
target) and the rest for hashing against ``RECORD`` and the secret scan are one read
(:class:`Content`). A member the caller already read whole through :meth:`Wheel.read` (``RECORD``)
is served from memory, not opened again.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Final

from sdistguard.audit.base import ZIP_ERRORS, LimitReached, Limits, Member, MemberKind, describe, open_input
from sdistguard.errors import InputError

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

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, kept: bytes | None) -> None:
        self._archive = archive
        self._info = info
        self._kept = kept
        self._handle: IO[bytes] | None = None
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
            self._handle = self._archive.open(self._info)
            data = self._handle.read(size)
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
            self._handle = self._archive.open(self._info)
        while chunk := self._handle.read(_CHUNK):
            yield chunk

    def close(self) -> None:
        """Close the member's handle, if one was opened."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class Wheel:
    """An open wheel: its central directory (:attr:`infos`), whole-member reads and the member stream.

    Use as a context manager; :func:`open_wheel` makes one.
    """

    def __init__(self, archive: zipfile.ZipFile, raw: IO[bytes]) -> None:
        self.archive = archive
        self._raw = raw
        self.infos: list[zipfile.ZipInfo] = archive.infolist()
        self._kept: dict[int, bytes] = {}

    def __enter__(self) -> Wheel:
        return self

    def __exit__(self, *_: object) -> None:
        self.archive.close()
        self._raw.close()

    def read(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        """The first ``limit`` bytes of the member ``info``, kept so that :meth:`members` does not read
        it again. Raises one of :data:`~sdistguard.audit.base.ZIP_ERRORS` when it cannot be read."""
        with self.archive.open(info) as member:
            data = member.read(limit)
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
            content = Content(self.archive, info, self._kept.pop(info.header_offset, None))
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

    Raises :class:`~sdistguard.errors.InputError` when the file cannot be opened or is not a zip
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
    """The member's kind from its Unix mode; ``"file"`` without one."""
    if info.is_dir():
        return "dir"
    mode = info.external_attr >> 16
    return next((kind for test, kind in _MODE_KINDS if test(mode)), "file")
