"""The findings of one build: one log, owned by the builder and handed down to the walk and the writers.

:class:`FindingsLog` is written by the guarded walk (what it left out or rewrote), by the builder (the
name checks, hatchling's own forced files, the artifact's size) and by the writers (the secrets and
Git LFS pointers in the bytes written, thread-safely: the wheel's workers write in parallel). Nothing
writes back up: the walk does not call the builder for findings, the builder does not reach into the
walk. The ignore file and line of what git left out are resolved in one explicit step
(:meth:`FindingsLog.git_pending`, then :meth:`FindingsLog.resolve_git_sources`, which the walk's
``settle`` runs); reading :meth:`FindingsLog.findings` runs nothing and changes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sdistguard.git.ignores import IGNORED_DIRECTORY, IGNORED_FILE, Decision
from sdistguard.rules import Finding, finding

if TYPE_CHECKING:
    from sdistguard.rules import Code
    from sdistguard.rules.evidence import EvidenceKind

__all__ = ["FindingsLog", "RescueCount"]


class RescueCount:
    """What became of the files below a directory a nested ``.gitignore`` excludes but artifacts may bring back.

    ``code``: the rule that left the directory out; ``left``/``size``: the files (and their bytes) hatchling
    would ship that stay out; ``shipped``: the files artifacts brought back.
    """

    # A plain slotted class, not a dataclass: every build imports it (tests/backend/test_startup.py).
    __slots__ = ("code", "left", "shipped", "size")

    def __init__(self, code: Code, left: int = 0, size: int = 0, shipped: int = 0) -> None:
        self.code: Code = code
        self.left = left
        self.size = size
        self.shipped = shipped

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, RescueCount)
        return (self.code, self.left, self.size, self.shipped) == (other.code, other.left, other.size, other.shipped)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __repr__(self) -> str:
        return f"RescueCount(code={self.code!r}, left={self.left!r}, size={self.size!r}, shipped={self.shipped!r})"


class FindingsLog:
    """Every finding of one build, in the order taken; the first one per code and path wins.

    One log per builder (:class:`sdistguard.builders.guard.Guard` makes it): the walk, the builder
    and the writers add to it, :meth:`findings` reads it. Raises nothing.
    """

    def __init__(self) -> None:
        """An empty log."""
        self._found: dict[tuple[str, str], Finding] = {}
        self._git_pending: set[tuple[str, str]] = set()  # (code, path) of findings whose ignore line git names
        self._rescues: dict[tuple[str, str], RescueCount] = {}
        self._untracked: dict[str, dict[str, int]] = {}  # directory -> {name: size} of untracked files shipped
        self._written: list[tuple[str, int, Finding]] = []  # (path, line, finding) from the writers' bytes
        self._lock = threading.Lock()

    # --- what the walk and the builder add ---

    def add(self, found: Finding) -> None:
        """Record ``found`` unless a finding of the same code and path is already there."""
        self._found.setdefault((found.code, found.path), found)

    def add_git_decision(self, found: Finding) -> None:
        """Record ``found``, left out by git, whose ignore file and line git names at :meth:`resolve_git_sources`."""
        self.add(found)
        self._git_pending.add((found.code, found.path))

    def rescue(self, excluded: Finding) -> RescueCount:
        """The count of files below the excluded directory of ``excluded`` (the same one for every walk reaching it)."""
        return self._rescues.setdefault((excluded.code, excluded.path), RescueCount(excluded.code))

    def add_untracked(self, directory: str, name: str, size: int) -> None:
        """An untracked file that ships (``untracked = "warn"``): ``name`` in ``directory`` (project-relative
        POSIX, ``""`` the root), ``size`` bytes; reported once per directory."""
        self._untracked.setdefault(directory, {})[name] = size

    # --- the explicit step that asks git ---

    def git_pending(self) -> list[str]:
        """The paths (project-relative POSIX, a directory with ``/``) whose ignore line is still to be asked."""
        return sorted({path for _, path in self._git_pending})

    def resolve_git_sources(self, decisions: Mapping[str, Decision]) -> None:
        """Name each pending finding's ignore file and line from ``decisions`` (path -> git's
        :class:`~sdistguard.git.ignores.Decision`, :meth:`~sdistguard.git.ignores.IgnoreOracle.explain`'s).

        The finding takes the decision's detail, and its ``source`` as ``ignore-source`` evidence. A path git
        names no line for gets the generic detail (:data:`~sdistguard.git.ignores.IGNORED_FILE`, or
        :data:`~sdistguard.git.ignores.IGNORED_DIRECTORY` for a directory) and ``git`` evidence
        (:data:`~sdistguard.rules.evidence.IGNORED`, :data:`~sdistguard.rules.evidence.IGNORED_BELOW`). Nothing is
        pending afterwards.
        """
        pending = sorted(self._git_pending)
        self._git_pending.clear()
        if not pending:
            return
        from sdistguard.rules.evidence import IGNORED, IGNORED_BELOW  # a clean build never loads the module

        for key in pending:
            found = self._found[key]
            decision = decisions.get(found.path)
            directory = found.path.endswith("/")
            kind: EvidenceKind = "git"
            if decision is not None and decision.source is not None:
                detail, kind, value = decision.detail, "ignore-source", decision.source
            elif decision is not None:
                detail, value = decision.detail, IGNORED_BELOW if directory else IGNORED
            else:
                detail, value = (IGNORED_DIRECTORY, IGNORED_BELOW) if directory else (IGNORED_FILE, IGNORED)
            self._found[key] = Finding(found.code, found.path, detail, found.files, found.size, ((kind, value),))

    # --- what the writers add ---

    def begin_artifact(self) -> None:
        """Forget the writers' findings of an earlier artifact (a new one is about to be written)."""
        with self._lock:
            self._written.clear()

    def add_written(self, found: Finding, line: int = 0) -> None:
        """Record a finding in the bytes a writer wrote (a secret on ``line``, 1-based; 0: the whole file).

        Thread-safe; kept in the order of path and line whatever order the writers finish in.
        """
        with self._lock:
            self._written.append((found.path, line, found))

    def written(self) -> list[Finding]:
        """The writers' findings, sorted by path and line."""
        with self._lock:
            return [found for _, _, found in sorted(self._written, key=lambda item: (item[0], item[1]))]

    # --- reading ---

    def findings(self) -> list[Finding]:
        """Everything left out or rewritten so far, in walk order, then the writers' findings; runs nothing.

        A directory a nested ``.gitignore`` excludes but artifacts bring files back from is
        reported with the files it left out and how many came back; not at all when every file came back.
        The ignore lines git names are there once :meth:`resolve_git_sources` ran (every walk ends with it).
        """
        findings = []
        for key, found in self._found.items():
            rescue = self._rescues.get(key)
            if rescue is None:
                findings.append(found)
            elif rescue.left:  # a file hatchling would ship was left out (not when all came back or none was wanted)
                back = f"; {rescue.shipped} file(s) below brought back by artifacts" if rescue.shipped else ""
                findings.append(found.replace(detail=found.detail + back, files=rescue.left, size=rescue.size))
        findings.extend(self._untracked_findings())
        findings.extend(self.written())
        return findings

    def _untracked_findings(self) -> list[Finding]:
        """``untracked = "warn"``: one finding per directory holding untracked files that ship."""
        result = []
        for directory, sizes in self._untracked.items():
            files = list(sizes.items())
            size = sum(sizes.values())
            if len(files) == 1:
                name = files[0][0]
                path = f"{directory}/{name}" if directory else name
                result.append(finding("untracked", path, "not tracked by git", files=1, size=size))
                continue
            names = ", ".join(name for name, _ in files[:5]) + (", ..." if len(files) > 5 else "")
            path = directory + "/" if directory else "./"
            result.append(finding("untracked", path, f"{len(files)} files not tracked by git: {names}",
                                  files=len(files), size=size))
        return result
