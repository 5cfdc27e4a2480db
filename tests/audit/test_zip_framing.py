"""Zip framing as PyPI checks it (validate_zipfile): its corpus, one rule per crafted archive, a differential.

Three sources of archives: warehouse's own corpus (``../shared/data/warehouse-zipdata``: every archive PyPI
rejects gives a framing finding, none it accepts does; skipped when the folder is absent), archives written
byte by byte by ``tests/helpers/zipcraft.py`` (hypothesis draws the members, each test breaks one rule), and a
differential: whenever the framing check passes, a streaming reader walking the local headers sees exactly
the members and bytes ``zipfile`` reads through the central directory.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from helpers.zipcraft import DEFLATED, STORED, Archive, Entry, extra, unicode_path, with_entry
from sdistguard.audit import Limits, audit_report
from sdistguard.audit.zipframe import framing_problem
from sdistguard.core.errors import InputError

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")


def _corpus() -> Path | None:
    """warehouse's zipdata corpus: ``../shared/data/warehouse-zipdata`` from the repository root (a checkout),
    or two levels up (a worktree below ``wt/``); ``SDISTGUARD_ZIPDATA`` names another place."""
    given = os.environ.get("SDISTGUARD_ZIPDATA")
    candidates = [Path(given)] if given else []
    candidates += [base / "shared" / "data" / "warehouse-zipdata" for base in (REPO.parent, REPO.parent.parent)]
    return next((path for path in candidates if (path / "reject").is_dir() and (path / "accept").is_dir()), None)


CORPUS = _corpus()
needs_corpus = pytest.mark.skipif(
    CORPUS is None, reason="warehouse's zipdata corpus not found (../shared/data/warehouse-zipdata)"
)


def _listing(kind: str) -> list[str]:
    return sorted(path.name for path in (CORPUS / kind).iterdir()) if CORPUS is not None else []


def zipfile_view(data: bytes) -> dict[str, tuple[int, int]]:
    """The central directory as ``zipfile`` reads it (``{}`` when it cannot)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.orig_filename: (info.compress_size, info.file_size) for info in archive.infolist()}
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError):
        return {}


def problem(data: bytes) -> str | None:
    return framing_problem(io.BytesIO(data), zipfile_view(data))


def _audit_as_wheel(tmp_path: Path, data: bytes) -> list[tuple[str, str]] | str:
    """The audit's (code, detail) pairs for ``data`` saved as a wheel, or the InputError's message."""
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    path.write_bytes(data)
    try:
        return [(found.code, found.detail) for found in audit_report(path, limits=Limits()).findings]
    except InputError as error:
        return str(error)


# --------------------------------------------------------------------------- warehouse's corpus


@needs_corpus
@pytest.mark.parametrize("name", _listing("reject"))
def test_every_archive_pypi_rejects_gives_a_framing_finding(tmp_path: Path, name: str) -> None:
    assert CORPUS is not None
    data = (CORPUS / "reject" / name).read_bytes()
    assert problem(data) is not None
    found = _audit_as_wheel(tmp_path, data)
    assert not isinstance(found, str)
    (framing,) = [detail for code, detail in found if code == "SG705"]
    try:
        zipfile.ZipFile(io.BytesIO(data)).close()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError):  # zipfile cannot open it: corrupt too
        assert "SG591" in {code for code, _ in found}
    if framing != "File is not a zipfile":  # no end record at all (_is_valid_dist_file's own answer)
        assert framing.startswith("ZIP archive not accepted: ")
        assert framing.endswith(". See https://docs.pypi.org/archives for more information")


@needs_corpus
@pytest.mark.parametrize("name", _listing("accept"))
def test_no_archive_pypi_accepts_gives_a_framing_finding(tmp_path: Path, name: str) -> None:
    assert CORPUS is not None
    data = (CORPUS / "accept" / name).read_bytes()
    assert problem(data) is None
    found = _audit_as_wheel(tmp_path, data)
    assert not isinstance(found, str)
    assert [code for code, _ in found if code == "SG705"] == []


@needs_corpus
def test_the_corpus_listing_is_what_warehouse_ships() -> None:
    """Guards the parametrization: an empty or moved folder must not pass silently."""
    assert len(_listing("reject")) == 35
    assert len(_listing("accept")) == 10


# --------------------------------------------------------------------------- generated archives, one rule each

