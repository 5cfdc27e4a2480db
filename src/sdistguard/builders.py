"""hatchling's sdist and wheel builders, with sdistguard's walk in place of theirs.

This is the only module that touches hatchling's internals (non-public classes). It overrides the
three walks of ``BuilderInterface`` (``recurse_project_files``, ``recurse_explicit_files``,
``recurse_forced_files``), mirroring hatchling's selection logic line for line, and the sdist's
``build_standard`` so that every member is written as a regular file (``TarFile.dereference``).
Everything else — metadata, build hooks, versions, tags, reproducibility — is hatchling's.

Supported hatchling: ``sdistguard.compat.HATCHLING_REQUIREMENT`` (its oldest and newest are tested).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sdistguard.compat import HATCHLING_REQUIREMENT, check_hatchling

check_hatchling()  # before hatchling's builders are imported: their internals are what the range is about

from hatchling.builders.constants import EXCLUDED_DIRECTORIES, EXCLUDED_FILES  # noqa: E402
from hatchling.builders.plugin.interface import BuilderInterface, IncludedFile  # noqa: E402
from hatchling.builders.sdist import SdistArchive, SdistBuilder  # noqa: E402
from hatchling.builders.utils import (  # noqa: E402
    normalize_archive_path,
    normalize_artifact_permissions,
    replace_file,
)
from hatchling.builders.wheel import WheelBuilder  # noqa: E402

from sdistguard.config import Settings, load_settings  # noqa: E402
from sdistguard.errors import TreeError  # noqa: E402
from sdistguard.patterns import could_match_below, negations, to_posix  # noqa: E402
from sdistguard.rules import RULES, WARNING, Finding, unportable_reason  # noqa: E402
from sdistguard.walk import GuardedWalker, NamedCallback, PruneCallback  # noqa: E402

if TYPE_CHECKING:
    _Base = BuilderInterface[Any, Any]
else:
    _Base = object

__all__ = ["HATCHLING_REQUIREMENT", "GuardedSdistBuilder", "GuardedWheelBuilder", "preview_findings"]


class _Guard(_Base):
    """The walk overrides shared by both builders (a mixin placed before hatchling's class)."""

    def __init__(self, *args: Any, config_settings: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config_settings = config_settings
        self._unportable: list[str] = []

    @cached_property
    def settings(self) -> Settings:
        """``[tool.sdistguard]`` plus the PEP 517 config settings; raises ``ConfigError``."""
        return load_settings(self.raw_config, self.config_settings)

    @cached_property
    def walker(self) -> GuardedWalker:
        """The walker of this build; its findings are what the build left out or rewrote."""
        return GuardedWalker(self.root, self.settings, use_gitignore=not self.config.ignore_vcs)

    @property
    def findings(self) -> list[Finding]:
        """Everything this builder's walks left out or rewrote, in walk order."""
        return self.walker.findings

    # --- the three walks of hatchling's BuilderInterface, with ours underneath ---

    def recurse_project_files(self) -> Iterable[IncludedFile]:
        """hatchling's ``recurse_project_files`` (paths relative to the project root), guarded."""
        config = self.config
        self._prepare_walker()
        prune = self._pruner("", hatchling_prune=config.directory_is_excluded)
        for path, relative_file_path, distribution_path, is_package in self._files_below(
            self.root, "", prune=prune, named=self._named("")
        ):
            if config.include_path(relative_file_path, is_package=is_package):
                yield IncludedFile(path, relative_file_path, distribution_path)

    def recurse_explicit_files(self, inclusion_map: dict[str, str]) -> Iterable[IncludedFile]:
        """hatchling's ``recurse_explicit_files`` (only-include, packages, shared data), guarded.

        A named file is taken as asked, even a link leaving the tree; inside a named directory the
        rules apply.
        """
        config = self.config
        self._prepare_walker()
        for source, target_path in inclusion_map.items():
            external = not source.startswith(self.root)
            if os.path.isfile(source):
                distribution_path = config.get_distribution_path(target_path)
                if not config.path_is_reserved(distribution_path):
                    relative_path = "" if external else os.path.relpath(source, self.root)
                    yield IncludedFile(source, relative_path, distribution_path)
            elif os.path.isdir(source):
                prune = self._pruner(target_path, hatchling_prune=_excluded_name)
                for path, relative_file_path, distribution_path, is_package in self._files_below(
                    source, target_path, prune=prune, named=self._named(target_path)
                ):
                    if config.include_path(relative_file_path, explicit=True, is_package=is_package):
                        yield IncludedFile(path, "" if external else relative_file_path, distribution_path)

    def recurse_forced_files(self, inclusion_map: dict[str, str]) -> Iterable[IncludedFile]:
        """hatchling's ``recurse_forced_files`` (force-include, readme, license files), guarded.

        A named file is copied in even when it is a link leaving the tree (a monorepo's
        ``LICENSE -> ../../LICENSE``); raises ``FileNotFoundError`` for a missing source, as
        hatchling does.
        """
        config = self.config
        self._prepare_walker()
        for source, target_path in inclusion_map.items():
            external = not source.startswith(self.root)
            if os.path.isfile(source):
                yield IncludedFile(
                    source,
                    "" if external else os.path.relpath(source, self.root),
                    config.get_distribution_path(target_path),
                )
            elif os.path.isdir(source):
                for path, relative_file_path, distribution_path, _ in self._files_below(
                    source, target_path, prune=_excluded_name, named=_nothing_named
                ):
                    yield IncludedFile(path, "" if external else relative_file_path, distribution_path)
            else:
                message = f"Forced include not found: {source}"
                raise FileNotFoundError(message)

    def recurse_included_files(self) -> Iterable[IncludedFile]:
        """hatchling's selection, streamed; notes every file name installers would refuse."""
        for included in super().recurse_included_files():
            reason = unportable_reason(normalize_archive_path(included.distribution_path))
            if reason:
                rule = RULES["SG401"]
                self._unportable.append(f"{included.distribution_path}: {rule.reason}: {reason} ({rule.hint})")
            yield included

    # --- checks, after the artifact is written privately and before it is moved in ---

    def check(self) -> None:
        """Raise :class:`TreeError` when this build must not be delivered.

        Lists every file name installers refuse, every external link under
        ``external-links = "error"``, and under ``strict`` every warning-level finding.
        """
        problems = list(self._unportable)
        for found in self.findings:
            if found.extra.get("policy") == "error" or (self.settings.strict and found.severity == WARNING):
                problems.append(f"{found.path}: {found.code} {found.rule.reason} ({found.rule.hint})")
        if problems:
            setting = " (strict)" if self.settings.strict else ""
            raise TreeError(f"cannot build the {self.PLUGIN_NAME}{setting} of {self.root}:", problems)

    def build_guarded(self, directory: str, build: Callable[[str], str]) -> str:
        """Run ``build`` in a private directory inside ``directory``, check, then move the artifact in whole.

        hatchling writes to the system temp dir and copies across file systems, which can leave a
        half-written artifact behind; here its temp files live in the private directory too (removed
        on any error) and the artifact arrives by one ``os.replace``.
        """
        os.makedirs(directory, exist_ok=True)
        private = tempfile.mkdtemp(prefix=".sdistguard-", dir=directory)
        saved, tempfile.tempdir = tempfile.tempdir, private
        self._unportable.clear()
        try:
            built = build(private)
            self.check()
            target = os.path.join(directory, os.path.basename(built))
            os.replace(built, target)
            return target
        finally:
            tempfile.tempdir = saved
            shutil.rmtree(private, ignore_errors=True)

    # --- helpers ---

    def _files_below(
        self, top: str, prefix: str, *, prune: PruneCallback, named: NamedCallback
    ) -> Iterator[tuple[str, str, str, bool]]:
        """The guarded walk of ``top``, as hatchling's loops see it, minus its fixed and reserved names.

        Yields ``(path, relative_file_path, distribution_path, is_package)``; ``relative_file_path``
        is ``prefix`` joined with the path below ``top`` (hatchling's ``target_path``).
        """
        config = self.config
        for directory in self.walker.walk(top, prune=prune, named=named):
            for name in directory.files:
                if name in EXCLUDED_FILES:
                    continue
                relative_file_path = os.path.join(prefix, directory.relative_path, name)
                distribution_path = config.get_distribution_path(relative_file_path)
                if not config.path_is_reserved(distribution_path):
                    path = os.path.join(directory.path, name)
                    yield path, relative_file_path, distribution_path, directory.is_package

    def _prepare_walker(self) -> None:
        config = self.config
        self.walker.artifacts_possible = config.artifact_spec is not None or config.build_artifact_spec is not None

    def _named(self, prefix: str) -> NamedCallback:
        """Files the user named: artifacts (config or build hooks) and forced sources (reserved)."""
        config = self.config

        def named(relative_path: str) -> bool:
            path = os.path.join(prefix, relative_path)
            return bool(
                config.path_is_build_artifact(path)
                or config.path_is_artifact(path)
                or config.path_is_reserved(config.get_distribution_path(path))
            )

        return named

    def _pruner(self, prefix: str, *, hatchling_prune: PruneCallback) -> PruneCallback:
        """hatchling's own directory pruning, plus pruning of directories excluded as a whole.

        A directory matched by hatchling's exclude patterns is skipped whole only when nothing
        below it could come back: no artifact pattern, and no negation that could reach below it
        (hatchling matches file by file, so ``!keep.txt`` re-includes below an excluded dir).
        """
        config = self.config
        blockers = negations(config.exclude_spec)

        def prune(name: str, parent: str) -> bool:
            if hatchling_prune(name, os.path.join(prefix, parent) if prefix else parent):
                return True
            relative = os.path.join(prefix, parent, name)
            return bool(
                not self.walker.artifacts_possible
                and config.path_is_excluded(f"{relative}/")
                and not could_match_below(blockers, to_posix(relative))
            )

        return prune


def _excluded_name(name: str, parent: str) -> bool:
    return name in EXCLUDED_DIRECTORIES


def _nothing_named(relative_path: str) -> bool:
    return False


class GuardedSdistBuilder(_Guard, SdistBuilder):
    """hatchling's ``SdistBuilder`` with the guarded walk; every member is a regular file.

    Same constructor as hatchling's (``root`` absolute, ``config`` the whole pyproject dict), plus
    ``config_settings`` (PEP 517). ``build()`` yields the absolute path of the ``.tar.gz``.
    """

    def build_standard(self, directory: str, **build_data: Any) -> str:
        """Write the sdist into ``directory`` (atomically) and return its absolute path.

        hatchling's ``build_standard`` with one change: the tar file dereferences, so in-tree links
        and hardlinks become regular file members (PEP 721: any installer can unpack it).
        """
        return self.build_guarded(directory, lambda private: self._write_sdist(private, build_data))

    def _write_sdist(self, directory: str, build_data: dict[str, Any]) -> str:
        found_packages = set()
        with SdistArchive(self.artifact_project_id, reproducible=self.config.reproducible) as archive:
            archive.tf.dereference = True
            for included_file in self.recurse_included_files():
                if self.config.support_legacy:
                    possible_package, file_name = os.path.split(included_file.relative_path)
                    if file_name == "__init__.py":
                        found_packages.add(possible_package)

                tar_info = archive.gettarinfo(  # type: ignore[no-untyped-call]
                    included_file.path,
                    arcname=normalize_archive_path(
                        os.path.join(self.artifact_project_id, included_file.distribution_path)
                    ),
                )
                with open(included_file.path, "rb") as f:
                    archive.addfile(tar_info, f)

            archive.create_file(
                self.config.core_metadata_constructor(self.metadata, extra_dependencies=build_data["dependencies"]),
                "PKG-INFO",
            )
            if self.config.support_legacy:
                archive.create_file(
                    self.construct_setup_py_file(
                        sorted(found_packages), extra_dependencies=build_data["dependencies"]
                    ),
                    "setup.py",
                )

        target = os.path.join(directory, f"{self.artifact_project_id}.tar.gz")
        replace_file(archive.path, target)
        normalize_artifact_permissions(target)
        return target


class GuardedWheelBuilder(_Guard, WheelBuilder):
    """hatchling's ``WheelBuilder`` with the guarded walk (links are always read as content).

    Same constructor as hatchling's, plus ``config_settings`` (PEP 517). ``build()`` yields the
    absolute path of the ``.whl``; editable wheels (PEP 660) are hatchling's, over the guarded walk.
    """

    def build_standard(self, directory: str, **build_data: Any) -> str:
        """hatchling's wheel, written atomically into ``directory`` and checked before delivery."""
        return self.build_guarded(directory, lambda private: WheelBuilder.build_standard(self, private, **build_data))

    def build_editable(self, directory: str, **build_data: Any) -> str:
        """hatchling's editable wheel (PEP 660), written atomically into ``directory``."""
        return self.build_guarded(directory, lambda private: WheelBuilder.build_editable(self, private, **build_data))


def preview_findings(root: str, target: str = "sdist") -> list[Finding]:
    """What building ``target`` (``"sdist"`` or ``"wheel"``) from ``root`` would leave out, without building.

    ``root`` is a project directory holding a ``pyproject.toml``. Runs the same walk as the build
    (hatchling's default build data, no build hooks) and returns its findings. Raises
    ``ConfigError`` for bad settings and whatever hatchling raises for a bad project.
    """
    builder_class = GuardedSdistBuilder if target == "sdist" else GuardedWheelBuilder
    builder: _Guard = builder_class(os.path.abspath(root))
    build_data = builder.get_default_build_data()
    builder.set_build_data_defaults(build_data)
    with builder.config.set_build_data(build_data):
        for _ in builder.recurse_included_files():
            pass
    return builder.findings
