"""Where a path lies: the one place that says whether a path is inside a directory, and its relative path.

Lexical, never resolving: both arguments are compared as given, after ``os.path.normpath`` of
absolute paths (no ``realpath``, no system call). Callers ask one of two questions and pass both
paths in the same form:

- *Is this path part of the project?* Both **as reached** (the project root and a path built by
  joining names onto it, as hatchling builds them). A file reached through an in-tree link is named
  where it was reached, which is the name hatchling ships it under; resolving would rename it after
  its target, and would call a link leaving the tree "outside" although hatchling ships it under its
  in-tree name.
- *Does a link's target stay inside the boundary?* Both **resolved** (``os.path.realpath`` of the
  link and of the boundary): only the resolved target says where the bytes come from.

hatchling itself tests ``source.startswith(root)`` without a separator
(``BuilderInterface.recurse_forced_files``/``recurse_explicit_files``), so it counts a sibling
``/x/proj2`` as inside ``/x/proj``; sdistguard counts it as outside (its files are named by their
absolute path in findings, with hatchling's ``relative_path`` ``""`` for an outside source).
"""

from __future__ import annotations

import os

__all__ = ["is_within", "relative_to"]


def is_within(path: str, directory: str) -> bool:
    """True when ``path`` is ``directory`` or lies below it, compared lexically.

    Both absolute and in the same form (both as reached, or both resolved: see the module
    docstring); a trailing separator on ``directory`` is ignored. Raises nothing.
    """
    directory = directory.rstrip(os.sep) or os.sep
    return path == directory or path.startswith(directory if directory == os.sep else directory + os.sep)


def relative_to(path: str, directory: str) -> str | None:
    """``path`` relative to ``directory`` with the platform separator, ``""`` for the directory itself.

    ``None`` when ``path`` lies outside ``directory`` (:func:`is_within`). Both absolute, in the
    same form; no ``..`` is ever returned. Raises nothing.
    """
    if not is_within(path, directory):
        return None
    relative = os.path.relpath(path, directory)
    return "" if relative == os.curdir else relative
