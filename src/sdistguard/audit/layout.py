"""Classifying archive member paths: does a member lie in a venv, a cache, a VCS directory, bytecode?

An archive gives no directory listings, only one member path at a time, so a junk directory is
recognised by what its members' paths show: a marker entry (the ones
:func:`sdistguard.rules.directory_marker` knows: ``pyvenv.cfg``, ``conda-meta/``, a signed
``CACHEDIR.TAG``), a layout (PEP 405 venvs that lost their ``pyvenv.cfg``), or a well-known name.
Pure functions of the path; nothing here reads an archive.
"""

from __future__ import annotations

import functools
import re
from typing import Final, TypeAlias

from sdistguard.rules import CACHEDIR_SIGNATURE, RuleName, directory_junk
from sdistguard.rules.markers import JUNK_PRIORITY

__all__ = ["MARKER_FILES", "is_absolute", "junk_root", "stronger"]

_VCS_NAMES: Final = frozenset({".git", ".hg", ".svn", ".bzr"})
_ACTIVATE_SCRIPTS: Final = frozenset({"activate", "activate.bat", "Activate.ps1", "activate.fish", "activate.csh"})
_PYTHON_LIB: Final = re.compile(r"(python|pypy)\d+(\.\d+)?t?\Z")
_UV_BUCKET: Final = re.compile(
    r"(archive|wheels|sdists|simple|built-wheels|builds|interpreter|environments|flat-index)-v\d+\Z"
)
_WINDOWS_DRIVE: Final = re.compile(r"[A-Za-z]:[/\\]")
# Which junk wins when one directory is found twice: the junk family's order (a rule not named ranks as a cache).
_RULE_PRIORITY: Final[dict[RuleName, int]] = {name: rank for name, rank in JUNK_PRIORITY.items()}

MARKER_FILES: Final = ("pyvenv.cfg", "CACHEDIR.TAG")
"""Evidence stronger than a layout or a name: the marker files themselves."""

Match: TypeAlias = tuple[int, RuleName, str]
"""``(depth, rule name, evidence)``: ``parts[:depth]`` is the junk root."""


def is_absolute(name: str) -> bool:
    """True for a POSIX absolute path or one with a Windows drive (``C:/``, ``C:\\``)."""
    return name.startswith("/") or _WINDOWS_DRIVE.match(name) is not None


def junk_root(parts: list[str], is_dir: bool, head: bytes = b"") -> Match | None:
    """Tell whether a member lies in a venv, conda env, cache, VCS dir, bytecode or egg-info.

    ``parts`` are the member's path components below the top-level directory; ``is_dir`` says the
    member is a directory; ``head`` holds the first bytes of a ``CACHEDIR.TAG`` member. Returns
    ``(depth, rule name, evidence)`` for the shallowest match, where ``parts[:depth]`` is the junk
    root, or ``None``. A venv is known by ``pyvenv.cfg`` (PEP 405) or, since leaked venvs rarely keep
    it, by its layout: ``lib/pythonX.Y/site-packages``, ``Lib/site-packages``, ``bin/activate``.
    """
    dirs = parts if is_dir else parts[:-1]
    found: list[Match] = []
    if not is_dir and parts:
        found.extend(_file_marker(parts, dirs, head))
    for index, name in enumerate(dirs):
        match = _directory_marker(dirs, index, name)
        if match is not None:
            found.append(match)
    return min(found, key=lambda item: (item[0], _RULE_PRIORITY.get(item[1], 1))) if found else None


def stronger(rule: RuleName, evidence: str, known_rule: RuleName, known_evidence: str) -> bool:
    """True when ``(rule, evidence)`` should replace what was found before for the same root."""
    priority, known = _RULE_PRIORITY.get(rule, 1), _RULE_PRIORITY.get(known_rule, 1)
    if priority != known:
        return priority < known
    return evidence in MARKER_FILES and known_evidence not in MARKER_FILES


def _listing_marker(name: str, is_dir: bool, head: bytes) -> tuple[RuleName, str] | None:
    """:func:`~sdistguard.rules.directory_junk` for the directory holding the entry ``name``: ``(rule, evidence)``.

    A ``CACHEDIR.TAG`` is judged by ``head``, the bytes read from the archive, never from disk.
    """
    if name == "CACHEDIR.TAG":
        return ("cache-dir", name) if not is_dir and head.startswith(CACHEDIR_SIGNATURE) else None
    return _entry_marker(name, is_dir)


@functools.lru_cache(maxsize=1024)
def _entry_marker(name: str, is_dir: bool) -> tuple[RuleName, str] | None:
    """:func:`~sdistguard.rules.directory_junk` on a listing of one entry, the directory's name unknown (cached)."""
    return directory_junk("", set() if is_dir else {name}, {name} if is_dir else set(), signed=lambda: False)


def _file_marker(parts: list[str], dirs: list[str], head: bytes) -> list[Match]:
    last, depth = parts[-1], len(parts) - 1
    marker = _listing_marker(last, False, head)
    if marker is not None:
        return [(depth, marker[0], marker[1])]
    if depth >= 1 and dirs[-1] in ("bin", "Scripts") and last in _ACTIVATE_SCRIPTS:
        return [(depth - 1, "venv", f"layout: {dirs[-1]}/{last}, pyvenv.cfg missing")]
    if last.endswith((".pyc", ".pyo")) and "__pycache__" not in dirs:
        return [(len(parts), "bytecode", "compiled file")]
    return []


def _directory_marker(dirs: list[str], index: int, name: str) -> Match | None:
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
    marker = _listing_marker(name, True, b"")
    if marker is not None:
        return (index, marker[0], marker[1])
    by_name = directory_junk(name, set(), set())  # the directory's own name (no listing: nothing read)
    if by_name is not None:
        return (index + 1, by_name[0], by_name[1])
    if index >= 1 and _UV_BUCKET.match(name):
        return (index, "cache-dir", f"uv cache layout: {name}/")
    if name == "__pycache__":
        return (index + 1, "bytecode", "__pycache__")
    if name in _VCS_NAMES:
        return (index + 1, "vcs-dir", name)
    if name.endswith(".egg-info"):
        return (index + 1, "foreign-egg-info", name)
    return None
