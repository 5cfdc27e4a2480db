"""How the auditor's time grows with the number of archive members: sdists and wheels of 10k, 50k and 200k.

Run from the repository root (any Python 3.10+; sdistguard is imported from ``src/``)::

    python benchmarks/audit_scale.py              # 10k, 50k, 200k members; best of 3 runs each
    python benchmarks/audit_scale.py --quick      # 2k, 10k, 40k; best of 2 (a smoke run)

Options: ``--sizes N,N,...`` (members per archive), ``--runs R`` (measured runs per archive, the best
is reported), ``--out PATH`` (default ``benchmarks/AUDIT_SCALE.md``), ``--workdir DIR`` (keep the
generated archives there; by default a temp dir, removed at the end).

Each archive holds exactly N members, so 200,000 is audited in full under the default limit
(``Limits.max_members``, 200,000). Members look like a large project: packages of 100 small source
files each (seeded content, 40 to 400 bytes), plus, every 20th member, a stray ``*.pyc`` outside
``__pycache__`` (each one an SG510 finding of its own, the case that was quadratic, issue 9 item 17).
A wheel has a correct ``RECORD`` (sha256), so every member is hashed. Each measurement is a fresh
process (``--child``) that calls :func:`sdistguard.audit` once and reports wall time, CPU time and
peak RSS; the table gives the best run, microseconds per member and the per-member cost relative to
the smallest archive, on CPU time (steadier than wall time on a shared machine): a flat column means
linear growth. The exit status is 1 when the per-member cost at the largest size exceeds 1.5x the smallest's.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import platform
import random
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PKG_INFO = b"Metadata-Version: 2.4\nName: scale\nVersion: 1.0\n"
STRAY_EVERY = 20
"""Every 20th member is a stray ``*.pyc`` (an SG510 finding each)."""
LINEAR_SLACK = 1.5
"""Per-member cost at the largest size within this factor of the smallest's counts as linear."""


# --------------------------------------------------------------------------- archives


def _member_names(count: int) -> list[str]:
    """``count`` member paths below the top-level directory: packages of 100 files, some stray bytecode."""
    names = []
    for index in range(count):
        package = f"src/scale/pkg{index // 100:04d}"
        suffix = ".pyc" if index % STRAY_EVERY == STRAY_EVERY - 1 else ".py"
        names.append(f"{package}/m{index % 100:02d}{suffix}")
    return names


def _content(rng: random.Random) -> bytes:
    return bytes(rng.choice(b"abcdefghij =()\n") for _ in range(rng.randint(40, 400)))


def make_sdist(path: Path, members: int) -> None:
    """An sdist ``scale-1.0.tar.gz`` of exactly ``members`` members (PKG-INFO and pyproject.toml included)."""
    rng = random.Random(members)
    top = "scale-1.0"
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT, compresslevel=1) as archive:
        files = [("pyproject.toml", b"[project]\nname = 'scale'\nversion = '1.0'\n")]
        files += [(name, _content(rng)) for name in _member_names(members - 2)]
        files.append(("PKG-INFO", PKG_INFO))
        for name, data in files:
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            info.mtime = 1580601600
            archive.addfile(info, io.BytesIO(data))


def make_wheel(path: Path, members: int) -> None:
    """A wheel ``scale-1.0-py3-none-any.whl`` of exactly ``members`` members with a correct RECORD."""
    rng = random.Random(members)
    dist_info = "scale-1.0.dist-info"
    files = [(name.removeprefix("src/"), _content(rng)) for name in _member_names(members - 3)]
    files.append((f"{dist_info}/METADATA", PKG_INFO))
    files.append((f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: audit_scale\nRoot-Is-Purelib: true\n"))
    rows = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in files:
            archive.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append(f"{name},sha256={digest},{len(data)}\n")
        archive.writestr(f"{dist_info}/RECORD", "".join(rows) + f"{dist_info}/RECORD,,\n")


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Run:
    """One audit in a fresh process: wall and CPU seconds, peak RSS (MiB), what it found."""

    seconds: float
    cpu: float
    rss_mib: float
    members: int
    findings: int
    codes: dict[str, int]


def _child(path: str) -> None:
    """Audit ``path`` once and print a :class:`Run` as JSON (the ``--child`` mode)."""
    import resource

    sys.path.insert(0, str(REPO / "src"))
    from sdistguard.audit import audit_report

    started, cpu_started = time.perf_counter(), time.process_time()
    result = audit_report(path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    codes: dict[str, int] = {}
    for found in result.findings:
        codes[found.code] = codes.get(found.code, 0) + 1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mib": rss, "members": result.members,
                      "findings": len(result.findings), "codes": codes}))  # fmt: skip


