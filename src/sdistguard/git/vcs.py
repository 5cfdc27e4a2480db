"""Asking git what it would commit: tracked files, untracked files it does not ignore, and why it ignores.

git is the reference for its own ignore rules (every ``.gitignore``, ``.git/info/exclude``,
``core.excludesFile``; a tracked file is never ignored). One call lists the tree
(``git ls-files -z -t --cached --others --exclude-standard``); the reason for a path left out is
asked afterwards, for the left-out paths only (``git check-ignore -v --stdin -z --non-matching``).

Paths are ``str`` (``os.fsdecode`` of git's bytes), ``/``-separated, relative to the project root
that was asked about. Environment: git runs with the caller's environment (its configuration
decides ``core.excludesFile`` and ``safe.directory``) plus :data:`SAFE_ENVIRONMENT`; it never writes.
Every call goes through one function, with a timeout (:data:`TIMEOUT` seconds).

**No repository config runs a program.** The repository asked about is not ours (a pull request's
checkout, an unpacked download), and its ``.git/config`` is read by git. Of the settings that make
git run a command, the commands used here (``ls-files``, ``check-ignore``; read in git 2.39's
documentation and source) honour two, switched off on every call's command line
(:data:`SAFE_CONFIG`, ``-c`` outranks every config file) or in its environment
(:data:`SAFE_ENVIRONMENT`):

- ``core.fsmonitor``: a hook program (or git's own daemon) that git runs whenever it reads the index
  to learn what changed; ``ls-files`` and ``check-ignore`` read the index. ``core.fsmonitor=false``.
- the lazy fetch of a partial clone (``extensions.partialClone``, ``remote.<name>.promisor``): a
  missing object git needs (an ignore file that is skip-worktree is read from the index's blob) is
  fetched from the promisor remote, whose URL and transport the repository's config names: an
  ``ext::`` URL runs a command when the repository's ``protocol.ext.allow`` allows it, an ``ssh``
  URL runs ``core.sshCommand``, ``https`` runs ``credential.helper``. Switched off in the
  environment (a repository's config cannot outrank it): ``GIT_ALLOW_PROTOCOL=none`` (no transport
  at all, git 2.12+) and ``GIT_NO_LAZY_FETCH=1`` (git 2.45+). A missing ignore file is then read as
  absent.

Checked and not relevant to these commands (nothing to switch off): hooks (``core.hooksPath``:
git runs hooks only for commands that write — commit, checkout, merge, push — and
``post-index-change`` only when the index is written, which ``GIT_OPTIONAL_LOCKS=0`` and read-only
commands never do); ``filter.<driver>.clean``/``process`` and ``diff.<driver>.textconv`` (run only when
file content is hashed or diffed; these commands read names and the index, no content);
``diff.external``; ``core.sshCommand``, ``core.askPass``, ``credential.helper``, ``protocol.*``,
``core.gitProxy`` (network only, and no transport is allowed: the lazy fetch above);
``core.pager``/``pager.*`` (output is captured, never a terminal);
``alias.*`` (an alias never shadows a built-in command). ``core.untrackedCache`` is harmless (a cache
in the index, no program) and ``safe.directory`` is left to git on purpose: its refusal is an answer
(the caller falls back to reading the ignore files itself), and it is honoured from the command line,
so passing it here would defeat it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from typing import Final

from sdistguard.rules.model import Record

__all__ = [
    "SAFE_CONFIG", "SAFE_ENVIRONMENT", "TIMEOUT", "GitTree", "GitUnavailable", "explain_ignored", "forget_listings",
    "ignore_lines_of_tracked", "query", "run_git", "start_listing", "work_tree_top",
]

TIMEOUT: Final = 120.0
"""Seconds one git call may take before it counts as no answer."""

SAFE_CONFIG: Final = ("-c", "core.fsmonitor=false")
"""Placed before every git command: repository settings that would run a program (module docstring)."""

SAFE_ENVIRONMENT: Final = {"GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_ALLOW_PROTOCOL": "none",
                           "GIT_NO_LAZY_FETCH": "1"}
"""Set in every git call's environment: git writes nothing, speaks C, and fetches nothing (module docstring)."""


