"""sdistguard.audit: sdists and wheels from any backend, read as streams.

Three kinds of input: archives crafted member by member (one rule at a time), sdists that plain
hatchling builds from polluted trees (a real venv, a real uv cache, links, hard links, a FIFO), and
published sdists from PyPI (marked ``network``: clean popular ones, and releases that leaked a venv
or a cache).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import REPO
from helpers.archives import PKG_INFO, member, sdist, write_tar, write_wheel
from helpers.builds import clean_project, hatchling_sdist, hatchling_wheel
from sdistguard.audit import AuditResult, Limits, audit, audit_report
from sdistguard.core.errors import InputError
from sdistguard.rules import CACHEDIR_SIGNATURE, RULES, Finding

TAG = CACHEDIR_SIGNATURE + b"\n# a cache\n"


# --------------------------------------------------------------------------- helpers


def pairs(findings: Iterable[Finding]) -> list[tuple[str, str]]:
    """``(code, path)`` of each finding, in order."""
    return [(found.code, found.path) for found in findings]


# --------------------------------------------------------------------------- sdists built by hatchling


@pytest.fixture(scope="module")
def polluted_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project tree with a venv, a uv cache, in-tree and escaping links, a hardlink and a FIFO."""
    base = tmp_path_factory.mktemp("polluted")
    root = clean_project(base / "demo")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    _make_uv_cache(base, root)
    (root / "README").symlink_to("README.md")
    (root / "hostname").symlink_to("/etc/hostname")
    (root / "dangling").symlink_to("missing.txt")
    (root / "data").mkdir()
    (root / "data" / "a.txt").write_text("shared\n")
    os.link(root / "data" / "a.txt", root / "data" / "b.txt")
    os.mkfifo(root / "pipe")
    return root


@pytest.fixture(scope="module")
def polluted_sdist(polluted_root: Path) -> Path:
    """What plain hatchling 1.33 packs from the polluted tree."""
    return hatchling_sdist(polluted_root, polluted_root.parent / "dist")


def _make_uv_cache(base: Path, root: Path) -> None:
    """Let uv itself fill ``root/.uv-cache`` by installing a local wheel (no network)."""
    dep = base / "dep"
    dep.mkdir()
    (dep / "pyproject.toml").write_text('[project]\nname = "depdemo"\nversion = "0.1"\n')
    (dep / "depdemo").mkdir()
    (dep / "depdemo" / "__init__.py").write_text("y = 2\n")
    hatchling_wheel(dep, base / "wheels")
    uv = shutil.which("uv") or os.path.join(os.path.dirname(sys.executable), "uv")
    environment = {**os.environ, "UV_CACHE_DIR": str(root / ".uv-cache")}
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--no-index",
            "--find-links",
            str(base / "wheels"),
            "--target",
            str(base / "target"),
            "depdemo",
        ],
        check=True,
        env=environment,
        capture_output=True,
    )


def test_polluted_hatchling_sdist_reports_each_problem(polluted_root: Path, polluted_sdist: Path) -> None:
    result = audit_report(polluted_sdist)
    # The venv's own links differ by Python version (3.10: bin/python -> an absolute path, the others -> python;
    # 3.11 and later: bin/python3.X absolute): an absolute target is SG201, a relative one SG502.
    bin_links = [
        ("SG201" if os.path.isabs(os.readlink(path)) else "SG502", f"venv/bin/{path.name}")
        for path in sorted((polluted_root / "venv" / "bin").iterdir())
        if path.is_symlink()
    ]
    assert pairs(result.findings) == [
        ("SG103", ".uv-cache/"),
        ("SG502", "README"),
        ("SG202", "dangling"),
        ("SG502", "data/b.txt"),
        ("SG201", "hostname"),
        ("SG301", "pipe"),
        ("SG101", "venv/"),
        *bin_links,
    ]
    assert len(bin_links) == 3
    by_path = {found.path: found for found in result.findings}
    assert by_path["venv/"].detail == "pyvenv.cfg"
    assert by_path[".uv-cache/"].detail == "CACHEDIR.TAG"
    assert by_path["hostname"].detail == "symlink to absolute path /etc/hostname"
    assert by_path["data/b.txt"].detail == "hard link to data/a.txt"
    assert by_path["pipe"].detail == "FIFO"
    with tarfile.open(polluted_sdist) as archive:
        venv_members = [name for name in archive.getnames() if "/venv/" in name]
    assert by_path["venv/"].files == len(venv_members)
    assert by_path["venv/"].size > 0
    assert result.largest[0].path == "venv/"


