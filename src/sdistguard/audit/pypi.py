"""What PyPI refuses at upload, checked on the archive before it is uploaded (family ``pypi``, SG700-SG749).

Each check follows one function of pypi/warehouse at commit 6b62157124ab7865029afeeadf282bce27d601d9
(``warehouse/forklift/legacy.py`` unless said otherwise) and puts warehouse's own error text in the finding's
detail, so the report says what the upload would answer. The rules are facts taken from that code; the code
here is ours. ``docs/pypi.md`` lists them. The zip framing rules (``validate_zipfile``) live in
:mod:`~sdistguard.audit.zipframe`, the sparse tar members in :mod:`~sdistguard.audit.tar`. Nothing here
reads an archive's members: the callers pass the names, sizes and the few small members they already read;
:func:`check_polyglot` reads the archive's first 512 bytes or its end record.
"""

from __future__ import annotations

import configparser
import re
import tarfile
import zipfile
from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import Final

from packaging.metadata import parse_email
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from sdistguard.audit.base import MiB, open_input
from sdistguard.core.errors import InputError
from sdistguard.rules import Finding, finding

__all__ = [
    "COMPRESSION_RATIO_MIN_SIZE",
    "COMPRESSION_RATIO_THRESHOLD",
    "SMALL_MEMBER_LIMIT",
    "WheelFacts",
    "check_polyglot",
    "check_upload_filename",
    "check_wheel",
    "check_wheel_members",
    "dist_info_directory",
    "local_version_problem",
    "sdist_filename_problem",
    "small_members",
    "valid_platform_tag",
]

COMPRESSION_RATIO_MIN_SIZE: Final = 64 * MiB
"""Uncompressed bytes (the central directory's sum) from which the ratio counts: warehouse's
``COMPRESSION_RATIO_MIN_SIZE``."""

COMPRESSION_RATIO_THRESHOLD: Final = 50
"""Largest uncompressed/compressed ratio PyPI accepts past :data:`COMPRESSION_RATIO_MIN_SIZE`
(warehouse's ``COMPRESSION_RATIO_THRESHOLD``)."""

SMALL_MEMBER_LIMIT: Final = MiB
"""``METADATA`` and ``entry_points.txt`` are read up to this many bytes; a larger one is not judged."""

_DIST_FILE: Final = re.compile(r".+?(?P<extension>\.(tar\.gz|zip|whl))$", re.IGNORECASE)
_EXTENSIONS: Final = {"sdist": frozenset({".zip", ".tar.gz"}), "wheel": frozenset({".whl"})}
_ENTRY_POINT_NAME: Final = re.compile(r"[\w.-]+")
_SUPPORTED_COMPRESSION: Final = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

