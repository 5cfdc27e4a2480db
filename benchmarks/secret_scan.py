"""The cost of the secret scan (SG602): builds of the real-sources tree (e) with the scan on and off.

    python benchmarks/secret_scan.py [--rounds N] [--workdir DIR]

Generates tree (e) (``trees.write_real_project``: the standard library's text sources), then runs
``N`` paired rounds: in each, a fresh process builds the sdist and then the wheel (the PEP 517 hooks
of ``sdistguard.build``, from this checkout's ``src/``) with the scan on, and another with it off
(the private switch ``sdistguard.builders.content.SCAN_CONTENT = False``), the order alternating
from round to round. Prints the median wall and CPU time of each and the median of the per-round
ratios on/off. Uses the running interpreter (it must have hatchling installed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(HERE))

from trees import write_real_project  # noqa: E402

CHILD = """
import os, sys, time, resource
import sdistguard.builders.content as content
content.SCAN_CONTENT = sys.argv[1] == "on"
import sdistguard.build as hooks
out = sys.argv[2]
start = time.perf_counter()
hooks.{kind}(out)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(wall, usage.ru_utime + usage.ru_stime)
"""


def build(project: Path, kind: str, scan: str, out: Path) -> tuple[float, float]:
    """One build in a fresh process; ``(wall seconds of the hook, CPU seconds of the process)``."""
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run([sys.executable, "-c", CHILD.format(kind=kind), scan, str(out)], cwd=project,
                            env=env, capture_output=True, text=True, check=True)
    wall, cpu = result.stdout.split()
    return float(wall), float(cpu)


def main() -> None:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sdistguard-scan-bench-"))
    project = workdir / "e"
    if not project.exists():
        write_real_project(project)
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for kind in ("build_sdist", "build_wheel"):
        for scan in ("on", "off"):  # warm-up, unmeasured
            build(project, kind, scan, workdir / "out")
    for round_number in range(args.rounds):
        order = ("on", "off") if round_number % 2 == 0 else ("off", "on")
        for kind in ("build_sdist", "build_wheel"):
            for scan in order:
                times.setdefault((kind, scan), []).append(build(project, kind, scan, workdir / "out"))
    print(f"tree (e): {sum(1 for _ in project.rglob('*'))} paths; {args.rounds} paired rounds; "
          f"load average {os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("| artifact | scan on: wall / CPU (s) | scan off: wall / CPU (s) | ratio on/off wall | ratio CPU |")
    print("|---|---|---|---|---|")
    for kind in ("build_sdist", "build_wheel"):
        on, off = times[(kind, "on")], times[(kind, "off")]
        wall_ratio = statistics.median(a[0] / b[0] for a, b in zip(on, off, strict=False))
        cpu_ratio = statistics.median(a[1] / b[1] for a, b in zip(on, off, strict=False))
        print(f"| {kind.removeprefix('build_')} | {statistics.median(t[0] for t in on):.2f} / "
              f"{statistics.median(t[1] for t in on):.2f} | {statistics.median(t[0] for t in off):.2f} / "
              f"{statistics.median(t[1] for t in off):.2f} | {wall_ratio:.3f} | {cpu_ratio:.3f} |")
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