def test_sdistguard_builds_of_the_polluted_tree_report_nothing(polluted_root: Path, tmp_path: Path) -> None:
    """The same tree built by sdistguard's backend: its sdist and wheel pass the audit."""
    import sdistguard.build as hooks

    cwd = os.getcwd()
    os.chdir(polluted_root)
    try:
        sdist = tmp_path / hooks.build_sdist(str(tmp_path))
        wheel = tmp_path / hooks.build_wheel(str(tmp_path))
    finally:
        os.chdir(cwd)
    assert audit(sdist) == []
    assert audit(wheel) == []


def test_clean_hatchling_sdist_and_wheel_report_nothing(tmp_path: Path) -> None:
    root = clean_project(tmp_path / "demo")
    assert audit(hatchling_sdist(root, tmp_path / "dist")) == []
    assert audit(hatchling_wheel(root, tmp_path / "dist")) == []


def test_venv_in_wheel_is_reported_once_at_its_root(tmp_path: Path) -> None:
    root = clean_project(tmp_path / "demo")
    venv = root / "src" / "demo" / "env"
    (venv / "lib" / "python3.12" / "site-packages" / "six").mkdir(parents=True)
    (venv / "lib" / "python3.12" / "site-packages" / "six" / "__init__.py").write_text("")
    (venv / "lib" / "python3.12" / "site-packages" / "six.py").write_text("x = 1\n")
    found = audit(hatchling_wheel(root, tmp_path / "dist"))
    assert [(item.code, item.path, item.files, item.size) for item in found] == [("SG101", "demo/env/", 2, 6)]


# --------------------------------------------------------------------------- crafted sdists: paths and links


def test_unsafe_paths_and_members_outside_the_top_level(tmp_path: Path) -> None:
    path = sdist(
        tmp_path,
        member("/etc/passwd", b"root"),
        member("demo-1.0/../escape", b"x"),
        member("other/file.txt", b"abc"),
        member("other/more.txt", b"de"),
        member("setup.py", b""),
    )
    found = {(item.code, item.path): item for item in audit(path)}
    assert set(found) == {
        ("SG501", "/etc/passwd"),
        ("SG504", "etc"),
        ("SG501", "demo-1.0/../escape"),
        ("SG504", "other"),
        ("SG504", "setup.py"),
    }
    assert (found[("SG504", "other")].files, found[("SG504", "other")].size) == (2, 5)


def test_links(tmp_path: Path) -> None:
    path = sdist(
        tmp_path,
        member("demo-1.0/docs/changes.rst", b"changes"),
        member("demo-1.0/CHANGELOG.rst", kind=tarfile.SYMTYPE, link="docs/changes.rst"),
        member("demo-1.0/docs/up", kind=tarfile.SYMTYPE, link="../CHANGELOG.rst"),
        member("demo-1.0/LICENSE", kind=tarfile.SYMTYPE, link="../LICENSE"),
        member("demo-1.0/abs", kind=tarfile.SYMTYPE, link="/usr/bin/python3"),
        member("demo-1.0/gone", kind=tarfile.SYMTYPE, link="nowhere/file"),
        member("demo-1.0/docdir", kind=tarfile.SYMTYPE, link="docs"),
        member("demo-1.0/hard", kind=tarfile.LNKTYPE, link="demo-1.0/docs/changes.rst"),
        member("demo-1.0/hard-missing", kind=tarfile.LNKTYPE, link="demo-1.0/later.txt"),
        member("demo-1.0/later.txt", b"later"),
        member("demo-1.0/hard-out", kind=tarfile.LNKTYPE, link="../outside"),
    )
    found = {item.path: (item.code, item.detail) for item in audit(path)}
    assert found == {
        "CHANGELOG.rst": ("SG502", "symlink to docs/changes.rst"),
        "docs/up": ("SG502", "symlink to ../CHANGELOG.rst"),
        "LICENSE": ("SG201", "symlink to ../LICENSE, outside the top-level directory"),
        "abs": ("SG201", "symlink to absolute path /usr/bin/python3"),
        "gone": ("SG202", "symlink to nowhere/file, not in the archive"),
        "docdir": ("SG502", "symlink to docs"),
        "hard": ("SG502", "hard link to docs/changes.rst"),
        "hard-missing": ("SG505", "hard link to demo-1.0/later.txt"),
        "hard-out": ("SG201", "hard link to ../outside, outside the archive"),
    }


