"""The one error hierarchy of sdistguard.

Every error a user can cause (bad configuration, a file name installers refuse, a finding under
``strict``) is a :class:`SdistguardError`. The PEP 517 hooks and the command line turn these into a
message on stderr and a non-zero exit, never a traceback (the habit of pypa/build).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sdistguard.rules import Finding

__all__ = [
    "HATCHLING_USER_ERRORS", "ConfigError", "InputError", "ProjectError", "SdistguardError", "TreeError",
    "project_errors", "raised_by", "user_fault",
]

Origin = Literal["hatchling", "sdistguard"]
"""Whose code raised an error (:func:`raised_by`)."""

HATCHLING_USER_ERRORS = (TypeError, ValueError, OSError)
"""What hatchling raises for a project it cannot build as configured: a config field of the wrong
type or value, a missing readme or forced include. Shown as a message; anything else is a bug."""


@functools.cache
def _package_directories() -> dict[Origin, str]:
    import hatchling

    modules: tuple[tuple[Origin, ModuleType], ...] = (
        ("sdistguard", sys.modules["sdistguard"]), ("hatchling", hatchling)
    )
    return {name: os.path.dirname(os.path.abspath(module.__file__ or "")) for name, module in modules}


def raised_by(error: BaseException) -> Origin | None:
    """``"hatchling"`` or ``"sdistguard"``: whose code raised ``error`` (the innermost frame of either).

    Frames of other code (the standard library, pathspec) are skipped: an ``open`` that fails in
    hatchling's code is hatchling's. ``None`` when neither appears in the traceback.
    """
    packages = _package_directories()
    owner: Origin | None = None
    traceback = error.__traceback__
    while traceback is not None:
        filename = os.path.abspath(traceback.tb_frame.f_code.co_filename)
        for name, directory in packages.items():
            if filename.startswith(directory + os.sep):
                owner = name
        traceback = traceback.tb_next
    return owner


class SdistguardError(Exception):
    """Base class of every error sdistguard raises on purpose.

    ``str(error)`` is the whole message meant for the user: it names the file or setting at fault
    and says what to do.
    """

    def stderr_line(self) -> str:
        """The one line the hooks and the command print for this error: ``sdistguard: error: MESSAGE``."""
        return f"sdistguard: error: {self}"


class ConfigError(SdistguardError):
    """``[tool.sdistguard]`` or a PEP 517 config setting holds a value we cannot use.

    The message names the key (``tool.sdistguard.strict``, ``-C strict``) and the allowed values.
    """


class TreeError(SdistguardError):
    """The project tree holds something that must not be built as it is.

    Raised before anything is written to the output directory, with every problem found in one
    message (the habit of pypa/installer): unportable file names, external links under the
    ``external-links = "error"`` policy, and any warning-level finding under ``strict``.
    ``findings`` holds the blocking findings themselves (:meth:`from_findings`), ``problems`` their lines.
    """

    def __init__(self, summary: str, problems: Sequence[str], findings: Sequence[Finding] = ()) -> None:
        """Build the message from a one-line ``summary`` and one line per problem."""
        self.problems = list(problems)
        self.findings = list(findings)
        lines = [summary, *(f"  {problem}" for problem in problems)]
        super().__init__("\n".join(lines))

    @classmethod
    def from_findings(cls, summary: str, findings: Sequence[Finding]) -> TreeError:
        """The error for the findings that block a build (:func:`sdistguard.rules.blocking_findings`),
        one line each as :func:`sdistguard.rules.render.finding_line` writes it, with the fix."""
        from sdistguard.rules.render import finding_line  # downward: render needs only rules

        return cls(summary, [finding_line(found, fix=True) for found in findings], findings)


class InputError(SdistguardError):
    """An archive or directory given to ``sdistguard check`` cannot be read at all.

    Examples: a file that is neither a gzip tar nor a zip, a truncated stream, a missing path.
    The command line maps it to exit code 2.
    """


class ProjectError(InputError):
    """hatchling, or the environment, cannot read a project as it is configured; it formats itself.

    ``error`` is what was raised (a config field of the wrong type, a missing readme or forced
    include, a file that cannot be read), ``prefix`` whose fault it is (:func:`user_fault`:
    ``"hatchling: "`` or ``""``), ``root`` the project directory when the message should name it
    (``check DIR`` with several inputs; ``""``: not named). The message is
    ``[ROOT: ]PREFIX ERROR``, the same for the build, ``explain`` and ``check DIR``.
    """

    def __init__(self, error: BaseException, prefix: str, root: str = "") -> None:
        """Keep ``error``, ``prefix`` and ``root``; the message is built from them."""
        self.error = error
        self.prefix = prefix
        self.root = root
        super().__init__(f"{root}: {prefix}{error}" if root else f"{prefix}{error}")


def user_fault(error: BaseException) -> str | None:
    """The prefix for an error the project or its environment caused, or ``None`` for a bug of ours.

    ``"hatchling: "`` for one of :data:`HATCHLING_USER_ERRORS` raised in hatchling's code (a config
    field of the wrong type, a missing readme or forced include); ``""`` for an ``OSError`` of the
    environment (a file that cannot be read) or a pattern pathspec refuses; ``None`` for anything
    else, a ``TypeError`` or ``ValueError`` of sdistguard's own code (pypa/build's ``_handle_backend``
    habit: a bug keeps its traceback).
    """
    if not isinstance(error, HATCHLING_USER_ERRORS):
        return None
    if raised_by(error) == "hatchling":
        return "hatchling: "
    if isinstance(error, OSError) or type(error).__module__.startswith("pathspec."):
        return ""
    return None


@contextlib.contextmanager
def project_errors(wrap: Callable[[BaseException, str], SdistguardError] | None = None, *,
                   root: str = "") -> Iterator[None]:
    """Around code that runs hatchling on a project: its user errors become a :class:`ProjectError`.

    The one place that decides whether hatchling's error is the user's (:func:`user_fault`; ``prefix``
    is its answer): the backend's hooks, ``explain`` and ``check DIR`` use it. ``root`` goes into the
    :class:`ProjectError`; ``wrap(error, prefix)``, when given, makes another error instead. A
    :class:`SdistguardError` and a bug pass unchanged; with ``SDISTGUARD_DEBUG`` set, every error does.
    """
    try:
        yield
    except SdistguardError:
        raise
    except HATCHLING_USER_ERRORS as error:
        prefix = user_fault(error)
        if prefix is None or os.environ.get("SDISTGUARD_DEBUG"):
            raise
        raise (ProjectError(error, prefix, root) if wrap is None else wrap(error, prefix)) from None
