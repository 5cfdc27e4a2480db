"""hatchling's wheel archive, with its members deflated and hashed on every core: the same bytes.

hatchling's ``WheelArchive.add_file`` stats a file, makes its ``zip_info``, reads it in 16 KiB
chunks, hashes them (sha256, for RECORD) and writes them through ``ZipFile.open(zip_info, "w")``,
which deflates them (zlib's default level, raw deflate) and computes their CRC-32: member after
member, on one core, with a seek back to rewrite each local header. Zip members are independent,
so here a pool of ``os.cpu_count()`` threads does all of that but the writing (hashlib and zlib
release the GIL), a few tasks of ``BATCH_FILES`` files ahead of the writer, while the main thread
walks and writes the finished members in hatchling's order; a task of tiny files (under
``INLINE_BELOW`` bytes in all) is packed by the main thread itself, in its turn.

What reaches the file is zipfile's own: each ``zip_info`` is made as hatchling's ``add_file`` makes
it, deflated by zipfile's own ``_get_compressor`` for it, its local header is
``ZipInfo.FileHeader`` with the final sizes and CRC (what zipfile leaves after its seek back), and
the central directory and RECORD are written by zipfile and hatchling at the end.
:func:`direct_writes_agree` checks once per process that :func:`write_member` gives the running
Python's zipfile bytes; deflate's output depends only on the bytes and the flushes, so every member
is byte for byte hatchling's (``tests/backend/test_writer_identity.py`` proves it on generated trees).
What is not a regular file, and a name given twice (hatchling's error), goes through hatchling's
``add_file`` at its turn.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from hatchling.builders.utils import (
    format_file_hash,
    normalize_archive_path,
    normalize_artifact_permissions,
    normalize_file_permissions,
    replace_file,
    set_zip_info_mode,
)
from hatchling.builders.wheel import RecordFile, WheelArchive

from sdistguard.rules.model import Record

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from sdistguard.builders.content import ContentLog

if TYPE_CHECKING:
    from hatchling.builders.plugin.interface import IncludedFile
    from hatchling.builders.wheel import WheelBuilder

__all__ = [
    "BATCH_FILES", "INLINE_BELOW", "PENDING_BATCHES", "SPOOL_ABOVE", "ParallelWheelArchive", "build_standard_wheel",
    "direct_writes_agree", "write_member",
]

BATCH_FILES: Final = 16
"""Files per task of the pool (one task per small file would cost more than deflating it)."""
PENDING_BATCHES: Final = 2
"""Tasks submitted ahead of the writer, per worker thread."""
INLINE_BELOW: Final = 64 << 10
"""A task of fewer bytes than this is packed by the writer's own thread, after the tasks before it:
handing small files to a worker costs more in GIL hand-overs than deflating them (a tree of tiny
files built 1.4x slower in parallel than in turn; real sources, 16 KiB a file on average, gain)."""
SPOOL_ABOVE: Final = 256 << 10
"""A file above this many bytes is read and deflated in pieces of this size, its deflated bytes
spooled to a temporary file once they pass this size: so at most ``BATCH_FILES * SPOOL_ABOVE``
bytes of deflated data per task wait in memory for the writer."""


class _Packed(Record):
    """A member deflated by a worker: hatchling's ``zip_info``, the deflated bytes and what RECORD needs."""

    __slots__ = ("compress_size", "crc", "deflated", "digest", "file_size", "st_size", "zip64", "zip_info")

    zip_info: zipfile.ZipInfo
    zip64: bool
    deflated: bytes | BinaryIO
    compress_size: int
    crc: int
    file_size: int
    digest: bytes
    st_size: int

    def __init__(self, zip_info: zipfile.ZipInfo, zip64: bool, deflated: bytes | BinaryIO, compress_size: int,
                 crc: int, file_size: int, digest: bytes, st_size: int) -> None:
        _set = object.__setattr__
        _set(self, "zip_info", zip_info)
        _set(self, "zip64", zip64)
        _set(self, "deflated", deflated)
        _set(self, "compress_size", compress_size)
        _set(self, "crc", crc)
        _set(self, "file_size", file_size)
        _set(self, "digest", digest)
        _set(self, "st_size", st_size)


