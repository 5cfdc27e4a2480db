"""``sdistguard check``: audit a built sdist or wheel from any backend, or a project directory.

Archives are hostile input. Nothing is ever extracted: an sdist is read as one gzip stream
(``tarfile`` stream mode, one member at a time, member data skipped unread except for the few small
files the checks need); a wheel's central directory is read by ``zipfile`` and each member is
streamed once, to verify ``RECORD``. Memory and time are bounded by :class:`Limits`; when a limit is
hit the audit stops with an ``SG590`` finding instead of running on.

The checks follow what installers refuse (PEP 706's ``data`` filter, pip, uv), the sdist format
(PEP 625 names, PEP 643 ``Metadata-Version``, PEP 639 license files, PEP 721) and the wheel format
(``RECORD``). Codes are the backend's own (:data:`sdistguard.rules.RULES`) wherever one fits.

Public entry points: :func:`audit` (findings only) and :func:`audit_report` (findings, counts and
the size summary).
"""

from __future__ import annotations

import base64
import bisect
import csv
import email.parser
import gzip
import hashlib
import io
import os
import posixpath
import re
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Final, Protocol

from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion, Version

from sdistguard.errors import InputError, SdistguardError
from sdistguard.rules import CACHEDIR_SIGNATURE, RULE_BY_NAME, Finding, unportable_reason

__all__ = ["AuditResult", "DirectorySize", "Limits", "audit", "audit_report"]

