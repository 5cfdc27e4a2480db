"""What hatchling itself would put in a project's sdist, judged as ``sdistguard check`` judges an sdist.

``sdistguard check DIR`` on a hatchling project answers "what would hatchling's sdist of this tree
hold that should not ship?". :func:`hatchling_selection` is hatchling's own file selection (its
``recurse_project_files`` / ``recurse_explicit_files`` / ``recurse_forced_files`` of
``BuilderInterface``, unguarded: its root ``.gitignore``, patterns, only-include, force-include),
and :func:`audit_selection` feeds each selected file to the auditor's
:class:`~sdistguard.audit.collector.Collector` as the tar member hatchling's ``SdistArchive`` would
write for it (``TarFile.gettarinfo``: a link stays a link, a second hard link a hard link member,
a socket is skipped), content scanned for secrets. So the preview's codes, paths and counts are
the auditor's on hatchling's built sdist of the same tree, by construction; only the metadata
checks (PKG-INFO, which the preview does not write) are left out.

What only the tree can tell is added by :func:`hatchling_would_ship` from the guarded walk: the
files git ignores that hatchling ships anyway (SG104, counted over hatchling's selection and
dropped when hatchling ships nothing below), untracked files, the ignore file from above the root,
and the tracked files hatchling's reading of the root ``.gitignore`` drops
(:func:`tracked_dropped_checker`, the ``tracked-ignored-by-hatchling`` rule).
"""

from __future__ import annotations

import bisect
import functools
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

import pathspec
from hatchling.builders.constants import EXCLUDED_FILES
from hatchling.builders.plugin.interface import BuilderInterface, IncludedFile
from hatchling.builders.utils import normalize_archive_path

from sdistguard.patterns import to_posix
from sdistguard.rules import Finding, RuleName

if TYPE_CHECKING:
    from hatchling.builders.config import BuilderConfig

    from sdistguard.audit.base import Limits, MemberKind
# The auditor (sdistguard.audit) is imported by the functions that audit, never by a build: the
# build's guarded walk asks only tracked_dropped_checker (tests/test_startup.py).

__all__ = ["TREE_ONLY", "audit_selection", "hatchling_selection", "hatchling_would_ship", "tracked_dropped_checker"]

TREE_ONLY: Final[frozenset[RuleName]] = frozenset({
    "nested-gitignore", "parent-ignore-file", "untracked", "untracked-excluded", "git-unavailable",
    "tracked-ignored-by-hatchling",
})
"""The guarded walk's rules that no archive can show (git's view of the tree): added to the audit's findings."""

_CHUNK: Final = 1 << 20
_KINDS: Final[dict[bytes, MemberKind]] = {
    b"2": "symlink", b"1": "hardlink", b"6": "fifo", b"3": "chardev", b"4": "blockdev", b"5": "dir",
}
"""tarfile's ``SYMTYPE``, ``LNKTYPE``, ``FIFOTYPE``, ``CHRTYPE``, ``BLKTYPE``, ``DIRTYPE``, spelled out: a
build imports this module, a wheel build no tarfile (the audit below imports it)."""


def hatchling_selection(builder: BuilderInterface[Any, Any], *, forced: bool = True) -> Iterator[IncludedFile]:
    """hatchling's own ``recurse_included_files`` for ``builder``, whatever subclass overrides it.

    The same two lines as hatchling's (selected project files, then the forced inclusion map),
    calling ``BuilderInterface``'s implementations directly, so sdistguard's guarded walks are not
    used; ``forced=False``: the selected project files only. Call inside ``builder.config.set_build_data``;
    raises what hatchling raises
    (``FileNotFoundError`` for a missing forced source, ``TypeError``/``ValueError`` for bad patterns).
    """
    config = builder.config
    if config.only_include:
        yield from BuilderInterface.recurse_explicit_files(builder, config.only_include)
    else:
        yield from BuilderInterface.recurse_project_files(builder)
    if forced:
        yield from BuilderInterface.recurse_forced_files(builder, config.get_force_include())


def audit_selection(files: Iterable[IncludedFile], project: str | None, allow_secrets: Sequence[str] = (),
                    limits: Limits | None = None) -> tuple[list[Finding], dict[str, int]]:
    """Audit ``files`` as the members of the sdist hatchling would write from them.

    ``project`` is the distribution's name (its own ``*.egg-info`` is no foreign one). Returns the
    collector's findings (paths as below the sdist's top-level directory, i.e. the distribution
    paths) and ``{project-relative POSIX path: stored bytes}`` of every member written from a
    project file. A file that vanished or cannot be read is skipped, as if hatchling had failed on
    it later. ``allow_secrets``: patterns of members whose content is not scanned (SG602).
    """
    import tarfile

    from sdistguard.audit.base import LimitReached, Limits, Member
    from sdistguard.audit.collector import Collector

    collector = Collector(True, limits or Limits(), allow_secrets)
    archive = tarfile.TarFile(fileobj=io.BytesIO(), mode="w", format=tarfile.PAX_FORMAT)  # gettarinfo only
    top = project or "project"
    sizes: dict[str, int] = {}
    try:
        for included in files:
            name = normalize_archive_path(os.path.join(top, included.distribution_path))
            try:
                info = archive.gettarinfo(included.path, arcname=name)
            except OSError:
                continue
            if info is None:  # a socket: tarfile skips it, and so does hatchling's sdist
                continue
            kind = "file" if info.isfile() else _KINDS.get(info.type, "file")
            if kind != "file":
                collector.add(Member(name, kind, 0, info.mode, info.linkname))
                if included.relative_path:
                    sizes[to_posix(included.relative_path)] = 0  # a member, as the collector counts it
                continue
            try:
                handle = open(included.path, "rb")  # noqa: SIM115 - closed in the finally below
            except OSError:
                continue
            try:
                head = handle.read(collector.head_size(name))
                where = collector.add(Member(name, kind, info.size, info.mode, info.linkname, head))
                if included.relative_path:
                    sizes[to_posix(included.relative_path)] = info.size
                scanner = collector.scanner(where)
                if scanner is not None and where is not None:
                    scanner.feed(head)
                    chunk = handle.read(_CHUNK)
                    while chunk:
                        scanner.feed(chunk)
                        chunk = handle.read(_CHUNK)
                    collector.secrets(where, scanner.finish())
            finally:
                handle.close()
    except LimitReached as stop:
        collector.stop(str(stop))
    return collector.finish(project), sizes


