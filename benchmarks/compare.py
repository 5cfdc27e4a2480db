"""Benchmark sdistguard's sdist builds against hatchling 1.33 (and uv_build) on generated trees.

Run ``python benchmarks/compare.py`` (see ``--help`` and benchmarks/README.md). The script

1. makes its own venv (``bench-venv``) in the work directory with hatchling==1.33.0 and uv-build
   from PyPI; the candidate (sdistguard) is imported via PYTHONPATH from a copy of the repository's
   ``src/`` taken at the start, so edits made during the run do not mix versions;
2. generates the trees (s) the small project ``uv init --lib --no-workspace`` makes,
   (a) clean project, (b) the same plus a real venv, an in-project uv cache
   and ``.hypothesis/``, (c) the same plus a gitignored ``build/``, (d) a large source tree,
   (e) a project of real sources (the interpreter's standard library);
3. builds each tree's sdist (and the wheel of (a) and (e)) with every backend, in a fresh process
   per build, in rounds that visit every tree and alternate the order of the backends; in the same
   rounds it times the compression floor (zlib alone on the same tar stream, and on the wheel's
   members) of (a), (d) and (e); then times the walk alone of the hatchling-style builders;
4. builds (s) end to end with ``uv build`` and ``python -m build`` (isolated, sdist then the wheel
   from it), with hatchling and with sdistguard installed from a wheel of the snapshot, in paired rounds;
5. prints the report and writes it to ``--out`` (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import frontends
import report
import trees
from measure import Backend, BackendResult, ChildError, Runner, ScenarioResult, describe_sdist, sha256_of

HERE = Path(__file__).resolve().parent
REPO_SRC = HERE.parent / "src"
SOURCE_DATE_EPOCH = "1700000000"
HATCHLING = Backend("hatchling", "hatchling.build", "hatchling.builders.sdist:SdistBuilder")
UV_BUILD = Backend("uv_build", "uv_build", None)
BENCH_REQUIREMENTS = ["hatchling==1.33.0", "uv-build", "build>=1.2"]
T = TypeVar("T")


@dataclass(frozen=True)
class Sizes:
    """How big the generated trees are: files of the project (a, b, c), of ``build/`` (c), of the
    scale tree (d), examples in ``.hypothesis/`` and the PyPI packages installed into ``venv/`` (b),
    and at most how many real source files (e) gets (``None``: all of the standard library's)."""

    project_files: int
    build_files: int
    scale_files: int
    hypothesis_examples: int
    packages: tuple[str, ...]
    real_files: int | None = None


FULL = Sizes(5_000, 40_000, 100_000, 300, ("six", "attrs", "packaging", "requests", "pygments", "numpy"))
QUICK = Sizes(1_000, 8_000, 20_000, 100, ("six", "attrs", "packaging", "requests"), 400)
WHEEL_TREES = ("s", "a", "e")
"""Trees whose wheel is built too: (b) and (c) would give (a)'s wheel, (d) would only take long."""
FLOOR_TREES = ("a", "d", "e")
"""Trees whose compression floor is timed ((b)'s sdists differ between backends; (c)'s is (a)'s; (s)'s
is a few bytes: no time at all)."""


@dataclass(frozen=True)
class Scenario:
    """A tree to generate: ``key`` (a..e), a one-line ``title``, and ``make(root)`` that writes it."""

    key: str
    title: str
    make: Callable[[Path], None]

    @property
    def kinds(self) -> tuple[str, ...]:
        """The artifacts built from this tree: the sdist, and on some trees the wheel."""
        return ("sdist", "wheel") if self.key in WHEEL_TREES else ("sdist",)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line (see ``--help``); ``runs`` defaults to 5, or 3 with ``--quick``;
    ``small_runs`` to three times ``runs``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help="measured builds per backend of the scale tree (d) (default 5, 3 with --quick)",
    )
    parser.add_argument(
        "--small-runs",
        type=int,
        default=None,
        help="measured builds per backend of the trees (a), (b) and (c) (default 3x --runs)",
    )
    parser.add_argument(
        "--real-runs",
        type=int,
        default=None,
        help="measured builds per backend of the real-sources tree (e) (default 2x --runs + 1)",
    )
    parser.add_argument(
        "--tiny-runs",
        type=int,
        default=None,
        help="measured in-process builds per backend of the small project (s) (default 4x --runs)",
    )
    parser.add_argument(
        "--e2e-runs",
        type=int,
        default=None,
        help="measured builds per frontend and backend of (s) end to end (default 2x --runs + 1; 0: none)",
    )
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated tree keys to measure (s, a, b, c, d, e; default all), e.g. --only s",
    )
    parser.add_argument("--quick", action="store_true", help="smaller trees and fewer runs: a smoke run")
    parser.add_argument(
        "--out", type=Path, default=HERE / "RESULTS.md", help="where to write the markdown report"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep the bench venv and trees here and reuse them (default: a temp dir, removed)",
    )
    parser.add_argument(
        "--candidate", default="sdistguard.build", help="PEP 517 module of the backend under test"
    )
    parser.add_argument(
        "--candidate-builder",
        default="sdistguard.builders:GuardedSdistBuilder",
        help="module:Class of its sdist builder, for the walk-only runs",
    )
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 3 if args.quick else 5
    if args.small_runs is None:
        args.small_runs = 3 * args.runs
    if args.real_runs is None:
        args.real_runs = 2 * args.runs + 1
    if args.tiny_runs is None:
        args.tiny_runs = 4 * args.runs
    if args.e2e_runs is None:
        args.e2e_runs = 2 * args.runs + 1
    args.only = set(args.only.split(",")) if args.only else None
    return args


