"""ZIP framing as PyPI checks it: a zip must read the same through its central directory and its local headers.

Installers read a wheel through the central directory (``zipfile``); a streaming reader walks the local file
headers from the first byte. When the two views differ (a member only one of them sees, sizes that disagree,
data descriptors, a second end record, bytes before or after the archive), two tools unpack two different
wheels from one file: a parser differential. PyPI refuses such uploads. The rules here are those of
warehouse's ``warehouse/utils/zipfiles.py`` ``validate_zipfile`` (pypi/warehouse commit
6b62157124ab7865029afeeadf282bce27d601d9), written anew from the ZIP specification (APPNOTE.TXT, sections
4.3.7 to 4.3.16, 4.5.3) and that function's documented behaviour; each message is warehouse's own text, so a
finding says what PyPI would answer.

The walk reads record headers only and seeks over member data: memory is the member names (bounded by the
member limit the caller checked before) and time is linear in the number of records, whatever a member's size.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Mapping
from typing import IO, Final

__all__ = ["FRAMING_HELP", "central_directory_entries", "framing_problem"]

_CENTRAL: Final = b"PK\x01\x02"
_LOCAL: Final = b"PK\x03\x04"
_END: Final = b"PK\x05\x06"
_END64: Final = b"PK\x06\x06"
_END64_LOCATOR: Final = b"PK\x06\x07"

_ZIP64_EXTRA: Final = 0x0001
_UNICODE_PATH_EXTRA: Final = 0x7075
_UNIQUE_EXTRAS: Final = frozenset({_ZIP64_EXTRA, _UNICODE_PATH_EXTRA})
_ZIP64_EXTRA_SIZES: Final = frozenset({0, 8, 16, 24, 28})
_UNKNOWN: Final = 0xFFFFFFFF
_STORED: Final = 0
_DATA_DESCRIPTOR_FLAG: Final = 0x08
_UTF8_FLAG: Final = 0x800
_UNPRINTABLE: Final = frozenset(range(0x20)) | {0x7F}

FRAMING_HELP: Final = "See https://docs.pypi.org/archives for more information"
"""The pointer PyPI appends to every framing refusal."""

MALFORMED: Final = "Malformed zip file"


class _Refused(Exception):
    """One framing rule broken; ``str()`` is warehouse's message for it."""


def _exact(stream: IO[bytes], size: int) -> bytes:
    """``size`` bytes from ``stream``, or :class:`_Refused` when the file ends first."""
    data = stream.read(size)
    if len(data) != size:
        raise _Refused(MALFORMED)
    return data


def _printable(name: bytes) -> None:
    if any(byte in _UNPRINTABLE for byte in name):
        raise _Refused("Invalid character in filename")


def zipfile_name(raw_name: bytes, flags: int) -> str:
    """The member name as ``zipfile`` decodes it: UTF-8 when bit 11 of ``flags`` is set, else cp437."""
    return raw_name.decode("utf-8") if flags & _UTF8_FLAG else raw_name.decode("cp437")


def _local_sizes(extra: bytes, method: int, compressed: int, uncompressed: int) -> tuple[int, int]:
    """Check a local header's extra fields; return its ``(compressed, uncompressed)`` sizes after ZIP64.

    Rules (warehouse ``_handle_local_file_header``): every extra block fits; a ZIP64 (0x0001) or Unicode
    path (0x7075) block appears at most once; a ZIP64 block is 0, 8, 16, 24 or 28 bytes; an empty one
    leaves no size at the 0xFFFFFFFF sentinel; an 8-byte one (the uncompressed size alone) needs the stored
    method, whose two sizes are equal; a longer one gives the compressed size, and the uncompressed size
    where the header holds the sentinel (APPNOTE 4.5.3). A Unicode path is printable UTF-8.
    """
    seen: set[int] = set()
    while extra:
        if len(extra) < 4:
            raise _Refused(MALFORMED)
        block, length = struct.unpack("<HH", extra[:4])
        if length + 4 > len(extra):
            raise _Refused(MALFORMED)
        if block in seen and block in _UNIQUE_EXTRAS:
            raise _Refused("Invalid duplicate extra in local file")
        seen.add(block)
        body = extra[4 : 4 + length]
        if block == _ZIP64_EXTRA:
            compressed, uncompressed = _zip64_sizes(body, method, compressed, uncompressed)
        elif block == _UNICODE_PATH_EXTRA:
            name = body[5:]  # version (1 byte) and the CRC-32 of the header's name (4 bytes) come first
            _printable(name)
            try:
                name.decode("utf-8")
            except UnicodeDecodeError:
                raise _Refused("Filename not valid UTF-8") from None
        extra = extra[4 + length :]
    return compressed, uncompressed