def test_special_files_names_and_duplicates(tmp_path: Path) -> None:
    path = sdist(
        tmp_path,
        member("demo-1.0/dev/tty", kind=tarfile.CHRTYPE),
        member("demo-1.0/dev/sda", kind=tarfile.BLKTYPE),
        member("demo-1.0/a:b.txt", b"x"),
        member("demo-1.0/back\\slash", b"x"),
        member("demo-1.0/bell\x07", b"x"),
        member("demo-1.0/ trailing ", b"x"),
        member("demo-1.0/latin-\udce9.txt", b"x"),
        member("demo-1.0/twice.txt", b"1"),
        member("demo-1.0/twice.txt", b"22"),
    )
    found = sorted((item.code, item.path, item.detail, item.files) for item in audit(path))
    assert found == [
        ("SG301", "dev/sda", "block device", 0),
        ("SG301", "dev/tty", "character device", 0),
        ("SG401", " trailing ", "starts or ends with a space", 0),
        ("SG401", "a:b.txt", "contains ':'", 0),
        ("SG401", "back\\slash", "contains a backslash", 0),
        ("SG401", "bell\x07", "contains a control character", 0),
        ("SG401", "latin-\udce9.txt", "is not valid UTF-8", 0),
        ("SG503", "twice.txt", "2 copies: 1 and 2 bytes", 2),
    ]


# --------------------------------------------------------------------------- crafted sdists: junk


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (["venv/pyvenv.cfg", "venv/lib/python3.12/site-packages/x.py"], ("SG101", "venv/", "pyvenv.cfg", 2)),
        (
            ["env/lib/python3.9/site-packages/a-1.dist-info/LICENSE.txt"],
            ("SG101", "env/", "layout: lib/python3.9/site-packages/, pyvenv.cfg missing", 1),
        ),
        (
            ["tools/.venv/lib64/pypy3.10/site-packages/x.py"],
            ("SG101", "tools/.venv/", "layout: lib64/pypy3.10/site-packages/, pyvenv.cfg missing", 1),
        ),
        (
            ["winenv/Lib/site-packages/x.py", "winenv/Scripts/python.exe"],
            ("SG101", "winenv/", "layout: Lib/site-packages/, pyvenv.cfg missing", 2),
        ),
        (["e/bin/activate", "e/bin/pip"], ("SG101", "e/", "layout: bin/activate, pyvenv.cfg missing", 2)),
        (["conda/conda-meta/history", "conda/bin/python"], ("SG102", "conda/", "conda-meta/", 2)),
        (
            [".tox/py311/pyvenv.cfg", ".tox/py311/lib/python3.11/site-packages/x.py", ".tox/log.txt"],
            ("SG103", ".tox/", "well-known cache directory .tox", 3),
        ),
        (
            ["tests/.hypothesis/examples/abc"],
            ("SG103", "tests/.hypothesis/", "well-known cache directory .hypothesis", 1),
        ),
        (
            ["cache/wheels-v5/index/x.rev", "cache/archive-v0/abc/x.py"],
            ("SG103", "cache/", "uv cache layout: wheels-v5/", 2),
        ),
        (
            ["src/demo/__pycache__/x.cpython-312.pyc", "src/demo/__pycache__/y.cpython-312.pyc"],
            ("SG510", "src/demo/__pycache__/", "__pycache__", 2),
        ),
        (["src/demo/stray.pyc"], ("SG510", "src/demo/stray.pyc", "compiled file", 1)),
        ([".git/HEAD", ".git/objects/ab/cdef"], ("SG511", ".git/", ".git", 2)),
        (
            ["requests.egg-info/PKG-INFO", "requests.egg-info/SOURCES.txt"],
            ("SG512", "requests.egg-info/", "requests.egg-info", 2),
        ),
    ],
)
def test_junk_is_reported_once_at_its_root(
    tmp_path: Path, members: list[str], expected: tuple[str, str, str, int]
) -> None:
    path = sdist(tmp_path, *(member(f"demo-1.0/{name}", b"abc") for name in members))
    found = [(item.code, item.path, item.detail, item.files) for item in audit(path)]
    assert found == [expected]
    assert audit(path)[0].size == 3 * expected[3]


