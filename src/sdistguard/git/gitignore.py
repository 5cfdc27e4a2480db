"""git's ignore rules, line for line, for when git itself cannot be asked.

The reference is git 2.39 (``dir.c``, ``wildmatch.c``) and gitignore(5):

- A file is read as bytes: a leading UTF-8 BOM is skipped, lines end at ``\\n`` (a ``\\r`` before
  it is dropped), blank lines and lines starting with ``#`` are comments, trailing spaces are
  dropped unless escaped with a backslash (tabs are kept). Nothing is ever decoded, so a latin-1
  comment does not void the file.
- ``!`` negates; a trailing ``/`` makes a pattern match directories only; a pattern with no other
  ``/`` matches the name at any depth below its file's directory, any other pattern is anchored
  there. ``*`` and ``?`` do not match ``/``; ``**`` between slashes (or at either end) does;
  ``[...]`` are byte classes (``[!..]``/``[^..]`` negate, ranges, ``[:alpha:]``-style classes,
  backslash escapes). git compares the pattern's literal lead (up to the first ``*?[\\``) as a
  plain prefix and matches the rest on its own, so ``a**/b`` matches ``a/x/b``, as in git.
- A pattern git cannot use — a lone ``!``, a trailing backslash, an unclosed ``[`` — matches
  nothing; ``[z-a]`` is an empty range. git never errors on a pattern; neither does this module.
- Precedence: the ``.gitignore`` files from the deepest directory up, then ``.git/info/exclude``,
  then ``core.excludesFile``; within a file the last matching line wins; a negation un-ignores.
  A directory that is ignored is not descended into, so nothing below it can be re-included.

Paths are ``str`` as the file system gives them (``os.fsdecode``), ``/``-separated, relative to
the top of the tree the patterns belong to (the work tree's top, or the project root when there is
no work tree); they are matched as bytes (``os.fsencode``), as git matches them.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["IgnoreRules", "Pattern", "PatternList", "parse_patterns", "read_pattern_file", "wildmatch_regex"]

_BOM: Final = b"\xef\xbb\xbf"
_GLOB_SPECIAL: Final = frozenset(b"*?[\\")
_SLASH: Final = ord("/")
_BACKSLASH: Final = ord("\\")
_STAR: Final = ord("*")

# git's sane_ctype classes, on bytes (ASCII only), for [:name:] inside a bracket expression
_CLASSES: Final[dict[bytes, frozenset[int]]] = {
    b"alnum": frozenset(c for c in range(128) if chr(c).isalnum()),
    b"alpha": frozenset(c for c in range(128) if chr(c).isalpha()),
    b"blank": frozenset(b" \t"),
    b"cntrl": frozenset([*range(32), 127]),
    b"digit": frozenset(b"0123456789"),
    b"graph": frozenset(range(33, 127)),
    b"lower": frozenset(b"abcdefghijklmnopqrstuvwxyz"),
    b"print": frozenset(range(32, 127)),
    b"punct": frozenset(c for c in range(33, 127) if not chr(c).isalnum()),
    b"space": frozenset(b" \t\n\r\f\v"),
    b"upper": frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    b"xdigit": frozenset(b"0123456789abcdefABCDEF"),
}


class _Never(Exception):
    """The pattern can never match (git's WM_ABORT_ALL on a malformed pattern)."""


def _byte_class(members: Iterable[int]) -> bytes:
    chosen = sorted(set(members))
    if not chosen:
        return b"(?!)"
    return b"[" + b"".join(b"\\x%02x" % c for c in chosen) + b"]"


def _bracket(pattern: bytes, start: int) -> tuple[bytes, int]:
    """Translate the bracket expression at ``pattern[start] == '['``; returns (regex, index after ``]``).

    Follows wildmatch.c: the first member may be ``]``; ``-`` is a range only between two members;
    ``\\`` escapes; ``[:class:]`` names a class (an unknown name makes the pattern unusable); a
    ``[:`` without ``:]`` is a plain ``[``. Raises :class:`_Never` for an unclosed bracket.
    """
    n = len(pattern)
    i = start + 1
    negated = i < n and pattern[i] in b"!^"
    if negated:
        i += 1
    members: set[int] = set()
    prev = 0
    first = True
    while True:
        if i >= n:
            raise _Never
        c = pattern[i]
        if c == ord("]") and not first:
            break
        first = False
        if c == _BACKSLASH:
            i += 1
            if i >= n:
                raise _Never
            c = pattern[i]
            members.add(c)
        elif c == ord("-") and prev and i + 1 < n and pattern[i + 1] != ord("]"):
            i += 1
            high = pattern[i]
            if high == _BACKSLASH:
                i += 1
                if i >= n:
                    raise _Never
                high = pattern[i]
            members.update(range(prev, high + 1))  # empty when prev > high: [z-a] matches nothing
            c = 0
        elif c == ord("[") and i + 1 < n and pattern[i + 1] == ord(":"):
            close = pattern.find(b"]", i + 2)
            if close < 0:
                raise _Never
            name = pattern[i + 2:close]
            if len(name) >= 1 and name.endswith(b":"):
                cls = _CLASSES.get(name[:-1])
                if cls is None:
                    raise _Never
                members.update(cls)
                i = close
                c = 0
            else:
                members.add(c)  # no ":]": a plain '['
        else:
            members.add(c)
        prev = c
        i += 1
    chosen = set(range(256)) - members if negated else members
    chosen.discard(_SLASH)  # WM_PATHNAME: a bracket never matches '/'
    return _byte_class(chosen), i + 1


def _wildmatch(pattern: bytes) -> bytes:
    """wildmatch(pattern, text, WM_PATHNAME) as a regular expression (raises :class:`_Never`)."""
    out: list[bytes] = []
    n = len(pattern)
    i = 0
    while i < n:
        c = pattern[i]
        if c == _STAR:
            j = i
            while j < n and pattern[j] == _STAR:
                j += 1
            if j - i >= 2 and (i == 0 or pattern[i - 1] == _SLASH) and (
                j == n or pattern[j] == _SLASH or pattern[j:j + 2] == b"\\/"
            ):
                if j < n and pattern[j] == _SLASH:
                    out.append(b"(?:.*/)?")  # "**/" matches zero or more whole directories
                    j += 1
                else:
                    out.append(b".*")
            else:
                out.append(b"[^/]*")
            i = j
        elif c == ord("?"):
            out.append(b"[^/]")
            i += 1
        elif c == ord("["):
            expression, i = _bracket(pattern, i)
            out.append(expression)
        elif c == _BACKSLASH:
            if i + 1 >= n:
                raise _Never  # a trailing backslash matches nothing
            out.append(re.escape(pattern[i + 1:i + 2]))
            i += 2
        else:
            out.append(re.escape(pattern[i:i + 1]))
            i += 1
    return b"".join(out)


def wildmatch_regex(pattern: bytes) -> re.Pattern[bytes] | None:
    """git's ``wildmatch(pattern, text, WM_PATHNAME)`` as a compiled regex for ``fullmatch``.

    ``None`` when the pattern can never match (a trailing backslash, an unclosed bracket, an
    unknown ``[:class:]``), which is what git does with it. Never raises.
    """
    try:
        return re.compile(_wildmatch(pattern), re.DOTALL)
    except _Never:
        return None


def _simple_length(pattern: bytes) -> int:
    for index, byte in enumerate(pattern):
        if byte in _GLOB_SPECIAL:
            return index
    return len(pattern)


@dataclass(frozen=True)
class Pattern:
    """One usable line of an ignore file.

    ``text`` is the line as git prints it in ``check-ignore -v`` (after trimming), ``line`` its
    1-based number, ``source`` the file's label (a path relative to the tree's top, or absolute
    for a file outside it). ``base`` is the directory the pattern is relative to (``b""`` or
    ``b"docs/"``).
    """

    source: str
    line: int
    text: str
    base: bytes
    negated: bool
    directory_only: bool
    basename_only: bool
    literal: bytes
    regex: re.Pattern[bytes] | None
    exact: bool

    def matches(self, path: bytes, *, is_dir: bool) -> bool:
        """Whether this line matches ``path`` (bytes, relative to the tree's top), as git's matcher."""
        if self.directory_only and not is_dir:
            return False
        if self.basename_only:
            name = path[path.rfind(b"/") + 1:]
            if self.exact:
                return name == self.literal
            return self.regex is not None and self.regex.fullmatch(name) is not None
        base = self.base
        if base and not path.startswith(base):
            return False
        name = path[len(base):]
        if not name or not name.startswith(self.literal):
            return False
        rest = name[len(self.literal):]
        if self.exact:
            return not rest
        return self.regex is not None and self.regex.fullmatch(rest) is not None


def _trim_trailing_spaces(line: bytes) -> bytes:
    """git's ``trim_trailing_spaces``: unescaped trailing spaces go; a trailing backslash stops it."""
    last_space = -1
    index = 0
    n = len(line)
    while index < n:
        byte = line[index]
        if byte == 0x20:
            if last_space < 0:
                last_space = index
        elif byte == _BACKSLASH:
            index += 1
            if index >= n:
                return line
            last_space = -1
        else:
            last_space = -1
        index += 1
    return line[:last_space] if last_space >= 0 else line


def _compile(raw: bytes, source: str, line: int, base: bytes) -> Pattern:
    """git's ``add_pattern``/``parse_path_pattern`` for one trimmed, non-comment line."""
    text = raw
    negated = text.startswith(b"!")
    if negated:
        text = text[1:]
    directory_only = text.endswith(b"/")
    if directory_only:
        text = text[:-1]
    basename_only = b"/" not in text
    prefix = min(_simple_length(text), len(text))
    label = os.fsdecode(raw)
    if basename_only:
        # match_basename: an exact name, or wildmatch without WM_PATHNAME (same thing on one name)
        exact = prefix == len(text)
        if not text:
            regex = None
            exact = False
        else:
            regex = None if exact else wildmatch_regex(text)
        return Pattern(source, line, label, base, negated, directory_only, True, text, regex, exact)
    if text.startswith(b"/"):
        text = text[1:]
        prefix -= 1
    literal, rest = text[:prefix], text[prefix:]
    exact = not rest
    regex = None if exact else wildmatch_regex(rest)
    return Pattern(source, line, label, base, negated, directory_only, False, literal, regex, exact)


def parse_patterns(data: bytes, source: str, base: bytes = b"") -> tuple[Pattern, ...]:
    """Every usable line of an ignore file's bytes, in order (git's ``add_patterns_from_buffer``).

    ``base`` is the directory the file governs (``b""`` for the top, else ending in ``/``).
    """
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    patterns: list[Pattern] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line or line.startswith(b"#"):
            continue
        if line.endswith(b"\r"):
            line = line[:-1]
        line = _trim_trailing_spaces(line)
        if not line:
            continue
        patterns.append(_compile(line, source, number, base))
    return tuple(patterns)


@dataclass(frozen=True)
class PatternList:
    """The patterns of one ignore file (possibly none)."""

    source: str
    patterns: tuple[Pattern, ...]

    def last_match(self, path: bytes, *, is_dir: bool) -> Pattern | None:
        """The last line that matches ``path`` (a negation included), or ``None``."""
        for pattern in reversed(self.patterns):
            if pattern.matches(path, is_dir=is_dir):
                return pattern
        return None


def read_pattern_file(path: str, source: str, base: bytes = b"") -> PatternList | None:
    """Read one ignore file as git does; ``None`` when it is missing, not a regular file, or unreadable.

    A link is not followed (git >= 2.32 refuses a ``.gitignore`` that is a link); a FIFO is never
    opened. ``source`` labels the file in decisions.
    """
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    patterns = parse_patterns(data, source, base)
    return PatternList(source, patterns) if patterns else None


class IgnoreRules:
    """git's ignore decision for the paths of one tree, from its files alone.

    ``top`` is the directory the ``.gitignore`` files are relative to (absolute). ``extra`` are the
    lower-precedence lists (``.git/info/exclude``, then ``core.excludesFile``: highest first).
    ``skip`` is a directory (relative, ``""`` for ``top``) whose own ``.gitignore`` is not read (the
    one hatchling applies itself). ``accept``, when given, chooses which ``.gitignore`` files count
    (the others are treated as absent). Each directory's ``.gitignore`` is read once, when first needed.
    """

    def __init__(self, top: str, extra: Sequence[PatternList] = (), *, skip: str | None = None,
                 accept: Callable[[PatternList], bool] | None = None) -> None:
        """Set up; nothing is read until a path is asked about. Raises nothing."""
        self.top = top
        self.extra = tuple(extra)
        self.skip = skip
        self.accept = accept
        self._lists: dict[str, tuple[PatternList, ...]] = {}

    def lists(self, directory: str) -> tuple[PatternList, ...]:
        """The ``.gitignore`` lists that apply inside ``directory`` (relative; ``""`` is the top), deepest first."""
        cached = self._lists.get(directory)
        if cached is not None:
            return cached
        parent = () if not directory else self.lists(directory.rpartition("/")[0])
        own = None
        if directory != self.skip:
            label = f"{directory}/.gitignore" if directory else ".gitignore"
            base = os.fsencode(directory + "/") if directory else b""
            own = read_pattern_file(os.path.join(self.top, directory, ".gitignore"), label, base)
            if own is not None and self.accept is not None and not self.accept(own):
                own = None
        result = (own, *parent) if own is not None else parent
        self._lists[directory] = result
        return result

    def match(self, path: str, *, is_dir: bool) -> Pattern | None:
        """The line that decides ``path`` (a negation included), ignoring its ancestors' state."""
        encoded = os.fsencode(path)
        for patterns in (*self.lists(path.rpartition("/")[0]), *self.extra):
            found = patterns.last_match(encoded, is_dir=is_dir)
            if found is not None:
                return found
        return None

    def ignored(self, path: str, *, is_dir: bool) -> Pattern | None:
        """The pattern that ignores ``path`` itself (its parent assumed not ignored), or ``None``."""
        found = self.match(path, is_dir=is_dir)
        return None if found is None or found.negated else found

    def ignored_with_parents(self, path: str, *, is_dir: bool) -> Pattern | None:
        """Like :meth:`ignored`, but an ignored ancestor directory ignores ``path`` too (git's traversal)."""
        parts = path.split("/")
        for depth in range(1, len(parts)):
            found = self.ignored("/".join(parts[:depth]), is_dir=True)
            if found is not None:
                return found
        return self.ignored(path, is_dir=is_dir)
