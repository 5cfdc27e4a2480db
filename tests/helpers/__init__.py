"""What the tests share: git repositories, archives, trees, builds, servers (imported as ``helpers.NAME``).

No test module imports another (tests/project/test_test_layout.py checks it); what two of them need lives
here. pytest imports tests/conftest.py with ``tests/`` put first on ``sys.path`` (its ``prepend`` import
mode, as tests/ has no ``__init__.py``), so ``import helpers`` works in every folder below it.

- ``archives``: sdists and wheels written member by member (tarfile, zipfile), a wheel's RECORD lines
- ``tarcraft``: raw tar headers tarfile will not write (PAX and GNU records, old sparse members)
- ``zipcraft``: zip archives written byte by byte (local headers, central directory, ZIP64 records)
- ``builds``: in-process builds: plain hatchling's sdist and wheel, sdistguard's findings, a clean project
- ``git``: the real git on a test's repository, a configuration of the test's own, submodules
- ``fakes``: fake tokens of every documented secret shape, Git LFS pointers
- ``index``: a real index server (pypiserver) and generated dists for ``check --index``
- ``projects``: the smallest project of each build backend, for the release gate
- ``corpus``: the compatibility corpus's pinned sdists, downloaded, checked and unpacked
"""