def test_cachedir_tag_needs_the_signature_and_own_egg_info_is_fine(tmp_path: Path) -> None:
    path = sdist(
        tmp_path,
        member("demo-1.0/build-cache/CACHEDIR.TAG", TAG),
        member("demo-1.0/build-cache/data.bin", b"1234"),
        member("demo-1.0/notes/CACHEDIR.TAG", b"not the signature"),
        member("demo-1.0/src/demo.egg-info/PKG-INFO", b"x"),
    )
    found = [(item.code, item.path, item.files, item.size) for item in audit(path)]
    assert found == [("SG103", "build-cache/", 2, len(TAG) + 4)]


def test_directory_members_and_a_dot_slash_prefix(tmp_path: Path) -> None:
    path = write_tar(
        tmp_path / "demo-1.0.tar.gz",
        [
            member("./demo-1.0/", kind=tarfile.DIRTYPE),
            member("./demo-1.0/.venv/", kind=tarfile.DIRTYPE),
            member("./demo-1.0/.venv/pyvenv.cfg", b"home = /usr\n"),
            member("./demo-1.0/PKG-INFO", PKG_INFO),
        ],
    )
    assert [(item.code, item.path, item.files) for item in audit(path)] == [("SG101", ".venv/", 1)]


# --------------------------------------------------------------------------- crafted sdists: metadata


def test_sdist_metadata_rules(tmp_path: Path) -> None:
    old = b"Metadata-Version: 2.1\nName: My.Demo\nVersion: 1.0.0\nLicense-File: LICENSE\nLicense-File: NOTICE\n"
    path = sdist(tmp_path, member("My.Demo-1.0.0/LICENSE", b"MIT"), name="My.Demo-1.0.0", pkg_info=old)
    found = {(item.code, item.path, item.detail) for item in audit(path)}
    assert found == {
        ("SG521", "PKG-INFO", "Metadata-Version 2.1"),
        ("SG522", "", "Filename 'My.Demo-1.0.0.tar.gz' is invalid, should be 'my_demo-1.0.0.tar.gz'."),
        ("SG523", "", "top-level directory My.Demo-1.0.0/, expected my_demo-1.0.0/"),
        ("SG524", "NOTICE", "named in PKG-INFO License-File; PyPI: License-File NOTICE does not exist in "
         "distribution file My.Demo-1.0.0.tar.gz at My.Demo-1.0.0/NOTICE"),
    }


@pytest.mark.parametrize(
    ("pkg_info", "detail"),
    [
        (None, "no PKG-INFO in the top-level directory; PyPI: PKG-INFO not found at demo-1.0/PKG-INFO"),
        (b"Metadata-Version: 2.4\nName: demo\n", "no Name or no Version field"),
        (b"Metadata-Version: two\nName: demo\nVersion: 1.0\n", "Metadata-Version 'two' is not a version"),
        (
            b"Metadata-Version: 2.4\nName: demo\nVersion: not-a-version!\n",
            "Version 'not-a-version!' is not a PEP 440 version",
        ),
    ],
)
def test_bad_pkg_info(tmp_path: Path, pkg_info: bytes | None, detail: str) -> None:
    assert [(item.code, item.detail) for item in audit(sdist(tmp_path, pkg_info=pkg_info))] == [("SG520", detail)]


def test_size_summary_ranks_directories_by_bytes(tmp_path: Path) -> None:
    path = sdist(
        tmp_path,
        member("demo-1.0/small/a", b"x" * 10),
        member("demo-1.0/big/inner/b", b"x" * 500),
        member("demo-1.0/big/c", b"x" * 100),
        member("demo-1.0/mid/d", b"x" * 200),
    )
    result = audit_report(path)
    assert [(item.path, item.files, item.size) for item in result.largest] == [
        ("big/", 2, 600),
        ("big/inner/", 1, 500),
        ("mid/", 1, 200),
        ("small/", 1, 10),
    ]
    assert result.members == 6
    assert result.size == 810 + len(b"[project]\n") + len(PKG_INFO)