def _deflater(zip_info: zipfile.ZipInfo) -> Any:
    """zipfile's own compressor for ``zip_info`` (hatchling's: deflate at zlib's default level)."""
    return zipfile._get_compressor(zip_info.compress_type, zip_info._compresslevel)  # type: ignore[attr-defined]


class _Packer:
    """What a worker does for one file: hatchling's ``zip_info``, then read, hash and deflate."""

    def __init__(self, reproducible: bool, time_tuple: Any, spool_above: int,
                 content: ContentLog | None = None) -> None:
        self.reproducible = reproducible
        self.time_tuple = time_tuple
        self.spool_above = spool_above
        self.content = content

    def batch(self, files: list[IncludedFile], stats: list[os.stat_result | None]) -> list[_Packed | None]:
        """Pack every file of a task (``stats``: each one's ``os.stat``, if taken); ``None`` for what
        hatchling's ``add_file`` must write."""
        packed: list[_Packed | None] = []
        try:
            for included_file, file_stat in zip(files, stats, strict=True):
                packed.append(self.pack(included_file, file_stat))
        except BaseException:
            _close_spools(packed)
            raise
        return packed

    def pack(self, included_file: IncludedFile, file_stat: os.stat_result | None = None) -> _Packed | None:
        """hatchling's ``add_file`` up to the writing, or ``None`` for a file that is not regular.

        ``file_stat`` is the file's ``os.stat`` when the caller took it already (followed links, as
        hatchling's ``os.stat``)."""
        relative_path = normalize_archive_path(included_file.distribution_path)
        if file_stat is None:
            file_stat = os.stat(included_file.path)
        if not stat.S_ISREG(file_stat.st_mode):
            return None
        if self.reproducible:
            zip_info = zipfile.ZipInfo(relative_path, self.time_tuple)
            set_zip_info_mode(zip_info, normalize_file_permissions(file_stat.st_mode))
            zip_info.file_size = file_stat.st_size
        else:
            zip_info = zipfile.ZipInfo.from_file(included_file.path, relative_path)
        zip_info.compress_type = zipfile.ZIP_DEFLATED
        # as ZipFile._open_to_write decides it: deflated data can be larger than the file
        zip64 = zip_info.file_size * 1.05 > zipfile.ZIP64_LIMIT
        deflater = _deflater(zip_info)
        content = self.content
        scanner = content.scanner(included_file) if content is not None else None
        with open(included_file.path, "rb") as file:
            piece = self.spool_above
            if file_stat.st_size <= piece:
                data = file.read()
                deflated = deflater.compress(data) + deflater.flush()
                if content is not None:
                    if scanner is not None:
                        scanner.feed(data)
                    content.record(included_file, relative_path, len(data), scanner)
                return _Packed(zip_info, zip64, deflated, len(deflated), zlib.crc32(data), len(data),
                               hashlib.sha256(data).digest(), file_stat.st_size)
            spool = tempfile.SpooledTemporaryFile(piece)  # noqa: SIM115 - handed to the writer
            try:
                crc = file_size = 0
                hasher = hashlib.sha256()
                while data := file.read(piece):
                    crc = zlib.crc32(data, crc)
                    file_size += len(data)
                    hasher.update(data)
                    if scanner is not None:
                        scanner.feed(data)
                    spool.write(deflater.compress(data))
                spool.write(deflater.flush())
                if content is not None:
                    content.record(included_file, relative_path, file_size, scanner)
                compress_size = spool.tell()
                spool.seek(0)
            except BaseException:
                spool.close()
                raise
            return _Packed(zip_info, zip64, spool, compress_size, crc, file_size, hasher.digest(),  # type: ignore[arg-type]
                           file_stat.st_size)


