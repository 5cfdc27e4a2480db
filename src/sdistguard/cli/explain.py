"""``sdistguard explain PATH...``: whether the sdist and the wheel ship a path, and the one reason why.

The answer comes from the build's own sources, never a second implementation: the guarded walk of
each builder is run as the build runs it (:func:`sdistguard.builders.selection.walk_target`); a path
it ships is explained by the hatchling setting that selected it, a path it left out by the walk's
finding (rule code, marker, ignore file and line, link target) or, when hatchling's own selection
dropped it, by the setting and pattern hatchling's builder config matched. A shipped file that an
ignore line matches but git tracks says so (``git check-ignore --no-index``: git never ignores a
tracked file). JSON structure: docs/explain.md.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from sdistguard.core.errors import InputError, project_errors
from sdistguard.core.paths import relative_to
from sdistguard.git.ignores import ignored_by
from sdistguard.rules import DIRECTORY_MARKERS, Code, Finding
from sdistguard.rules.evidence import IGNORED_BELOW, evidence_of

if TYPE_CHECKING:
    from sdistguard.builders.selection import WalkedTarget
    from sdistguard.builders.static import ProjectPreview

__all__ = [
    "JSON_VERSION", "Explanation", "Explanations", "Verdict", "explain", "find_project", "format_json", "format_text",
]

JSON_VERSION: Final = 1
Target = Literal["sdist", "wheel"]
TARGETS: Final[tuple[Target, ...]] = ("sdist", "wheel")
Kind = Literal["file", "directory"]


@dataclass(frozen=True)
class Verdict:
    """One target's answer for one path.

    ``ships``: the file ships (a directory: at least one file below it ships). ``dist_path``: the
    file's path inside the artifact (POSIX, below the sdist's top directory or the wheel's root),
    ``None`` when left out or for a directory. ``shipped_files``: for a directory, how many files
    below it ship (``None`` for a file). ``code``: the rule code when a sdistguard rule decided (or
    noted a shipped file: SG106, SG204, SG105). ``reason``: the one reason, as text.
    """

    ships: bool
    dist_path: str | None
    reason: str
    code: Code | None = None
    shipped_files: int | None = None


@dataclass(frozen=True)
class Explanation:
    """One asked path: ``path`` as given, ``relative`` to the project root (POSIX), ``kind`` file or directory."""

    path: str
    relative: str
    kind: Kind
    sdist: Verdict
    wheel: Verdict


class Explanations(list[Explanation]):
    """The explanations of one ``explain`` call, in the order asked, and ``project``: what is known of the project.

    ``project`` is the name and version as the walk knows them without running project code, and
    what it cannot know (:class:`~sdistguard.builders.static.ProjectPreview`); ``None`` when not asked.
    """

    project: ProjectPreview | None = None


def find_project(paths: list[str], project: str | None) -> str:
    """The project root (absolute): ``project``, else the nearest directory holding pyproject.toml above the first path.

    Raises :class:`InputError` when there is none.
    """
    if project is not None:
        root = os.path.abspath(project)
        if not os.path.isfile(os.path.join(root, "pyproject.toml")):
            raise InputError(f"{project}: not a project directory (no pyproject.toml)")
        return root
    start = os.path.abspath(paths[0]) if paths else os.getcwd()
    directory = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        if os.path.isfile(os.path.join(directory, "pyproject.toml")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            raise InputError(f"{paths[0]}: no pyproject.toml in it or above it; name the project with --project DIR")
        directory = parent


def explain(paths: list[str], project: str | None = None) -> Explanations:
    """Explain each of ``paths`` (relative to the current directory, or absolute) for both targets.

    Runs no project code (no metadata hook, build hook or executing version source; git runs no
    repository config); the result's ``project`` names what is not known without running it.

    Raises :class:`InputError` for a path that does not exist or lies outside the project, or for a
    project hatchling cannot build as configured (its message, prefixed ``hatchling:``), and
    ``ConfigError`` for bad ``[tool.sdistguard]`` settings.
    """
    root = find_project(paths, project)
    asked: list[tuple[str, str, bool]] = []
    for path in paths:
        absolute = os.path.abspath(path)
        if not os.path.lexists(absolute):
            raise InputError(f"{path}: no such file or directory")
        relative = relative_to(absolute, root)
        if relative is None:
            raise InputError(f"{path}: outside the project {root}")
        relative = relative.replace(os.sep, "/")
        is_dir = os.path.isdir(absolute)  # a link to a directory is walked (or reported) as a directory
        asked.append((path, relative, is_dir))
    walked = {target: _walk(root, target) for target in TARGETS}
    tracked = _tracked_notes(root, [relative for _, relative, is_dir in asked if not is_dir])
    result = Explanations(
        Explanation(path, relative or ".", "directory" if is_dir else "file",
                    *(_verdict(walked[target], relative, is_dir, tracked) for target in TARGETS))
        for path, relative, is_dir in asked
    )
    result.project = _project(root)
    return result


def _project(root: str) -> ProjectPreview:
    from sdistguard.builders import preview_project

    with project_errors():  # the walk read the same table: not reached for a project it read
        return preview_project(root)


def _walk(root: str, target: Target) -> WalkedTarget:
    from sdistguard.builders.selection import walk_target

    with project_errors():
        return walk_target(root, target)


def _verdict(walked: WalkedTarget, relative: str, is_dir: bool, tracked: dict[str, str]) -> Verdict:
    from sdistguard.builders.selection import hatchling_reason, shipped_reason

    if not is_dir:
        found = _finding_for(walked.findings, relative, is_dir=False)
        if relative in walked.shipped:
            reason = shipped_reason(walked, relative)
            if relative in tracked and not walked.ignore_vcs:
                reason = tracked[relative]
            if found is not None and found.path == relative:  # shipped with a note (SG106, SG204, SG105)
                return Verdict(True, walked.shipped[relative][0], f"{reason}; {_describe(found)}", found.code)
            return Verdict(True, walked.shipped[relative][0], reason)
        if found is not None:
            return Verdict(False, None, _describe(_own_line(walked, found, relative)), found.code)
        reason = hatchling_reason(walked.builder, relative) or "not selected by hatchling"
        return Verdict(False, None, reason)
    prefix = relative + "/" if relative else ""
    below = [path for path in walked.shipped if path.startswith(prefix)]
    found = _finding_for(walked.findings, relative, is_dir=True)
    if found is not None and not below:
        return Verdict(False, None, _describe(found), found.code, 0)
    own = hatchling_reason(walked.builder, relative, is_dir=True) if relative else None
    if own is not None and not below:
        return Verdict(False, None, own, None, 0)
    if not below:
        return Verdict(False, None, "no file below it is selected", None, 0)
    return Verdict(True, None, f"{len(below)} file(s) below it ship", None, len(below))



def _own_line(walked: WalkedTarget, found: Finding, relative: str) -> Finding:
    """A directory git leaves out because every file below is ignored: the asked file's own ignore line."""
    if evidence_of(found, "git") != IGNORED_BELOW:
        return found
    source = walked.ignore_line(relative)
    if source is None:
        return found
    return Finding(found.code, relative, ignored_by(source), found.files, found.size, (("ignore-source", source),))


