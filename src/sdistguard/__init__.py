"""sdistguard: a PEP 517/660 build backend over hatchling that keeps venvs, caches and links leaving
the project tree out of sdists and wheels, and ``sdistguard check``, an auditor for any sdist or wheel.

The backend is :mod:`sdistguard.build`; the auditor is the package :mod:`sdistguard.audit`
(``from sdistguard.audit import audit, audit_report``). The names here are loaded lazily, so that importing the
backend in an isolated build environment costs nothing more than hatchling itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sdistguard.core.version import __version__

__all__ = ["ConfigError", "Finding", "InputError", "SdistguardError", "TreeError", "__version__"]

if TYPE_CHECKING:
    from sdistguard.core.errors import ConfigError, InputError, SdistguardError, TreeError
    from sdistguard.rules import Finding

_LAZY = {
    "Finding": "sdistguard.rules",
    "ConfigError": "sdistguard.core.errors",
    "InputError": "sdistguard.core.errors",
    "SdistguardError": "sdistguard.core.errors",
    "TreeError": "sdistguard.core.errors",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use; raises ``AttributeError`` for any other name."""
    if name not in _LAZY:
        raise AttributeError(f"module 'sdistguard' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
