"""hatchling's gitignore-style patterns (pathspec): pruning safety, and a faster exact matcher.

Patterns here are hatchling's and the user's (``exclude``, ``keep``), compiled by pathspec
(``GitIgnoreSpec``, the library hatchling itself uses); this module decides whether a directory
can be skipped whole and matches a compiled spec faster with the same answers
(:class:`SpecMatcher`). git's own ignore files are :mod:`sdistguard.git.gitignore`'s. Paths here are
POSIX-style and relative to the project root.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable
from typing import Any, Final

import pathspec
from pathspec.pattern import RegexPattern
from pathspec.util import NORMALIZE_PATH_SEPS, normalize_file

__all__ = ["PREFILTER_AFTER", "SpecMatcher", "could_match_below", "negations", "to_posix"]

_GLOB_CHARACTERS = frozenset("*?[\\")


def could_match_below(patterns: Iterable[str], directory: str) -> bool:
    """True when some pattern might match a path strictly below ``directory``.

    Used to decide whether a directory may be skipped whole: a negation (``!keep.txt``) in an
    exclude list, or a ``keep`` pattern, that could apply below it forces a file-by-file walk.
    A pattern without an inner slash floats (matches at any depth), so it always could; an anchored
    pattern could only when its literal leading components agree with ``directory``'s. The answer
    errs on the side of ``True``.
    """
    directory_parts = directory.strip("/").split("/")
    for raw in patterns:
        pattern = raw.strip().removeprefix("!")
        if not pattern or pattern.startswith("#"):
            continue
        if pattern.startswith("**/") or "/" not in pattern.rstrip("/"):
            return True
        literal: list[str] = []
        for part in pattern.lstrip("/").split("/"):
            if _GLOB_CHARACTERS.intersection(part):
                break
            literal.append(part)
        common = min(len(literal), len(directory_parts))
        if literal[:common] == directory_parts[:common]:
            return True
    return False


def negations(spec: pathspec.PathSpec[Any] | None) -> list[str]:
    """The negation patterns (``!...``) of a compiled spec, as their source text."""
    if spec is None:
        return []
    return [
        str(getattr(pattern, "pattern", "") or "**")  # pathspec < 0.11 keeps no source: assume it floats
        for pattern in spec.patterns
        if pattern.include is False
    ]


def to_posix(path: str) -> str:
    """``path`` with the platform separator replaced by ``/``."""
    return path.replace(os.sep, "/") if os.sep != "/" else path


PREFILTER_AFTER: Final = 200
"""Calls a :class:`SpecMatcher` answers through pathspec alone before it compiles its prefilter: compiling
costs about as much as pathspec's answers for that many paths, which a small project never reaches."""


class SpecMatcher:
    """``spec.match_file(path)`` of a compiled pathspec, exactly, with one regular expression tried first.

    pathspec's default ("simple") backend tries the patterns one by one in Python, because
    gitignore precedence needs the last match. Most files of a build match no exclude pattern at
    all; for them one call of :attr:`prefilter` — the alternation of every pattern's own regular
    expression — says so, and the answer is ``False`` (pathspec's answer when nothing matches).
    A path the prefilter matches goes to ``spec.match_file`` itself, so precedence and negations
    stay pathspec's.

    ``spec`` is a ``pathspec.PathSpec`` (hatchling's ``GitIgnoreSpec``) or ``None`` (matches
    nothing); paths are ``str``, relative, as hatchling passes them to ``match_file``.
    :attr:`prefilter` is built only for pathspec's own ``PathSpec``/``GitIgnoreSpec`` (what
    hatchling compiles) over pathspec's own regex patterns, matched by its default backend;
    otherwise it is ``None`` and every call goes to pathspec: a subclass of either, another
    backend (re2, hyperscan), bytes patterns, mixed regex flags, back-references or conditionals.
    """

    def __init__(self, spec: pathspec.PathSpec[Any] | None, prefilter_after: int = PREFILTER_AFTER) -> None:
        """Keep ``spec``; the prefilter is compiled on the first call past ``prefilter_after`` calls (or when
        :attr:`prefilter` is read), so that a tree of a few files never pays for its compilation (the answer
        is pathspec's either way). Raises nothing (a spec the prefilter cannot cover goes to pathspec alone)."""
        self.spec = spec
        self._before_prefilter = prefilter_after
        self._prefilter: re.Pattern[str] | None = None
        self._compiled = False

    @property
    def prefilter(self) -> re.Pattern[str] | None:
        """The alternation of the spec's exclude expressions (compiled on first read), or ``None`` when it
        would not be exact."""
        if not self._compiled:
            self._prefilter, self._compiled = _combined_regex(self.spec), True
        return self._prefilter

    def __call__(self, path: str) -> bool:
        """True when ``spec`` matches ``path``, as ``spec.match_file(path)`` says."""
        spec = self.spec
        if spec is None:
            return False
        if self._before_prefilter:
            self._before_prefilter -= 1
            return bool(spec.match_file(path))
        prefilter = self.prefilter
        if prefilter is not None and prefilter.search(_normalized(path)) is None:
            return False
        return bool(spec.match_file(path))