def measure(path: Path, runs: int) -> Run:
    """The best (least CPU time) of ``runs`` audits of ``path``, each in a fresh process."""
    results = []
    for _ in range(runs):
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(path)], check=True, capture_output=True, text=True
        ).stdout
        results.append(Run(**json.loads(output)))
    return min(results, key=lambda run: run.cpu)


# --------------------------------------------------------------------------- report


def _table(kind: str, rows: list[tuple[int, int, Run]]) -> list[str]:
    base = rows[0][2].cpu / rows[0][0]
    lines = [
        f"### {kind}",
        "",
        "| members | archive | findings | seconds (wall) | seconds (CPU) | CPU µs per member "
        "| per member vs smallest | peak RSS |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for members, size, run in rows:
        per = run.cpu / members
        codes = ", ".join(f"{code} x{count:,}" for code, count in sorted(run.codes.items())) or "none"
        lines.append(
            f"| {members:,} | {size / 1e6:.1f} MB | {codes} | {run.seconds:.2f} | {run.cpu:.2f} | "
            f"{per * 1e6:.1f} | {per / base:.2f}x | {run.rss_mib:.0f} MiB |"
        )
    return lines


def _verdict(kind: str, rows: list[tuple[int, int, Run]]) -> tuple[str, bool]:
    """One line: how CPU time grew from the smallest to the largest archive; linear within LINEAR_SLACK."""
    (small, _, first), (large, _, last) = rows[0], rows[-1]
    growth = last.cpu / first.cpu
    ratio = (last.cpu / large) / (first.cpu / small)
    linear = ratio <= LINEAR_SLACK
    verdict = "linear" if linear else f"NOT linear (per-member cost grew more than {LINEAR_SLACK}x)"
    text = (
        f"{kind}: {large / small:g}x the members took {growth:.1f}x the CPU time (per member {ratio:.2f}x): {verdict}"
    )
    return text, linear


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sizes", default=None, help="members per archive, comma-separated (default 10000,50000,200000)"
    )
    parser.add_argument("--quick", action="store_true", help="2k, 10k and 40k members, 2 runs each")
    parser.add_argument("--runs", type=int, default=None, help="measured runs per archive (default 3)")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "AUDIT_SCALE.md"))
    parser.add_argument("--workdir", default=None, help="keep the generated archives in DIR")
    arguments = parser.parse_args(argv)
    if arguments.child:
        _child(arguments.child)
        return 0
    sizes = [
        int(size)
        for size in (arguments.sizes or ("2000,10000,40000" if arguments.quick else "10000,50000,200000")).split(",")
    ]
    runs = arguments.runs or (2 if arguments.quick else 3)
    with tempfile.TemporaryDirectory() as temporary:
        workdir = Path(arguments.workdir or temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        results: dict[str, list[tuple[int, int, Run]]] = {"sdist": [], "wheel": []}
        for members in sizes:
            for kind, maker, name in (
                ("sdist", make_sdist, "scale-1.0.tar.gz"),
                ("wheel", make_wheel, "scale-1.0-py3-none-any.whl"),
            ):
                path = workdir / str(members) / name
                path.parent.mkdir(exist_ok=True)
                if not path.exists():
                    maker(path, members)
                run = measure(path, runs)
                if run.members != members or "SG590" in run.codes:
                    raise SystemExit(f"{path}: audited {run.members} members of {members} ({run.codes})")
                results[kind].append((members, path.stat().st_size, run))
                per = run.cpu / members * 1e6
                print(
                    f"{kind} {members:>7,}: {run.seconds:.2f} s, {run.cpu:.2f} s CPU, {per:.1f} µs/member", flush=True
                )
    verdicts = [_verdict(kind, rows) for kind, rows in results.items()]
    lines = [
        "# Auditor scale: time per member for 10k to 200k members",
        "",
        f"`python benchmarks/audit_scale.py{' --quick' if arguments.quick else ''}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python {platform.python_version()} on "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{load:.2f}' for load in os.getloadavg())} at the end (the machine is shared: CPU time is "
        f"the steadier measure, and the per-member columns use it). Best of {runs} runs, each in a fresh process "
        f"calling `sdistguard.audit_report()` once; every {STRAY_EVERY}th member is a stray `*.pyc` (one SG510 "
        "finding each, the case that was quadratic).",
        "",
    ]
    for kind, rows in results.items():
        lines += [*_table(kind, rows), ""]
    lines += ["## Verdict", "", *(f"- {text}" for text, _ in verdicts), ""]
    Path(arguments.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if all(linear for _, linear in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
