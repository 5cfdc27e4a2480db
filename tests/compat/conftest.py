"""Shared set-up of the compatibility tests (tests/compat/).

The corpus tests (``@pytest.mark.corpus``) download real sdists from the package registry (cached in
``$SDISTGUARD_COMPAT_CACHE`` or ``~/.cache/sdistguard-compat``); deselect them offline with
``-m "not corpus"``. Their build requirements (hatch-vcs, hatch-fancy-pypi-readme, ...) are in the
``test`` extra.
"""
