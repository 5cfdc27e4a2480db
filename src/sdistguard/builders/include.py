"""hatchling's per-file selection (``BuilderConfig.include_path``), compiled once per walk.

hatchling answers, for every file of the tree, whether its relative path is an artifact, is
excluded, is included; it rebuilds ``artifact_spec`` from the config tables on every call and
tries the patterns of each spec one by one. The answer here is the same for every path — the
same specs, asked in the same order — but the specs are read once per walk (the config tables do
not change while a walk runs) and each is matched through :class:`~sdistguard.core.patterns.SpecMatcher`.
hatchling's exclude-all flag is read on every call: the wheel's file selection can set it during
the first walk (an editable wheel with ``bypass-selection`` and no package).
"""

from __future__ import annotations

from functools import cached_property

from hatchling.builders.config import BuilderConfig

from sdistguard.core.patterns import SpecMatcher

__all__ = ["IncludePath"]

# What include_path reads; a config class that overrides any of them is asked as it is.
_HATCHLING_MEMBERS = (
    "include_path", "path_is_build_artifact", "path_is_artifact", "path_is_excluded", "path_is_included",
    "artifact_spec", "exclude_spec", "include_spec", "only_packages",
)
_EXCLUDE_ALL = "_BuilderConfig__exclude_all"  # set by hatchling's editable wheel (set_exclude_all)


class IncludePath:
    """``config.include_path`` of one builder config, for the duration of one walk.

    ``config`` is the builder's ``BuilderConfig`` (inside ``config.set_build_data``, as hatchling
    walks). Paths are relative to the project root, with the platform separator, as hatchling
    passes them. Raises what hatchling raises for a malformed ``artifacts``/``include``/``exclude``
    table (``TypeError``/``ValueError``): the artifacts when constructed (hatchling: at the first
    file), the others at the first call that needs them. :attr:`compiled` is false when the
    config's class customises any of what ``include_path`` reads: then every call asks the config.
    """

    def __init__(self, config: BuilderConfig) -> None:
        """Read the config's specs once; fall back to ``config.include_path`` for a customised config."""
        self._config = config
        self.compiled: bool = hasattr(config, _EXCLUDE_ALL) and all(
            getattr(type(config), name, None) is getattr(BuilderConfig, name) for name in _HATCHLING_MEMBERS
        )
        self._artifact_matchers = [  # hatchling's order: the build hooks' artifacts, then the config's
            SpecMatcher(spec) for spec in (config.build_artifact_spec, config.artifact_spec) if spec is not None
        ]

    # Read when first needed, as hatchling does: a wheel's include_spec can raise (no package found)
    # in a build whose only-include never asks for it.
    @cached_property
    def _only_packages(self) -> bool:
        return bool(self._config.only_packages)

    @cached_property
    def _excluded(self) -> SpecMatcher:
        return SpecMatcher(self._config.exclude_spec)

    @cached_property
    def _included(self) -> SpecMatcher:
        return SpecMatcher(self._config.include_spec)

    @property
    def artifacts_possible(self) -> bool:
        """Whether any artifact pattern (config or build hooks) could name a file."""
        return bool(self._artifact_matchers)

    def is_artifact(self, relative_path: str) -> bool:
        """hatchling's ``path_is_build_artifact(p) or path_is_artifact(p)``."""
        if not self.compiled:
            config = self._config
            return bool(config.path_is_build_artifact(relative_path) or config.path_is_artifact(relative_path))
        return any(matches(relative_path) for matches in self._artifact_matchers)

    def is_excluded(self, relative_path: str) -> bool:
        """hatchling's ``path_is_excluded(relative_path)`` (a directory ends in ``/``)."""
        if not self.compiled:
            return bool(self._config.path_is_excluded(relative_path))
        return bool(getattr(self._config, _EXCLUDE_ALL)) or self._excluded(relative_path)

    def __call__(self, relative_path: str, *, explicit: bool, is_package: bool) -> bool:
        """``config.include_path(relative_path, explicit=explicit, is_package=is_package)``, same answer."""
        artifact = self.compiled and bool(self._artifact_matchers) and self.is_artifact(relative_path)
        return self.selects(relative_path, explicit=explicit, is_package=is_package, artifact=artifact)

    def selects(self, relative_path: str, *, explicit: bool, is_package: bool, artifact: bool) -> bool:
        """:meth:`__call__` when the caller has already asked :meth:`is_artifact` (``artifact``), same answer.

        ``relative_path`` is relative to the project root (platform separator). A customised
        config (not :attr:`compiled`) is asked as it is, ``artifact`` unused.
        """
        if not self.compiled:
            return self._config.include_path(relative_path, explicit=explicit, is_package=is_package)
        if artifact:
            return True
        return (
            not (self._only_packages and not is_package)
            and not self.is_excluded(relative_path)
            and (explicit or self._included.spec is None or self._included(relative_path))
        )
