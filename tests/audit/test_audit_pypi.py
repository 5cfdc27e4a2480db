"""PyPI's upload rules in the auditor (SG700-SG708, SG522, SG524, SG530) and the bounded archive readers.

Each crafted dist breaks one rule that warehouse's forklift enforces and is refused with its code and PyPI's
own message (exit 1 from ``sdistguard check``); clean dists that hatchling and setuptools build in-process
pass with exit 0. The readers: a bzip2 or LZMA member of 256 MiB of zeros is read in bounded chunks (peak
memory measured in a fresh interpreter), the member limit counts the central directory headers zipfile
reads, and the sdist members that fail extraction under tarfile's ``data`` filter are flagged, checked
against tarfile itself.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.archives import PKG_INFO, member, record_line, write_tar
from helpers.builds import clean_project, hatchling_sdist, hatchling_wheel
from helpers.tarcraft import old_sparse, sdist_bytes
from helpers.zipcraft import Archive, Entry
from sdistguard.audit import Limits, audit, audit_report
from sdistguard.audit.pypi import valid_platform_tag
from sdistguard.cli import main
from sdistguard.rules import RULES

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")

METADATA = b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"


def wheel(
    path: Path,
    files: dict[str, bytes] | None = None,
    *,
    dist_info: str = "demo-1.0.dist-info",
    metadata: bytes = METADATA,
    drop: tuple[str, ...] = (),
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A wheel at ``path`` with WHEEL, METADATA, ``files`` and a correct RECORD; ``drop`` leaves members out."""
    members = {
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "demo/__init__.py": b"x = 1\n",
        **(files or {}),
    }
    members = {name: data for name, data in members.items() if name not in drop}
    record = "".join(record_line(name, data) for name, data in members.items()) + f"{dist_info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if f"{dist_info}/RECORD" not in drop:
            archive.writestr(f"{dist_info}/RECORD", record)
    return path


def sdist_at(
    path: Path, *extra: tuple[tarfile.TarInfo, bytes], top: str = "demo-1.0", pkg_info: bytes = PKG_INFO
) -> Path:
    """An sdist at ``path``: ``{top}/pyproject.toml``, ``{top}/PKG-INFO``, then ``extra``."""
    members = [member(f"{top}/pyproject.toml", b"[project]\n"), member(f"{top}/PKG-INFO", pkg_info), *extra]
    return write_tar(path, members)


def refused(path: Path, code: str) -> list[str]:
    """The details of ``code``'s findings, after checking that ``sdistguard check`` exits 1 on ``path``."""
    assert main(["check", "--format", "json", str(path)]) == 1
    details = [found.detail for found in audit(path) if found.code == code]
    assert details, [(found.code, found.detail) for found in audit(path)]
    return details


@pytest.fixture(autouse=True)
def _quiet(capsys: pytest.CaptureFixture[str]) -> None:
    """The reports are not the point here (json, swallowed)."""


