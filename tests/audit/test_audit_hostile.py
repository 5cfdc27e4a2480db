"""Hostile archives: the auditor raises nothing but InputError, in bounded time and memory.

Property-based (hypothesis): random bytes, random tar and zip members (hostile names, every member
type, links anywhere), then truncated or with flipped bytes; tar streams built from hostile header
kinds (PAX and GNU long-name chains, sparse maps old and new, huge declared sizes, thousands of
members in one directory). Plus the classic bombs, built cheaply: a million members, a gzip bomb, a
huge declared member size; and each defect found by trying to break the auditor, pinned by its own test.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import resource
import tarfile
import tempfile
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.tarcraft import (
    checksummed,
    gnu_long_name,
    old_sparse,
    pad_block,
    pax_header,
    pax_record,
    sdist_bytes,
    ustar_header,
)
from sdistguard.audit import AuditResult, Limits, audit_report
from sdistguard.audit.tar import SPARSE_REFUSED
from sdistguard.cli import main
from sdistguard.core.errors import InputError, SdistguardError
from sdistguard.report.table import format_check_table
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



def _gzip(data: bytes, level: int = -1) -> bytes:
    """``data`` as one gzip member (``zlib.compress(..., wbits=31)`` needs Python 3.11; this runs on 3.10)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()

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
    compressed = _gzip(tar) if draw(st.booleans()) else tar
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
        _gzip(_header("demo-1.0/a", 3) + b"abc".ljust(512, b"\0") + _header("demo-1.0/huge", size) + b"data")
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


# --------------------------------------------------------------------------- crafted headers


def _codes_and_details(path: Path) -> list[tuple[str, str]]:
    return [(found.code, found.detail) for found in audit_report(path).findings]


@pytest.mark.parametrize(
    ("chain", "what"),
    [
        (lambda: b"".join(pax_header({"comment": str(index)}) for index in range(1100)), "PAX"),
        (lambda: b"".join(gnu_long_name(f"demo-1.0/n{index}") for index in range(3000)), "GNU long-name"),
        (
            lambda: b"".join(pax_header({"comment": "x"}) + gnu_long_name("demo-1.0/y") for _ in range(600)),
            "PAX",
        ),
    ],
)
def test_chained_extended_headers_end_in_a_finding_not_a_recursion_error(
    tmp_path: Path, chain: object, what: str
) -> None:
    """1,100 PAX headers (a 4.7 KB sdist) or 3,000 GNU long names before one member: SG591, no RecursionError."""
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(sdist_bytes(chain(), bytes(ustar_header("demo-1.0/a.py"))))  # type: ignore[operator]
    assert os.path.getsize(path) < 64 * 1024
    assert _codes_and_details(path) == [
        ("SG591", "after 1 members: more than 16 extended headers (PAX, GNU long names) chained before one member")
    ]


def test_a_short_chain_of_extended_headers_is_read(tmp_path: Path) -> None:
    """A global PAX header, a PAX header and GNU long name and link headers (what archivers write) are fine."""
    path = tmp_path / "demo-1.0.tar.gz"
    long_name = "demo-1.0/" + "d" * 120 + "/link"
    header = ustar_header("demo-1.0/short", tarfile.SYMTYPE)
    chain = (
        pax_header({"comment": "abc"}, tarfile.XGLTYPE)
        + pax_header({"mtime": "1.5"})
        + bytes(ustar_header("././@LongLink", tarfile.GNUTYPE_LONGLINK, 4))
        + pad_block(b"../x")
        + gnu_long_name(long_name)
        + checksummed(header)
    )
    path.write_bytes(sdist_bytes(chain))
    found = audit_report(path)
    assert [(item.code, item.path, item.detail) for item in found.findings] == [
        ("SG202", long_name.removeprefix("demo-1.0/"), "symlink to ../x, not in the archive")
    ]
    assert found.members == 2


def test_pax_sparse_map_is_not_parsed(tmp_path: Path) -> None:
    """GNU sparse 1.0 (PAX ``GNU.sparse.major=1``): the map lies in the data; it is never read (SG590)."""
    fields = 200_000
    data = b"%d\n" % fields + b"0\n" * (2 * fields)
    pax = pax_header(
        {
            "GNU.sparse.major": "1",
            "GNU.sparse.minor": "0",
            "GNU.sparse.name": "demo-1.0/sparse.bin",
            "GNU.sparse.realsize": "1024",
        }
    )
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(
        sdist_bytes(pax, bytes(ustar_header("demo-1.0/GNUSparseFile.0/sparse.bin", size=len(data))), pad_block(data))
    )
    assert _codes_and_details(path) == [
        ("SG590", "stopped after 1 members: a GNU sparse member (its sparse map is not read)"),
        ("SG702", SPARSE_REFUSED),
    ]


