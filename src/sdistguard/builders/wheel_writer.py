"""hatchling's wheel archive, with its members compressed and hashed on every core: the same bytes.

hatchling's ``WheelArchive.add_file`` reads a file in 16 KiB chunks, hashes them (sha256, for
RECORD) and writes them through ``ZipFile.open(zip_info, "w")``, which deflates them (zlib level 6,
raw deflate) and computes their CRC-32, member after member on one core. Zip members are
independent, so here a pool of ``os.cpu_count()`` threads reads, hashes and deflates the files
(hashlib and zlib release the GIL) in batches, a bounded number of bytes ahead of the writer, while
the main thread walks and writes the finished members in hatchling's order.

Each member is still written by ``zipfile``'s own code — ``ZipFile.open(zip_info, "w")`` (hatchling's
subclass, with its duplicate-name check), the local header, the central directory, RECORD —
with ``zip_info`` made as hatchling's ``add_file`` makes it; only the deflating is done before:
the member's writer is handed a compressor whose output is already known, made by zipfile's own
``_get_compressor`` for that ``zip_info``. Deflate's output depends only on the bytes and the
flushes, so every member is byte for byte hatchling's (``tests/test_writer_identity.py``).
Anything else — a file larger than ``LARGE_FILE``, a directory, a name written twice, a Python whose
zipfile is not shaped as expected — goes through hatchling's ``add_file`` at its turn.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from hatchling.builders.utils import (
    format_file_hash,
    normalize_archive_path,
    normalize_artifact_permissions,
    normalize_file_permissions,
    replace_file,
    set_zip_info_mode,
)
from hatchling.builders.wheel import RecordFile, WheelArchive

if TYPE_CHECKING:
    from hatchling.builders.plugin.interface import IncludedFile
    from hatchling.builders.wheel import WheelBuilder

__all__ = ["BATCH_BYTES", "IN_FLIGHT_BYTES", "LARGE_FILE", "ParallelWheelArchive", "build_standard_wheel"]

LARGE_FILE: Final = 4 << 20
"""Files above this many bytes are written by hatchling's ``add_file`` (streamed, 16 KiB at a time)."""
BATCH_BYTES: Final = 256 << 10
"""Bytes of files per task of the pool (small files are batched: one task per file costs too much)."""
IN_FLIGHT_BYTES: Final = 8 << 20
"""Bytes of files read ahead of the writer at most (each held with its deflated form until written)."""


class _Job(NamedTuple):
    included_file: IncludedFile
    zip_info: zipfile.ZipInfo
    st_size: int


class _Packed(NamedTuple):
    data: bytes
    deflated: bytes
    digest: bytes


class _Deflated:
    """A stand-in for a member writer's compressor whose output is already known.

    ``compress`` takes the member's bytes and gives nothing; ``flush`` gives all of the deflated
    stream at once. zipfile counts the sizes and the CRC-32 of what it is given, as always.
    """

    def __init__(self, deflated: bytes) -> None:
        self._deflated = deflated

    def compress(self, data: bytes) -> bytes:
        return b""

    def flush(self) -> bytes:
        deflated, self._deflated = self._deflated, b""
        return deflated


def _pack(jobs: list[_Job]) -> list[_Packed]:
    """A task of the pool: read, hash and deflate each job's file as zipfile would deflate it."""
    packed = []
    for job in jobs:
        with open(job.included_file.path, "rb") as file:
            data = file.read()
        compressor = zipfile._get_compressor(job.zip_info.compress_type, job.zip_info._compresslevel)  # type: ignore[attr-defined]
        deflated = compressor.compress(data) + compressor.flush()
        packed.append(_Packed(data, deflated, hashlib.sha256(data).digest()))
    return packed


def _supported() -> bool:
    """Whether this Python's zipfile is shaped as :class:`ParallelWheelArchive` relies on."""
    return hasattr(zipfile, "_get_compressor") and hasattr(zipfile.ZipInfo(), "_compresslevel")


