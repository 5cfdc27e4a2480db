"""``[tool.sdistguard]`` and the PEP 517 config settings, read into one frozen :class:`Settings`; and
``[tool.sdistguard.check]`` (with ``allow-secrets``), read into a :class:`CheckSelection` for ``sdistguard check``.

Validation collects every problem and raises once (the pypa/installer habit); each message names the
key and the allowed values.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

from sdistguard.core.errors import ConfigError
from sdistguard.rules import Finding, all_rules
from sdistguard.rules.model import Record

if TYPE_CHECKING:
    from sdistguard.rules import Code

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "ADVISORY_CODES",
    "EXTERNAL_LINK_POLICIES",
    "SIZE_UNITS",
    "UNTRACKED_POLICIES",
    "CheckSelection",
    "ExternalLinkPolicy",
    "Settings",
    "UntrackedPolicy",
    "load_check_selection",
    "load_settings",
    "parse_size",
    "read_pyproject",
    "selection_for",
    "valid_codes",
]

ExternalLinkPolicy = Literal["exclude", "error"]
"""``[tool.sdistguard] external-links``: leave an external link out with a warning, or stop the build."""
UntrackedPolicy = Literal["include", "warn", "exclude"]
"""``[tool.sdistguard] untracked``: see :class:`Settings`."""
EXTERNAL_LINK_POLICIES: Final[tuple[ExternalLinkPolicy, ...]] = get_args(ExternalLinkPolicy)
UNTRACKED_POLICIES: Final[tuple[UntrackedPolicy, ...]] = get_args(UntrackedPolicy)
_KNOWN_KEYS: Final = (
    "keep", "external-links", "strict", "untracked", "check", "allow-secrets", "max-sdist-size", "max-wheel-size"
)
SIZE_UNITS: Final[dict[str, int]] = {
    "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
}
"""Units of a size setting (any case): SI kB/MB/GB are powers of 1000, IEC KiB/MiB/GiB powers of 1024."""
_SIZE: Final = r"\s*(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>[A-Za-z]*)\s*"  # compiled when read
_TRUE: Final = ("true", "1")
_FALSE: Final = ("false", "0")


class Settings(Record):
    """sdistguard's own settings for one build.

    ``keep``: gitignore-style patterns, relative to the project root, that the venv, cache,
    nested-``.gitignore`` and credential-file rules never leave out, and whose Git LFS pointers ship
    (SG603). ``external_links``: ``"exclude"`` (leave out with a
    warning) or ``"error"`` (stop the build). ``strict``: every warning-level finding stops the build.
    ``untracked``: files git does not track (and does not ignore) ship as hatchling ships them
    (``"include"``), ship with a warning per directory (``"warn"``), or are left out unless named
    (``"exclude"``: only what git tracks, artifacts, forced includes and ``keep``).
    ``allow_secrets``: gitignore-style patterns, relative to the project root (a generated member:
    its path in the artifact), of files accepted by name (SG601) and whose secrets (SG602) are
    accepted (throwaway test keys): one entry per path. ``max_sdist_size`` / ``max_wheel_size``: bytes an
    artifact may have (SG611 over it), or ``None`` (then SG610 warns past PyPI's 100 MB).
    """

    __slots__ = ("allow_secrets", "external_links", "keep", "max_sdist_size", "max_wheel_size", "strict", "untracked")

    keep: tuple[str, ...]
    external_links: ExternalLinkPolicy
    strict: bool
    untracked: UntrackedPolicy
    allow_secrets: tuple[str, ...]
    max_sdist_size: int | None
    max_wheel_size: int | None

    def __init__(self, keep: tuple[str, ...] = (), external_links: ExternalLinkPolicy = "exclude",
                 strict: bool = False, untracked: UntrackedPolicy = "include", allow_secrets: tuple[str, ...] = (),
                 max_sdist_size: int | None = None, max_wheel_size: int | None = None) -> None:
        _set = object.__setattr__
        _set(self, "keep", keep)
        _set(self, "external_links", external_links)
        _set(self, "strict", strict)
        _set(self, "untracked", untracked)
        _set(self, "allow_secrets", allow_secrets)
        _set(self, "max_sdist_size", max_sdist_size)
        _set(self, "max_wheel_size", max_wheel_size)


def load_settings(pyproject: Mapping[str, Any], config_settings: Mapping[str, Any] | None = None) -> Settings:
    """Read ``[tool.sdistguard]`` from the parsed ``pyproject`` and apply PEP 517 ``config_settings``.

    ``config_settings`` is what the frontend passes to the hook (``-C strict=true``); only ``strict``
    is read from it, and it overrides the file. Its accepted values are ``true``, ``false``, ``1`` and
    ``0`` (any case; a Python ``bool`` from a programmatic caller too); anything else, also an empty
    value, ``yes`` or the setting given twice (a list), is an error. Raises :class:`ConfigError`
    naming every bad key, under a heading that says where it came from (pyproject.toml or the
    config settings).
    """
    tool = pyproject.get("tool", {})
    if not isinstance(tool, Mapping):
        raise ConfigError("tool in pyproject.toml must be a table")
    table = tool.get("sdistguard", {})
    problems: list[str] = []
    if not isinstance(table, Mapping):
        raise ConfigError("tool.sdistguard in pyproject.toml must be a table")

    for key in table:
        if key not in _KNOWN_KEYS:
            problems.append(f"tool.sdistguard.{key}: unknown key (known: {', '.join(_KNOWN_KEYS)})")

    keep = _read_patterns(table.get("keep", []), "tool.sdistguard.keep", problems)
    external_links: ExternalLinkPolicy = "exclude"
    external_links_value = table.get("external-links", "exclude")
    if external_links_value in EXTERNAL_LINK_POLICIES:
        external_links = external_links_value
    else:
        problems.append(
            f"tool.sdistguard.external-links: {external_links_value!r} is not one of "
            f"{', '.join(map(repr, EXTERNAL_LINK_POLICIES))}"
        )
    untracked: UntrackedPolicy = "include"
    untracked_value = table.get("untracked", "include")
    if untracked_value in UNTRACKED_POLICIES:
        untracked = untracked_value
    else:
        problems.append(
            f"tool.sdistguard.untracked: {untracked_value!r} is not one of {', '.join(map(repr, UNTRACKED_POLICIES))}"
        )
    allow_secrets = _read_patterns(table.get("allow-secrets", []), "tool.sdistguard.allow-secrets", problems)
    sizes = {key: _read_size(table[key], f"tool.sdistguard.{key}", problems)
             for key in ("max-sdist-size", "max-wheel-size") if key in table}
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        problems.append(f"tool.sdistguard.strict: {strict!r} is not a boolean (true or false)")
    setting_problems: list[str] = []
    if config_settings and "strict" in config_settings:
        strict = _read_flag(config_settings["strict"], "-C strict (config_settings['strict'])", setting_problems)

    sections = [
        heading + "\n  " + "\n  ".join(found)
        for heading, found in (("invalid sdistguard settings in pyproject.toml:", problems),
                               ("invalid PEP 517 config setting:", setting_problems))
        if found
    ]
    if sections:
        raise ConfigError("\n".join(sections))
    return Settings(keep=keep, external_links=external_links, strict=bool(strict), untracked=untracked,
                    allow_secrets=allow_secrets, max_sdist_size=sizes.get("max-sdist-size"),
                    max_wheel_size=sizes.get("max-wheel-size"))


def parse_size(value: object) -> int:
    """Bytes of a size setting: a non-negative ``int``, or a string such as ``"50 MB"`` or ``"1.5 GiB"``.

    Units (any case, optional space before them): ``B``, ``kB``, ``MB``, ``GB`` (powers of 1000),
    ``KiB``, ``MiB``, ``GiB`` (powers of 1024); no unit means bytes. A fraction is rounded down to a
    whole byte. Raises ``ValueError`` saying what is wrong (a bool, a negative number, an unknown unit).
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("must be a number of bytes or a string such as \"50 MB\"")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("must not be negative")
        return value
    match = re.fullmatch(_SIZE, value)
    if match is None:
        raise ValueError("is not a size such as \"50 MB\" or \"1.5 GiB\"")
    unit = match.group("unit").lower() or "b"
    if unit not in SIZE_UNITS:
        raise ValueError(f"unknown unit {match.group('unit')!r} (known: B, kB, MB, GB, KiB, MiB, GiB)")
    from decimal import Decimal

    return int(Decimal(match.group("number")) * SIZE_UNITS[unit])


def _read_size(value: object, key: str, problems: list[str]) -> int | None:
    try:
        return parse_size(value)
    except ValueError as error:
        problems.append(f"{key}: {value!r} {error}")
        return None


def _read_patterns(value: object, key: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        problems.append(f"{key}: must be an array of non-empty strings (gitignore-style patterns)")
        return ()
    for index, pattern in enumerate(value):
        reason = _pattern_problem(pattern)
        if reason:
            problems.append(f"{key}[{index}]: {pattern!r} is not a valid gitignore-style pattern ({reason})")
    return tuple(value)


def _pattern_problem(pattern: str) -> str | None:
    """Why pathspec (the engine ``keep`` is matched with) cannot compile ``pattern``, or ``None``."""
    import re

    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except re.error as error:
        return error.msg
    except ValueError as error:  # pathspec's GitIgnorePatternError: a lone '!', a trailing backslash
        return str(error)
    return None


def _read_flag(value: object, key: str, problems: list[str]) -> bool:
    # Frontends pass config settings as strings; a list means the flag was given twice.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    problems.append(f"{key}: {value!r} is not one of {', '.join(_TRUE[:1] + _FALSE[:1] + _TRUE[1:] + _FALSE[1:])}")
    return False


# --------------------------------------------------------------------------- [tool.sdistguard.check]

if TYPE_CHECKING:
    ADVISORY_CODES: frozenset[Code]
    """Codes reported by default but failing the check only when selected (``--select`` or ``select``):
    the rules marked ``advisory`` in :data:`sdistguard.rules.RULES` (each row says why).

    Every other code means "this breaks installs or leaks": a venv, a cache, a link out of the project,
    an unsafe or refused member, a bad RECORD, damaged or unreadable metadata (docs/check.md, "Exit codes").
    Made on first read (the auditor's rule families are loaded then, never by a build).
    """


@functools.cache
def _advisory_codes() -> frozenset[Code]:
    return frozenset(rule.code for rule in all_rules().values() if rule.advisory)


def __getattr__(name: str) -> Any:
    """:data:`ADVISORY_CODES`, made on first read (PEP 562); raises ``AttributeError`` for any other name."""
    if name == "ADVISORY_CODES":
        return _advisory_codes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class CheckSelection(Record):
    """Which codes are reported and which fail the check; entries are code prefixes.

    Reported: ``select`` (empty = all) minus ``ignore``. Failing: with a ``select``, every reported
    code; without one, every reported code but :data:`ADVISORY_CODES`.
    """

    __slots__ = ("allow_secrets", "ignore", "select")

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    allow_secrets: tuple[str, ...]
    """``[tool.sdistguard] allow-secrets``: patterns of members whose content is not scanned (SG602)."""

    def __init__(self, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
                 allow_secrets: tuple[str, ...] = ()) -> None:
        _set = object.__setattr__
        _set(self, "select", select)
        _set(self, "ignore", ignore)
        _set(self, "allow_secrets", allow_secrets)

    def fails(self, code: Code) -> bool:
        """True when a reported finding with ``code`` makes the check exit 1."""
        return bool(self.select) or code not in _advisory_codes()

    def wants(self, code: str) -> bool:
        """True when a finding with ``code`` is reported."""
        selected = not self.select or code.startswith(self.select)
        return selected and not code.startswith(self.ignore) if self.ignore else selected

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings whose code is reported, in their order."""
        return [found for found in findings if self.wants(found.code)]


def valid_codes(entries: Iterable[str], where: str) -> tuple[str, ...]:
    """The entries as codes or code prefixes (``SG101``, ``SG5``; upper-cased, stripped), in their order.

    ``where`` names the option or key in the message of the :class:`ConfigError` raised for an entry that
    is neither a code of :data:`sdistguard.rules.RULES` nor a prefix of one.
    """
    result = []
    for entry in entries:
        code = entry.strip().upper()
        if not code or not any(known.startswith(code) for known in all_rules()):
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
        lists[key] = valid_codes(value, where)
    allowed = table.get("allow-secrets", []) if isinstance(table, Mapping) else []
    if not isinstance(allowed, list) or not all(isinstance(item, str) for item in allowed):
        example = '["tests/keys/"]'
        raise ConfigError(f"{source}: tool.sdistguard.allow-secrets: must be an array of patterns, such as {example}")
    return CheckSelection(lists.get("select", ()), lists.get("ignore", ()), tuple(allowed))


def read_pyproject(path: str) -> dict[str, Any] | None:
    """``path`` (a pyproject.toml) parsed, or ``None`` when it does not exist.

    Raises :class:`ConfigError` for invalid TOML, an unreadable file or one that is not a regular file.
    """
    if os.path.exists(path) and not os.path.isfile(path):  # a FIFO would block open() forever
        raise ConfigError(f"{path}: not a regular file")
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None


def selection_for(target: str, select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> CheckSelection:
    """The selection for one input of ``check``: ``[tool.sdistguard.check]`` of the pyproject.toml in ``target``
    (a directory), else of the current directory's, with the command line's ``--select`` (``None``: the
    configured one) and ``--ignore`` (added to the configured ones). Raises :class:`ConfigError`.
    """
    candidates = [os.path.join(target, "pyproject.toml")] if os.path.isdir(target) else []
    candidates.append("pyproject.toml")
    configured = CheckSelection()
    for candidate in candidates:
        document = read_pyproject(candidate)
        if document is not None:
            configured = load_check_selection(document, candidate)
            break
    chosen = configured.select if select is None else select
    return CheckSelection(chosen, configured.ignore + ignore, configured.allow_secrets)
