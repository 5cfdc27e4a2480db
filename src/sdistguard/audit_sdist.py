"""The sdist's own metadata: ``PKG-INFO`` (PEP 643), its names (PEP 625) and license files (PEP 639).

Input is what the tar reader kept: the top-level ``PKG-INFO`` bytes (at most :data:`PKG_INFO_LIMIT`
+ 1), the top-level directory's name and the member paths. Nothing here reads the archive.
"""

from __future__ import annotations

import email.parser
import os
from collections.abc import Container
from typing import Final

from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion, Version

from sdistguard.audit_base import MiB
from sdistguard.rules import Finding, finding

__all__ = ["PKG_INFO_LIMIT", "check_sdist_metadata", "project_name"]

PKG_INFO_LIMIT: Final = MiB
"""``PKG-INFO`` larger than this is not parsed (SG520)."""


def project_name(pkg_info: bytes | None, top: str | None) -> str | None:
    """The project's name from ``PKG-INFO``, else from the top-level directory ``{name}-{version}``."""
    if pkg_info and len(pkg_info) <= PKG_INFO_LIMIT:
        name = _parse_pkg_info(pkg_info).get("name", [""])[0]
        if name:
            return name
    return top.rsplit("-", 1)[0] if top else None


def check_sdist_metadata(
    filename: str, pkg_info: bytes | None, top: str | None, members: Container[str]
) -> list[Finding]:
    """Check an sdist's metadata; return the findings (SG520-SG524), unsorted.

    ``filename`` is the archive's path (its base name is checked, PEP 625); ``pkg_info`` the
    top-level ``PKG-INFO`` or ``None`` when there is none; ``top`` the top-level directory;
    ``members`` the member paths below it (for ``License-File``, PEP 639).
    """
    if pkg_info is None:
        return [finding("pkg-info", "PKG-INFO", "no PKG-INFO in the top-level directory")]
    if len(pkg_info) > PKG_INFO_LIMIT:
        return [finding("pkg-info", "PKG-INFO", f"larger than {PKG_INFO_LIMIT} bytes; not read")]
    fields = _parse_pkg_info(pkg_info)
    found = _metadata_version(fields)
    name, version = fields.get("name", [""])[0], fields.get("version", [""])[0]
    if not name or not version:
        return [*found, finding("pkg-info", "PKG-INFO", "no Name or no Version field")]
    try:
        Version(version)
    except InvalidVersion:
        return [*found, finding("pkg-info", "PKG-INFO", f"Version {version!r} is not a PEP 440 version")]
    normalized = canonicalize_version(version, strip_trailing_zero=False)
    stem = f"{canonicalize_name(name).replace('-', '_')}-{normalized}"
    base = os.path.basename(filename)
    if base != f"{stem}.tar.gz":
        found.append(finding("sdist-filename", "", f"named {base}, expected {stem}.tar.gz"))
    if top is not None and top != stem:
        found.append(finding("top-level-name", "", f"top-level directory {top}/, expected {stem}/"))
    for license_file in fields.get("license-file", []):
        if license_file not in members:
            found.append(finding("missing-license-file", license_file, "named in PKG-INFO License-File"))
    return found


def _parse_pkg_info(data: bytes) -> dict[str, list[str]]:
    """Parse core metadata headers (RFC 822 style) into ``{lowercase name: [values]}``."""
    message = email.parser.Parser().parsestr(data.decode("utf-8", "surrogateescape"), headersonly=True)
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key.lower(), []).append(str(value).strip())
    return fields


def _metadata_version(fields: dict[str, list[str]]) -> list[Finding]:
    """SG520 for a ``Metadata-Version`` that is no version, SG521 for one older than 2.2 (PEP 643)."""
    text = fields.get("metadata-version", [""])[0]
    try:
        version = Version(text)
    except InvalidVersion:
        return [finding("pkg-info", "PKG-INFO", f"Metadata-Version {text!r} is not a version")]
    if version < Version("2.2"):
        return [finding("metadata-version", "PKG-INFO", f"Metadata-Version {text}")]
    return []
