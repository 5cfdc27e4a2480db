"""hatchling's project metadata, read without running the project: what ``check DIR`` and ``explain`` use.

hatchling's ``ProjectMetadata`` computes its ``core`` and ``version`` lazily, and that is where project
code runs: ``core`` loads every ``[tool.hatch.metadata.hooks.*]`` plugin (``custom`` imports the
project's ``hatch_build.py``; a third-party hook such as ``fancy-pypi-readme`` must be installed) and,
with hooks configured, reads the version from its source; the version source ``code`` executes a
project file and ``vcs`` runs git through setuptools-scm. :class:`StaticMetadata` is that class with
those two properties replaced (read in hatchling 1.27 and 1.33, ``hatchling/metadata/core.py``):

- ``core`` is hatchling's ``CoreMetadata`` of ``[project]`` as written (dynamic fields filled from a
  ``PKG-INFO`` at the root, as hatchling does), with no metadata hook loaded or run;
- the version is read only where reading runs nothing: ``[project] version``, a ``PKG-INFO`` at the
  root, or hatchling's own ``regex`` source (a regular file inside the project read with a pattern)
  and ``env`` source (an environment variable); text that is not a version is never shown (it may be
  any variable or file a hostile ``pyproject.toml`` names). Any other source (``code``, ``vcs``, a
  plugin's) and a version a metadata hook sets are *unknown*, and say why.

Build hooks are never loaded here either: the preview asks for no build (only the build runs them).
:class:`ProjectPreview` is what the preview reports about the project: its name, its version (or
why it is unknown) and each dynamic field a metadata hook would set.
"""

from __future__ import annotations

import os
import stat
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any, Final

from hatchling.metadata.core import CoreMetadata, ProjectMetadata

__all__ = ["ProjectPreview", "StaticMetadata", "UnknownVersion", "unknown_text"]

_READABLE_SOURCES: Final = ("regex", "env")
"""hatchling's own version sources that read without executing: a file and a pattern, an environment variable."""


def unknown_text(why: str) -> str:
    """How a value the preview cannot know is shown, in every report: ``<unknown: WHY>``."""
    return f"<unknown: {why}>"


@dataclass(frozen=True)
class ProjectPreview:
    """What the preview knows about a project without running it.

    ``name``: ``[project] name`` as written. ``version``: the version hatchling would build (PEP 440
    normalised), or ``None`` when it is unknown. ``unknown`` maps each field the preview cannot know
    (``"version"``, and every dynamic field a metadata hook would set: ``"readme"``,
    ``"dependencies"``, ...) to why, in one line (``'dynamic, source = "code"'``).
    """

    name: str
    version: str | None
    unknown: dict[str, str] = field(default_factory=dict)

    @property
    def version_text(self) -> str:
        """The version, or ``<unknown: WHY>``."""
        if self.version is not None:
            return self.version
        return unknown_text(self.unknown.get("version", "not known"))

    def describe(self) -> str | None:
        """One line naming what is unknown (``demo <unknown: ...>; readme <unknown: ...>``), else ``None``."""
        if not self.unknown:
            return None
        parts = [f"{self.name} {self.version_text}"]
        parts.extend(f"{name} {unknown_text(why)}" for name, why in self.unknown.items() if name != "version")
        return "; ".join(parts)

    def as_json(self) -> dict[str, Any]:
        """``{"name", "version", "unknown"}``: ``version`` is the version or ``<unknown: WHY>`` (docs/check.md)."""
        return {"name": self.name, "version": self.version_text, "unknown": dict(self.unknown)}


class UnknownVersion(ValueError):
    """Raised by :attr:`StaticMetadata.version` when the version is not known without running the project."""