_MiB: Final = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one audit may do; each one hit yields an ``SG590`` finding.

    ``max_members``: archive members examined. ``max_bytes``: uncompressed bytes read from an sdist's
    stream, or bytes hashed in a wheel. ``max_name_bytes``: bytes of member names kept in memory (for
    duplicates and link targets). ``max_header_bytes``: size of one tar extended header (PAX, GNU
    long name); a larger one stops the audit before it is read into memory.
    """

    max_members: int = 200_000
    max_bytes: int = 2 * 1024 * _MiB
    max_name_bytes: int = 64 * _MiB
    max_header_bytes: int = 16 * 1024


@dataclass(frozen=True)
class DirectorySize:
    """Total ``files`` and ``size`` (bytes, as stored) below one directory ``path`` (ends with ``/``)."""

    path: str
    files: int
    size: int


@dataclass
class AuditResult:
    """What :func:`audit_report` found in one input.

    ``path`` is the input as given; ``kind`` is ``"sdist"``, ``"wheel"`` or ``"directory"``.
    ``members`` and ``size`` count the archive members examined and their stored bytes (0 for a
    directory). ``largest`` lists the largest directories (up to three levels deep below the top-level
    directory), largest first. Finding paths are relative to the sdist's top-level directory, the
    wheel's root or the project directory. ``error`` is set (and nothing else) by callers that
    report an input that could not be read at all.
    """

    path: str
    kind: str
    findings: list[Finding] = field(default_factory=list)
    members: int = 0
    size: int = 0
    largest: list[DirectorySize] = field(default_factory=list)
    error: str | None = None


def audit(path: str | os.PathLike[str], *, limits: Limits | None = None) -> list[Finding]:
    """Audit an sdist (``.tar.gz``), a wheel (``.whl``) or a project directory; return the findings.

    Findings are sorted by path, then code. Raises :class:`~sdistguard.errors.InputError` when
    ``path`` is missing, of another kind, or unreadable from its first bytes on. Damage found later
    is a finding (``SG591``), so what was read before it is still reported.
    """
    return audit_report(path, limits=limits).findings


def audit_report(path: str | os.PathLike[str], *, limits: Limits | None = None) -> AuditResult:
    """Like :func:`audit`, with member counts and the size summary (:class:`AuditResult`)."""
    text = os.fspath(path)
    limits = limits or Limits()
    if os.path.isdir(text):
        return _audit_directory(text)
    if not os.path.exists(text):
        raise InputError(f"{text}: no such file or directory")
    lower = os.path.basename(text).lower()
    if lower.endswith(".whl"):
        return _audit_wheel(text, limits)
    if lower.endswith((".tar.gz", ".tgz")):
        return _audit_sdist(text, limits)
    raise InputError(f"{text}: not an sdist (.tar.gz), a wheel (.whl) or a project directory")


# --------------------------------------------------------------------------- directories


def _audit_directory(root: str) -> AuditResult:
    """Ask the backend what it would leave out of ``root`` and why, without building."""
    try:
        from sdistguard.builders import preview_findings
    except ImportError as error:
        raise InputError(
            f"{root}: auditing a project directory needs sdistguard.builders.preview_findings ({error})"
        ) from None
    if not os.path.isfile(os.path.join(root, "pyproject.toml")):
        raise InputError(f"{root}: a project directory needs a pyproject.toml")
    try:
        findings = sorted(preview_findings(root), key=_sort_key)
    except SdistguardError:
        raise
    except Exception as error:  # hatchling's own errors for a project it cannot read
        raise InputError(f"{root}: hatchling cannot read this project: {_describe(error)}") from None
    return AuditResult(path=root, kind="directory", findings=findings)


# --------------------------------------------------------------------------- the collector

_CACHE_NAMES: Final = frozenset(
    {
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".hypothesis",
        ".tox",
        ".nox",
        ".uv-cache",
        ".pytype",
        ".pyre",
        ".dmypy",
        ".pixi",
    }
)
_VCS_NAMES: Final = frozenset({".git", ".hg", ".svn", ".bzr"})
_ACTIVATE_SCRIPTS: Final = frozenset(
    {
        "activate",
        "activate.bat",
        "Activate.ps1",
        "activate.fish",
        "activate.csh",
    }
)
_PYTHON_LIB: Final = re.compile(r"(python|pypy)\d+(\.\d+)?t?\Z")
_UV_BUCKET: Final = re.compile(
    r"(archive|wheels|sdists|simple|built-wheels|builds|interpreter|environments|flat-index)-v\d+\Z"
)
_WINDOWS_DRIVE: Final = re.compile(r"[A-Za-z]:[/\\]")
# Which junk wins when one directory is found twice, and which evidence is the strongest.
_RULE_PRIORITY: Final = {"venv": 0, "conda-env": 0, "cache-dir": 1, "vcs-dir": 2, "bytecode": 3, "foreign-egg-info": 4}
_MARKER_FILES: Final = ("pyvenv.cfg", "CACHEDIR.TAG")
_SUMMARY_DEPTH: Final = 3
_SUMMARY_ENTRIES: Final = 10


class _Stop(Exception):
    """A limit was reached; ``str()`` says which (becomes an SG590 finding)."""


def _finding(name: str, path: str, detail: str = "", files: int = 0, size: int = 0) -> Finding:
    return Finding(RULE_BY_NAME[name].code, path, detail, files, size)


def _sort_key(item: Finding) -> tuple[str, str]:
    return (item.path, item.code)


@dataclass
class _Root:
    """A junk directory (or file) found while streaming: its rule and the evidence seen."""

    rule: str
    evidence: str


def junk_root(parts: list[str], is_dir: bool, head: bytes = b"") -> tuple[int, str, str] | None:
    """Tell whether a member lies in a venv, conda env, cache, VCS dir, bytecode or egg-info.

    ``parts`` are the member's path components below the top-level directory; ``is_dir`` says the
    member is a directory; ``head`` holds the first bytes of a ``CACHEDIR.TAG`` member. Returns
    ``(depth, rule name, evidence)`` for the shallowest match, where ``parts[:depth]`` is the junk
    root, or ``None``. A venv is known by ``pyvenv.cfg`` (PEP 405) or, since leaked venvs rarely keep
    it, by its layout: ``lib/pythonX.Y/site-packages``, ``Lib/site-packages``, ``bin/activate``.
    """
    dirs = parts if is_dir else parts[:-1]
    found: list[tuple[int, str, str]] = []
    if not is_dir and parts:
        found.extend(_file_marker(parts, dirs, head))
    for index, name in enumerate(dirs):
        match = _directory_marker(dirs, index, name)
        if match is not None:
            found.append(match)
    return min(found, key=lambda item: (item[0], _RULE_PRIORITY[item[1]])) if found else None


def _file_marker(parts: list[str], dirs: list[str], head: bytes) -> list[tuple[int, str, str]]:
    last, depth = parts[-1], len(parts) - 1
    if last == "pyvenv.cfg":
        return [(depth, "venv", "pyvenv.cfg")]
    if last == "CACHEDIR.TAG" and head.startswith(CACHEDIR_SIGNATURE):
        return [(depth, "cache-dir", "CACHEDIR.TAG")]
    if depth >= 1 and dirs[-1] in ("bin", "Scripts") and last in _ACTIVATE_SCRIPTS:
        return [(depth - 1, "venv", f"layout: {dirs[-1]}/{last}, pyvenv.cfg missing")]
    if last.endswith((".pyc", ".pyo")) and "__pycache__" not in dirs:
        return [(len(parts), "bytecode", "compiled file")]
    return []


def _directory_marker(dirs: list[str], index: int, name: str) -> tuple[int, str, str] | None:
    following = dirs[index + 1 : index + 3]
    if (
        name in ("lib", "lib64")
        and len(following) == 2
        and _PYTHON_LIB.match(following[0])
        and following[1] == "site-packages"
    ):
        return (index, "venv", f"layout: {name}/{following[0]}/site-packages/, pyvenv.cfg missing")
    if name == "Lib" and following[:1] == ["site-packages"]:
        return (index, "venv", "layout: Lib/site-packages/, pyvenv.cfg missing")
    if name == "conda-meta":
        return (index, "conda-env", "conda-meta/")
    if name in _CACHE_NAMES:
        return (index + 1, "cache-dir", f"well-known cache directory {name}")
    if index >= 1 and _UV_BUCKET.match(name):
        return (index, "cache-dir", f"uv cache layout: {name}/")
    if name == "__pycache__":
        return (index + 1, "bytecode", "__pycache__")
    if name in _VCS_NAMES:
        return (index + 1, "vcs-dir", name)
    if name.endswith(".egg-info"):
        return (index + 1, "foreign-egg-info", name)
    return None


class _Collector:
    """Receives archive members one at a time and turns them into findings.

    ``sdist`` selects the sdist rules (one top-level directory, paths reported below it); for a
    wheel, paths are relative to the archive root. Keeps only names and sizes (bounded by
    :class:`Limits`), never member data beyond the small ``head`` passed in.
    """

    def __init__(self, sdist: bool, limits: Limits) -> None:
        self.sdist = sdist
        self.limits = limits
        self.top: str | None = None
        self.findings: list[Finding] = []
        self.files: dict[str, int] = {}
        self.duplicates: dict[str, int] = {}
        self.links: list[tuple[str, str, str]] = []
        self.roots: dict[str, _Root] = {}
        self.outside: dict[str, list[int]] = {}
        self.dir_sizes: dict[str, list[int]] = {}
        self.pkg_info: bytes | None = None
        self.members = 0
        self.size = 0
        self.name_bytes = 0
        self.stopped = False

    # ---------------------------------------------------------------- intake

    def check_limits(self, name: str, target: str) -> None:
        """Count one member; raise :class:`_Stop` when a member or name limit is passed."""
        self.members += 1
        self.name_bytes += len(name) + len(target)
        if self.members > self.limits.max_members:
            raise _Stop(f"more than {self.limits.max_members} members")
        if self.name_bytes > self.limits.max_name_bytes:
            raise _Stop(f"member names longer than {self.limits.max_name_bytes} bytes in all")

    def add(self, name: str, kind: str, size: int, target: str = "", head: bytes = b"") -> None:
        """Examine one member.

        ``name`` is the member name as stored; ``kind`` one of ``file dir symlink hardlink fifo
        chardev blockdev``; ``size`` the stored size; ``target`` a link's target as stored; ``head``
        the first bytes of ``CACHEDIR.TAG`` or the whole top-level ``PKG-INFO``. Raises
        :class:`_Stop` at a limit.
        """
        self.check_limits(name, target)
        split = self._parts(name, kind == "dir")
        if split is None:
            return
        parts, outside = split
        path = "/".join(parts) + ("/" if kind == "dir" else "")
        reason = unportable_reason("/".join(parts))
        if reason is not None:
            self.findings.append(_finding("unportable-name", path, f"name {reason}"))
        if kind == "dir":
            self._note_junk(parts, True, b"")
            return
        if outside is not None:
            self.outside[outside][0] += 1
            self.outside[outside][1] += size
        self._note_file(path, parts, kind, size, head)
        if kind == "symlink":
            self._note_symlink(path, parts, target)
        elif kind == "hardlink":
            self._note_hardlink(path, target)
        elif kind in ("fifo", "chardev", "blockdev"):
            self.findings.append(_finding("special-file", path, _SPECIAL_LABELS[kind]))

    def _parts(self, name: str, is_dir: bool) -> tuple[list[str], str | None] | None:
        """Split a stored name into components below the top-level directory; ``None`` = skip it.

        Returns the components and, for an sdist member outside the single top-level directory,
        the outside entry it belongs to (SG504, one finding per entry, at the end). Reports absolute
        names and ``..`` components (SG501) on the way.
        """
        while name.startswith("./"):
            name = name[2:]
        if name.startswith("/") or _WINDOWS_DRIVE.match(name):
            self.findings.append(_finding("unsafe-path", name, "absolute path"))
            name = name.lstrip("/")
        parts = [part for part in name.split("/") if part not in ("", ".")]
        if ".." in parts:
            self.findings.append(_finding("unsafe-path", name, "'..' component"))
        if not parts:
            return None
        if not self.sdist:
            return parts, None
        if self.top is None and parts[0] != ".." and (len(parts) > 1 or is_dir):
            self.top = parts[0]
        if parts[0] == self.top:
            return (parts[1:], None) if len(parts) > 1 else None
        self.outside.setdefault(parts[0], [0, 0])
        return parts, parts[0]

    def _note_file(self, path: str, parts: list[str], kind: str, size: int, head: bytes) -> None:
        if path in self.files:
            self.duplicates[path] = self.duplicates.get(path, 1) + 1
        self.files[path] = size
        self.size += size
        if self.sdist and path == "PKG-INFO" and kind == "file":
            self.pkg_info = head
        for depth in range(1, min(_SUMMARY_DEPTH, len(parts) - 1) + 1):
            entry = self.dir_sizes.setdefault("/".join(parts[:depth]) + "/", [0, 0])
            entry[0] += 1
            entry[1] += size
        self._note_junk(parts, False, head)

    def _note_junk(self, parts: list[str], is_dir: bool, head: bytes) -> None:
        match = junk_root(parts, is_dir, head)
        if match is None:
            return
        depth, rule, evidence = match
        root = "/".join(parts[:depth])
        if depth < len(parts) or is_dir:
            root = root + "/" if root else "./"
        known = self.roots.get(root)
        if known is None or _stronger(rule, evidence, known):
            self.roots[root] = _Root(rule, evidence)

    def _note_symlink(self, path: str, parts: list[str], target: str) -> None:
        if target.startswith("/") or _WINDOWS_DRIVE.match(target):
            self.findings.append(_finding("external-link", path, f"symlink to absolute path {target}"))
            return
        resolved = posixpath.normpath(posixpath.join(*parts[:-1], target) if len(parts) > 1 else target)
        if resolved == ".." or resolved.startswith("../"):
            where = "the top-level directory" if self.sdist else "the archive"
            self.findings.append(_finding("external-link", path, f"symlink to {target}, outside {where}"))
            return
        self.links.append((path, resolved, target))

    def _note_hardlink(self, path: str, target: str) -> None:
        stored = target
        while target.startswith("./"):
            target = target[2:]
        parts = [part for part in target.split("/") if part not in ("", ".")]
        if target.startswith("/") or ".." in parts:
            detail = f"hard link to {stored}, outside the archive"
            self.findings.append(_finding("external-link", path, detail))
            return
        if self.sdist and parts and parts[0] == self.top:
            parts = parts[1:]
        resolved = "/".join(parts)
        if resolved not in self.files or resolved == path:
            self.findings.append(_finding("missing-link-target", path, f"hard link to {stored}"))
            return
        self.findings.append(_finding("link-member", path, f"hard link to {resolved}"))

    def stop(self, reason: str) -> None:
        """Record that the audit stopped at a limit (SG590)."""
        self.stopped = True
        self.findings.append(_finding("audit-limit", "", f"stopped after {self.members} members: {reason}"))

    def corrupt(self, reason: str) -> None:
        """Record damage found in the stream (SG591)."""
        self.stopped = True
        self.findings.append(_finding("corrupt-archive", "", f"after {self.members} members: {reason}"))

    # ---------------------------------------------------------------- results

    def finish(self, project: str | None) -> list[Finding]:
        """Add the findings that need the whole listing; return every finding, sorted.

        ``project`` is the distribution's own name (its ``*.egg-info`` is not foreign).
        """
        names = sorted(self.files)
        self._finish_links(names)
        self._finish_roots(names, project)
        for path, count in self.duplicates.items():
            self.findings.append(_finding("duplicate-member", path, f"{count} members", files=count))
        for first, (files, size) in self.outside.items():
            detail = f"top-level directory is {self.top}/" if self.top else "no single top-level directory"
            self.findings.append(_finding("outside-top-level", first, detail, files=files, size=size))
        return sorted(self.findings, key=_sort_key)

    def _finish_links(self, names: list[str]) -> None:
        for path, resolved, target in self.links:
            exists = resolved in self.files or _has_prefix(names, resolved + "/") or resolved == "."
            if target and exists:
                self.findings.append(_finding("link-member", path, f"symlink to {target}"))
            else:
                detail = f"symlink to {target}, not in the archive"
                self.findings.append(_finding("dangling-link", path, detail))

    def _finish_roots(self, names: list[str], project: str | None) -> None:
        own = canonicalize_name(project) if project else None
        roots = {
            root: found
            for root, found in self.roots.items()
            if not (found.rule == "foreign-egg-info" and _egg_info_name(root) == own)
        }
        kept: list[str] = []
        for root in sorted(roots):
            if any(_contains(outer, root) for outer in kept):
                continue
            kept.append(root)
            files, size = self._count(names, root)
            found = roots[root]
            self.findings.append(_finding(found.rule, root, found.evidence, files=files, size=size))

    def _count(self, names: list[str], root: str) -> tuple[int, int]:
        if root == "./":
            return len(names), sum(self.files.values())
        if not root.endswith("/"):
            return 1, self.files.get(root, 0)
        start = bisect.bisect_left(names, root)
        end = bisect.bisect_left(names, root + "\U0010ffff")
        return end - start, sum(self.files[name] for name in names[start:end])

    def largest(self) -> list[DirectorySize]:
        """The largest directories by bytes (then by name), at most ten."""
        ranked = sorted(self.dir_sizes.items(), key=lambda item: (-item[1][1], item[0]))
        return [DirectorySize(path, files, size) for path, (files, size) in ranked[:_SUMMARY_ENTRIES]]


_SPECIAL_LABELS: Final = {"fifo": "FIFO", "chardev": "character device", "blockdev": "block device"}


def _stronger(rule: str, evidence: str, known: _Root) -> bool:
    if _RULE_PRIORITY[rule] != _RULE_PRIORITY[known.rule]:
        return _RULE_PRIORITY[rule] < _RULE_PRIORITY[known.rule]
    return evidence in _MARKER_FILES and known.evidence not in _MARKER_FILES


def _contains(outer: str, inner: str) -> bool:
    return outer == "./" or (outer.endswith("/") and inner.startswith(outer))


def _has_prefix(names: list[str], prefix: str) -> bool:
    index = bisect.bisect_left(names, prefix)
    return index < len(names) and names[index].startswith(prefix)


def _egg_info_name(root: str) -> str:
    stem = root.rstrip("/").rsplit("/", 1)[-1].removesuffix(".egg-info")
    return canonicalize_name(stem.split("-", 1)[0])


# --------------------------------------------------------------------------- sdists

_HEADER_TYPES: Final = (
    tarfile.XHDTYPE,
    tarfile.XGLTYPE,
    tarfile.SOLARIS_XHDTYPE,
    tarfile.GNUTYPE_LONGNAME,
    tarfile.GNUTYPE_LONGLINK,
)
_PKG_INFO_LIMIT: Final = _MiB
_EMPTY_READS: Final = 16


class _HeaderTooLarge(_Stop):
    """An extended header declared more bytes than :attr:`Limits.max_header_bytes`."""


def _bounded_tarinfo(max_header: int) -> type[tarfile.TarInfo]:
    """A ``TarInfo`` class that refuses extended headers larger than ``max_header`` bytes.

    ``tarfile`` reads a PAX or GNU long-name header's whole declared size into memory (and parses
    PAX records with a regular expression); this check runs on the 512-byte header block first.
    """

    class BoundedTarInfo(tarfile.TarInfo):
        @classmethod
        def frombuf(cls, buf: bytes | bytearray, encoding: str, errors: str) -> BoundedTarInfo:
            info = super().frombuf(buf, encoding, errors)
            if info.type in _HEADER_TYPES and info.size > max_header:
                raise _HeaderTooLarge(f"an extended tar header of {info.size} bytes (limit {max_header})")
            return info

    return BoundedTarInfo


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _BoundedReader:
    """A read-only stream over ``source`` that raises :class:`_Stop` past ``limit`` bytes.

    It also ends loops over a truncated stream: after a few reads at end of data it raises
    ``EOFError`` (``tarfile`` would otherwise skip a huge declared member size block by block).
    """

    def __init__(self, source: _Readable, limit: int) -> None:
        self.source = source
        self.limit = limit
        self.count = 0
        self.empty_reads = 0

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (all that is left when negative, within the limit)."""
        room = self.limit + 1 - self.count
        data = self.source.read(room if size < 0 else min(size, room))
        self.count += len(data)
        if self.count > self.limit:
            raise _Stop(f"more than {self.limit} uncompressed bytes")
        if not data and size != 0:
            self.empty_reads += 1
            if self.empty_reads > _EMPTY_READS:
                raise EOFError("unexpected end of data")
        return data


