"""hatchling's sdist archive, written with its compression on a second core: the same bytes, sooner.

hatchling's ``SdistArchive`` writes a ``tarfile.TarFile`` (PAX format) into a ``gzip.GzipFile``
(level 9, fixed header mtime); zlib at level 9 on that one stream is most of an sdist build, and
tarfile's per-member work (``gettarinfo``'s stat and ``pwd``/``grp`` look-ups, which hatchling's
normaliser then throws away, two ``TarInfo`` copies, the header) runs on the same core before it.

:class:`StreamedSdistArchive` keeps everything hatchling's archive writes by its own code — the gzip
header (written by hatchling's ``GzipFile`` when it is constructed), the ``TarFile`` and its
end-of-archive blocks, ``create_file`` for PKG-INFO — and changes two things underneath:

- the bytes after the gzip header go through :class:`DeflateStream`: a bounded queue of 512 KiB
  chunks feeding a thread that runs the ``GzipFile``'s own ``zlib`` compressor (zlib releases the
  GIL while it compresses) and its CRC, then writes the trailer as ``GzipFile.close`` does. Deflate's
  output depends only on the bytes and the flushes, not on how the input is cut into calls, so the
  stream is byte for byte hatchling's (``tests/backend/test_writer_identity.py`` proves it on generated trees);
- :meth:`StreamedSdistArchive.add_path` writes a regular file member from one ``open`` and
  ``fstat``: the header hatchling's normaliser would produce (uid/gid 0, no user or group names,
  mode 644/755, the reproducible mtime), made by :func:`ustar_header` when the name fits a plain
  ustar header and by ``tarfile.TarInfo.tobuf`` otherwise (PAX long and non-ASCII names), then the
  contents and the padding. Anything else — ``reproducible = false``, a file that is not regular —
  goes through tarfile exactly as before (``gettarinfo`` + ``addfile``), into the same stream.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import stat
import struct
import sys
import tarfile
import threading
import zlib
from typing import TYPE_CHECKING, Any, Final, cast

from hatchling.builders.sdist import SdistArchive
from hatchling.builders.utils import normalize_file_permissions

if TYPE_CHECKING:
    import queue
    from collections.abc import Iterator
    from types import TracebackType
    from typing import BinaryIO

    from sdistguard.rules.credentials import SecretScanner

__all__ = [
    "CHUNK_SIZE", "QUEUE_CHUNKS", "SWITCH_INTERVAL", "DeflateStream", "StreamedSdistArchive", "TarfileSdistArchive",
    "quick_gil_handover", "ustar_header",
]

CHUNK_SIZE: Final = 512 << 10
"""Bytes handed to the compressor thread at a time (and read from a large file at a time)."""
QUEUE_CHUNKS: Final = 4
"""Chunks waiting for the compressor at most: with the one being compressed and the one being
filled, at most ``(QUEUE_CHUNKS + 2) * CHUNK_SIZE`` bytes of tar stream are in memory."""

SWITCH_INTERVAL: Final = 0.0002
"""Seconds a thread may hold the GIL while another waits for it, while a writer's threads run.

Python's default (5 ms) lets the compressor thread, back from zlib with its GIL released, wait up
to 5 ms for the main thread (busy in Python) at every chunk, and the wheel's workers likewise at
every file. In a few in-process builds of the real-sources tree on the loaded 2-core host, 0.2 ms
took the wheel from 1.13-1.16 s to 0.75-0.96 s and the sdist from 4.12 s to 3.75-3.93 s; paired
benchmark runs on that host were too noisy to show it."""


@contextlib.contextmanager
def quick_gil_handover() -> Iterator[None]:
    """Lower ``sys.getswitchinterval()`` to :data:`SWITCH_INTERVAL` for the block; restore it after.

    The interval is process-wide: a build backend's process runs the build and little else.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


_BLOCK: Final = tarfile.BLOCKSIZE
_OPEN_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
# An open FIFO must not block the build: O_NONBLOCK changes nothing for a regular file.


