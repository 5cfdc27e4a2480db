"""One directory of the guarded walk, decided top-down: its listing, the registry's rules, git, hatchling's verdict.

A :class:`Visit` is one directory the walk lists, with everything decided about it; :meth:`Visit.run`
takes the stages in order, as scikit-build-core's file selection reads (``each_unignored_file`` walks,
``match_path`` decides one path):

1. **the listing**: ``os.scandir``, sorted (hatchling's ``os.walk`` order); a directory that cannot be
   listed is a finding (SG unreadable, path-too-long);
2. **the registry's rules on the directory**: the junk detector (:func:`sdistguard.rules.directory_junk`:
   a venv, a conda env, a cache), then the venv at the project root (its parts, by name);
3. **git on the directory**: a ``.gitignore`` that leaves out everything (uv's and pytest's ``*``);
4. **each entry**: the registry's rule on credential files, then git's decision on the file (and
   ``keep``, ``untracked``), then hatchling's :class:`~sdistguard.walk.facts.Verdict` (asked at most once
   per entry) says whether the file ships and where. A plain regular file where no ignore rule applies
   costs no system call and goes straight to hatchling's verdict.

Subdirectories are decided before they are listed (:meth:`Visit.child`: git's decision on the
directory), directory links when the walk takes them (:meth:`Visit.follow`); what the disk says about a link is
:func:`sdistguard.walk.links.disk_link`'s. :func:`ships_below` says
whether hatchling would ship anything below a directory a rule leaves out whole (else that is no news).
What every visit of one walker shares (the findings log, git's answers, ``keep``) is a :class:`WalkContext`.
"""

from __future__ import annotations

import errno
import operator
import os
import stat
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pathspec

from sdistguard.core.config import Settings
from sdistguard.core.paths import is_within
from sdistguard.core.patterns import could_match_below, to_posix
from sdistguard.git.ignores import Decision, IgnoreOracle, ignored_by
from sdistguard.rules import Finding, directory_junk, finding
from sdistguard.rules.credentials import credential_file_kind
from sdistguard.rules.markers import junk_evidence
from sdistguard.rules.model import Record
from sdistguard.walk.facts import EntryKind, Rescue, Verdict, WalkedFile, WalkFacts
from sdistguard.walk.log import FindingsLog, RescueCount

if TYPE_CHECKING:
    from sdistguard.rules import Code, RuleName
    from sdistguard.rules.files import SpecialKind
    from sdistguard.walk.links import DirectoryLink

__all__ = ["Subdirectory", "Visit", "WalkContext", "ships_below"]

_name = operator.attrgetter("name")
_ROOT_VENV_PARTS = frozenset({"pyvenv.cfg", "bin", "lib", "lib64", "include", "Scripts", "Lib", "Include"})


class WalkContext:
    """What every visit of one walker shares: the findings log, git's answers, ``keep`` and ``allow-secrets``.

    ``settings`` the validated ``[tool.sdistguard]``; ``log`` the build's :class:`FindingsLog`;
    ``oracle`` git's ignore decisions for the project. :attr:`followed` holds the directory links
    walked so far (cleared per walk). Raises nothing.
    """

    def __init__(self, settings: Settings, log: FindingsLog, oracle: IgnoreOracle) -> None:
        """Compile ``keep`` and ``allow-secrets`` once per walker."""
        self.log = log
        self.oracle = oracle
        self.keep_patterns = settings.keep
        self.keep = pathspec.GitIgnoreSpec.from_lines(settings.keep) if settings.keep else None
        allow = settings.allow_secrets
        self.allow_secrets = pathspec.GitIgnoreSpec.from_lines(allow) if allow else None
        self.followed: set[str] = set()

    def kept(self, project_relative: str, *, is_dir: bool) -> bool:
        """Whether ``keep`` names the path (project-relative POSIX)."""
        if self.keep is None:
            return False
        return bool(self.keep.match_file(project_relative + ("/" if is_dir else "")))

    def may_rescue(self, project_relative: str | None, *, artifacts: bool) -> bool:
        """Whether something below a left-out directory may still be wanted, so it must be walked.

        ``keep`` patterns can reach below any rule; hatchling's artifacts win over exclusion
        patterns (not over the venv and cache markers: ``artifacts`` is false for those), so with
        artifacts possible the walk goes on in rescue-only mode, taking what hatchling's verdict names.
        """
        if project_relative is None:
            return False
        if self.keep_patterns and could_match_below(self.keep_patterns, project_relative):
            return True
        return artifacts


