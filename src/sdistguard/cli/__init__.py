"""The ``sdistguard`` command: ``sdistguard check PATH...``, ``sdistguard explain PATH...`` and ``sdistguard codes``.

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
from sdistguard.rules import RULES, Code, Finding

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["CheckSelection", "load_check_selection", "main"]

EXIT_CLEAN: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_ERROR: Final = 2

ADVISORY_CODES: Final[frozenset[Code]] = frozenset(rule.code for rule in RULES.values() if rule.advisory)
"""Codes reported by default but failing the check only when selected (``--select`` or ``select``):
the rules marked ``advisory`` in :data:`sdistguard.rules.RULES` (each row says why).

Every other code means "this breaks installs or leaks": a venv, a cache, a link out of the project,
an unsafe or refused member, a bad RECORD, damaged or unreadable metadata (docs/check.md, "Exit codes").
"""

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


@dataclass(frozen=True)
class CheckSelection:
    """Which codes are reported and which fail the check; entries are code prefixes.

    Reported: ``select`` (empty = all) minus ``ignore``. Failing: with a ``select``, every reported
    code; without one, every reported code but :data:`ADVISORY_CODES`.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    allow_secrets: tuple[str, ...] = ()
    """``[tool.sdistguard] allow-secrets``: patterns of members whose content is not scanned (SG602)."""

    def fails(self, code: Code) -> bool:
        """True when a reported finding with ``code`` makes the check exit 1."""
        return bool(self.select) or code not in ADVISORY_CODES

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
    allowed = table.get("allow-secrets", []) if isinstance(table, Mapping) else []
    if not isinstance(allowed, list) or not all(isinstance(item, str) for item in allowed):
        example = '["tests/keys/"]'
        raise ConfigError(f"{source}: tool.sdistguard.allow-secrets: must be an array of patterns, such as {example}")
    return CheckSelection(lists.get("select", ()), lists.get("ignore", ()), tuple(allowed))


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
    chosen = configured.select if select is None else select
    return CheckSelection(chosen, configured.ignore + ignore, configured.allow_secrets)


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
    parser.add_argument("--version", action="version", version=f"sdistguard {_tool_version()}")
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code (0, 1, 2)."""
    try:
        arguments = _parser().parse_args(argv)
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
        return _check(arguments)
    except SdistguardError as error:
        print(f"sdistguard: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `sdistguard check ... | head`: stop quietly, like other filters
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces a closed stdout until exit
        return EXIT_ERROR


def _explain(arguments: argparse.Namespace) -> int:
    from sdistguard.explain import explain, format_json, format_text

    explanations = explain(arguments.paths, arguments.project)
    print(format_json(explanations) if arguments.format == "json" else format_text(explanations))
    return EXIT_CLEAN


def _check(arguments: argparse.Namespace) -> int:
    from sdistguard.audit import AuditResult, Limits
    from sdistguard.report import (
        GROUP_ABOVE,
        CheckedInput,
        format_check_github,
        format_check_json,
        format_check_sarif,
        format_check_table,
    )

    select = _split_codes(arguments.select, "--select")
    ignore = _split_codes(arguments.ignore, "--ignore") or ()
    defaults = Limits()
    limits = Limits(
        max_members=arguments.max_members or defaults.max_members, max_bytes=arguments.max_bytes or defaults.max_bytes
    )
    if arguments.index is not None or arguments.format == "jsonl":  # docs/index.md
        from sdistguard.index.command import check_index

        selection = _selection_for("", select, ignore)  # as for a file: the current directory's pyproject.toml
        return check_index(arguments, selection, limits, _check_one, _tool_version(), _write_report)
    checked: list[CheckedInput] = []
    paths = [] if arguments.build else arguments.paths
    if arguments.build or arguments.outdir:
        checked = _check_build(arguments, select, ignore, limits)
    for path in paths:
        selection = _selection_for(path, select, ignore)
        try:
            checked.append(_check_one(path, selection, limits))
        except InputError as error:
            print(f"sdistguard: error: {error}", file=sys.stderr)
            checked.append(CheckedInput(AuditResult(path, "unknown", error=str(error))))
    code = _exit_code(checked)
    if arguments.format == "json":
        text = format_check_json(checked, _tool_version(), code)
    elif arguments.format == "github":
        text = format_check_github(checked)
    elif arguments.format == "sarif":
        text = format_check_sarif(checked, _tool_version(), code)
    else:
        group = GROUP_ABOVE if arguments.group is None else arguments.group
        text = format_check_table(checked, group_above=group)
    _write_report(text, arguments.output)
    return code


def _check_build(arguments: argparse.Namespace, select: tuple[str, ...] | None, ignore: tuple[str, ...],
                 limits: Any) -> list[Any]:
    """``check --build [DIR]``: the release gate (:func:`sdistguard.release.run_gate`), each artifact
    audited as ``check`` audits an archive; returns the ``CheckedInput`` of the project and of each artifact."""
    from sdistguard.release import run_gate

    if not arguments.build or len(arguments.paths) > 1:
        raise InputError("--outdir goes with --build" if not arguments.build else "--build takes one directory")
    root = arguments.paths[0] if arguments.paths else "."
    selection = _selection_for(root, select, ignore)
    return run_gate(
        root,
        outdir=arguments.outdir or os.path.normpath(os.path.join(root, "dist")),
        check_artifact=lambda path: _check_one(path, selection, limits),
        fails=lambda found: selection.fails(found.code),
        wants=lambda found: selection.wants(found.code),
        progress=None if arguments.format == "json" else sys.stderr,
    ).inputs


def _check_one(path: str, selection: CheckSelection, limits: Any) -> Any:
    """Audit one input; return a ``CheckedInput`` with the selected findings, which fail, and the fixes."""
    from sdistguard.audit import audit_report
    from sdistguard.hints import LEAVE_OUT_CODES, leave_out_fix
    from sdistguard.report import CheckedInput, FindingGroup, group_findings

    if os.path.isdir(path):
        return _check_directory(path, selection)
    result = audit_report(path, limits=limits, allow_secrets=selection.allow_secrets)
    result.findings = selection.apply(result.findings)
    fails = tuple(selection.fails(found.code) for found in result.findings)
    leave_out: dict[str, list[str]] = {}
    for row in group_findings(result.findings):  # a group's directory stands for the paths below it
        if row.code in LEAVE_OUT_CODES:
            leave_out.setdefault(row.code, []).append(row.directory if isinstance(row, FindingGroup) else row.path)
    built_by = result.built_by if leave_out else None  # read in the audit's one pass
    fixes: dict[str, str] = {}
    if built_by is None or built_by.name != "sdistguard":
        backend = built_by.name if built_by else None
        fixes = {code: leave_out_fix(backend, paths, result.kind) for code, paths in leave_out.items()}
    return CheckedInput(result, fails, built_by, fixes)


def _check_directory(root: str, selection: CheckSelection) -> Any:
    """A project directory, judged by its configured backend.

    sdistguard: only what would stop its build (as the build decides). hatchling: what hatchling's own
    sdist of the tree would hold that the auditor flags, with the files and bytes hatchling would ship
    (the auditor's findings on that sdist, plus git's view of the tree). Any other backend: an :class:`InputError`
    (its file selection is its own; build the sdist and check that).
    """
    from sdistguard.audit import audit_report
    from sdistguard.hints import BuiltBy, built_by_project, leave_out_fix
    from sdistguard.report import CheckedInput

    if not os.path.isfile(os.path.join(root, "pyproject.toml")):
        raise InputError(f"{root}: a project directory needs a pyproject.toml")
    built_by = built_by_project(root) or BuiltBy("setuptools", "no build-backend in pyproject.toml (pip's default)")
    if built_by.name not in ("hatchling", "sdistguard"):
        raise InputError(
            f"{root}: builds with {built_by.name} ({built_by.evidence}); `sdistguard check DIR` predicts only "
            f"hatchling and sdistguard builds without running them: run `sdistguard check --build {root}`, "
            f"which builds it with its own backend (running the project's build code) and audits the artifacts"
        )
    result = audit_report(root, as_hatchling=built_by.name == "hatchling", allow_secrets=selection.allow_secrets)
    findings = selection.apply(result.findings)
    notes: list[str] = []
    if built_by.name == "sdistguard":  # the build's own decision (blocking_findings), whatever is selected
        blocking = result.refused
        left_out = len(result.findings) - len(blocking)
        if left_out:
            notes.append(
                f"the build leaves out or rewrites {left_out} path(s) as intended (its stderr report "
                "lists them); only what would stop the build is shown"
            )
        result.findings = blocking
        return CheckedInput(result, tuple(True for _ in blocking), built_by, {}, notes)
    counted = findings  # counted over hatchling's own selection (sdistguard.builders.shipped)
    result.findings = counted
    result.refused = []  # what would stop an sdistguard build is no news for a hatchling project
    fails = tuple(selection.fails(found.code) for found in counted)
    failing = {found.path for found, fail in zip(counted, fails, strict=True) if fail}
    shipped = sorted(path for path in failing  # a path below a failing directory goes with it
                     if not any(path != other and path.startswith(other) for other in failing if other.endswith("/")))
    fixes = {"*": leave_out_fix("hatchling", shipped, "directory")} if shipped else {}
    return CheckedInput(result, fails, built_by, fixes, notes, would_ship="hatchling")


def _write_report(text: str, output: str | None) -> None:
    """Print ``text``, or write it to ``output`` whole (a temporary file beside it, then renamed)."""
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


def _exit_code(checked: Sequence[Any]) -> int:
    if any(item.result.error is not None for item in checked):
        return EXIT_ERROR
    return EXIT_FINDINGS if any(any(item.fails) for item in checked) else EXIT_CLEAN


def _tool_version() -> str:
    try:
        from sdistguard import __version__
    except ImportError:  # pragma: no cover - a source tree without __init__ version
        return "unknown"
    return str(__version__)


def _format_codes() -> str:
    """Every code: name, severity, whether ``check`` fails on it by default, reason, and fix
    (:func:`sdistguard.codes.codes_text`, the registry's own text, as docs/rules.md's table)."""
    from sdistguard.codes import codes_text

    return codes_text()
