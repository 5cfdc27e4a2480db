"""The ``sdistguard`` command: ``sdistguard check PATH...`` and ``sdistguard codes``.

:func:`main` takes the arguments (``sys.argv[1:]`` when ``None``) and returns the exit code; every
error a user can cause (:class:`~sdistguard.errors.SdistguardError`, bad arguments) becomes a message
on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sdistguard.errors import ConfigError, InputError, SdistguardError
from sdistguard.rules import RULES, Finding

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["CheckSelection", "load_check_selection", "main"]

EXIT_CLEAN: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_ERROR: Final = 2

_EPILOG: Final = """\
exit codes:
  0  no findings (after --select/--ignore)
  1  at least one finding, or a directory whose sdist build would be refused
  2  usage error, bad configuration, or an input that cannot be read

configuration: [tool.sdistguard.check] select = [...] / ignore = [...] (codes or prefixes such as
"SG5"), read from the pyproject.toml of the directory being checked, else of the current directory.
--select replaces the configured select list; --ignore adds to the configured ignore list.
Every code, its cause and its fix: `sdistguard codes`, and docs/rules.md.
"""


@dataclass(frozen=True)
class CheckSelection:
    """Which codes are reported: ``select`` (empty = all) minus ``ignore``; entries are code prefixes."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        """True when a finding with ``code`` is reported."""
        selected = not self.select or code.startswith(self.select)
        return selected and not code.startswith(self.ignore) if self.ignore else selected

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings whose code is reported, in their order."""
        return [found for found in findings if self.wants(found.code)]


def _valid_codes(entries: Iterable[str], where: str) -> tuple[str, ...]:
    """Check that each entry is a code or a prefix of one (``SG101``, ``SG5``); raise ``ConfigError``."""
    result = []
    for entry in entries:
        code = entry.strip().upper()
        if not code or not any(known.startswith(code) for known in RULES):
            raise ConfigError(f"{where}: {entry!r} is not an sdistguard code or prefix (see `sdistguard codes`)")
        result.append(code)
    return tuple(result)


def load_check_selection(pyproject: Mapping[str, Any], source: str = "pyproject.toml") -> CheckSelection:
    """Read ``[tool.sdistguard.check]`` (``select`` and ``ignore``: arrays of codes) from a parsed file.

    ``source`` names the file in messages. Raises :class:`ConfigError` for a key other than those
    two, a value that is not an array of strings, or an unknown code.
    """
    tool = pyproject.get("tool", {})
    table = tool.get("sdistguard", {}) if isinstance(tool, Mapping) else {}
    check = table.get("check", {}) if isinstance(table, Mapping) else {}
    if not isinstance(check, Mapping):
        raise ConfigError(f"{source}: tool.sdistguard.check must be a table")
    lists: dict[str, tuple[str, ...]] = {}
    for key, value in check.items():
        where = f"{source}: tool.sdistguard.check.{key}"
        if key not in ("select", "ignore"):
            raise ConfigError(f"{where}: unknown key (known: select, ignore)")
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f'{where}: must be an array of codes, such as ["SG101", "SG5"]')
        lists[key] = _valid_codes(value, where)
    return CheckSelection(lists.get("select", ()), lists.get("ignore", ()))


def _read_pyproject(path: str) -> dict[str, Any] | None:
    """Parse ``path`` when it exists; raise :class:`ConfigError` for invalid TOML or a non-regular file."""
    if os.path.exists(path) and not os.path.isfile(path):  # a FIFO would block open() forever
        raise ConfigError(f"{path}: not a regular file")
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None


def _selection_for(target: str, select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> CheckSelection:
    """The selection for one input: its directory's pyproject.toml, else the current directory's."""
    candidates = [os.path.join(target, "pyproject.toml")] if os.path.isdir(target) else []
    candidates.append("pyproject.toml")
    configured = CheckSelection()
    for candidate in candidates:
        document = _read_pyproject(candidate)
        if document is not None:
            configured = load_check_selection(document, candidate)
            break
    return CheckSelection(configured.select if select is None else select, configured.ignore + ignore)


def _split_codes(values: Sequence[str] | None, option: str) -> tuple[str, ...] | None:
    if values is None:
        return None
    entries = [entry for value in values for entry in value.split(",") if entry.strip()]
    return _valid_codes(entries, option)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sdistguard",
        description="Audit sdists and wheels from any backend, or a project directory, for venvs, caches, "
        "links and names that installers refuse.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="audit sdists (.tar.gz), wheels (.whl) or project directories",
        description="Audit each PATH: an sdist (.tar.gz), a wheel (.whl), or a project directory "
        "(what the sdistguard backend would leave out, without building). Archives are "
        "read as streams, never extracted.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument(
        "--format", choices=("table", "json"), default="table", help="table (default) or json (with a 'version' field)"
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code (0, 1, 2)."""
    try:
        arguments = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    try:
        if arguments.command == "codes":
            print(_format_codes())
            return EXIT_CLEAN
        return _check(arguments)
    except SdistguardError as error:
        print(f"sdistguard: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `sdistguard check ... | head`: stop quietly, like other filters
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces a closed stdout until exit
        return EXIT_ERROR


def _check(arguments: argparse.Namespace) -> int:
    from sdistguard.auditor import AuditResult, Limits, audit_report
    from sdistguard.report import GROUP_ABOVE, format_check_json, format_check_table

    select = _split_codes(arguments.select, "--select")
    ignore = _split_codes(arguments.ignore, "--ignore") or ()
    defaults = Limits()
    limits = Limits(
        max_members=arguments.max_members or defaults.max_members, max_bytes=arguments.max_bytes or defaults.max_bytes
    )
    results: list[AuditResult] = []
    for path in arguments.paths:
        selection = _selection_for(path, select, ignore)
        try:
            result = audit_report(path, limits=limits)
        except InputError as error:
            print(f"sdistguard: error: {error}", file=sys.stderr)
            results.append(AuditResult(path, "unknown", error=str(error)))
            continue
        result.findings = selection.apply(result.findings)
        results.append(result)
    code = _exit_code(results)
    if arguments.format == "json":
        print(format_check_json(results, _tool_version(), code))
    else:
        group = GROUP_ABOVE if arguments.group is None else arguments.group
        print(format_check_table(results, group_above=group))
    return code


def _exit_code(results: Sequence[Any]) -> int:
    if any(result.error is not None for result in results):
        return EXIT_ERROR
    return EXIT_FINDINGS if any(result.findings or result.refused for result in results) else EXIT_CLEAN


def _tool_version() -> str:
    try:
        from sdistguard import __version__
    except ImportError:  # pragma: no cover - a source tree without __init__ version
        return "unknown"
    return str(__version__)


def _format_codes() -> str:
    lines = []
    for rule in RULES.values():
        lines.append(f"{rule.code}  {rule.name:<20} {rule.severity:<8} {rule.reason}")
        lines.append(f"       {'':<20} {'':<8} fix: {rule.hint}")
    return "\n".join(lines)