@pytest.mark.parametrize(
    "records",
    [
        {"GNU.sparse.map": "0,1," * 1000 + "0,1", "GNU.sparse.size": "10"},
        {"GNU.sparse.size": "10", "GNU.sparse.numblocks": "1", "GNU.sparse.offset": "0", "GNU.sparse.numbytes": "1"},
    ],
)
def test_pax_sparse_formats_0_x_are_not_parsed(tmp_path: Path, records: dict[str, str]) -> None:
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(sdist_bytes(pax_header(records), bytes(ustar_header("demo-1.0/sparse.bin"))))
    assert _codes_and_details(path) == [
        ("SG590", "stopped after 1 members: a GNU sparse member (its sparse map is not read)"),
        ("SG702", SPARSE_REFUSED),
    ]


def test_old_style_sparse_member_is_not_parsed(tmp_path: Path) -> None:
    """A type ``S`` member with 50,000 extension blocks (400k made tarfile take 30 s and 1.1 GB): SG590 at once."""
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(sdist_bytes(old_sparse("demo-1.0/sparse.bin", 50_000)))
    assert _codes_and_details(path) == [
        ("SG590", "stopped after 1 members: a GNU sparse member (its sparse map is not read)"),
        ("SG702", SPARSE_REFUSED),
    ]


def test_global_pax_headers_with_many_keys_stop_the_audit(tmp_path: Path) -> None:
    """Global PAX keys are applied to every later member by tarfile: more than 64 stop the audit (SG590)."""
    records = {f"k{index}": "v" for index in range(100)}
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(sdist_bytes(pax_header(records, tarfile.XGLTYPE), bytes(ustar_header("demo-1.0/a.py"))))
    assert _codes_and_details(path) == [("SG590", "stopped after 1 members: global PAX headers with more than 64 keys")]


def test_tarfile_still_has_the_sparse_hooks_the_reader_overrides() -> None:
    """The reader refuses sparse maps by overriding these ``tarfile.TarInfo`` methods; they must exist."""
    for name in (
        "fromtarfile",
        "frombuf",
        "_proc_sparse",
        "_proc_gnusparse_00",
        "_proc_gnusparse_01",
        "_proc_gnusparse_10",
    ):
        assert callable(getattr(tarfile.TarInfo, name, None)), name


# --------------------------------------------------------------------------- RECORD hash names

ALLOWED_HASHES = {"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s"}


def test_every_hash_name_hashlib_accepts_is_verified_or_refused(tmp_path: Path) -> None:
    """shake_128/shake_256 (digest() needs a length) and every other name hashlib knows: verified or SG531."""
    names = sorted(hashlib.algorithms_available | hashlib.algorithms_guaranteed | {"SHA256", "nonsense", ""})
    data = b"print('hi')\n"
    lines = []
    for index, name in enumerate(names):
        if name in ALLOWED_HASHES:
            digest = base64.urlsafe_b64encode(hashlib.new(name, data).digest()).rstrip(b"=").decode()
        else:
            digest = "AAAA"
        lines.append(f"demo/m{index}.py,{name}={digest},{len(data)}\n")
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(len(names)):
            archive.writestr(f"demo/m{index}.py", data)
        archive.writestr("demo-1.0.dist-info/RECORD", "".join(lines) + "demo-1.0.dist-info/RECORD,,\n")
    found = [(item.code, item.path, item.detail) for item in audit_report(path).findings if item.code == "SG531"]
    expected = [
        (
            "SG531",
            f"demo/m{index}.py",
            f"hash algorithm {name!r} is not allowed (allowed: {', '.join(sorted(ALLOWED_HASHES))})",
        )
        for index, name in enumerate(names)
        if name not in ALLOWED_HASHES
    ]
    assert {"shake_128", "shake_256", "md5", "sha1", "sha224"} <= {name for name in names if name not in ALLOWED_HASHES}
    assert sorted(found) == sorted(expected)


# --------------------------------------------------------------------------- scale