def write_member(zf: zipfile.ZipFile, packed: _Packed) -> None:
    """Write a deflated member as ``ZipFile.open(zip_info, "w")``, ``write`` and ``close`` would.

    ``zf`` is a seekable ``ZipFile`` in mode ``"w"`` whose file is positioned at its ``start_dir``
    (where ``ZipFile.open`` seeks). The local header is zipfile's ``ZipInfo.FileHeader`` with the
    final sizes and CRC (zipfile writes it twice, then seeks back to rewrite it: the bytes are the
    same); the member joins ``filelist`` for the central directory. Raises zipfile's
    ``RuntimeError`` for a file that grew past 2 GiB while zip64 was not planned for it.
    :func:`direct_writes_agree` checks this against the running Python's zipfile.
    """
    zip_info = packed.zip_info
    zip_info.flag_bits = 0x00
    if not zip_info.external_attr:
        zip_info.external_attr = 0o600 << 16
    zip_info.compress_size = packed.compress_size
    zip_info.CRC = packed.crc
    zip_info.file_size = packed.file_size
    if not packed.zip64 and max(packed.file_size, packed.compress_size) > zipfile.ZIP64_LIMIT:
        raise RuntimeError("File size too large, try using force_zip64")
    zip_info.header_offset = zf.start_dir
    zf._writecheck(zip_info)  # type: ignore[attr-defined]
    zf._didModify = True  # type: ignore[attr-defined]
    header = zip_info.FileHeader(packed.zip64)
    fp: Any = zf.fp
    fp.write(header)
    if isinstance(packed.deflated, bytes):
        fp.write(packed.deflated)
    else:
        with packed.deflated as spool:
            shutil.copyfileobj(spool, fp, 1 << 20)
    zf.start_dir = zip_info.header_offset + len(header) + packed.compress_size
    zf.filelist.append(zip_info)
    zf.NameToInfo[zip_info.filename] = zip_info


def direct_writes_agree() -> bool:
    """Whether :func:`write_member` gives zipfile's bytes on this Python (checked once per process)."""
    global _AGREE
    if _AGREE is None:
        try:
            _AGREE = _sample_zip(direct=True) == _sample_zip(direct=False)
        except Exception:  # a zipfile without the expected internals: not ours to write
            _AGREE = False
    return _AGREE


_AGREE: bool | None = None


def _sample_zip(*, direct: bool) -> bytes:
    """A small zip written through zipfile's ``open`` or through :func:`write_member`, then ``writestr``."""
    buffer = io.BytesIO()
    samples = (("a/x.py", b"x = 1\n" * 50, 0o644), ("b/\u00e9.txt", b"", 0), ("c", bytes(9), 0o755))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if direct:
            zf.fp.seek(zf.start_dir)  # type: ignore[union-attr]
        for name, data, mode in samples:
            zip_info = zipfile.ZipInfo(name, (2020, 2, 2, 0, 0, 0))
            if mode:
                set_zip_info_mode(zip_info, mode)
            zip_info.file_size = len(data)
            zip_info.compress_type = zipfile.ZIP_DEFLATED
            if direct:
                deflater = _deflater(zip_info)
                deflated = deflater.compress(data) + deflater.flush()
                packed = _Packed(zip_info, False, deflated, len(deflated), zlib.crc32(data), len(data), b"", 0)
                write_member(zf, packed)
            else:
                with zf.open(zip_info, "w") as out_file:
                    out_file.write(data)
        zf.writestr(zipfile.ZipInfo("d/RECORD", (2020, 2, 2, 0, 0, 0)), b"record")
    return buffer.getvalue()


