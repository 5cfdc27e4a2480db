"""One measured build, run in a fresh interpreter by ``compare.py``.

Usage: ``python child.py MODE BACKEND BUILDER PROJECT OUTDIR RESULT``

- ``MODE`` is ``build`` (call the PEP 517 hook ``BACKEND.build_sdist(OUTDIR)``) or ``walk``
  (instantiate ``BUILDER``, a ``module:Class`` of hatchling's builder interface, and iterate its
  ``recurse_included_files()`` the way ``BuilderInterface.build`` sets it up, writing nothing);
- ``PROJECT`` is the project directory; the child changes into it first, as a frontend does;
- ``RESULT`` is a path where the child writes a JSON object: ``seconds`` spent in the hook (after
  imports) or in ``recurse_included_files()`` alone (after making the builder and its build data,
  timed as ``setup_seconds``), ``import_seconds``, ``peak_rss_kib`` (see :func:`peak_rss_kib`), and
  ``artifact`` (build) or ``files`` (walk).

The parent measures the process as a whole: wall time, and CPU time through ``os.wait4``.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import time
from typing import Any


def peak_rss_kib() -> int:
    """Peak resident set, in KiB, of this process and of every child it waited for (uv-build).

    This process's own peak is ``VmHWM`` of its address space. ``ru_maxrss`` of this process, or
    what ``os.wait4`` reports to the parent, would not do: Linux carries the parent's high-water
    mark across fork and exec, so every child of a 40 MiB benchmark driver would "peak" at 40 MiB.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def run_build(backend: str, outdir: str) -> dict[str, Any]:
    """Import the PEP 517 ``backend`` module and build one sdist into ``outdir``; return timings."""
    start = time.perf_counter()
    module = importlib.import_module(backend)
    imported = time.perf_counter()
    artifact = module.build_sdist(outdir)
    return {
        "import_seconds": imported - start,
        "seconds": time.perf_counter() - imported,
        "artifact": artifact,
    }


def run_walk(builder_spec: str) -> dict[str, Any]:
    """Instantiate the builder class ``module:Class`` on the cwd and count its included files.

    ``seconds`` is the walk alone: ``recurse_included_files()`` inside ``set_build_data``, as
    ``BuilderInterface.build`` runs it. Making the builder and its default build data (which loads
    the project metadata, the same for every backend) comes before, in ``setup_seconds``.
    """
    start = time.perf_counter()
    module_name, _, class_name = builder_spec.partition(":")
    builder_class = getattr(importlib.import_module(module_name), class_name)
    imported = time.perf_counter()
    builder = builder_class(os.getcwd())
    build_data = builder.get_default_build_data()
    builder.set_build_data_defaults(build_data)
    ready = time.perf_counter()
    with builder.config.set_build_data(build_data):
        files = sum(1 for _ in builder.recurse_included_files())
    return {
        "import_seconds": imported - start,
        "setup_seconds": ready - imported,
        "seconds": time.perf_counter() - ready,
        "files": files,
    }


def main(argv: list[str]) -> int:
    """Run one ``build`` or ``walk`` as described in the module docstring; return the exit code."""
    mode, backend, builder_spec, project, outdir, result_path = argv
    os.chdir(project)
    result = run_build(backend, outdir) if mode == "build" else run_walk(builder_spec)
    result["peak_rss_kib"] = peak_rss_kib()
    with open(result_path, "w", encoding="utf-8") as result_file:
        json.dump(result, result_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
