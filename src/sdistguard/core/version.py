"""sdistguard's version: the one place it is written (``[tool.hatch.version]`` reads it from here)."""

__version__ = "0.1.0"