_STREAM_ERRORS: Final = (
    tarfile.TarError,
    OSError,
    EOFError,
    zlib.error,
    ValueError,
    UnicodeError,
    OverflowError,
    struct.error,
)


def _audit_sdist(path: str, limits: Limits) -> AuditResult:
    """Stream the gzip-compressed tar at ``path`` once; see :func:`audit` for what is checked."""
    collector = _Collector(sdist=True, limits=limits)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    with raw, gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
        stream = _BoundedReader(unzipped, limits.max_bytes)
        try:
            archive = tarfile.open(  # noqa: SIM115 - closed by _read_members
                fileobj=stream,
                mode="r|",  # type: ignore[call-overload]
                tarinfo=_bounded_tarinfo(limits.max_header_bytes),
            )
        except _Stop as stop:
            collector.stop(str(stop))
        except _STREAM_ERRORS as error:
            raise InputError(f"{path}: not a gzip-compressed tar archive ({_describe(error)})") from None
        else:
            _read_members(archive, collector)
    findings = collector.finish(_pkg_info_name(collector.pkg_info) or _name_from_top(collector.top))
    if not collector.stopped:
        findings = sorted([*findings, *_sdist_metadata(path, collector)], key=_sort_key)
    return AuditResult(path, "sdist", findings, collector.members, collector.size, collector.largest())


