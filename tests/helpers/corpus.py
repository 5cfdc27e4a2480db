"""The compatibility corpus's downloads: pinned published sdists, fetched once, checked, unpacked.

``download_sdist`` takes a :class:`Project`'s sdist from the cache (``$SDISTGUARD_COMPAT_CACHE`` or
``~/.cache/sdistguard-compat``) or from the index (``$SDISTGUARD_COMPAT_INDEX``, PEP 691 JSON), and fails the
test when its sha256 is not the pinned one. ``SDISTGUARD_COMPAT_BUILDERS=stock`` makes ``GUARDED_SDIST`` and
``GUARDED_WHEEL`` hatchling's own classes (a check of the harness itself).
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder

INDEX = os.environ.get("SDISTGUARD_COMPAT_INDEX", "https://pypi.org/simple")


def _guarded_classes() -> tuple[type, type, str]:
    """sdistguard's builder classes and ``"guarded"``, or hatchling's and ``"stock"`` (a check of the harness)."""
    if os.environ.get("SDISTGUARD_COMPAT_BUILDERS") == "stock":
        return SdistBuilder, WheelBuilder, "stock"
    from sdistguard.builders import GuardedSdistBuilder, GuardedWheelBuilder

    return GuardedSdistBuilder, GuardedWheelBuilder, "guarded"


GUARDED_SDIST, GUARDED_WHEEL, GUARDED_KIND = _guarded_classes()


@dataclass(frozen=True)
class Project:
    """A pinned sdist on the index: name, version, sha256, what it covers, and how the corpus varies it."""

    name: str
    version: str
    sha256: str
    covers: str
    # Appended to pyproject.toml (variants exercising options no popular project sets explicitly).
    extra_pyproject: str = ""
    variant: str = ""
    env: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.name}-{self.version}" + (f"+{self.variant}" if self.variant else "")


def cache_dir() -> Path:
    """Where the corpus's downloads are kept between runs (never in the checkout)."""
    return Path(os.environ.get("SDISTGUARD_COMPAT_CACHE", Path.home() / ".cache" / "sdistguard-compat"))


def download_sdist(project: Project) -> Path:
    """The project's sdist from the cache, fetched from the index (PEP 691 JSON) when missing."""
    dest = cache_dir() / "corpus"
    dest.mkdir(parents=True, exist_ok=True)
    for candidate in dest.glob(f"{project.name}-{project.version}.tar.gz"):
        if hashlib.sha256(candidate.read_bytes()).hexdigest() == project.sha256:
            return candidate
    request = urllib.request.Request(
        f"{INDEX}/{project.name.replace('_', '-').lower()}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    wanted = f"{project.name}-{project.version}.tar.gz".lower()
    entry = next(f for f in files if f["filename"].lower() == wanted)
    data = urllib.request.urlopen(entry["url"], timeout=120).read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != project.sha256:
        pytest.fail(f"{entry['filename']}: sha256 {digest} != pinned {project.sha256}")
    target = dest / f"{project.name}-{project.version}.tar.gz"
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


def unpack_sdist(archive: Path, where: Path) -> Path:
    """Unpack ``archive`` into ``where`` (tarfile's ``data`` filter where it exists); its one top directory."""
    with tarfile.open(archive) as tar:
        kwargs: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(where, **kwargs)
    (root,) = [p for p in where.iterdir() if p.is_dir()]
    return root