def _normalized(path: str) -> str:
    """pathspec's ``normalize_file(path)``; on POSIX a relative path without ``./`` is already normal."""
    if NORMALIZE_PATH_SEPS or path.startswith(("/", "./")):
        return normalize_file(path)
    return path


_FLOATING = "^(?:.+/)?"  # how pathspec starts a pattern without an inner slash: at any depth


def _combined_regex(spec: pathspec.PathSpec[Any] | None) -> re.Pattern[str] | None:
    """The alternation of the spec's pattern expressions, or ``None`` when it would not be exact.

    ``search`` of the alternation finds a match exactly when one of the expressions' own ``search``
    does, and whenever its ``match`` does (pathspec < 1 calls ``match``, pathspec >= 1 ``search``).
    Group names (pathspec's ``ps_d`` directory mark) are dropped, since a name may appear only
    once per expression. The floating patterns share their prefix — ``^(?:.+/)?(?:A|B)`` matches
    what ``^(?:.+/)?A`` or ``^(?:.+/)?B`` matches — so the backtracking over the directories of a
    path happens once, not once per pattern.
    """
    if spec is None or type(spec) not in (pathspec.PathSpec, pathspec.GitIgnoreSpec):
        return None
    backend = getattr(spec, "_backend", None)  # pathspec >= 1: re2 and hyperscan have their own semantics
    if backend is not None and not type(backend).__name__.startswith("Simple"):
        return None
    whole: list[str] = []
    floating: list[str] = []
    flags: set[int] = set()
    for pattern in spec.patterns:
        if pattern.include is None:
            continue
        regex = getattr(pattern, "regex", None)
        if type(pattern).match_file is not RegexPattern.match_file or not isinstance(regex, re.Pattern):
            return None
        if not isinstance(regex.pattern, str):
            return None
        scanned = _without_group_names(regex.pattern)
        if scanned is None:
            return None
        expression, alternation = scanned
        rest = expression.removeprefix(_FLOATING)
        if rest != expression and not alternation and not rest.startswith(("*", "+", "?", "{")):
            floating.append(f"(?:{rest})")
        else:
            whole.append(f"(?:{expression})")
        flags.add(regex.flags)
    if floating:
        whole.append(f"{_FLOATING}(?:{'|'.join(floating)})")
    if not whole or len(flags) != 1:
        return None
    try:
        with warnings.catch_warnings():  # pathspec already warned about the user's pattern, once
            warnings.simplefilter("ignore")
            return re.compile("|".join(whole), flags.pop())
    except re.error:
        return None


def _without_group_names(expression: str) -> tuple[str, bool] | None:
    """``expression`` with every named group made non-capturing, and whether it has a top-level ``|``.

    ``None`` if it holds a back-reference or a conditional. Scans the expression with Python's ``re`` syntax
    (escapes, character classes with a literal leading ``]``), so text inside a class or after a
    backslash is never taken for a group or an alternation.
    """
    parts: list[str] = []
    index, end, in_class, depth, alternation = 0, len(expression), False, 0, False
    while index < end:
        character = expression[index]
        if character == "\\":
            if not in_class and expression[index + 1:index + 2].isdigit():
                return None
            parts.append(expression[index:index + 2])
            index += 2
            continue
        if in_class:
            in_class = character != "]"
        elif character == "[":
            start, index = index, index + 1
            index += expression.startswith("^", index)
            index += expression.startswith("]", index)  # a ] right after [ or [^ is literal
            in_class = True
            parts.append(expression[start:index])
            continue
        elif expression.startswith(("(?P=", "(?("), index):
            return None
        elif expression.startswith("(?P<", index):
            close = expression.find(">", index)
            if close < 0:
                return None
            parts.append("(?:")
            depth += 1
            index = close + 1
            continue
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif character == "|" and depth == 0:
            alternation = True
        parts.append(character)
        index += 1
    return "".join(parts), alternation