def log(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def find_uv() -> Path:
    """The uv next to this interpreter, else the one on PATH; exits when there is none."""
    beside = Path(sys.executable).parent / "uv"
    found = beside if beside.exists() else shutil.which("uv")
    if found is None:
        sys.exit("compare.py needs uv (pip install uv)")
    return Path(found)


def make_bench_venv(workdir: Path, uv: Path) -> Path:
    """Create (or reuse) ``workdir/bench-venv`` with ``BENCH_REQUIREMENTS``; return its python."""
    venv = workdir / "bench-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([str(uv), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [str(uv), "pip", "install", "--quiet", "--python", str(python), *BENCH_REQUIREMENTS], check=True
    )
    return python


def snapshot_source(workdir: Path) -> tuple[Path, str]:
    """Copy the repository's ``src/`` to ``workdir/src`` (fresh) so that every build of this run
    measures the same code even while ``src/`` is edited; return the copy and a short sha256 of
    its ``.py`` files (paths and contents), to name the measured code in the report."""
    snapshot = workdir / "src"
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(REPO_SRC, snapshot, ignore=shutil.ignore_patterns("__pycache__"))
    digest = hashlib.sha256()
    for path in sorted(snapshot.rglob("*.py")):
        digest.update(path.relative_to(snapshot).as_posix().encode() + b"\0" + path.read_bytes())
    return snapshot, digest.hexdigest()[:12]