def hatchling_would_ship(builder: BuilderInterface[Any, Any], walked: Sequence[Finding],
                         allow_secrets: Sequence[str] = ()) -> list[Finding]:
    """What hatchling's sdist of ``builder``'s tree would hold that the auditor flags, plus git's view.

    ``walked``: the guarded walk's findings for the same builder (its :data:`TREE_ONLY` ones are
    kept: a directory git ignores only when hatchling ships a file below it, counted over
    hatchling's selection; a file only when hatchling ships it; the others as found). Call inside
    ``builder.config.set_build_data``. Returns findings sorted by path, then code.
    """
    from sdistguard.audit.base import sort_key

    files = list(hatchling_selection(builder, forced=False))
    # git's view is about the project walk: what the user forces in ships with sdistguard too
    selected = {to_posix(included.relative_path) for included in files}
    files.extend(BuilderInterface.recurse_forced_files(builder, builder.config.get_force_include()))
    findings, sizes = audit_selection(files, builder.metadata.name, allow_secrets)
    sizes = {path: size for path, size in sizes.items() if path in selected}
    shipped = sorted(sizes)
    for found in walked:
        if found.rule.name not in TREE_ONLY:
            continue
        path = found.path
        if found.rule.name == "tracked-ignored-by-hatchling" or path in ("", "./") or path.startswith("/"):
            findings.append(found)
        elif path.endswith("/"):
            start = bisect.bisect_left(shipped, path)
            end = bisect.bisect_left(shipped, path + "\U0010ffff")
            if end > start:
                below = shipped[start:end]
                findings.append(Finding(found.code, path, found.detail, len(below), sum(sizes[p] for p in below)))
        elif path in sizes:
            findings.append(Finding(found.code, path, found.detail, 1, sizes[path]))
    return sorted(findings, key=sort_key)


def tracked_dropped_checker(config: BuilderConfig) -> Callable[[str, bool, bool], str | None] | None:
    """A check for files git tracks that hatchling drops only because of the root ``.gitignore``.

    hatchling adds the lines of the one ``.gitignore`` it finds (at the root or above it) to its
    exclude patterns (``BuilderConfig.exclude_spec``), and git's index means nothing to it: a
    tracked ``examples/a/.python-version`` matched by a root ``.python-version`` line is not in
    hatchling's sdist. Returns ``None`` when hatchling reads no ``.gitignore`` (or ``ignore-vcs``),
    else ``check(relative_path, is_package, explicit) -> "file:line: pattern" | None``:
    ``relative_path`` relative to the project root (platform separator), hatchling's
    ``include_path`` arguments; the answer names the deciding line when hatchling would ship the
    file but for that ``.gitignore``. Read in hatchling 1.27-1.33 ``builders/config.py``.
    """
    if config.ignore_vcs or not config.vcs_exclusion_files["git"]:
        return None
    @functools.cache
    def specs() -> tuple[list[tuple[str, int, str]], pathspec.PathSpec[Any], pathspec.PathSpec[Any]]:
        # compiled at the first question, as hatchling compiles its exclude patterns only when asked
        lines: list[tuple[str, int, str]] = []
        for exclusion_file in config.vcs_exclusion_files["git"]:
            name = to_posix(os.path.relpath(exclusion_file, config.root))
            with open(exclusion_file, encoding="utf-8") as file:
                lines.extend((name, number, line) for number, line in enumerate(file, 1))
        key = "exclude"
        table = config.target_config if key in config.target_config else config.build_config
        others = [*config.default_global_exclude(), *table.get(key, config.default_exclude())]
        return (lines, pathspec.GitIgnoreSpec.from_lines(line for _, _, line in lines),
                pathspec.GitIgnoreSpec.from_lines(others))

    def check(relative_path: str, is_package: bool, explicit: bool) -> str | None:
        if os.path.basename(relative_path) in EXCLUDED_FILES:
            return None
        if config.path_is_reserved(config.get_distribution_path(relative_path)):
            return None
        lines, vcs, without = specs()
        if not vcs.match_file(relative_path) or without.match_file(relative_path):
            return None
        if not config.path_is_excluded(relative_path):
            return None  # a later pattern re-includes it: hatchling ships it
        if config.only_packages and not is_package:
            return None
        if not explicit and not config.path_is_included(relative_path):
            return None
        deciding = _deciding_line(vcs, relative_path)
        if deciding is None or deciding >= len(lines):
            return f"{lines[0][0]} (read by hatchling)"
        source, number, text = lines[deciding]
        return f"{source}:{number}: {text.rstrip(chr(10)).rstrip(chr(13))} (read by hatchling)"

    return check


def _deciding_line(spec: pathspec.PathSpec[Any], path: str) -> int | None:
    """Index of the pattern that decides that ``spec`` matches ``path`` (the last matching one)."""
    deciding = None
    for index, pattern in enumerate(spec.patterns):
        if pattern.include is not None and pattern.match_file(path) is not None:
            deciding = index if pattern.include else None
    return deciding

