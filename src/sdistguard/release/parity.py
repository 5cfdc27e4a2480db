"""Wheel parity: the wheel built from the unpacked sdist against the wheel built from the tree.

Frontends install the wheel built from the sdist (``python -m build``, ``uv build``, pip from an index);
developers test the one built from their tree. :func:`wheel_parity` names each member that differs, with
its likely cause (pypa/hatch#1874, astral-sh/uv#10391, pypa/hatch#1964); :func:`sdist_files` reads the
sdist's files and their digests, for the causes and for the comparison with git.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from sdistguard.rules import Finding, finding

__all__ = ["sdist_files", "wheel_parity"]

_COMPILED: Final = (".so", ".pyd", ".dylib", ".dll")
"""Suffixes of compiled extension modules and libraries: two builds in two directories embed different
paths (debug info, rpaths), so their bytes are not compared, only their presence."""


def _compiled(name: str) -> bool:
    base = name.rsplit("/", 1)[-1].lower()
    return base.endswith(_COMPILED) or ".so." in base


@dataclass(frozen=True)
class _Member:
    digest: str
    executable: bool


def _wheel_contents(path: str) -> dict[str, _Member]:
    """Each file member of the wheel at ``path`` (directories and the dist-info ``RECORD`` files aside):
    its SHA-256 and whether it is executable. Raises ``OSError``/``zipfile.BadZipFile``."""
    contents: dict[str, _Member] = {}
    with zipfile.ZipFile(path) as wheel:
        for info in wheel.infolist():
            name = info.filename
            if name.endswith("/") or _is_record(name):
                continue
            digest = hashlib.sha256()
            with wheel.open(info) as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            contents[name] = _Member(digest.hexdigest(), bool((info.external_attr >> 16) & 0o111))
    return contents


def _is_record(name: str) -> bool:
    top, _, rest = name.partition("/")
    return top.endswith(".dist-info") and rest in ("RECORD", "RECORD.jws", "RECORD.p7s")


def _sources(member: str, files: Iterable[str]) -> list[str]:
    """The project files (relative paths) a wheel member may come from: ``member`` itself, or a path
    ending with ``/member`` (``src/demo/x.py`` for ``demo/x.py``), shortest first."""
    found = [path for path in files if path == member or path.endswith("/" + member)]
    return sorted(found, key=lambda path: (path.count("/"), path))


def wheel_parity(
    from_sdist: str,
    from_tree: str,
    *,
    sdist_files: Mapping[str, str],
    tree_root: str,
    tree_files: Iterable[str] | None = None,
    excluded: list[str] | None = None,
) -> list[Finding]:
    """Compare the wheel built from the unpacked sdist with the wheel built from the tree; one
    ``wheel-parity`` finding per member that differs, with its likely cause in the detail.

    ``from_sdist`` and ``from_tree`` are paths of the two wheels; ``sdist_files`` maps each sdist file
    (relative to its top-level directory) to its SHA-256; ``tree_root`` is the project directory and
    ``tree_files`` its files relative to it (git's tracked and untracked files, or ``None``); the member's
    own path, ``src/`` below it and the sdist's candidates are looked up on disk as well (a file git
    ignores). ``excluded``, when given, gets the tree files
    the sdist lacks that explain a finding (for the fix in the backend's terms). Members are compared by
    content and executable bit; ``RECORD`` and the archives' timestamps are not compared (they differ by
    construction), nor the bytes of a compiled extension or library on both sides (``.so``, ``.pyd``,
    ``.dylib``, ``.dll``: each build embeds its own paths). A
    different wheel file name is one finding at path ``""``. Raises ``OSError``/``zipfile.BadZipFile``
    for a wheel that cannot be read (the audit of each reports that first).
    """
    findings: list[Finding] = []
    if os.path.basename(from_sdist) != os.path.basename(from_tree):
        detail = (f"the wheel built from the sdist is {os.path.basename(from_sdist)}, from the tree "
                  f"{os.path.basename(from_tree)} (a version or tag computed differently once unpacked)")
        findings.append(finding("wheel-parity", "", detail))
    shipped = _wheel_contents(from_sdist)
    tested = _wheel_contents(from_tree)
    known = set(tree_files) if tree_files is not None else None

    def in_tree(member: str) -> list[str]:
        candidates = [member, "src/" + member, *_sources(member, sdist_files)]  # also a file git ignores
        on_disk = [path for path in candidates if os.path.isfile(os.path.join(tree_root, path))]
        return list(dict.fromkeys([*(_sources(member, known) if known is not None else []), *on_disk]))

    for name in sorted(shipped.keys() | tested.keys()):
        mine, theirs = shipped.get(name), tested.get(name)
        if mine == theirs or (mine is not None and theirs is not None and _compiled(name)):
            continue
        in_sdist = _sources(name, sdist_files)
        tree = in_tree(name)
        metadata = name.partition("/")[0].endswith(".dist-info")
        if mine is None:
            side = "only in the wheel built from the tree"
            if metadata:
                cause = "metadata the backend writes only when it builds from the tree"
            elif tree and not in_sdist:
                ignored = " (ignored by git)" if known is not None and tree[0] not in known else ""
                cause = f"excluded from the sdist: the tree has {tree[0]}{ignored}, the sdist does not"
                if excluded is not None:
                    excluded.append(tree[0])
            elif in_sdist:
                cause = (f"a pattern that matches differently once unpacked: the sdist holds {in_sdist[0]}, "
                         "but the wheel built from it leaves it out")
            else:
                cause = "generated by a build hook from the tree only (no such file in the tree or the sdist)"
        elif theirs is None:
            side = "only in the wheel built from the sdist"
            if metadata:
                cause = "metadata the backend writes only when it builds from the sdist"
            elif in_sdist and tree:
                cause = (f"a pattern that matches differently once unpacked: the tree's wheel leaves out "
                         f"{tree[0]} (a .gitignore or VCS file list the unpacked sdist lacks)")
            elif in_sdist:
                cause = f"generated when the sdist was built: the sdist holds {in_sdist[0]}, the tree does not"
            else:
                cause = "generated by a build hook from the unpacked sdist only"
        elif mine.digest == theirs.digest:
            side = "executable bit differs"
            cause = "the file's mode differs between the tree and the unpacked sdist"
        else:
            side = "different content"
            if metadata:
                cause = "metadata computed differently from the tree and from the sdist's PKG-INFO (a dynamic field)"
            elif in_sdist and tree and sdist_files.get(in_sdist[0]) != _file_digest(os.path.join(tree_root, tree[0])):
                cause = f"the sdist holds another {in_sdist[0]} than the tree (rewritten when the sdist was built)"
            else:
                cause = "generated by a build hook: its output differs between the two builds"
        findings.append(finding("wheel-parity", name, f"{side}: {cause}"))
    return findings


def _file_digest(path: str) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def sdist_files(sdist: str) -> dict[str, str]:
    """Each regular file (and link) member of ``sdist``, relative to its top-level directory, with its
    SHA-256 (``""`` for a link). Raises ``OSError``/``tarfile.TarError``."""
    files: dict[str, str] = {}
    with tarfile.open(sdist) as archive:
        for member in archive:
            _top, _, name = member.name.partition("/")
            name = name.strip("/")
            if not name or member.isdir():
                continue
            digest = ""
            if member.isfile():
                handle = archive.extractfile(member)
                if handle is not None:
                    hasher = hashlib.sha256()
                    for chunk in iter(lambda: handle.read(1 << 20), b""):  # noqa: B023 - read at once
                        hasher.update(chunk)
                    digest = hasher.hexdigest()
            files[name] = digest
    return files
