"""The guarded walk: hatchling's ``safe_walk`` with the rules applied while the tree is listed.

Top-down over ``os.scandir``, in sorted order (the order hatchling's ``os.walk`` gives, so the
members come out in the same order), with an explicit stack (no recursion limit on deep trees).
Decisions are taken per directory, from the listing the walk already has: a venv, a conda env, a
cache or a directory git ignores is never descended into, and nothing below it is opened or
stat'ed. What git ignores (and which files it does not track) is decided by
:class:`~sdistguard.ignores.IgnoreOracle`: git's own answer in a work tree (asked once per walker),
else sdistguard's engine with git's rules. A plain file costs no system call beyond the listing;
only links (to classify them), a regular ``CACHEDIR.TAG`` (its signature) and, without git, a
regular ``.gitignore`` (its patterns) are looked at.

Links are never followed out of the boundary (the project root, or a named directory outside it);
links inside it are followed, files and directories alike, so that the builders write them as
regular files and directories. Each directory link is followed at most once per walk, however many
paths reach it, so a link farm stays polynomial; a link to a directory on the path that reached it
is a cycle.

Data flows one way. The builder hands each walk its facts up front (:class:`WalkFacts`: hatchling's
relative path of the top, whether it is a force-include walk, whether artifacts are possible, the
private output directory) and one callback, :data:`Decide`, asked at most once per entry for
hatchling's :class:`Verdict` (distribution path, named by the user, pruned). The walk yields one
:class:`WalkedFile` per decided file, which the builder turns into hatchling's ``IncludedFile``
without deciding again. Findings are recorded only for what hatchling would have shipped (the
verdict's distribution path): a link that ``[tool.hatch.build] exclude`` drops anyway is not news.
"""

from __future__ import annotations

import errno
import operator
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import pathspec

from sdistguard.config import Settings
from sdistguard.credentials import credential_file_kind
from sdistguard.errors import ConfigError
from sdistguard.ignores import IGNORED_DIRECTORY, IGNORED_FILE, Decision, IgnoreOracle
from sdistguard.paths import is_within, relative_to
from sdistguard.patterns import could_match_below, to_posix
from sdistguard.rules import Code, Finding, RuleName, directory_junk, finding

__all__ = ["Decide", "EntryKind", "GuardedWalker", "Rescue", "Verdict", "WalkFacts", "WalkedFile"]

_name = operator.attrgetter("name")
_ROOT_VENV_PARTS = frozenset({"pyvenv.cfg", "bin", "lib", "lib64", "include", "Scripts", "Lib", "Include"})

Rescue = Literal["keep", "named"]
"""Why a file ships although a rule left it or its directory out: ``keep`` names it, or the user named it."""

EntryKind = Literal["file", "directory", "link"]
"""What a listed entry is, from its ``d_type``: ``"file"`` (also a special file), ``"directory"``, ``"link"``."""


class Verdict(NamedTuple):
    """hatchling's answer for one entry of the walk, given by the builder's :data:`Decide` callback.

    ``distribution_path``: where hatchling would ship the entry as a file (its path inside the
    artifact, platform separator), ``None`` when hatchling's own selection leaves it out (its
    fixed names, reserved paths, patterns) or for a directory. ``named``: the user named the entry
    (an artifact pattern, a reserved or forced path), so git's ignore rules do not take it and a
    link leaving the tree is followed; for a link, named as a file or as a directory. ``pruned``:
    (a directory or a link) hatchling never walks into it.
    """

    distribution_path: str | None = None
    named: bool = False
    pruned: bool = False


Decide = Callable[[str, EntryKind, bool], Verdict]
"""``decide(relative_path, kind, is_package) -> Verdict``: the builder's one question to hatchling per path.

``relative_path`` is hatchling's relative path of the entry (:attr:`WalkFacts.prefix` joined with
the path below the walk's top, platform separator); ``is_package`` whether its directory's listing
holds an ``__init__.py`` (hatchling's ``"__init__.py" in files``). The walk calls it at most once
per entry, and only for entries a rule has not already taken with their directory.
"""


