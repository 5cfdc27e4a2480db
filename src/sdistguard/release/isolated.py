"""Building one project three ways in isolated environments, through pypa/build's API.

:func:`build_all` builds the sdist from the tree, the wheel from the unpacked sdist and the wheel from the
tree, each in a fresh :class:`build.env.DefaultIsolatedEnv` (uv as the installer when found, as
``python -m build --installer uv``; else pip) with the project's own ``[build-system]`` backend, through
:class:`build.ProjectBuilder`: what ``python -m build`` does, so **the project's build code runs**. The
backend's output is captured (its end is kept for the report). pypa/build is imported only inside the
functions: it is the ``release`` extra of the command (:func:`require_build` names it when missing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TextIO

from sdistguard.core.errors import InputError
from sdistguard.rules.render import printable

__all__ = [
    "EXTRA",
    "OUTPUT_TAIL",
    "Artifact",
    "BuildFailure",
    "Distribution",
    "Installer",
    "Source",
    "build_all",
    "pick_installer",
    "require_build",
]

EXTRA: Final = 'pip install "sdistguard[release]"'
"""How to install what ``check --build`` needs besides sdistguard (pypa/build)."""

OUTPUT_TAIL: Final = 20
"""Lines of the backend's output kept for a ``build-failed`` finding."""

_OUTPUT_KEPT: Final = 256 * 1024
"""Bytes of a backend's output kept in memory (the end of it)."""

Source = Literal["tree", "sdist"]
Distribution = Literal["sdist", "wheel"]
Installer = Literal["pip", "uv"]


def require_build() -> None:
    """Check that pypa/build (and its pyproject-hooks) can be imported.

    Raises :class:`~sdistguard.core.errors.InputError` naming the extra to install when it cannot.
    """
    try:
        from build import ProjectBuilder  # noqa: F401 - brings pyproject_hooks, build's own requirement
        from build.env import DefaultIsolatedEnv  # noqa: F401
    except ImportError as error:
        missing = (error.name or "build").split(".")[0]
        raise InputError(f'check --build needs pypa/build ("{missing}"), which cannot be imported: {EXTRA}') from None


def pick_installer() -> Installer:
    """``"uv"`` when uv is found as ``python -m build --installer uv`` finds it (the ``uv`` package's
    binary, else ``$UV`` or ``uv`` on ``PATH``), else ``"pip"``."""
    try:
        import uv

        uv.find_uv_bin()
        return "uv"
    except (ImportError, FileNotFoundError):
        pass
    return "uv" if shutil.which(os.environ.get("UV") or "uv") else "pip"


class BuildFailure(Exception):
    """One artifact could not be built: ``what`` (``"sdist from the tree"``), ``error`` (one line) and
    ``tail`` (the last lines of the backend's or the installer's output, oldest first); ``unpacking`` is
    true when the sdist itself could not be unpacked (no backend ran)."""

    def __init__(self, what: str, error: str, tail: Sequence[str], *, unpacking: bool = False) -> None:
        super().__init__(f"{what}: {error}")
        self.what = what
        self.error = error
        self.tail = list(tail)
        self.unpacking = unpacking


@dataclass(frozen=True)
class Artifact:
    """One artifact the gate built: ``distribution`` (``"sdist"``/``"wheel"``), ``source`` (``"tree"`` or
    ``"sdist"``: the unpacked sdist), ``path`` (absolute, in the gate's temporary directory) and
    ``seconds`` (wall time of its isolated build, environment included)."""

    distribution: Distribution
    source: Source
    path: str
    seconds: float