# --------------------------------------------------------------------------- limits and damage


def test_member_limit_stops_with_a_finding(tmp_path: Path) -> None:
    path = sdist(tmp_path, *(member(f"demo-1.0/f{index}", b"") for index in range(50)))
    found = audit(path, limits=Limits(max_members=20))
    assert [(item.code, item.detail) for item in found] == [("SG590", "stopped after 21 members: more than 20 members")]


def test_byte_limit_stops_a_gzip_bomb(tmp_path: Path) -> None:
    path = sdist(tmp_path, member("demo-1.0/zeros", bytes(8 * 1024 * 1024)))
    assert os.path.getsize(path) < 64 * 1024
    found = audit(path, limits=Limits(max_bytes=1024 * 1024))
    assert [item.code for item in found] == ["SG590"]
    assert "more than 1048576 uncompressed bytes" in found[0].detail


def test_huge_pax_header_is_refused_before_it_is_read(tmp_path: Path) -> None:
    info, _ = member("demo-1.0/file")
    info.pax_headers = {"comment": "x" * 100_000}
    path = write_tar(tmp_path / "demo-1.0.tar.gz", [member("demo-1.0/a", b"a"), (info, b"")])
    found = audit(path)
    assert [item.code for item in found] == ["SG590"]
    assert "extended tar header of" in found[0].detail


def test_truncated_stream_is_a_finding_with_what_was_read(tmp_path: Path) -> None:
    import gzip

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for info, data in [member("demo-1.0/venv/pyvenv.cfg", b"home\n"), member("demo-1.0/big", b"y" * 50_000)]:
            archive.addfile(info, io.BytesIO(data))
    (tmp_path / "demo-1.0.tar.gz").write_bytes(gzip.compress(raw.getvalue()[:20_000]))
    found = audit(tmp_path / "demo-1.0.tar.gz")
    assert [(item.code, item.path) for item in found] == [("SG591", ""), ("SG101", "venv/")]


def test_declared_huge_size_in_a_short_stream_ends_quickly(tmp_path: Path) -> None:
    import gzip

    info, _ = member("demo-1.0/huge")
    info.size = 10**12
    header = info.tobuf(tarfile.PAX_FORMAT)
    (tmp_path / "demo-1.0.tar.gz").write_bytes(gzip.compress(header + b"z" * 1024))
    started = time.monotonic()
    found = audit(tmp_path / "demo-1.0.tar.gz")
    assert time.monotonic() - started < 5
    assert [item.code for item in found] == ["SG591"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("demo-1.0.tar.gz", b"plain text", "not a gzip-compressed tar archive"),
        ("demo-1.0.tar.gz", b"", "not a gzip-compressed tar archive"),
        ("demo-1.0.zip", b"", "not an sdist (.tar.gz), a wheel (.whl) or a project directory"),
    ],
)
def test_unreadable_input_raises_input_error(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        audit(tmp_path / name)


def test_a_wheel_zipfile_cannot_read_is_refused_as_pypi_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    path.write_bytes(b"PK\x03\x04 not really")
    found = audit(path)
    assert [(item.code, item.detail) for item in found] == [
        ("SG591", "not a zip archive (BadZipFile: File is not a zip file)"),
        ("SG705", "File is not a zipfile"),
    ]


def test_missing_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        audit(tmp_path / "nothing.tar.gz")


def test_gzip_of_garbage_raises_input_error(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "demo-1.0.tar.gz").write_bytes(gzip.compress(b"\x01" * 2048))
    with pytest.raises(InputError):
        audit(tmp_path / "demo-1.0.tar.gz")


# --------------------------------------------------------------------------- wheels


def test_wheel_record_checks(tmp_path: Path) -> None:
    path = write_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl",
        {"demo/__init__.py": b"x = 1\n", "demo/data.txt": b"abc", "demo/gone.py": b""},
        tamper={"demo/__init__.py": b"x = 2\n", "demo/data.txt": b"abcd", "demo/extra.py": b""},
    )
    with zipfile.ZipFile(path, "a") as archive:  # drop nothing; add a member RECORD does not know
        archive.writestr("demo/unlisted.py", b"")
    found = sorted((item.code, item.path, item.detail) for item in audit(path))
    assert ("SG531", "demo/__init__.py", "sha256 hash differs from RECORD") in found
    assert ("SG531", "demo/data.txt", "size 4, RECORD says 3") in found
    assert ("SG531", "demo/data.txt", "sha256 hash differs from RECORD") in found
    assert ("SG531", "demo/extra.py", "not listed in RECORD") in found
    assert ("SG531", "demo/unlisted.py", "not listed in RECORD") in found
    assert len(found) == 5