class StaticMetadata(ProjectMetadata[Any]):
    """hatchling's ``ProjectMetadata`` for ``root`` (absolute) that runs no project code and no plugin.

    ``config``: the parsed ``pyproject.toml`` (``None``: read from ``root``, as hatchling does).
    :attr:`core` loads no metadata hook; :attr:`version` is the version when it can be read without
    running anything, else raises :class:`UnknownVersion`; :meth:`preview` says what is known.
    Everything else (``config``, ``hatch``, ``build``, ``name``) is hatchling's own.
    """

    def __init__(self, root: str, config: dict[str, Any] | None = None) -> None:
        """Nothing is read until a property is asked for."""
        super().__init__(root, None, config)
        self._resolved: tuple[str | None, str | None] | None = None

    @property
    def core(self) -> CoreMetadata:
        """``[project]`` as written (and a root ``PKG-INFO``'s dynamic fields), no metadata hook run."""
        if self._core is None:
            core = CoreMetadata(self.root, self.core_raw_metadata, self.hatch.metadata, self.context)
            _ = self.dynamic  # hatchling keeps the original dynamic list before anything fills it
            self._core = core
        return self._core

    @property
    def version(self) -> str:
        """The version, read without running anything; raises :class:`UnknownVersion` when it cannot be."""
        version, why = self._version_or_why()
        if version is None:
            raise UnknownVersion(f"the version is not known without running the project: {why}")
        return version

    @property
    def original_version(self) -> str:
        """The version as written (hatchling >= 1.32); raises :class:`UnknownVersion` like :attr:`version`."""
        _ = self.version
        return str(getattr(self, "_original_version", None) or self.version)

    def _version_or_why(self) -> tuple[str | None, str | None]:
        if self._resolved is None:
            try:
                self._resolved = self._resolve_version()
            except (ValueError, TypeError) as error:  # hatchling's own complaint about the fields
                self._resolved = (None, f"hatchling cannot read it: {error}")
        return self._resolved

    def _resolve_version(self) -> tuple[str | None, str | None]:
        raw = self.core_raw_metadata
        core = self.core
        if "version" in raw:  # [project] version, or filled from PKG-INFO (hatchling's own order)
            return self._get_version(core), None
        if "version" not in core.dynamic:
            _ = core.version  # hatchling's message: the version must be static or dynamic
        hooks = list(self.hatch.metadata.hook_config)
        if "version" not in self.hatch.config and hooks:
            return None, f"dynamic, set by {_hooks_text(hooks)}"
        source = self.hatch.version.source_name
        if source not in _READABLE_SOURCES:
            return None, f'dynamic, source = "{source}"'
        try:
            text = self._read_source(source)
        except Exception as error:  # any failure of the source is the build's to report
            return None, f'dynamic, source = "{source}": {error}'
        from packaging.version import InvalidVersion, Version

        try:
            version = str(Version(text))
        except InvalidVersion:  # the text is never shown: it may be any variable or file the config names
            return None, f'dynamic, source = "{source}": not a PEP 440 version'
        self._original_version = text.strip()
        return version, None

    def _read_source(self, source: str) -> str:
        """The version text from hatchling's own ``regex`` or ``env`` source (never a plugin's).

        ``regex`` reads only a regular file inside the project (links resolved): a path leaving it
        (``/proc/self/environ``, ``../..``) is not read, so the preview can show nothing of it.
        """
        config = deepcopy(self.hatch.version.config)
        if source == "env":
            from hatchling.version.source.env import EnvSource

            return str(EnvSource(self.root, config).get_version_data()["version"])
        from hatchling.version.source.regex import RegexSource

        path = config.get("path")
        if isinstance(path, str) and path:
            target = os.path.normpath(os.path.join(self.root, path))
            real_root = os.path.realpath(self.root)
            if os.path.commonpath([real_root, os.path.realpath(target)]) != real_root:
                raise ValueError(f"file {path} is outside the project (not read)")
            try:
                regular = stat.S_ISREG(os.stat(target).st_mode)
            except OSError as error:
                raise ValueError(f"file {path} cannot be read: {error.strerror}") from None
            if not regular:  # a FIFO or a device would block or never end
                raise ValueError(f"file {path} is not a regular file")
        return str(RegexSource(self.root, config).get_version_data()["version"])

    def preview(self) -> ProjectPreview:
        """What is known about the project: its name, version and what a metadata hook would set.

        Raises what hatchling raises for a malformed ``[project]`` table (``ValueError``, ``TypeError``).
        """
        name = str(self.core_raw_metadata.get("name", ""))
        version, why = self._version_or_why()
        unknown: dict[str, str] = {}
        if version is None:
            unknown["version"] = why or "not known"
        hooks = list(self.hatch.metadata.hook_config)
        if hooks:
            for dynamic in self.core.dynamic:
                if dynamic != "version":
                    unknown[dynamic] = f"dynamic, set by {_hooks_text(hooks)}"
        return ProjectPreview(name, version, unknown)


def _hooks_text(hooks: list[str]) -> str:
    names = ", ".join(f'"{hook}"' for hook in hooks)
    return f"metadata hook {names}" if len(hooks) == 1 else f"metadata hooks {names}"
