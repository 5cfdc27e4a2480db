"""Running one build (or one walk) in a fresh process and measuring it from the outside.

A :class:`Runner` spawns ``child.py`` with ``os.posix_spawn`` and reaps it with ``os.wait4``, so
the wall time covers the whole process (interpreter start, imports, hook), and the CPU time (user
plus system) covers the child and every process it waited for (uv_build's ``uv-build``). CPU
time moves much less than wall time when other work shares the machine, so it backs it up. The peak
resident set is reported by the child itself (its ``VmHWM`` and its children's ``ru_maxrss``):
the ``ru_maxrss`` from ``os.wait4`` includes the driver's own high-water mark, which Linux
carries across fork and exec.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

CHILD_SCRIPT = Path(__file__).with_name("child.py")


@dataclass(frozen=True)
class Backend:
    """A backend under test.

    ``label`` names it in the report, ``hooks`` is its PEP 517 module (``hatchling.build``) and
    ``walker`` the ``module:Class`` of its hatchling-style sdist builder, or ``None`` when it has no
    walk that can be timed alone (uv_build).
    """

    label: str
    hooks: str
    walker: str | None


@dataclass(frozen=True)
class Run:
    """One measured child: ``wall`` seconds from spawn to reap, ``cpu`` seconds of user plus system
    time, ``rss_kib`` its peak RSS in KiB, ``inner`` the seconds it spent in the hook or the walk
    itself (after interpreter start and imports)."""

    wall: float
    cpu: float
    rss_kib: int
    inner: float


def paired_ratio(mine: list[Run], theirs: list[Run], metric: str = "wall") -> float | None:
    """Median of ``mine[i].metric / theirs[i].metric`` over the rounds ``i`` (``None`` if unpaired).

    The n-th runs of two backends (or trees) ran close in time, so slow spells of the machine cancel.
    """
    if not mine or len(mine) != len(theirs):
        return None
    return median(
        float(getattr(a, metric)) / float(getattr(b, metric)) for a, b in zip(mine, theirs, strict=True)
    )


@dataclass(frozen=True)
class Artifact:
    """An sdist: ``sha256`` of its bytes, ``size`` in bytes, ``members`` in its tar (dirs included)."""

    sha256: str
    size: int
    members: int


@dataclass
class BackendResult:
    """Everything measured for one backend on one tree.

    ``builds`` and ``walks`` are the measured runs (the warm-up build is not among them);
    ``artifact`` describes the sdist of the warm-up build; ``wheel_builds`` and ``wheel_artifact``
    the same for the wheel (on the trees that build wheels); ``walked_files`` is what the walk
    yielded; ``notes`` say what could not be measured and why (a failed hook, an artifact whose
    sha256 changed between runs).
    """

    backend: Backend
    builds: list[Run] = field(default_factory=list)
    walks: list[Run] = field(default_factory=list)
    artifact: Artifact | None = None
    walked_files: int | None = None
    notes: list[str] = field(default_factory=list)
    wheel_builds: list[Run] = field(default_factory=list)
    wheel_artifact: Artifact | None = None

    def runs(self, kind: str = "sdist") -> list[Run]:
        """The measured builds of ``kind`` (``sdist`` or ``wheel``)."""
        return self.wheel_builds if kind == "wheel" else self.builds

    def artifact_of(self, kind: str = "sdist") -> Artifact | None:
        """The warm-up artifact of ``kind`` (``sdist`` or ``wheel``), if it built."""
        return self.wheel_artifact if kind == "wheel" else self.artifact

    def median_of(self, kind: str, metric: str) -> float | None:
        """Median ``metric`` (``wall``, ``cpu``, ``rss_kib`` in MiB) of the builds of ``kind``."""
        runs = self.runs(kind)
        if not runs:
            return None
        value = median(float(getattr(run, metric)) for run in runs)
        return value / 1024 if metric == "rss_kib" else value

    def wall(self) -> float | None:
        """Median wall time of the builds, or ``None`` when none ran."""
        return median(run.wall for run in self.builds) if self.builds else None

    def cpu(self) -> float | None:
        """Median CPU time (user plus system) of the builds, or ``None`` when none ran."""
        return median(run.cpu for run in self.builds) if self.builds else None

    def startup(self) -> float | None:
        """Median of wall time minus in-hook time of the builds: interpreter start, hook module
        import (the builders are imported inside the hook), exit."""
        return median(run.wall - run.inner for run in self.builds) if self.builds else None

    def walk_time(self) -> float | None:
        """Median in-child time of the walks, or ``None`` when none ran."""
        return median(run.inner for run in self.walks) if self.walks else None

    def rss_mib(self) -> float | None:
        """Median peak RSS of the builds in MiB, or ``None`` when none ran."""
        return median(run.rss_kib for run in self.builds) / 1024 if self.builds else None


@dataclass
class ScenarioResult:
    """One tree (``key`` ``a``..``e``, a one-line ``title``, its on-disk ``files`` and ``directories``)
    and the results of every backend on it, by label, in the order they were given; ``kinds`` are
    the artifacts built (``sdist``, and ``wheel`` on some trees); ``floors`` the measured
    compression floors by kind (``Run.inner`` is the deflating alone), ``floor_same`` whether each
    floor re-made the reference artifact's own deflate stream."""

    key: str
    title: str
    files: int
    directories: int
    results: dict[str, BackendResult]
    kinds: tuple[str, ...] = ("sdist",)
    floors: dict[str, list[Run]] = field(default_factory=dict)
    floor_same: dict[str, bool] = field(default_factory=dict)

    def paired_ratio(self, label: str, reference: str, metric: str = "wall", kind: str = "sdist") -> float | None:
        """:func:`paired_ratio` of backend ``label``'s builds of ``kind`` to ``reference``'s on this tree."""
        return paired_ratio(self.results[label].runs(kind), self.results[reference].runs(kind), metric)

    def floor_seconds(self, kind: str = "sdist") -> float | None:
        """Median time of the deflating alone for ``kind``, or ``None`` when not measured."""
        runs = self.floors.get(kind)
        return median(run.inner for run in runs) if runs else None

    def floor_ratio(self, label: str, kind: str = "sdist") -> float | None:
        """Median over rounds of backend ``label``'s build wall time over the floor of the same round."""
        runs, floors = self.results[label].runs(kind), self.floors.get(kind, [])
        if not runs or len(runs) != len(floors):
            return None
        return median(run.wall / floor.inner for run, floor in zip(runs, floors, strict=True))