def test_wheel_missing_record_and_hostile_names(tmp_path: Path) -> None:
    links = []
    for name in ("demo/up.py", "demo/empty.py", "demo/same.py"):
        info = zipfile.ZipInfo(name)
        info.external_attr = 0o120777 << 16
        links.append(info)
    path = write_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl",
        {"../evil.py": b"", "demo/__pycache__/m.cpython-312.pyc": b"c", "/abs.py": b""},
        record=False,
        extra_infos=[(links[0], b"../../etc/passwd"), (links[1], b""), (links[2], b"up.py")],
    )
    found = sorted((item.code, item.path, item.detail) for item in audit(path))
    assert found == [
        ("SG201", "demo/up.py", "symlink to ../../etc/passwd, outside the archive"),
        ("SG202", "demo/empty.py", "symlink to , not in the archive"),
        ("SG501", "../evil.py", "'..' component"),
        ("SG501", "/abs.py", "absolute path"),
        ("SG502", "demo/same.py", "symlink to up.py"),
        ("SG510", "demo/__pycache__/", "__pycache__"),
        ("SG530", "", "no *.dist-info/RECORD in the wheel; PyPI: Wheel 'demo-1.0-py3-none-any.whl' does not "
         "contain the required RECORD file: demo-1.0.dist-info/RECORD"),
    ]


def test_wheel_hashing_limit(tmp_path: Path) -> None:
    path = write_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {"demo/big.bin": bytes(300_000)})
    found = audit(path, limits=Limits(max_bytes=100_000))
    assert [(item.code, item.path) for item in found] == [("SG590", "demo/big.bin")]


def test_wheel_with_too_many_entries_is_not_listed(tmp_path: Path) -> None:
    path = write_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {f"demo/m{index}.py": b"" for index in range(30)})
    found = audit(path, limits=Limits(max_members=10))
    assert [item.code for item in found] == ["SG590"]
    assert "central directory lists 33 members" in found[0].detail


# --------------------------------------------------------------------------- project directories


def test_directory_audit_previews_the_backend(tmp_path: Path) -> None:
    root = clean_project(tmp_path / "demo")
    assert audit(root) == []
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    found = audit(root)
    assert ("SG101", "venv/") in pairs(found)


def test_directory_without_pyproject_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="needs"):
        audit(tmp_path)


def test_every_code_of_the_auditor_is_documented() -> None:
    docs = REPO / "docs" / "rules.md"
    text = docs.read_text(encoding="utf-8")
    missing = [code for code in RULES if f"\n### {code} " not in text]
    assert missing == []


# --------------------------------------------------------------------------- published sdists (network)

CLEAN_SDISTS = {
    # name==version: the codes expected (none of them a venv, a cache or other junk)
    "requests==2.32.3": {"SG521"},
    "attrs==24.2.0": set(),
    "idna==3.7": {"SG521"},
    "click==8.1.7": {"SG521"},
    "certifi==2024.7.4": {"SG521"},
    "urllib3==2.2.2": set(),
    "six==1.16.0": {"SG521"},
    "iniconfig==2.0.0": {"SG521"},
    "pluggy==1.5.0": {"SG521"},
    "referencing==0.35.1": {"SG502"},  # CHANGELOG.rst -> docs/changes.rst, an in-tree link
    "jinja2==3.1.4": {"SG521"},
    "tomli==2.0.1": {"SG521"},
    "typing_extensions==4.12.2": {"SG521"},
    "markupsafe==2.1.5": {"SG521", "SG522", "SG523"},  # MarkupSafe-2.1.5.tar.gz, before PEP 625
}

