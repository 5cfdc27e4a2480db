"""Member names that unpack on Linux but break elsewhere: Windows' rules, case and Unicode twins, length.

Pure functions over POSIX-style member paths (``/``-separated, relative to the archive's top-level
directory or the wheel's root). What uv refuses everywhere (``:``, backslash, control characters, edge
spaces, bytes that are not UTF-8) is :func:`sdistguard.rules.unportable_reason`; this module adds what
only some OSes refuse or lose:

- Windows refuses a component that is a reserved device name (``CON``, ``PRN``, ``AUX``, ``NUL``,
  ``COM0``-``COM9``, ``LPT0``-``LPT9``), with any extension and in any case (``aux.py``, ``Nul.txt``), a
  component ending in a dot or a space, and the characters ``<>"|?*``. Source: Microsoft's "Naming
  Files, Paths, and Namespaces" (Win32 file namespace).
- Windows (NTFS) and macOS (APFS, HFS+) are case-insensitive by default, and macOS does not tell apart
  the NFC and NFD spellings of one name: two members that differ only so overwrite each other on
  extraction, silently (:class:`TwinNames`).
- Windows limits a path to ``MAX_PATH`` = 260 characters (with the terminating NUL) unless long paths
  are enabled (pip#10142). An installer unpacks below a temporary directory, so a member must leave room
  for it: :data:`PATH_BUDGET`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from sdistguard.rules import Finding, finding, unportable_reason

if TYPE_CHECKING:
    from sdistguard.rules import RuleName

__all__ = ["PATH_BUDGET", "NameCheck", "TwinNames", "too_long", "twin_finding", "windows_reason"]

_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{digit}" for digit in range(10)), *(f"LPT{digit}" for digit in range(10))}
)

PATH_BUDGET: Final = 160
"""Characters a member path (below the sdist's top-level directory, or in a wheel) may have.

``MAX_PATH`` is 260 characters including the terminating NUL (259 usable). pip unpacks an sdist below
``C:\\Users\\<user>\\AppData\\Local\\Temp\\pip-install-<8>\\<name>_<32 hex>\\`` and uv below
``C:\\Users\\<user>\\AppData\\Local\\uv\\cache\\sdists-v9\\...\\<16 hex>\\<name>\\<version>\\<random>\\src\\``:
with a 16-character user name and a 20-character project name both prefixes come to about 95-100
characters, which leaves 160 for the member path. A wheel installs below
``...\\Python312\\Lib\\site-packages\\`` or a project's ``.venv\\Lib\\site-packages\\``: shorter, so the same
budget is on the safe side. A longer path is a warning: it works where long paths are enabled.
"""


def windows_reason(relative_path: str) -> str | None:
    """Say why Windows refuses a member name, or return ``None`` when it does not.

    ``relative_path`` uses ``/``; each component is checked: a reserved device name (the part before
    the first dot, trailing spaces dropped, any case), a trailing dot or space, one of ``<>"|?*``.
    The first problem found is named, e.g. ``"'aux.py' is a reserved device name on Windows"``.
    The answer for each parent directory is remembered (:func:`_directory_reason`): members share
    their directories. Raises nothing.
    """
    parent, _, name = relative_path.strip("/").rpartition("/")
    return (_directory_reason(parent) if parent else None) or _component_reason(name)


@functools.lru_cache(maxsize=4096)
def _directory_reason(directory: str) -> str | None:
    """:func:`windows_reason` of a directory path (no leading or trailing ``/``), outermost component first.

    A loop, not a recursion through the parent: a tree may be deeper than Python's recursion limit."""
    for component in directory.split("/"):
        reason = _component_reason(component)
        if reason is not None:
            return reason
    return None


def _component_reason(component: str) -> str | None:
    """Why Windows refuses one path component, or ``None``."""
    if component in ("", ".", ".."):
        return None
    stem = component.split(".", 1)[0].rstrip(" ").upper()
    if stem in _RESERVED:
        return f"{component!r} is a reserved device name on Windows"
    if component.endswith((".", " ")):
        return f"{component!r} ends in a {'dot' if component.endswith('.') else 'space'} (Windows drops it)"
    character = _windows_character().search(component)
    if character is not None:
        return f"{component!r} contains {character.group()!r} (refused on Windows)"
    return None


@functools.cache
def _windows_character() -> re.Pattern[str]:
    """The characters Windows refuses in a file name (compiled on first use)."""
    return re.compile(r'[<>"|?*]')


def too_long(relative_path: str, budget: int = PATH_BUDGET) -> bool:
    """True when ``relative_path`` (``/``-separated) has more than ``budget`` characters (see PATH_BUDGET)."""
    return len(relative_path.rstrip("/")) > budget


def _fold(relative_path: str) -> str:
    path = relative_path.rstrip("/")
    if path.isascii():  # NFC leaves ASCII as it is: most trees never load unicodedata
        return path.lower()
    from unicodedata import normalize

    return normalize("NFC", path).lower()


class TwinNames:
    """Find members that land on one file on a case-insensitive or normalising file system.

    ``add(path)`` each member path in turn (``/``-separated; directories may end in ``/``); it returns
    the earlier member that ``path`` would overwrite or merge with (the same name up to case and NFC/NFD
    normalisation, but not the same string), else ``None``. A directory and a file are twins too
    (``Docs`` the file and ``docs/`` the directory cannot both exist). Two directories that differ only
    in case merge rather than lose files, so their *files* are what collide and are reported.
    Memory: one folded string per member. Raises nothing.
    """

    def __init__(self) -> None:
        self._files: dict[str, str] = {}
        self._directories: dict[str, str] = {}
        self._parents: dict[str, tuple[str, ...]] = {}  # a directory -> it and its ancestors, folded, outermost first

    def add(self, path: str) -> str | None:
        """Record ``path``; return the earlier twin it collides with, or ``None``."""
        is_directory = path.endswith("/")
        name = path.rstrip("/")
        folded = _fold(name)
        twin: str | None = None
        parent = name.rpartition("/")[0]
        if parent:
            ancestors = self._parents.get(parent)
            if ancestors is None:
                ancestors = self._register(parent)
            files = self._files
            for folded_parent in ancestors:  # every parent directory of the member
                earlier_file = files.get(folded_parent)
                if earlier_file is not None:
                    twin = earlier_file
                    break
        if folded == name:
            name = folded  # one string for both, when folding changes nothing
        if is_directory:
            earlier_file = self._files.get(folded)
            if earlier_file is not None and twin is None:
                twin = earlier_file
            self._directories.setdefault(folded, name)
            return twin
        earlier = self._files.get(folded)
        if earlier is not None and earlier != name and twin is None:
            twin = earlier
        earlier_directory = self._directories.get(folded)
        if earlier_directory is not None and twin is None:
            twin = earlier_directory + "/"
        self._files.setdefault(folded, name)
        return twin

    def _register(self, parent: str) -> tuple[str, ...]:
        """Record every ancestor directory of a member in ``parent`` not seen yet; the folded ancestors.

        Each directory is folded once, from the nearest ancestor already known (no recursion: a tree
        may be deeper than Python's recursion limit)."""
        missing = []
        directory = parent
        while directory and directory not in self._parents:
            missing.append(directory)
            directory = directory.rpartition("/")[0]
        ancestors = self._parents[directory] if directory else ()
        for directory in reversed(missing):
            folded_directory = _fold(directory)
            self._directories.setdefault(folded_directory, directory)
            ancestors = (*ancestors, folded_directory)
            self._parents[directory] = ancestors
        return ancestors


def _located(shown: str, dropped: int) -> str:
    """``shown`` (a ``/``-separated path) without its last ``dropped`` components, as a directory (``x/``)."""
    if dropped == 0:
        return shown
    return "/".join(shown.rstrip("/").split("/")[:-dropped]) + "/"


class NameCheck:
    """The name rules (SG401-SG404) over one artifact's member paths: the one detector of the build and the auditor.

    Feed each member with :meth:`check`, in the artifact's order. A rule about one path component
    (SG401: what installers refuse, :func:`sdistguard.rules.unportable_reason`; SG402: what Windows
    refuses, :func:`windows_reason`) names the first offending component: the file itself, or the
    directory holding it (ending in ``/``), once per directory, its detail the component's problem.
    SG403 names each member that is a twin of an earlier one (:class:`TwinNames`), SG404 each file past
    :data:`PATH_BUDGET`. A member SG401 names (itself or a directory above it) is refused: it joins no
    twin or length check. ``clash`` builds the finding for a member and its earlier twin (the
    auditor's tells an unsafe overlap from a case twin); by default ``name-twin``. Raises nothing.
    """

    def __init__(self, clash: Callable[[str, str], Finding] | None = None) -> None:
        """A check with no member seen yet; ``clash(path, twin)`` as in the class docstring."""
        self._twins = TwinNames()
        self._named: set[tuple[str, str]] = set()  # (code, directory) already reported
        self._clash = clash or twin_finding

    def check(self, member: str, shown: str | None = None) -> tuple[list[Finding], bool]:
        """The name findings of one ``member`` path and whether an installer refuses it (SG401).

        ``member`` is ``/``-separated, relative to the artifact's top (below an sdist's top-level
        directory, or a wheel's root); a directory member ends in ``/``. ``shown`` is the same path as
        the findings name it (the build names a file relative to the project root: ``src/demo/x.py``
        for the wheel's ``demo/x.py``); a directory is named by dropping as many trailing components
        from ``shown`` as lie below it in ``member``. Defaults to ``member``.
        """
        shown = member if shown is None else shown
        name = member.rstrip("/")
        found: list[Finding] = []
        refused = unportable_reason(name) is not None
        windows = windows_reason(name) is not None
        if refused or windows:
            parts = name.split("/")
            for depth, component in enumerate(parts, 1):
                rule: RuleName = "unportable-name"
                detail = unportable_reason(component)
                if detail is None:
                    rule, detail = "windows-name", _component_reason(component)
                if detail is None:
                    continue
                below = len(parts) - depth
                if below or member.endswith("/"):  # a directory: named once, at the directory
                    where = _located(shown, below)
                    if (rule, where) not in self._named:
                        self._named.add((rule, where))
                        found.append(finding(rule, where, detail))
                else:
                    found.append(finding(rule, shown, detail))
                if rule == "unportable-name":
                    break  # the member is refused here; what lies below is not looked at further
        if refused:
            return found, True
        twin = self._twins.add(member)
        if twin is not None:
            found.append(self._clash(shown, twin))
        if not member.endswith("/") and too_long(member):
            found.append(finding("long-path", shown, f"{len(member)} characters (budget {PATH_BUDGET})"))
        return found, False


def twin_finding(path: str, twin: str) -> Finding:
    """``name-twin`` for ``path``, which lands on the earlier member ``twin`` where case or normalisation is lost."""
    return finding("name-twin", path, f"same name as {twin} on a case-insensitive or normalising file system "
                   "(Windows, macOS)")