class ChildError(RuntimeError):
    """A child exited non-zero; the message holds its exit code and the end of its output."""


class Runner:
    """Spawns ``child.py`` with the interpreter ``python`` and the environment ``env``.

    ``scratch`` is a directory for the children's output logs, result files and sdists.
    """

    def __init__(self, python: Path, env: dict[str, str], scratch: Path) -> None:
        self.python = python
        self.env = env
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)

    def build(self, backend: Backend, project: Path, kind: str = "sdist") -> tuple[Run, Path]:
        """Build one sdist (or ``kind="wheel"``: one wheel) of ``project`` with ``backend``; return
        the measurement and the artifact's path.

        The artifact lands in a directory emptied first, and stays there until the next build of
        that kind. Raises :class:`ChildError` when the hook fails.
        """
        outdir = self.scratch / kind
        shutil.rmtree(outdir, ignore_errors=True)
        outdir.mkdir()
        run, result = self._spawn("wheel" if kind == "wheel" else "build", backend, project, outdir)
        return run, outdir / os.path.basename(result["artifact"])

    def floor(self, kind: str, artifact: Path) -> tuple[Run, bool]:
        """Time the deflating alone of ``artifact`` (``kind`` ``sdist`` or ``wheel``) in a fresh child.

        Returns the measurement (``inner`` is the deflating) and whether it re-made the artifact's
        own deflate stream. Raises :class:`ChildError` when the child fails.
        """
        probe = Backend(f"floor-{kind}", "-", None)
        run, result = self._spawn(f"floor-{kind}", probe, artifact, self.scratch)
        return run, bool(result["same_stream"])

    def walk(self, backend: Backend, project: Path) -> tuple[Run, int]:
        """Walk ``project`` with ``backend``'s builder only; return the measurement and the file count.

        Raises :class:`ChildError` when the walk fails, ``ValueError`` if the backend has no walker.
        """
        if backend.walker is None:
            raise ValueError(f"{backend.label} has no walker")
        run, result = self._spawn("walk", backend, project, self.scratch)
        return run, int(result["files"])

    def _spawn(self, mode: str, backend: Backend, project: Path, outdir: Path) -> tuple[Run, dict[str, Any]]:
        """Run ``child.py`` once and return the outside measurement and the child's JSON result."""
        log_path = self.scratch / "child.log"
        result_path = self.scratch / "result.json"
        result_path.unlink(missing_ok=True)
        argv = [
            str(self.python),
            str(CHILD_SCRIPT),
            mode,
            backend.hooks,
            backend.walker or "-",
            str(project),
            str(outdir),
            str(result_path),
        ]
        with open(log_path, "wb") as log:
            actions = [
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, log.fileno(), 2),
            ]
            start = time.perf_counter()
            pid = os.posix_spawn(str(self.python), argv, self.env, file_actions=actions)
            _, status, usage = os.wait4(pid, 0)
            wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            raise ChildError(f"{backend.label} {mode} exited {code}: " + " | ".join(tail))
        result = json.loads(result_path.read_text(encoding="utf-8"))
        cpu = usage.ru_utime + usage.ru_stime
        return Run(wall, cpu, int(result["peak_rss_kib"]), float(result["seconds"])), result


def sha256_of(path: Path) -> str:
    """The hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe_sdist(path: Path) -> Artifact:
    """Hash, size and member count of the sdist (``.tar.gz``) or wheel (``.whl``) at ``path``."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            members = len(wheel.infolist())
    else:
        with tarfile.open(path, "r:gz") as archive:
            members = sum(1 for _ in archive)
    return Artifact(sha256_of(path), path.stat().st_size, members)