@dataclass(frozen=True)
class WalkFacts:
    """What the builder knows before one walk; the walker never calls back for anything else.

    ``prefix``: hatchling's relative path of the walk's top (``""`` for the project walk, the
    inclusion map's target path for a named directory), platform separator. ``decide``: hatchling's
    per-entry answer (:data:`Decide`). ``forced``: a force-include walk (what the user named ships
    even when git does not track it). ``artifacts_possible``: hatchling has artifact patterns (config
    or build hooks), so files below a directory git ignores may come back. ``private``: the resolved
    path of the build's private output directory, never walked (``None`` outside a build).
    ``named``: the user named the walk's top (``force-include``, the wheel's ``shared-data``,
    ``shared-scripts``, ``extra-metadata``, or the same maps a build hook declares in its build data),
    so git's ignore rules and ``untracked`` do not apply below it, as hatchling applies no ignore
    file there: what the user named ships (a build hook's output in a git-ignored ``build/``). The
    other rules (venv and cache markers below the top, links, credential files, secrets) still apply.
    """

    prefix: str
    decide: Decide
    forced: bool = False
    artifacts_possible: bool = False
    private: str | None = None
    named: bool = False
    may_ship_below: Callable[[str], bool] | None = None
    """``(relative_directory) -> bool``: false when hatchling's patterns cannot select any file below
    the directory (an ``include`` list of anchored patterns that never reaches it); ``None``: always may."""
    tracked_dropped: Callable[[str, bool], str | None] | None = None
    """``(relative_path, is_package) -> "file:line: pattern" | None``: for a file git tracks that hatchling
    leaves out, the root ``.gitignore`` line that alone drops it (reported, SG109); ``None``: never asked."""


class WalkedFile(NamedTuple):
    """One file the walk decided: shipped, or left out by a sdistguard rule although hatchling would ship it.

    ``path``: absolute, as reached (it may pass through an in-tree link). ``relative_path``:
    hatchling's (:attr:`WalkFacts.prefix` joined with the path below the top, platform separator).
    ``project_path``: POSIX, relative to the project root, ``None`` outside it. ``distribution_path``:
    hatchling's path inside the artifact. ``left_out``: the code of the rule that left it out (the
    walk's finding names it, or its directory), ``None`` when it ships. ``rescued``: ``"keep"`` or
    ``"named"`` when it ships although an ignore rule or a marker left it or its directory out.
    Files hatchling's own selection leaves out get no record.
    """

    path: str
    relative_path: str
    project_path: str | None
    distribution_path: str
    left_out: Code | None = None
    rescued: Rescue | None = None


@dataclass
class _Step:
    """One directory to list: ``path`` as reached (absolute), ``relative`` hatchling's relative path
    (:attr:`WalkFacts.prefix` joined with the path below the top), ``project_relative`` POSIX or
    ``None`` outside the project, ``real`` resolved, ``boundary`` the resolved directory links may
    not leave."""

    path: str
    relative: str
    project_relative: str | None
    real: str
    boundary: str
    rescue: Rescue | None = None  # left out, walked only for: "keep" (markers), "named" (keep or artifacts)
    parent: _Step | None = None
    rescued: _Rescue | None = None  # the excluded directory this step lies in, walked for artifacts
    named: bool = False  # the user named this directory itself (hatchling's verdict)

    def leads_back(self, real: str) -> bool:
        """Whether the directory ``real`` holds this one or lies on the path that reached it."""
        step: _Step | None = self
        while step is not None:
            if is_within(step.real, real):
                return True
            step = step.parent
        return False


@dataclass
class _Rescue:
    """What became of the files below a directory a nested ``.gitignore`` excludes but artifacts may bring back."""

    code: Code
    left: int = 0
    size: int = 0
    shipped: int = 0


@dataclass(frozen=True)
class _DirectoryLink:
    """A directory link of a listing: its entry, the rule that reports it when followed, named by the user."""

    entry: os.DirEntry[str]
    rule: RuleName
    named: bool


@dataclass
class _Listing:
    is_package: bool
    files: list[WalkedFile] = field(default_factory=list)
    directories: list[tuple[str, str, str, _DirectoryLink | None, bool]] = field(default_factory=list)
    """name, real path, boundary, the link when the entry is a directory link, named by the user"""
    verdicts: dict[str, Verdict] = field(default_factory=dict)