# ``_valid_platform_tag``'s tables (warehouse forklift/legacy.py). New tags need an ABI spec; the list changes
# rarely, and docs/pypi.md names the commit read.
_ALLOWED_PLATFORMS: Final = frozenset(
    {
        "any", "win32", "win_arm64", "win_amd64", "win_ia64",
        "manylinux1_x86_64", "manylinux1_i686", "manylinux2010_x86_64", "manylinux2010_i686",
        "manylinux2014_x86_64", "manylinux2014_i686", "manylinux2014_aarch64", "manylinux2014_armv7l",
        "manylinux2014_ppc64", "manylinux2014_ppc64le", "manylinux2014_s390x",
        "linux_armv6l", "linux_armv7l",
    }
)  # fmt: skip
_MACOSX: Final = re.compile(r"macosx_(?P<major>\d+)_(?P<minor>\d+)_(?P<arch>.*)")
_MACOSX_ARCHES: Final = frozenset(
    {"ppc", "ppc64", "i386", "x86_64", "arm64", "intel", "fat", "fat3", "fat64", "universal", "universal2"}
)
_MACOSX_MAJORS: Final = frozenset({"11", "12", "13", "14", "15", "26"})
_IOS: Final = re.compile(r"ios_(\d+)_(\d+)_(?P<arch>.*)_(iphoneos|iphonesimulator)")
_IOS_ARCHES: Final = frozenset({"arm64", "x86_64"})
_ANDROID: Final = re.compile(r"android_(\d+)_(?P<arch>.*)")
_ANDROID_ARCHES: Final = frozenset({"armeabi_v7a", "arm64_v8a", "x86", "x86_64"})
_LINUX: Final = re.compile(r"(?P<libc>(many|musl))linux_(\d+)_(\d+)_(?P<arch>.*)")
_MUSLLINUX_ARCHES: Final = frozenset({"x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "riscv64"})
_MANYLINUX_ARCHES: Final = _MUSLLINUX_ARCHES | {"ppc64"}
_PYEMSCRIPTEN: Final = re.compile(r"pyemscripten_(?P<major>\d+)_(?P<minor>\d+)_wasm32")


def valid_platform_tag(platform: str) -> bool:
    """True when PyPI accepts a wheel with the platform tag ``platform`` (warehouse ``_valid_platform_tag``).

    The fixed list (``any``, ``win*``, the legacy manylinux tags, ``linux_armv6l``/``linux_armv7l``);
    ``macosx_10_{minor}_{arch}`` and ``macosx_{11..15,26}_0_{arch}``; PEP 600 ``manylinux_X_Y_{arch}`` and
    PEP 656 ``musllinux_X_Y_{arch}`` for the architectures each allows; ``ios_X_Y_{arch}_{iphoneos,
    iphonesimulator}``, ``android_N_{arch}`` and ``pyemscripten_X_Y_wasm32``. ``linux_x86_64`` is refused.
    """
    if platform in _ALLOWED_PLATFORMS:
        return True
    match = _MACOSX.match(platform)
    if (
        match
        and match["arch"] in _MACOSX_ARCHES
        and (match["major"] == "10" or (match["major"] in _MACOSX_MAJORS and match["minor"] == "0"))
    ):
        return True
    match = _LINUX.match(platform)
    if match:
        return match["arch"] in (_MUSLLINUX_ARCHES if match["libc"] == "musl" else _MANYLINUX_ARCHES)
    match = _IOS.match(platform)
    if match and match["arch"] in _IOS_ARCHES:
        return True
    match = _ANDROID.match(platform)
    if match and match["arch"] in _ANDROID_ARCHES:
        return True
    return _PYEMSCRIPTEN.match(platform) is not None


def check_upload_filename(filename: str, kind: str) -> list[Finding]:
    """``upload-filename`` when PyPI would refuse the archive's file name (warehouse ``_validate_filename``).

    ``filename``: the archive's base name as it would be uploaded; ``kind``: ``"sdist"`` or ``"wheel"``.
    Refused: a control character (ordinals 0-31) or DEL, a ``/`` or ``\\``, an extension other than
    ``.tar.gz`` (or ``.zip``) for an sdist and ``.whl`` for a wheel (exact case).
    """
    if any(ord(character) < 32 or ord(character) == 127 for character in filename):
        detail = (
            "Cannot upload a file with non-printable characters (ordinals 0-31) or the DEL character "
            "(ordinal 127) in the name."
        )
        return [finding("upload-filename", "", detail)]
    if "/" in filename or "\\" in filename:
        return [finding("upload-filename", "", "Cannot upload a file with '/' or '\\' in the name.")]
    match = _DIST_FILE.match(filename)
    if match is None:
        detail = (
            "Invalid file extension: Use .tar.gz, .whl or .zip extension. See "
            "https://www.python.org/dev/peps/pep-0527 and https://peps.python.org/pep-0715/ for more information"
        )
        return [finding("upload-filename", "", detail)]
    extension = match["extension"]
    if extension not in _EXTENSIONS[kind]:
        filetype = "sdist" if kind == "sdist" else "bdist_wheel"
        detail = (
            f"Invalid file extension: Extension {extension} is invalid for filetype {filetype}. "
            "See https://www.python.org/dev/peps/pep-0527 for more information."
        )
        return [finding("upload-filename", "", detail)]
    return []


def dist_info_directory(filename: str) -> str | None:
    """``{name}-{version}.dist-info``, from the wheel's file name split at its first two ``-`` as warehouse
    splits it (the exact text, not normalized); ``None`` when the name has fewer than two ``-``."""
    parts = filename.split("-", 2)
    return f"{parts[0]}-{parts[1]}.dist-info" if len(parts) == 3 else None


def small_members(filename: str) -> tuple[str, ...]:
    """The member names whose content the wheel checks read (``METADATA``, ``entry_points.txt``)."""
    directory = dist_info_directory(filename)
    return () if directory is None else (f"{directory}/METADATA", f"{directory}/entry_points.txt")


@dataclass(frozen=True)
class WheelFacts:
    """What the wheel checks need beyond the listing: the archive's ``size`` on disk (bytes), and the
    content of ``METADATA`` and ``entry_points.txt`` (``None``: absent, unreadable or larger than
    :data:`SMALL_MEMBER_LIMIT`)."""

    size: int
    metadata: bytes | None = None
    entry_points: bytes | None = None


def check_wheel_members(infos: Sequence[zipfile.ZipInfo], size: int) -> list[Finding]:
    """``zip-compression`` per member neither stored nor deflated, and ``compression-ratio`` for a zip bomb.

    Follows warehouse ``_is_valid_dist_file``: the uncompressed sizes the central directory declares,
    summed, against the file's ``size`` on disk (bytes): past :data:`COMPRESSION_RATIO_MIN_SIZE` and a
    ratio over :data:`COMPRESSION_RATIO_THRESHOLD`, PyPI refuses it.
    """
    found = [
        finding(
            "zip-compression",
            info.filename,
            f"File does not use a supported compression type (method {info.compress_type}: "
            f"{_METHODS.get(info.compress_type, 'unknown')})",
        )
        for info in infos
        if info.compress_type not in _SUPPORTED_COMPRESSION
    ]
    declared = sum(info.file_size for info in infos)
    if declared > COMPRESSION_RATIO_MIN_SIZE and declared / max(size, 1) > COMPRESSION_RATIO_THRESHOLD:
        detail = (
            f"File exceeds compression ratio of {COMPRESSION_RATIO_THRESHOLD} "
            f"({declared} bytes uncompressed, {size} bytes on disk)"
        )
        found.append(finding("compression-ratio", "", detail))
    return found


_METHODS: Final = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "deflate64", 93: "zstandard"}


def check_wheel(filename: str, names: Container[str], facts: WheelFacts) -> list[Finding]:
    """What PyPI refuses in a wheel's name and its ``.dist-info`` (warehouse ``file_upload`` and helpers).

    ``filename``: the wheel's base name; ``names``: every member name; ``facts``: :class:`WheelFacts`.
    Checks, in warehouse's order: the PEP 427 file name (``wheel-filename``) and every platform tag
    (``platform-tag``, :func:`valid_platform_tag`); ``WHEEL`` and ``METADATA`` at the
    ``{name}-{version}.dist-info`` the file name gives (``missing-wheel-file``); the file name's project name
    normalized and equal to METADATA's, its version METADATA's (``wheel-filename``); each ``License-File``
    under ``.dist-info/licenses/`` (``missing-license-file``); ``entry_points.txt`` (``entry-points``,
    :func:`_entry_points_problem`). RECORD at that path is :mod:`~sdistguard.audit.record`'s.
    """
    found: list[Finding] = []
    try:
        _, _, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as error:
        return [finding("wheel-filename", "", str(error))]
    for platform in sorted({tag.platform for tag in tags}):
        if not valid_platform_tag(platform):
            detail = f"Binary wheel '{filename}' has an unsupported platform tag '{platform}'."
            found.append(finding("platform-tag", "", detail))
    directory = dist_info_directory(filename)
    if directory is None:  # pragma: no cover - parse_wheel_filename needs at least four dashes
        return [*found, finding("missing-wheel-file", "", "Unable to parse name and version from wheel filename")]
    if f"{directory}/WHEEL" not in names:
        found.append(finding("missing-wheel-file", f"{directory}/WHEEL", f"WHEEL not found at {directory}/WHEEL"))
    if f"{directory}/METADATA" not in names:
        detail = f"Wheel '{filename}' does not contain the required METADATA file: {directory}/METADATA"
        found.append(finding("missing-wheel-file", f"{directory}/METADATA", detail))
    elif facts.metadata is not None:
        found.extend(_against_metadata(filename, directory, names, facts.metadata))
    if facts.entry_points is not None:
        problem = _entry_points_problem(facts.entry_points)
        if problem:
            detail = (
                f"Wheel '{filename}' has invalid entry points defined in the entry_points.txt file ({problem})"
            )
            found.append(finding("entry-points", f"{directory}/entry_points.txt", detail))
    return found


def _against_metadata(filename: str, directory: str, names: Container[str], data: bytes) -> list[Finding]:
    """The file name's project name and version against METADATA's, and its License-File entries."""
    raw, unparsed = parse_email(data)
    name = raw.get("name") or next(iter(unparsed.get("name", [])), "")
    version_text = raw.get("version") or next(iter(unparsed.get("version", [])), "")
    found: list[Finding] = []
    stem_name, stem_version = directory.removesuffix(".dist-info").split("-", 1)
    if isinstance(name, str) and name.strip():
        canonical = canonicalize_name(name.strip())
        normalized = canonical.replace("-", "_")
        if canonicalize_name(stem_name) != canonical:
            found.append(finding("wheel-filename", "", f"Start filename for {name.strip()!r} with {normalized!r}."))
        elif stem_name != normalized:
            detail = (
                f"Filename {filename!r} should contain the normalized project name {normalized!r}, "
                f"not {stem_name!r}."
            )
            found.append(finding("wheel-filename", "", detail))
    if isinstance(version_text, str) and version_text.strip():
        try:
            version, in_name = Version(version_text.strip()), Version(stem_version)
        except InvalidVersion:
            pass  # parse_wheel_filename checked the file name's; an invalid METADATA version is not ours to judge
        else:
            if version != in_name:
                detail = f"Version in filename should be {str(version)!r} not {str(in_name)!r}."
                found.append(finding("wheel-filename", "", detail))
            local = local_version_problem(version)
            if local:
                found.append(finding("local-version", f"{directory}/METADATA", local))
    if _metadata_version(raw.get("metadata_version")) < _LICENSE_FILE_SINCE:
        return found  # License-File came with 2.4 (PEP 639); before it, tools put license files elsewhere
    licenses = raw.get("license_files") or unparsed.get("license-file") or []
    for license_file in licenses:
        target = f"{directory}/licenses/{license_file.strip()}"
        if target not in names:
            detail = f"License-File {license_file.strip()} does not exist in distribution file {filename} at {target}"
            found.append(finding("missing-license-file", target, detail))
    return found


_LICENSE_FILE_SINCE: Final = Version("2.4")


def _metadata_version(value: object) -> Version:
    """The ``Metadata-Version`` as a version (``0`` when absent or not a version)."""
    try:
        return Version(value) if isinstance(value, str) else Version("0")
    except InvalidVersion:
        return Version("0")


def _entry_points_problem(data: bytes) -> str:
    """Why ``entry_points.txt`` ``data`` is invalid for PyPI, or ``""`` (warehouse utils/wheel.py
    ``validate_entrypoints``): UTF-8, an INI file with ``=`` as the only delimiter and case-sensitive keys
    (the entry points specification), and ``console_scripts``/``gui_scripts`` names of ``[\\w.-]+``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "entry_points.txt is not decodable as UTF-8"
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error as error:
        return f"entry_points.txt is not a valid INI file: {error!r}"
    for section in ("console_scripts", "gui_scripts"):
        if parser.has_section(section):
            for name in parser[section]:
                if _ENTRY_POINT_NAME.fullmatch(name) is None:
                    return f"Invalid entry point name {name!r} in {section!r}"
    return ""


def local_version_problem(version: Version) -> str:
    """PyPI's message for a ``version`` with a local part (``1.0+abc``), or ``""`` (warehouse
    forklift/metadata.py ``_validate_metadata``: "We don't allow the use of the local version field")."""
    if version.local:
        return f"The use of local versions in '{version}' is not allowed."
    return ""


def sdist_filename_problem(filename: str, name: str, version: str) -> str:
    """PyPI's message when the sdist file name is not ``{normalized_name}-{version}.tar.gz``, or ``""``.

    ``name`` and ``version`` are PKG-INFO's (``version`` a valid PEP 440 version). Follows warehouse
    ``file_upload``'s PEP 625 check: the expected name is ``canonicalize_name(name)`` with ``-`` as ``_``,
    then ``str(Version(version))``, and the file name must be exactly that.
    """
    expected = f"{canonicalize_name(name).replace('-', '_')}-{Version(version)}.tar.gz"
    if filename != expected:
        return f"Filename {filename!r} is invalid, should be {expected!r}."
    return ""


def check_polyglot(path: str, kind: str) -> list[Finding]:
    """``zip-and-tar`` when the file at ``path`` reads both as a zip and as a tar (warehouse ``_is_valid_dist_file``:
    ``zipfile.is_zipfile`` and ``tarfile.is_tarfile`` both true).

    ``kind`` is ``"sdist"`` (a ``.tar.gz``: is there a zip end record in its last 64 KiB, as ``zipfile``
    looks for one?) or ``"wheel"`` (is its first 512-byte block a tar header with a valid checksum, what
    ``tarfile`` accepts as a plain tar?). Reads at most those bytes; never raises for damaged input.
    """
    try:
        with open_input(path) as stream:  # never blocks on a FIFO swapped in
            if kind == "sdist":
                polyglot = zipfile.is_zipfile(stream)
            else:
                block = stream.read(tarfile.BLOCKSIZE)
                polyglot = len(block) == tarfile.BLOCKSIZE and _tar_header(block)
    except (OSError, InputError):
        return []
    return [finding("zip-and-tar", "", "File is both a zip and a tar file")] if polyglot else []


def _tar_header(block: bytes) -> bool:
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except (tarfile.HeaderError, ValueError, UnicodeError):
        return False
    return True
