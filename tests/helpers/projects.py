"""Minimal projects of each build backend, for the release gate's end-to-end tests and its benchmark.

Each is the smallest ``pyproject.toml`` the backend documents for a src-layout package ``demo`` 1.0 with
a README and one data file; :func:`write_backend_project` writes one (``helpers.git.commit_all`` makes it a
real git repository with everything committed).
"""

from __future__ import annotations

from pathlib import Path

BACKENDS: dict[str, tuple[str, str]] = {
    # name: (requires, build-backend)
    "hatchling": ('"hatchling"', "hatchling.build"),
    "setuptools": ('"setuptools>=77"', "setuptools.build_meta"),
    "flit_core": ('"flit_core>=3.12,<4"', "flit_core.buildapi"),
    "pdm-backend": ('"pdm-backend"', "pdm.backend"),
    "poetry-core": ('"poetry-core>=2"', "poetry.core.masonry.api"),
    "uv_build": ('"uv_build>=0.7"', "uv_build"),
}
"""The backends the gate is tested on, with what ``[build-system]`` names for each (from the registry)."""

_PYPROJECT = """\
[build-system]
requires = [{requires}]
build-backend = "{backend}"

[project]
name = "demo"
version = "1.0"
description = "a demo"
readme = "README.md"
requires-python = ">=3.10"
{extra}"""

_EXTRA = {
    # setuptools ships package data only when asked (include-package-data reads MANIFEST.in or git)
    "setuptools": '\n[tool.setuptools.package-data]\ndemo = ["*.txt"]\n',
}


def write_backend_project(root: Path, backend: str, *, extra: str = "") -> Path:
    """Write the minimal project of ``backend`` (a key of :data:`BACKENDS`) at ``root``; returns ``root``.

    ``extra`` is appended to ``pyproject.toml`` (a ``[tool.*]`` table).
    """
    requires, hooks = BACKENDS[backend]
    package = root / "src" / "demo"
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        _PYPROJECT.format(requires=requires, backend=hooks, extra=_EXTRA.get(backend, "") + extra)
    )
    (root / "README.md").write_text("# demo\n")
    (package / "__init__.py").write_text('"""A demo."""\n\n__version__ = "1.0"\n')
    (package / "data.txt").write_text("data\n")
    return root