# --------------------------------------------------------------------------- file names (_validate_filename, PEP 625)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("demo-1.0.tgz", "Invalid file extension: Use .tar.gz, .whl or .zip extension."),
        ("demo-1.0.TAR.GZ", "Invalid file extension: Extension .TAR.GZ is invalid for filetype sdist."),
        ("demo\x01-1.0.tar.gz", "Cannot upload a file with non-printable characters (ordinals 0-31)"),
        ("demo\\x-1.0.tar.gz", "Cannot upload a file with '/' or '\\' in the name."),
    ],
)
def test_a_file_name_pypi_refuses_fails_with_its_message(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    sdist_at(path)
    (detail,) = refused(path, "SG700")
    assert detail.startswith(message)


def test_a_non_normalized_sdist_name_fails_with_pypis_message(tmp_path: Path) -> None:
    path = sdist_at(tmp_path / "My.Demo-1.0.tar.gz", top="my_demo-1.0", pkg_info=PKG_INFO.replace(b"demo", b"My.Demo"))
    assert refused(path, "SG522") == ["Filename 'My.Demo-1.0.tar.gz' is invalid, should be 'my_demo-1.0.tar.gz'."]
    assert not RULES["SG522"].advisory and not RULES["SG523"].advisory


def test_an_unnormalized_version_in_the_sdist_name_fails(tmp_path: Path) -> None:
    path = sdist_at(tmp_path / "demo-1.0.0-rc1.tar.gz", top="demo-1.0.0rc1",
                    pkg_info=PKG_INFO.replace(b"1.0", b"1.0.0-rc1"))
    assert refused(path, "SG522") == ["Filename 'demo-1.0.0-rc1.tar.gz' is invalid, should be 'demo-1.0.0rc1.tar.gz'."]


# --------------------------------------------------------------------------- the sdist's layout (_is_valid_dist_file)


def test_an_sdist_with_two_top_level_directories_fails_with_pypis_message(tmp_path: Path) -> None:
    path = sdist_at(tmp_path / "demo-1.0.tar.gz", member("other/x.py", b""))
    (detail,) = refused(path, "SG504")
    assert detail.endswith("PyPI: Incorrect number of top-level directories in sdist")


def test_an_sdist_without_pkg_info_fails_with_pypis_message(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "demo-1.0.tar.gz", [member("demo-1.0/pyproject.toml", b"[project]\n")])
    assert refused(path, "SG520") == [
        "no PKG-INFO in the top-level directory; PyPI: PKG-INFO not found at demo-1.0/PKG-INFO"
    ]


def test_a_sparse_member_fails_with_pypis_message(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(sdist_bytes(old_sparse("demo-1.0/sparse.bin", 1)))
    found = [(item.code, item.path, item.detail) for item in audit(path)]
    assert found == [
        ("SG590", "", "stopped after 1 members: a GNU sparse member (its sparse map is not read)"),
        ("SG702", "sparse.bin", "tar archive not accepted: Sparse members are not allowed. See "
         "https://docs.pypi.org/archives for more information"),
    ]
    assert main(["check", str(path)]) == 1


def test_a_license_file_missing_from_the_sdist_fails(tmp_path: Path) -> None:
    path = sdist_at(tmp_path / "demo-1.0.tar.gz", pkg_info=PKG_INFO + b"License-File: LICENSE\n")
    assert refused(path, "SG524") == [
        "named in PKG-INFO License-File; PyPI: License-File LICENSE does not exist in distribution file "
        "demo-1.0.tar.gz at demo-1.0/LICENSE"
    ]


# --------------------------------------------------------------------------- wheels (_is_valid_dist_file, file_upload)


def test_a_bzip2_member_fails_as_an_unsupported_compression(tmp_path: Path) -> None:
    path = wheel(tmp_path / "demo-1.0-py3-none-any.whl", compression=zipfile.ZIP_BZIP2)
    details = refused(path, "SG703")
    assert details[0] == "File does not use a supported compression type (method 12: bzip2)"
    assert len(details) == 4  # METADATA, WHEEL, __init__.py, RECORD
    assert [found.code for found in audit(path) if found.code == "SG531"] == []  # bzip2 members still verified


def test_a_zip_bomb_past_pypis_ratio_fails(tmp_path: Path) -> None:
    path = wheel(tmp_path / "demo-1.0-py3-none-any.whl", {"demo/zeros.bin": bytes(65 * 1024 * 1024)})
    (detail,) = refused(path, "SG704")
    assert detail.startswith("File exceeds compression ratio of 50 (68157")
    (tmp_path / "small").mkdir()
    small = wheel(tmp_path / "small" / "demo-1.0-py3-none-any.whl", {"demo/zeros.bin": bytes(60 * 1024 * 1024)})
    assert "SG704" not in {found.code for found in audit(small)}  # under 64 MiB: no ratio rule


@pytest.mark.parametrize(
    ("drop", "path", "message"),
    [
        ("demo-1.0.dist-info/WHEEL", "demo-1.0.dist-info/WHEEL", "WHEEL not found at demo-1.0.dist-info/WHEEL"),
        (
            "demo-1.0.dist-info/METADATA",
            "demo-1.0.dist-info/METADATA",
            "Wheel 'demo-1.0-py3-none-any.whl' does not contain the required METADATA file: "
            "demo-1.0.dist-info/METADATA",
        ),
    ],
)
def test_a_wheel_without_wheel_or_metadata_fails(tmp_path: Path, drop: str, path: str, message: str) -> None:
    built = wheel(tmp_path / "demo-1.0-py3-none-any.whl", drop=(drop,))
    assert refused(built, "SG706") == [message]
    assert [found.path for found in audit(built) if found.code == "SG706"] == [path]


def test_a_record_where_the_file_name_does_not_point_fails(tmp_path: Path) -> None:
    """The .dist-info is Demo-1.0 but the file is demo-1.0-...: PyPI looks for demo-1.0.dist-info/RECORD only."""
    built = wheel(tmp_path / "demo-1.0-py3-none-any.whl", dist_info="Demo-1.0.dist-info")
    assert refused(built, "SG530") == [
        "RECORD is at Demo-1.0.dist-info/RECORD; PyPI: Wheel 'demo-1.0-py3-none-any.whl' does not contain the "
        "required RECORD file: demo-1.0.dist-info/RECORD"
    ]
    assert {found.code for found in audit(built)} == {"SG530", "SG706"}  # WHEEL and METADATA are not there either


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b"[console_scripts]\n../evil = demo:main\n", "Invalid entry point name '../evil' in 'console_scripts'"),
        (b"[console_scripts]\ndemo = demo:main\ndemo = demo:other\n", "entry_points.txt is not a valid INI file"),
        (b"demo = demo:main\n", "entry_points.txt is not a valid INI file"),
        (b"[console_scripts]\ndemo: demo:main\n", "entry_points.txt is not a valid INI file"),
        (b"[console_scripts]\n\xff = x\n", "entry_points.txt is not decodable as UTF-8"),
    ],
)
def test_invalid_entry_points_fail(tmp_path: Path, text: bytes, problem: str) -> None:
    built = wheel(tmp_path / "demo-1.0-py3-none-any.whl", {"demo-1.0.dist-info/entry_points.txt": text})
    (detail,) = refused(built, "SG707")
    assert detail.startswith(
        "Wheel 'demo-1.0-py3-none-any.whl' has invalid entry points defined in the entry_points.txt file ("
        + problem
    )


