"""The git layer: who decides what git ignores.

``vcs`` asks git itself (with no repository config able to run a command), ``gitignore`` reads git's
rules (gitignore(5)) when git cannot be asked, ``ignores`` chooses between them. Imports only
:mod:`sdistguard.core` and :mod:`sdistguard.rules`; importing this package imports none of its modules.
"""
