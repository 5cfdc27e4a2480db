"""The sdist and wheel writers give the bytes of hatchling's (tarfile's, zipfile's), on generated trees.

Two levels: the archives alone (``StreamedSdistArchive`` against hatchling's ``SdistArchive`` with
tarfile's ``gettarinfo``/``addfile``; ``ParallelWheelArchive.add_files`` against hatchling's
``WheelArchive.add_file``), with small chunk and batch sizes so that every path of the writers runs
(chunk boundaries inside files, batches, the in-flight bound, large files left to hatchling), on
trees with non-ASCII and PAX-long names, empty and large files, executable bits, links and hardlinks
(written as files); and whole builds through the PEP 517 hooks, ours against hatchling's.
"""

from __future__ import annotations

import gzip
import io
import itertools
import os
import shutil
import sys
import tarfile
import tempfile
import threading
import time
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hatchling.builders.plugin.interface import IncludedFile
from hatchling.builders.wheel import RecordFile, WheelArchive
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_project
from sdistguard.builders.sdist_writer import (
    CHUNK_SIZE,
    DeflateStream,
    StreamedSdistArchive,
    TarfileSdistArchive,
    _tarfile_header,
    fast_headers_agree,
    ustar_header,
)
from sdistguard.builders.wheel_writer import ParallelWheelArchive, direct_writes_agree
from sdistguard.rules import JUNK_DIRECTORY_NAMES
from sdistguard.rules.credentials import credential_file_kind
from sdistguard.rules.names import windows_reason

SMALL_CHUNK = 4096
PKG_INFO = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"
EXAMPLES = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Name components: plain, non-ASCII (UTF-8 in a PAX header), and long ones (a member name above
# 100 characters needs a PAX "path" record; exactly 100 fits the ustar field).
SEGMENT = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.", min_size=1, max_size=12),
    st.sampled_from(["é", "日本語", "straße", "naïve-名前", "Ω"]),
    st.integers(min_value=40, max_value=120).map(lambda n: "L" * n),
).filter(lambda s: s not in {".", ".."})


@dataclass(frozen=True)
class Entry:
    """A file of a generated tree: its path below the root, its bytes, its mode, what it is on disk."""

    path: str
    data: bytes
    mode: int
    kind: str  # "file", "symlink" (to the previous file) or "hardlink" (to the previous file)


