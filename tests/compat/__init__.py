"""Compatibility tests: hatchling's own suite, a corpus of real projects, the version matrix."""
