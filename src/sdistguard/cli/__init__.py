"""The ``sdistguard`` command: ``sdistguard check PATH...``, ``sdistguard explain PATH...`` and ``sdistguard codes``.

:func:`main` takes the arguments (``sys.argv[1:]`` when ``None``) and returns the exit code; every
error a user can cause (:class:`~sdistguard.core.errors.SdistguardError`, bad arguments) becomes a message
on stderr and exit code 2, never a traceback. The arguments are :mod:`sdistguard.cli.parser`'s; the commands
are :mod:`sdistguard.cli.check`, :mod:`sdistguard.cli.explain` and :mod:`sdistguard.rules`' ``codes`` text,
each imported only when run.
"""

from __future__ import annotations

import argparse
import os
import sys

from sdistguard.cli.parser import EXIT_CLEAN, EXIT_ERROR, build_parser
from sdistguard.core.errors import SdistguardError
from sdistguard.core.version import __version__

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code (0, 1, 2)."""
    try:
        arguments = build_parser(__version__).parse_args(argv)
        if arguments.command == "check" and not (arguments.paths or arguments.build or arguments.index is not None):
            arguments.usage_error("the following arguments are required: PATH (or --build [DIR], or --index URL)")
        if arguments.command == "check" and arguments.build and arguments.index is not None:
            arguments.usage_error("--build builds one project directory; --index audits an index: give one of them")
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    try:
        if arguments.command == "codes":
            print(_format_codes())
            return EXIT_CLEAN
        if arguments.command == "explain":
            return _explain(arguments)
        from sdistguard.cli.check import run_check

        return run_check(arguments)
    except SdistguardError as error:
        print(error.stderr_line(), file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `sdistguard check ... | head`: stop quietly, like other filters
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces a closed stdout until exit
        return EXIT_ERROR


def _explain(arguments: argparse.Namespace) -> int:
    from sdistguard.cli.explain import explain, format_json, format_text

    explanations = explain(arguments.paths, arguments.project)
    print(format_json(explanations) if arguments.format == "json" else format_text(explanations))
    return EXIT_CLEAN


def _format_codes() -> str:
    """Every code: name, severity, whether ``check`` fails on it by default, reason, and fix
    (:func:`sdistguard.rules.codes.codes_text`, the registry's own text, as docs/rules.md's table)."""
    from sdistguard.rules.codes import codes_text

    return codes_text()
