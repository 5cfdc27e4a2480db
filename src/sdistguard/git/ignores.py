"""Which of git's ignore decisions apply to a build, and where each comes from.

One :class:`IgnoreOracle` per build decides, for a path relative to the project root, whether
git's rules leave it out, in one of four modes chosen once (:attr:`IgnoreOracle.mode`):

``"git"``
    The project root lies in a git work tree and git answers: one ``git ls-files`` call lists what
    git would commit (tracked files, and untracked files no ignore source matches). Every ignore
    source counts (each ``.gitignore``, ``.git/info/exclude``, ``core.excludesFile``), and a
    tracked file is never left out. Submodules and nested repositories are asked on their own; one
    git gives no answer for (it refuses it, a broken ``.git`` file, git gone from ``PATH``, an
    uninitialised submodule directory with content) falls back as the whole repository does: its
    own ignore files (every ``.gitignore`` in it, its ``info/exclude``, the default
    ``core.excludesFile``) are read by :mod:`sdistguard.git.gitignore`, with an SG108 note at its
    directory (:attr:`IgnoreOracle.notes`). The file and line that ignore a left-out path are asked
    afterwards, for those paths only.
``"engine"``
    No answer from git (not installed, or it refuses the repository: ``safe.directory``), or no
    work tree: :mod:`sdistguard.git.gitignore` applies the ignore files as git would. In a work tree
    (a ``.git`` at or above the root) that is every ``.gitignore`` from the work tree's top,
    ``.git/info/exclude`` and ``$XDG_CONFIG_HOME/git/ignore``; tracked status is unknown. With no
    work tree, only the ``.gitignore`` files below the project root (the root's own is hatchling's).
``"sdist"``
    The root holds a ``PKG-INFO`` and git tracks nothing below the root (git gives no answer, lists
    nothing, or lists only untracked files: an unpacked sdist sitting in some work tree): an
    unpacked sdist, whose author already chose its files. Ignore files are not applied again; only
    a directory whose own ``.gitignore`` is ``*`` (the marker uv, pytest, virtualenv and hypothesis
    write) is left out.
``"off"``
    hatchling's ``ignore-vcs`` is set: no ignore file is read.

Paths are ``str``, ``/``-separated, relative to the project root, without a trailing slash.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final, Literal

from sdistguard.core.errors import ConfigError
from sdistguard.git.vcs import GitTree, GitUnavailable, explain_ignored, query, work_tree_top
from sdistguard.rules.model import Record

if TYPE_CHECKING:
    from sdistguard.core.config import UntrackedPolicy
    from sdistguard.git.gitignore import IgnoreRules, Pattern, PatternList

__all__ = ["IGNORED_DIRECTORY", "IGNORED_FILE", "Decision", "IgnoreOracle", "ignored_by"]

IGNORED_DIRECTORY: Final = "by git: every file below it is ignored"
"""The detail of a directory git leaves out when git names no line for it (every file below is ignored)."""
IGNORED_FILE: Final = "by git: not tracked, and ignored"
"""The detail of a file git leaves out when git names no line for it."""

Mode = Literal["git", "engine", "sdist", "off"]
"""How an :class:`IgnoreOracle` answers (the module docstring)."""


class Decision(Record):
    """What git's rules say about one path: ``rule`` (a rule name of :mod:`sdistguard.rules`), ``detail``.

    ``rule`` is ``"nested-gitignore"`` (ignored: left out), ``"untracked-excluded"`` (left out by
    ``untracked = "exclude"``) or ``"untracked"`` (shipped, reported under ``untracked = "warn"``).
    """

    __slots__ = ("detail", "git_source", "rule", "source")

    rule: Literal["nested-gitignore", "untracked-excluded", "untracked"]
    detail: str
    git_source: bool
    """git ignores the path and its ignore file and line are asked after the walk (one ``git check-ignore``
    for all, :meth:`IgnoreOracle.explain`); ``detail`` is ``""`` until then (the flag says so, not a text)."""
    source: str | None
    """The ignore file, line and pattern that decided (``"FILE:LINE: PATTERN"``), when known now."""

    def __init__(self, rule: Literal["nested-gitignore", "untracked-excluded", "untracked"], detail: str,
                 git_source: bool = False, source: str | None = None) -> None:
        _set = object.__setattr__
        _set(self, "rule", rule)
        _set(self, "detail", detail)
        _set(self, "git_source", git_source)
        _set(self, "source", source)

    @property
    def leaves_out(self) -> bool:
        """Whether the path is left out (``"untracked"`` only reports it)."""
        return self.rule != "untracked"


def ignored_by(source: str) -> str:
    """The detail of a finding left out by the ignore line ``source`` (``"FILE:LINE: PATTERN"``): ``"by SOURCE"``,
    the one place that text is made (the source itself is the finding's ``ignore-source`` evidence)."""
    return f"by {source}"


def _ignored_by(source: str) -> Decision:
    """Left out by the ignore line ``source`` (``"FILE:LINE: PATTERN"``)."""
    return Decision("nested-gitignore", ignored_by(source), source=source)


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _git_dirs(top: str) -> tuple[str | None, str | None]:
    """``(git_dir, common_dir)`` of the work tree at ``top``, read from its ``.git`` (a directory or a gitdir file)."""
    dot_git = os.path.join(top, ".git")
    if os.path.isdir(dot_git):
        return dot_git, dot_git
    try:
        with open(dot_git, encoding="utf-8") as handle:
            line = handle.readline().strip()
    except (OSError, UnicodeDecodeError):
        return None, None
    if not line.startswith("gitdir:"):
        return None, None
    git_dir = os.path.join(top, line[len("gitdir:"):].strip())
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as handle:
            return git_dir, os.path.normpath(os.path.join(git_dir, handle.read().strip()))
    except (OSError, UnicodeDecodeError):
        return git_dir, git_dir


def _is_cache_marker(patterns: PatternList) -> bool:
    """A ``.gitignore`` holding only ``*``: what uv, pytest, virtualenv and hypothesis put in their own directories."""
    return [pattern.text for pattern in patterns.patterns] == ["*"]


def _global_excludes() -> PatternList | None:
    """git's default ``core.excludesFile``: ``$XDG_CONFIG_HOME/git/ignore`` or ``~/.config/git/ignore``."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    path = os.path.join(base, "git", "ignore")
    from sdistguard.git.gitignore import read_pattern_file

    return read_pattern_file(path, path)


def _repository_excludes(work_tree: str) -> list[PatternList]:
    """The ignore sources of the repository at ``work_tree`` besides its ``.gitignore`` files, lowest first
    in git's order as :class:`IgnoreRules` takes them: ``.git/info/exclude`` and ``core.excludesFile``
    (gitignore(5)); a source that is absent or unreadable is left out. Raises nothing."""
    from sdistguard.git.gitignore import read_pattern_file

    extra: list[PatternList] = []
    _, common = _git_dirs(work_tree)
    if common is not None:
        found = read_pattern_file(os.path.join(common, "info", "exclude"), ".git/info/exclude")
        if found is not None:
            extra.append(found)
    global_excludes = _global_excludes()
    if global_excludes is not None:
        extra.append(global_excludes)
    return extra


class _EngineView:
    """A submodule or nested repository git gives no answer for: its own ignore files, read by the engine.

    ``path`` is its directory relative to the project root (``/``-separated); paths asked are
    relative to that directory.
    """

    def __init__(self, path: str, absolute: str) -> None:
        from sdistguard.git.gitignore import IgnoreRules

        self.path = path
        self.rules = IgnoreRules(absolute, _repository_excludes(absolute))

    def decision(self, inner: str, *, is_dir: bool) -> Decision | None:
        if inner.rpartition("/")[2] == ".git":  # git never lists its own .git (hatchling < 1.33 would ship the file)
            return Decision("nested-gitignore", "by git: a .git is git's own, never one of the repository's files")
        found = self.rules.ignored_with_parents(inner, is_dir=is_dir)
        if found is None:
            return None
        source = found.source if os.path.isabs(found.source) else f"{self.path}/{found.source}"
        return _ignored_by(f"{source}:{found.line}: {found.text}")


_View = GitTree | _EngineView


class IgnoreOracle:
    """git's ignore decisions for one project root; see the module docstring for the modes.

    ``root`` is the project root (absolute, as hatchling has it); ``use_vcs`` is false under
    hatchling's ``ignore-vcs``; ``untracked`` is the ``[tool.sdistguard] untracked`` policy.
    :attr:`note` says, in one line, why git's answer was expected but not used (else ``None``);
    :attr:`notes` holds ``(directory/, detail)`` for each submodule or nested repository whose
    ignore files were read without git (filled as the walk reaches them). Raises nothing for a
    failure of git (it falls back to the engine), except :class:`ConfigError` under ``untracked =
    "exclude"`` for a submodule git cannot answer for (what it tracks is unknown).
    """

    def __init__(self, root: str, *, use_vcs: bool = True, untracked: UntrackedPolicy = "include") -> None:
        """Choose the mode (runs git once when the root lies in a work tree)."""
        self.root = root
        self.untracked = untracked
        self.note: str | None = None
        self.unavailable: str | None = None
        """Why there is no git view of the root (for ``untracked = "exclude"``'s error), else ``None``."""
        self._git: GitTree | None = None
        self._views: dict[str, tuple[_View | None, int]] = {}
        self.notes: list[tuple[str, str]] = []
        self._rules: IgnoreRules | None = None
        self._ancestors: dict[str, Pattern | None] = {}
        self._prefix = ""
        self.mode: Mode = "off"
        if not use_vcs:
            self.unavailable = "hatchling's ignore-vcs is set"
            return
        answer = query(root)
        unpacked_sdist = _is_regular(os.path.join(root, "PKG-INFO"))
        if isinstance(answer, GitTree) and (answer.tracked or answer.untracked) and not (
                unpacked_sdist and not answer.tracked):
            self.mode, self._git = "git", answer
            return
        # git's rules, read by sdistguard (gitignore.py): not even imported when git answers
        from sdistguard.git.gitignore import IgnoreRules

        if isinstance(answer, GitTree) and (answer.tracked or answer.untracked):
            # An unpacked sdist sitting untracked in some work tree: its author chose its files.
            self.mode = "sdist"
            self._rules = IgnoreRules(root, skip="", accept=_is_cache_marker)
            return
        ignored_root = isinstance(answer, GitTree)
        if isinstance(answer, GitTree):
            answer = GitUnavailable(f"git lists no file below {root}: its repository ignores it", True)
        self.unavailable = answer.reason
        if unpacked_sdist:
            self.mode = "sdist"  # only a tool's own "*" marker counts: the sdist's author chose its files
            self._rules = IgnoreRules(root, skip="", accept=_is_cache_marker)
            return
        self.mode = "engine"
        top = work_tree_top(root) if answer.work_tree else None
        if top is None or ignored_root:  # a project kept in an ignored directory: only its own files count
            self._rules = IgnoreRules(root, skip="")
            return
        self.note = f"{answer.reason}; git's ignore files were read by sdistguard instead (tracked files unknown)"
        extra = _repository_excludes(top)
        relative = os.path.relpath(root, top).replace(os.sep, "/")
        self._prefix = "" if relative == "." else relative + "/"
        self._rules = IgnoreRules(top, extra)

    # --- the questions the walk asks ---

    def applies(self, directory: str) -> bool:
        """Whether any decision can concern a file directly in ``directory`` (else the walk takes them all)."""
        if self.mode == "git":
            return True
        if self._rules is None:
            return False
        return bool(self._rules.extra or self._rules.lists((self._prefix + directory).rstrip("/")))

    def directory(self, path: str, *, forced: bool = False) -> Decision | None:
        """The decision on the directory ``path`` before it is listed: left out whole, or ``None`` (walk it).

        ``forced``: the walk is a force-include's, where untracked files always ship.
        """
        if self._git is not None:
            return self._git_directory(path, forced=forced)
        if self._rules is not None:
            found = self._ancestor_ignored(path.rpartition("/")[0]) or self._rules.ignored(
                self._prefix + path, is_dir=True)
            if found is not None:
                return _ignored_by(f"{found.source}:{found.line}: {found.text}")
        return None

    def _ancestor_ignored(self, directory: str) -> Pattern | None:
        """The pattern that ignores ``directory`` or a directory above it (git does not descend there).

        The walk never enters such a directory on its own; this matters for a walk that starts
        below the root (a directory named in ``only-include`` or ``packages``). Cached per directory.
        """
        if not directory or self._rules is None:
            return None
        if directory in self._ancestors:
            return self._ancestors[directory]
        found = self._ancestor_ignored(directory.rpartition("/")[0]) or self._rules.ignored(
            self._prefix + directory, is_dir=True)
        self._ancestors[directory] = found
        return found

    def ignores_itself(self, directory: str, entries: Iterable[os.DirEntry[str]]) -> Decision | None:
        """Whether ``directory``'s own ``.gitignore`` leaves out every entry of its listing (one finding)."""
        if not directory:
            return None
        if self._rules is None:
            return None
        own = f"{directory}/.gitignore"
        decisions = []
        for entry in entries:
            found = self._rules.ignored(f"{self._prefix}{directory}/{entry.name}",
                                        is_dir=entry.is_dir(follow_symlinks=False))
            if found is None:
                return None
            decisions.append(found)
        if not decisions or any(found.source != own for found in decisions):
            return None
        lines = sorted({f"{found.line}: {found.text}" for found in decisions})
        return _ignored_by(f"{own}:{', '.join(lines)}")

    def file(self, path: str, *, forced: bool = False) -> Decision | None:
        """The decision on the file (or file link) ``path``: ``None`` ships it without a word."""
        if self._git is not None:
            return self._git_file(path, forced=forced)
        if self._rules is not None:
            found = self._ancestor_ignored(path.rpartition("/")[0]) or self._rules.ignored(
                self._prefix + path, is_dir=False)
            if found is not None:
                return _ignored_by(f"{found.source}:{found.line}: {found.text}")
        return None

    # --- git mode ---

    def _view(self, path: str) -> tuple[_View | None, str]:
        """The git view that answers for ``path`` and the path inside it (a submodule's view below it)."""
        view, offset = self._directory_view(path.rpartition("/")[0])
        return view, path[offset:]

    def _directory_view(self, directory: str) -> tuple[_View | None, int]:
        """The view answering for the entries of ``directory``, and where its paths start in a project path.

        Below a submodule or a nested repository, that repository's own view (git asked there, once);
        when git gives no answer there (it refuses, a broken ``.git`` file, git gone, an
        uninitialised submodule with content), its ignore files read by the engine
        (:class:`_EngineView`, with a note). Below a link git lists as one file, ``None``: no answer.
        Cached per directory, so a walk that starts inside a submodule finds its view too.
        """
        cached = self._views.get(directory)
        if cached is not None:
            return cached
        assert self._git is not None
        result: tuple[_View | None, int] = (self._git, 0)
        if directory:
            view, offset = self._directory_view(directory.rpartition("/")[0])
            result = (view, offset)
            inner = directory[offset:]
            if isinstance(view, GitTree) and inner not in view.kept_dirs and view.kept(inner):
                result = (self._nested_view(view, inner, directory), len(directory) + 1)
        self._views[directory] = result
        return result

    def _nested_view(self, view: GitTree, inner: str, directory: str) -> _View | None:
        """The view of the directory ``inner`` of ``view`` that git lists as one path (``directory`` in the project)."""
        absolute = os.path.join(view.root, inner)
        if os.path.islink(absolute):
            return None  # a link git lists as one file: nothing below it is decided by ignore rules
        if os.path.lexists(os.path.join(absolute, ".git")):
            nested = view.nested(inner)
        elif inner in view.tracked:  # a gitlink with no .git: a submodule that was never initialised
            nested = GitUnavailable("an uninitialised submodule (no .git in it)", True)
        else:
            return None
        if isinstance(nested, GitTree):
            return nested
        kind = "submodule" if inner in view.tracked else "nested repository"
        if self.untracked == "exclude":
            raise ConfigError(
                f'tool.sdistguard.untracked = "exclude" ships only what git tracks, but git cannot say for the '
                f'{kind} {directory}/: {nested.reason}; fix or initialise it, or set untracked = "include" or "warn"'
            )
        self.notes.append((directory + "/", f"{kind}: {nested.reason}; its own ignore files were read, tracked files "
                           "unknown"))
        return _EngineView(directory, absolute)

    def _git_directory(self, path: str, *, forced: bool) -> Decision | None:
        view, inner = self._view(path)
        if view is None:
            return None  # below a link git lists as one file: no answer, nothing left out
        if isinstance(view, _EngineView):
            return view.decision(inner, is_dir=True)
        if inner in view.kept_dirs:
            if self.untracked == "exclude" and not forced and inner not in view.tracked_dirs:
                return Decision("untracked-excluded", "no file below it is tracked by git")
            return None
        if view.kept(inner):  # a submodule, a nested repository, or a link git lists as one file
            if self.untracked == "exclude" and not forced and inner not in view.tracked:
                return Decision("untracked-excluded", "not tracked by git")
            return None
        return Decision("nested-gitignore", "", git_source=True)

    def _git_file(self, path: str, *, forced: bool) -> Decision | None:
        view, inner = self._view(path)
        if isinstance(view, _EngineView):
            return view.decision(inner, is_dir=False)
        if view is None or inner in view.tracked:
            return None
        if inner in view.untracked:
            if forced or self.untracked == "include":
                return None
            if self.untracked == "warn":
                return Decision("untracked", "not tracked by git")
            return Decision("untracked-excluded", "not tracked by git")
        return Decision("nested-gitignore", "", git_source=True)

    def tracks(self, path: str) -> bool:
        """Whether git's index holds the file ``path`` (relative, POSIX); False without git's own answer."""
        if self._git is None:
            return False
        view, inner = self._view(path)
        return isinstance(view, GitTree) and inner in view.tracked  # a submodule git refused: no answer

    def explain(self, paths: Sequence[str]) -> dict[str, Decision]:
        """The decision, with its ignore line, that git names for each left-out path (relative; a directory ends
        in ``/``); a path git names no line for is not in the result.

        One ``git check-ignore`` call for the paths of the project's own repository; a path below
        a submodule is explained by that submodule's git (or by the engine, for one read without git). Returns
        ``{path: Decision}``, its ``source`` the ignore file, line and pattern (``"FILE:LINE: PATTERN"``) when one
        decided.
        """
        if self._git is None or not paths:
            return {}
        result: dict[str, Decision] = {}
        groups: dict[str, list[str]] = {}
        for path in paths:
            view, inner = self._view(path.rstrip("/"))
            if isinstance(view, _EngineView):  # read without git: the engine names the line
                decision = view.decision(inner, is_dir=path.endswith("/"))
                if decision is not None:
                    result[path] = decision
                continue
            prefix = path[: len(path.rstrip("/")) - len(inner)]
            groups.setdefault(prefix, []).append(inner + ("/" if path.endswith("/") else ""))
        for prefix, inners in groups.items():
            asked = os.path.join(self.root, prefix)
            top = work_tree_top(asked)
            for inner, source in explain_ignored(asked, inners).items():
                result[prefix + inner] = _ignored_by(self._from_root(source, top))
        return result

    def _from_root(self, source: str, top: str | None) -> str:
        """``source:line: pattern`` with ``source`` relative to the project root, not to git's top.

        git names an ignore file relative to the top of its work tree (``.gitignore`` is the
        repository's, ``proj/sub/.gitignore`` the project's ``sub/.gitignore``); a report about the
        project names it from the project root (``../.gitignore``). An absolute or ``~`` path
        (``core.excludesFile``) is kept as git gives it.
        """
        name, separator, rest = source.partition(":")
        while rest and not rest.split(":", 1)[0].isdigit() and separator:  # a ':' in the file name
            more, separator, rest = rest.partition(":")
            name = f"{name}:{more}"
        if top is None or not separator or os.path.isabs(name) or name.startswith("~"):
            return source
        relative = os.path.relpath(os.path.join(top, *name.split("/")), self.root)
        return f"{relative.replace(os.sep, '/')}:{rest}"
