"""Read-only questions to hatchling's builder config, for ``sdistguard explain``.

:func:`walk_target` runs the real guarded walk of one builder (the walk ``preview`` and the build
run) and keeps which of hatchling's walks shipped each file. :func:`hatchling_reason` and
:func:`shipped_reason` ask the same builder config which setting decided a path: the specs are
hatchling's own (``exclude_spec``, ``include_spec``, ``artifact_spec``, ``only_include``,
``force_include``), matched with pathspec's ``check_file`` to name the deciding pattern.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pathspec
from hatchling.builders.constants import EXCLUDED_DIRECTORIES, EXCLUDED_FILES

from sdistguard.core.paths import is_within
from sdistguard.core.patterns import to_posix

if TYPE_CHECKING:
    from sdistguard.builders.guard import Guard
    from sdistguard.rules import Finding

__all__ = ["WalkedTarget", "hatchling_reason", "shipped_reason", "walk_target"]


@dataclass
class WalkedTarget:
    """One target's guarded walk: what it ships and what it left out.

    ``shipped`` maps a project-relative POSIX path to ``(distribution path, walk)``, ``walk`` being
    ``"project"`` (the whole tree), ``"explicit"`` (only-include or the wheel's packages) or
    ``"forced"`` (force-include, pyproject.toml, readme, license files).
    """

    target: str
    builder: Guard
    shipped: dict[str, tuple[str, str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ignore_vcs(self) -> bool:
        """hatchling's ``ignore-vcs`` for this target: git's ignore files are not read at all."""
        return bool(self.builder.config.ignore_vcs)

    def ignore_line(self, path: str) -> str | None:
        """The ignore file, line and pattern (``"FILE:LINE: PATTERN"``) git names for ``path`` (project-relative,
        POSIX), or ``None``."""
        return self.builder.ignore_line(path)


def walk_target(root: str, target: str) -> WalkedTarget:
    """Run the guarded walk of ``target`` (``"sdist"`` or ``"wheel"``) over ``root`` (absolute).

    The same walk as :func:`sdistguard.builders.preview` (default build data, no build hooks, no
    metadata hooks, no version source that executes: :func:`sdistguard.builders.preview_builder`).
    Raises ``ConfigError`` and what hatchling raises for a bad project.
    """
    from sdistguard.builders import preview_builder

    builder = preview_builder(root, target)
    walked = WalkedTarget(target, builder)
    build_data = builder.get_default_build_data()
    builder.set_build_data_defaults(build_data)
    with builder.config.set_build_data(build_data):
        for how, included in builder.walk_included_files():
            _record(walked, included, how)
    walked.findings = builder.findings
    return walked


def _record(walked: WalkedTarget, included: Any, how: str) -> None:
    path = to_posix(included.relative_path) if included.relative_path else to_posix(included.path)
    walked.shipped.setdefault(path, (to_posix(included.distribution_path), how))


def _location(builder: Guard, key: str) -> str:
    """``[tool.hatch.build.targets.NAME] key`` or ``[tool.hatch.build] key``: where hatchling reads ``key``."""
    config = builder.config
    if key in config.target_config:
        return f"[tool.hatch.build.targets.{builder.PLUGIN_NAME}] {key}"
    return f"[tool.hatch.build] {key}"


def _value(builder: Guard, key: str) -> Any:
    config = builder.config
    return config.target_config.get(key, config.build_config.get(key))


def _toml(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _exclude_sources(builder: Guard) -> list[str]:
    """One description per line of hatchling's ``exclude_spec``, in its order (the same list it builds)."""
    config = builder.config
    sources = [f"hatchling's default exclusion {pattern!r}" for pattern in config.default_global_exclude()]
    if not config.ignore_vcs:
        for exclusion_file in config.vcs_exclusion_files["git"]:
            with open(exclusion_file, encoding="utf-8") as file:
                name = _display(builder, exclusion_file)
                sources.extend(
                    f"{name}:{number}: {line.rstrip(chr(10)).rstrip(chr(13))} (read by hatchling)"
                    for number, line in enumerate(file, 1)
                )
        for exclusion_file in config.vcs_exclusion_files["hg"]:  # glob lines only, as hatchling reads them
            with open(exclusion_file, encoding="utf-8") as file:
                glob_mode = False
                for number, line in enumerate(file, 1):
                    exact = line.strip()
                    if exact == "syntax: glob":
                        glob_mode = True
                    elif exact.startswith("syntax: "):
                        glob_mode = False
                    elif glob_mode:
                        sources.append(f"{_display(builder, exclusion_file)}:{number}: {exact} (read by hatchling)")
    key = "exclude"
    location = _location(builder, key)
    patterns = _value(builder, key)
    if patterns is None:
        patterns = config.default_exclude()
    sources.extend(f"{location} pattern {_toml(pattern)}" for pattern in patterns)
    return sources


def _display(builder: Guard, path: str) -> str:
    relative = os.path.relpath(path, builder.root)
    return to_posix(relative)


def _deciding(spec: pathspec.PathSpec[Any] | None, path: str) -> int | None:
    """Index of the pattern that decides ``path`` in ``spec`` when it matches (included), else None."""
    if spec is None or not spec.match_file(path):
        return None
    check_file = getattr(spec, "check_file", None)  # pathspec >= 0.12
    if check_file is not None:
        result = check_file(path)
        return result.index if result.include else None
    deciding = None  # pathspec 0.10/0.11 (hatchling accepts >= 0.10.1): the last matching pattern decides
    for index, pattern in enumerate(spec.patterns):
        if pattern.include is not None and pattern.match_file(path) is not None:
            deciding = index if pattern.include else None
    return deciding


def hatchling_reason(builder: Guard, path: str, *, is_dir: bool = False) -> str | None:
    """Why hatchling's own selection leaves ``path`` (project-relative, POSIX) out, or None.

    Checked in the order hatchling's walk applies them: its fixed pruned directory names and
    excluded file names, ``only-include``/``packages``, the ``exclude`` spec (defaults, root ignore
    file, ``exclude``; the last matching line decides), ``only-packages``, ``include``.
    Call inside ``builder.config.set_build_data`` or after :func:`walk_target`.
    """
    config = builder.config
    parts = path.split("/")
    for part in parts[:-1] if not is_dir else parts:
        if part in EXCLUDED_DIRECTORIES:
            return f"hatchling's fixed pruned directory names ({part})"
    if not is_dir and parts[-1] in EXCLUDED_FILES:
        return f"hatchling's fixed excluded file names ({parts[-1]})"
    absolute = os.path.join(builder.root, *parts)
    if config.only_include and not _under_any(absolute, config.only_include):
        return f"not under {_explicit_setting(builder)}"
    native = os.path.join(*parts) + (os.sep if is_dir else "")
    artifact = _deciding(config.artifact_spec, native)
    if artifact is None:
        index = _deciding(config.exclude_spec, native)
        if index is not None:
            sources = _exclude_sources(builder)
            source = sources[index] if index < len(sources) else "hatchling's exclude patterns"
            return f"excluded by {source}"
        unmatched = config.include_spec is not None and _deciding(config.include_spec, native) is None
        if unmatched and not config.only_include:
            return f"not matched by {_location(builder, 'include')} = {_toml(_value(builder, 'include') or [])}"
    return None


def _under_any(absolute: str, sources: dict[str, str]) -> bool:
    return any(is_within(absolute, source) for source in sources)


def _explicit_setting(builder: Guard) -> str:
    """The setting behind hatchling's ``only_include`` map: only-include, packages, or the wheel's default."""
    for key in ("only-include", "packages"):
        value = _value(builder, key)
        if value:
            return f"{_location(builder, key)} = {_toml(value)}"
    found = [to_posix(os.path.relpath(source, builder.root)) for source in builder.config.only_include]
    return f"hatchling's default wheel selection (packages = {_toml(found)})"


def shipped_reason(walked: WalkedTarget, path: str) -> str:
    """The setting that ships ``path`` (project-relative, POSIX), which ``walked.shipped`` holds."""
    builder = walked.builder
    config = builder.config
    _, how = walked.shipped[path]
    absolute = os.path.join(builder.root, *path.split("/"))
    native = os.path.join(*path.split("/"))
    if how == "forced":
        for source, target in config.force_include.items():
            if is_within(absolute, source):
                return f"{_location(builder, 'force-include')}: {_toml(_display(builder, source))} = {_toml(target)}"
        return "hatchling always ships it (pyproject.toml, the readme, the license files, the root ignore file)"
    artifact = _deciding(config.artifact_spec, native)
    if artifact is not None:
        patterns = _value(builder, "artifacts") or []
        pattern = patterns[artifact] if artifact < len(patterns) else "?"
        return f"{_location(builder, 'artifacts')} pattern {_toml(pattern)}"
    if how == "explicit":
        return _explicit_setting(builder)
    if config.include_spec is not None:
        index = _deciding(config.include_spec, native)
        patterns = _value(builder, "include") or []
        if index is not None and index < len(patterns):
            return f"{_location(builder, 'include')} pattern {_toml(patterns[index])}"
    return "hatchling's default selection: every project file no rule leaves out"