def test_valid_entry_points_pass(tmp_path: Path) -> None:
    text = b"[console_scripts]\ndemo-cli = demo:main\nDemo.Two = demo:two\n\n[demo.plugins]\nA B = demo:c\n"
    built = wheel(tmp_path / "demo-1.0-py3-none-any.whl", {"demo-1.0.dist-info/entry_points.txt": text})
    assert audit(built) == []


def test_a_linux_x86_64_wheel_fails_and_manylinux_passes(tmp_path: Path) -> None:
    built = wheel(tmp_path / "demo-1.0-cp312-cp312-linux_x86_64.whl")
    assert refused(built, "SG708") == [
        "Binary wheel 'demo-1.0-cp312-cp312-linux_x86_64.whl' has an unsupported platform tag 'linux_x86_64'."
    ]
    many = wheel(tmp_path / "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
    assert audit(many) == []


@pytest.mark.parametrize(
    ("tag", "allowed"),
    [
        ("any", True), ("linux_x86_64", False), ("linux_armv7l", True), ("linux_aarch64", False),
        ("manylinux_2_28_aarch64", True), ("manylinux_2_28_ppc64", True), ("musllinux_1_2_ppc64", False),
        ("musllinux_1_1_x86_64", True), ("manylinux_2_17_sparc", False), ("manylinux2014_riscv64", False),
        ("macosx_10_9_x86_64", True), ("macosx_11_0_arm64", True), ("macosx_11_3_arm64", False),
        ("macosx_16_0_arm64", False), ("macosx_26_0_universal2", True), ("macosx_10_9_sparc", False),
        ("win_amd64", True), ("win32", True), ("win_riscv64", False), ("ios_13_0_arm64_iphoneos", True),
        ("ios_13_0_arm64_iphonesimulator", True), ("ios_13_0_armv7_iphoneos", False),
        ("android_21_arm64_v8a", True), ("android_21_mips", False), ("pyemscripten_2024_0_wasm32", True),
        ("emscripten_3_1_58_wasm32", False), ("cygwin_x86_64", False),
    ],
)  # fmt: skip
def test_platform_tags_follow_warehouse(tag: str, allowed: bool) -> None:
    assert valid_platform_tag(tag) is allowed


@pytest.mark.parametrize(
    ("filename", "dist_info", "metadata", "message"),
    [
        ("demo-1.0.whl", "demo-1.0.dist-info", METADATA, "Invalid wheel filename (wrong number of parts): 'demo-1.0'"),
        ("Demo-1.0-py3-none-any.whl", "Demo-1.0.dist-info", METADATA.replace(b"demo", b"Demo"),
         "Filename 'Demo-1.0-py3-none-any.whl' should contain the normalized project name 'demo', not 'Demo'."),
        ("demo-2.0-py3-none-any.whl", "demo-2.0.dist-info", METADATA,
         "Version in filename should be '1.0' not '2.0'."),
        ("other-1.0-py3-none-any.whl", "other-1.0.dist-info", METADATA, "Start filename for 'demo' with 'demo'."),
    ],
)  # fmt: skip
def test_a_wheel_file_name_pypi_refuses_fails(
    tmp_path: Path, filename: str, dist_info: str, metadata: bytes, message: str
) -> None:
    built = wheel(tmp_path / filename, dist_info=dist_info, metadata=metadata)
    assert message in refused(built, "SG701")


def test_a_license_file_missing_from_the_wheel_fails(tmp_path: Path) -> None:
    built = wheel(tmp_path / "demo-1.0-py3-none-any.whl", metadata=METADATA + b"License-File: LICENSE\n",
                  files={"demo-1.0.dist-info/LICENSE": b"MIT\n"})  # not below licenses/
    assert refused(built, "SG524") == [
        "License-File LICENSE does not exist in distribution file demo-1.0-py3-none-any.whl at "
        "demo-1.0.dist-info/licenses/LICENSE"
    ]
    (tmp_path / "ok").mkdir()
    ok = wheel(tmp_path / "ok" / "demo-1.0-py3-none-any.whl", metadata=METADATA + b"License-File: LICENSE\n",
               files={"demo-1.0.dist-info/licenses/LICENSE": b"MIT\n"})
    assert audit(ok) == []


def test_an_sdist_that_is_also_a_zip_fails(tmp_path: Path) -> None:
    """A zip appended to a .tar.gz: tarfile reads the sdist, zipfile the appended zip; PyPI refuses the polyglot."""
    path = sdist_at(tmp_path / "demo-1.0.tar.gz")
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("demo/__init__.py", "print('other')\n")
    path.write_bytes(path.read_bytes() + raw.getvalue())
    assert zipfile.is_zipfile(path) and tarfile.is_tarfile(path)
    assert refused(path, "SG709") == ["File is both a zip and a tar file"]


def test_a_wheel_that_is_also_a_tar_fails(tmp_path: Path) -> None:
    """A tar header in front of a zip: zipfile still finds the central directory; the first block is a tar."""
    built = wheel(tmp_path / "built.whl")
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo("demo/__init__.py")
        info.size = 0
        archive.addfile(info)
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    path.write_bytes(tar.getvalue()[:512] + built.read_bytes())
    assert zipfile.is_zipfile(path) and tarfile.is_tarfile(path)
    assert refused(path, "SG709") == ["File is both a zip and a tar file"]
    assert "SG705" in {found.code for found in audit(path)}  # and the prefix breaks the framing


def test_a_local_version_fails_in_an_sdist_and_a_wheel(tmp_path: Path) -> None:
    """setuptools-scm and hatch-vcs write 1.0+g1234abc for an untagged or dirty checkout: PyPI refuses it."""
    version = b"1.0.dev3+g1234abc"
    sdist_path = sdist_at(tmp_path / "demo-1.0.dev3+g1234abc.tar.gz", top="demo-1.0.dev3+g1234abc",
                          pkg_info=PKG_INFO.replace(b"1.0", version))
    assert refused(sdist_path, "SG710") == ["The use of local versions in '1.0.dev3+g1234abc' is not allowed."]
    built = wheel(tmp_path / "demo-1.0.dev3+g1234abc-py3-none-any.whl", dist_info="demo-1.0.dev3+g1234abc.dist-info",
                  metadata=METADATA.replace(b"1.0", version))
    assert refused(built, "SG710") == ["The use of local versions in '1.0.dev3+g1234abc' is not allowed."]


def test_license_files_of_metadata_before_2_4_are_not_looked_for_in_licenses(tmp_path: Path) -> None:
    """Before PEP 639 (Metadata-Version 2.4), wheel and setuptools put License-File targets in .dist-info/."""
    old = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense-File: LICENSE\n"
    built = wheel(tmp_path / "demo-1.0-py3-none-any.whl", metadata=old, files={"demo-1.0.dist-info/LICENSE": b"MIT\n"})
    assert audit(built) == []


# --------------------------------------------------------------------------- clean dists pass


def test_clean_hatchling_dists_with_scripts_and_licenses_pass(tmp_path: Path) -> None:
    root = clean_project(tmp_path / "demo")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'license-files = ["LICENSE"]\n', 'license-files = ["LICENSE"]\n[project.scripts]\ndemo-cli = "demo:x"\n'
    ))
    for built in (hatchling_sdist(root, tmp_path / "dist"), hatchling_wheel(root, tmp_path / "dist")):
        assert audit(built) == [], built
        assert main(["check", str(built)]) == 0