def _read_members(archive: tarfile.TarFile, collector: _Collector) -> None:
    """Feed every member of the open stream to ``collector``; limits and damage become findings."""
    try:
        while (info := archive.next()) is not None:
            head = _read_head(archive, info)
            collector.add(info.name, _tar_kind(info), max(info.size, 0), info.linkname, head)
            _forget_members(archive)
    except _Stop as stop:
        collector.stop(str(stop))
    except _STREAM_ERRORS as error:
        collector.corrupt(_describe(error))


def _forget_members(archive: tarfile.TarFile) -> None:
    """Drop the ``TarInfo`` objects ``tarfile`` keeps for every member read (memory stays flat)."""
    members = getattr(archive, "members", None)
    if isinstance(members, list):
        members.clear()


def _read_head(archive: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    """Read the few member contents the checks need: ``CACHEDIR.TAG`` and ``PKG-INFO``."""
    base = posixpath.basename(info.name)
    if not info.isreg() or base not in ("CACHEDIR.TAG", "PKG-INFO"):
        return b""
    wanted = len(CACHEDIR_SIGNATURE) if base == "CACHEDIR.TAG" else _PKG_INFO_LIMIT + 1
    member = archive.extractfile(info)
    return member.read(wanted) if member is not None else b""


def _tar_kind(info: tarfile.TarInfo) -> str:
    if info.isdir():
        return "dir"
    if info.issym():
        return "symlink"
    if info.islnk():
        return "hardlink"
    if info.isfifo():
        return "fifo"
    if info.ischr():
        return "chardev"
    if info.isblk():
        return "blockdev"
    return "file"  # regular, contiguous, sparse, and unknown types (read as regular by tarfile)


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _parse_pkg_info(data: bytes) -> dict[str, list[str]]:
    """Parse core metadata headers (RFC 822 style) into ``{lowercase name: [values]}``."""
    message = email.parser.Parser().parsestr(data.decode("utf-8", "surrogateescape"), headersonly=True)
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key.lower(), []).append(str(value).strip())
    return fields


