"""Print the versions the report names, as one JSON object, from inside the bench venv.

Usage: ``python versions.py CANDIDATE_PACKAGE``. Keys: ``python``, ``hatchling``, ``uv_build``,
``pathspec`` (distribution versions, ``null`` when not installed) and ``candidate`` (the
``__version__`` of the importable package ``CANDIDATE_PACKAGE``, ``null`` when it has none).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import platform
import sys


def distribution_version(name: str) -> str | None:
    """The installed version of distribution ``name``, or ``None``."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def main(argv: list[str]) -> int:
    """Print the JSON object described in the module docstring."""
    candidate = importlib.import_module(argv[0])
    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "hatchling": distribution_version("hatchling"),
                "uv_build": distribution_version("uv-build"),
                "pathspec": distribution_version("pathspec"),
                "candidate": getattr(candidate, "__version__", None),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