class DeflateStream:
    """A write-only binary stream that deflates what it is given on a second thread.

    ``raw`` is the file the compressed bytes go to (positioned after a gzip header), ``compressor``
    a ``zlib`` compress object (``GzipFile``'s own: raw deflate, level 9); ``chunk_size`` bytes
    are handed over at a time, at most ``queue_chunks`` of them waiting. :meth:`close` drains the
    queue, writes ``compressor.flush()``, the CRC-32 and the length modulo 2**32 as little-endian
    32-bit numbers: the gzip trailer of RFC 1952, as ``gzip.GzipFile.close`` writes it. An error of
    the compressor thread (a full disk) is raised by the next :meth:`write` or by :meth:`close`.
    """

    def __init__(self, raw: BinaryIO, compressor: Any, *, chunk_size: int = CHUNK_SIZE,
                 queue_chunks: int = QUEUE_CHUNKS) -> None:
        self._raw = raw
        self._chunk_size = chunk_size
        self._queue_chunks = queue_chunks
        self._compressor = compressor
        self._pending = bytearray()
        self._size = 0
        self._crc = 0
        self._error: BaseException | None = None
        self._closed = False
        # started with the first full chunk: a stream that never fills one (a small project's
        # sdist) is deflated on the calling thread by close(), with no thread and no queue at all
        self._queue: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran."""
        return self._closed

    def tell(self) -> int:
        """Uncompressed bytes written so far (what ``GzipFile.tell`` answers)."""
        return self._size

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Queue ``data`` for compression; return its length in bytes. Blocks while the queue is full."""
        if self._closed:
            raise ValueError("write to a closed DeflateStream")
        size = len(data)
        self._size += size
        if not self._pending and size >= self._chunk_size and isinstance(data, bytes):
            self._hand_off(data)
            return size
        self._pending += data
        if len(self._pending) >= self._chunk_size:
            chunk = bytes(self._pending)
            self._pending.clear()
            self._hand_off(chunk)
        return size

    def close(self) -> None:
        """Compress what is left, stop the thread and write the gzip trailer (once)."""
        if self._closed:
            return
        self._closed = True
        thread, work = self._thread, self._queue
        if thread is None or work is None:  # never threaded: the same compressor, on this thread
            self._crc = zlib.crc32(self._pending)
            out = self._compressor.compress(bytes(self._pending))
            self._pending.clear()
            if out:
                self._raw.write(out)
        else:
            if self._pending:
                work.put(bytes(self._pending))
                self._pending.clear()
            work.put(None)
            thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error
        self._raw.write(self._compressor.flush())
        self._raw.write(struct.pack("<LL", self._crc, self._size & 0xFFFFFFFF))

    def _hand_off(self, chunk: bytes) -> None:
        if self._error is not None:
            raise self._error
        if self._queue is None:
            import queue

            self._queue = queue.Queue(self._queue_chunks)
            self._thread = threading.Thread(target=self._deflate, name="sdistguard-deflate", daemon=True)
            self._thread.start()
        self._queue.put(chunk)

    def _deflate(self) -> None:
        """The thread: compress every chunk in order until ``None``; on an error keep draining."""
        assert self._queue is not None
        compress, crc32, write, get = self._compressor.compress, zlib.crc32, self._raw.write, self._queue.get
        crc = 0
        while (chunk := get()) is not None:
            if self._error is not None:
                continue
            try:
                crc = crc32(chunk, crc)
                out = compress(chunk)
                if out:
                    write(out)
            except BaseException as error:
                self._error = error
        self._crc = crc


_HEADER_TAIL: Final = b"0" + bytes(100) + tarfile.POSIX_MAGIC + bytes(32 + 32 + 8 + 8 + 155 + 12)
_IDS: Final = b"0000000\x000000000\x00"  # uid and gid 0
_TAIL_SUM: Final = sum(_HEADER_TAIL) + 8 * 0x20  # the checksum field counts as eight spaces