def _pkg_info_name(data: bytes | None) -> str | None:
    if not data or len(data) > _PKG_INFO_LIMIT:
        return None
    names = _parse_pkg_info(data).get("name")
    return names[0] if names else None


def _name_from_top(top: str | None) -> str | None:
    """The project name from a top-level directory ``{name}-{version}`` (the version has no ``-``)."""
    return top.rsplit("-", 1)[0] if top else None


def _sdist_metadata(path: str, collector: _Collector) -> list[Finding]:
    """Check ``PKG-INFO`` (PEP 643), the names (PEP 625) and license files (PEP 639)."""
    data = collector.pkg_info
    if data is None:
        return [_finding("pkg-info", "PKG-INFO", "no PKG-INFO in the top-level directory")]
    if len(data) > _PKG_INFO_LIMIT:
        return [_finding("pkg-info", "PKG-INFO", f"larger than {_PKG_INFO_LIMIT} bytes; not read")]
    fields = _parse_pkg_info(data)
    found = _metadata_version(fields)
    name, version = fields.get("name", [""])[0], fields.get("version", [""])[0]
    if not name or not version:
        return [*found, _finding("pkg-info", "PKG-INFO", "no Name or no Version field")]
    try:
        Version(version)
    except InvalidVersion:
        return [*found, _finding("pkg-info", "PKG-INFO", f"Version {version!r} is not a PEP 440 version")]
    normalized = canonicalize_version(version, strip_trailing_zero=False)
    stem = f"{canonicalize_name(name).replace('-', '_')}-{normalized}"
    base = os.path.basename(path)
    if base != f"{stem}.tar.gz":
        found.append(_finding("sdist-filename", "", f"named {base}, expected {stem}.tar.gz"))
    if collector.top is not None and collector.top != stem:
        found.append(_finding("top-level-name", "", f"top-level directory {collector.top}/, expected {stem}/"))
    for license_file in fields.get("license-file", []):
        if license_file not in collector.files:
            found.append(_finding("missing-license-file", license_file, "named in PKG-INFO License-File"))
    return found


