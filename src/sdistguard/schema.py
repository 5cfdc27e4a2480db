"""The JSON schema of ``[tool.sdistguard]``, for validate-pyproject and editors.

validate-pyproject finds it through the entry point group ``validate_pyproject.tool_schema``
(``sdistguard = "sdistguard.schema:tool_schema"``): a callable that takes the name of the
``[tool]`` sub-table and returns its schema, a JSON Schema (draft 7) with a top-level ``$id``.
The schema itself is ``tool-schema.json`` next to this module.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

__all__ = ["tool_schema"]


def tool_schema(tool_name: str = "sdistguard") -> dict[str, Any]:
    """Return the JSON schema of ``[tool.sdistguard]`` (``tool_name`` is ignored; it is always ours).

    Settings of ``[tool.${tool}]`` for the sdistguard build backend and ``sdistguard check``:
    ``keep``, ``allow-secrets``, ``external-links``, ``strict``, ``untracked``, ``max-sdist-size``,
    ``max-wheel-size`` and the ``check`` table (``select``, ``ignore``).
    """
    text = files("sdistguard").joinpath("tool-schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