class ParallelWheelArchive(WheelArchive):
    """hatchling's ``WheelArchive`` plus :meth:`add_files`, which writes many members on every core.

    Constructed like hatchling's (``project_id`` ``{name}-{version}``, ``reproducible``); every
    other method is hatchling's. ``workers`` threads (default ``os.cpu_count()``) pack tasks of
    ``batch_files`` files, at most ``pending_batches`` tasks per worker ahead of the writer (a task of
    fewer than ``inline_below`` bytes is packed by the writer's thread itself); a file
    above ``spool_above`` bytes is deflated in pieces of that size into a spooled temporary file.
    """

    def __init__(self, project_id: str, *, reproducible: bool, workers: int | None = None,
                 batch_files: int = BATCH_FILES, pending_batches: int = PENDING_BATCHES,
                 spool_above: int = SPOOL_ABOVE, inline_below: int = INLINE_BELOW,
                 content: ContentLog | None = None) -> None:
        super().__init__(project_id, reproducible=reproducible)
        self.workers = workers or os.cpu_count() or 1
        self.batch_files, self.pending_batches, self.spool_above = batch_files, pending_batches, spool_above
        self.inline_below = inline_below
        self.content = content

    def add_file(self, included_file: IncludedFile) -> tuple[str, str, str]:
        """hatchling's ``add_file``; with a ``content`` log, the file is scanned and its size recorded.

        This is the path of what :meth:`add_files` does not write (shared data, shared scripts,
        ``extra-metadata``, SBOMs, and every file when :func:`direct_writes_agree` is false). A
        regular file under a new name is packed here as a worker packs it (:class:`_Packer`: one
        read for the member, RECORD's hash and the scan; the same bytes); anything else goes through
        hatchling's ``add_file`` and the scan reads the file a second time.
        """
        content = self.content
        if content is not None and direct_writes_agree() and (
                normalize_archive_path(included_file.distribution_path) not in self.zf.NameToInfo):
            packer = _Packer(self.reproducible, self.time_tuple, self.spool_above, content)
            packed = packer.pack(included_file)
            if packed is not None:
                self.zf.fp.seek(self.zf.start_dir)  # type: ignore[union-attr]  # as ZipFile.open does
                write_member(self.zf, packed)
                return packed.zip_info.filename, f"sha256={format_file_hash(packed.digest)}", str(packed.st_size)
        row = super().add_file(included_file)
        if content is not None:
            scanner = content.scanner(included_file)
            size = 0
            with open(included_file.path, "rb") as file:
                while data := file.read(self.spool_above):
                    size += len(data)
                    if scanner is not None:
                        scanner.feed(data)
            content.record(included_file, row[0], size, scanner)
        return row

    def write_file(self, relative_path: str, contents: str | bytes, **options: Any) -> tuple[str, str, str]:
        """hatchling's ``write_file``: a member written from memory; with a ``content`` log, scanned too.

        hatchling writes this way what it generates: ``METADATA`` (the readme is its long
        description), ``WHEEL``, ``entry_points.txt``, the license files copied into
        ``.dist-info/licenses/``, a shared script whose shebang it rewrote, ``RECORD``, an editable
        wheel's ``.pth``. ``relative_path`` is the member's path in the wheel; the findings name it so,
        as ``sdistguard check`` does. ``options`` are hatchling's (``mode``), passed on.
        """
        data = contents if isinstance(contents, bytes) else contents.encode("utf-8")
        row = super().write_file(relative_path, data, **options)
        if self.content is not None:
            self.content.scan_generated(relative_path, data)
        return row

    def add_files(self, included_files: Iterable[IncludedFile]) -> Iterator[tuple[str, str, str]]:
        """Add every file, in order; yield each one's RECORD row ``(path, "sha256=...", size)``.

        The rows and the members are those of hatchling's ``add_file`` called on each file in
        turn (which still writes what is not a regular file, and meets a name given twice with
        hatchling's ``ValueError``); raises what it raises (``FileNotFoundError`` for a dangling
        link), possibly after reading a few files ahead. Without :func:`direct_writes_agree`, it
        is ``add_file`` for every file.
        """
        if not direct_writes_agree():
            for included_file in included_files:
                yield self.add_file(included_file)
            return
        packer = _Packer(self.reproducible, self.time_tuple, self.spool_above, self.content)
        pending: deque[tuple[list[IncludedFile], Future[list[_Packed | None]]]] = deque()
        batch: list[IncludedFile] = []
        stats: list[os.stat_result | None] = []
        batch_bytes = 0
        ahead = self.workers * self.pending_batches
        self.zf.fp.seek(self.zf.start_dir)  # type: ignore[union-attr]  # as ZipFile.open does
        # the pool (and concurrent.futures) only once a task is worth a worker: a small project's
        # wheel is packed on this thread alone, with no thread started
        pool: ThreadPoolExecutor | None = None
        with contextlib.ExitStack() as stack:
            try:
                for item in itertools.chain(included_files, [None]):
                    if item is not None:
                        file_stat = _stat(item.path)
                        batch.append(item)
                        stats.append(file_stat)
                        batch_bytes += file_stat.st_size if file_stat is not None else 0
                    if batch and (item is None or len(batch) >= self.batch_files):
                        if batch_bytes < self.inline_below:  # in turn, after the tasks before it
                            while pending:
                                yield from self._write(*pending.popleft())
                            yield from self._write_packed(batch, packer.batch(batch, stats))
                        else:
                            if pool is None:
                                from concurrent.futures import ThreadPoolExecutor

                                # here, not at the top: the sdist writer's module loads tarfile and gzip
                                from sdistguard.builders.sdist_writer import quick_gil_handover

                                stack.enter_context(quick_gil_handover())
                                pool = stack.enter_context(
                                    ThreadPoolExecutor(self.workers, thread_name_prefix="sdistguard-wheel"))
                            pending.append((batch, pool.submit(packer.batch, batch, stats)))
                        batch, stats, batch_bytes = [], [], 0
                    while pending and (item is None or len(pending) > ahead):
                        yield from self._write(*pending.popleft())
            finally:
                for _, future in pending:
                    if not future.cancel():
                        _discard(future)

    def _write(self, files: list[IncludedFile], future: Future[list[_Packed | None]]) -> Iterator[tuple[str, str, str]]:
        """Write a finished task's members in order; yield their RECORD rows."""
        yield from self._write_packed(files, future.result())

    def _write_packed(self, files: list[IncludedFile], results: list[_Packed | None]) -> Iterator[tuple[str, str, str]]:
        """Write packed members in order (hatchling's ``add_file`` for a ``None``); yield their RECORD rows."""
        try:
            for included_file, packed in zip(files, results, strict=True):
                if packed is None or packed.zip_info.filename in self.zf.NameToInfo:
                    _close_spools([packed])
                    yield WheelArchive.add_file(self, included_file)  # hatchling writes it, or raises its error
                else:
                    write_member(self.zf, packed)
                    yield packed.zip_info.filename, f"sha256={format_file_hash(packed.digest)}", str(packed.st_size)
        finally:
            _close_spools(results)


