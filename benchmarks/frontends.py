"""The small project end to end: real frontends (``uv build``, ``python -m build``), isolated builds.

What a user's CI pays: the frontend makes an isolated build environment, installs the backend into
it, runs the ``get_requires_*`` and build hooks in fresh processes, builds the sdist and then the
wheel from the unpacked sdist. sdistguard comes from a wheel built at the start from the snapshot
of ``src/`` (``--find-links``, as tests/e2e do), hatchling 1.33.0 from the package index, pinned
for both backends (uv's build constraints), so the two isolated environments hold the same hatchling.

A :class:`FrontendRunner` spawns a frontend with ``os.posix_spawn`` and reaps it with ``os.wait4``:
wall time spawn to reap, CPU time of the frontend and every process it waited for (its installer,
the hook processes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import trees
from measure import ChildError, Run, paired_ratio, sha256_of

FRONTENDS = ("uv build", "python -m build")
"""The frontends timed, in the order of a round."""
HATCHLING_PIN = "hatchling==1.33.0"
"""hatchling in both isolated environments (the version every other benchmark measures)."""


@dataclass
class EndToEnd:
    """The measured builds of one frontend with one backend: ``runs`` (warm-up excluded), the names of
    the artifacts built and the wheel's sha256 (warm-up), ``notes`` on what went wrong."""

    frontend: str
    label: str
    runs: list[Run] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)
    wheel_sha256: str | None = None
    notes: list[str] = field(default_factory=list)


def make_wheelhouse(workdir: Path, uv: Path, repository: Path, snapshot: Path) -> Path:
    """Build sdistguard's wheel from ``snapshot`` (the copy of ``src/``) into ``workdir/wheelhouse``.

    The project is ``repository``'s ``pyproject.toml``, ``README.md`` and ``LICENSE`` with the
    snapshot as ``src/``, built by ``uv build --wheel`` (sdistguard builds itself). Returns the
    folder; raises ``subprocess.CalledProcessError`` when the build fails.
    """
    project = workdir / "candidate-project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copyfile(repository / name, project / name)
    shutil.copytree(snapshot, project / "src", ignore=shutil.ignore_patterns("__pycache__"))
    wheelhouse = workdir / "wheelhouse"
    shutil.rmtree(wheelhouse, ignore_errors=True)
    subprocess.run([str(uv), "build", "--quiet", "--wheel", "--out-dir", str(wheelhouse), str(project)], check=True)
    return wheelhouse


def make_projects(tree: Path, workdir: Path) -> dict[str, Path]:
    """Two copies of the small project ``tree`` (its git repository included), one per backend:
    ``{"hatchling": ..., "sdistguard": ...}``, each with its ``[build-system]`` and committed."""
    projects = {}
    for label, requires, backend in (("hatchling", [HATCHLING_PIN], "hatchling.build"),
                                     ("sdistguard", ["sdistguard"], "sdistguard.build")):
        project = workdir / "e2e" / label / tree.name
        shutil.rmtree(project.parent, ignore_errors=True)
        shutil.copytree(tree, project, symlinks=True)
        trees.set_build_backend(project, requires, backend)
        identity = ["-c", "user.name=sdistguard benchmark", "-c", "user.email=bench@example.invalid"]
        subprocess.run(["git", *identity, "commit", "--quiet", "--no-verify", "-am", f"build with {label}"],
                       cwd=project, check=True)
        projects[label] = project
    return projects


