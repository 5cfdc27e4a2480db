"""The ``sdistguard`` command's arguments: one :class:`argparse.ArgumentParser` and its value types."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Final

from sdistguard.core.config import ADVISORY_CODES, valid_codes

__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "build_parser", "split_codes"]

EXIT_CLEAN: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_ERROR: Final = 2

_EPILOG: Final = f"""\
exit codes:
  0  nothing that breaks installs or leaks (advisory codes such as SG521 are reported, not failed)
  1  at least one failing finding: by default every code but the advisory ones
     ({", ".join(sorted(ADVISORY_CODES))}); with --select or a configured select,
     every selected code fails; with --build, also a build that failed (SG751)
     (--build writes the sdist and wheel to --outdir only on exit 0)
  2  usage error, bad configuration, or an input that cannot be read

configuration: [tool.sdistguard.check] select = [...] / ignore = [...] (codes or prefixes such as
"SG5"), read from the pyproject.toml of the directory being checked, else of the current directory.
--select replaces the configured select list; --ignore adds to the configured ignore list.
Every code, its cause and its fix: `sdistguard codes`, and docs/rules.md.
"""


def split_codes(values: Sequence[str] | None, option: str) -> tuple[str, ...] | None:
    """The codes of a repeatable ``--select``/``--ignore`` (comma-separated), ``None`` when not given.

    Raises :class:`~sdistguard.core.errors.ConfigError` naming ``option`` for an unknown code.
    """
    if values is None:
        return None
    entries = [entry for value in values for entry in value.split(",") if entry.strip()]
    return valid_codes(entries, option)


def build_parser(version: str) -> argparse.ArgumentParser:
    """The ``sdistguard`` command line: ``check``, ``codes`` and ``explain``; ``version`` is what ``--version`` prints.

    ``check``'s parser keeps its own ``error`` as ``usage_error`` (PATH is required unless ``--build`` or
    ``--index``: :func:`sdistguard.cli.main` asks).
    """
    parser = argparse.ArgumentParser(
        prog="sdistguard",
        description="Audit sdists and wheels from any backend, or a project directory, for venvs, caches, "
        "links and names that installers refuse.",
    )
    parser.add_argument("--version", action="version", version=f"sdistguard {version}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="audit sdists (.tar.gz), wheels (.whl) or project directories",
        description="Audit each PATH: an sdist (.tar.gz), a wheel (.whl), or a project directory "
        "(what the sdistguard backend would leave out, without building). Archives are "
        "read as streams, never extracted. With --build, the project is built (its build code runs) and the "
        "artifacts are audited: the release gate.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="*", metavar="PATH")  # none with --index URL
    check.set_defaults(usage_error=check.error)  # PATH is required unless --build: main() asks
    check.add_argument(
        "--build",
        action="store_true",
        help="release gate: build the project at PATH (one directory, default .) with its own [build-system] "
        "backend in isolated environments, as python -m build does -- this RUNS THE PROJECT'S BUILD CODE -- "
        "then audit the sdist, the wheel built from the unpacked sdist and the wheel built from the tree, "
        "compare the two wheels (SG750) and the sdist with git (SG752, SG753); needs "
        'pip install "sdistguard[release]"',
    )
    check.add_argument(
        "--outdir",
        metavar="DIR",
        help="with --build: where the sdist and the wheel built from it are written, only when nothing fails "
        "(default: PATH/dist, as python -m build)",
    )
    check.add_argument(
        "--format",
        choices=("table", "json", "github", "sarif", "jsonl"),
        default="table",
        help="table (default), json (with a 'version' field), github (workflow annotations: ::error file=...::), "
        "sarif (SARIF 2.1.0, for code scanning uploads) or jsonl (--index: one line per dist as it finishes)",
    )
    from sdistguard.index.options import add_index_arguments

    add_index_arguments(check)
    check.add_argument(
        "--output", metavar="FILE", help="write the report to FILE instead of standard output (replaced whole)"
    )
    check.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="report only these codes or prefixes (comma-separated; repeatable)",
    )
    check.add_argument(
        "--ignore",
        action="append",
        metavar="CODES",
        help="never report these codes or prefixes (comma-separated; repeatable)",
    )
    check.add_argument(
        "--group",
        type=_count,
        default=None,
        metavar="N",
        help="table: more than N findings of one code under one top-level directory share one row "
        "(default 5; 0: one row per finding). JSON always lists each finding",
    )
    check.add_argument(
        "--max-members", type=_positive, metavar="N", help="stop after N archive members (default 200000)"
    )
    check.add_argument(
        "--max-bytes",
        type=_positive,
        metavar="N",
        help="stop after N uncompressed bytes read or hashed (default 2 GiB)",
    )
    commands.add_parser("codes", help="list every code with its reason and hint")
    explain = commands.add_parser(
        "explain",
        help="say whether the sdist and the wheel ship each path of a project, and the one reason why",
        description="For each PATH (a file or directory of a project): whether the sdist and the wheel ship "
        "it, and the setting, ignore line, marker, link or rule that decided it (docs/explain.md).",
    )
    explain.add_argument("paths", nargs="+", metavar="PATH")
    explain.add_argument("--project", metavar="DIR", help="the project root (default: the nearest pyproject.toml "
                         "above the first PATH)")
    explain.add_argument("--format", choices=("text", "json"), default="text",
                         help="text (default) or json (with a 'version' field)")
    return parser


def _count(text: str) -> int:
    """A whole number, 0 or more (argparse type); raises ``ArgumentTypeError`` otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def _positive(text: str) -> int:
    """A whole number, 1 or more (argparse type); raises ``ArgumentTypeError`` otherwise."""
    value = _count(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value
