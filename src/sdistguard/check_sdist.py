"""A check-sdist backend plugin: check-sdist treats projects built with ``sdistguard.build`` like
hatchling projects, and also excuses the git-tracked files sdistguard leaves out on purpose.

check-sdist (>= 1.6) loads ``{ep.name: ep.load()() for ep in entry_points(group="check_sdist.backends")}``
and picks the backend whose ``build_backends`` names the project's ``build-system.build-backend``.
This module is only imported by check-sdist, so check-sdist is importable whenever it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from check_sdist.backends.hatchling import HatchlingBackend

__all__ = ["SdistguardBackend"]


class SdistguardBackend(HatchlingBackend):
    """check-sdist's knowledge of sdists built by ``sdistguard.build``: hatchling's, plus our rules."""

    build_backends: ClassVar[tuple[str, ...]] = ("sdistguard.build",)

    def git_only_excludes(self, pyproject: dict[str, Any], files: frozenset[str], source_dir: Path) -> frozenset[str]:
        """The git-tracked files missing from the sdist that are a problem.

        ``files`` are POSIX paths relative to ``source_dir``. hatchling's ``exclude`` is excused
        first, then every path sdistguard's walk leaves out of this project's sdist (found by running
        that walk, :func:`sdistguard.builders.preview_findings`, without building).
        """
        files = frozenset(super().git_only_excludes(pyproject, files, source_dir))
        if not files:
            return files
        from sdistguard.builders import preview_findings
        from sdistguard.rules import left_out

        # the rule's effect decides: a link written as a regular file ships, a refused name stops the build
        gone = [found.path for found in left_out(preview_findings(str(source_dir), "sdist"))]
        directories = tuple(path for path in gone if path.endswith("/"))
        return frozenset(f for f in files if f not in gone and not f.startswith(directories))

    def sdist_only_ignores(self, pyproject: dict[str, Any]) -> Iterator[str]:
        """Files expected in the sdist but not in git: hatchling's (the hatch-vcs ``version-file``)."""
        yield from super().sdist_only_ignores(pyproject)