def ustar_header(name: str, mode: int, size: int, mtime: int) -> bytes | None:
    """The 512-byte header tarfile writes for a regular file of a reproducible hatchling sdist.

    ``name`` is the member name, ``mode`` its permission bits, ``size`` in bytes, ``mtime`` in
    seconds since the epoch; uid and gid are 0, user and group names empty. Returns ``None`` when
    tarfile's PAX format would add an extended header (a name that is not ASCII or longer than
    100 characters, a size or mtime beyond 11 octal digits): then ask ``TarInfo.tobuf``. The same
    bytes as ``tarfile.TarInfo._create_header`` (POSIX.1-2001 ustar), which
    :func:`fast_headers_agree` checks against the running Python's tarfile.
    """
    if len(name) > tarfile.LENGTH_NAME or not name.isascii() or not 0 <= size < 0o100000000000:
        return None
    if not 0 <= mtime < 0o100000000000:
        return None
    head = b"%s%s%07o\x00%s%011o\x00%011o\x00" % (
        name.encode("ascii"), bytes(100 - len(name)), mode & 0o7777, _IDS, size, mtime
    )
    return b"%s%06o\x00 %s" % (head, sum(head) + _TAIL_SUM, _HEADER_TAIL)


def _tarfile_header(name: str, mode: int, size: int, mtime: int, *, encoding: str = "utf-8",
                    errors: str = "surrogateescape") -> bytes:
    """The header(s) tarfile writes for the same member: PAX format, uid/gid 0, no user or group names."""
    info = tarfile.TarInfo(name)
    info.mode, info.size, info.mtime = mode, size, mtime
    return info.tobuf(tarfile.PAX_FORMAT, encoding, errors)


_SAMPLES: Final = (
    ("a", 0o644, 0, 0),
    ("pkg-1.0/src/pkg/__init__.py", 0o755, 1234567, 1700000000),
    ("p" * 100, 0o4755, 0o77777777777, 0o77777777777),
    ("pkg-1.0/x y/-~!#$%&'()*+,;=@[]^_`{}.txt", 0o644, 512, 315532800),
)


def fast_headers_agree() -> bool:
    """Whether :func:`ustar_header` gives tarfile's bytes on this Python (checked once per process)."""
    global _AGREE
    if _AGREE is None:
        _AGREE = all(ustar_header(*sample) == _tarfile_header(*sample) for sample in _SAMPLES)
    return _AGREE


_AGREE: bool | None = None