def child_env(python: Path, workdir: Path, source: Path) -> dict[str, str]:
    """The environment of every build.

    The bench venv comes first on PATH (uv_build finds ``uv-build`` there), ``source`` (the
    snapshot of ``src/``) is on PYTHONPATH and SOURCE_DATE_EPOCH is fixed. Bytecode is written and read under
    ``workdir/pycache`` (PYTHONPYCACHEPREFIX), so that no child pays for compiling its backend's
    modules (the warm-up builds write them) and nothing is written into the repository.
    """
    dropped = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(python.parent.parent)
    env["PYTHONPATH"] = str(source)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    env["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    return env


def scenarios_for(sizes: Sizes, python: Path, uv: Path) -> list[Scenario]:
    """The trees (s) and (a)..(e) at ``sizes``; (s) is made by ``uv``, (b) uses ``python`` for its venv and
    ``uv`` to fill it."""

    def small(root: Path) -> None:
        trees.write_uv_lib_project(root, str(uv))

    def clean(root: Path) -> None:
        trees.write_project(root, sizes.project_files)

    def with_environments(root: Path) -> None:
        clean(root)
        trees.add_environments(root, str(python), str(uv), list(sizes.packages), sizes.hypothesis_examples)

    def with_build_directory(root: Path) -> None:
        clean(root)
        trees.add_build_directory(root, sizes.build_files)

    def scale(root: Path) -> None:
        trees.write_project(root, sizes.scale_files)

    def real(root: Path) -> None:
        trees.write_real_project(root, max_files=sizes.real_files)

    return [
        Scenario("s", "small project: `uv init --lib --no-workspace`, committed", small),
        Scenario("a", f"clean project, {sizes.project_files:,} files", clean),
        Scenario(
            "b", f"(a) + venv/ ({', '.join(sizes.packages)}), .uv-cache/, .hypothesis/", with_environments
        ),
        Scenario("c", f"(a) + gitignored build/ of {sizes.build_files:,} files", with_build_directory),
        Scenario("d", f"source tree of {sizes.scale_files:,} files", scale),
        Scenario("e", "real sources: the standard library's .py and text files", real),
    ]


def ensure_tree(trees_dir: Path, scenario: Scenario, sizes: Sizes) -> Tree:
    """Generate ``scenario``'s tree under ``trees_dir`` unless an identical one is there already.

    A tree counts as identical when its marker (``<key>.json`` beside it, never inside the tree)
    records the same ``sizes``.
    """
    root = trees_dir / scenario.key
    marker = trees_dir / f"{scenario.key}.json"
    spec = asdict(sizes)
    if marker.exists():
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        if recorded["sizes"] == json.loads(json.dumps(spec)):
            return Tree(scenario, root, trees.TreeStats(**recorded["stats"]))
    marker.unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)
    log(f"[{scenario.key}] generating {scenario.title}")
    scenario.make(root)
    stats = trees.count_tree(root)
    marker.write_text(json.dumps({"sizes": spec, "stats": asdict(stats)}), encoding="utf-8")
    return Tree(scenario, root, stats)


@dataclass(frozen=True)
class Tree:
    """A generated tree: its ``scenario``, its ``root`` on disk and what it holds (``stats``)."""

    scenario: Scenario
    root: Path
    stats: trees.TreeStats


def _alternate(items: list[T], round_index: int) -> list[T]:
    """``items`` in order on even rounds and reversed on odd ones."""
    return items if round_index % 2 == 0 else items[::-1]


def _warm_up(runner: Runner, project: Path, result: BackendResult, kind: str = "sdist") -> Path | None:
    """One unmeasured build of ``kind``: fills the caches and describes the artifact, whose path it
    returns; a failure becomes a note."""
    try:
        _, artifact = runner.build(result.backend, project, kind)
    except ChildError as error:
        result.notes.append(f"{kind} build not measured: {error}")
        return None
    if kind == "wheel":
        result.wheel_artifact = describe_sdist(artifact)
    else:
        result.artifact = describe_sdist(artifact)
    return artifact


def _warm_up_walk(runner: Runner, project: Path, result: BackendResult) -> None:
    """One unmeasured walk, recording the number of files walked; a failure becomes a note."""
    try:
        _, result.walked_files = runner.walk(result.backend, project)
    except ChildError as error:
        result.notes.append(f"walk not measured: {error}")


