"""``sdistguard check --index``: dists per second and peak memory per worker, ``--jobs 1``, ``--jobs 2``, Dask.

Run from the repository root with the project's venv (it needs the ``test`` extra: pypiserver, pypi-simple,
distributed, psutil)::

    python benchmarks/index_scale.py                 # 504 dists (84 projects of each of 6 kinds), 1 run each
    python benchmarks/index_scale.py --dists 24      # a smoke run

Options: ``--dists N`` (rounded up to a multiple of 6), ``--runs R`` (runs per mode, the best is reported),
``--out PATH`` (default ``benchmarks/INDEX_SCALE.md``), ``--workdir DIR`` (keep the generated dists there;
by default a temp dir, removed at the end).

The dists are those of the tests (``tests/helpers/index.py``): per project kind, a clean sdist and wheel, an
sdist with a venv, a wheel with a GitHub-shaped token, an sdist with a member leaving it and a link to
/etc/passwd, a truncated sdist (about 1.3 KB each, the truncated one 64 KB). pypiserver serves them on
127.0.0.1 (one process: its speed bounds every mode). Each run is a fresh ``sdistguard check --index URL
--format jsonl --output FILE`` process; the modes are ``--jobs 1`` (the command's own process audits),
``--jobs 2`` (two spawned worker processes) and ``--dask ADDRESS`` on a ``LocalCluster(n_workers=2,
processes=True, threads_per_worker=1)`` started once by this script. Memory is sampled every 20 ms
(``psutil``, RSS) on the command and on each worker (the pool's spawned children; the cluster's workers,
found with ``client.run(os.getpid)``); the table gives each one's peak, and for the cluster its idle RSS
before the run. Every run must write one line per dist, the same lines in every mode (checked).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from helpers.index import pypiserver, write_dists  # noqa: E402 - the tests' own servers and dists

KINDS = 6
"""Dists per project kind copy (write_dists)."""


@dataclass
class Run:
    """One measured run: wall seconds, the command's peak RSS and each worker's peak RSS (bytes)."""

    mode: str
    wall: float
    dists: int
    command_peak: int
    worker_peaks: list[int]
    worker_idle: list[int]
    lines: list[str]


class Sampler:
    """Samples the RSS of the processes ``pids()`` returns, every 20 ms, in a thread; keeps each one's peak."""

    def __init__(self, pids: object) -> None:
        self.pids = pids
        self.peaks: dict[int, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        import psutil

        while not self.stop.is_set():
            for pid in self.pids():  # type: ignore[operator]
                try:
                    rss = psutil.Process(pid).memory_info().rss
                except psutil.Error:
                    continue
                self.peaks[pid] = max(self.peaks.get(pid, 0), rss)
            self.stop.wait(0.02)

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def _children(pid: int) -> list[int]:
    import psutil

    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)
                if "spawn_main" in " ".join(child.cmdline())]
    except psutil.Error:
        return []


def measure(mode: str, url: str, extra: list[str], workdir: Path, dask_workers: list[int]) -> Run:
    """Run the command once in ``mode`` and sample it and its workers."""
    output = workdir / f"{mode.replace(' ', '_')}.jsonl"
    command = [sys.executable, "-m", "sdistguard", "check", "--index", url, "--format", "jsonl",
               "--output", str(output), *extra]
    import psutil

    idle = [psutil.Process(pid).memory_info().rss for pid in dask_workers]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with Sampler(lambda: [process.pid, *_children(process.pid), *dask_workers]) as sampler:
        _, stderr = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"{mode}: exit {process.returncode}: {stderr.decode()[-2000:]}")
    lines = sorted(json.dumps(json.loads(line), sort_keys=True) for line in output.read_text().splitlines())
    workers = dask_workers or [pid for pid in sampler.peaks if pid != process.pid] or [process.pid]
    return Run(mode, wall, len(lines), sampler.peaks.get(process.pid, 0),
               [sampler.peaks.get(pid, 0) for pid in workers], idle, lines)


def _mib(value: int) -> str:
    return f"{value / 2**20:.0f}"


def table(runs: list[Run], dists: int, size: int) -> str:
    """The Markdown report."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = [
        "# `sdistguard check --index`: throughput and memory (benchmarks/index_scale.py)",
        "",
        f"{dists} dists ({size / 1e6:.1f} MB) served by pypiserver on 127.0.0.1; Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load:.1f} at the end.",
        "",
        "| mode | wall s | dists/s | MB/s | command peak RSS MiB | worker peak RSS MiB (each) | worker idle MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        peaks = ", ".join(_mib(peak) for peak in run.worker_peaks) if run.mode != "--jobs 1" else "(the command)"
        idle = ", ".join(_mib(value) for value in run.worker_idle) or "-"
        rows.append(f"| `{run.mode}` | {run.wall:.2f} | {run.dists / run.wall:.1f} | {size / 1e6 / run.wall:.2f} | "
                    f"{_mib(run.command_peak)} | {peaks} | {idle} |")
    rows += ["", "Every mode wrote the same lines (one per dist), checked by the script."]
    return "\n".join(rows) + "\n"


def main() -> int:
    """Generate, serve, measure, write the table; return 0 (1 when the modes disagree)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dists", type=int, default=504)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "INDEX_SCALE.md"))
    parser.add_argument("--workdir")
    arguments = parser.parse_args()
    from distributed import Client, LocalCluster

    workdir = Path(arguments.workdir or tempfile.mkdtemp(prefix="sdistguard-index-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        copies = -(-arguments.dists // KINDS)
        packages = workdir / "packages"
        if not packages.exists():
            write_dists(packages, copies)
        files = sorted(packages.iterdir())
        size = sum(path.stat().st_size for path in files)
        best: dict[str, Run] = {}
        with pypiserver(packages) as url, LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
            local_directory=str(workdir / "dask")) as cluster, Client(cluster) as client:
            dask_workers = list(client.run(os.getpid).values())
            modes = [("--jobs 1", []), ("--jobs 2", ["--jobs", "2"]),
                     ("--dask LocalCluster(2)", ["--dask", cluster.scheduler_address])]
            for _ in range(arguments.runs):
                for mode, extra in modes:
                    run = measure(mode, url, extra, workdir, dask_workers if "dask" in mode else [])
                    print(f"{mode}: {run.dists} dists in {run.wall:.2f} s", file=sys.stderr)
                    if mode not in best or run.wall < best[mode].wall:
                        best[mode] = run
        runs = [best[mode] for mode, _ in modes]
        same = all(run.lines == runs[0].lines and run.dists == len(files) for run in runs)
        text = table(runs, len(files), size)
        if not same:
            text += "\n**The modes disagree** (or a dist is missing): see the JSON lines in the workdir.\n"
        print(text)
        Path(arguments.out).write_text(text, encoding="utf-8")
        return 0 if same else 1
    finally:
        if not arguments.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