class StreamedSdistArchive(SdistArchive):
    """hatchling's ``SdistArchive`` with its compression on a thread and a lean path for regular files.

    Constructed like hatchling's (``name`` the top directory ``{name}-{version}``, ``reproducible``),
    plus ``chunk_size`` (bytes handed to the compressor thread at a time); a context manager like
    it, whose exit writes the end of the tar and the gzip trailer. Raises
    ``TypeError`` when hatchling's archive is not built the way this class expects (a ``GzipFile``
    in ``gz`` under a ``TarFile`` in ``tf``): then use hatchling's own.
    """

    def __init__(self, name: str, *, reproducible: bool, chunk_size: int = CHUNK_SIZE) -> None:
        super().__init__(name, reproducible=reproducible)
        self._chunk_size = chunk_size
        gz = self.gz
        expected = (
            isinstance(gz, gzip.GzipFile) and hasattr(gz, "compress") and gz.tell() == 0
            and isinstance(self.tf, tarfile.TarFile) and self.tf.format == tarfile.PAX_FORMAT
        )
        if not expected:
            SdistArchive.__exit__(self, None, None, None)
            os.remove(self.path)
            raise TypeError("hatchling's SdistArchive is not a TarFile over a GzipFile")
        # hatchling's GzipFile has written the gzip header (its mtime, its file name); everything
        # after it is deflated by the same compressor object on the thread, and the GzipFile is
        # retired without writing anything more.
        raw = cast("BinaryIO", gz.fileobj)
        self.stream = DeflateStream(raw, gz.compress, chunk_size=chunk_size)
        gz.fileobj = None  # type: ignore[assignment]  # GzipFile.close is now a no-op
        self.gz = self.stream  # type: ignore[assignment]  # hatchling's __exit__ closes this
        self.tf.fileobj = self.stream  # type: ignore[assignment]
        self._fast = reproducible and isinstance(self.timestamp, int) and fast_headers_agree()
        self._handover = quick_gil_handover()
        self._handover.__enter__()

    def __exit__(self, exc_type: type[BaseException] | None, exc_value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        """hatchling's exit (end of the tar, gzip trailer, close), with the thread stopped whatever fails."""
        try:
            self.tf.close()
        finally:
            try:
                self.stream.close()
            finally:
                self.fd.close()
                self._handover.__exit__(None, None, None)

    def add_path(self, path: str, arcname: str, scanner: SecretScanner | None = None) -> int:
        """Add the file at ``path`` (links followed) as the member ``arcname``, as hatchling would.

        The member is what ``gettarinfo`` (dereferencing) + hatchling's ``normalize_tar_metadata``
        + ``addfile`` write; every chunk of its contents is also fed to ``scanner`` (the secret scan,
        on the bytes read for the archive). Returns the member's size in bytes. Raises ``OSError``
        when the file cannot be read or shrinks while read (tarfile's "unexpected end of data").
        """
        arcname = arcname.replace(os.sep, "/").lstrip("/")
        if self._fast:
            fd = os.open(path, _OPEN_FLAGS)
            try:
                status = os.fstat(fd)
                if stat.S_ISREG(status.st_mode):
                    self._add_regular(fd, status, arcname, scanner)
                    return status.st_size
            finally:
                os.close(fd)
        return _add_through_tarfile(self, path, arcname, scanner)

    def _add_regular(self, fd: int, status: os.stat_result, arcname: str, scanner: SecretScanner | None) -> None:
        size = status.st_size
        mode = normalize_file_permissions(status.st_mode) & 0o7777
        mtime: int = self.timestamp  # type: ignore[assignment]  # an int: checked in __init__
        header = ustar_header(arcname, mode, size, mtime)
        if header is None:
            tf = self.tf
            header = _tarfile_header(arcname, mode, size, mtime, encoding=tf.encoding, errors=tf.errors)
        write = self.stream.write
        write(header)
        remaining = size
        while remaining:
            data = os.read(fd, min(remaining, self._chunk_size))
            if not data:
                raise OSError("unexpected end of data")
            write(data)
            if scanner is not None:
                scanner.feed(data)
            remaining -= len(data)
        padding = -size % _BLOCK
        if padding:
            write(bytes(padding))
        self.tf.offset += len(header) + size + padding


class TarfileSdistArchive(SdistArchive):
    """hatchling's ``SdistArchive`` unchanged, with :meth:`add_path` as sdistguard has always written it."""

    def add_path(self, path: str, arcname: str, scanner: SecretScanner | None = None) -> int:
        """Add the file at ``path`` (links followed) as ``arcname``: ``gettarinfo`` + ``addfile``.

        The bytes tarfile reads are fed to ``scanner`` too; returns the member's size in bytes.
        """
        return _add_through_tarfile(self, path, arcname, scanner)


class _ScannedReader:
    """A binary file whose ``read`` also feeds a :class:`SecretScanner` (what tarfile's ``addfile`` reads)."""

    def __init__(self, file: BinaryIO, scanner: SecretScanner) -> None:
        self._file = file
        self._scanner = scanner

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._scanner.feed(data)
        return data


def _add_through_tarfile(archive: SdistArchive, path: str, arcname: str, scanner: SecretScanner | None = None) -> int:
    """tarfile's own way, dereferencing (links and hardlinks become regular files); the member's size."""
    tf = archive.tf
    tf.dereference = True
    tar_info = archive.gettarinfo(path, arcname=arcname)  # type: ignore[no-untyped-call]
    if tar_info is None:  # a socket: tarfile cannot store it (the guarded walk never yields one)
        return 0
    with open(path, "rb") as file:
        tf.addfile(tar_info, file if scanner is None else _ScannedReader(file, scanner))
    # A writing TarFile keeps every TarInfo (for getmembers) and, dereferencing, never reads its
    # hardlink map: drop both, so memory does not grow with the file count.
    tf.members.clear()  # type: ignore[attr-defined]
    tf.inodes.clear()  # type: ignore[attr-defined]
    return int(tar_info.size)
