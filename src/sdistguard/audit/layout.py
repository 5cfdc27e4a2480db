"""Classifying archive member paths: does a member lie in a venv, a cache, a VCS directory, bytecode?

An archive gives no directory listings, only one member path at a time. The detector is the junk family's
(:func:`sdistguard.rules.markers.member_junk`, the auditor's view of the one junk detector the walk runs too);
this module keeps the auditor's names for it and for the links family's test for absolute names
(:func:`sdistguard.rules.links.is_absolute`).
Pure functions of the path; nothing here reads an archive.
"""

from __future__ import annotations

from sdistguard.rules.links import is_absolute
from sdistguard.rules.markers import MARKER_FILES, Match
from sdistguard.rules.markers import member_junk as junk_root
from sdistguard.rules.markers import stronger_junk as stronger

__all__ = ["MARKER_FILES", "Match", "is_absolute", "junk_root", "stronger"]