def _zip64_sizes(body: bytes, method: int, compressed: int, uncompressed: int) -> tuple[int, int]:
    if len(body) not in _ZIP64_EXTRA_SIZES:
        raise _Refused(MALFORMED)
    if not body:
        if _UNKNOWN in (compressed, uncompressed):
            raise _Refused(MALFORMED)
        return compressed, uncompressed
    if len(body) == 8:
        if method != _STORED:
            raise _Refused(MALFORMED)
        (size,) = struct.unpack("<Q", body)
        return size, size if uncompressed == _UNKNOWN else uncompressed
    first, second = struct.unpack("<QQ", body[:16])
    return second, first if uncompressed == _UNKNOWN else uncompressed


def _local_header(stream: IO[bytes], central: Mapping[str, tuple[int, int]]) -> bytes:
    """Read one local file header (its signature already read), check it, seek past its data; return its name."""
    flags, method, compressed, uncompressed, name_size, extra_size = struct.unpack(
        "<2xHH8xLLHH", _exact(stream, 26)
    )
    name = _exact(stream, name_size)
    extra = _exact(stream, extra_size)
    _printable(name)
    compressed, uncompressed = _local_sizes(extra, method, compressed, uncompressed)
    if flags & _DATA_DESCRIPTOR_FLAG:
        raise _Refused("ZIP contains a data descriptor")
    try:
        text = name.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused("Filename not unicode") from None
    listed = central.get(text)
    if listed is None:
        raise _Refused("Filename not in central directory")
    if listed[0] != compressed:
        raise _Refused("Mis-matched data size")
    if listed[1] != uncompressed:
        raise _Refused("Mis-matched file size")
    stream.seek(compressed, os.SEEK_CUR)
    return name


def _central_header(stream: IO[bytes]) -> tuple[bytes, int]:
    """Read one central directory header (signature read); return its name and its length in bytes."""
    name_size, extra_size, comment_size = struct.unpack("<24xHHH12x", _exact(stream, 42))
    if comment_size:
        raise _Refused("Comment in central directory")
    name = _exact(stream, name_size)
    _exact(stream, extra_size)
    _printable(name)
    return name, 46 + name_size + extra_size