class ParallelWheelArchive(WheelArchive):
    """hatchling's ``WheelArchive`` plus :meth:`add_files`, which writes many members on every core.

    Constructed like hatchling's (``project_id`` ``{name}-{version}``, ``reproducible``); every
    other method is hatchling's. ``workers`` threads (default ``os.cpu_count()``) deflate, in tasks
    of about ``batch_bytes`` of files, at most ``in_flight_bytes`` ahead of the writer; files above
    ``large_file`` bytes are left to hatchling's ``add_file``.
    """

    def __init__(self, project_id: str, *, reproducible: bool, workers: int | None = None,
                 batch_bytes: int = BATCH_BYTES, in_flight_bytes: int = IN_FLIGHT_BYTES,
                 large_file: int = LARGE_FILE) -> None:
        super().__init__(project_id, reproducible=reproducible)
        self.workers = workers or os.cpu_count() or 1
        self.batch_bytes, self.in_flight_bytes, self.large_file = batch_bytes, in_flight_bytes, large_file

    def add_files(self, included_files: Iterable[IncludedFile]) -> Iterator[tuple[str, str, str]]:
        """Add every file, in order; yield each one's RECORD row ``(path, "sha256=...", size)``.

        The rows and the members are those of ``add_file`` called on each file in turn; raises
        what it raises (``FileNotFoundError`` for a dangling link, hatchling's ``ValueError`` for a
        name added twice), possibly after reading a few files ahead.
        """
        if not _supported():
            for included_file in included_files:
                yield self.add_file(included_file)
            return
        pending: deque[tuple[list[_Job], Future[list[_Packed]]]] = deque()
        batch: list[_Job] = []
        batch_bytes = in_flight = 0
        with ThreadPoolExecutor(self.workers, thread_name_prefix="sdistguard-wheel") as pool:
            try:
                for included_file in included_files:
                    job = self._job(included_file)
                    if job is None:  # written by hatchling at its turn: first everything before it
                        if batch:
                            pending.append((batch, pool.submit(_pack, batch)))
                            batch, batch_bytes = [], 0
                        while pending:
                            yield from self._write(*pending.popleft())
                        in_flight = 0
                        yield self.add_file(included_file)
                        continue
                    batch.append(job)
                    batch_bytes += job.st_size + 1
                    if batch_bytes >= self.batch_bytes:
                        pending.append((batch, pool.submit(_pack, batch)))
                        in_flight += batch_bytes
                        batch, batch_bytes = [], 0
                        while in_flight > self.in_flight_bytes:
                            jobs, future = pending.popleft()
                            in_flight -= sum(job.st_size + 1 for job in jobs)
                            yield from self._write(jobs, future)
                if batch:
                    pending.append((batch, pool.submit(_pack, batch)))
                while pending:
                    yield from self._write(*pending.popleft())
            finally:
                for _, future in pending:
                    future.cancel()

    def _job(self, included_file: IncludedFile) -> _Job | None:
        """hatchling's ``zip_info`` for the file, or ``None`` when hatchling's ``add_file`` must write it."""
        relative_path = normalize_archive_path(included_file.distribution_path)
        file_stat = os.stat(included_file.path)
        if not stat.S_ISREG(file_stat.st_mode) or file_stat.st_size > self.large_file:
            return None
        if relative_path in self.zf.NameToInfo:  # hatchling's own error (or zipfile's warning)
            return None
        if self.reproducible:
            zip_info = zipfile.ZipInfo(relative_path, self.time_tuple)  # type: ignore[arg-type]
            set_zip_info_mode(zip_info, normalize_file_permissions(file_stat.st_mode))
            zip_info.file_size = file_stat.st_size
        else:
            zip_info = zipfile.ZipInfo.from_file(included_file.path, relative_path)
        zip_info.compress_type = zipfile.ZIP_DEFLATED
        return _Job(included_file, zip_info, file_stat.st_size)

    def _write(self, jobs: list[_Job], future: Future[list[_Packed]]) -> Iterator[tuple[str, str, str]]:
        """Write a finished batch through zipfile, in order; yield the RECORD rows."""
        for job, packed in zip(jobs, future.result(), strict=True):
            if job.zip_info.filename in self.zf.NameToInfo:  # a name twice in one batch
                yield self.add_file(job.included_file)
                continue
            with self.zf.open(job.zip_info, "w") as out_file:  # type: ignore[no-untyped-call]
                writer: Any = out_file
                if hasattr(writer, "_compressor"):
                    writer._compressor = _Deflated(packed.deflated)
                out_file.write(packed.data)
            yield job.zip_info.filename, f"sha256={format_file_hash(packed.digest)}", str(job.st_size)


def build_standard_wheel(builder: WheelBuilder, directory: str, build_data: dict[str, Any]) -> str:
    """hatchling's ``WheelBuilder.build_standard`` with :class:`ParallelWheelArchive`; the wheel's path.

    ``builder`` is a hatchling wheel builder (inside ``set_build_data``), ``directory`` where the
    ``.whl`` goes, ``build_data`` hatchling's build data (``tag``, ``infer_tag``, ``dependencies``,
    what the build hooks set). Raises what hatchling's ``build_standard`` raises.
    """
    if "tag" not in build_data:
        build_data["tag"] = builder.get_best_matching_tag() if build_data["infer_tag"] else builder.get_default_tag()

    archive = ParallelWheelArchive(builder.artifact_project_id, reproducible=builder.config.reproducible)
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
