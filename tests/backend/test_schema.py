"""The JSON schema of [tool.sdistguard], checked with validate-pyproject (skipped when absent)."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pytest

from sdistguard.schema import tool_schema

validate_pyproject = pytest.importorskip("validate_pyproject", reason="validate-pyproject is not installed")
from validate_pyproject import api, errors, plugins  # noqa: E402

PROJECT = {"name": "demo", "version": "1.0"}


def validate(table: dict[str, Any]) -> None:
    """Validate a pyproject with ``[tool.sdistguard] = table``; raises ValidationError if invalid."""
    validator = api.Validator(plugins=[], extra_plugins=[plugins.PluginWrapper("sdistguard", tool_schema)])
    validator({"project": PROJECT, "tool": {"sdistguard": table}})


@pytest.mark.parametrize(
    "table",
    [
        {},
        {"keep": ["venv/", "fixtures/cache/"], "external-links": "error", "strict": True},
        {"external-links": "exclude", "check": {"select": ["SG1", "SG201"], "ignore": ["SG521", "SG"]}},
        {"allow-secrets": ["tests/certs/*.pem"], "max-sdist-size": "1.5 GiB", "max-wheel-size": 50_000_000},
    ],
)
def test_valid_settings(table: dict[str, Any]) -> None:
    validate(table)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"external-links": "maybe"}, "`tool.sdistguard.external-links` must be one of"),
        ({"strict": "yes"}, "`tool.sdistguard.strict` must be boolean"),
        ({"keep": "venv/"}, "`tool.sdistguard.keep` must be array"),
        ({"keep": [""]}, "`tool.sdistguard.keep[0]` must be longer than or equal to 1 characters"),
        ({"check": {"select": ["E501"]}}, "`tool.sdistguard.check.select[0]` must match pattern"),
        ({"check": {"exclude": []}}, "must not contain {'exclude'} properties"),
        ({"unknown": 1}, "must not contain {'unknown'} properties"),
        ({"max-sdist-size": "5 XB"}, "must be valid exactly by one definition"),
        ({"max-wheel-size": -1}, "must be valid exactly by one definition"),
    ],
)
def test_invalid_settings(table: dict[str, Any], message: str) -> None:
    with pytest.raises(errors.ValidationError) as raised:
        validate(table)
    assert message in raised.value.message


def test_schema_has_an_id_and_names_every_backend_key() -> None:
    schema = tool_schema("sdistguard")
    assert schema["$id"]
    assert set(schema["properties"]) == {"keep", "external-links", "strict", "untracked", "check", "allow-secrets",
                                         "max-sdist-size", "max-wheel-size"}
    assert set(schema["properties"]["check"]["properties"]) == {"select", "ignore"}


def test_entry_point_when_installed() -> None:
    found = [point for point in entry_points(group="validate_pyproject.tool_schema") if point.name == "sdistguard"]
    if not found:
        pytest.skip("sdistguard is not installed with its validate_pyproject.tool_schema entry point")
    assert found[0].load()("sdistguard") == tool_schema()
