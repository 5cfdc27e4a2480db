"""The cost of the auditor's secret scan (SG602): ``audit()`` of an sdist of real source files, with and without it.

Builds ``stdlib-1.0.tar.gz`` from the running interpreter's standard library (no site-packages, no
``__pycache__``) in a temporary directory, audits it three times each way and prints the best CPU time of
each and their ratio. Run: ``python benchmarks/audit_scan_cost.py``.
"""

from __future__ import annotations

import os
import sysconfig
import tarfile
import tempfile
import time

from sdistguard.audit import audit


def _stdlib_sdist(directory: str) -> tuple[str, int, int]:
    """Write the stdlib sdist; return its path, member count and uncompressed bytes."""
    stdlib = sysconfig.get_paths()["stdlib"]
    out = os.path.join(directory, "stdlib-1.0.tar.gz")
    members = size = 0
    with tarfile.open(out, "w:gz") as archive:
        for parent, directories, files in os.walk(stdlib):
            directories[:] = [name for name in directories if name not in ("site-packages", "__pycache__")]
            for name in files:
                path = os.path.join(parent, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    archive.add(path, "stdlib-1.0/" + os.path.relpath(path, stdlib), recursive=False)
                    members += 1
                    size += os.path.getsize(path)
    return out, members, size


def main() -> None:
    """Print the table."""
    with tempfile.TemporaryDirectory() as directory:
        path, members, size = _stdlib_sdist(directory)
        best: dict[bool, float] = {}
        for scan in (False, True) * 3:
            start = time.process_time()
            audit(path, scan_content=scan)
            elapsed = time.process_time() - start
            best[scan] = min(best.get(scan, elapsed), elapsed)
        print(f"stdlib sdist: {members} members, {size} bytes uncompressed, {os.path.getsize(path)} bytes gzipped")
        print(f"audit without the scan: {best[False]:.2f} s CPU")
        print(f"audit with the scan:    {best[True]:.2f} s CPU")
        print(f"ratio: {best[True] / best[False]:.2f}")


if __name__ == "__main__":
    main()