def test_clean_setuptools_dists_built_with_pypa_build_pass(tmp_path: Path) -> None:
    """setuptools' sdist carries setup.cfg and its own egg-info; its wheel is py3-none-any: nothing fires."""
    pytest.importorskip("setuptools")
    build = pytest.importorskip("build")
    root = tmp_path / "project"
    (root / "src" / "demo_pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "Demo.Pkg"\nversion = "1.0.0"\nlicense = "MIT"\nlicense-files = ["LICENSE"]\n'
        '[project.scripts]\ndemo-pkg = "demo_pkg:main"\n[tool.setuptools.packages.find]\nwhere = ["src"]\n'
    )
    (root / "setup.cfg").write_text("[metadata]\n")
    (root / "LICENSE").write_text("MIT\n")
    (root / "src" / "demo_pkg" / "__init__.py").write_text("def main():\n    pass\n")
    builder = build.ProjectBuilder(root)
    sdist_path = Path(builder.build("sdist", tmp_path / "dist"))
    wheel_path = Path(builder.build("wheel", tmp_path / "dist"))
    assert sdist_path.name == "demo_pkg-1.0.0.tar.gz"
    for built in (sdist_path, wheel_path):
        result = audit_report(built)
        assert [(found.code, found.path) for found in result.findings] == [], built
        assert main(["check", str(built)]) == 0


