"""The core layer: the error hierarchy, ``[tool.sdistguard]`` settings, paths, patterns, hatchling versions.

Lowest but one (only :mod:`sdistguard.rules` is below it): ``errors``, ``config``, ``paths``, ``patterns``,
``compat``. Importing this package imports none of them.
"""