def _metadata_version(fields: dict[str, list[str]]) -> list[Finding]:
    text = fields.get("metadata-version", [""])[0]
    try:
        version = Version(text)
    except InvalidVersion:
        return [_finding("pkg-info", "PKG-INFO", f"Metadata-Version {text!r} is not a version")]
    if version < Version("2.2"):
        return [_finding("metadata-version", "PKG-INFO", f"Metadata-Version {text}")]
    return []


# --------------------------------------------------------------------------- wheels

_ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    struct.error,
    UnicodeError,
    OverflowError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    KeyError,
)
_CHUNK: Final = 64 * 1024
_RECORD_LIMIT: Final = 64 * _MiB
_SIGNATURES: Final = ("RECORD", "RECORD.jws", "RECORD.p7s")
_ALLOWED_HASHES: Final = frozenset(hashlib.algorithms_guaranteed) - {"md5", "sha1"}


def _audit_wheel(path: str, limits: Limits) -> AuditResult:
    """Read the wheel's central directory, check every name, and verify RECORD member by member."""
    collector = _Collector(sdist=False, limits=limits)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    with raw:
        too_many = _central_directory_too_large(raw, limits)
        if too_many:
            collector.stop(too_many)
            return AuditResult(path, "wheel", collector.finish(None))
        try:
            archive = zipfile.ZipFile(raw)
        except _ZIP_ERRORS as error:
            raise InputError(f"{path}: not a zip archive ({_describe(error)})") from None
        with archive:
            project = _check_wheel(path, archive, collector)
    findings = collector.finish(project)
    return AuditResult(path, "wheel", findings, collector.members, collector.size, collector.largest())