class _Output:
    """A pyproject-hooks subprocess runner that keeps the end of the backend's output (stdout and stderr)."""

    def __init__(self) -> None:
        self.data = b""

    def __call__(
        self, cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        environment = dict(os.environ)
        environment.update(extra_environ or {})
        completed = subprocess.run(
            list(cmd), cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False
        )
        self.keep(completed.stdout)
        if completed.returncode:
            raise subprocess.CalledProcessError(completed.returncode, list(cmd), completed.stdout)

    def keep(self, data: bytes | str | None) -> None:
        """Append ``data`` to what is kept (its last :data:`_OUTPUT_KEPT` bytes)."""
        if data:
            self.data = (self.data + (data.encode() if isinstance(data, str) else data))[-_OUTPUT_KEPT:]

    def tail(self) -> list[str]:
        """The last :data:`OUTPUT_TAIL` non-empty lines, decoded and made printable."""
        lines = [line.rstrip() for line in self.data.decode("utf-8", "replace").splitlines() if line.strip()]
        return [printable(line) for line in lines[-OUTPUT_TAIL:]]


def _build_one(
    srcdir: str, distribution: Distribution, outdir: str, envdir: str, installer: Installer, what: str
) -> str:
    """Build ``distribution`` of ``srcdir`` into ``outdir`` in a fresh isolated environment at ``envdir``
    (what ``python -m build`` does for one distribution); return the artifact's absolute path.

    Raises :class:`BuildFailure` when the environment cannot be set up, the requirements cannot be
    installed, ``[build-system]`` is invalid, or the backend fails.
    """
    from build import BuildBackendException, BuildException, FailedProcessError, ProjectBuilder
    from build.env import DefaultIsolatedEnv

    output = _Output()
    try:
        with DefaultIsolatedEnv(installer=installer, path=envdir) as env:
            builder = ProjectBuilder.from_isolated_env(env, srcdir, runner=output)
            env.install(builder.build_system_requires)
            env.install(builder.get_requires_for_build(distribution))
            return os.path.abspath(builder.build(distribution, outdir))
    except subprocess.CalledProcessError as error:  # the installer (uv or pip) failed
        output.keep(error.stdout)
        output.keep(error.stderr)
        raise BuildFailure(what, f"installing the build requirements failed (exit {error.returncode})",
                           output.tail()) from None
    except BuildBackendException as error:
        inner = error.exception
        if isinstance(inner, subprocess.CalledProcessError):
            message = f"{error} (exit {inner.returncode})"
        else:
            message = f"{error}: {type(inner).__name__}: {inner}"
        raise BuildFailure(what, message, output.tail()) from None
    except BuildException as error:  # an invalid [build-system] table, a missing pyproject.toml
        raise BuildFailure(what, str(error), output.tail()) from None
    except FailedProcessError as error:  # venv could not create the environment
        output.keep(error.exception.stdout)
        output.keep(error.exception.stderr)
        raise BuildFailure(what, str(error), output.tail()) from None
    except (OSError, RuntimeError) as error:  # no Python in the new environment, no uv, a full disk
        message = f"the isolated environment could not be set up: {type(error).__name__}: {error}"
        raise BuildFailure(what, message, output.tail()) from None


def _unpack_sdist(sdist: str, destination: str) -> str:
    """Unpack ``sdist`` into ``destination`` as build and pip do (tarfile's ``data`` filter, PEP 706);
    return its single top-level directory. Raises :class:`BuildFailure` for an sdist that frontends
    refuse to build from (not one top-level directory holding ``PKG-INFO``, or a member the filter refuses)."""
    what = "wheel from the unpacked sdist"
    try:
        with tarfile.open(sdist) as archive:
            members = archive.getmembers()
            tops = {member.name.split("/", 1)[0] for member in members if member.name.strip("/")}
            if len(tops) != 1:
                raise BuildFailure(what, f"the sdist has {len(tops)} top-level entries, not one directory", [],
                                   unpacking=True)
            top = next(iter(tops))
            if not any(member.name == f"{top}/PKG-INFO" and member.isfile() for member in members):
                raise BuildFailure(what, f"the sdist has no {top}/PKG-INFO: frontends refuse to build from it", [],
                                   unpacking=True)
            if hasattr(tarfile, "data_filter"):
                archive.extractall(destination, filter="data")
            else:  # pragma: no cover - Python 3.10 before 3.10.12: the filter's rules by hand
                for member in members:
                    if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in (
                        member.name.split("/")
                    ):
                        raise BuildFailure(what, f"the sdist member {member.name!r} would be refused on unpacking", [],
                                           unpacking=True)
                archive.extractall(destination)
    except (OSError, tarfile.TarError) as error:
        message = f"the sdist cannot be unpacked (as by pip and build): {type(error).__name__}: {error}"
        raise BuildFailure(what, message, [], unpacking=True) from None
    return os.path.join(destination, top)


def build_all(
    root: str, work: str, installer: Installer, progress: TextIO | None
) -> tuple[list[Artifact], list[BuildFailure]]:
    """Build the sdist from ``root``; then, side by side, the wheel from the unpacked sdist and the wheel
    from ``root``.

    Each build runs in a fresh isolated environment below ``work``. With uv, the two wheels run at once
    (two threads, each waiting on its backend's process): the build from the sdist reads only its unpacked
    copy, so neither sees the other's files, not even a backend that writes into the tree (setuptools'
    ``build/``); the sdist's build, which may write into the tree too, runs alone before them. A failed
    sdist stops here; a failed wheel from the sdist does not stop the wheel from the tree (together they
    say whether the sdist lacks what the build needs). ``progress`` gets a line when each build starts
    and ends. Returns the artifacts and the failures, in the order sdist, wheel from the sdist, wheel
    from the tree.
    """
    from concurrent.futures import ThreadPoolExecutor

    steps: list[tuple[int, str, Distribution, Source]] = [
        (1, "sdist from the tree", "sdist", "tree"),
        (2, "wheel from the unpacked sdist", "wheel", "sdist"),
        (3, "wheel from the tree", "wheel", "tree"),
    ]

    def step(number: int, what: str, distribution: Distribution, source: Source, srcdir: str) -> Artifact:
        if progress is not None:
            progress.write(f"sdistguard: [{number}/3] building the {what} ...\n")
            progress.flush()
        start = time.monotonic()
        try:
            if source == "sdist":
                srcdir = _unpack_sdist(srcdir, os.path.join(work, "unpacked"))
            outdir = os.path.join(work, f"{distribution}-from-{source}")
            path = _build_one(srcdir, distribution, outdir, os.path.join(work, f"env-{number}"), installer, what)
        except BuildFailure:
            if progress is not None:
                progress.write(f"sdistguard: [{number}/3] the {what} failed ({time.monotonic() - start:.1f} s)\n")
            raise
        seconds = time.monotonic() - start
        if progress is not None:
            progress.write(f"sdistguard: [{number}/3] {what}: {os.path.basename(path)} ({seconds:.1f} s)\n")
        return Artifact(distribution, source, path, seconds)

    try:
        sdist = step(*steps[0], root)
    except BuildFailure as failure:
        return [], [failure]
    built, failures = [sdist], []
    workers = 2 if installer == "uv" else 1  # pip's environments may come from virtualenv: one at a time
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sdistguard-build") as pool:
        futures = [pool.submit(step, *steps[1], sdist.path), pool.submit(step, *steps[2], root)]
        for future in futures:
            try:
                built.append(future.result())
            except BuildFailure as failure:
                failures.append(failure)
    return built, failures
