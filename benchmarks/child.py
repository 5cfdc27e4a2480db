"""One measured build, run in a fresh interpreter by ``compare.py``.

Usage: ``python child.py MODE BACKEND BUILDER PROJECT OUTDIR RESULT``

- ``MODE`` is ``build`` (call the PEP 517 hook ``BACKEND.build_sdist(OUTDIR)``), ``wheel``
  (``BACKEND.build_wheel(OUTDIR)``), ``walk`` (instantiate ``BUILDER``, a ``module:Class`` of
  hatchling's builder interface, and iterate its ``recurse_included_files()`` the way
  ``BuilderInterface.build`` sets it up, writing nothing), or ``floor-sdist`` / ``floor-wheel``
  (time the compression alone of the artifact at ``PROJECT``, see :func:`run_floor`);
- ``PROJECT`` is the project directory; the child changes into it first, as a frontend does;
- ``RESULT`` is a path where the child writes a JSON object: ``seconds`` spent in the hook (after
  imports) or in ``recurse_included_files()`` alone (after making the builder and its build data,
  timed as ``setup_seconds``), ``import_seconds``, ``peak_rss_kib`` (see :func:`peak_rss_kib`), and
  ``artifact`` (build) or ``files`` (walk).

The parent measures the process as a whole: wall time, and CPU time through ``os.wait4``.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import os
import resource
import sys
import time
import zipfile
import zlib
from typing import Any

FLOOR_CHUNK = 1 << 20


def peak_rss_kib() -> int:
    """Peak resident set, in KiB, of this process and of every child it waited for (uv-build).

    This process's own peak is ``VmHWM`` of its address space. ``ru_maxrss`` of this process, or
    what ``os.wait4`` reports to the parent, would not do: Linux carries the parent's high-water
    mark across fork and exec, so every child of a 40 MiB benchmark driver would "peak" at 40 MiB.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def run_build(backend: str, outdir: str, hook: str = "build_sdist") -> dict[str, Any]:
    """Import the PEP 517 ``backend`` module and call ``hook`` (``build_sdist`` or ``build_wheel``)
    to build one artifact into ``outdir``; return timings."""
    start = time.perf_counter()
    module = importlib.import_module(backend)
    imported = time.perf_counter()
    artifact = getattr(module, hook)(outdir)
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


def run_floor(kind: str, artifact: str) -> dict[str, Any]:
    """The compression floor of an artifact: its deflating alone, on one core, timed in ``seconds``.

    ``sdist``: the uncompressed tar stream of the ``.tar.gz`` at ``artifact`` deflated again at
    zlib level 9 (gzip's raw deflate, fed ``FLOOR_CHUNK`` bytes at a time), as the writer of that
    sdist had to; ``same_stream`` says whether the result is the sdist's own deflate stream (the
    bytes between its 10-byte gzip header and its 8-byte trailer). ``wheel``: every member of the
    ``.whl`` deflated at zlib's default level and hashed with sha256, one after the other
    (``same_stream``: every member's deflated size is the wheel's). Reading and decompressing come
    before the timing.
    """
    with open(artifact, "rb") as file:
        packed = file.read()
    if kind == "sdist":
        stream = gzip.decompress(packed)
        start = time.perf_counter()
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL, 0)
        out = [compressor.compress(stream[i : i + FLOOR_CHUNK]) for i in range(0, len(stream), FLOOR_CHUNK)]
        out.append(compressor.flush())
        seconds = time.perf_counter() - start
        same = b"".join(out) == packed[10:-8]
        return {"seconds": seconds, "same_stream": same, "stream_bytes": len(stream)}
    with zipfile.ZipFile(artifact) as wheel:
        members = [(info.compress_size, wheel.read(info)) for info in wheel.infolist()]
    start = time.perf_counter()
    sizes = []
    for _, data in members:
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -zlib.MAX_WBITS)
        sizes.append(len(compressor.compress(data)) + len(compressor.flush()))
        hashlib.sha256(data).digest()
    seconds = time.perf_counter() - start
    same = sizes == [size for size, _ in members]
    return {"seconds": seconds, "same_stream": same, "stream_bytes": sum(len(data) for _, data in members)}


def main(argv: list[str]) -> int:
    """Run one build, walk or floor as described in the module docstring; return the exit code."""
    mode, backend, builder_spec, project, outdir, result_path = argv
    if mode.startswith("floor-"):
        result = run_floor(mode.removeprefix("floor-"), project)
    else:
        os.chdir(project)
        if mode == "walk":
            result = run_walk(builder_spec)
        else:
            result = run_build(backend, outdir, "build_wheel" if mode == "wheel" else "build_sdist")
    result["peak_rss_kib"] = peak_rss_kib()
    with open(result_path, "w", encoding="utf-8") as result_file:
        json.dump(result, result_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
