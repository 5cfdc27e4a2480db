"""The guarded walk: hatchling's ``safe_walk`` with the rules applied while the tree is listed.

Top-down over ``os.scandir``, in sorted order (the order hatchling's ``os.walk`` gives, so the
members come out in the same order), with an explicit stack (no recursion limit on deep trees).
Decisions are taken per directory, from the listing the walk already has: a venv, a conda env, a
cache or a directory git ignores is never descended into, and nothing below it is opened or
stat'ed. What git ignores (and which files it does not track) is decided by
:class:`~sdistguard.git.ignores.IgnoreOracle`: git's own answer in a work tree (asked once per walker),
else sdistguard's engine with git's rules. A plain file costs no system call beyond the listing;
only links (to classify them), a regular ``CACHEDIR.TAG`` (its signature) and, without git, a
regular ``.gitignore`` (its patterns) are looked at.

Links are never followed out of the boundary (the project root, or a named directory outside it);
links inside it are followed, files and directories alike, so that the builders write them as
regular files and directories. Each directory link is followed at most once per walk, however many
paths reach it, so a link farm stays polynomial; a link to a directory on the path that reached it
is a cycle.

The package, top-down: :mod:`~sdistguard.walk.walker` (:class:`GuardedWalker`: the stack, git asked
first, settled last), :mod:`~sdistguard.walk.visit` (one directory: listing -> registry rules -> git ->
hatchling's verdict), :mod:`~sdistguard.walk.facts` (what the builder hands in, what comes out),
:mod:`~sdistguard.walk.links` (a link on disk, for the links family's
one decision), :mod:`~sdistguard.walk.log` (the build's one findings log), :mod:`sdistguard.rules.evidence` (the kinds
of evidence a finding carries, the auditor's too).

Data flows one way. The builder hands each walk its facts up front (:class:`WalkFacts`: hatchling's
relative path of the top, whether it is a force-include walk, whether artifacts are possible, the
private output directory) and one callback, :data:`Decide`, asked at most once per entry for
hatchling's :class:`Verdict` (distribution path, named by the user, pruned). The walk yields one
:class:`WalkedFile` per decided file, which the builder turns into hatchling's ``IncludedFile``
without deciding again. Findings are recorded only for what hatchling would have shipped (the
verdict's distribution path): a link that ``[tool.hatch.build] exclude`` drops anyway is not news.
The findings go to the build's :class:`FindingsLog`, handed down to the walker (and to the writers).
"""

from __future__ import annotations

from sdistguard.walk.facts import Decide, EntryKind, Rescue, Verdict, WalkedFile, WalkFacts
from sdistguard.walk.log import FindingsLog
from sdistguard.walk.walker import GuardedWalker

__all__ = ["Decide", "EntryKind", "FindingsLog", "GuardedWalker", "Rescue", "Verdict", "WalkFacts", "WalkedFile"]
