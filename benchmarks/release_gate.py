"""What the release gate costs: ``sdistguard check --build`` against ``python -m build`` on the same project.

For each backend, the minimal project of ``tests/helpers/projects.py`` (the one the end-to-end tests build),
committed to a fresh git repository, optionally with ``--files N`` extra modules in its package. Each round
runs, in fresh processes, ``python -m build --installer uv`` (the sdist, then the wheel from it) and
``sdistguard check --build --format json`` (the sdist, the wheel from it, the wheel from the tree, the
audits of all three, the parity and git checks, the copy into ``--outdir``), the order alternating from
one round to the next so the n-th runs can be paired. Reported per backend: the median wall time of each,
the median of the per-round ratios gate / build, and the gate's exit code. Both use uv's cache, warmed by
one unmeasured run of each first. Writes ``benchmarks/RELEASE_GATE.md``.

    .venv/bin/python benchmarks/release_gate.py [--backends hatchling setuptools ...] [--rounds 5] [--files 0]
    .venv/bin/python benchmarks/release_gate.py --quick      # hatchling, one round: a smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

from helpers.projects import BACKENDS, write_backend_project  # noqa: E402


def _git(root: Path, env: dict[str, str], *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=root, env=env, check=True, capture_output=True)


def make_project(root: Path, backend: str, files: int, env: dict[str, str]) -> None:
    """The backend's minimal project plus ``files`` small modules in its package, committed."""
    write_backend_project(root, backend)
    for index in range(files):
        (root / "src" / "demo" / f"module_{index:05d}.py").write_text(f'"""Module {index}."""\n\nVALUE = {index}\n')
    _git(root, env, "init", "-q")
    _git(root, env, "add", "-A")
    _git(root, env, "commit", "-qm", "project")


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """``(wall seconds, exit code)`` of one command in a fresh process (its output discarded)."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command} failed ({done.returncode}):\n{done.stderr.decode(errors='replace')[-2000:]}")
    return seconds, done.returncode


def main(argv: list[str] | None = None) -> int:
    """Run the measurement, print it and write RELEASE_GATE.md; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", choices=list(BACKENDS), default=list(BACKENDS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--files", type=int, default=0, help="extra modules in the package (default 0)")
    parser.add_argument("--quick", action="store_true", help="hatchling only, one round (a smoke run)")
    parser.add_argument("--out", type=Path, default=HERE / "RELEASE_GATE.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.backends, args.rounds = ["hatchling"], 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="sdistguard-gate-bench-") as scratch:
        base = Path(scratch)
        config = base / "gitconfig"
        config.write_text("[user]\n\tname = bench\n\temail = bench@example.invalid\n")
        (base / "tmp").mkdir()
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(config),
               "SOURCE_DATE_EPOCH": "1700000000", "TMPDIR": str(base / "tmp"),
               "PYTHONPATH": str(REPO / "src")}
        for backend in args.backends:
            root = base / backend
            make_project(root, backend, args.files, env)
            build = [sys.executable, "-m", "build", "--installer", "uv", "--outdir", str(base / "out-build"),
                     str(root)]
            gate = [sys.executable, "-m", "sdistguard", "check", "--build", str(root), "--outdir",
                    str(base / "out-gate"), "--format", "json", "--output", os.devnull]
            timed(build, env)  # warm uv's cache and the file system, unmeasured
            timed(gate, env)
            builds, gates, ratios, exits = [], [], [], set()
            for number in range(args.rounds):
                order = (build, gate) if number % 2 == 0 else (gate, build)
                measured = {}
                for command in order:
                    measured[command is gate] = timed(command, env)
                builds.append(measured[False][0])
                gates.append(measured[True][0])
                exits.add(measured[True][1])
                ratios.append(measured[True][0] / measured[False][0])
            row = (backend, statistics.median(builds), statistics.median(gates), statistics.median(ratios),
                   ",".join(map(str, sorted(exits))))
            rows.append(row)
            print(f"{backend:<12} python -m build {row[1]:.2f} s   check --build {row[2]:.2f} s   "
                  f"ratio x{row[3]:.2f}   gate exit {row[4]}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# What the release gate costs",
        "",
        "`sdistguard check --build` (three isolated builds: the sdist, the wheel from it, the wheel from the",
        "tree; the audits, wheel parity, the sdist against git, the copy to `--outdir`) against",
        "`python -m build --installer uv` (two isolated builds: the sdist, the wheel from it) on the same",
        f"committed project (the minimal project of `tests/helpers/projects.py` plus {args.files} modules),",
        f"each a fresh process, uv's cache warm. Median of {args.rounds} paired round(s), the order alternating;",
        "the ratio is the median of the per-round ratios gate / build.",
        f"Written by `benchmarks/release_gate.py` on {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, load average {load:.1f} at the end.",
        "",
        "| backend | python -m build (s) | check --build (s) | ratio | gate exit |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {name} | {b:.2f} | {g:.2f} | {r:.2f} | {e} |" for name, b, g, r, e in rows]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
