"""hatchling's sdist and wheel builders, with sdistguard's walk in place of theirs.

This package is the only place that touches hatchling's internals (non-public classes):
``guard.py`` overrides the three walks of ``BuilderInterface`` and the sdist's ``build_standard``
(every member a regular file), ``wheel.py`` wraps the wheel's. Everything else —
metadata, build hooks, versions, tags, reproducibility — is hatchling's. Each builder is imported
only when asked for, so an sdist build never loads hatchling's wheel module (hashlib, zipfile, csv).

A preview (``sdistguard check DIR``, ``sdistguard explain``) runs no project code: its builders are
made by :func:`preview_builder`, with :class:`~sdistguard.builders.static.StaticMetadata` (no metadata
hook, no version source that executes), and it never builds, so no build hook is loaded.

Supported hatchling: ``sdistguard.core.compat.HATCHLING_REQUIREMENT`` (its oldest and newest are tested).
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

from sdistguard.core.compat import HATCHLING_REQUIREMENT, check_hatchling

# Before any module of this package imports hatchling's builders: their internals are what the range is about.
check_hatchling()

if TYPE_CHECKING:
    from sdistguard.builders.guard import Guard
    from sdistguard.builders.sdist import GuardedSdistBuilder
    from sdistguard.builders.shipped import HatchlingSdist
    from sdistguard.builders.static import ProjectPreview
    from sdistguard.builders.wheel import GuardedWheelBuilder
    from sdistguard.rules import Finding

__all__ = [
    "HATCHLING_REQUIREMENT", "GuardedSdistBuilder", "GuardedWheelBuilder", "hatchling_sdist", "preview",
    "preview_builder", "preview_findings", "preview_project",
]

_MODULES = {"GuardedSdistBuilder": "sdistguard.builders.sdist", "GuardedWheelBuilder": "sdistguard.builders.wheel"}


def __getattr__(name: str) -> Any:
    """Import a builder class on first use; raises ``AttributeError`` for any other name."""
    if name not in _MODULES:
        raise AttributeError(f"module 'sdistguard.builders' has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULES[name]), name)


def preview_findings(root: str, target: str = "sdist") -> list[Finding]:
    """What building ``target`` (``"sdist"`` or ``"wheel"``) from ``root`` would leave out, without building.

    ``root`` is a project directory holding a ``pyproject.toml``. Runs the same walk as the build
    (hatchling's default build data, no build hooks, no metadata hooks, no version source that
    executes: :func:`preview_builder`) and returns its findings. Raises
    ``ConfigError`` for bad settings and whatever hatchling raises for a bad project.
    """
    return preview(root, target)[0]


def preview(root: str, target: str = "sdist") -> tuple[list[Finding], list[Finding]]:
    """``(findings, blocking)``: :func:`preview_findings`, and those of them that would stop the build.

    ``blocking`` is decided by :func:`sdistguard.rules.blocking_findings` with the project's
    ``[tool.sdistguard]`` settings, the very decision the build takes before delivering an artifact.
    """
    from sdistguard.rules import blocking_findings

    builder = preview_builder(root, target)
    build_data = builder.get_default_build_data()
    builder.set_build_data_defaults(build_data)
    with builder.config.set_build_data(build_data):
        for _ in builder.recurse_included_files():
            pass
    findings = builder.findings
    return findings, blocking_findings(findings, builder.settings)


def preview_builder(root: str, target: str) -> Guard:
    """A guarded builder of ``target`` (``"sdist"`` or ``"wheel"``) over ``root`` that runs no project code.

    hatchling's builder with :class:`~sdistguard.builders.static.StaticMetadata` in place of its
    ``ProjectMetadata``: no metadata hook is loaded, no version source executes; walking it
    (``recurse_included_files``) loads no build hook. ``root`` is made absolute. Raises nothing itself.
    """
    from sdistguard.builders.static import StaticMetadata

    root = os.path.abspath(root)
    builder: Guard = __getattr__("GuardedSdistBuilder" if target == "sdist" else "GuardedWheelBuilder")(
        root, metadata=StaticMetadata(root)
    )
    return builder


def preview_project(root: str) -> ProjectPreview:
    """The project's name and version as the preview knows them, and what it cannot know without running it.

    ``root`` is a project directory; see :meth:`sdistguard.builders.static.StaticMetadata.preview`.
    Raises what hatchling raises for a malformed ``[project]`` table.
    """
    from sdistguard.builders.static import StaticMetadata

    return StaticMetadata(os.path.abspath(root)).preview()


def hatchling_sdist(root: str) -> HatchlingSdist:
    """What hatchling's own sdist of ``root`` would hold, without building, as plain data for the auditor.

    hatchling's unguarded selection, member by member as its ``SdistArchive`` would write it
    (:func:`sdistguard.builders.shipped.hatchling_members`), and the guarded walk's findings on the
    same builder, for what only the tree tells (git's view). The builder is :func:`preview_builder`'s
    (default build data; no build hook, metadata hook or executing version source runs). The auditor
    judges the members (:func:`sdistguard.audit.shipped.preview_hatchling`). Raises ``ConfigError`` and
    what hatchling raises for a bad project.
    """
    from sdistguard.builders.shipped import HatchlingSdist, hatchling_members

    builder = preview_builder(root, "sdist")
    build_data = builder.get_default_build_data()
    builder.set_build_data_defaults(build_data)
    with builder.config.set_build_data(build_data):
        for _ in builder.recurse_included_files():
            pass
        return HatchlingSdist(hatchling_members(builder), builder.metadata.name, builder.findings)