class FrontendRunner:
    """Runs one frontend on one project: ``python`` is the bench venv's interpreter (the build
    environments are made from it), ``uv`` the uv executable, ``wheelhouse`` sdistguard's wheel,
    ``scratch`` a folder for the constraints file, the output and the log."""

    def __init__(self, python: Path, uv: Path, wheelhouse: Path, scratch: Path, base_env: dict[str, str]) -> None:
        self.python, self.uv, self.scratch = python, uv, scratch
        scratch.mkdir(parents=True, exist_ok=True)
        constraints = scratch / "build-constraints.txt"
        constraints.write_text(HATCHLING_PIN + "\n", encoding="utf-8")
        dropped = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"}
        env = {key: value for key, value in base_env.items() if key not in dropped and not key.startswith("UV_")}
        env["PATH"] = os.pathsep.join([str(python.parent), str(uv.parent), env.get("PATH", "")])
        env["UV_CACHE_DIR"] = str(scratch / "uv-cache")  # warm after the warm-up builds, shared by both backends
        env["UV_FIND_LINKS"] = str(wheelhouse)
        env["UV_BUILD_CONSTRAINT"] = str(constraints)  # uv build's isolated environments
        env["UV_CONSTRAINT"] = str(constraints)  # python -m build --installer uv: uv pip install
        env["UV_NO_PROGRESS"] = "1"
        self.env = env

    def command(self, frontend: str, project: Path, outdir: Path) -> list[str]:
        """The command line of ``frontend`` (one of :data:`FRONTENDS`): sdist, then the wheel from it."""
        if frontend == "uv build":
            return [str(self.uv), "build", "--quiet", "--python", str(self.python), "--out-dir", str(outdir),
                    str(project)]
        if frontend == "python -m build":
            return [str(self.python), "-m", "build", "--installer", "uv", "--outdir", str(outdir), str(project)]
        raise ValueError(f"unknown frontend {frontend!r}")

    def build(self, frontend: str, project: Path) -> tuple[Run, list[Path]]:
        """Build ``project`` with ``frontend`` once; return the measurement and the sdists and wheels (sorted).

        Raises :class:`~measure.ChildError` when the frontend exits non-zero.
        """
        outdir = self.scratch / "out"
        shutil.rmtree(outdir, ignore_errors=True)
        outdir.mkdir()
        argv = self.command(frontend, project, outdir)
        log_path = self.scratch / "frontend.log"
        with open(log_path, "wb") as log:
            actions = [
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, log.fileno(), 2),
            ]
            start = time.perf_counter()
            pid = os.posix_spawn(argv[0], argv, self.env, file_actions=actions)
            _, status, usage = os.wait4(pid, 0)
            wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            raise ChildError(f"{frontend} exited {code}: " + " | ".join(tail))
        cpu = usage.ru_utime + usage.ru_stime
        built = sorted(path for path in outdir.iterdir() if path.name.endswith((".tar.gz", ".whl")))
        return Run(wall, cpu, usage.ru_maxrss, wall), built  # uv also writes a .gitignore there


def measure_end_to_end(runner: FrontendRunner, projects: dict[str, Path], rounds: int,
                       log: Callable[[str], None] | None = None) -> list[EndToEnd]:
    """One warm-up build per frontend and backend, then ``rounds`` rounds: each frontend builds with
    each backend, the order of the backends alternating from round to round, so that the n-th builds
    pair; the measured rounds run with ``UV_OFFLINE=1`` (uv's cache, filled by the warm-up, answers
    every question to the index); ``log`` gets a line per build. Returns one :class:`EndToEnd` per
    frontend and backend (hatchling first)."""
    results = [EndToEnd(frontend, label) for frontend in FRONTENDS for label in projects]
    for result in results:
        try:
            _, artifacts = runner.build(result.frontend, projects[result.label])
        except ChildError as error:
            result.notes.append(f"not measured: {error}")
            continue
        result.artifacts = [path.name for path in artifacts]
        wheels = [path for path in artifacts if path.suffix == ".whl"]
        result.wheel_sha256 = sha256_of(wheels[0]) if wheels else None
    # the measured rounds ask no index: uv's cache answers, as the warm-up filled it (an unpinned
    # "sdistguard", found only through find-links, would otherwise cost a request to PyPI each build)
    runner.env["UV_OFFLINE"] = "1"
    for round_index in range(rounds):
        for frontend in FRONTENDS:
            pair = [result for result in results if result.frontend == frontend and not result.notes]
            for result in pair if round_index % 2 == 0 else pair[::-1]:
                run, _ = runner.build(frontend, projects[result.label])
                result.runs.append(run)
                if log is not None:
                    log(f"[s] round {round_index + 1} {frontend} {result.label}: {run.wall:.3f} s")
    return results


def ratio(results: list[EndToEnd], frontend: str, label: str, reference: str, metric: str = "wall") -> float | None:
    """The median of the per-round ratios of ``label``'s builds to ``reference``'s with ``frontend``."""
    mine = next((r for r in results if r.frontend == frontend and r.label == label), None)
    theirs = next((r for r in results if r.frontend == frontend and r.label == reference), None)
    if mine is None or theirs is None:
        return None
    return paired_ratio(mine.runs, theirs.runs, metric)