NAMES = st.lists(
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="/\\"), min_size=1, max_size=8),
    min_size=1,
    max_size=3,
).map("/".join)
ENTRIES = st.builds(
    lambda name, data, method: Entry(("demo/" + name).encode(), data, method),
    NAMES,
    st.binary(max_size=200),
    st.sampled_from([STORED, DEFLATED]),
)


@st.composite
def archives(draw: st.DrawFn) -> Archive:
    """A well-formed archive of 1 to 4 members with distinct names."""
    entries = draw(st.lists(ENTRIES, min_size=1, max_size=4, unique_by=lambda entry: entry.name))
    return Archive(tuple(entries), comment=draw(st.sampled_from([b"", b"an archive comment"])))


framing_settings = settings(max_examples=25, deadline=None, derandomize=True,
                            suppress_health_check=[HealthCheck.too_slow])


@framing_settings
@given(archives())
def test_a_well_formed_archive_passes_and_reads_the_same_both_ways(archive: Archive) -> None:
    data = archive.bytes()
    assert problem(data) is None
    assert streaming_view(data) == central_view(data)


@framing_settings
@given(archives(), st.data())
def test_each_framing_rule_is_enforced(archive: Archive, data: st.DataObject) -> None:
    """Each mutation breaks one rule of validate_zipfile and gets warehouse's message for it."""
    index = data.draw(st.integers(0, len(archive.entries) - 1))
    entry = archive.entries[index]
    first = archive.entries[0]
    mutations: list[tuple[Archive, str]] = [
        (with_entry(archive, index, descriptor=True), "ZIP contains a data descriptor"),
        (with_entry(archive, index, in_central=False), "Filename not in central directory"),
        (with_entry(archive, index, in_local=False), "Missing filename in local headers"),
        (with_entry(archive, index, local_name=entry.name + b"x"), "Filename not in central directory"),
        (with_entry(archive, index, local_compressed=len(entry.payload()) + 1), "Mis-matched data size"),
        (with_entry(archive, index, local_uncompressed=len(entry.data) + 1), "Mis-matched file size"),
        (with_entry(archive, index, central_comment=b"hi"), "Comment in central directory"),
        (with_entry(archive, index, local_name=b"demo/bell\x07"), "Invalid character in filename"),
        (with_entry(archive, index, name=b"demo/caf\xc3", flags=0), "Filename not unicode"),
        (with_entry(archive, index, local_extra=unicode_path(entry.name) * 2), "Invalid duplicate extra in local file"),
        (with_entry(archive, index, local_extra=unicode_path(b"bad\xff")), "Filename not valid UTF-8"),
        (with_entry(archive, index, local_extra=unicode_path(b"bad\x01")), "Invalid character in filename"),
        (with_entry(archive, index, local_extra=b"\x01\x02\x03"), "Malformed zip file"),
        (with_entry(archive, index, local_extra=extra(0x0001, bytes(4))), "Malformed zip file"),
        (replace_archive(archive, prefix=b"#!/bin/sh\nexit 0\n"), "Unknown record signature"),
        (replace_archive(archive, suffix=b"trailing bytes"), "Trailing data"),
        (replace_archive(archive, second_end=True), "Trailing data"),
        (replace_archive(archive, duplicate_central=index), "Duplicate filename in central directory"),
        (replace_archive(archive, duplicate_local=index), "Duplicate filename in local headers"),
        (replace_archive(archive, declared_entries_delta=1), "Mismatched central directory records"),
        (replace_archive(archive, zip64_end=True, zip64_locator=False), "Malformed zip file"),
        (replace_archive(archive, zip64_end=True, zip64_extensible=b"\0" * 8), "ZIP64 extensible data not allowed"),
        (replace_archive(archive, zip64_end=True, locator_offset_delta=4), "Malformed zip file"),
    ]
    if first.method == DEFLATED:  # an 8-byte ZIP64 extra (uncompressed size only) needs the stored method
        body = struct.pack("<Q", len(first.data))
        mutations.append((with_entry(archive, 0, local_extra=extra(0x0001, body)), "Malformed zip file"))
    for mutated, message in mutations:
        content = mutated.bytes()
        found = problem(content)
        assert found is not None, (mutated, message)
        if zipfile_view(content):  # when zipfile itself refuses the archive, warehouse answers with zipfile's words
            assert found == message, (mutated, message)


