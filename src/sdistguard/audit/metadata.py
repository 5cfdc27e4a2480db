"""An sdist's own metadata: ``PKG-INFO`` (core metadata, PEP 643), its names (PEP 625) and license
files (PEP 639); and the project name every check uses.

``PKG-INFO`` is parsed once, with :func:`packaging.metadata.parse_email`, from the bytes the tar reader
kept (at most :data:`PKG_INFO_LIMIT` + 1). Nothing here reads the archive.
"""

from __future__ import annotations

import os
from collections.abc import Container
from dataclasses import dataclass
from typing import Final

from packaging.metadata import parse_email
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from sdistguard.audit.base import MiB
from sdistguard.audit.pypi import local_version_problem, sdist_filename_problem
from sdistguard.rules import Finding, finding

__all__ = ["PKG_INFO_LIMIT", "PkgInfo", "check_sdist_metadata", "parse_pkg_info", "project_name"]

_NO_PKG_INFO: Final = "no PKG-INFO in the top-level directory"

PKG_INFO_LIMIT: Final = MiB
"""``PKG-INFO`` larger than this (bytes) is not parsed (a ``pkg-info`` finding)."""


@dataclass(frozen=True)
class PkgInfo:
    """The fields of an sdist's top-level ``PKG-INFO`` the checks use, each stripped (``""``: absent).

    ``problem`` is ``""`` when it was parsed, else why not (there is none, it is too large); the
    fields are then empty. A field given twice counts with its first value.
    """

    metadata_version: str = ""
    name: str = ""
    version: str = ""
    license_files: tuple[str, ...] = ()
    problem: str = ""


def parse_pkg_info(data: bytes | None) -> PkgInfo:
    """Parse the top-level ``PKG-INFO`` ``data`` (``None``: there is none) once; never raises.

    Core metadata is RFC 822 style headers (the core metadata spec); :func:`packaging.metadata.parse_email`
    reads them. Values it cannot take as they are (a single-use field repeated, bytes that are not UTF-8)
    are taken from its "unparsed" part, as the first value given.
    """
    if data is None:
        return PkgInfo(problem=_NO_PKG_INFO)
    if len(data) > PKG_INFO_LIMIT:
        return PkgInfo(problem=f"larger than {PKG_INFO_LIMIT} bytes; not read")
    raw, unparsed = parse_email(data)

    def first(key: str, header: str) -> str:
        value = raw.get(key)
        if isinstance(value, str):
            return value.strip()
        return next(iter(unparsed.get(header, [])), "").strip()

    licenses = raw.get("license_files") or unparsed.get("license-file") or []
    return PkgInfo(
        metadata_version=first("metadata_version", "metadata-version"),
        name=first("name", "name"),
        version=first("version", "version"),
        license_files=tuple(value.strip() for value in licenses),
    )


def project_name(declared: str, directory: str | None) -> str | None:
    """The project's name: ``declared`` (``PKG-INFO`` ``Name``) unless empty, else from ``directory``.

    ``directory`` is an sdist's top-level directory ``{name}-{version}`` (PEP 625) or a wheel's
    ``{name}-{version}.dist-info`` (PEP 427); ``None`` when there is neither.
    """
    if declared:
        return declared
    return directory.removesuffix(".dist-info").rsplit("-", 1)[0] if directory else None


def check_sdist_metadata(filename: str, pkg_info: PkgInfo, top: str | None, members: Container[str]) -> list[Finding]:
    """Check an sdist's metadata; return the findings, unsorted.

    ``filename`` is the archive's path (its base name is checked, PEP 625: ``sdist-filename``);
    ``pkg_info`` the parsed top-level ``PKG-INFO`` (:func:`parse_pkg_info`); ``top`` the top-level
    directory (``top-level-name``); ``members`` the member paths below it (``License-File``, PEP 639:
    ``missing-license-file``). ``pkg-info`` and ``metadata-version`` (PEP 643) judge ``PKG-INFO`` itself.
    """
    if pkg_info.problem:
        detail = pkg_info.problem
        if detail == _NO_PKG_INFO:
            detail += f"; PyPI: PKG-INFO not found at {top or '.'}/PKG-INFO"
        return [finding("pkg-info", "PKG-INFO", detail)]
    found = _metadata_version(pkg_info.metadata_version)
    name, version = pkg_info.name, pkg_info.version
    if not name or not version:
        return [*found, finding("pkg-info", "PKG-INFO", "no Name or no Version field")]
    try:
        Version(version)
    except InvalidVersion:
        return [*found, finding("pkg-info", "PKG-INFO", f"Version {version!r} is not a PEP 440 version")]
    local = local_version_problem(Version(version))
    if local:
        found.append(finding("local-version", "PKG-INFO", local))
    stem = f"{canonicalize_name(name).replace('-', '_')}-{Version(version)}"
    base = os.path.basename(filename)
    refused = sdist_filename_problem(base, name, version)
    if refused:
        found.append(finding("sdist-filename", "", refused))
    if top is not None and top != stem:
        found.append(finding("top-level-name", "", f"top-level directory {top}/, expected {stem}/"))
    for license_file in pkg_info.license_files:
        if license_file not in members:
            where = f"{top}/{license_file}" if top else license_file
            detail = (
                f"named in PKG-INFO License-File; PyPI: License-File {license_file} does not exist in "
                f"distribution file {base} at {where}"
            )
            found.append(finding("missing-license-file", license_file, detail))
    return found


def _metadata_version(text: str) -> list[Finding]:
    """``pkg-info`` for a ``Metadata-Version`` that is no version, ``metadata-version`` for one older than
    2.2 (PEP 643: the first version sdists may declare their metadata static)."""
    try:
        version = Version(text)
    except InvalidVersion:
        return [finding("pkg-info", "PKG-INFO", f"Metadata-Version {text!r} is not a version")]
    if version < Version("2.2"):
        return [finding("metadata-version", "PKG-INFO", f"Metadata-Version {text}")]
    return []