class GuardedWalker:
    """Walks directories of one project with sdistguard's rules, and records what it leaves out.

    ``root`` is the project root (absolute, as hatchling has it: paths below it are named as
    reached, see :mod:`sdistguard.paths`); ``settings`` the validated ``[tool.sdistguard]``;
    ``use_gitignore`` is false when hatchling's ``ignore-vcs`` is set. Findings accumulate in
    :attr:`findings` (keyed by code and path, so a path walked twice is reported once). Everything
    about hatchling's selection comes in with each walk's :class:`WalkFacts`.
    """

    def __init__(self, root: str, settings: Settings, *, use_gitignore: bool) -> None:
        """Prepare a walker; nothing is read from disk until :meth:`walk` is iterated."""
        self.root = root
        self.root_real = os.path.realpath(root)
        self.settings = settings
        self.use_gitignore = use_gitignore
        self.keep = pathspec.GitIgnoreSpec.from_lines(settings.keep) if settings.keep else None
        allow = settings.allow_secrets
        self.allow_secrets = pathspec.GitIgnoreSpec.from_lines(allow) if allow else None
        self._findings: dict[tuple[str, str], Finding] = {}
        self._git_pending: set[tuple[str, str]] = set()  # (code, path) of findings whose ignore line git names
        self._rescues: dict[tuple[str, str], _Rescue] = {}
        self._followed: set[str] = set()
        self._untracked: dict[str, dict[str, int]] = {}  # directory -> {name: size} of untracked files shipped
        self._oracle: IgnoreOracle | None = None

    @property
    def oracle(self) -> IgnoreOracle:
        """git's ignore decisions for this project (git is asked once, at the first walk)."""
        if self._oracle is None:
            oracle = IgnoreOracle(self.root, use_vcs=self.use_gitignore, untracked=self.settings.untracked)
            # An unpacked sdist was filtered when it was built: nothing in it is "untracked".
            if self.settings.untracked == "exclude" and oracle.mode not in ("git", "sdist"):
                raise ConfigError(
                    f'tool.sdistguard.untracked = "exclude" ships only what git tracks, but git cannot say: '
                    f'{oracle.unavailable}; build from a git checkout, or set untracked = "include" or "warn"'
                )
            self._oracle = oracle
            if self._oracle.note is not None:
                self._add(finding("git-unavailable", "./", self._oracle.note))
        return self._oracle

    @property
    def findings(self) -> list[Finding]:
        """Everything left out or rewritten so far, in walk order; reading it runs nothing and changes nothing.

        A directory a nested ``.gitignore`` excludes but artifacts bring files back from is
        reported with the files it left out and how many came back; not at all when every file came back.
        The ignore lines git names are there once :meth:`settle` ran (every walk ends with it).
        """
        findings = []
        for key, found in self._findings.items():
            rescue = self._rescues.get(key)
            if rescue is None:
                findings.append(found)
            elif rescue.left:  # a file hatchling would ship was left out (not when all came back or none was wanted)
                back = f"; {rescue.shipped} file(s) below brought back by artifacts" if rescue.shipped else ""
                findings.append(Finding(found.code, found.path, found.detail + back, rescue.left, rescue.size))
        findings.extend(self._untracked_findings())
        return findings

    def settle(self) -> None:
        """The walk's last step: name the ignore file and line of every path git left out (one
        ``git check-ignore`` call for all, :meth:`~sdistguard.ignores.IgnoreOracle.explain`), and note each
        submodule whose ignore files were read without git (SG108). Idempotent; :meth:`walk` calls it at
        its end. Raises nothing (git's failure leaves the generic detail)."""
        if self._git_pending:
            pending = sorted(self._git_pending)
            self._git_pending.clear()
            sources = self.oracle.explain([path for _, path in pending])
            for key in pending:
                found = self._findings[key]
                detail = sources.get(found.path) or (IGNORED_DIRECTORY if found.path.endswith("/") else IGNORED_FILE)
                self._findings[key] = Finding(found.code, found.path, detail, found.files, found.size)
        if self._oracle is not None:
            for path, note in self._oracle.notes:
                self._add(finding("git-unavailable", path, note))

    def _decided(self, decision: Decision, found: Finding) -> None:
        """Record ``found``, the finding of ``decision``; its ignore line is asked at :meth:`settle`."""
        self._add(found)
        if decision.git_source:
            self._git_pending.add((found.code, found.path))

    def _untracked_findings(self) -> list[Finding]:
        """``untracked = "warn"``: one finding per directory holding untracked files that ship."""
        result = []
        for directory, sizes in self._untracked.items():
            files = list(sizes.items())
            size = sum(sizes.values())
            if len(files) == 1:
                path = _join(directory, files[0][0])
                result.append(finding("untracked", path, "not tracked by git", files=1, size=size))
                continue
            names = ", ".join(name for name, _ in files[:5]) + (", ..." if len(files) > 5 else "")
            path = directory + "/" if directory else "./"
            result.append(finding("untracked", path, f"{len(files)} files not tracked by git: {names}",
                                  files=len(files), size=size))
        return result

    def walk(self, top: str, facts: WalkFacts) -> Iterator[WalkedFile]:
        """Yield a :class:`WalkedFile` per file decided below ``top`` (absolute), in hatchling's order.

        Files come depth first, in sorted order, as hatchling's ``os.walk`` yields them; ``top`` is
        taken as asked (no marker check: it is the project root or a directory the user named).
        The boundary is the project root, or ``top`` itself when ``top`` lies outside it (resolved
        paths, :func:`sdistguard.paths.is_within`). Raises ``ConfigError`` (``untracked = "exclude"``
        without git) and what ``facts.decide`` raises.
        """
        top_real = os.path.realpath(top)
        boundary = self.root_real if is_within(top_real, self.root_real) else top_real
        self._followed.clear()
        project = relative_to(top, self.root)
        stack = [_Step(top, facts.prefix, None if project is None else to_posix(project), top_real, boundary)]
        self.oracle  # noqa: B018 - git is asked before the first listing
        while stack:
            step = stack.pop()
            listing = self._list(step, facts)
            if listing is None:
                continue
            yield from listing.files
            children = []
            for name, real, boundary, link, named in listing.directories:
                child = self._child(step, name, real, boundary, named, facts)
                if child is not None and (link is None or self._follow(step, link, listing)):
                    children.append(child)
            stack.extend(reversed(children))  # depth first, in sorted order, as os.walk
        self.settle()

    def _follow(self, step: _Step, link: _DirectoryLink, listing: _Listing) -> bool:
        """Whether to walk a directory link that no rule left out: the first time only (else SG205).

        Counted only once the link is really walked: a link pruned or excluded where it was
        first seen is not "followed", and reaching it again is no repeat.
        """
        location = os.path.join(step.real, link.entry.name)
        if location in self._followed:
            self._add_link(step, link.entry, "link-repeat", listing, is_dir=True)
            return False
        self._followed.add(location)  # each link once per walk, however many paths reach it
        self._add_link(step, link.entry, link.rule, listing, is_dir=True, named=link.named)
        return True

    def _child(self, parent: _Step, name: str, real: str, boundary: str, named: bool,
               facts: WalkFacts) -> _Step | None:
        """Decide on a subdirectory before listing it: left out by git's ignore rules (or as untracked)?"""
        project_relative = None if parent.project_relative is None else _join(parent.project_relative, name)
        child = _Step(os.path.join(parent.path, name), os.path.join(parent.relative, name), project_relative, real,
                      boundary, parent.rescue, parent, parent.rescued, named)
        if project_relative is None or child.rescue or facts.named or self._kept(project_relative, is_dir=True):
            return child
        decision = self.oracle.directory(project_relative, forced=facts.forced)
        if decision is None:
            return child
        excluded = finding(decision.rule, project_relative + "/", decision.detail)
        rescue = self._may_rescue(project_relative, artifacts=facts.artifacts_possible)
        if not rescue and not self._ships_below(child.path, child.relative, boundary, facts):
            return None  # hatchling would ship nothing below it: left out, and no news
        self._decided(decision, excluded)
        if rescue:
            child.rescue = "named"  # artifacts win over exclusion patterns, as in hatchling
            child.rescued = self._rescues.setdefault((excluded.code, excluded.path), _Rescue(excluded.code))
            return child
        return None

    def _ships_below(self, path: str, relative: str, boundary: str, facts: WalkFacts) -> bool:
        """Whether hatchling would ship any file below the directory ``path`` (hatchling's ``relative``).

        A rule's finding about a directory left out whole is news only then: with an ``include``
        list that never reaches a ``venv/``, hatchling would not ship it either. hatchling's verdicts
        alone decide (its pruned directories are skipped); links inside ``boundary`` are followed,
        each target once. Stops at the first file hatchling would ship, so a directory hatchling
        would ship costs one listing.
        """
        if facts.may_ship_below is not None and not facts.may_ship_below(relative):
            return False  # hatchling's patterns cannot reach below it: nothing is listed
        stack = [(path, relative)]
        seen: set[str] = set()
        decide = facts.decide
        while stack:
            directory, below = stack.pop()
            try:
                with os.scandir(directory) as iterator:
                    entries = sorted(iterator, key=_name)
            except OSError:
                continue
            is_package = any(entry.name == "__init__.py" for entry in entries)
            for entry in entries:  # regular files first: their d_type suffices, no stat
                if entry.is_file(follow_symlinks=False) and decide(
                    os.path.join(below, entry.name), "file", is_package
                ).distribution_path is not None:
                    return True
            directories = []
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    continue
                child = os.path.join(below, entry.name)
                link = entry.is_symlink()
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    if decide(child, "link" if link else "file", is_package).distribution_path is not None:
                        return True
                    continue
                if link:
                    real = os.path.realpath(entry.path)
                    if not is_within(real, boundary) or real in seen:
                        continue
                    seen.add(real)
                if not decide(child, "link" if link else "directory", is_package).pruned:
                    directories.append((entry.path, child))
            stack.extend(reversed(directories))
        return False

    def _verdict(self, step: _Step, entry: os.DirEntry[str], listing: _Listing, facts: WalkFacts) -> Verdict:
        """hatchling's verdict on one entry: ``facts.decide`` asked once per entry, remembered in the listing."""
        verdict = listing.verdicts.get(entry.name)
        if verdict is None:
            kind: EntryKind = ("link" if entry.is_symlink() else
                               "directory" if entry.is_dir(follow_symlinks=False) else "file")
            verdict = facts.decide(os.path.join(step.relative, entry.name), kind, listing.is_package)
            listing.verdicts[entry.name] = verdict
        return verdict

    def _list(self, step: _Step, facts: WalkFacts) -> _Listing | None:
        """List one directory, apply the directory rules, then decide on its entries (files and dirs)."""
        try:
            with os.scandir(step.path) as iterator:
                entries = sorted(iterator, key=_name)
        except OSError as error:
            rule: RuleName = "path-too-long" if error.errno == errno.ENAMETOOLONG else "unreadable"
            self._add(finding(rule, self._report_path(step, "", is_dir=True), error.strerror or ""))
            return None

        regular = {entry.name for entry in entries if entry.is_file(follow_symlinks=False)}
        if step.parent is not None and not step.rescue and not self._directory_kept(step):
            directories = {entry.name for entry in entries if entry.is_dir(follow_symlinks=False)}
            junk = directory_junk(step.path, regular, directories)  # the auditor's detector too
            if junk is not None:
                if not self._ships_below(step.path, step.relative, step.boundary, facts):
                    return None  # hatchling would ship nothing below it: left out, and no news
                self._add(finding(junk[0], self._report_path(step, "", is_dir=True), junk[1]))
                if not self._may_rescue(step.project_relative, artifacts=False):
                    return None
                step.rescue = "keep"  # walked only for what `keep` names below it

        if ".gitignore" in regular and self._ignores_itself(step, entries, facts):
            return None

        if step.project_relative == "" and "pyvenv.cfg" in regular:
            entries = self._without_root_venv_parts(entries)

        listing = _Listing(is_package=any(_is_init_file(entry) for entry in entries))
        plain = not step.rescue and (  # no ignore rule or keep applies: a regular file is taken
            step.project_relative is None or facts.named
            or not self.oracle.applies(step.project_relative))
        decide, relative, is_package = facts.decide, step.relative, listing.is_package
        for entry in entries:
            if self._credential_file(step, entry, listing, facts):
                continue
            if plain and entry.name in regular:
                name = entry.name
                relative_path = f"{relative}{os.sep}{name}" if relative else name
                distribution_path = decide(relative_path, "file", is_package).distribution_path
                if distribution_path is not None:
                    project = step.project_relative
                    listing.files.append(WalkedFile(
                        f"{step.path}{os.sep}{name}", relative_path,
                        None if project is None else f"{project}/{name}" if project else name, distribution_path))
            else:
                self._sort_entry(step, entry, listing, facts)
        return listing

    def _take(self, step: _Step, entry: os.DirEntry[str], verdict: Verdict, listing: _Listing,
              rescued: Rescue | None = None) -> None:
        """Record a file the rules take: it ships when hatchling's own selection ships it."""
        if verdict.distribution_path is not None:
            listing.files.append(WalkedFile(
                os.path.join(step.path, entry.name), os.path.join(step.relative, entry.name),
                None if step.project_relative is None else _join(step.project_relative, entry.name),
                verdict.distribution_path, None, rescued))

    def _leave_out(self, step: _Step, entry: os.DirEntry[str], verdict: Verdict, listing: _Listing,
                   code: Code) -> None:
        """Record a file a rule left out although hatchling would ship it (``code`` the rule's)."""
        if verdict.distribution_path is not None:
            listing.files.append(WalkedFile(
                os.path.join(step.path, entry.name), os.path.join(step.relative, entry.name),
                None if step.project_relative is None else _join(step.project_relative, entry.name),
                verdict.distribution_path, code))

    def _credential_file(self, step: _Step, entry: os.DirEntry[str], listing: _Listing, facts: WalkFacts) -> bool:
        """Whether ``entry`` is a credential store (:func:`~sdistguard.credentials.credential_file_kind`) left out.

        Left out unless ``keep`` or ``allow-secrets`` names it; reported as SG601 when hatchling would have
        shipped it. In an unpacked sdist (the ignore oracle's ``"sdist"`` mode: a PKG-INFO at the root) it
        ships, as the sdist's author built it, reported as SG604. A file
        git's ignore rules leave out is theirs to report (SG104, with the ignore file and line).
        Costs no system call for a plain file (the name decides). Outside the project the path
        as reached decides (its last two components).
        """
        if entry.is_dir(follow_symlinks=False):
            return False
        kind = credential_file_kind(to_posix(entry.path) if step.project_relative is None
                                    else _join(step.project_relative, entry.name))
        if kind is None:
            return False
        if step.project_relative is not None:
            path = _join(step.project_relative, entry.name)
            allowed = self.allow_secrets is not None and self.allow_secrets.match_file(path)
            if allowed or self._kept(path, is_dir=False):
                return False  # one acknowledgement per path: allow-secrets accepts SG601 as it accepts SG602
            if not facts.named and self.oracle.applies(step.project_relative):
                decision = self.oracle.file(path)
                if decision is not None and decision.leaves_out:
                    return False  # git's ignore rules decide first, with their source (SG104)
            if self.oracle.mode == "sdist" and not step.rescue:  # rebuilding an unpacked sdist keeps its files
                if self._reportable(step, entry, listing, facts):
                    self._add(finding("credential-file-shipped", self._report_path(step, entry.name), kind,
                                      files=1, size=_size(entry)))
                return False
        if self._reportable(step, entry, listing, facts):
            found = finding("credential-file", self._report_path(step, entry.name),
                            f"{kind}; left out unless [tool.sdistguard] keep or allow-secrets names it",
                            files=1, size=_size(entry))
            self._add(found)
            self._leave_out(step, entry, self._verdict(step, entry, listing, facts), listing, found.code)
        return True

    def _without_root_venv_parts(self, entries: list[os.DirEntry[str]]) -> list[os.DirEntry[str]]:
        """The project root's listing without its venv's parts, when the root is a venv (``python -m venv .``).

        The project is still built; ``bin/ lib/ lib64/ include/ Scripts/ Lib/ Include/`` and
        ``pyvenv.cfg`` itself (PEP 405's layout, POSIX and Windows) are left out, each an SG101
        finding, unless ``keep`` names them. Neither listed nor followed (``lib64 -> lib``).
        """
        kept = []
        for entry in entries:
            is_dir = entry.name != "pyvenv.cfg"
            if entry.name in _ROOT_VENV_PARTS and not self._kept(entry.name, is_dir=is_dir):
                path = entry.name + ("/" if is_dir else "")
                self._add(finding("venv", path, "part of the venv at the project root (pyvenv.cfg)"))
            else:
                kept.append(entry)
        return kept

    def _ignores_itself(self, step: _Step, entries: list[os.DirEntry[str]], facts: WalkFacts) -> bool:
        """True when the directory's own ``.gitignore`` leaves out every entry (uv's and pytest's ``*``).

        Such a directory is reported once, as a directory, instead of entry by entry. Only a
        regular file is read: like git (>= 2.32), a ``.gitignore`` that is a link is not followed,
        and a FIFO of that name is never opened.
        """
        if not step.project_relative or step.rescue or facts.named or self._may_rescue(
            step.project_relative, artifacts=facts.artifacts_possible
        ):
            return False
        decision = self.oracle.ignores_itself(step.project_relative, entries)
        if decision is None:
            return False
        if not self._ships_below(step.path, step.relative, step.boundary, facts):
            return True  # hatchling would ship nothing below it: left out, and no news
        self._decided(decision, finding(decision.rule, step.project_relative + "/", decision.detail))
        return True

    def _sort_entry(self, step: _Step, entry: os.DirEntry[str], listing: _Listing, facts: WalkFacts) -> None:
        """File, directory, link or special file: decided from ``d_type``, so a plain entry costs no ``stat``."""
        if entry.is_file(follow_symlinks=False):
            self._file_selected(step, entry, listing, facts)
        elif entry.is_dir(follow_symlinks=False):
            real = os.path.join(step.real, entry.name)
            if real != facts.private:
                verdict = self._verdict(step, entry, listing, facts)
                if not verdict.pruned:
                    listing.directories.append((entry.name, real, step.boundary, None, verdict.named))
        elif entry.is_symlink():
            self._sort_link(step, entry, listing, facts)
        elif self._reportable(step, entry, listing, facts):
            found = finding("special-file", self._report_path(step, entry.name), _special_kind(entry))
            self._add(found)
            self._leave_out(step, entry, self._verdict(step, entry, listing, facts), listing, found.code)

    def _sort_link(self, step: _Step, entry: os.DirEntry[str], listing: _Listing, facts: WalkFacts) -> None:
        """Follow a link inside the boundary (as a file or a directory); leave any other out.

        A link leaving the boundary is followed only when the user named the link itself (an
        artifact pattern, a forced path); it is still reported as SG201, content from outside. A
        link inside a named directory is not named by that: the rules apply to it.
        """
        kind, real = self._classify_link(entry.path, step)
        boundary = step.boundary
        rewritten: RuleName = "link-rewritten"
        verdict = self._verdict(step, entry, listing, facts)
        if kind == "external-link" and verdict.named and not step.named:
            kind = "file" if os.path.isfile(entry.path) else "directory" if os.path.isdir(entry.path) else kind
            boundary = real  # a named directory outside the tree is its own boundary
            rewritten = "external-link"
        named = rewritten == "external-link"
        if kind == "file":
            if self._file_selected(step, entry, listing, facts):
                self._add_link(step, entry, rewritten, listing, named=named, verdict=verdict)
        elif kind == "directory":  # reported, and followed at most once, when the walk takes it
            if not verdict.pruned:
                listing.directories.append((entry.name, real, boundary, _DirectoryLink(entry, rewritten, named),
                                            verdict.named))
        else:
            self._add_link(step, entry, kind, listing, verdict=verdict, left_out=True)

    def _add_link(self, step: _Step, entry: os.DirEntry[str], rule: RuleName, listing: _Listing, *,
                  is_dir: bool = False, named: bool = False, verdict: Verdict | None = None,
                  left_out: bool = False) -> None:
        """Report a link: a directory link when the walk reaches it, a file link when hatchling would ship it.

        A file link ``left_out`` (dangling, a cycle, leaving the tree unnamed) also gets its left-out record.
        """
        if step.rescue and not (is_dir and named):
            return  # below a directory left out whole: its links are not written at all
        if not is_dir and (verdict is None or verdict.distribution_path is None):
            return
        path = self._report_path(step, entry.name, is_dir=is_dir)
        note = "; named by artifacts: shipped as content" if named else ""  # taken although it leaves the tree
        found = finding(rule, path, f"-> {_link_detail(entry.path)}{note}")
        self._add(found)
        if left_out and verdict is not None:
            self._leave_out(step, entry, verdict, listing, found.code)

    def _reportable(self, step: _Step, entry: os.DirEntry[str], listing: _Listing, facts: WalkFacts) -> bool:
        """Whether leaving this file out is news: hatchling would ship it, and no rule already took its directory."""
        if step.rescue:
            return False
        return self._verdict(step, entry, listing, facts).distribution_path is not None

    def _file_selected(self, step: _Step, entry: os.DirEntry[str], listing: _Listing, facts: WalkFacts) -> bool:
        """Apply git's ignore decisions (and ``keep``, and ``untracked``) to one file (or file link) of the listing.

        Returns whether the rules take it; a taken file is recorded (it ships when hatchling
        ships it), a file left out with a finding gets its left-out record.
        """
        verdict = self._verdict(step, entry, listing, facts)
        if step.project_relative is None:
            taken = step.rescue is None or (step.rescue == "named" and verdict.named)
            if taken:
                self._take(step, entry, verdict, listing, "named" if step.rescue else None)
            return taken
        project_relative = _join(step.project_relative, entry.name)
        if self._kept(project_relative, is_dir=False):
            self._take(step, entry, verdict, listing, "keep" if step.rescue else None)
            return True
        if step.rescue:
            taken = step.rescue == "named" and verdict.named
            if step.rescued is not None:
                self._count_rescue(step.rescued, taken, step, entry, verdict, listing)
            if taken:
                self._take(step, entry, verdict, listing, "named")
            return taken
        decision = None if facts.named else self.oracle.file(project_relative, forced=facts.forced)
        if decision is None:
            if verdict.distribution_path is None and facts.tracked_dropped is not None:
                self._tracked_dropped(step, entry, listing, facts.tracked_dropped, project_relative)
            self._take(step, entry, verdict, listing)
            return True
        if not decision.leaves_out:  # untracked = "warn": shipped, reported per directory
            if verdict.distribution_path is not None:
                self._untracked.setdefault(step.project_relative, {})[entry.name] = _size(entry)
            self._take(step, entry, verdict, listing)
            return True
        if verdict.named:
            self._take(step, entry, verdict, listing, "named")
            return True
        if verdict.distribution_path is not None:
            found = finding(decision.rule, project_relative, decision.detail, files=1, size=_size(entry))
            self._decided(decision, found)
            self._leave_out(step, entry, verdict, listing, found.code)
        return False

    def _tracked_dropped(self, step: _Step, entry: os.DirEntry[str], listing: _Listing,
                         check: Callable[[str, bool], str | None], project_relative: str) -> None:
        """Report a file git tracks that hatchling's reading of the root ``.gitignore`` leaves out (SG109)."""
        if not self.oracle.tracks(project_relative):
            return
        line = check(os.path.join(step.relative, entry.name), listing.is_package)
        if line is not None:
            self._add(finding("tracked-ignored-by-hatchling", project_relative, f"by {line}; git tracks it",
                              files=1, size=_size(entry)))

    def _count_rescue(self, rescue: _Rescue, taken: bool, step: _Step, entry: os.DirEntry[str], verdict: Verdict,
                      listing: _Listing) -> None:
        """Count one file below an excluded directory: brought back by artifacts, or left out."""
        if taken:
            rescue.shipped += 1
        elif verdict.distribution_path is not None:
            rescue.left += 1
            rescue.size += _size(entry)
            self._leave_out(step, entry, verdict, listing, rescue.code)

    def _classify_link(self, path: str, step: _Step) -> tuple[RuleName | Literal["file", "directory"], str]:
        """Classify a link without following it out of the boundary.

        Returns ``(kind, resolved)`` with kind ``external-link``, ``dangling-link``, ``link-cycle``,
        ``special-file``, ``file`` or ``directory``.
        """
        resolved = os.path.realpath(path)
        if not is_within(resolved, step.boundary):
            return "external-link", resolved
        try:
            mode = os.stat(path).st_mode
        except OSError as error:
            return ("link-cycle" if error.errno == errno.ELOOP else "dangling-link"), resolved
        if stat.S_ISDIR(mode):
            if step.leads_back(resolved):  # the target holds the link, or led to it: an endless loop
                return "link-cycle", resolved
            return "directory", resolved
        if stat.S_ISREG(mode):
            return "file", resolved
        return "special-file", resolved

    def report(self, new: Finding) -> None:
        """Record a finding taken outside the walk (by the builder); the first one per code and path wins."""
        self._findings.setdefault((new.code, new.path), new)

    _add = report

    def _kept(self, project_relative: str, *, is_dir: bool) -> bool:
        if self.keep is None:
            return False
        return bool(self.keep.match_file(project_relative + ("/" if is_dir else "")))

    def _directory_kept(self, step: _Step) -> bool:
        return step.project_relative is not None and self._kept(step.project_relative, is_dir=True)

    def _may_rescue(self, project_relative: str | None, *, artifacts: bool) -> bool:
        """Whether something below a left-out directory may still be wanted, so it must be walked.

        ``keep`` patterns can reach below any rule; hatchling's artifacts win over exclusion
        patterns (not over the venv and cache markers: ``artifacts`` is false for those), so with
        artifacts possible the walk goes on in rescue-only mode, taking what hatchling's verdict names.
        """
        if project_relative is None:
            return False
        if self.settings.keep and could_match_below(self.settings.keep, project_relative):
            return True
        return artifacts

    def _report_path(self, step: _Step, name: str, *, is_dir: bool = False) -> str:
        """The path a finding names: relative to the project root, or absolute outside it."""
        if step.project_relative is not None:
            path = _join(step.project_relative, name)
        else:
            path = to_posix(os.path.join(step.path, name))
        return path + "/" if is_dir and path else path


def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent and name else parent or name


def _is_init_file(entry: os.DirEntry[str]) -> bool:
    """hatchling's ``"__init__.py" in files`` of ``os.walk``: any entry of that name but a directory (or a link to one).

    A broken entry (``stat`` fails) counts as a file, as ``os.walk`` lists it among the files.
    """
    if entry.name != "__init__.py":
        return False
    try:
        return not entry.is_dir()
    except OSError:
        return True


def _link_detail(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""


def _size(entry: os.DirEntry[str]) -> int:
    try:
        return entry.stat(follow_symlinks=False).st_size
    except OSError:
        return 0


def _special_kind(entry: os.DirEntry[str]) -> str:
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return "special file"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    return "special file"