def _walk(stream: IO[bytes], central: Mapping[str, tuple[int, int]]) -> None:
    """Walk every record from offset 0 to the end record; :class:`_Refused` at the first rule broken.

    The order is the archive's own: local headers (each followed by its data), the central directory, then
    optionally a ZIP64 end record and its locator, then the end record. The end record must count, place
    and size the central directory exactly as found; after a ZIP64 end record the classic end record needs
    the locator before it, and the locator must point at the ZIP64 record. Nothing may follow the end record
    but its own comment (warehouse ``_validate_zipfile``).
    """
    local: set[bytes] = set()
    listed: set[bytes] = set()
    directory_start: int | None = None
    directory_entries = directory_size = 0
    end64_at: int | None = None
    locator_target: int | None = None
    declared: tuple[int, int, int] | None = None  # entries, size, offset: from the ZIP64 end record first
    while True:
        signature = _exact(stream, 4)
        here = stream.tell() - 4
        if signature == _END and end64_at is not None and locator_target is None:
            raise _Refused(MALFORMED)
        if signature == _CENTRAL:
            if directory_start is None:
                directory_start = here
            directory_entries += 1
            name, size = _central_header(stream)
            directory_size += size
            if name in listed:
                raise _Refused("Duplicate filename in central directory")
            if name not in local:
                raise _Refused("Missing filename in local headers")
            listed.add(name)
        elif signature == _LOCAL:
            name = _local_header(stream, central)
            if name in local:
                raise _Refused("Duplicate filename in local headers")
            local.add(name)
        elif signature == _END:
            if directory_start is None:
                directory_start = here
            on_disk, entries, size, offset, comment = struct.unpack("<4xHHLLH", _exact(stream, 18))
            if on_disk != entries:
                raise _Refused(MALFORMED)
            stream.seek(comment, os.SEEK_CUR)
            if declared is None or locator_target is None:
                declared = (entries, size, offset)
            if declared[0] != directory_entries:
                raise _Refused("Mismatched central directory records")
            if declared[2] != directory_start:
                raise _Refused("Mismatched central directory offset")
            if declared[1] != directory_size:
                raise _Refused("Mismatched central directory size")
            break
        elif signature == _END64:
            end64_at = here
            record_size, on_disk64, entries64, size64, offset64 = struct.unpack("<Q12xQQQQ", _exact(stream, 52))
            if on_disk64 != entries64:
                raise _Refused(MALFORMED)
            if record_size != 44:
                raise _Refused("ZIP64 extensible data not allowed")
            declared = (entries64, size64, offset64)
        elif signature == _END64_LOCATOR:
            (locator_target,) = struct.unpack("<4xQ4x", _exact(stream, 16))
            if locator_target != end64_at:
                raise _Refused(MALFORMED)  # a stricter reading than warehouse's: the locator must point back
        else:
            raise _Refused("Unknown record signature")
    if listed != local:  # pragma: no cover - every central name was found locally, counts agree
        raise _Refused("Mis-matched local headers and central directory")
    position = stream.tell()
    if position != stream.seek(0, os.SEEK_END):
        raise _Refused("Trailing data")


def framing_problem(stream: IO[bytes], central: Mapping[str, tuple[int, int]]) -> str | None:
    """Why PyPI would refuse the zip read from ``stream`` for its framing, or ``None`` when it would not.

    ``stream``: the archive's raw bytes, seekable; its position is restored. ``central``: the central
    directory as ``zipfile`` reads it, ``{name: (compressed size, uncompressed size)}`` in bytes (names
    decoded as :func:`zipfile_name` does). The answer is warehouse's message for the first rule broken
    (``"ZIP contains a data descriptor"``, ``"Trailing data"``, ...), as ``validate_zipfile`` returns it.
    Never raises for damaged input (an ``OSError`` reading the file propagates).
    """
    position = stream.tell()
    try:
        stream.seek(0)
        _walk(stream, central)
    except _Refused as refused:
        return str(refused)
    except (struct.error, OverflowError, ValueError):  # pragma: no cover - _exact sizes every unpack
        return MALFORMED
    finally:
        stream.seek(position)
    return None


def central_directory_entries(stream: IO[bytes], start: int, size: int, limit: int) -> int:
    """Count the central directory headers ``zipfile`` would read: from byte ``start``, ``size`` bytes long.

    ``zipfile`` reads entries while bytes of the declared directory remain and ignores the end record's entry
    count, so the count that bounds its work is this one. Counting stops past ``limit`` (returns
    ``limit + 1``) or at the first header that is not one (``zipfile`` then refuses the archive). Reads
    headers only; the stream position is restored.
    """
    position = stream.tell()
    count = 0
    try:
        stream.seek(start)
        remaining = size
        while remaining >= 46 and count <= limit:
            header = stream.read(46)
            if len(header) != 46 or header[:4] != _CENTRAL:
                break
            name_size, extra_size, comment_size = struct.unpack("<HHH", header[28:34])
            length = 46 + name_size + extra_size + comment_size
            stream.seek(length - 46, os.SEEK_CUR)
            remaining -= length
            count += 1
    finally:
        stream.seek(position)
    return count