@st.composite
def trees(draw: st.DrawFn, large: int = 3 * SMALL_CHUNK + 17) -> list[Entry]:
    """Up to 12 files with distinct paths; a few large (above ``large`` bytes), some empty."""
    paths = draw(
        st.lists(st.lists(SEGMENT, min_size=1, max_size=4).map("/".join), min_size=1, max_size=12, unique=True)
    )
    taken: set[str] = set()
    entries = []
    for index, path in enumerate(sorted(paths)):
        # no file may also be a directory of another path
        if any(other.startswith(path + "/") or path.startswith(other + "/") for other in taken):
            continue
        taken.add(path)
        size_kind = draw(st.sampled_from(["empty", "small", "small", "large"]))
        if size_kind == "empty":
            data = b""
        elif size_kind == "small":
            data = draw(st.binary(max_size=700))
        else:
            seed = draw(st.integers(0, 255))
            data = (bytes(range(seed, 256)) + b"text that compresses " * 7) * (large // 300 + 1)
            data = data[: large + draw(st.integers(0, SMALL_CHUNK))]
        kind = draw(st.sampled_from(["file", "file", "file", "symlink", "hardlink"])) if index else "file"
        entries.append(Entry(path, data, draw(st.sampled_from([0o644, 0o755, 0o600, 0o700, 0o664])), kind))
    return entries


def materialise(root: Path, entries: list[Entry]) -> list[tuple[str, str]]:
    """Write ``entries`` below ``root``; return ``(absolute path, path below root)`` in order."""
    written: list[tuple[str, str]] = []
    for entry in entries:
        target = root / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.kind != "file" and written:
            previous = written[-1][0]
            if entry.kind == "symlink":
                os.symlink(previous, target)
            else:
                os.link(previous, target)
        else:
            target.write_bytes(entry.data)
            target.chmod(entry.mode)
        written.append((str(target), entry.path))
    return written


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Iterator[Path]]:
    """Fresh directories below ``tmp_path``; hatchling's temp files go there too."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    yield (tmp_path / f"case-{n}" for n in itertools.count())


def sdist_bytes(archive_class: type, files: list[tuple[str, str]], *, reproducible: bool, **options: int) -> bytes:
    """The sdist written by ``archive_class`` with ``files`` (as the builder adds them) and PKG-INFO."""
    with archive_class("demo-1.0", reproducible=reproducible, **options) as archive:
        for path, relative in files:
            archive.add_path(path, f"demo-1.0/{relative}")
        archive.create_file(PKG_INFO, "PKG-INFO")
    data = Path(archive.path).read_bytes()
    os.remove(archive.path)
    return data


EPOCHS = st.sampled_from([None, "0", "1700000000", "315532800", "4294967295"])  # gzip stores 32 bits


def set_epoch(monkeypatch: pytest.MonkeyPatch, epoch: str | None) -> None:
    """Set ``SOURCE_DATE_EPOCH`` to ``epoch`` for the test, or unset it for ``None``."""
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)


@EXAMPLES
@given(entries=trees(), epoch=EPOCHS, reproducible=st.booleans())
def test_sdist_archive_gives_tarfiles_bytes(entries: list[Entry], epoch: str | None, reproducible: bool,
                                             scratch: Iterator[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root = next(scratch)
    files = materialise(root, entries)
    set_epoch(monkeypatch, epoch)
    for _ in range(5):  # reproducible = false stamps the clock's second: retry across a tick
        second = int(time.time())
        theirs = sdist_bytes(TarfileSdistArchive, files, reproducible=reproducible)
        ours = sdist_bytes(StreamedSdistArchive, files, reproducible=reproducible, chunk_size=SMALL_CHUNK)
        if reproducible or int(time.time()) == second:
            break
    assert ours == theirs
    with tarfile.open(fileobj=gzip.GzipFile(fileobj=io.BytesIO(ours))) as archive:
        names = [member.name for member in archive]
    assert names == [f"demo-1.0/{relative}" for _, relative in files] + ["demo-1.0/PKG-INFO"]


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def test_sdist_archive_large_file_at_the_default_chunk_size(scratch: Iterator[Path]) -> None:
    root = next(scratch)
    entries = [
        Entry("big.bin", os.urandom(CHUNK_SIZE // 2) + b"x" * (CHUNK_SIZE + 1234), 0o644, "file"),
        Entry("b" * 150 + ".txt", b"after the big one\n" * 5000, 0o755, "file"),
    ]
    files = materialise(root, entries)
    assert sdist_bytes(StreamedSdistArchive, files, reproducible=True) == sdist_bytes(
        TarfileSdistArchive, files, reproducible=True
    )


def test_sdist_archive_raises_tarfiles_error_and_stops_its_thread(scratch: Iterator[Path]) -> None:
    root = next(scratch)
    root.mkdir()
    (root / "ok.py").write_text("ok\n")
    files = [(str(root / "ok.py"), "ok.py"), (str(root / "gone.py"), "gone.py")]
    with pytest.raises(FileNotFoundError, match=r"gone\.py"):
        sdist_bytes(StreamedSdistArchive, files, reproducible=True)
    assert [t.name for t in threading.enumerate() if t.name.startswith("sdistguard")] == []


def test_fast_header_is_tarfiles_for_every_plain_name() -> None:
    assert fast_headers_agree()
    for name in ["a", "x" * 100, "demo-1.0/src/demo/__init__.py", "demo-1.0/a b/c~d"]:
        for mode, size, mtime in [(0o644, 0, 0), (0o755, 10**9, 1700000000), (0o6755, 8**11 - 1, 8**11 - 1)]:
            assert ustar_header(name, mode, size, mtime) == _tarfile_header(name, mode, size, mtime)
    for name, size, mtime in [("x" * 101, 1, 1), ("é", 1, 1), ("a", 8**11, 1), ("a", 1, 8**11), ("a", 1, -1)]:
        assert ustar_header(name, 0o644, size, mtime) is None


@given(name=st.text(min_size=1, max_size=120), mode=st.integers(0, 0o7777), size=st.integers(0, 8**12),
       mtime=st.integers(-5, 8**12))
def test_fast_header_agrees_with_tarfile_or_declines(name: str, mode: int, size: int, mtime: int) -> None:
    header = ustar_header(name, mode, size, mtime)
    if header is not None:
        assert header == _tarfile_header(name, mode, size, mtime)


def wheel_bytes(files: list[tuple[str, str]], *, parallel: bool, reproducible: bool, inline_below: int = 0) -> bytes:
    """A wheel of ``files`` (distribution paths ``demo/<path>``) plus RECORD, hatchling's way or ours
    (tasks of fewer than ``inline_below`` bytes packed by the writer's thread)."""
    included = [IncludedFile(path, relative, f"demo/{relative}") for path, relative in files]
    archive_class = ParallelWheelArchive if parallel else WheelArchive
    with archive_class("demo-1.0", reproducible=reproducible) as archive, RecordFile() as records:
        if parallel:
            archive.batch_files, archive.pending_batches, archive.spool_above = 3, 1, 2 * SMALL_CHUNK
            archive.workers, archive.inline_below = 3, inline_below
            rows = list(archive.add_files(included))
        else:
            rows = [archive.add_file(file) for file in included]
        for row in rows:
            records.write(row)
        archive.write_metadata("METADATA", PKG_INFO)
        records.write((f"{archive.metadata_directory}/RECORD", "", ""))
        archive.write_metadata("RECORD", records.construct())
    data = Path(archive.path).read_bytes()
    os.remove(archive.path)
    return data


@EXAMPLES
@given(entries=trees(), epoch=st.sampled_from([None, "1700000000", "315532800", "0"]), reproducible=st.booleans(),
       inline_below=st.sampled_from([0, 1 << 40, 2 * SMALL_CHUNK]))
def test_wheel_archive_gives_zipfiles_bytes(entries: list[Entry], epoch: str | None, reproducible: bool,
                                            inline_below: int, scratch: Iterator[Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks all on the workers, all on the writer's thread, or each where its size sends it: the same bytes."""
    root = next(scratch)
    files = materialise(root, entries)
    set_epoch(monkeypatch, epoch)
    ours, theirs = (_outcome(wheel_bytes, files, parallel=parallel, reproducible=reproducible,
                             inline_below=inline_below)
                    for parallel in (True, False))
    assert ours == theirs
    if not isinstance(ours, bytes):  # hatchling < 1.28 fails at SOURCE_DATE_EPOCH=0, as ours does
        return
    with zipfile.ZipFile(io.BytesIO(ours)) as wheel:
        assert wheel.testzip() is None
        assert wheel.namelist() == [f"demo/{relative}" for _, relative in files] + [
            "demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD"
        ]


def _outcome(function: Any, *args: Any, **kwargs: Any) -> object:
    """What ``function`` returns, or the type and message of what it raises."""
    try:
        return function(*args, **kwargs)
    except Exception as error:  # compared, not swallowed
        return type(error), str(error)


def test_wheel_archive_meets_a_name_twice_as_hatchling(scratch: Iterator[Path]) -> None:
    """hatchling >= 1.28 raises its ValueError; older ones let zipfile warn and write both members."""
    root = next(scratch)
    files = materialise(root, [Entry("a.py", b"a", 0o644, "file"), Entry("b.py", b"b", 0o644, "file")])
    included = [IncludedFile(path, relative, "demo/same.py") for path, relative in files]
    outcomes = []
    for archive_class in (WheelArchive, ParallelWheelArchive):
        with warnings.catch_warnings(record=True) as caught, archive_class("demo-1.0", reproducible=True) as archive:
            warnings.simplefilter("always")
            try:
                rows = [archive.add_file(file) for file in included] if archive_class is WheelArchive else list(
                    archive.add_files(included)
                )
                outcome: object = (rows, [str(warning.message) for warning in caught])
            except ValueError as error:
                outcome = str(error)
        outcomes.append((outcome, Path(archive.path).read_bytes()))
        os.remove(archive.path)
    assert outcomes[0] == outcomes[1]
    assert "A second file is being added" in str(outcomes[0][0]) or "Duplicate name" in str(outcomes[0][0])


PACKAGE_TREES = trees(large=70_000).filter(
    lambda entries: not {e.path for e in entries} & {"__init__.py", "data.txt"}
    # a name Windows refuses (``0.``, ``aux``) stops the build (SG402): such a tree is not clean
    and not any(windows_reason(e.path) for e in entries)
    # a directory the guard leaves out by its name (``.uv-cache/``, SG103) is not shipped: such a tree is not clean
    and not any(part in JUNK_DIRECTORY_NAMES for e in entries for part in e.path.split("/")[:-1])
    # nor a credential store by its name (``.env``, SG601)
    and not any(credential_file_kind(e.path) for e in entries)
)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(entries=PACKAGE_TREES, epoch=st.sampled_from([None, "1700000000"]))
def test_builds_give_hatchlings_bytes(entries: list[Entry], epoch: str | None, scratch: Iterator[Path],
                                      monkeypatch: pytest.MonkeyPatch, build_in) -> None:
    """Whole builds through the hooks; links only in the wheel (hatchling's sdist stores them as links)."""
    set_epoch(monkeypatch, epoch)
    project = write_project(next(scratch))
    package = project / "src" / "demo"
    plain = [Entry(e.path, e.data, e.mode, "file") for e in entries]
    for kind, tree in (("sdist", plain), ("wheel", entries)):
        for child in list(package.iterdir()):
            if child.name not in {"__init__.py", "data.txt"}:
                _remove(child)
        materialise(package, tree)
        ours, theirs = build_in(project, kind), build_in(project, kind, backend="hatchling")
        assert ours.read_bytes() == theirs.read_bytes(), kind


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def test_the_fast_paths_are_taken_on_this_python() -> None:
    """Otherwise the identity tests above would only compare hatchling's code with itself."""
    assert fast_headers_agree()
    assert direct_writes_agree()


def test_builds_without_reproducible_give_hatchlings_bytes(tmp_path: Path, build_in) -> None:
    """``reproducible = false``: real modes and mtimes, and the clock's second in the sdist (retried)."""
    project = write_project(tmp_path / "p", extra="[tool.hatch.build]\nreproducible = false\n")
    (project / "src" / "demo" / "tool.py").write_text("print('x')\n" * 2000)
    (project / "src" / "demo" / "tool.py").chmod(0o750)
    assert build_in(project, "wheel").read_bytes() == build_in(project, "wheel", backend="hatchling").read_bytes()
    for _ in range(5):
        second = int(time.time())
        ours, theirs = build_in(project, "sdist"), build_in(project, "sdist", backend="hatchling")
        if int(time.time()) == second:
            break
    assert ours.read_bytes() == theirs.read_bytes()
    with tarfile.open(ours) as archive:
        assert archive.getmember("demo-1.0/src/demo/tool.py").mode == 0o750


def test_deflate_stream_raises_the_compressor_threads_error_and_stops_it(tmp_path: Path) -> None:
    """A write that fails on the thread (here: to a file closed under it) surfaces in the writer."""
    raw = open(tmp_path / "out.gz", "wb")  # noqa: SIM115 - closed below, on purpose, while in use
    stream = DeflateStream(raw, zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS), chunk_size=1024)
    raw.close()
    with pytest.raises(ValueError, match="closed file"):  # raised by a later write
        for _ in range(100):
            stream.write(os.urandom(4096))
    with pytest.raises(ValueError, match="closed file"):  # and by close, which stops the thread
        stream.close()
    stream.close()  # once closed, a no-op
    assert stream.closed
    assert [t.name for t in threading.enumerate() if t.name.startswith("sdistguard")] == []


def test_the_gil_switch_interval_is_restored_after_both_builds(project: Path, build_in) -> None:
    before = sys.getswitchinterval()
    build_in(project, "sdist")
    build_in(project, "wheel")
    assert sys.getswitchinterval() == before