# GitUnavailable is a Record and GitTree a plain class, not dataclasses: every build imports this module,
# and making a dataclass costs about 0.5 ms of a small build's start-up (tests/backend/test_startup.py).


class GitUnavailable(Record):
    """Why git gave no answer for a directory.

    ``work_tree`` is true when a ``.git`` was found at or above the directory (so git's answer
    was expected: git is missing, refuses the directory, or failed); ``reason`` is one line.
    """

    __slots__ = ("reason", "work_tree")

    reason: str
    work_tree: bool

    def __init__(self, reason: str, work_tree: bool) -> None:
        _set = object.__setattr__
        _set(self, "reason", reason)
        _set(self, "work_tree", work_tree)


class GitTree:
    """git's view of the files below one directory (the project root, or a nested repository).

    ``tracked``: paths in the index (a submodule is one path, its directory). ``untracked``: files
    git lists as untracked and not ignored; a nested repository that is not a submodule is listed
    as its directory. ``root`` is the directory asked about (absolute).
    """

    def __init__(self, root: str, tracked: frozenset[str], untracked: frozenset[str]) -> None:
        self.root = root
        self.tracked = tracked
        self.untracked = untracked
        self.kept_dirs: frozenset[str] = frozenset(_ancestors(tracked | untracked))
        self.tracked_dirs: frozenset[str] = frozenset(_ancestors(tracked))
        self._nested: dict[str, GitTree | GitUnavailable] = {}

    def __repr__(self) -> str:
        return f"GitTree(root={self.root!r}, tracked={len(self.tracked)} paths, untracked={len(self.untracked)} paths)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GitTree):
            return NotImplemented
        return (self.root, self.tracked, self.untracked) == (other.root, other.tracked, other.untracked)

    __hash__ = None  # type: ignore[assignment]  # mutable (its cache of nested answers), as the dataclass was

    def kept(self, path: str) -> bool:
        """Whether git would commit ``path`` (a file, or a nested repository's directory)."""
        return path in self.tracked or path in self.untracked

    def nested(self, path: str) -> GitTree | GitUnavailable:
        """git's view of the repository at ``path`` (a submodule, or a nested repository), asked once."""
        found = self._nested.get(path)
        if found is None:
            found = query(os.path.join(self.root, path))
            self._nested[path] = found
        return found


def _ancestors(paths: frozenset[str]) -> set[str]:
    result: set[str] = {""}
    for path in paths:
        index = path.rfind("/")
        while index > 0:
            directory = path[:index]
            if directory in result:
                break
            result.add(directory)
            index = path.rfind("/", 0, index)
    return result


