"""Hostile archives: the auditor raises nothing but InputError, in bounded time and memory.

Property-based (hypothesis): random bytes, random tar and zip members (hostile names, every member
type, links anywhere), then truncated or with flipped bytes. Plus the classic bombs, built cheaply:
a million members, a gzip bomb, a huge declared member size.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sdistguard.auditor import Limits, audit_report
from sdistguard.errors import InputError
from sdistguard.rules import RULES

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")  # zipfile, writing duplicates

LIMITS = Limits(max_members=500, max_bytes=4 * 1024 * 1024)
SECONDS = 2.0

hostile_settings = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

NAME_PARTS = st.sampled_from(
    [
        "demo-1.0",
        "..",
        ".",
        "",
        "venv",
        "lib",
        "python3.12",
        "site-packages",
        "pyvenv.cfg",
        "CACHEDIR.TAG",
        "PKG-INFO",
        "__pycache__",
        "a:b",
        "back\\slash",
        " sp ",
        "\x1b[31m",
        "\udcff",
        "x" * 300,
        "RECORD",
        "demo-1.0.dist-info",
        ".git",
        "C:",
        "conda-meta",
        "bin",
        "activate",
    ]
)
NAMES = st.lists(NAME_PARTS, min_size=1, max_size=6).map("/".join) | st.text(max_size=40)
TAR_TYPES = st.sampled_from(
    [
        tarfile.REGTYPE,
        tarfile.DIRTYPE,
        tarfile.SYMTYPE,
        tarfile.LNKTYPE,
        tarfile.FIFOTYPE,
        tarfile.CHRTYPE,
        tarfile.BLKTYPE,
        tarfile.CONTTYPE,
        b"Z",
    ]
)


def _check(name: str, content: bytes) -> None:
    """Audit ``content`` saved as ``name``: only InputError may escape, within SECONDS."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(content)
        started = time.monotonic()
        try:
            result = audit_report(path, limits=LIMITS)
        except InputError as error:
            assert str(error)
        else:
            assert all(found.code in RULES for found in result.findings)
            assert result.members <= LIMITS.max_members + 1
        assert time.monotonic() - started < SECONDS


@st.composite
def tar_bytes(draw: st.DrawFn) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(
        fileobj=raw, mode="w", format=draw(st.sampled_from([tarfile.PAX_FORMAT, tarfile.GNU_FORMAT]))
    ) as archive:
        for _ in range(draw(st.integers(0, 12))):
            info = tarfile.TarInfo(draw(NAMES))
            info.type = draw(TAR_TYPES)
            info.linkname = draw(NAMES)
            data = draw(st.binary(max_size=64)) if info.type in (tarfile.REGTYPE, tarfile.CONTTYPE) else b""
            info.size = len(data)
            try:
                archive.addfile(info, io.BytesIO(data))
            except (ValueError, UnicodeError):  # names tarfile itself cannot write
                continue
    return raw.getvalue()


def _damage(draw: st.DrawFn, data: bytes) -> bytes:
    how = draw(st.sampled_from(["none", "truncate", "flip"]))
    if how == "truncate" and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "flip" and data:
        position = draw(st.integers(0, len(data) - 1))
        return data[:position] + bytes([data[position] ^ draw(st.integers(1, 255))]) + data[position + 1 :]
    return data


@st.composite
def hostile_sdists(draw: st.DrawFn) -> bytes:
    tar = _damage(draw, draw(tar_bytes()))
    compressed = zlib.compress(tar, wbits=31) if draw(st.booleans()) else tar
    return _damage(draw, compressed)


@st.composite
def hostile_wheels(draw: st.DrawFn) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(
        raw, "w", compression=draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    ) as archive:
        for _ in range(draw(st.integers(0, 10))):
            info = zipfile.ZipInfo(draw(NAMES) or "x")
            info.external_attr = draw(st.sampled_from([0o100644, 0o120777, 0o010644, 0o020644, 0o040755])) << 16
            try:
                archive.writestr(info, draw(st.binary(max_size=64)))
            except (ValueError, UnicodeError):
                continue
        record = draw(st.sampled_from(["", "demo/x.py,sha256=abc,3\n", 'a,md5=xyz,1\n"broken', "x,,\n" * 3]))
        archive.writestr("demo-1.0.dist-info/RECORD", record)
    return _damage(draw, raw.getvalue())


@hostile_settings
@given(st.binary(max_size=2048), st.sampled_from(["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]))
def test_random_bytes(content: bytes, name: str) -> None:
    _check(name, content)


@hostile_settings
@given(hostile_sdists())
def test_hostile_sdists(content: bytes) -> None:
    _check("demo-1.0.tar.gz", content)


@hostile_settings
@given(hostile_wheels())
def test_hostile_wheels(content: bytes) -> None:
    _check("demo-1.0-py3-none-any.whl", content)


def _header(name: str, size: int = 0) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    return info.tobuf(tarfile.GNU_FORMAT)


def test_a_million_members_stop_at_the_default_limit(tmp_path: Path) -> None:
    """A 1,000,000-member tar (512 MB uncompressed, ~1 MB compressed) is cut at 200,000 members."""
    block = b"".join(_header(f"demo-1.0/f{index:06d}") for index in range(1000))
    compressor = zlib.compressobj(1, wbits=31)
    with open(tmp_path / "demo-1.0.tar.gz", "wb") as file:
        for _ in range(1000):
            file.write(compressor.compress(block))
        file.write(compressor.flush())
    started = time.monotonic()
    result = audit_report(tmp_path / "demo-1.0.tar.gz")
    assert time.monotonic() - started < 60
    assert [(found.code, found.detail) for found in result.findings if found.code == "SG590"] == [
        ("SG590", "stopped after 200001 members: more than 200000 members")
    ]
    assert result.members == 200_001


def test_gzip_bomb_stops_at_the_byte_limit(tmp_path: Path) -> None:
    """64 MiB of zeros declared as one member: the audit stops at max_bytes, not at the end."""
    compressor = zlib.compressobj(9, wbits=31)
    with open(tmp_path / "demo-1.0.tar.gz", "wb") as file:
        file.write(compressor.compress(_header("demo-1.0/zeros", 64 * 1024 * 1024)))
        for _ in range(64):
            file.write(compressor.compress(bytes(1024 * 1024)))
        file.write(compressor.flush())
    result = audit_report(tmp_path / "demo-1.0.tar.gz", limits=Limits(max_bytes=8 * 1024 * 1024))
    assert [found.code for found in result.findings] == ["SG590"]


@pytest.mark.parametrize("size", [10**9, 10**12, 8**11 - 1])
def test_huge_declared_sizes_end_quickly(tmp_path: Path, size: int) -> None:
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(
        zlib.compress(
            _header("demo-1.0/a", 3) + b"abc".ljust(512, b"\0") + _header("demo-1.0/huge", size) + b"data", wbits=31
        )
    )
    started = time.monotonic()
    result = audit_report(path)
    assert time.monotonic() - started < SECONDS
    assert [found.code for found in result.findings] == ["SG591"]


def test_zip_with_parent_directory_names(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../outside.py", b"")
        archive.writestr("demo/../../also.py", b"")
    found = [(item.code, item.path) for item in audit_report(path).findings]
    assert ("SG501", "../../outside.py") in found
    assert ("SG501", "demo/../../also.py") in found
    assert ("SG530", "") in found