def _central_directory_too_large(raw: IO[bytes], limits: Limits) -> str | None:
    """Read the end-of-central-directory record; say why the listing is too large to load, if so.

    ``zipfile`` builds one object per entry of the central directory; a hostile one declaring
    millions of entries is refused before that.
    """
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:
        return None
    try:
        record = end_record(raw)
        raw.seek(0)
    except _ZIP_ERRORS:
        return None  # zipfile itself will say what is wrong
    if not record:
        return None
    entries, size = int(record[4]), int(record[5])
    if entries > limits.max_members:
        return f"the central directory lists {entries} members (limit {limits.max_members})"
    if size > limits.max_name_bytes + 100 * limits.max_members:
        return f"the central directory takes {size} bytes"
    return None


class _Record:
    """A wheel's RECORD: ``{path: (hash, size)}``, parsed with bounds."""

    def __init__(self, location: str | None, rows: dict[str, tuple[str, str]], problem: str = "") -> None:
        self.location = location
        self.rows = rows
        self.problem = problem


def _check_wheel(path: str, archive: zipfile.ZipFile, collector: _Collector) -> str | None:
    """Check every member of an open wheel; return the project name (from ``*.dist-info``)."""
    infos = archive.infolist()
    record = _read_record(path, archive, infos, collector)
    seen: set[str] = set()
    verifier = _Verifier(archive, collector, record)
    try:
        for info in infos:
            kind = _zip_kind(info)
            target = _zip_link_target(archive, info) if kind == "symlink" else ""
            collector.add(info.filename, kind, info.file_size, target)
            if not info.flag_bits & 0x800 and not info.filename.isascii():
                collector.findings.append(
                    _finding("unportable-name", info.filename, "name is not marked as UTF-8 (read as cp437)")
                )
            if kind != "dir":
                seen.add(info.filename)
                verifier.verify(info)
    except _Stop as stop:
        collector.stop(str(stop))
    if record.location is not None and not collector.stopped:
        for missing in sorted(set(record.rows) - seen):
            detail = "listed in RECORD, not in the wheel"
            collector.findings.append(_finding("record-mismatch", missing, detail))
    return _dist_info_name(record.location)


def _zip_kind(info: zipfile.ZipInfo) -> str:
    if info.is_dir():
        return "dir"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode):
        return "chardev"
    if stat.S_ISBLK(mode):
        return "blockdev"
    return "file"


