"""[tool.sdistguard] and the PEP 517 config settings: defaults, values, and errors that name the key."""

from __future__ import annotations

import pytest

from sdistguard.core.config import Settings, load_settings
from sdistguard.core.errors import ConfigError


def pyproject(**table: object) -> dict[str, object]:
    return {"tool": {"sdistguard": table}}


def test_defaults() -> None:
    assert load_settings({}) == Settings(keep=(), external_links="exclude", strict=False)


def test_values() -> None:
    settings = load_settings(pyproject(keep=["a/", "*.pyi"], **{"external-links": "error"}, strict=True))
    assert settings == Settings(keep=("a/", "*.pyi"), external_links="error", strict=True)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("False", False), ("0", False)])
def test_strict_config_setting_overrides_the_file(value: str, expected: bool) -> None:
    assert load_settings(pyproject(strict=not expected), {"strict": value}).strict is expected


def test_every_problem_in_one_error() -> None:
    with pytest.raises(ConfigError) as error:
        table = pyproject(keep="venv/", strict="yes", extra=1, **{"external-links": "follow"})
        load_settings(table, {"strict": "maybe"})
    message = str(error.value)
    assert ("tool.sdistguard.extra: unknown key (known: keep, external-links, strict, untracked, check, "
            "allow-secrets, max-sdist-size, max-wheel-size)") in message
    assert "tool.sdistguard.keep: must be an array of non-empty strings" in message
    assert "tool.sdistguard.external-links: 'follow' is not one of 'exclude', 'error'" in message
    assert "tool.sdistguard.strict: 'yes' is not a boolean (true or false)" in message
    assert ("invalid PEP 517 config setting:\n"
            "  -C strict (config_settings['strict']): 'maybe' is not one of true, false, 1, 0") in message


def test_table_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match=r"tool\.sdistguard in pyproject\.toml must be a table"):
        load_settings({"tool": {"sdistguard": ["x"]}})


def test_a_tool_key_that_is_no_table_is_a_config_error_not_a_traceback() -> None:
    with pytest.raises(ConfigError, match=r"^tool in pyproject\.toml must be a table$"):
        load_settings({"tool": "x"})


def test_untracked_policy_is_read_and_checked() -> None:
    assert load_settings(pyproject(untracked="warn")).untracked == "warn"
    assert load_settings(pyproject()).untracked == "include"
    message = r"tool.sdistguard.untracked: 'ignore' is not one of 'include', 'warn', 'exclude'"
    with pytest.raises(ConfigError, match=message):
        load_settings(pyproject(untracked="ignore"))