def _build_round(
    runner: Runner, tree: Tree, scenario: ScenarioResult, round_index: int, floors: dict[str, Path]
) -> None:
    """One measured build of ``tree`` of every kind by every backend whose warm-up build worked,
    then one timing of each compression floor of the tree (``floors``: kind -> reference artifact)."""
    for kind in scenario.kinds:
        for result in _alternate(list(scenario.results.values()), round_index):
            expected = result.artifact_of(kind)
            if expected is None:
                continue
            run, artifact = runner.build(result.backend, tree.root, kind)
            result.runs(kind).append(run)
            log(f"[{tree.scenario.key}] round {round_index + 1} {result.backend.label} {kind}: {run.wall:.3f} s")
            if sha256_of(artifact) != expected.sha256:
                result.notes.append(f"{kind} sha256 changed in round {round_index + 1}: not reproducible")
        if kind in floors:
            floor, same = runner.floor(kind, floors[kind])
            scenario.floors.setdefault(kind, []).append(floor)
            scenario.floor_same[kind] = same
            log(f"[{tree.scenario.key}] round {round_index + 1} {kind} floor: {floor.inner:.3f} s")


def _walk_round(runner: Runner, tree: Tree, scenario: ScenarioResult, round_index: int) -> None:
    """One measured walk of ``tree`` by every backend whose warm-up walk worked."""
    for result in _alternate(list(scenario.results.values()), round_index):
        if result.walked_files is None:
            continue
        run, _ = runner.walk(result.backend, tree.root)
        result.walks.append(run)
        log(f"[{tree.scenario.key}] round {round_index + 1} {result.backend.label} walk: {run.inner:.3f} s")


def measure(
    runner: Runner, generated: list[Tree], backends: list[Backend], rounds: dict[str, int]
) -> dict[str, ScenarioResult]:
    """Warm up, then measure rounds of builds and rounds of walks: ``rounds[key]`` of each on tree ``key``.

    A round visits every tree that still takes part, so a slow spell of the machine touches all
    trees and backends alike: the n-th builds of two backends, or of two trees, are close in time
    and can be paired.
    """
    results = {
        tree.scenario.key: ScenarioResult(
            tree.scenario.key,
            tree.scenario.title,
            tree.stats.files,
            tree.stats.directories,
            {backend.label: BackendResult(backend) for backend in backends},
            tree.scenario.kinds,
        )
        for tree in generated
    }
    floors: dict[str, dict[str, Path]] = {}
    for tree in generated:
        key = tree.scenario.key
        for index, result in enumerate(results[key].results.values()):
            for kind in tree.scenario.kinds:
                artifact = _warm_up(runner, tree.root, result, kind)
                if index == 0 and artifact is not None and key in FLOOR_TREES:  # the reference's artifact
                    kept = runner.scratch / f"floor-{key}{''.join(artifact.suffixes)}"
                    shutil.copyfile(artifact, kept)
                    floors.setdefault(key, {})[kind] = kept
            if result.artifact is not None and result.backend.walker is not None:
                _warm_up_walk(runner, tree.root, result)
    for round_index in range(max(rounds.values())):
        for tree in generated:
            if round_index < rounds[tree.scenario.key]:
                key = tree.scenario.key
                _build_round(runner, tree, results[key], round_index, floors.get(key, {}))
    for round_index in range(max(rounds.values())):
        for tree in generated:
            if round_index < rounds[tree.scenario.key] and tree.scenario.key != "e":
                _walk_round(runner, tree, results[tree.scenario.key], round_index)
    return results