# --------------------------------------------------------------------------- bounded readers

PEAK = """
import sys
from sdistguard.audit import audit_report
result = audit_report(sys.argv[1])
with open("/proc/self/status") as status:  # VmHWM: this process's own peak (ru_maxrss keeps the forking parent's)
    print(next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:")))
print(sorted({found.code for found in result.findings}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from /proc/self/status (Linux)")
@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_small_wheel_with_a_huge_bzip2_or_lzma_member_is_read_in_bounded_memory(tmp_path: Path, method: int) -> None:
    """256 MiB of zeros in one member (a few KB on disk): zipfile decompressed it in one call (the peak grew with
    the member's size: 2 GiB for 1 GiB); the auditor reads it in 64 KiB chunks."""
    size = 256 * 1024 * 1024
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", method, compresslevel=9 if method == zipfile.ZIP_BZIP2 else None) as archive:
        with archive.open("demo/zeros.bin", "w") as stream:
            chunk = bytes(16 * 1024 * 1024)
            for _ in range(size // len(chunk)):
                stream.write(chunk)
        archive.writestr("demo-1.0.dist-info/RECORD", "")
    assert path.stat().st_size < 64 * 1024
    completed = subprocess.run([sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, check=True,
                               timeout=600)
    peak, codes = completed.stdout.splitlines()
    assert int(peak) < 128 * 1024 * 1024, f"peak RSS {int(peak) / 2**20:.0f} MiB"  # about 35 MiB; zipfile: 256+
    assert "SG703" in codes and "SG704" in codes and "SG591" not in codes


def test_the_member_limit_counts_the_central_directory_zipfile_reads(tmp_path: Path) -> None:
    """An end record that says 1 entry in front of 50: zipfile reads all 50; the limit counts them."""
    entries = tuple(Entry(f"demo/m{index}.py".encode()) for index in range(50))
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    path.write_bytes(Archive(entries, declared_entries_delta=-49).bytes())
    assert len(zipfile.ZipFile(path).infolist()) == 50
    found = [(item.code, item.detail) for item in audit(path, limits=Limits(max_members=10))]
    assert found == [("SG590", "stopped after 0 members: the central directory holds more than 10 members "
                               "(its end record says 1)")]


# --------------------------------------------------------------------------- sdist members extraction refuses


def _data_filter_refuses(path: Path, tmp_path: Path) -> bool:
    """True when tarfile's PEP 706 ``data`` filter cannot extract the archive at ``path``."""
    target = tmp_path / "extracted"
    target.mkdir()
    try:
        with tarfile.open(path) as archive:
            archive.extractall(target, filter="data")
    except (tarfile.TarError, OSError):
        return True
    return False


def test_a_regular_file_named_like_a_directory_is_flagged(tmp_path: Path) -> None:
    path = sdist_at(tmp_path / "demo-1.0.tar.gz", member("demo-1.0/.", b"x"))
    assert _data_filter_refuses(path, tmp_path)
    assert refused(path, "SG501") == ["a regular file whose name ends in '/.' names a directory: extraction fails"]


def test_duplicate_members_report_the_size_of_each_copy(tmp_path: Path) -> None:
    copies = member("demo-1.0/a.txt", b"12345"), member("demo-1.0/a.txt", b"1234567")
    path = sdist_at(tmp_path / "demo-1.0.tar.gz", *copies)
    (found,) = [item for item in audit(path) if item.code == "SG503"]
    assert (found.detail, found.files, found.size) == ("2 copies: 5 and 7 bytes", 2, 12)


@pytest.mark.parametrize(
    ("members", "path", "detail"),
    [
        (
            [member("demo-1.0/l", kind=tarfile.SYMTYPE, link="/etc"), member("demo-1.0/l/evil", b"x")],
            "l/evil",
            "below l, a symlink member: extraction writes through it or fails, on every system",
        ),
        (
            [member("demo-1.0/x", b"file"), member("demo-1.0/x/y", b"x")],
            "x/y",
            "below x, a regular file member: extraction writes through it or fails, on every system",
        ),
        (
            [member("demo-1.0/x/y", b"x"), member("demo-1.0/x", b"file")],
            "x",
            "x is a regular file member and x/ holds members: extraction fails on every system",
        ),
    ],
)
def test_a_member_below_a_file_or_link_is_a_clash_everywhere(
    tmp_path: Path, members: list[tuple[tarfile.TarInfo, bytes]], path: str, detail: str
) -> None:
    built = sdist_at(tmp_path / "demo-1.0.tar.gz", *members)
    assert _data_filter_refuses(built, tmp_path)
    found = [(item.code, item.path, item.detail) for item in audit(built)]
    assert ("SG501", path, detail) in found
    assert "SG403" not in {code for code, _, _ in found}  # not a case or normalisation twin
    assert main(["check", str(built)]) == 1


def test_a_symlink_cycle_in_a_tar_fails_as_a_link_cycle(tmp_path: Path) -> None:
    built = sdist_at(
        tmp_path / "demo-1.0.tar.gz",
        member("demo-1.0/a", kind=tarfile.SYMTYPE, link="b"),
        member("demo-1.0/b", kind=tarfile.SYMTYPE, link="a"),
        member("demo-1.0/self", kind=tarfile.SYMTYPE, link="self"),
        member("demo-1.0/sub/up", kind=tarfile.SYMTYPE, link=".."),
        member("demo-1.0/ok", kind=tarfile.SYMTYPE, link="pyproject.toml"),
    )
    found = sorted((item.code, item.path, item.detail) for item in audit(built) if item.code in ("SG203", "SG502"))
    assert found == [
        ("SG203", "a", "symlink to b: the links lead back to themselves"),
        ("SG203", "b", "symlink to a: the links lead back to themselves"),
        ("SG203", "self", "symlink to self: the links lead back to themselves"),
        ("SG203", "sub/up", "symlink to ..: a directory that holds the link"),
        ("SG502", "ok", "symlink to pyproject.toml"),
    ]
    assert main(["check", str(built)]) == 1


EXTRACT_NAMES = st.sampled_from(["a", "b", "a/b", "a/b/c", ".", "a/.", "b/..", "c", "a/c", "x/y", "a/"])
EXTRACT_TARGETS = st.sampled_from(["a", "b", "..", ".", "/etc", "a/b", "c", "../x", "b/c", "", "a/b/c"])
EXTRACT_MEMBERS = st.tuples(
    EXTRACT_NAMES, st.sampled_from([tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE]),
    EXTRACT_TARGETS,
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(EXTRACT_MEMBERS, min_size=1, max_size=4))
def test_what_the_data_filter_cannot_extract_fails_the_check(members: list[tuple[str, bytes, str]]) -> None:
    """Differential against tarfile's PEP 706 ``data`` filter: files, directories, symlinks and hard links on a
    small vocabulary of names and targets (``.``, ``..``, a file and its would-be children, link cycles). When
    extraction fails, the audit has a failing finding (on main, 25 of 500 such sdists passed with exit 0)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "demo-1.0.tar.gz"
        extra = []
        for name, kind, target in members:
            link = target if kind == tarfile.SYMTYPE else f"demo-1.0/{target}"
            extra.append(member(f"demo-1.0/{name}", b"x" if kind == tarfile.REGTYPE else b"", kind=kind,
                                link=link if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""))
        sdist_at(path, *extra)
        target_directory = Path(directory) / "out"
        target_directory.mkdir()
        try:
            with tarfile.open(path) as archive:
                archive.extractall(target_directory, filter="data")
        except (tarfile.TarError, OSError, KeyError, RecursionError):
            failing = [found.code for found in audit(path) if not found.rule.advisory]
            assert failing, members


def test_the_json_report_marks_every_pypi_rule_as_failing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    built = wheel(tmp_path / "demo-1.0-cp312-cp312-linux_x86_64.whl", compression=zipfile.ZIP_BZIP2)
    capsys.readouterr()
    assert main(["check", "--format", "json", str(built)]) == 1
    report = json.loads(capsys.readouterr().out)
    findings = report["inputs"][0]["findings"]
    assert {item["code"] for item in findings} == {"SG703", "SG708"}
    assert all(item["fails"] for item in findings)