def _stat(path: str) -> os.stat_result | None:
    """``os.stat(path)``, or ``None`` when it fails (the packer then meets the error in hatchling's order)."""
    try:
        return os.stat(path)
    except OSError:
        return None


def _close_spools(results: Iterable[_Packed | None]) -> None:
    """Close the spool files among ``results`` (closing twice is harmless)."""
    for packed in results:
        if packed is not None and not isinstance(packed.deflated, bytes):
            packed.deflated.close()


def _discard(future: Future[list[_Packed | None]]) -> None:
    """Close the spools of a task that ran but will not be written (the build failed)."""
    with contextlib.suppress(BaseException):  # the build's own error is the one raised
        _close_spools(future.result())


def build_standard_wheel(builder: WheelBuilder, directory: str, build_data: dict[str, Any]) -> str:
    """hatchling's ``WheelBuilder.build_standard`` with :class:`ParallelWheelArchive`; the wheel's path.

    ``builder`` is a hatchling wheel builder (inside ``set_build_data``), ``directory`` where the
    ``.whl`` goes, ``build_data`` hatchling's build data (``tag``, ``infer_tag``, ``dependencies``,
    what the build hooks set). Raises what hatchling's ``build_standard`` raises.
    """
    if "tag" not in build_data:
        build_data["tag"] = builder.get_best_matching_tag() if build_data["infer_tag"] else builder.get_default_tag()

    archive = ParallelWheelArchive(builder.artifact_project_id, reproducible=builder.config.reproducible,
                                   content=getattr(builder, "content", None))
    with archive, RecordFile() as records:
        for record in archive.add_files(builder.recurse_included_files()):
            records.write(record)

        builder.write_data(archive, records, build_data, build_data["dependencies"])

        records.write((f"{archive.metadata_directory}/RECORD", "", ""))
        archive.write_metadata("RECORD", records.construct())

    target = os.path.join(directory, f"{builder.artifact_project_id}-{build_data['tag']}.whl")

    replace_file(archive.path, target)
    normalize_artifact_permissions(target)
    return target