LEAKED_SDISTS = {
    # name==version: (code, path below the top-level directory) of each leak (sources: README.md)
    "fixtures==4.2.3": [("SG101", "venv/")],  # testing-cabal/fixtures#97
    "tutor==19.0.3": [("SG101", "venv/")],  # overhangio/tutor#1250: only LICENSE files of the venv
    "aiosmtpd==1.2.2": [("SG103", ".tox/"), ("SG101", ".venv/")],  # aio-libs/aiosmtpd#203
    "setuptools==73.0.1": [("SG103", ".tox/")],  # pypa/setuptools#4601
    "packaging==24.1": [("SG103", "tests/.pytest_cache/")],  # a pytest cache, 2 MB
    "sphinx-autobuild==0.7.0": [("SG101", "docs/.venv/")],  # sphinx-doc/sphinx-autobuild#56
}
JUNK_CODES = {"SG101", "SG102", "SG103", "SG510", "SG511", "SG512"}

ALLOW_SECRETS = {
    # name==version: [tool.sdistguard] allow-secrets for throwaway TLS test keys shipped on purpose (SG602 finds
    # each one without it: test_published_test_keys_are_found_and_accepted_through_allow_secrets)
    "requests==2.32.3": ["tests/certs/"],  # self-signed CA/server/client keys of requests' TLS tests
    "urllib3==2.2.2": ["dummyserver/certs/"],  # the test server's throwaway CA and server keys
}


def _cache_dir() -> Path:
    return Path(os.environ.get("SDISTGUARD_SDIST_CACHE", Path.home() / ".cache" / "sdistguard-tests" / "sdists"))


def _download(requirement: str) -> Path:
    """Fetch one sdist with pip into the cache outside the repository (kept between runs)."""
    cache = _cache_dir()
    name, version = requirement.split("==")
    stems = {f"{name}-{version}", f"{name.replace('-', '_')}-{version}"}
    for path in cache.glob("*.tar.gz"):
        if path.name[: -len(".tar.gz")].lower() in {stem.lower() for stem in stems}:
            return path
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(cache),
            requirement,
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return _download(requirement)


@pytest.fixture(scope="module")
def published() -> dict[str, Path]:
    requirements = [*CLEAN_SDISTS, *LEAKED_SDISTS]
    with ThreadPoolExecutor(max_workers=6) as pool:
        return dict(zip(requirements, pool.map(_download, requirements), strict=True))


@pytest.mark.network
@pytest.mark.parametrize("requirement", sorted(CLEAN_SDISTS))
def test_clean_published_sdists_raise_no_false_alarm(published: dict[str, Path], requirement: str) -> None:
    result = audit_report(published[requirement], allow_secrets=ALLOW_SECRETS.get(requirement, ()))
    codes = {found.code for found in result.findings}
    assert codes & JUNK_CODES == set()
    assert codes == CLEAN_SDISTS[requirement]


@pytest.mark.network
def test_published_test_keys_are_found_and_accepted_through_allow_secrets(published: dict[str, Path]) -> None:
    for requirement, allowed in ALLOW_SECRETS.items():
        secrets = [(found.path, found.detail) for found in audit(published[requirement]) if found.code == "SG602"]
        assert secrets and all(detail == "line 1: private key (PEM)" for _, detail in secrets)
        assert all(path.startswith(tuple(allowed)) and path.endswith(".key") for path, _ in secrets)
        assert "SG602" not in {found.code for found in audit(published[requirement], allow_secrets=allowed)}


@pytest.mark.network
@pytest.mark.parametrize("requirement", sorted(LEAKED_SDISTS))
def test_published_sdists_that_leaked_a_venv_or_cache(published: dict[str, Path], requirement: str) -> None:
    result: AuditResult = audit_report(published[requirement])
    junk = [(found.code, found.path) for found in result.findings if found.code in JUNK_CODES]
    assert junk == LEAKED_SDISTS[requirement]
    assert all(found.files > 0 and found.size > 0 for found in result.findings if found.code in JUNK_CODES)


def test_cache_tag_in_a_wheel_is_read_for_its_signature(tmp_path: Path) -> None:
    wheel = write_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl",
        {
            "demo/__init__.py": b"",
            "demo/cache/CACHEDIR.TAG": TAG,
            "demo/cache/x.bin": b"xx",
            "demo/notes/CACHEDIR.TAG": b"not a signature",
        },
    )
    assert pairs(audit(wheel)) == [("SG103", "demo/cache/")]


