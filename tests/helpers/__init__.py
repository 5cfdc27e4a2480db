"""What the tests share: git repositories, archives, trees, builds, servers (imported as ``helpers.NAME``).

No test module imports another; what two of them need lives here (tests/conftest.py puts ``tests/`` on
``sys.path``, pytest's rootdir-conftest habit, so ``import helpers`` works from every folder below it).
"""
