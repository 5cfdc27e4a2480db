"""In-process builds (no frontend): plain hatchling's, sdistguard's findings, and a small clean project.

What the differential tests compare sdistguard with: hatchling's own ``SdistBuilder`` and ``WheelBuilder``
on the same tree, called as its PEP 517 hooks call them.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder

from sdistguard.builders.sdist import GuardedSdistBuilder
from sdistguard.builders.wheel import GuardedWheelBuilder
from sdistguard.core.errors import TreeError
from sdistguard.rules import Finding


def hatchling_sdist(project: Path, out: Path) -> Path:
    """Build an sdist of ``project`` with plain hatchling (no sdistguard), in-process, into ``out``; its path."""
    (built,) = SdistBuilder(str(project)).build(directory=str(out))
    return Path(built)


def hatchling_wheel(project: Path, out: Path) -> Path:
    """Build a wheel of ``project`` with plain hatchling (no sdistguard), in-process, into ``out``; its path."""
    (built,) = WheelBuilder(str(project)).build(directory=str(out))
    return Path(built)


def build_standard(builder: type[SdistBuilder] | type[WheelBuilder], root: Path, out: Path) -> Path:
    """The ``standard`` target of ``builder`` (hatchling's class or sdistguard's subclass) for ``root``, in ``out``."""
    return Path(next(builder(str(root)).build(directory=str(out), versions=["standard"])))


def guarded_findings(builder: type[GuardedSdistBuilder | GuardedWheelBuilder], root: Path, out: Path) -> list[Finding]:
    """The findings of sdistguard's ``builder`` on ``root`` (its standard target, into ``out``), whether the
    build stopped (``TreeError``) or not."""
    guarded = builder(str(root))
    with contextlib.suppress(TreeError):
        next(iter(guarded.build(directory=str(out), versions=["standard"])))
    return guarded.findings


def clean_project(root: Path) -> Path:
    """A hatchling project at ``root`` (made here) with a readme, a license file and ``src/demo``: nothing to find."""
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "demo"\nversion = "1.0"\nreadme = "README.md"\nlicense-files = ["LICENSE"]\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/demo"]\n'
    )
    (root / "README.md").write_text("# demo\n")
    (root / "LICENSE").write_text("MIT\n")
    (root / "src" / "demo").mkdir(parents=True)
    (root / "src" / "demo" / "__init__.py").write_text("x = 1\n")
    return root