def test_stray_bytecode_members_are_collected_without_quadratic_work(tmp_path: Path) -> None:
    """20,000 stray ``*.pyc`` (each its own SG510 root) took about 60 s; each is a finding, well within 30 s."""
    count = 20_000
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for index in range(count):
            archive.addfile(tarfile.TarInfo(f"demo-1.0/pkg/m{index:05d}.pyc"))
    sdist_path = tmp_path / "demo-1.0.tar.gz"
    sdist_path.write_bytes(_gzip(raw.getvalue()))
    wheel_path = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel_path, "w") as archive:
        for index in range(15_000):
            archive.writestr(f"demo/m{index:05d}.pyc", b"")
    started = time.monotonic()
    sdist_findings = audit_report(sdist_path).findings
    wheel_findings = audit_report(wheel_path).findings
    assert time.monotonic() - started < 30  # a bound against quadratic work, not a speed target
    assert [found.path for found in sdist_findings if found.code == "SG510"] == [
        f"pkg/m{index:05d}.pyc" for index in range(count)
    ]
    assert len([found for found in wheel_findings if found.code == "SG510"]) == 15_000


# --------------------------------------------------------------------------- inputs that are not files


@pytest.mark.parametrize("name", ["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl", "fifo"])
def test_a_fifo_input_is_an_input_error_not_a_hang(tmp_path: Path, name: str) -> None:
    """``sdistguard check`` on a FIFO blocked forever in ``open()``; it is refused as not a regular file."""
    fifo = tmp_path / name
    os.mkfifo(fifo)
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(audit_report(fifo))
        except InputError as error:
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # release the blocked open() so the thread ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=20)
        pytest.fail("audit_report blocked on a FIFO")
    assert [str(item) for item in outcome] == [f"{fifo}: not a regular file or a directory (a FIFO)"]
    assert main(["check", str(fifo)]) == 2


