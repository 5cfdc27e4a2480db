"""``sdistguard check``: the inputs audited (:mod:`sdistguard.audit.policy`), the report written, the exit code.

``--build`` runs the release gate (:mod:`sdistguard.release`), ``--index`` the index command
(:mod:`sdistguard.index`); each is imported only when asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sdistguard.audit.base import AuditResult, Limits
from sdistguard.audit.checked import CheckedInput
from sdistguard.audit.policy import check_input
from sdistguard.cli.parser import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, split_codes
from sdistguard.core.config import selection_for
from sdistguard.core.errors import InputError
from sdistguard.core.version import __version__
from sdistguard.report.formats import format_check

__all__ = ["exit_code", "run_check", "write_report"]


def run_check(arguments: argparse.Namespace) -> int:
    """``sdistguard check`` with the parsed ``arguments``; returns the exit code (0, 1 or 2).

    Each PATH is audited with the selection of its own directory's pyproject.toml (else the current
    directory's); an input that cannot be read is reported on stderr and in the report, and makes the
    exit code 2. Raises :class:`~sdistguard.core.errors.SdistguardError` for bad settings or options.
    """
    select = split_codes(arguments.select, "--select")
    ignore = split_codes(arguments.ignore, "--ignore") or ()
    defaults = Limits()
    limits = Limits(
        max_members=arguments.max_members or defaults.max_members, max_bytes=arguments.max_bytes or defaults.max_bytes
    )
    if arguments.index is not None or arguments.format == "jsonl":  # docs/index.md
        from sdistguard.index.command import check_index

        selection = selection_for("", select, ignore)  # as for a file: the current directory's pyproject.toml
        return check_index(arguments, selection, limits, check_input, __version__, write_report)
    checked: list[CheckedInput] = []
    paths = [] if arguments.build else arguments.paths
    if arguments.build or arguments.outdir:
        checked = _check_build(arguments, select, ignore, limits)
    for path in paths:
        selection = selection_for(path, select, ignore)
        try:
            checked.append(check_input(path, selection, limits))
        except InputError as error:
            print(error.stderr_line(), file=sys.stderr)
            checked.append(CheckedInput(AuditResult(path, "unknown", error=str(error))))
    code = exit_code(checked)
    write_report(format_check(checked, arguments.format, __version__, code, arguments.group), arguments.output)
    return code


def _check_build(arguments: argparse.Namespace, select: tuple[str, ...] | None, ignore: tuple[str, ...],
                 limits: Limits) -> list[CheckedInput]:
    """``check --build [DIR]``: the release gate (:func:`sdistguard.release.run_gate`), each artifact
    audited as ``check`` audits an archive; returns the ``CheckedInput`` of the project and of each artifact."""
    from sdistguard.release import run_gate  # needs pypa/build only when asked

    if not arguments.build or len(arguments.paths) > 1:
        raise InputError("--outdir goes with --build" if not arguments.build else "--build takes one directory")
    root = arguments.paths[0] if arguments.paths else "."
    selection = selection_for(root, select, ignore)
    return run_gate(
        root,
        outdir=arguments.outdir or os.path.normpath(os.path.join(root, "dist")),
        check_artifact=lambda path: check_input(path, selection, limits),
        fails=lambda found: selection.fails(found.code),
        wants=lambda found: selection.wants(found.code),
        progress=None if arguments.format == "json" else sys.stderr,
    ).inputs


def write_report(text: str, output: str | None) -> None:
    """Print ``text``, or write it to ``output`` whole (a temporary file beside it, then renamed).

    Raises :class:`InputError` naming ``--output`` when the file cannot be written; a file left half-written
    never replaces ``output``.
    """
    if output is None:
        print(text)
        return
    import tempfile

    directory = os.path.dirname(os.path.abspath(output))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".sdistguard-report-", dir=directory)
    except OSError as error:
        raise InputError(f"--output {output}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600, widened to what open() would give
            file.write(text + "\n")
        os.replace(temporary, output)
    except OSError as error:
        os.unlink(temporary)
        raise InputError(f"--output {output}: cannot write: {error.strerror}") from None


def _umask() -> int:
    """The process's file mode creation mask (read by setting it, then restoring it at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def exit_code(checked: Sequence[CheckedInput]) -> int:
    """2 when an input could not be read, else 1 when a finding fails the check, else 0."""
    if any(item.result.error is not None for item in checked):
        return EXIT_ERROR
    return EXIT_FINDINGS if any(any(item.fails) for item in checked) else EXIT_CLEAN
