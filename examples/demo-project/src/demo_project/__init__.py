"""A tiny package for the sdistguard demo."""

__version__ = "1.0.0"


def greet(name: str) -> str:
    """Return a greeting for ``name``."""
    return f"Hello, {name}!"
