"""What the writers see of each member's bytes: the secret scan (SG602), Git LFS pointers (SG603) and
the sizes (SG610, SG611).

The writers read every file once, in chunks; :class:`ContentLog` gives them a
:class:`~sdistguard.rules.credentials.SecretScanner` per file to feed those very chunks (no second read of
the tree; the pointer check looks only at files under 1 KiB, on the same bytes) and collects,
thread-safely (the wheel's workers run in parallel), the secrets and pointers found and the sizes
in bytes per directory plus the three largest members (memory grows with the directories, not the
files). After writing, :meth:`ContentLog.size_finding` compares the artifact with
``max-sdist-size`` / ``max-wheel-size`` (SG611) or PyPI's default limit (SG610) and names the
largest directories and files from the sizes the writer saw.
"""

from __future__ import annotations

import bisect
import os
import threading
from typing import TYPE_CHECKING, Final

import pathspec

from sdistguard.core.patterns import to_posix
from sdistguard.rules import PYPI_FILE_LIMIT, Finding, finding
from sdistguard.rules.credentials import SecretScanner, content_findings
from sdistguard.rules.sizes import format_size, over_pypi_limit
from sdistguard.walk import FindingsLog

if TYPE_CHECKING:
    from hatchling.builders.plugin.interface import IncludedFile

    from sdistguard.core.config import Settings
    from sdistguard.rules import RuleName

__all__ = ["ContentLog"]

SCAN_CONTENT = True
"""Private switch for the benchmark (benchmarks/): ``False`` turns the secret scan off."""

_LARGEST: Final = 3


