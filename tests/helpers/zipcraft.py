"""A writer of crafted zip archives, byte by byte, for the framing tests (APPNOTE.TXT 4.3).

``zipfile`` writes only well-formed archives; the framing rules are about the others. :func:`craft` writes
local headers, data, the central directory and the end records from :class:`Entry` rows, and every knob
breaks one rule: a data descriptor, a member missing from one side, sizes that differ, extras, comments,
ZIP64 end records with or without their locator, bytes before or after. Used by tests/audit/test_zip_framing.py
and tests/audit/test_audit_pypi.py.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field, replace

STORED = 0
DEFLATED = 8
BZIP2 = 12
UTF8 = 0x800
DESCRIPTOR = 0x08


@dataclass(frozen=True)
class Entry:
    """One member: its ``name``, ``data`` and ``method``; the rest breaks a rule when set."""

    name: bytes
    data: bytes = b""
    method: int = STORED
    flags: int = UTF8
    local_extra: bytes = b""
    central_extra: bytes = b""
    central_comment: bytes = b""
    local_name: bytes | None = None  # a different name in the local header
    local_compressed: int | None = None  # a different compressed size in the local header
    local_uncompressed: int | None = None
    descriptor: bool = False  # flag bit 3, sizes and CRC zero in the local header, a data descriptor after the data
    in_central: bool = True
    in_local: bool = True
    compressed: bytes | None = field(default=None)  # computed by :func:`craft`

    def payload(self) -> bytes:
        """The member's data as stored (compressed for deflate and bzip2)."""
        if self.compressed is not None:
            return self.compressed
        if self.method == DEFLATED:
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            return compressor.compress(self.data) + compressor.flush()
        if self.method == BZIP2:
            import bz2

            return bz2.compress(self.data)
        return self.data


def extra(block: int, body: bytes) -> bytes:
    """One extra field block: its id, its length, its body."""
    return struct.pack("<HH", block, len(body)) + body


def unicode_path(name: bytes, version: int = 1) -> bytes:
    """An Info-ZIP Unicode Path extra (0x7075) for ``name``."""
    return extra(0x7075, bytes([version]) + struct.pack("<L", zlib.crc32(name)) + name)


@dataclass(frozen=True)
class Archive:
    """A crafted archive: its entries and what follows them."""

    entries: tuple[Entry, ...]
    prefix: bytes = b""
    suffix: bytes = b""
    comment: bytes = b""
    zip64_end: bool = False  # write a ZIP64 end record (and its locator unless ``zip64_locator`` is False)
    zip64_locator: bool = True
    zip64_extensible: bytes = b""  # extensible data in the ZIP64 end record
    locator_offset_delta: int = 0  # the locator points this many bytes away from the ZIP64 end record
    second_end: bool = False  # write the end record twice
    declared_entries_delta: int = 0  # the end record counts this many entries more
    duplicate_central: int | None = None  # write this entry's central header twice
    duplicate_local: int | None = None  # write this entry's local header (and data) twice

    def bytes(self) -> bytes:
        """The archive's bytes."""
        return craft(self)


def _local(entry: Entry, payload: bytes) -> bytes:
    crc = zlib.crc32(entry.data)
    flags = entry.flags | (DESCRIPTOR if entry.descriptor else 0)
    compressed = len(payload) if entry.local_compressed is None else entry.local_compressed
    uncompressed = len(entry.data) if entry.local_uncompressed is None else entry.local_uncompressed
    if entry.descriptor:
        crc = compressed = uncompressed = 0
    name = entry.name if entry.local_name is None else entry.local_name
    header = struct.pack(
        "<4sHHHHHLLLHH", b"PK\x03\x04", 20, flags, entry.method, 0, 0x21, crc, compressed, uncompressed,
        len(name), len(entry.local_extra),
    )  # fmt: skip
    body = header + name + entry.local_extra + payload
    if entry.descriptor:
        body += struct.pack("<4sLLL", b"PK\x07\x08", zlib.crc32(entry.data), len(payload), len(entry.data))
    return body


def _central(entry: Entry, payload: bytes, offset: int) -> bytes:
    flags = entry.flags | (DESCRIPTOR if entry.descriptor else 0)
    header = struct.pack(
        "<4sHHHHHHLLLHHHHHLL", b"PK\x01\x02", 0x0314, 20, flags, entry.method, 0, 0x21, zlib.crc32(entry.data),
        len(payload), len(entry.data), len(entry.name), len(entry.central_extra), len(entry.central_comment), 0, 0,
        0o100644 << 16, offset,
    )  # fmt: skip
    return header + entry.name + entry.central_extra + entry.central_comment


def craft(archive: Archive) -> bytes:
    """Write ``archive``: its prefix, each local header and data, the central directory, the end records."""
    out = bytearray(archive.prefix)
    offsets: list[int] = []
    payloads = [entry.payload() for entry in archive.entries]
    for index, (entry, payload) in enumerate(zip(archive.entries, payloads, strict=True)):
        offsets.append(len(out))
        if entry.in_local:
            out += _local(entry, payload)
            if archive.duplicate_local == index:
                out += _local(entry, payload)
    start = len(out)
    count = 0
    for index, (entry, payload, offset) in enumerate(zip(archive.entries, payloads, offsets, strict=True)):
        if not entry.in_central:
            continue
        copies = 2 if archive.duplicate_central == index else 1
        for _ in range(copies):
            out += _central(entry, payload, offset - len(archive.prefix))
            count += 1
    size = len(out) - start
    declared = count + archive.declared_entries_delta
    if archive.zip64_end:
        end64_at = len(out)
        body = struct.pack("<HHLLQQQQ", 45, 45, 0, 0, declared, declared, size, start - len(archive.prefix))
        body += archive.zip64_extensible
        out += b"PK\x06\x06" + struct.pack("<Q", len(body)) + body
        if archive.zip64_locator:
            target = end64_at - len(archive.prefix) + archive.locator_offset_delta
            out += struct.pack("<4sLQL", b"PK\x06\x07", 0, target, 1)
    end = struct.pack(
        "<4sHHHHLLH", b"PK\x05\x06", 0, 0, declared, declared, size, start - len(archive.prefix), len(archive.comment)
    ) + archive.comment
    out += end
    if archive.second_end:
        out += end
    out += archive.suffix
    return bytes(out)


def with_entry(archive: Archive, index: int, **changes: object) -> Archive:
    """``archive`` with entry ``index`` changed (:func:`dataclasses.replace` keywords)."""
    entries = list(archive.entries)
    entries[index] = replace(entries[index], **changes)  # type: ignore[arg-type]
    return replace(archive, entries=tuple(entries))
