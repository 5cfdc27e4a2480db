"""The guarded walker: one per build, it walks the project (and each directory the user named) visit by visit.

:meth:`GuardedWalker.walk` asks git once (an explicit first step: :class:`~sdistguard.git.ignores.IgnoreOracle`),
then takes directories depth first, in sorted order, from an explicit stack: each is a
:class:`~sdistguard.walk.visit.Visit` (listing, registry rules, git, hatchling's verdict), whose
records are yielded before its subdirectories are decided and pushed. Its last step,
:meth:`GuardedWalker.settle`, asks git for the ignore file and line of everything git left out. Findings
go to the build's :class:`~sdistguard.walk.log.FindingsLog`, handed in; the walker reads nothing back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from sdistguard.core.config import Settings
from sdistguard.core.errors import ConfigError
from sdistguard.core.paths import is_within, relative_to
from sdistguard.core.patterns import to_posix
from sdistguard.git.ignores import IgnoreOracle
from sdistguard.rules import Finding, finding
from sdistguard.walk.facts import WalkedFile, WalkFacts
from sdistguard.walk.log import FindingsLog
from sdistguard.walk.visit import Visit, WalkContext

__all__ = ["GuardedWalker"]


class GuardedWalker:
    """Walks directories of one project with sdistguard's rules, and records what it leaves out in ``log``.

    ``root`` is the project root (absolute, as hatchling has it: paths below it are named as
    reached, see :mod:`sdistguard.core.paths`); ``settings`` the validated ``[tool.sdistguard]``;
    ``use_gitignore`` is false when hatchling's ``ignore-vcs`` is set; ``log`` the build's findings
    log (keyed by code and path, so a path walked twice is reported once; a fresh one when omitted).
    Everything about hatchling's selection comes in with each walk's :class:`WalkFacts`.
    """

    def __init__(self, root: str, settings: Settings, *, use_gitignore: bool, log: FindingsLog | None = None) -> None:
        """Prepare a walker; nothing is read from disk, and git is not asked, until :meth:`walk` is iterated."""
        self.root = root
        self.root_real = os.path.realpath(root)
        self.settings = settings
        self.use_gitignore = use_gitignore
        self.log = log if log is not None else FindingsLog()
        self._context: WalkContext | None = None

    @property
    def findings(self) -> list[Finding]:
        """The log's findings (:meth:`FindingsLog.findings`); reading them runs nothing and changes nothing."""
        return self.log.findings()

    def open(self) -> WalkContext:
        """The walk's first step: ask git about the project (once per walker) and set up what visits share.

        Raises ``ConfigError`` under ``untracked = "exclude"`` when git cannot say what it tracks.
        """
        if self._context is None:
            oracle = IgnoreOracle(self.root, use_vcs=self.use_gitignore, untracked=self.settings.untracked)
            # An unpacked sdist was filtered when it was built: nothing in it is "untracked".
            if self.settings.untracked == "exclude" and oracle.mode not in ("git", "sdist"):
                raise ConfigError(
                    f'tool.sdistguard.untracked = "exclude" ships only what git tracks, but git cannot say: '
                    f'{oracle.unavailable}; build from a git checkout, or set untracked = "include" or "warn"'
                )
            self._context = WalkContext(self.settings, self.log, oracle)
            if oracle.note is not None:
                self.log.add(finding("git-unavailable", "./", oracle.note))
        return self._context

    def walk(self, top: str, facts: WalkFacts) -> Iterator[WalkedFile]:
        """Yield a :class:`WalkedFile` per file decided below ``top`` (absolute), in hatchling's order.

        Files come depth first, in sorted order, as hatchling's ``os.walk`` yields them; ``top`` is
        taken as asked (no marker check: it is the project root or a directory the user named).
        The boundary is the project root, or ``top`` itself when ``top`` lies outside it (resolved
        paths, :func:`sdistguard.core.paths.is_within`). Raises ``ConfigError`` (``untracked = "exclude"``
        without git) and what ``facts.decide`` raises.
        """
        top_real = os.path.realpath(top)
        boundary = self.root_real if is_within(top_real, self.root_real) else top_real
        project = relative_to(top, self.root)
        context = self.open()
        context.followed.clear()
        stack = [Visit(context, facts, top, facts.prefix, None if project is None else to_posix(project), top_real,
                       boundary)]
        while stack:
            visit = stack.pop()
            if not visit.run():
                continue
            yield from visit.files
            children = []
            for sub in visit.directories:
                child = visit.child(sub)
                if child is not None and (sub.link is None or visit.follow(sub.link)):
                    children.append(child)
            visit.release()
            stack.extend(reversed(children))  # depth first, in sorted order, as os.walk
        self.settle()

    def settle(self) -> None:
        """The walk's last step: name the ignore file and line of every path git left out (one
        ``git check-ignore`` call for all, :meth:`~sdistguard.git.ignores.IgnoreOracle.explain`), and note each
        submodule whose ignore files were read without git (SG108). Idempotent; :meth:`walk` calls it at
        its end. Raises nothing (git's failure leaves the generic detail)."""
        if self._context is None:
            return
        oracle = self._context.oracle
        pending = self.log.git_pending()
        if pending:
            self.log.resolve_git_sources(oracle.explain(pending))
        for path, note in oracle.notes:
            self.log.add(finding("git-unavailable", path, note))

    def ignore_line(self, path: str) -> str | None:
        """The ignore file, line and pattern (``"FILE:LINE: PATTERN"``) git names for ``path`` (project-relative
        POSIX), after a walk; else ``None``.

        Asks git (one ``git check-ignore``) in git's mode; raises nothing.
        """
        if self._context is None:
            return None
        decision = self._context.oracle.explain([path]).get(path)
        return None if decision is None else decision.source
