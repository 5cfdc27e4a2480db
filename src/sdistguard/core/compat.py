"""The hatchling versions sdistguard supports, checked when the backend is imported.

sdistguard subclasses hatchling's builder classes, which are not a public API; the range below is
the one whose oldest and newest releases the test suite runs against (tests/compat/).
"""

from __future__ import annotations

import re

__all__ = ["HATCHLING_REQUIREMENT", "check_hatchling"]

HATCHLING_REQUIREMENT = ">=1.27,<1.34"
_OLDEST = (1, 27)
_FIRST_UNSUPPORTED = (1, 34)


def check_hatchling() -> str:
    """Return the installed hatchling's version; raise ``ImportError`` when it is outside the range.

    Reads only ``hatchling.__about__`` (no builder is imported), so it costs nothing at backend
    import time. A missing hatchling raises the ordinary ``ModuleNotFoundError``.
    """
    from hatchling.__about__ import __version__ as version

    match = re.match(r"(\d+)\.(\d+)", version)
    release = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if not _OLDEST <= release < _FIRST_UNSUPPORTED:
        raise ImportError(
            f"sdistguard supports hatchling {HATCHLING_REQUIREMENT}, but hatchling {version} is installed; "
            f"install a supported one: pip install 'hatchling{HATCHLING_REQUIREMENT}'"
        )
    return str(version)