class ContentLog:
    """Secrets and sizes of the members of one artifact, as its writer reads them.

    ``root`` is the project root (absolute), ``settings`` the build's settings (``allow-secrets``,
    ``keep``), ``log`` the build's :class:`~sdistguard.walk.FindingsLog` its findings go to (a fresh one
    when omitted). :meth:`scanner` gives a scanner for a file (``None`` when scanning is off);
    :meth:`record` takes the scanner's result and the member's size. Findings name the file as the
    project knows it (relative to the root, or absolute outside it), their detail ``"line N: <kind>"``
    (SG602; the secret itself is never kept) or what the pointer stands for (SG603). Members the
    builder generates (PKG-INFO, the wheel's METADATA, WHEEL, entry_points.txt, licenses, RECORD) go
    through :meth:`scan_generated`, named by their member path as the auditor names them.
    Thread-safe. Raises nothing.
    """

    def __init__(self, root: str, settings: Settings, log: FindingsLog | None = None) -> None:
        self.root = root
        self.log = log if log is not None else FindingsLog()
        self.allow = pathspec.GitIgnoreSpec.from_lines(settings.allow_secrets) if settings.allow_secrets else None
        self.keep = pathspec.GitIgnoreSpec.from_lines(settings.keep) if settings.keep else None
        self._directory_sizes: dict[str, int] = {}
        """Bytes of the members written from files, by the directory holding them (``/``, no trailing ``/``):
        memory grows with the directories, not the files."""
        self._largest_files: list[tuple[int, str]] = []
        """The :data:`_LARGEST` largest members so far, as ``(-bytes, distribution path)``, sorted."""
        self._lock = threading.Lock()

    def name(self, included_file: IncludedFile) -> str:
        """How findings name ``included_file``: its project-relative path, or its absolute path."""
        return to_posix(included_file.relative_path or included_file.path)

    def scanner(self, included_file: IncludedFile) -> SecretScanner | None:
        """A fresh scanner for the file's bytes, or ``None`` when scanning is off.

        Its secrets are not looked for when ``allow-secrets`` names the file (its project-relative
        path); a pointer is looked for in every file (under 1 KiB: the check costs one comparison
        otherwise), and ``keep`` is asked only about a pointer found, in :meth:`record`.
        """
        if not SCAN_CONTENT:
            return None
        allow, relative = self.allow, included_file.relative_path
        if allow is not None and relative and allow.match_file(to_posix(relative)):
            return SecretScanner(secrets=False)
        return SecretScanner()

    def record(self, included_file: IncludedFile, distribution_path: str, size: int,
               scanner: SecretScanner | None) -> None:
        """Record a written member: its size and, after ``scanner.finish()``, a finding per secret and
        one for a Git LFS pointer that ``keep`` does not name."""
        relative = included_file.relative_path
        found = self._found(self.name(included_file), scanner, to_posix(relative) if relative else None)
        path = distribution_path.replace(os.sep, "/")
        with self._lock:
            directory = path.rpartition("/")[0]
            if directory:
                self._directory_sizes[directory] = self._directory_sizes.get(directory, 0) + size
            largest = self._largest_files
            if len(largest) < _LARGEST or (-size, path) < largest[-1]:
                bisect.insort(largest, (-size, path))
                del largest[_LARGEST:]
        for each, line in found:
            self.log.add_written(each, line)

    def scan_generated(self, member: str, contents: bytes) -> None:
        """Scan a member the builder writes from memory (``contents``, its bytes), not from a file.

        ``member`` is its path inside the artifact, below the sdist's top-level directory
        (``PKG-INFO``) or from the wheel's root (``demo-1.0.dist-info/METADATA``): the findings name
        it so, as ``sdistguard check`` does, and ``allow-secrets`` / ``keep`` are matched against it.
        Its size is not counted (SG611 names the files and directories taken from the tree).
        """
        if not SCAN_CONTENT:
            return
        scanner = SecretScanner(secrets=self.allow is None or not self.allow.match_file(member))
        scanner.feed(contents)
        for each, line in self._found(member, scanner, member):
            self.log.add_written(each, line)

    def _found(self, name: str, scanner: SecretScanner | None, relative: str | None) -> list[tuple[Finding, int]]:
        """The SG602 findings of a scanner (one per hit, after ``finish()``, with its line) and its SG603
        finding (line 0), unless ``keep`` names ``relative`` (the path keep is matched against; ``None``
        outside the project)."""
        if scanner is None:
            return []
        hits = scanner.finish()  # the pointer is known once the scan finishes
        pointer = scanner.pointer
        kept = pointer is not None and self.keep is not None and relative is not None and self.keep.match_file(relative)
        return [(finding(rule, name, detail), line)
                for rule, detail, line in content_findings(hits, pointer, pointer_kept=bool(kept))]

    def size_finding(self, artifact: str, kind: str, limit: int | None) -> Finding | None:
        """SG611 when ``artifact`` (a path) has more than ``limit`` bytes, SG610 when ``limit`` is ``None``
        and it passes :data:`PYPI_FILE_LIMIT`; else ``None``. ``kind`` is ``"sdist"`` or ``"wheel"``
        (names the setting). The detail names the largest directories and files (uncompressed bytes).
        """
        size = os.path.getsize(artifact)
        rule: RuleName
        if limit is None:
            over = over_pypi_limit(size, PYPI_FILE_LIMIT)  # the auditor's SG610 says the same
            if over is None:
                return None
            rule = "large-artifact"
        else:
            if size <= limit:
                return None
            rule, over = "size-limit", (f"{format_size(size)} ({size} bytes) over max-{kind}-size = "
                                        f"{format_size(limit)} ({limit} bytes)")
        return finding(rule, os.path.basename(artifact), f"{over}; {self.largest()}", size=size)

    def largest(self) -> str:
        """The largest directories and files the writer saw, uncompressed: ``"largest directories: ..."``."""
        with self._lock:
            direct = dict(self._directory_sizes)
            files = [(path, -negated) for negated, path in self._largest_files]
        directories: dict[str, int] = {}
        for holder, size in direct.items():
            parts = holder.split("/")
            for depth in range(1, len(parts) + 1):
                directory = "/".join(parts[:depth]) + "/"
                directories[directory] = directories.get(directory, 0) + size
        # a directory whose one subdirectory holds nearly all of it says nothing more: name the subdirectory
        biggest_child: dict[str, int] = {}
        for directory, size in directories.items():
            parent = directory[:-1].rpartition("/")[0]
            if parent:
                parent += "/"
                biggest_child[parent] = max(biggest_child.get(parent, 0), size)
        telling = [(directory, size) for directory, size in directories.items()
                   if biggest_child.get(directory, 0) < 0.9 * size]
        shown = sorted(telling, key=lambda item: (-item[1], item[0]))[:_LARGEST]
        described = [f"largest directories: {_listing(shown)}"] if shown else []
        described.append(f"largest files: {_listing(files) or 'none'}")
        return "; ".join(described)


def _listing(items: list[tuple[str, int]]) -> str:
    return ", ".join(f"{path} ({format_size(size)})" for path, size in items)

