"""sdists and wheels written member by member with tarfile and zipfile, for the auditor's tests.

``member`` and ``sdist`` make a PAX gzip tar with exactly the members given (names, types, link targets as
given, nothing normalised); ``write_wheel`` a wheel whose RECORD lists every file with its sha256 and size
(PEP 376/427's ``name,sha256=<urlsafe-b64, no padding>,size``), unless told to leave it out or tamper.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

PKG_INFO = b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"


def member(
    name: str, data: bytes = b"", *, kind: bytes = tarfile.REGTYPE, link: str = ""
) -> tuple[tarfile.TarInfo, bytes]:
    """One tar member: a TarInfo named ``name`` of type ``kind`` with ``data`` (or a link target)."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if kind in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
    return info, data


def write_tar(path: Path, members: Iterable[tuple[tarfile.TarInfo, bytes]]) -> Path:
    """Write a PAX gzip tar at ``path`` with exactly ``members``, in order; return ``path``."""
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if info.size else None)
    return path


def sdist(
    tmp_path: Path, *extra: tuple[tarfile.TarInfo, bytes], name: str = "demo-1.0", pkg_info: bytes | None = PKG_INFO
) -> Path:
    """A well-formed sdist ``{name}.tar.gz`` with ``pyproject.toml``, ``PKG-INFO`` and ``extra``."""
    members = [member(f"{name}/pyproject.toml", b"[project]\n"), *extra]
    if pkg_info is not None:
        members.append(member(f"{name}/PKG-INFO", pkg_info))
    return write_tar(tmp_path / f"{name}.tar.gz", members)


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def write_wheel(
    path: Path,
    files: dict[str, bytes],
    *,
    record: bool = True,
    tamper: dict[str, bytes] | None = None,
    extra_infos: Iterable[tuple[zipfile.ZipInfo, bytes]] = (),
) -> Path:
    """A wheel with ``files`` and a correct RECORD; ``tamper`` replaces contents after RECORD is made."""
    dist_info = "demo-1.0.dist-info"
    files = {
        f"{dist_info}/METADATA": b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n",
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\n",
        **files,
    }
    lines = "".join(record_line(name, data) for name, data in files.items()) + f"{dist_info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in {**files, **(tamper or {})}.items():
            archive.writestr(name, data)
        for info, data in extra_infos:
            archive.writestr(info, data)
        if record:
            archive.writestr(f"{dist_info}/RECORD", lines)
    return path
