"""Fixes in the terms of the backend that built an artifact, or that a project is configured with.

``sdistguard check`` finds a venv in somebody's sdist; "add it to ``[tool.sdistguard] keep``" is no
help to a setuptools user. The audit learns what an sdist or wheel says about its builder in its one
pass over the archive (:mod:`sdistguard.audit.builder`: the sdist's ``pyproject.toml``
``build-backend``, its ``setup.py``/``setup.cfg``/``*.egg-info``, a wheel's ``WHEEL`` ``Generator``),
:func:`project_backend` reads a project's ``[build-system]``, and :func:`leave_out_fix` says how to
leave paths out with that backend's own setting:

- hatchling: ``[tool.hatch.build.targets.<target>] exclude`` (hatch.pypa.io, "Build configuration")
- setuptools: ``MANIFEST.in`` ``prune``/``exclude``/``global-exclude`` (setuptools, "Controlling files in
  the distribution")
- uv_build: ``[tool.uv.build-backend] source-exclude`` / ``wheel-exclude`` (uv docs, "The uv build backend")
- flit: ``[tool.flit.sdist] exclude`` (flit docs, "pyproject.toml")
- pdm-backend: ``[tool.pdm.build] excludes`` (pdm-backend docs, "Build configuration")
- poetry-core: ``[tool.poetry] exclude``; maturin: ``[tool.maturin] exclude``
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sdistguard.core.errors import InputError
from sdistguard.rules import RULE_BY_NAME, RULES, Code, RuleName

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "LEAVE_OUT_CODES",
    "LEAVE_OUT_RULES",
    "BuiltBy",
    "backend_of",
    "built_by_pyproject",
    "include_fix",
    "leave_out_fix",
    "project_backend",
]

LEAVE_OUT_RULES: Final[tuple[RuleName, ...]] = tuple(rule.name for rule in RULES.values() if rule.leave_out_fix)
"""Rules whose fix is "leave this path out of the artifact" (the registry's ``leave_out_fix``): the one fix
every backend spells its own way."""
LEAVE_OUT_CODES: Final[frozenset[Code]] = frozenset(RULE_BY_NAME[name].code for name in LEAVE_OUT_RULES)
"""The codes of :data:`LEAVE_OUT_RULES`."""

_BACKEND_MODULES: Final = (
    # (build-backend module prefix, backend name); the first match wins
    ("sdistguard.build", "sdistguard"),
    ("hatchling.", "hatchling"),
    ("setuptools.", "setuptools"),
    ("flit_core.", "flit"),
    ("flit.", "flit"),
    ("uv_build", "uv_build"),
    ("pdm.backend", "pdm-backend"),
    ("poetry.core.", "poetry-core"),
    ("maturin", "maturin"),
    ("scikit_build_core.", "scikit-build-core"),
    ("mesonpy", "meson-python"),
)


@dataclass(frozen=True)
class BuiltBy:
    """The backend that built an artifact (or that a project names): ``name`` as in the list above
    (``"hatchling"``, ``"setuptools"``...) and ``evidence``, what said so (``"WHEEL Generator: hatchling 1.27.0"``)."""

    name: str
    evidence: str


def backend_of(build_backend: str) -> str | None:
    """The backend name for a ``build-backend`` value (``"setuptools.build_meta"`` -> ``"setuptools"``), or ``None``."""
    for prefix, name in _BACKEND_MODULES:
        if build_backend == prefix.rstrip(".") or build_backend.startswith(prefix):
            return name
    return None


def built_by_pyproject(document: Mapping[str, Any], where: str) -> BuiltBy | None:
    """The backend a parsed ``pyproject.toml`` ``document`` names in ``[build-system] build-backend``
    (PEP 517), with ``where`` (the file, in words) in the evidence; ``None`` when it names none we know."""
    system = document.get("build-system")
    value = system.get("build-backend") if isinstance(system, Mapping) else None
    if not isinstance(value, str):
        return None
    name = backend_of(value.strip())
    return BuiltBy(name, f"{where} build-backend = {value.strip()!r}") if name else None


def project_backend(root: str) -> BuiltBy:
    """The backend that builds the project directory ``root`` (a path), from its ``pyproject.toml``
    ``[build-system] build-backend`` (PEP 517).

    A backend :func:`backend_of` does not know is named by its ``build-backend`` value itself (fixes are then
    given in general terms). Without ``build-backend`` (or without a ``pyproject.toml``) it is setuptools,
    PEP 517's fallback and what pip and build use. Raises :class:`~sdistguard.core.errors.InputError`,
    naming the file, when ``pyproject.toml`` exists but cannot be read or is not valid TOML (the message
    carries tomllib's line and column).
    """
    path = os.path.join(root, "pyproject.toml")
    try:
        with open(path, "rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        document = {}
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML ({error}); fix the file and run the check again") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read ({error})") from None
    found = built_by_pyproject(document, "pyproject.toml")
    if found is not None:
        return found
    system = document.get("build-system")
    value = system.get("build-backend") if isinstance(system, Mapping) else None
    if isinstance(value, str) and value.strip():
        return BuiltBy(value.strip(), f"pyproject.toml build-backend = {value.strip()!r}")
    if any(os.path.exists(os.path.join(root, name)) for name in ("setup.py", "setup.cfg")):
        return BuiltBy("setuptools", "setup.py/setup.cfg without a build-backend")
    return BuiltBy("setuptools", "no build-backend in pyproject.toml (pip's default)")


def _toml_list(patterns: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{pattern}"' for pattern in patterns) + "]"


def leave_out_fix(backend: str | None, paths: Iterable[str], kind: str) -> str:
    """How to leave ``paths`` out of an artifact of ``kind`` (``"sdist"``, ``"wheel"``, ``"directory"``)
    built by ``backend`` (a :class:`BuiltBy` name, or ``None`` when unknown).

    ``paths`` are finding paths (POSIX, relative to the sdist's top-level directory, the wheel's root
    or the project; a directory ends with ``/``). Returns one line of advice naming the setting.
    """
    chosen = list(dict.fromkeys(path for path in paths if path))[:3]
    directories = [path.rstrip("/") for path in chosen]
    target = "wheel" if kind == "wheel" else "sdist"
    if backend == "hatchling":
        anchored = [("/" + path if kind != "wheel" else path) for path in chosen]
        table = "[tool.hatch.build]" if kind == "directory" else f"[tool.hatch.build.targets.{target}]"
        return (
            f"add {_toml_list(anchored)} to {table} exclude in pyproject.toml, or switch "
            'build-backend to "sdistguard.build", which leaves these out itself'
        )
    if backend == "setuptools":
        if kind == "wheel":
            return (
                f"leave them out of the package: [tool.setuptools.exclude-package-data] "
                f'"*" = {_toml_list(directories)}, or move them out of the package directory'
            )
        lines = [("prune " if path.endswith("/") else "exclude ") + path.rstrip("/") for path in chosen]
        return "add to MANIFEST.in: " + "; ".join(lines)
    if backend == "uv_build":
        key = "wheel-exclude" if kind == "wheel" else "source-exclude"
        return f"add {_toml_list(directories)} to [tool.uv.build-backend] {key} in pyproject.toml"
    if backend == "flit":
        if kind == "wheel":
            return "flit ships the whole module directory: move them out of the package"
        return f"add {_toml_list(directories)} to [tool.flit.sdist] exclude in pyproject.toml"
    if backend == "pdm-backend":
        return f"add {_toml_list(directories)} to [tool.pdm.build] excludes in pyproject.toml"
    if backend == "poetry-core":
        return f"add {_toml_list(directories)} to [tool.poetry] exclude in pyproject.toml"
    if backend == "maturin":
        return (
            f"add {_toml_list(path.rstrip('/') + '/**/*' if path.endswith('/') else path for path in chosen)} "
            "to [tool.maturin] exclude in pyproject.toml"
        )
    return (
        f"exclude {', '.join(chosen) or 'it'} in the build backend's configuration "
        "(the backend that built this archive is not recorded in it)"
    )


def include_fix(backend: str | None, paths: Iterable[str], kind: str = "sdist", *, optional: bool = True) -> str:
    """How to put ``paths`` into the sdist built by ``backend`` (a :class:`BuiltBy` name, or ``None``):
    the counterpart of :func:`leave_out_fix`, for files git tracks that the sdist lacks.

    ``paths`` are POSIX paths relative to the project root (a directory ends with ``/``); ``kind`` is
    ``"sdist"`` (the only artifact such a fix concerns). ``optional``: the advice ends by saying that
    leaving them out on purpose is fine (for an advisory finding). Returns one line of advice naming the
    setting, from each backend's documentation (the same pages as :func:`leave_out_fix`).
    """
    chosen = list(dict.fromkeys(path for path in paths if path))[:3]
    plain = [path.rstrip("/") for path in chosen]
    listed = _toml_list(plain)
    tail = "; or leave them out on purpose (this finding is advisory)" if optional else ""
    if backend in ("hatchling", "sdistguard"):
        anchored = _toml_list("/" + path for path in chosen)
        return (f"check what leaves them out ([tool.hatch.build.targets.{kind}] exclude or only-include, a "
                f".gitignore line) and add {anchored} to [tool.hatch.build.targets.{kind}] include" + tail)
    if backend == "setuptools":
        lines = [("graft " if path.endswith("/") else "include ") + path.rstrip("/") for path in chosen]
        return "add to MANIFEST.in: " + "; ".join(lines) + tail
    if backend == "uv_build":
        return f"add {listed} to [tool.uv.build-backend] source-include in pyproject.toml" + tail
    if backend == "flit":
        return f"add {listed} to [tool.flit.sdist] include in pyproject.toml" + tail
    if backend == "pdm-backend":
        return f"add {listed} to [tool.pdm.build] source-includes in pyproject.toml" + tail
    if backend in ("poetry-core", "maturin"):
        table = "[tool.poetry]" if backend == "poetry-core" else "[tool.maturin]"
        entries = ", ".join(f'{{ path = "{path}", format = "sdist" }}' for path in plain)
        return f"add [{entries}] to {table} include in pyproject.toml" + tail
    if backend == "scikit-build-core":
        return f"add {listed} to [tool.scikit-build] sdist.include in pyproject.toml" + tail
    return f"include {', '.join(chosen) or 'them'} in the build backend's sdist configuration" + tail
