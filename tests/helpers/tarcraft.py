"""Tar streams written header by header: what tarfile will not write (hostile or malformed members).

Each function returns the raw bytes of one part of a tar stream (ustar headers, PAX and GNU long-name
records, old-style GNU sparse members), or a whole gzip-compressed sdist around such parts; the auditor's
readers must treat them as tar's own format (POSIX.1-2001 pax, GNU tar's extensions) says.
"""

from __future__ import annotations

import tarfile
import zlib


def pad_block(data: bytes) -> bytes:
    """``data`` padded with NULs to whole 512-byte tar blocks."""
    return data + bytes(-len(data) % tarfile.BLOCKSIZE)


def ustar_header(name: str, kind: bytes = tarfile.REGTYPE, size: int = 0) -> bytearray:
    """A ustar header block for ``name`` of type ``kind`` declaring ``size`` data bytes."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = size
    return bytearray(info.tobuf(tarfile.USTAR_FORMAT))


def checksummed(header: bytearray) -> bytes:
    """``header`` with its checksum field recomputed (after bytes were patched in)."""
    header[148:156] = b" " * 8
    header[148:155] = b"%06o\0" % sum(header)
    return bytes(header)


def pax_record(key: str, value: str) -> bytes:
    """One PAX record ``"LEN key=value\\n"``, LEN counting the whole record."""
    body = f" {key}={value}\n".encode()
    length = len(body) + 1
    while len(str(length)) + len(body) != length:
        length += 1
    return str(length).encode() + body


def pax_header(records: dict[str, str], kind: bytes = tarfile.XHDTYPE) -> bytes:
    data = b"".join(pax_record(key, value) for key, value in records.items())
    return bytes(ustar_header("././@PaxHeader", kind, len(data))) + pad_block(data)


def gnu_long_name(name: str) -> bytes:
    data = name.encode() + b"\0"
    return bytes(ustar_header("././@LongLink", tarfile.GNUTYPE_LONGNAME, len(data))) + pad_block(data)


def old_sparse(name: str, extension_blocks: int) -> bytes:
    """An old-style GNU sparse member (type ``S``) followed by ``extension_blocks`` sparse blocks."""
    header = ustar_header(name, tarfile.GNUTYPE_SPARSE, 0)
    header[482] = 1 if extension_blocks else 0
    blocks = [checksummed(header)]
    for index in range(extension_blocks):
        block = bytearray(b"%011o\0%011o\0" % (index * 2, 1) * 21 + bytes(8))
        block[504] = 1 if index + 1 < extension_blocks else 0
        blocks.append(bytes(block))
    return b"".join(blocks)


def sdist_bytes(*parts: bytes) -> bytes:
    """A gzip-compressed tar of a well-formed ``demo-1.0/PKG-INFO`` member, then ``parts``, then the end."""
    pkg_info = b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"
    compressor = zlib.compressobj(6, wbits=31)
    out = [compressor.compress(bytes(ustar_header("demo-1.0/PKG-INFO", size=len(pkg_info))) + pad_block(pkg_info))]
    out.extend(compressor.compress(part) for part in parts)
    out.append(compressor.compress(bytes(2 * tarfile.BLOCKSIZE)))
    out.append(compressor.flush())
    return b"".join(out)