class Subdirectory(Record):
    """A directory of a listing the walk may descend into: its ``name``, ``real`` (resolved) path, the
    ``boundary`` links below it may not leave, the ``link`` when it is a directory link, ``named`` by the user."""

    __slots__ = ("boundary", "link", "name", "named", "real")

    name: str
    real: str
    boundary: str
    link: DirectoryLink | None
    named: bool

    def __init__(self, name: str, real: str, boundary: str, link: DirectoryLink | None, named: bool) -> None:
        _set = object.__setattr__
        _set(self, "name", name)
        _set(self, "real", real)
        _set(self, "boundary", boundary)
        _set(self, "link", link)
        _set(self, "named", named)


class Visit:
    """One directory of the walk, and what was decided about it and its entries.

    ``path`` as reached (absolute), ``relative`` hatchling's relative path
    (:attr:`~sdistguard.walk.facts.WalkFacts.prefix` joined with the path below the top),
    ``project_relative`` POSIX or ``None`` outside the project, ``real`` resolved, ``boundary`` the
    resolved directory links may not leave. ``rescue``: the directory was left out and is walked
    only for ``"keep"`` (markers) or ``"named"`` (keep or artifacts); ``rescued`` the count of the
    excluded directory it lies in; ``named``: the user named this directory itself (hatchling's
    verdict). After :meth:`run`: :attr:`files` (the decided records) and :attr:`directories`.
    """

    def __init__(self, context: WalkContext, facts: WalkFacts, path: str, relative: str,
                 project_relative: str | None, real: str, boundary: str, *, parent: Visit | None = None,
                 rescue: Rescue | None = None, rescued: RescueCount | None = None, named: bool = False) -> None:
        """A directory to list; nothing is read until :meth:`run`."""
        self.context = context
        self.facts = facts
        self.path = path
        self.relative = relative
        self.project_relative = project_relative
        self.real = real
        self.boundary = boundary
        self.parent = parent
        self.rescue = rescue
        self.rescued = rescued
        self.named = named
        self.is_package = False
        self.files: list[WalkedFile] = []
        self.directories: list[Subdirectory] = []
        self._verdicts: dict[str, Verdict] = {}

    # --- the stages, top-down ---

    def run(self) -> bool:
        """List the directory and decide on it, then on each entry; ``False`` when it is left out whole.

        Fills :attr:`files` and :attr:`directories`. Raises what ``facts.decide`` raises.
        """
        entries = self._listing()
        if entries is None:
            return False
        regular = {entry.name for entry in entries if entry.is_file(follow_symlinks=False)}
        if not self._directory_rules(entries, regular):
            return False
        if ".gitignore" in regular and self._ignores_itself(entries):
            return False
        if self.project_relative == "" and "pyvenv.cfg" in regular:
            entries = self._without_root_venv_parts(entries)
        self.is_package = any(_is_init_file(entry) for entry in entries)
        self._entries(entries, regular)
        return True

    def _listing(self) -> list[os.DirEntry[str]] | None:
        """Stage 1: the directory's entries in sorted order; ``None`` (and a finding) when it cannot be listed."""
        try:
            with os.scandir(self.path) as iterator:
                return sorted(iterator, key=_name)
        except OSError as error:
            rule: RuleName = "path-too-long" if error.errno == errno.ENAMETOOLONG else "unreadable"
            self.context.log.add(finding(rule, self._report_path("", is_dir=True), error.strerror or ""))
            return None

    def _directory_rules(self, entries: list[os.DirEntry[str]], regular: set[str]) -> bool:
        """Stage 2: the registry's junk detector on the directory; ``False`` when it is left out whole.

        The walk's top is taken as asked; a directory ``keep`` names is not judged. A junk directory
        is walked on only for what ``keep`` names below it.
        """
        if self.parent is None or self.rescue or self._directory_kept():
            return True
        directories = {entry.name for entry in entries if entry.is_dir(follow_symlinks=False)}
        junk = directory_junk(self.path, regular, directories)  # the auditor's detector too
        if junk is None:
            return True
        if not ships_below(self.path, self.relative, self.boundary, self.facts):
            return False  # hatchling would ship nothing below it: left out, and no news
        path = self._report_path("", is_dir=True)
        from sdistguard.rules.evidence import finding_with

        self.context.log.add(finding_with(junk[0], path, junk[1], *junk_evidence(junk[1], os.path.basename(self.path))))
        if not self.context.may_rescue(self.project_relative, artifacts=False):
            return False
        self.rescue = "keep"  # walked only for what `keep` names below it
        return True

    def _ignores_itself(self, entries: list[os.DirEntry[str]]) -> bool:
        """Stage 3: True when the directory's own ``.gitignore`` leaves out every entry (uv's and pytest's ``*``).

        Such a directory is reported once, as a directory, instead of entry by entry. Only a
        regular file is read: like git (>= 2.32), a ``.gitignore`` that is a link is not followed,
        and a FIFO of that name is never opened.
        """
        facts = self.facts
        if not self.project_relative or self.rescue or facts.named or self.context.may_rescue(
            self.project_relative, artifacts=facts.artifacts_possible
        ):
            return False
        decision = self.context.oracle.ignores_itself(self.project_relative, entries)
        if decision is None:
            return False
        if not ships_below(self.path, self.relative, self.boundary, facts):
            return True  # hatchling would ship nothing below it: left out, and no news
        self._decided(decision, self.project_relative + "/")
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
            if entry.name in _ROOT_VENV_PARTS and not self.context.kept(entry.name, is_dir=is_dir):
                path = entry.name + ("/" if is_dir else "")
                self.context.log.add(finding("venv", path, "part of the venv at the project root (pyvenv.cfg)"))
            else:
                kept.append(entry)
        return kept

    def _entries(self, entries: list[os.DirEntry[str]], regular: set[str]) -> None:
        """Stage 4: each entry, through the credential rule, then git, then hatchling's verdict.

        Where no ignore rule or ``keep`` applies, a regular file goes straight to hatchling's verdict.
        """
        facts = self.facts
        project = self.project_relative
        plain = not self.rescue and (project is None or facts.named or not self.context.oracle.applies(project))
        decide, relative, is_package, path, files = facts.decide, self.relative, self.is_package, self.path, self.files
        for entry in entries:
            if self._credential_file(entry):
                continue
            if plain and entry.name in regular:
                name = entry.name
                relative_path = f"{relative}{os.sep}{name}" if relative else name
                distribution_path = decide(relative_path, "file", is_package).distribution_path
                if distribution_path is not None:
                    files.append(WalkedFile(
                        f"{path}{os.sep}{name}", relative_path,
                        None if project is None else f"{project}/{name}" if project else name, distribution_path))
            else:
                self._sort_entry(entry)

    # --- one entry ---

    def _verdict(self, entry: os.DirEntry[str]) -> Verdict:
        """hatchling's verdict on one entry: ``facts.decide`` asked once per entry, remembered in the visit."""
        verdict = self._verdicts.get(entry.name)
        if verdict is None:
            kind: EntryKind = ("link" if entry.is_symlink() else
                               "directory" if entry.is_dir(follow_symlinks=False) else "file")
            verdict = self.facts.decide(os.path.join(self.relative, entry.name), kind, self.is_package)
            self._verdicts[entry.name] = verdict
        return verdict

    def _credential_file(self, entry: os.DirEntry[str]) -> bool:
        """Whether ``entry`` is a credential store (:func:`~sdistguard.rules.credentials.credential_file_kind`),
        left out.

        Left out unless ``keep`` or ``allow-secrets`` names it; reported as SG601 when hatchling would have
        shipped it. In an unpacked sdist (the ignore oracle's ``"sdist"`` mode: a PKG-INFO at the root) it
        ships, as the sdist's author built it, reported as SG604. A file
        git's ignore rules leave out is theirs to report (SG104, with the ignore file and line).
        Costs no system call for a plain file (the name decides). Outside the project the path
        as reached decides (its last two components).
        """
        if entry.is_dir(follow_symlinks=False):
            return False
        project = self.project_relative
        kind = credential_file_kind(to_posix(entry.path) if project is None else _join(project, entry.name))
        if kind is None:
            return False
        context = self.context
        if project is not None:
            path = _join(project, entry.name)
            allowed = context.allow_secrets is not None and context.allow_secrets.match_file(path)
            if allowed or context.kept(path, is_dir=False):
                return False  # one acknowledgement per path: allow-secrets accepts SG601 as it accepts SG602
            if not self.facts.named and context.oracle.applies(project):
                decision = context.oracle.file(path)
                if decision is not None and decision.leaves_out:
                    return False  # git's ignore rules decide first, with their source (SG104)
            if context.oracle.mode == "sdist" and not self.rescue:  # rebuilding an unpacked sdist keeps its files
                if self._reportable(entry):
                    context.log.add(finding("credential-file-shipped", self._report_path(entry.name), kind,
                                            files=1, size=_size(entry)))
                return False
        if self._reportable(entry):
            found = finding("credential-file", self._report_path(entry.name),
                            f"{kind}; left out unless [tool.sdistguard] keep or allow-secrets names it",
                            files=1, size=_size(entry))
            context.log.add(found)
            self._leave_out(entry, self._verdict(entry), found.code)
        return True

    def _sort_entry(self, entry: os.DirEntry[str]) -> None:
        """File, directory, link or special file: decided from ``d_type``, so a plain entry costs no ``stat``."""
        if entry.is_file(follow_symlinks=False):
            self._file_selected(entry)
        elif entry.is_dir(follow_symlinks=False):
            real = os.path.join(self.real, entry.name)
            if real != self.facts.private:
                verdict = self._verdict(entry)
                if not verdict.pruned:
                    self.directories.append(Subdirectory(entry.name, real, self.boundary, None, verdict.named))
        elif entry.is_symlink():
            self._sort_link(entry)
        elif self._reportable(entry):
            from sdistguard.rules.files import special_label

            found = finding("special-file", self._report_path(entry.name), special_label(_special_kind(entry)))
            self.context.log.add(found)
            self._leave_out(entry, self._verdict(entry), found.code)

    def _file_selected(self, entry: os.DirEntry[str]) -> bool:
        """Apply git's ignore decisions (and ``keep``, and ``untracked``) to one file (or file link) of the listing.

        Returns whether the rules take it; a taken file is recorded (it ships when hatchling
        ships it), a file left out with a finding gets its left-out record.
        """
        verdict = self._verdict(entry)
        if self.project_relative is None:
            taken = self.rescue is None or (self.rescue == "named" and verdict.named)
            if taken:
                self._take(entry, verdict, "named" if self.rescue else None)
            return taken
        project_relative = _join(self.project_relative, entry.name)
        context = self.context
        if context.keep is not None and context.kept(project_relative, is_dir=False):
            self._take(entry, verdict, "keep" if self.rescue else None)
            return True
        if self.rescue:
            taken = self.rescue == "named" and verdict.named
            if self.rescued is not None:
                self._count_rescue(self.rescued, taken, entry, verdict)
            if taken:
                self._take(entry, verdict, "named")
            return taken
        facts = self.facts
        decision = None if facts.named else self.context.oracle.file(project_relative, forced=facts.forced)
        if decision is None:
            if verdict.distribution_path is None and facts.tracked_dropped is not None:
                self._tracked_dropped(entry, facts.tracked_dropped, project_relative)
            self._take(entry, verdict)
            return True
        if not decision.leaves_out:  # untracked = "warn": shipped, reported per directory
            if verdict.distribution_path is not None:
                self.context.log.add_untracked(self.project_relative, entry.name, _size(entry))
            self._take(entry, verdict)
            return True
        if verdict.named:
            self._take(entry, verdict, "named")
            return True
        if verdict.distribution_path is not None:
            found = self._decided(decision, project_relative, files=1, size=_size(entry))
            self._leave_out(entry, verdict, found.code)
        return False

    def _tracked_dropped(self, entry: os.DirEntry[str], check: Callable[[str, bool], str | None],
                         project_relative: str) -> None:
        """Report a file git tracks that hatchling's reading of the root ``.gitignore`` leaves out (SG109)."""
        if not self.context.oracle.tracks(project_relative):
            return
        line = check(os.path.join(self.relative, entry.name), self.is_package)
        if line is not None:
            self.context.log.add(finding("tracked-ignored-by-hatchling", project_relative,
                                         f"{ignored_by(line)}; git tracks it", files=1, size=_size(entry)))

    def _count_rescue(self, rescue: RescueCount, taken: bool, entry: os.DirEntry[str], verdict: Verdict) -> None:
        """Count one file below an excluded directory: brought back by artifacts, or left out."""
        if taken:
            rescue.shipped += 1
        elif verdict.distribution_path is not None:
            rescue.left += 1
            rescue.size += _size(entry)
            self._leave_out(entry, verdict, rescue.code)

    def _sort_link(self, entry: os.DirEntry[str]) -> None:
        """Follow a link inside the boundary (as a file or a directory); leave any other out.

        A link leaving the boundary is followed only when the user named the link itself (an
        artifact pattern, a forced path); it is still reported as SG201, content from outside. A
        link inside a named directory is not named by that: the rules apply to it.
        """
        from sdistguard.walk.links import DirectoryLink, disk_link  # a tree without links never loads them

        link = disk_link(entry.path, self._report_path(entry.name), self.boundary, self._holders)
        kind, real, target = link.kind, link.real, link.target
        boundary = self.boundary
        rewritten: RuleName = "link-rewritten"
        verdict = self._verdict(entry)
        if kind == "external-link" and verdict.named and not self.named:
            kind = "file" if os.path.isfile(entry.path) else "directory" if os.path.isdir(entry.path) else kind
            boundary = real  # a named directory outside the tree is its own boundary
            rewritten = "external-link"
        named = rewritten == "external-link"
        if kind == "file":
            if self._file_selected(entry):
                self._add_link(entry, rewritten, named=named, verdict=verdict, target=target)
        elif kind == "directory":  # reported, and followed at most once, when the walk takes it
            if not verdict.pruned:
                self.directories.append(Subdirectory(entry.name, real, boundary,
                                                     DirectoryLink(entry, rewritten, named), verdict.named))
        else:
            self._add_link(entry, kind, verdict=verdict, left_out=True, target=target)

    def _holders(self) -> Iterator[str]:
        """The resolved directories this visit lies in: its own, then the ones that reached it."""
        visit: Visit | None = self
        while visit is not None:
            yield visit.real
            visit = visit.parent

    def _add_link(self, entry: os.DirEntry[str], rule: RuleName, *, is_dir: bool = False, named: bool = False,
                  verdict: Verdict | None = None, left_out: bool = False, target: str | None = None) -> None:
        """Report a link: a directory link when the walk reaches it, a file link when hatchling would ship it.

        A file link ``left_out`` (dangling, a cycle, leaving the tree unnamed) also gets its left-out record.
        ``target`` is the link's target when already read (else ``readlink`` is asked).
        """
        if self.rescue and not (is_dir and named):
            return  # below a directory left out whole: its links are not written at all
        if not is_dir and (verdict is None or verdict.distribution_path is None):
            return
        path = self._report_path(entry.name, is_dir=is_dir)
        note = "; named by artifacts: shipped as content" if named else ""  # taken although it leaves the tree
        from sdistguard.rules.evidence import finding_with
        from sdistguard.walk.links import link_target

        if target is None:
            target = link_target(entry.path)
        found = finding_with(rule, path, f"-> {target}{note}", "link-target", target)
        self.context.log.add(found)
        if left_out and verdict is not None:
            self._leave_out(entry, verdict, found.code)

    def _reportable(self, entry: os.DirEntry[str]) -> bool:
        """Whether leaving this file out is news: hatchling would ship it, and no rule already took its directory."""
        if self.rescue:
            return False
        return self._verdict(entry).distribution_path is not None

    # --- the records and findings of a visit ---

    def _take(self, entry: os.DirEntry[str], verdict: Verdict, rescued: Rescue | None = None) -> None:
        """Record a file the rules take: it ships when hatchling's own selection ships it."""
        if verdict.distribution_path is not None:
            self.files.append(WalkedFile(
                os.path.join(self.path, entry.name), os.path.join(self.relative, entry.name),
                None if self.project_relative is None else _join(self.project_relative, entry.name),
                verdict.distribution_path, None, rescued))

    def _leave_out(self, entry: os.DirEntry[str], verdict: Verdict, code: Code) -> None:
        """Record a file a rule left out although hatchling would ship it (``code`` the rule's)."""
        if verdict.distribution_path is not None:
            self.files.append(WalkedFile(
                os.path.join(self.path, entry.name), os.path.join(self.relative, entry.name),
                None if self.project_relative is None else _join(self.project_relative, entry.name),
                verdict.distribution_path, code))

    def _decided(self, decision: Decision, path: str, *, files: int = 0, size: int = 0) -> Finding:
        """Record and return the finding of git's ``decision`` on ``path`` (a directory ends in ``/``), with its
        evidence: the ignore line when known now, else asked when the walk settles; ``untracked`` for what git
        does not track."""
        log = self.context.log
        if decision.git_source:
            found = finding(decision.rule, path, decision.detail, files=files, size=size)
            log.add_git_decision(found)
            return found
        from sdistguard.rules.evidence import UNTRACKED, finding_with

        if decision.source is not None:
            found = finding_with(decision.rule, path, decision.detail, "ignore-source", decision.source,
                                 files=files, size=size)
        elif decision.rule == "untracked-excluded":
            found = finding_with(decision.rule, path, decision.detail, "git", UNTRACKED, files=files, size=size)
        else:
            found = finding(decision.rule, path, decision.detail, files=files, size=size)
        log.add(found)
        return found

    def _directory_kept(self) -> bool:
        return self.project_relative is not None and self.context.kept(self.project_relative, is_dir=True)

    def _report_path(self, name: str, *, is_dir: bool = False) -> str:
        """The path a finding names: relative to the project root, or absolute outside it."""
        if self.project_relative is not None:
            path = _join(self.project_relative, name)
        else:
            path = to_posix(os.path.join(self.path, name))
        return path + "/" if is_dir and path else path

    # --- what comes after the listing: the subdirectories ---

    def child(self, sub: Subdirectory) -> Visit | None:
        """Decide on a subdirectory before listing it: left out by git's ignore rules (or as untracked)?

        Returns the visit to run, or ``None`` when the directory is left out whole.
        """
        parent_project = self.project_relative
        project_relative = None if parent_project is None else _join(parent_project, sub.name)
        context, facts = self.context, self.facts
        child = Visit(context, facts, os.path.join(self.path, sub.name), os.path.join(self.relative, sub.name),
                      project_relative, sub.real, sub.boundary, parent=self, rescue=self.rescue,
                      rescued=self.rescued, named=sub.named)
        if project_relative is None or child.rescue or facts.named or context.kept(project_relative, is_dir=True):
            return child
        decision = context.oracle.directory(project_relative, forced=facts.forced)
        if decision is None:
            return child
        rescue = context.may_rescue(project_relative, artifacts=facts.artifacts_possible)
        if not rescue and not ships_below(child.path, child.relative, sub.boundary, facts):
            return None  # hatchling would ship nothing below it: left out, and no news
        excluded = self._decided(decision, project_relative + "/")
        if rescue:
            child.rescue = "named"  # artifacts win over exclusion patterns, as in hatchling
            child.rescued = context.log.rescue(excluded)
            return child
        return None

    def follow(self, link: DirectoryLink) -> bool:
        """Whether to walk a directory link that no rule left out: the first time only (else SG205).

        Counted only once the link is really walked: a link pruned or excluded where it was
        first seen is not "followed", and reaching it again is no repeat.
        """
        location = os.path.join(self.real, link.entry.name)
        followed = self.context.followed
        if location in followed:
            self._add_link(link.entry, "link-repeat", is_dir=True)
            return False
        followed.add(location)  # each link once per walk, however many paths reach it
        self._add_link(link.entry, link.rule, is_dir=True, named=link.named)
        return True

    def release(self) -> None:
        """Drop what the listing held once its records are yielded and its subdirectories decided
        (the visit stays the parent of its subdirectories: only its path matters to them)."""
        self.files = []
        self.directories = []
        self._verdicts = {}


def ships_below(path: str, relative: str, boundary: str, facts: WalkFacts) -> bool:
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
        is_package = any(_is_init_file(entry) for entry in entries)  # as Visit.run decides it
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


def _size(entry: os.DirEntry[str]) -> int:
    try:
        return entry.stat(follow_symlinks=False).st_size
    except OSError:
        return 0


def _special_kind(entry: os.DirEntry[str]) -> SpecialKind | None:
    """What special entry ``entry`` is, by its mode (``None`` when ``stat`` fails or the mode is none of them)."""
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return None
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "chardev"
    if stat.S_ISBLK(mode):
        return "blockdev"
    return None