def test_a_fifo_named_pyproject_toml_is_an_error_not_a_hang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI reads the checked directory's pyproject.toml for its settings: a FIFO there is exit 2."""
    os.mkfifo(tmp_path / "pyproject.toml")
    codes: list[int] = []
    worker = threading.Thread(target=lambda: codes.append(main(["check", str(tmp_path)])), daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():
        os.close(os.open(tmp_path / "pyproject.toml", os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=20)
        pytest.fail("sdistguard check blocked on a FIFO pyproject.toml")
    assert codes == [2]
    assert f"sdistguard: error: {tmp_path / 'pyproject.toml'}: not a regular file" in capsys.readouterr().err


# --------------------------------------------------------------------------- what the report says


def test_an_unreadable_input_is_reported_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not gzip")
    assert main(["check", str(broken)]) == 2
    captured = capsys.readouterr()
    message = f"{broken}: not a gzip-compressed tar archive"
    assert (captured.out + captured.err).count(message) == 1
    assert f"sdistguard: error: {message}" in captured.err
    assert captured.out.rstrip().endswith("0 findings in 1 input; 1 input could not be read")


def test_a_venv_found_by_its_layout_is_not_said_to_hold_pyvenv_cfg(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(sdist_bytes(bytes(ustar_header("demo-1.0/env/lib/python3.12/site-packages/six.py"))))
    assert main(["check", str(path)]) == 1
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  SG101 ")]
    assert "pyvenv.cfg missing" in line
    assert "holds pyvenv.cfg" not in line


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (999, "999 B"),
        (1_000, "1.0 kB"),
        (999_949, "999.9 kB"),
        (999_950, "1.0 MB"),
        (83_100_000, "83.1 MB"),
        (5 * 10**12, "5.0 TB"),
        (10**15, "1.0 PB"),
        (999 * 10**18, "999.0 EB"),
        (10**30, "1,000,000,000,000,000,000,000,000,000,000 B"),
    ],
)
def test_sizes_use_a_unit_ladder_up_to_exabytes(size: int, shown: str) -> None:
    """A declared member size of 10**30 printed as "1000000000000000000000.0 GB"."""
    result = AuditResult("demo-1.0.tar.gz", "sdist", [], 1, size)
    assert format_check_table([result]).splitlines()[0] == f"demo-1.0.tar.gz: sdist, 1 members, {shown}: no findings"


def test_a_declared_size_of_10_to_the_30_is_shown_in_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(sdist_bytes(pax_header({"size": str(10**30)}), bytes(ustar_header("demo-1.0/huge"))))
    assert main(["check", str(path)]) == 1
    head = capsys.readouterr().out.splitlines()[0]
    size = 10**30 + len(b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n")  # PKG-INFO, then the huge one
    assert head.endswith(f"sdist, 2 members, {size:,} B")


# --------------------------------------------------------------------------- property: hostile headers

PROPERTY_SECONDS = 60
PROPERTY_BYTES = 1024**3
_BASELINE_PEAK = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # ru_maxrss is in KiB on Linux

PAX_KEYS = st.sampled_from(["comment", "path", "linkpath", "size", "mtime", "uid", "uname", "hdrcharset", "x.y"])
PAX_VALUES = st.sampled_from(
    ["", "x", "demo-1.0/p", "../../etc/passwd", "-1", "1e400", str(10**30), "BINARY", "\udcff"]
)


def _safe_pax(records: list[tuple[str, str]], kind: bytes = tarfile.XHDTYPE) -> bytes:
    data = b"".join(
        pax_record(key, value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")) for key, value in records
    )
    return bytes(ustar_header("././@PaxHeader", kind, len(data))) + pad_block(data)


def _member(name: str, size: int = 0, kind: bytes = tarfile.REGTYPE) -> bytes:
    try:
        return bytes(ustar_header(name, kind, size)) + pad_block(bytes(min(size, 4096)))
    except ValueError:  # ustar cannot hold the name or size: a GNU header can
        info = tarfile.TarInfo(name)
        info.type, info.size = kind, size
        return info.tobuf(tarfile.GNU_FORMAT) + pad_block(bytes(min(size, 4096)))


def _count(low: int, high: int, *edges: int) -> st.SearchStrategy[int]:
    """A count between ``low`` and ``high``, often one of the ``edges`` (a limit, either side of it)."""
    return st.sampled_from(edges) | st.integers(low, high)


@st.composite
def _segments(draw: st.DrawFn) -> bytes:
    """One hostile piece of a tar stream: a header kind, a chain of them, or many members."""
    kind = draw(
        st.sampled_from(
            [
                "member",
                "pax-chain",
                "gnu-chain",
                "mixed-chain",
                "sparse-old",
                "sparse-pax-1.0",
                "sparse-pax-0.x",
                "huge-size",
                "one-directory",
                "global-keys",
                "huge-header",
            ]
        )
    )
    name = draw(NAMES) or "demo-1.0/x"
    if kind == "member":
        return _member(name, draw(st.integers(0, 600)), draw(TAR_TYPES))
    if kind == "pax-chain":
        records = draw(st.lists(st.tuples(PAX_KEYS, PAX_VALUES), max_size=3))
        return _safe_pax(records) * draw(_count(1, 2000, 16, 17, 1100)) + _member(name)
    if kind == "gnu-chain":
        return gnu_long_name("demo-1.0/" + "n" * draw(st.integers(1, 300))) * draw(
            _count(1, 4000, 16, 17, 3000)
        ) + _member(name)
    if kind == "mixed-chain":
        link = bytes(ustar_header("././@LongLink", tarfile.GNUTYPE_LONGLINK, 4)) + pad_block(b"../x")
        unit = _safe_pax([("comment", "c")]) + gnu_long_name("demo-1.0/m") + link
        return unit * draw(_count(1, 1500, 5, 6, 600)) + _member(name, 0, tarfile.SYMTYPE)
    if kind == "sparse-old":
        short = name if len(name.encode("utf-8", "surrogateescape")) < 100 else "demo-1.0/sparse"
        return old_sparse(short, draw(_count(0, 60_000, 1, 400, 60_000)))
    if kind == "sparse-pax-1.0":
        declared = draw(st.sampled_from([0, 1, 1000, 10**6, 10**12]))
        lines = draw(_count(0, 100_000, 2, 100_000))
        data = b"%d\n" % declared + b"1\n" * lines
        records = [("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0"), ("GNU.sparse.name", name)]
        return _safe_pax(records) + _member("demo-1.0/GNUSparseFile.0/s", len(data))[:512] + pad_block(data)
    if kind == "sparse-pax-0.x":
        count = draw(_count(0, 2000, 2000))
        records = [("GNU.sparse.size", "10"), ("GNU.sparse.map", ",".join(["0", "1"] * count) or "x")]
        return _safe_pax(records[: draw(st.integers(1, 2))]) + _member(name)
    if kind == "huge-size":
        size = draw(st.sampled_from([10**9, 10**12, 8**11 - 1, 8**20, 10**30]))
        if draw(st.booleans()):
            return _safe_pax([("size", str(size))]) + _member(name) + bytes(draw(st.integers(0, 2048)))
        return _member(name, 0)[:0] + _huge_gnu_member(name, size)
    if kind == "one-directory":
        count = draw(_count(100, 6000, 6000))
        suffix = draw(st.sampled_from([".pyc", ".py", "/pyvenv.cfg", "/__pycache__/m.pyc"]))
        return b"".join(_member(f"demo-1.0/d/m{index}{suffix}") for index in range(count))
    if kind == "global-keys":
        count = draw(_count(1, 200, 64, 65, 200))
        return _safe_pax([(f"k{index}", "v") for index in range(count)], tarfile.XGLTYPE) + _member(name)
    size = draw(st.sampled_from([16 * 1024 + 1, 10**9, 8**11 - 1]))
    return bytes(ustar_header("././@PaxHeader", tarfile.XHDTYPE, size))


def _huge_gnu_member(name: str, size: int) -> bytes:
    """A member header declaring ``size`` bytes (base-256 when octal cannot hold it), and a little data."""
    info = tarfile.TarInfo(name if len(name.encode("utf-8", "surrogateescape")) < 100 else "demo-1.0/huge")
    info.size = min(size, 8**11 - 1)
    header = bytearray(info.tobuf(tarfile.GNU_FORMAT, errors="surrogateescape"))
    if size >= 8**11:  # GNU base-256: 0x80, then the size big-endian in 11 bytes
        header[124:136] = b"\x80" + (size % 256**11).to_bytes(11, "big")
        header = bytearray(checksummed(header[-512:]))
    return bytes(header) + bytes(1024)


@st.composite
def header_sdists(draw: st.DrawFn) -> bytes:
    """A gzip-compressed tar: a PKG-INFO, then hostile segments, maybe truncated, maybe never ended."""
    body = b"".join(draw(st.lists(_segments(), min_size=1, max_size=4)))
    if draw(st.booleans()):
        body = body[: draw(st.integers(0, len(body)))]
    elif draw(st.booleans()):
        body += bytes(1024)
    return _gzip(_member("demo-1.0/PKG-INFO", 0) + body, 1)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(header_sdists(), st.sampled_from([None, "table", "json"]))
def test_hostile_headers_end_in_findings_or_a_clean_error_within_bounds(content: bytes, command: str | None) -> None:
    """PAX and GNU long-name chains, sparse maps old and new, huge sizes, thousands of members in one directory,
    truncations: the auditor (``audit_report`` or ``sdistguard check``) ends with findings or an
    SdistguardError (exit 2), never another exception, within 60 s and 1 GiB (the process's peak RSS)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "demo-1.0.tar.gz"
        path.write_bytes(content)
        started = time.monotonic()
        if command is None:
            try:
                result = audit_report(path)
            except SdistguardError as error:
                assert str(error)
            else:
                assert all(found.code in RULES for found in result.findings)
        else:
            assert main(["check", "--format", command, str(path)]) in (0, 1, 2)
        assert time.monotonic() - started < PROPERTY_SECONDS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert peak - _BASELINE_PEAK < PROPERTY_BYTES


@st.composite
def record_wheels(draw: st.DrawFn) -> bytes:
    """A wheel with up to 6,000 members in one directory and a RECORD naming any hash hashlib knows."""
    names = [*sorted(hashlib.algorithms_available), "", "SHA256", "sha256 "]
    count = draw(_count(1, 6000, 6000))
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED) as archive:
        hashes = draw(st.lists(st.sampled_from(names), min_size=1, max_size=8))
        sizes = draw(st.lists(st.sampled_from(["1", "", "x", str(10**30)]), min_size=1, max_size=3))
        rows = []
        for index in range(count):
            archive.writestr(f"demo/m{index}.pyc", b"x")
            rows.append(f"demo/m{index}.pyc,{hashes[index % len(hashes)]}=AAAA,{sizes[index % len(sizes)]}\n")
        archive.writestr("demo-1.0.dist-info/RECORD", "".join(rows))
    data = raw.getvalue()
    return data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(record_wheels())
def test_hostile_wheel_records_end_in_findings_or_a_clean_error_within_bounds(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "demo-1.0-py3-none-any.whl"
        path.write_bytes(content)
        started = time.monotonic()
        try:
            result = audit_report(path)
        except SdistguardError as error:
            assert str(error)
        else:
            assert all(found.code in RULES for found in result.findings)
        assert time.monotonic() - started < PROPERTY_SECONDS
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - _BASELINE_PEAK < PROPERTY_BYTES
