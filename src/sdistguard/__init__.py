"""sdistguard: a PEP 517/660 build backend over hatchling that keeps venvs, caches and links leaving
the project tree out of sdists and wheels, and ``sdistguard check``, an auditor for any sdist or wheel.

The backend is :mod:`sdistguard.build`. The public API here is loaded lazily, so that importing the
backend in an isolated build environment costs nothing more than hatchling itself.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["ConfigError", "Finding", "InputError", "SdistguardError", "TreeError", "__version__", "audit"]

if TYPE_CHECKING:
    from sdistguard.audit import audit
    from sdistguard.errors import ConfigError, InputError, SdistguardError, TreeError
    from sdistguard.rules import Finding

_LAZY = {
    "audit": "sdistguard.audit",
    "Finding": "sdistguard.rules",
    "ConfigError": "sdistguard.errors",
    "InputError": "sdistguard.errors",
    "SdistguardError": "sdistguard.errors",
    "TreeError": "sdistguard.errors",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use; raises ``AttributeError`` for any other name."""
    if name not in _LAZY:
        raise AttributeError(f"module 'sdistguard' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)


class _Package(types.ModuleType):
    """This package's module type: ``sdistguard.audit`` stays the function when the subpackage loads.

    Importing ``sdistguard.audit`` (the auditor's package) sets the attribute ``audit`` of this module
    to that package; the public API says ``sdistguard.audit`` is the function
    :func:`sdistguard.audit.audit`, so the package is replaced by its function here. Import the
    package's names with ``from sdistguard.audit import ...``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "audit" and isinstance(value, types.ModuleType):
            value = value.audit
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
