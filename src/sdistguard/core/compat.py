"""The hatchling versions sdistguard supports, checked when the backend is imported.

sdistguard subclasses hatchling's builder classes, which are not a public API; the range below is
the one whose oldest and newest releases the test suite runs against (tests/compat/).
"""

from __future__ import annotations

__all__ = ["HATCHLING_REQUIREMENT", "check_hatchling", "release_of"]

HATCHLING_REQUIREMENT = ">=1.27,<1.34"
_OLDEST = (1, 27)
_FIRST_UNSUPPORTED = (1, 34)


def check_hatchling() -> str:
    """Return the installed hatchling's version; raise ``ImportError`` when it is outside the range.

    Reads only ``hatchling.__about__`` (no builder is imported), so it costs nothing at backend
    import time. A missing hatchling raises the ordinary ``ModuleNotFoundError``.
    """
    from hatchling.__about__ import __version__ as version

    release = release_of(version)
    if not _OLDEST <= release < _FIRST_UNSUPPORTED:
        raise ImportError(
            f"sdistguard supports hatchling {HATCHLING_REQUIREMENT}, but hatchling {version} is installed; "
            f"install a supported one: pip install 'hatchling{HATCHLING_REQUIREMENT}'"
        )
    return str(version)


def release_of(version: str) -> tuple[int, int]:
    """``(major, minor)`` of a version string's leading ``X.Y`` (ASCII digits), ``(0, 0)`` when it has none.

    What ``re.match(r"(\\d+)\\.(\\d+)", version, re.ASCII)`` reads, without compiling a pattern when the
    backend is imported: ``"1.27.0"`` is ``(1, 27)``, ``"1.27rc1"`` ``(1, 27)``, ``"2"`` ``(0, 0)``.
    """
    major, _, rest = version.partition(".")
    minor = rest[:len(rest) - len(rest.lstrip("0123456789"))]
    if not (minor and major.isascii() and major.isdigit()):
        return (0, 0)
    return (int(major), int(minor))