@framing_settings
@given(archives())
def test_zip64_end_records_with_their_locator_and_legal_extras_pass(archive: Archive) -> None:
    first = archive.entries[0]
    zip64 = struct.pack("<QQ", len(first.data), len(first.payload()))
    for accepted in (
        replace_archive(archive, zip64_end=True),
        with_entry(archive, 0, local_extra=extra(0x0001, zip64)),
        with_entry(archive, 0, local_extra=extra(0x0001, b"")),
        with_entry(archive, 0, local_extra=unicode_path(first.name)),
    ):
        assert problem(accepted.bytes()) is None, accepted


def replace_archive(archive: Archive, **changes: object) -> Archive:
    from dataclasses import replace

    return replace(archive, **changes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the differential


def central_view(data: bytes) -> list[tuple[str, bytes]] | None:
    """What ``zipfile`` (the central directory, as installers read it) gives: names and contents in order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info.filename, archive.read(info)) for info in archive.infolist()]
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, KeyError, zlib.error):
        return None


def streaming_view(data: bytes) -> list[tuple[str, bytes]] | None:
    """What a streaming reader gives: local headers walked from byte 0, sizes from the local header."""
    members = []
    position = 0
    while data[position : position + 4] == b"PK\x03\x04":
        try:
            flags, method, _, _, _, compressed, _, name_size, extra_size = struct.unpack(
                "<HHHHLLLHH", data[position + 6 : position + 30]
            )
        except struct.error:
            return None
        start = position + 30 + name_size + extra_size
        name = data[position + 30 : position + 30 + name_size].decode("utf-8" if flags & 0x800 else "cp437")
        raw = data[start : start + compressed]
        try:
            content = zlib.decompress(raw, -15) if method == DEFLATED else raw
        except zlib.error:
            return None
        members.append((name, content))
        position = start + compressed
    return members


MUTATIONS = st.sampled_from(
    [
        {"descriptor": True},
        {"in_central": False},
        {"in_local": False},
        {"local_compressed": 0},
        {"local_name": b"demo/other"},
        {"central_comment": b"c"},
        {},
    ]
)


@framing_settings
@given(archives(), st.data())
def test_what_passes_the_framing_check_reads_the_same_through_both_parsers(
    archive: Archive, data: st.DataObject
) -> None:
    """Differential: zipfile's view and a streaming reader's view agree on every archive the check passes."""
    for _ in range(data.draw(st.integers(0, 2))):
        index = data.draw(st.integers(0, len(archive.entries) - 1))
        archive = with_entry(archive, index, **data.draw(MUTATIONS))
    archive = replace_archive(
        archive,
        prefix=data.draw(st.sampled_from([b"", b"stub"])),
        suffix=data.draw(st.sampled_from([b"", b"PK\x03\x04tail"])),
    )
    content = archive.bytes()
    if problem(content) is None:
        assert streaming_view(content) == central_view(content)
    else:
        assert True  # refused: the two parsers may disagree, and PyPI would not take it


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(archives(), st.data())
def test_damaged_archives_get_an_answer_never_an_exception(archive: Archive, data: st.DataObject) -> None:
    """Truncated or with flipped bytes (sizes, lengths, signatures): the walk ends with a message or None."""
    content = bytearray(archive.bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(content) - 1))
        content[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        content = content[: data.draw(st.integers(0, len(content)))]
    answer = problem(bytes(content))
    assert answer is None or isinstance(answer, str)


# --------------------------------------------------------------------------- in the audit


def test_a_wheel_with_a_data_descriptor_fails_the_check_with_pypis_message(tmp_path: Path) -> None:
    entries = (
        Entry(b"demo/__init__.py", b"x = 1\n", DEFLATED, descriptor=True),
        Entry(b"demo-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\n"),
        Entry(b"demo-1.0.dist-info/METADATA", b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"),
    )
    found = _audit_as_wheel(tmp_path, Archive(entries).bytes())
    assert not isinstance(found, str)
    assert (
        "SG705",
        "ZIP archive not accepted: ZIP contains a data descriptor. See https://docs.pypi.org/archives for more "
        "information",
    ) in found


def test_a_wheel_written_by_zipfile_passes_the_framing_check(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("demo/__init__.py", "x = 1\n")
        archive.writestr("demo/empty/", "")
        archive.comment = b"written by zipfile"
    assert problem(raw.getvalue()) is None