def test_public_api_of_the_audit_package() -> None:
    """``sdistguard.audit`` is the auditor's package; its ``__init__`` holds the public names, every
    module of it imports on its own (``import sdistguard.audit.x``), and the top level keeps its own."""
    import importlib
    import pkgutil

    import sdistguard
    import sdistguard.audit as auditor

    for module in pkgutil.iter_modules(auditor.__path__):
        importlib.import_module(f"sdistguard.audit.{module.name}")
    assert sdistguard.audit is auditor
    assert set(auditor.__all__) >= {"AuditResult", "DirectorySize", "Finding", "Limits", "audit", "audit_report"}
    assert all(callable(getattr(auditor, name)) for name in ("audit", "audit_report"))
    assert sdistguard.Finding is auditor.Finding


def test_each_wheel_member_is_opened_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The head (a CACHEDIR.TAG, the WHEEL, a symlink's target), the RECORD hash and the secret scan
    share one read of each member; RECORD is read once, to parse it."""
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0a1B2c3D4e5F6g7H8"
    link = zipfile.ZipInfo("demo/alias.py")
    link.external_attr = (0o120777 << 16) | 0o10  # a symlink, the Info-ZIP way
    wheel = write_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl",
        {
            "demo/__init__.py": f"TOKEN = '{token}'\n".encode(),
            "demo/cache/CACHEDIR.TAG": TAG,
            "demo/big.bin": bytes(range(256)) * 1024,
            "demo-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: hatchling 1.27.0\n",
        },
        tamper={"demo/big.bin": b"changed"},
        extra_infos=[(link, b"__init__.py")],
    )
    opened: dict[str, int] = {}
    original = zipfile.ZipFile.open

    def counting_open(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object) -> object:
        key = name.filename if isinstance(name, zipfile.ZipInfo) else name
        opened[key] = opened.get(key, 0) + 1
        return original(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    result = audit_report(wheel)
    with zipfile.ZipFile(wheel) as archive:
        names = {info.filename for info in archive.infolist() if not info.is_dir()}
    assert opened == dict.fromkeys(names, 1)
    assert [(found.code, found.path, found.detail) for found in result.findings] == [
        ("SG602", "demo/__init__.py", "line 1: GitHub token (ghp)"),
        ("SG502", "demo/alias.py", "symlink to __init__.py"),
        ("SG531", "demo/alias.py", "not listed in RECORD"),
        ("SG531", "demo/big.bin", "size 7, RECORD says 262144"),
        ("SG531", "demo/big.bin", "sha256 hash differs from RECORD"),
        ("SG103", "demo/cache/", "CACHEDIR.TAG"),
    ]
    assert result.built_by is not None and result.built_by.evidence == "WHEEL Generator: hatchling 1.27.0"


def test_an_sdist_is_read_in_one_pass_builder_included(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``sdistguard check`` names the builder from the audit's own pass: the tar stream is opened once,
    PKG-INFO parsed once."""
    from sdistguard.cli import main

    pyproject = b'[build-system]\nrequires = ["x"]\nbuild-backend = "setuptools.build_meta"\n'
    leaky = write_tar(
        tmp_path / "demo-1.0.tar.gz",
        [
            member("demo-1.0/PKG-INFO", PKG_INFO),
            member("demo-1.0/venv/pyvenv.cfg", b"home = /usr/bin\n"),
            member("demo-1.0/pyproject.toml", pyproject),
        ],
    )
    opened: list[str] = []
    original = tarfile.open

    def counting_open(*args: object, **kwargs: object) -> tarfile.TarFile:
        opened.append(str(kwargs.get("mode", args[1] if len(args) > 1 else "r")))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    from sdistguard.audit import metadata

    parsed: list[bytes] = []
    original_parse = metadata.parse_email

    def counting_parse(data: bytes) -> object:
        parsed.append(data)
        return original_parse(data)

    monkeypatch.setattr(tarfile, "open", counting_open)
    monkeypatch.setattr(metadata, "parse_email", counting_parse)
    result = audit_report(leaky)
    assert parsed == [PKG_INFO]  # PKG-INFO parsed once, for the name and the metadata checks
    assert result.built_by is not None
    assert (result.built_by.name, result.built_by.evidence) == (
        "setuptools",
        "the sdist's pyproject.toml build-backend = 'setuptools.build_meta'",
    )
    assert opened == ["r|"]
    opened.clear()
    assert main(["check", str(leaky)]) == 1
    assert opened == ["r|"]