def _finding_for(findings: list[Finding], relative: str, *, is_dir: bool) -> Finding | None:
    """The walk's finding about ``relative`` itself, else about the nearest directory holding it."""
    best: Finding | None = None
    own = relative + "/" if is_dir else relative
    for found in findings:
        path = found.path
        if found.rule.name == "git-unavailable":  # a note on how ignore files were read, not a decision
            continue
        if path in (own, relative) or (path.endswith("/") and own.startswith(path)) or path == "./":
            if path == "./" and found.rule.name not in DIRECTORY_MARKERS:  # the root itself: only a marker names it
                continue
            if best is None or len(path) > len(best.path):
                best = found
    return best


def _describe(found: Finding) -> str:
    rule = found.rule
    detail = found.detail or rule.reason
    marker = evidence_of(found, "marker")
    where = f" at {found.path}" if found.path.endswith("/") else ""
    if marker is not None:  # the evidence is the marker on disk
        detail = f"{rule.reason}; marker {found.path.rstrip('/') + '/' if found.path != './' else ''}{marker}"
    elif rule.name in DIRECTORY_MARKERS:  # other evidence of the same detector (a well-known cache name)
        detail = f"{rule.reason} ({found.detail})"
    return f"{found.code} {rule.name}{where}: {detail}"


def _tracked_notes(root: str, files: list[str]) -> dict[str, str]:
    """For each of ``files`` that git tracks and an ignore line matches: that git tracks it, and the line.

    Asked through :func:`sdistguard.git.vcs.ignore_lines_of_tracked` (its timeout, no repository config
    run); ``{}`` outside a work tree or without git.
    """
    from sdistguard.git.vcs import ignore_lines_of_tracked

    return {
        path: f"tracked by git: git never ignores a tracked file ({line} would)"
        for path, line in ignore_lines_of_tracked(root, files).items()
    }


def format_text(explanations: list[Explanation]) -> str:
    """One block per path: the path, then a line per target (ships as DIST PATH / left out) with its reason.

    When ``explanations`` says what of the project is unknown without running it, a first line names it.
    """
    lines = []
    project = getattr(explanations, "project", None)
    unknown = project.describe() if project is not None else None
    if unknown is not None:
        lines.append(f"not known without running the project (explain runs none of it): {unknown}")
    for item in explanations:
        lines.append(f"{item.relative}{'/' if item.kind == 'directory' and item.relative != '.' else ''}")
        for target in TARGETS:
            verdict: Verdict = getattr(item, target)
            state = "left out"
            if verdict.ships:
                state = f"ships as {verdict.dist_path}" if verdict.dist_path else "ships"
            lines.append(f"  {target + ':':7}{state}  ({verdict.reason})")
    return "\n".join(lines)


def format_json(explanations: list[Explanation]) -> str:
    """``{"version": 1, "paths": [...], "project": {...}}``: each explanation as a dict (docs/explain.md).

    ``project`` is ``{"name", "version", "unknown"}`` (the version or ``<unknown: WHY>``), ``null``
    when ``explanations`` is a plain list.
    """
    document: dict[str, Any] = {"version": JSON_VERSION, "paths": [asdict(item) for item in explanations]}
    project = getattr(explanations, "project", None)
    document["project"] = project.as_json() if project is not None else None
    return json.dumps(document, indent=2)