def run_git(arguments: Sequence[str], cwd: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``git [SAFE_CONFIG] ARGUMENTS`` in ``cwd`` (a directory) with ``stdin``; output captured as bytes.

    The environment is the caller's plus ``GIT_OPTIONAL_LOCKS=0`` (git writes nothing), ``LC_ALL=C``,
    and ``GIT_ALLOW_PROTOCOL=none``, ``GIT_NO_LAZY_FETCH=1`` (no fetch, module docstring).
    Raises ``FileNotFoundError`` when git is not on ``PATH``, ``OSError`` when it cannot be started,
    ``subprocess.TimeoutExpired`` past :data:`TIMEOUT` seconds; a non-zero exit is the caller's to read.
    """
    environment = dict(os.environ, **SAFE_ENVIRONMENT)
    return subprocess.run(
        ["git", *SAFE_CONFIG, *arguments], cwd=cwd, input=stdin, capture_output=True, env=environment,
        timeout=TIMEOUT, check=False,
    )


_run = run_git


def _is_git_marker(dot_git: str) -> bool:
    """True when ``dot_git`` is what git's discovery accepts (setup.c): a ``gitdir:`` file, or a directory
    holding ``HEAD``, ``objects/`` and ``refs/``. An empty or partial ``.git`` is passed over, as git does."""
    if os.path.isdir(dot_git):
        return all(os.path.lexists(os.path.join(dot_git, name)) for name in ("HEAD", "objects", "refs"))
    try:
        with open(dot_git, "rb") as handle:
            return handle.read(7) == b"gitdir:"
    except OSError:
        return False


def work_tree_top(directory: str) -> str | None:
    """The nearest directory at or above ``directory`` (absolute) holding a ``.git`` git accepts, else ``None``.

    Follows git's discovery: the search goes up from ``directory`` and stops at the first valid ``.git``
    (directory or gitdir file); an empty ``.git`` directory is no repository and the search goes on.
    Raises nothing.
    """
    current = os.path.abspath(directory)
    while True:
        if _is_git_marker(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _first_line(error: bytes) -> str:
    lines = [line.strip() for line in error.decode("utf-8", "replace").splitlines() if line.strip()]
    for line in lines:
        if line.startswith("fatal:"):
            return line
    return lines[0] if lines else "no output"


_DISCOVERY_ENVIRONMENT: Final = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY")
"""Variables that let git find a repository where :func:`work_tree_top` finds no ``.git``: with any of
them set, git is asked even outside a work tree."""


_LISTING: Final = ("ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard")
"""The one call that lists a tree: tracked files (``-t`` tags), and untracked files git does not ignore."""

_started: dict[str, subprocess.Popen[bytes]] = {}
"""Listings started ahead of :func:`query` (:func:`start_listing`), by root; read once, or stopped."""


def _git_may_answer(root: str) -> bool:
    """False when git's discovery would find no repository for ``root``: no ``.git`` at or above it and none of
    :data:`_DISCOVERY_ENVIRONMENT` set (then no process is started for an answer known in advance)."""
    return work_tree_top(root) is not None or _discovery_environment()


def _discovery_environment() -> bool:
    return any(name in os.environ for name in _DISCOVERY_ENVIRONMENT)


def start_listing(root: str) -> None:
    """Start git's listing of ``root`` (an absolute directory) in the background, for :func:`query` to read.

    The build hooks call it first, so that git runs on another core while hatchling and the builders load;
    the listing is only what :func:`query` would ask for, with the same command line and environment. The
    caller must :func:`forget_listings` when project code may have changed the tree before the walk asks
    (a build hook, a metadata hook, a version source that runs code), and when the build ends. Starts nothing
    when git's discovery would find no repository or one is already started; raises nothing (a git that
    cannot be started is :func:`query`'s to report).
    """
    if root in _started or not _git_may_answer(root):
        return
    try:
        _started[root] = subprocess.Popen(
            ["git", *SAFE_CONFIG, *_LISTING], cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=dict(os.environ, **SAFE_ENVIRONMENT),
        )
    except OSError:
        return


def forget_listings() -> None:
    """Stop and reap every listing :func:`start_listing` started that :func:`query` did not read. Raises nothing."""
    while _started:
        _, process = _started.popitem()
        process.kill()
        process.communicate()


def _listing(root: str) -> subprocess.CompletedProcess[bytes]:
    """git's listing of ``root``: the one started ahead, if any, else a new call; raises as :func:`run_git`."""
    process = _started.pop(root, None)
    if process is None:
        return run_git(_LISTING, root)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def query(root: str) -> GitTree | GitUnavailable:
    """Ask git about the files below ``root`` (an absolute directory).

    Returns a :class:`GitTree`, or a :class:`GitUnavailable` when ``root`` is not inside a work
    tree (then git is not run at all, unless one of :data:`_DISCOVERY_ENVIRONMENT` is set), git is
    not installed, refuses the repository (``safe.directory``: another owner), or fails. Never
    raises for any of these. Reads the listing :func:`start_listing` started for ``root``, if any.
    """
    work_tree = work_tree_top(root) is not None
    if not work_tree and not _discovery_environment():
        # git's discovery would find nothing either: no process for an answer known in advance (a wheel
        # built from an unpacked sdist in a temporary directory, the second half of every isolated build)
        return GitUnavailable(f"git cannot list {root}: not a git repository (no .git at or above it)", False)
    try:
        listing = _listing(root)
    except FileNotFoundError:
        return GitUnavailable("git is not installed (not on PATH)", work_tree)
    except (OSError, subprocess.SubprocessError) as error:
        return GitUnavailable(f"git could not be run: {error}", work_tree)
    if listing.returncode != 0:
        return GitUnavailable(f"git cannot list {root}: {_first_line(listing.stderr)}", work_tree)
    tracked: set[str] = set()
    untracked: set[str] = set()
    for entry in listing.stdout.split(b"\0"):
        if len(entry) < 3:
            continue
        tag, path = entry[:1], os.fsdecode(entry[2:])
        if tag == b"?":
            untracked.add(path.rstrip("/"))  # "nested/": a repository inside, not a submodule
        else:
            tracked.add(path)
    return GitTree(root, frozenset(tracked), frozenset(untracked))


def explain_ignored(root: str, paths: Sequence[str]) -> dict[str, str]:
    """Why git ignores each of ``paths`` (relative to ``root``; a directory ends in ``/``): one call.

    Returns ``{path: "source:line: pattern"}`` for the paths an ignore line matches, as
    ``git check-ignore -v`` names them (``source`` relative to the work tree's top, or as
    configured for ``core.excludesFile``). A path no line matches is absent (git leaves it out
    because everything below it is ignored). Returns ``{}`` when git cannot be run.
    """
    if not paths:
        return {}
    data = b"".join(os.fsencode(path) + b"\0" for path in paths)
    try:
        completed = run_git(["check-ignore", "-v", "--stdin", "-z", "--non-matching"], root, data)
    except (OSError, subprocess.SubprocessError):
        return {}
    if completed.returncode not in (0, 1):
        return {}
    fields = completed.stdout.split(b"\0")
    result: dict[str, str] = {}
    for index in range(0, len(fields) - 3, 4):
        source, line, pattern, path = fields[index:index + 4]
        if source:
            result[os.fsdecode(path)] = f"{os.fsdecode(source)}:{line.decode()}: {os.fsdecode(pattern)}"
    return result


def ignore_lines_of_tracked(root: str, files: Sequence[str]) -> dict[str, str]:
    """For each of ``files`` (relative to ``root``, ``/``-separated) that git tracks and an ignore line matches.

    Returns ``{path: "source:line: pattern"}`` (``git check-ignore --no-index -v``, which reads the
    patterns without the index's "tracked is never ignored"), for the tracked files only (``git
    ls-files``); a negated line (``!pattern``) is no match. Two git calls; ``{}`` outside a work tree,
    without git, or when git fails.
    """
    if not files:
        return {}
    try:
        listed = run_git(["--literal-pathspecs", "ls-files", "-z", "--", *files], root)
        if listed.returncode != 0:
            return {}
        tracked = [os.fsdecode(path) for path in listed.stdout.split(b"\0") if path]
        if not tracked:
            return {}
        data = b"".join(os.fsencode(path) + b"\0" for path in tracked)
        matched = run_git(["check-ignore", "--no-index", "-v", "-z", "--stdin"], root, data)
    except (OSError, subprocess.SubprocessError):
        return {}
    fields = matched.stdout.split(b"\0")
    result: dict[str, str] = {}
    for index in range(0, len(fields) - 3, 4):
        source, line, pattern, path = (os.fsdecode(item) for item in fields[index:index + 4])
        if source and not pattern.startswith("!"):
            result[path] = f"{source}:{line}: {pattern}"
    return result