def check_candidate(python: Path, env: dict[str, str], candidate: Backend) -> None:
    """Exit with a hint when the candidate's hook module cannot be imported in the bench venv."""
    probe = subprocess.run(
        [str(python), "-c", f"import {candidate.hooks}"], env=env, capture_output=True, text=True
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        sys.exit(
            f"cannot import {candidate.hooks} ({last}); try --candidate hatchling.build "
            "--candidate-builder hatchling.builders.sdist:SdistBuilder to test the script itself"
        )


def machine_info(
    python: Path, env: dict[str, str], uv: Path, candidate: Backend, load_at_start: tuple[float, ...]
) -> dict[str, str]:
    """Machine and versions for the report: CPUs, CPU model, memory, OS, load, Python, backends, uv.

    ``load_at_start`` is ``os.getloadavg()`` from before the first build; the load at the end is
    read here. A load above the number of CPUs means other work shared the machine.
    """
    versions_script = str(HERE / "versions.py")
    probe = subprocess.run(
        [str(python), versions_script, candidate.hooks.split(".")[0]],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    versions = json.loads(probe.stdout)
    uv_version = subprocess.run(
        [str(uv), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus (nproc)": str(len(os.sched_getaffinity(0))),
        "cpu": _cpu_model(),
        "memory": _memory_total(),
        "os": platform.platform(),
        "load average (1, 5, 15 min) at start / end": f"{_load(load_at_start)} / {_load(os.getloadavg())}",
        "python": versions["python"],
        "hatchling": str(versions["hatchling"]),
        "candidate": f"{candidate.hooks} {versions['candidate'] or '(no __version__)'}",
        "uv_build": str(versions["uv_build"]),
        "pathspec": str(versions["pathspec"]),
        "uv": uv_version,
    }


def _load(load: tuple[float, ...]) -> str:
    """A load average triple as ``1.0, 0.5, 0.2``."""
    return ", ".join(f"{value:.1f}" for value in load)


def _cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, or ``unknown``."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _memory_total() -> str:
    """Total memory from /proc/meminfo in GiB, or ``unknown``."""
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            kib = int(meminfo.readline().split()[1])
    except (OSError, IndexError, ValueError):
        return "unknown"
    return f"{kib / 1024 / 1024:.1f} GiB"


def candidate_backend(hooks: str, builder: str) -> Backend:
    """The backend under test; labelled by its top-level package (``sdistguard``)."""
    label = hooks.split(".")[0]
    if label in {HATCHLING.label, UV_BUILD.label}:
        label = f"{hooks} (candidate)"
    return Backend(label, hooks, builder)


def settings_text(args: argparse.Namespace, sizes: Sizes) -> str:
    """The settings paragraph of the report."""
    return (
        f"`python benchmarks/compare.py{' --quick' if args.quick else ''} --runs {args.runs} --small-runs "
        f"{args.small_runs} --real-runs {args.real_runs} --tiny-runs {args.tiny_runs} --e2e-runs {args.e2e_runs}"
        f"{' --only ' + ','.join(sorted(args.only)) if args.only else ''}`: one warm-up build per backend, tree "
        f"and artifact, then {max(args.small_runs, args.real_runs, args.tiny_runs)} rounds; a round builds every "
        "tree once with every backend (the sdist, and the wheel of (s), (a) and (e)), alternating the order of the "
        "backends from round to round, "
        f"then times the compression floors of the tree; the scale tree (d) takes part in the first {args.runs} "
        f"rounds only, the real-sources tree (e) in the first {args.real_runs} and the small project (s) in the "
        f"first {args.tiny_runs} (the small trees build in about "
        "a second, where this host's speed changes from one process to the next by up to 1.5x, so they need more "
        "pairs for a steady median). Each build is a fresh `python child.py` process that changes into the "
        "project and calls `build_sdist(outdir)` or `build_wheel(outdir)` (non-isolated, all backends in one "
        "venv, bytecode compiled by the warm-up). Wall time is spawn to reap; CPU time is user plus system from "
        "`os.wait4` (child and its waited-for children, so the threads of a backend count). 'x hatchling' is the "
        "median of the per-round ratios. The floor is the time of the deflating alone, in a fresh process, on "
        "hatchling's artifact of the tree: for an sdist, zlib at level 9 over its whole uncompressed tar stream "
        "(which re-makes the sdist's own deflate stream, checked), for a wheel, zlib at the default level and "
        "sha256 over each member in turn on one core; 'x floor' is the median of the per-round ratios of a "
        "build's wall time to the floor of its round. Peak RSS is the child's own `VmHWM` or its children's "
        "`ru_maxrss` (uv_build's `uv-build`), whichever is larger, as the child reports it: `os.wait4`'s "
        "`ru_maxrss` would include the driver's own high-water mark, which Linux carries across fork and exec. "
        "'Walk s' is the median in-process time of `recurse_included_files()` alone, inside `set_build_data`, "
        "each in a fresh process (hatchling-style builders only, trees (a) to (d); as many rounds as builds); "
        "making the builder and loading the project metadata come before it, untimed. "
        f"SOURCE_DATE_EPOCH={SOURCE_DATE_EPOCH}. Packages in (b)'s venv: {', '.join(sizes.packages)}. Tree (e) "
        f"copies {'every' if sizes.real_files is None else f'at most {sizes.real_files:,}'} .py, .txt, .rst, "
        ".toml, .json, .xml and .cfg file of the interpreter's standard library (site-packages left out) into "
        "`src/benchpkg/`. Tree (s) is what `uv init --lib --no-workspace` writes, committed to git; besides the "
        f"in-process builds it is built end to end, {args.e2e_runs} paired rounds after one warm-up each, by "
        "`uv build` and `python -m build --installer uv` (isolated: the sdist, then the wheel from it), with "
        "hatchling and with sdistguard, installed into the build environments from a wheel of the same snapshot "
        "(`--find-links`), hatchling pinned to 1.33.0 for both (uv's build constraints), uv's cache warm; wall "
        "and CPU time (`os.wait4`: the frontend and every process it waited for) of the whole command."
    )


def run(args: argparse.Namespace, workdir: Path) -> str:
    """Set up, measure every tree, and return the markdown report."""
    sizes = QUICK if args.quick else FULL
    load_at_start = os.getloadavg()
    uv = find_uv()
    python = make_bench_venv(workdir, uv)
    source, source_digest = snapshot_source(workdir)
    env = child_env(python, workdir, source)
    candidate = candidate_backend(args.candidate, args.candidate_builder)
    check_candidate(python, env, candidate)
    backends = [HATCHLING, candidate, UV_BUILD]
    runner = Runner(python, env, workdir / "scratch")
    generated = [
        ensure_tree(workdir / "trees", scenario, sizes) for scenario in scenarios_for(sizes, python, uv)
        if args.only is None or scenario.key in args.only
    ]
    per_tree = {"s": args.tiny_runs, "d": args.runs, "e": args.real_runs}
    rounds = {tree.scenario.key: per_tree.get(tree.scenario.key, args.small_runs) for tree in generated}
    scenarios = measure(runner, generated, backends, rounds)
    labels = [HATCHLING.label, candidate.label, UV_BUILD.label]
    small = next((tree for tree in generated if tree.scenario.key == "s"), None)
    end_to_end: list[frontends.EndToEnd] = []
    if small is not None and args.e2e_runs > 0 and candidate.hooks == "sdistguard.build":
        log("[s] building sdistguard's wheel from the snapshot for the isolated builds")
        wheelhouse = frontends.make_wheelhouse(workdir, uv, REPO_SRC.parent, source)
        projects = frontends.make_projects(small.root, workdir)
        e2e_runner = frontends.FrontendRunner(python, uv, wheelhouse, workdir / "e2e-scratch", dict(os.environ))
        end_to_end = frontends.measure_end_to_end(e2e_runner, projects, args.e2e_runs, log)
    return report.render_report(
        machine={
            **machine_info(python, env, uv, candidate, load_at_start),
            "candidate source": f"snapshot of src/ at start, sha256 of its .py files {source_digest}",
        },
        settings=settings_text(args, sizes),
        table=report.results_table(scenarios, HATCHLING.label),
        floors=report.floor_table(scenarios, labels),
        notes=report.notes_list(scenarios),
        targets=report.evaluate_targets(scenarios, candidate.label, HATCHLING.label)
        + report.end_to_end_targets(end_to_end, candidate.label, HATCHLING.label),
        end_to_end=report.end_to_end_table(end_to_end, HATCHLING.label),
        paragraph=report.growth_paragraph(scenarios, labels, sizes.build_files),
    )


def main(argv: list[str]) -> int:
    """Entry point: run the benchmark, print the report and write it to ``--out``."""
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sdistguard-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        text = run(args, workdir.resolve())
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
