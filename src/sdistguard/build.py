"""The PEP 517 / PEP 660 hooks: ``build-backend = "sdistguard.build"``.

The same hooks as ``hatchling.build``, under the same conditions. The build hooks run sdistguard's
builders; the others (``get_requires_*``, ``prepare_metadata_*``) walk no files and are hatchling's
own. A user mistake ends in one message on stderr and exit status 1, never a traceback (set
``SDISTGUARD_DEBUG=1`` to see one).

Specs: https://peps.python.org/pep-0517/, https://peps.python.org/pep-0660/.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
]

_T = TypeVar("_T")

# An unsupported hatchling is refused here, when the frontend imports the backend.
from sdistguard.core.compat import check_hatchling  # noqa: E402

check_hatchling()


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    """PEP 517: hatchling's answer (the build hooks' dependencies)."""
    from hatchling import build

    return _guarded(lambda: build.get_requires_for_build_sdist(config_settings))


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    """PEP 517: hatchling's answer (the build hooks' dependencies)."""
    from hatchling import build

    return _guarded(lambda: build.get_requires_for_build_wheel(config_settings))


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    """PEP 660: hatchling's answer (the build hooks' dependencies and ``editables``)."""
    from hatchling import build

    return _guarded(lambda: build.get_requires_for_build_editable(config_settings))


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    """PEP 517: build the sdist into ``sdist_directory``; return its file name (``name-1.0.tar.gz``)."""
    _start_git()
    from sdistguard.builders import GuardedSdistBuilder

    return _build(GuardedSdistBuilder, sdist_directory, "standard", config_settings)


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    """PEP 517: build the wheel into ``wheel_directory``; return its file name."""
    _start_git()
    from sdistguard.builders import GuardedWheelBuilder

    return _build(GuardedWheelBuilder, wheel_directory, "standard", config_settings)


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    """PEP 660: build the editable wheel into ``wheel_directory``; return its file name."""
    _start_git()
    from sdistguard.builders import GuardedWheelBuilder

    return _build(GuardedWheelBuilder, wheel_directory, "editable", config_settings)


def _start_git() -> None:
    """Start git's listing of the project (the working directory, hatchling's root) before anything is
    imported, so that git runs on another core while the builders load and hatchling reads the project
    (:func:`sdistguard.git.vcs.start_listing`; :func:`_build` stops it if unread). Raises nothing."""
    try:
        root = os.getcwd()
    except OSError:
        return  # the build itself reports a working directory that is gone
    from sdistguard.git.vcs import start_listing

    start_listing(root)


def _build(builder_class: Any, directory: str, version: str, config_settings: dict[str, Any] | None) -> str:
    def run() -> str:
        builder = builder_class(os.getcwd(), config_settings=config_settings)
        artifact = os.path.basename(str(next(builder.build(directory=directory, versions=[version]))))
        if builder.findings:  # a clean build prints nothing: the report's code is not even imported
            from sdistguard.report.summary import format_build_summary

            summary = format_build_summary(builder.findings, artifact)
            if summary:
                print(summary, file=sys.stderr)
        return artifact

    from sdistguard.git.vcs import forget_listings

    try:
        return _guarded(run)
    finally:
        forget_listings()  # a listing no walk read (a build that failed first, or the walk asked elsewhere)


def _guarded(hook: Callable[[], _T]) -> _T:
    """Run a hook; turn a user mistake into a message on stderr and ``SystemExit(1)``.

    User mistakes: our own errors (``SdistguardError``, the message says it all); the errors
    hatchling raises for a bad project (``TypeError``/``ValueError`` on a config field,
    ``FileNotFoundError`` for a missing forced include), shown as ``hatchling: ...``; and an
    ``OSError`` of the environment (a file that cannot be read), shown as it is. Anything else — a
    ``TypeError`` or ``ValueError`` raised by sdistguard's own code — is a bug and keeps its
    traceback (pypa/build's ``_handle_backend`` habit). The decision is
    :func:`sdistguard.core.errors.project_errors`', shared with ``explain`` and ``check DIR``.
    """
    from sdistguard.core.errors import SdistguardError, project_errors

    try:
        with project_errors():  # a ProjectError: hatchling's or the environment's complaint, formatted
            return hook()
    except SdistguardError as error:
        if os.environ.get("SDISTGUARD_DEBUG"):
            raise
        print(error.stderr_line(), file=sys.stderr)
        raise SystemExit(1) from None


# The same condition as hatchling.build: pip reads dependencies from prepare_metadata_*, which
# would ignore what build hooks add, so these hooks exist only outside pip (hatch#532).
if "PIP_BUILD_TRACKER" not in os.environ:
    __all__ += ["prepare_metadata_for_build_editable", "prepare_metadata_for_build_wheel"]

    def prepare_metadata_for_build_wheel(
        metadata_directory: str, config_settings: dict[str, Any] | None = None
    ) -> str:
        """PEP 517: hatchling's hook (writes only ``METADATA``); returns the ``.dist-info`` name."""
        from hatchling import build

        return _guarded(lambda: build.prepare_metadata_for_build_wheel(metadata_directory, config_settings))

    def prepare_metadata_for_build_editable(
        metadata_directory: str, config_settings: dict[str, Any] | None = None
    ) -> str:
        """PEP 660: hatchling's hook (writes only ``METADATA``); returns the ``.dist-info`` name."""
        from hatchling import build

        return _guarded(lambda: build.prepare_metadata_for_build_editable(metadata_directory, config_settings))
