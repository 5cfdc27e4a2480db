"""The one owner of an audit's findings: archive members, fed one at a time, become findings.

The readers (:mod:`~sdistguard.audit.tar`, :mod:`~sdistguard.audit.zip`) yield
:class:`~sdistguard.audit.base.Member` records; :mod:`~sdistguard.audit.run` hands each to
:meth:`Collector.add`, the findings of the other checks (RECORD, metadata, secrets, limits) to
:meth:`Collector.report`, and takes every finding back, sorted once, from :meth:`Collector.finish`.
Only names and sizes are kept (bounded by :class:`~sdistguard.audit.base.Limits`), never member data
beyond the small ``head`` asked for (:meth:`Collector.head_size`): the top-level ``PKG-INFO`` and what
tells the builder (:class:`~sdistguard.audit.builder.BuilderEvidence`).

Rules followed: what PEP 706's ``data`` filter, pip and uv refuse (absolute names, ``..``, links out
of the tree, special files, a file named like a directory, a member below a file or link, link cycles),
PEP 625 / PEP 721 (one top-level directory in an sdist), uv's name policy
(:func:`sdistguard.rules.unportable_reason`), names Windows and macOS refuse or merge
(:mod:`sdistguard.rules.names`), credential files by name and, for members whose data is streamed through
:meth:`Collector.scanner`, secrets by content (:mod:`sdistguard.rules.credentials`).
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import pathspec
from packaging.utils import canonicalize_name

from sdistguard.audit.base import DirectorySize, LimitReached, Limits, Member, MemberKind, sort_key
from sdistguard.audit.builder import BuilderEvidence
from sdistguard.audit.hints import BuiltBy
from sdistguard.audit.metadata import PKG_INFO_LIMIT
from sdistguard.rules import CACHEDIR_SIGNATURE, Finding, RuleName, finding
from sdistguard.rules.credentials import (
    LfsPointer,
    SecretHit,
    SecretScanner,
    content_findings,
    credential_file_kind,
)
from sdistguard.rules.evidence import finding_with
from sdistguard.rules.files import special_label
from sdistguard.rules.links import Reached, classify_link, is_absolute, lexical_target
from sdistguard.rules.markers import junk_evidence
from sdistguard.rules.markers import member_junk as junk_root
from sdistguard.rules.markers import stronger_junk as stronger
from sdistguard.rules.names import NameCheck, twin_finding

__all__ = ["Collector"]

_KIND_LABELS: Final[dict[MemberKind, str]] = {
    "file": "a regular file", "dir": "a directory", "symlink": "a symlink", "hardlink": "a hard link",
    "fifo": "a FIFO", "chardev": "a character device", "blockdev": "a block device",
}
_SYMLOOP_MAX: Final = 40  # links followed in a row before Linux gives up (ELOOP)
_SUMMARY_DEPTH: Final = 3
_SUMMARY_ENTRIES: Final = 10


@dataclass
class _Root:
    """A junk directory (or file) found while streaming: its rule and the evidence seen."""

    rule: RuleName
    evidence: str


class Collector:
    """Receives archive members one at a time and owns every finding of one audit.

    ``sdist`` selects the sdist rules (one top-level directory, paths reported below it); for a
    wheel, paths are relative to the archive root. ``limits`` bounds members and name bytes;
    ``allow_secrets`` (gitignore-style patterns relative to the archive's top) and ``scan_content``
    decide which members :meth:`scanner` scans. After the members: :attr:`top` (the sdist's top-level
    directory), :attr:`files` (``{path: stored bytes}``), :attr:`pkg_info` (the top-level ``PKG-INFO``
    head), :attr:`built_by`, :attr:`members`, :attr:`size`, :attr:`stopped`.
    """

    def __init__(
        self, sdist: bool, limits: Limits, allow_secrets: Sequence[str] = (), scan_content: bool = True
    ) -> None:
        self.sdist = sdist
        self.limits = limits
        self.scan_content = scan_content
        self._allow_secrets = pathspec.GitIgnoreSpec.from_lines(allow_secrets) if allow_secrets else None
        self._names = NameCheck(self._clash)
        self._builder = BuilderEvidence(sdist)
        self.top: str | None = None
        self._findings: list[Finding] = []
        self.files: dict[str, int] = {}
        self.pkg_info: bytes | None = None
        self.members = 0
        self.size = 0
        self.stopped = False
        self._name_bytes = 0
        self._duplicates: dict[str, list[int]] = {}
        self._kinds: dict[str, MemberKind] = {}  # non-directory members other than regular files
        self._links: list[tuple[str, str | None, str]] = []  # (path, lexical target, target as stored)
        self._roots: dict[str, _Root] = {}
        self._outside: dict[str, list[int]] = {}
        self._dir_sizes: dict[str, list[int]] = {}

    # ---------------------------------------------------------------- intake

    def head_size(self, name: str) -> int:
        """How many leading bytes of the regular file member stored as ``name`` :meth:`add` wants as ``head``.

        The signature of a ``CACHEDIR.TAG``; for an sdist, ``PKG-INFO`` (one byte past
        :data:`~sdistguard.audit.metadata.PKG_INFO_LIMIT`, to tell an oversized one); what tells the
        builder (:meth:`~sdistguard.audit.builder.BuilderEvidence.head_size`). 0 for any other member.
        """
        base = posixpath.basename(name)
        if base == "CACHEDIR.TAG":
            return len(CACHEDIR_SIGNATURE)
        if base == "PKG-INFO" and self.sdist:
            return PKG_INFO_LIMIT + 1
        parts = [part for part in name.split("/") if part not in ("", ".")]
        return self._builder.head_size(parts[1:] if self.sdist else parts)

    def add(self, member: Member) -> str | None:
        """Examine one member (its ``head`` as :meth:`head_size` asked).

        Raises :class:`~sdistguard.audit.base.LimitReached` at the member or name-bytes limit. Returns the
        member's path as findings name it (below the sdist's top-level directory, a directory ending
        with ``/``; ``None`` for the top-level directory itself or an empty name), for :meth:`scanner`.
        """
        self._count(member.name, member.target)
        path = self._examine(member)
        if member.cp437:
            detail = "name is not marked as UTF-8 (read as cp437)"
            self._findings.append(finding("unportable-name", member.name, detail))
        return path

    def _examine(self, member: Member) -> str | None:
        name, kind, size = member.name, member.kind, member.size
        if kind != "dir" and name.rpartition("/")[2] in ("", "."):
            ending = "/." if name.endswith(".") else "/"
            detail = f"{_KIND_LABELS[kind]} whose name ends in '{ending}' names a directory: extraction fails"
            self._findings.append(finding("unsafe-path", name, detail))
        split = self._parts(name, kind == "dir")
        if split is None:
            return None
        parts, outside = split
        if outside is None:
            self._builder.see(parts, member)
        path = "/".join(parts) + ("/" if kind == "dir" else "")
        if kind not in ("dir", "file"):
            self._kinds[path] = kind
        self._note_name(path, parts, kind == "dir")
        if kind == "dir":
            self._note_junk(parts, True, b"")
            return path
        if outside is not None:
            self._outside[outside][0] += 1
            self._outside[outside][1] += size
        self._note_file(path, parts, kind, size, member.head if kind == "file" else b"")
        if kind == "symlink":
            self._note_symlink(path, member.target)
        elif kind == "hardlink":
            self._note_hardlink(path, member.target)
        elif kind == "fifo" or kind == "chardev" or kind == "blockdev":
            self._findings.append(finding("special-file", path, special_label(kind)))
        return path

    def report(self, found: Iterable[Finding]) -> None:
        """Take findings another check returned (RECORD, metadata, a damaged member, the archive's size)."""
        self._findings.extend(found)

    @property
    def built_by(self) -> BuiltBy | None:
        """The backend the members seen so far say built the archive (:mod:`sdistguard.audit.builder`)."""
        return self._builder.built_by

    def scanner(self, path: str | None) -> SecretScanner | None:
        """A :class:`~sdistguard.rules.credentials.SecretScanner` for the content of the regular file member at
        ``path`` (as :meth:`add` returned it), or ``None`` when content scanning is off. When ``path``
        matches ``[tool.sdistguard] allow-secrets`` (gitignore-style patterns relative to the archive's
        top) its secrets are not looked for, only a Git LFS pointer (SG603). :mod:`~sdistguard.audit.run`
        feeds it the member's bytes in the member's one read (bounded by
        :attr:`~sdistguard.audit.base.Limits.max_bytes`) and hands the hits to :meth:`secrets`.
        """
        if not self.scan_content or path is None or path.endswith("/"):
            return None
        if self._allow_secrets is not None and self._allow_secrets.match_file(path):
            return SecretScanner(secrets=False)  # its secrets are accepted; a Git LFS pointer is still one
        return SecretScanner()

    def secrets(self, path: str, hits: Sequence[SecretHit], pointer: LfsPointer | None = None) -> None:
        """One ``secret`` finding per secret found in ``path``: ``line N: <kind>`` (never the token itself);
        an ``lfs-pointer`` finding when the member's whole content is a Git LFS ``pointer``."""
        self._findings.extend(finding(rule, path, detail) for rule, detail, _ in content_findings(hits, pointer))

    def _note_name(self, path: str, parts: list[str], is_dir: bool) -> None:
        """The name rules (SG401-SG404, :class:`~sdistguard.rules.names.NameCheck`, the build's own) and
        ``credential-file`` for one member.

        Work per member is linear in its name's length times its depth; memory is one string per
        directory and one folded name per member (:class:`~sdistguard.rules.names.TwinNames`).
        """
        found, _ = self._names.check(path)
        self._findings.extend(found)
        if is_dir:
            return
        kind = credential_file_kind(path)
        if kind is not None and (self._allow_secrets is None or not self._allow_secrets.match_file(path)):
            self._findings.append(finding("credential-file", path, kind))  # allow-secrets accepts it (one entry)

    def _clash(self, path: str, twin: str) -> Finding:
        """The finding for ``path`` colliding with the earlier member ``twin``
        (:class:`~sdistguard.rules.names.TwinNames`).

        When the two names are the same string, one being a file, link or special member and the other below it
        (``x`` beside ``x/y``, ``l -> /etc`` before ``l/evil``), extraction fails, or writes through the link, on
        every system: ``unsafe-path``. Otherwise they differ in case or normalisation only: ``name-twin``.
        """
        bare, name = twin.rstrip("/"), path.rstrip("/")
        if name.startswith(bare + "/"):
            what = _KIND_LABELS[self._kinds.get(bare, "file")]
            detail = f"below {bare}, {what} member: extraction writes through it or fails, on every system"
            return finding("unsafe-path", path, detail)
        if bare == name and (twin.endswith("/") or path.endswith("/")):
            directory, other = (twin, path) if twin.endswith("/") else (path, twin)
            what = _KIND_LABELS[self._kinds.get(other.rstrip("/"), "file")]
            detail = f"{other} is {what} member and {directory} holds members: extraction fails on every system"
            return finding("unsafe-path", path, detail)
        return twin_finding(path, twin)

    def stop(self, reason: str) -> None:
        """Record that the audit stopped at a limit (``audit-limit``); ``reason`` says which."""
        self.stopped = True
        self._findings.append(finding("audit-limit", "", f"stopped after {self.members} members: {reason}"))

    def corrupt(self, reason: str) -> None:
        """Record damage found in the stream (``corrupt-archive``); ``reason`` says what."""
        self.stopped = True
        self._findings.append(finding("corrupt-archive", "", f"after {self.members} members: {reason}"))

    def _count(self, name: str, target: str) -> None:
        self.members += 1
        self._name_bytes += len(name) + len(target)
        if self.members > self.limits.max_members:
            raise LimitReached(f"more than {self.limits.max_members} members")
        if self._name_bytes > self.limits.max_name_bytes:
            raise LimitReached(f"member names longer than {self.limits.max_name_bytes} bytes in all")

    def _parts(self, name: str, is_dir: bool) -> tuple[list[str], str | None] | None:
        """Split a stored name into components below the top-level directory; ``None`` = skip it.

        Returns the components and, for an sdist member outside the single top-level directory,
        the outside entry it belongs to (``outside-top-level``, one finding per entry, at the end). Reports
        absolute names and ``..`` components (``unsafe-path``) on the way.
        """
        while name.startswith("./"):
            name = name[2:]
        if is_absolute(name):
            self._findings.append(finding("unsafe-path", name, "absolute path"))
            name = name.lstrip("/")
        parts = [part for part in name.split("/") if part not in ("", ".")]
        if ".." in parts:
            self._findings.append(finding("unsafe-path", name, "'..' component"))
        if not parts:
            return None
        if not self.sdist:
            return parts, None
        if self.top is None and parts[0] != ".." and (len(parts) > 1 or is_dir):
            self.top = parts[0]
        if parts[0] == self.top:
            return (parts[1:], None) if len(parts) > 1 else None
        self._outside.setdefault(parts[0], [0, 0])
        return parts, parts[0]

    def _note_file(self, path: str, parts: list[str], kind: MemberKind, size: int, head: bytes) -> None:
        if path in self.files:
            self._duplicates.setdefault(path, [self.files[path]]).append(size)
        self.files[path] = size
        self.size += size
        if self.sdist and path == "PKG-INFO" and kind == "file":
            self.pkg_info = head
        for depth in range(1, min(_SUMMARY_DEPTH, len(parts) - 1) + 1):
            entry = self._dir_sizes.setdefault("/".join(parts[:depth]) + "/", [0, 0])
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
        known = self._roots.get(root)
        if known is None or stronger(rule, evidence, known.rule, known.evidence):
            self._roots[root] = _Root(rule, evidence)

    def _note_symlink(self, path: str, target: str) -> None:
        """Keep the symlink at ``path`` for :meth:`_finish_links` (its target decides once every member is seen)."""
        self._links.append((path, lexical_target(path, target), target))

    def _note_hardlink(self, path: str, target: str) -> None:
        stored = target
        while target.startswith("./"):
            target = target[2:]
        parts = [part for part in target.split("/") if part not in ("", ".")]
        if target.startswith("/") or ".." in parts:
            self._findings.append(finding_with("external-link", path, f"hard link to {stored}, outside the archive",
                                               "link-target", stored))
            return
        if self.sdist and parts and parts[0] == self.top:
            parts = parts[1:]
        resolved = "/".join(parts)
        if resolved not in self.files or resolved == path:
            self._findings.append(finding_with("missing-link-target", path, f"hard link to {stored}",
                                               "link-target", stored))
            return
        self._findings.append(finding_with("link-member", path, f"hard link to {resolved}", "link-target", stored))

    # ---------------------------------------------------------------- results

    def finish(self, project: str | None) -> list[Finding]:
        """Add the findings that need the whole listing; return every finding, sorted once, by path then code.

        ``project`` is the distribution's own name (its ``*.egg-info`` is not foreign). Call it last:
        what other checks found must be :meth:`report`-ed before.
        """
        names = sorted(self.files)
        self._finish_links(names)
        self._finish_roots(names, project)
        for path, sizes in self._duplicates.items():
            listed = [str(size) for size in sizes]
            detail = f"{len(sizes)} copies: {', '.join(listed[:-1])} and {listed[-1]} bytes"
            self._findings.append(finding("duplicate-member", path, detail, files=len(sizes), size=sum(sizes)))
        for first, (files, size) in self._outside.items():
            detail = f"top-level directory is {self.top}/" if self.top else "no single top-level directory"
            detail += "; PyPI: Incorrect number of top-level directories in sdist"
            self._findings.append(finding("outside-top-level", first, detail, files=files, size=size))
        return sorted(self._findings, key=sort_key)

    def largest(self) -> list[DirectorySize]:
        """The largest directories by bytes (then by name), at most ten."""
        ranked = sorted(self._dir_sizes.items(), key=lambda item: (-item[1][1], item[0]))
        return [DirectorySize(path, files, size) for path, (files, size) in ranked[:_SUMMARY_ENTRIES]]

    def _finish_links(self, names: list[str]) -> None:
        """``external-link``, ``link-cycle``, ``link-member`` or ``dangling-link`` for every symlink kept by
        :meth:`_note_symlink`: the registry's one link rule (:func:`sdistguard.rules.links.classify_link`) over
        what the archive shows.

        A cycle: the link leads to itself through other links (``a -> b``, ``b -> a``), to more than 40 links in
        a row (Linux gives up with ``ELOOP``), or to a directory that holds it (``l -> .``, ``d/l -> ..``).
        """
        targets = {path: resolved for path, resolved, _ in self._links if resolved is not None}
        for path, resolved, target in self._links:
            chain: list[str] = []

            def reach(path: str = path, resolved: str | None = resolved, chain: list[str] = chain) -> Reached:
                if resolved is None:  # never: asked only for a link that stays inside
                    return "missing"
                chain.append(self._chain(path, resolved, targets))
                if chain[-1]:
                    return "loop"
                if resolved in self.files:
                    return "file"
                return "directory" if resolved == "." or _has_prefix(names, resolved + "/") else "missing"

            rule: RuleName
            decided = classify_link(path, target, reach)
            if decided == "external-link":
                where = "the top-level directory" if self.sdist else "the archive"
                rule, detail = decided, (f"symlink to absolute path {target}" if is_absolute(target)
                                         else f"symlink to {target}, outside {where}")
            elif decided == "link-cycle":
                why = chain[-1] if chain and chain[-1] else "a directory that holds the link"
                rule, detail = decided, f"symlink to {target}: {why}"
            elif decided is None:
                rule, detail = "link-member", f"symlink to {target}"
            else:  # an archive shows no special file behind a link: reached is never "special"
                rule, detail = "dangling-link", f"symlink to {target}, not in the archive"
            self._findings.append(finding_with(rule, path, detail, "link-target", target))

    @staticmethod
    def _chain(path: str, resolved: str, targets: dict[str, str]) -> str:
        """Why following the symlink at ``path`` (to ``resolved``) through the archive's other links never ends,
        or ``""``."""
        seen = {path}
        current = resolved
        for _ in range(_SYMLOOP_MAX):
            if current not in targets:
                return ""
            if current in seen:
                return "the links lead back to themselves" if current == path else f"a loop of links through {current}"
            seen.add(current)
            current = targets[current]
        return f"more than {_SYMLOOP_MAX} links in a row"

    def _finish_roots(self, names: list[str], project: str | None) -> None:
        """One finding per junk root, except roots that lie inside another reported root.

        Linear in the roots times their depth: a root is skipped when one of its ancestor
        directories (``a/``, ``a/b/``) is already reported; ``./`` (the whole tree) contains all.
        """
        own = canonicalize_name(project) if project else None
        roots = {
            root: found
            for root, found in self._roots.items()
            if not (found.rule == "foreign-egg-info" and _egg_info_name(root) == own)
        }
        if "./" in roots:
            roots = {"./": roots["./"]}
        kept: set[str] = set()
        for root in sorted(roots):  # an ancestor directory sorts before what lies below it
            if any(ancestor in kept for ancestor in _ancestors(root)):
                continue
            kept.add(root)
            files, size = self._below(names, root)
            found = roots[root]
            kind, value = junk_evidence(found.evidence, posixpath.basename(root.rstrip("/")))
            self._findings.append(finding_with(found.rule, root, found.evidence, kind, value, files=files, size=size))

    def _below(self, names: list[str], root: str) -> tuple[int, int]:
        """Files and stored bytes at or below ``root`` (``./`` is everything)."""
        if root == "./":
            return len(names), sum(self.files.values())
        if not root.endswith("/"):
            return 1, self.files.get(root, 0)
        start = bisect.bisect_left(names, root)
        end = bisect.bisect_left(names, root + "\U0010ffff")
        return end - start, sum(self.files[name] for name in names[start:end])


def _ancestors(root: str) -> list[str]:
    """The directories ``a/``, ``a/b/`` that hold ``root`` (``a/b/c/`` or ``a/b/c``), outermost first."""
    parts = root.rstrip("/").split("/")
    return ["/".join(parts[:depth]) + "/" for depth in range(1, len(parts))]


def _has_prefix(names: list[str], prefix: str) -> bool:
    index = bisect.bisect_left(names, prefix)
    return index < len(names) and names[index].startswith(prefix)


def _egg_info_name(root: str) -> str:
    stem = root.rstrip("/").rsplit("/", 1)[-1].removesuffix(".egg-info")
    return canonicalize_name(stem.split("-", 1)[0])
