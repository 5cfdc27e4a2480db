"""``[tool.sdistguard]`` and the PEP 517 config settings, read into one frozen :class:`Settings`.

Validation collects every problem and raises once (the pypa/installer habit); each message names the
key and the allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sdistguard.errors import ConfigError

__all__ = ["EXTERNAL_LINK_POLICIES", "Settings", "load_settings"]

EXTERNAL_LINK_POLICIES: Final = ("exclude", "error")
_KNOWN_KEYS: Final = ("keep", "external-links", "strict", "check")
_TRUE: Final = ("true", "1")
_FALSE: Final = ("false", "0")


@dataclass(frozen=True)
class Settings:
    """sdistguard's own settings for one build.

    ``keep``: gitignore-style patterns, relative to the project root, that the venv, cache and
    nested-``.gitignore`` rules never leave out. ``external_links``: ``"exclude"`` (leave out with a
    warning) or ``"error"`` (stop the build). ``strict``: every warning-level finding stops the build.
    """

    keep: tuple[str, ...] = ()
    external_links: str = "exclude"
    strict: bool = False


def load_settings(pyproject: Mapping[str, Any], config_settings: Mapping[str, Any] | None = None) -> Settings:
    """Read ``[tool.sdistguard]`` from the parsed ``pyproject`` and apply PEP 517 ``config_settings``.

    ``config_settings`` is what the frontend passes to the hook (``-C strict=true``); only ``strict``
    is read from it, and it overrides the file. Its accepted values are ``true``, ``false``, ``1`` and
    ``0`` (any case; a Python ``bool`` from a programmatic caller too); anything else, also an empty
    value, ``yes`` or the setting given twice (a list), is an error. Raises :class:`ConfigError`
    naming every bad key, under a heading that says where it came from (pyproject.toml or the
    config settings).
    """
    table = pyproject.get("tool", {}).get("sdistguard", {})
    problems: list[str] = []
    if not isinstance(table, Mapping):
        raise ConfigError("tool.sdistguard in pyproject.toml must be a table")

    for key in table:
        if key not in _KNOWN_KEYS:
            problems.append(f"tool.sdistguard.{key}: unknown key (known: {', '.join(_KNOWN_KEYS)})")

    keep = _read_patterns(table.get("keep", []), "tool.sdistguard.keep", problems)
    external_links = table.get("external-links", "exclude")
    if external_links not in EXTERNAL_LINK_POLICIES:
        problems.append(
            f"tool.sdistguard.external-links: {external_links!r} is not one of "
            f"{', '.join(map(repr, EXTERNAL_LINK_POLICIES))}"
        )
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
    return Settings(keep=keep, external_links=str(external_links), strict=bool(strict))


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