def _zip_link_target(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    """A zip symlink stores its target as the member's data (Info-ZIP convention)."""
    try:
        with archive.open(info) as member:
            return member.read(4096).decode("utf-8", "surrogateescape")
    except _ZIP_ERRORS:
        return ""


def _dist_info_name(location: str | None) -> str | None:
    if location is None:
        return None
    return location.split("/", 1)[0].removesuffix(".dist-info").split("-", 1)[0]


def _read_record(path: str, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], collector: _Collector) -> _Record:
    """Find and parse ``{name}-{version}.dist-info/RECORD``; problems become findings."""
    candidates = [info for info in infos if re.fullmatch(r"[^/]+\.dist-info/RECORD", info.filename)]
    if not candidates:
        collector.findings.append(_finding("missing-record", "", "no *.dist-info/RECORD in the wheel"))
        return _Record(None, {})
    stem = os.path.basename(path).split("-", 2)
    wanted = f"{stem[0]}-{stem[1]}.dist-info/RECORD" if len(stem) > 2 else ""
    info = next((item for item in candidates if item.filename == wanted), candidates[0])
    if info.file_size > _RECORD_LIMIT:
        collector.findings.append(_finding("record-mismatch", info.filename, "RECORD too large; not read"))
        return _Record(info.filename, {}, "too large")
    try:
        with archive.open(info) as member:
            text = member.read(_RECORD_LIMIT + 1).decode("utf-8")
    except (*_ZIP_ERRORS, UnicodeDecodeError) as error:
        detail = f"unreadable: {_describe(error)}"
        collector.findings.append(_finding("record-mismatch", info.filename, detail))
        return _Record(info.filename, {}, "unreadable")
    return _Record(info.filename, _record_rows(text, collector))


def _record_rows(text: str, collector: _Collector) -> dict[str, tuple[str, str]]:
    rows: dict[str, tuple[str, str]] = {}
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if not row:
                continue
            if len(rows) >= collector.limits.max_members:
                raise _Stop(f"RECORD lists more than {collector.limits.max_members} files")
            padded = [*row, "", ""]
            rows[padded[0]] = (padded[1], padded[2])
    except csv.Error as error:
        collector.findings.append(_finding("record-mismatch", "", f"RECORD is not valid CSV: {error}"))
    except _Stop as stop:
        collector.stop(str(stop))
    return rows


class _Verifier:
    """Hashes each wheel member once and compares it with its RECORD row (SG531)."""

    def __init__(self, archive: zipfile.ZipFile, collector: _Collector, record: _Record) -> None:
        self.archive = archive
        self.collector = collector
        self.record = record
        self.hashed = 0
        self.capped = False

    def verify(self, info: zipfile.ZipInfo) -> None:
        """Check one file member against RECORD; damage is SG591, limits SG590."""
        name = info.filename
        if self.record.location is None or self.record.problem:
            return
        if posixpath.basename(name) in _SIGNATURES and (
            posixpath.dirname(name) == posixpath.dirname(self.record.location)
        ):
            return
        row = self.record.rows.get(name)
        if row is None:
            self.collector.findings.append(_finding("record-mismatch", name, "not listed in RECORD"))
            return
        if self.capped:
            return
        self._compare(info, *row)

    def _compare(self, info: zipfile.ZipInfo, expected_hash: str, expected_size: str) -> None:
        algorithm, _, digest = expected_hash.partition("=")
        if expected_hash and algorithm not in _ALLOWED_HASHES:
            self._mismatch(info.filename, f"hash algorithm {algorithm!r} is not allowed")
            return
        hasher = hashlib.new(algorithm or "sha256")
        size = self._stream(info, hasher)
        if size is None:
            return
        if expected_size and expected_size != str(size):
            self._mismatch(info.filename, f"size {size}, RECORD says {expected_size}")
        if not expected_hash:
            self._mismatch(info.filename, "no hash in RECORD")
        elif base64.urlsafe_b64encode(hasher.digest()).rstrip(b"=").decode() != digest:
            self._mismatch(info.filename, f"{algorithm} hash differs from RECORD")

    def _stream(self, info: zipfile.ZipInfo, hasher: hashlib._Hash) -> int | None:
        size = 0
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    self.hashed += len(chunk)
                    if self.hashed > self.collector.limits.max_bytes:
                        self.capped = True
                        self.collector.findings.append(
                            _finding(
                                "audit-limit",
                                info.filename,
                                f"hashed more than {self.collector.limits.max_bytes} bytes; "
                                "this and later members not verified",
                            )
                        )
                        return None
                    hasher.update(chunk)
        except _ZIP_ERRORS as error:
            self.collector.findings.append(_finding("corrupt-archive", info.filename, _describe(error)))
            return None
        return size

    def _mismatch(self, path: str, detail: str) -> None:
        self.collector.findings.append(_finding("record-mismatch", path, detail))


def codes_in(findings: Iterable[Finding]) -> list[str]:
    """The codes of ``findings``, sorted (a helper for tests and summaries)."""
    return sorted(item.code for item in findings)
