"""The structured evidence on a finding (:attr:`sdistguard.rules.Finding.evidence`), the same kinds in the walk and
the auditor: the same rule gives the same finding with the same evidence in both engines.

A finding's ``detail`` is text for people; what a program needs to know about why a rule fired is
its evidence, ``(kind, value)`` pairs with these kinds:

``marker``
    the file or directory on disk that marks a directory as junk: ``pyvenv.cfg`` (PEP 405),
    ``conda-meta/``, ``CACHEDIR.TAG`` (with its signature);
``name``
    the directory's own name, a row of :data:`sdistguard.rules.JUNK_DIRECTORY_NAMES` (``.tox``), or in an
    archive the name that tells bytecode, a VCS directory or an egg-info (``__pycache__``, ``.git``);
``layout``
    what only an archive shows: a venv's layout without its ``pyvenv.cfg``, uv's cache buckets (the
    detail's text, ``layout: lib/python3.12/site-packages/, pyvenv.cfg missing``);
``ignore-source``
    the ignore file, line and pattern git (or sdistguard's engine) names: ``src/.gitignore:1: *.tmp``;
``git``
    git's status of a path it left out without naming a line: :data:`IGNORED_BELOW` (a directory every
    file below which git ignores), :data:`IGNORED` (a file), :data:`UNTRACKED` (``untracked = "exclude"``);
``link-target``
    what a link points to, as ``readlink`` says (the walk) or the member stores it (the auditor).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

from sdistguard.rules import Finding, finding

if TYPE_CHECKING:
    from sdistguard.rules import RuleName

__all__ = ["IGNORED", "IGNORED_BELOW", "UNTRACKED", "EvidenceKind", "evidence_of", "finding_with"]

EvidenceKind = Literal["marker", "name", "layout", "ignore-source", "git", "link-target"]
"""The kinds of evidence (the module docstring)."""

IGNORED_BELOW: Final = "every file below ignored"
"""``git`` evidence: git leaves the directory out because it ignores every file below, naming no line for it."""
IGNORED: Final = "ignored"
"""``git`` evidence: git leaves the file out (not tracked, and ignored), naming no line for it."""
UNTRACKED: Final = "untracked"
"""``git`` evidence: git does not track the path (nor, for a directory, anything below it)."""


def finding_with(name: RuleName, path: str, detail: str, kind: EvidenceKind, value: str, *, files: int = 0,
                 size: int = 0) -> Finding:
    """:func:`sdistguard.rules.finding` with one piece of evidence ``(kind, value)``; raises ``KeyError`` for an
    unknown rule ``name``."""
    return finding(name, path, detail, files=files, size=size, evidence=((kind, value),))


def evidence_of(found: Finding, kind: EvidenceKind) -> str | None:
    """The value of ``found``'s evidence of ``kind``, or ``None`` when it has none."""
    for each, value in found.evidence:
        if each == kind:
            return value
    return None
