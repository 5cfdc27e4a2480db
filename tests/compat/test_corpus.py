"""Real projects: sdistguard builds what hatchling builds, and keeps out what pollutes a tree.

For each pinned PyPI project that builds with hatchling (its sdist is downloaded once into the
cache, sha256-checked, and unpacked into a temporary directory):

1. the sdist and the wheel are built in-process with hatchling's builder classes and with
   sdistguard's; the member lists and the core metadata (PKG-INFO / METADATA) must be identical;
2. the sdist sdistguard built is unpacked and built again: the same sdist and wheel members;
3. a copy of the tree is polluted the way a developer's checkout is (a venv under a non-default
   name, an in-project uv cache made by uv, a link to a file outside the tree at the root and inside
   the package, a nested directory whose ``.gitignore`` holds ``*``); sdistguard's member lists
   must equal the clean ones.

The projects cover hatch-vcs (version from PKG-INFO: an unpacked sdist has no .git), the vcs build
hook (version-file), hatch-fancy-pypi-readme, custom metadata and build hooks, artifacts, shared-data,
force-include, ``packages`` (hatchling's only-include + sources), and one explicit only-include +
sources variant.

Needs the package registry; deselect with ``-m "not corpus"``. Build plugins come with the ``test`` extra.
Cache: ``$SDISTGUARD_COMPAT_CACHE`` or ``~/.cache/sdistguard-compat`` (never committed).
``SDISTGUARD_COMPAT_BUILDERS=stock`` runs hatchling on both sides (a check of the harness itself).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder

from conftest import uv
from helpers.corpus import GUARDED_KIND, GUARDED_SDIST, GUARDED_WHEEL, Project, download_sdist, unpack_sdist

pytestmark = pytest.mark.corpus

CORPUS = [
    Project("attrs", "26.1.0", "d03ceb89cb322a8fd706d4fb91940737b6642aa36998fe130a9bc96c985eff32",
            "hatch-vcs, fancy-pypi-readme, packages=[src/attr, src/attrs] (only-include + sources)"),
    Project("jsonschema", "4.26.0", "0c26707e2efad8aa1bfc5b7ce170f3fccc2e4918ff85989ba9ffa9facb2be326",
            "hatch-vcs, fancy-pypi-readme (rst), wheel exclude"),
    Project("structlog", "26.1.0", "f63a716cbd1b1291cf7661de7794b455acfa4c43c5bcf1630e6ad5ddc1adb3b7",
            "hatch-vcs, fancy-pypi-readme fragments/substitutions"),
    Project("urllib3", "2.8.0", "63bf2ead4c879426ebf22ef2a781eeb4aa3b4ae798a0435506f8687fd5bb9b63",
            "hatch-vcs + vcs build hook (version-file), sdist include; its test server's throwaway TLS keys ship "
            "on purpose and are accepted through allow-secrets (SG602, never by weakening the rule)",
            extra_pyproject='\n[tool.sdistguard]\nallow-secrets = ["dummyserver/certs/*.key"]\n'),
    Project("fsspec", "2026.9.0", "0f08147951c8cb31d844c3547d631053b127863b60be04cf06e121333ee0e2fe",
            "hatch-vcs + vcs hook, exclude with a negation (!**/tests/abstract/)"),
    Project("platformdirs", "4.9.6", "3bfa75b0ad0db84096ae777218481852c0ebc6c727b3168c1b9e0118e458cf0a",
            "hatch-vcs + vcs hook, sdist include"),
    Project("pipx", "1.18.4", "7b871c2f00dd3cdbdeade21e76f58ef8c3315a68903ca7c976e20424fae78133",
            "custom build hook writing build/man, shared-data, hatch-vcs"),
    Project("mkdocs", "1.6.1", "7b432f01d928c084353ab39c57282f29f92136665bdd6abf7c1ec8d822ef86f2",
            "custom build hook compiling .mo files, artifacts, wheel exclude"),
    Project("jupyter_core", "5.9.1", "4d09aaff303b9566c3ce657f580bd089ff5c91f5f89cf7d8846c3cdf465b5508",
            "force-include (./jupyter.py)"),
    Project("pydantic", "2.14.3", "1054f237f4d4733e5a30e1e2333bd33a2004ab9ab1510bd053a9a31bb48e232d",
            "fancy-pypi-readme with regex substitutions, sdist include"),
    Project("httpx", "0.28.1", "75e98c5f16b0f35b567856f597f06ff2270a374470a5c2392242528e3e3e42fc",
            "fancy-pypi-readme, sdist include, version path; its netrc tests' fake .netrc fixtures ship on purpose "
            "and are named in keep (SG601 leaves credential files out unless keep names them)",
            extra_pyproject='\n[tool.sdistguard]\nkeep = ["tests/fixtures/.netrc*"]\n'),
    Project("opentelemetry_api", "1.45.2", "d7b0008e21e5fd61cbe7a7f34ca3b6905a78ab677d9bc395e299359c75cda6b4",
            "packages=[src/opentelemetry] (namespace package: only-include + sources)"),
    Project("openai", "3.9.0", "fea0fe63d04a27e9da588f673e291183fbf4813767e9df743e351bb548afc60b",
            "custom metadata hook, global include + sdist include globs; its mTLS tests' throwaway keys ship on "
            "purpose and are accepted through allow-secrets (SG602)",
            extra_pyproject='\n[tool.sdistguard]\nallow-secrets = ["tests/fixtures/mtls/*.key"]\n'),
    Project("starlette", "1.10.0", "b8399098d4c1e3522734f7235dc79b1fc967f96cf139c81e0fa30479e0685f9b",
            "all defaults"),
    Project("starlette", "1.10.0", "b8399098d4c1e3522734f7235dc79b1fc967f96cf139c81e0fa30479e0685f9b",
            "explicit only-include + sources (variant)", variant="only-include-sources",
            extra_pyproject=(
                "\n[tool.hatch.build.targets.wheel]\n"
                'only-include = ["starlette", "README.md"]\n'
                '[tool.hatch.build.targets.wheel.sources]\n"starlette" = "starlette_renamed"\n'
                '\n[tool.hatch.build.targets.sdist]\nonly-include = ["starlette", "tests", "README.md"]\n'
            )),
]


# --- download and unpack ------------------------------------------------------------------------


# --- building -----------------------------------------------------------------------------------


@dataclass
class Built:
    sdist_members: list[str]
    pkg_info: str
    wheel_members: list[str]
    metadata: str
    sdist_non_regular: list[str]
    sdist_path: str
    guard_findings: list[str] = field(default_factory=list)
    """``CODE path`` of every finding of the guard rules (names, credentials, secrets, size) of both builds."""


GUARD_CODES = ("SG402", "SG403", "SG404", "SG601", "SG602", "SG610", "SG611")
ACCEPTED_FINDINGS: dict[str, list[str]] = {}
"""Project id -> guard-rule findings accepted on the clean tree, each justified here (none so far)."""


def _build(root: Path, out: Path, sdist_cls: type, wheel_cls: type, monkeypatch: pytest.MonkeyPatch) -> Built:
    out.mkdir(parents=True, exist_ok=True)
    with monkeypatch.context() as m:
        m.chdir(root)  # some hooks resolve paths against the working directory, as under a frontend
        sdist_builder, wheel_builder = sdist_cls(str(root)), wheel_cls(str(root))
        (sdist_path,) = sdist_builder.build(directory=str(out / "sdist"), versions=["standard"])
        (wheel_path,) = wheel_builder.build(directory=str(out / "wheel"), versions=["standard"])
    guard_findings = [f"{found.code} {found.path}" for builder in (sdist_builder, wheel_builder)
                      for found in getattr(builder, "findings", []) if found.code in GUARD_CODES]
    with tarfile.open(sdist_path) as tar:
        members = tar.getmembers()
        names = [t.name for t in members]
        non_regular = [t.name for t in members if not t.isfile()]
        pkg_info_member = next(n for n in names if n.count("/") == 1 and n.endswith("/PKG-INFO"))
        pkg_info = tar.extractfile(pkg_info_member).read().decode()  # type: ignore[union-attr]
    with zipfile.ZipFile(wheel_path) as whl:
        wheel_names = whl.namelist()
        metadata_name = next(n for n in wheel_names if n.endswith(".dist-info/METADATA"))
        metadata = whl.read(metadata_name).decode()
    return Built(names, pkg_info, wheel_names, metadata, non_regular, sdist_path, guard_findings)


# --- pollution ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pollution(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv under a non-default name and an in-project uv cache, made once and copied per project.

    ``altenv`` is a real venv (``python -m venv --without-pip``: holds pyvenv.cfg, not a name
    hatchling knows); ``.uv-cache`` is the cache uv itself makes (CACHEDIR.TAG) while installing a
    small wheel into ``altenv``.
    """
    template = tmp_path_factory.mktemp("pollution")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(template / "altenv")], check=True)
    env = {**os.environ, "UV_CACHE_DIR": str(template / ".uv-cache"), "UV_NO_CONFIG": "1"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(
        [uv(), "pip", "install", "-q", "--python", str(template / "altenv" / "bin" / "python"), "six"],
        check=True, env=env,
    )
    assert (template / "altenv" / "pyvenv.cfg").is_file()
    assert (template / ".uv-cache" / "CACHEDIR.TAG").is_file()
    return template


def _package_dir(root: Path, wheel_members: list[str]) -> Path | None:
    """A source directory of a package the wheel ships (so pollution there reaches the wheel walk)."""
    for member in wheel_members:
        if member.endswith("/__init__.py") and ".dist-info/" not in member:
            top = member.split("/")[0]
            for candidate in (root / top, root / "src" / top):
                if (candidate / "__init__.py").is_file():
                    return candidate
            for init in sorted(root.rglob("__init__.py")):
                if init.parent.name == top:
                    return init.parent
    return None


def _pollute(root: Path, template: Path, outside: Path, wheel_members: list[str]) -> list[str]:
    shutil.copytree(template / "altenv", root / "altenv", symlinks=True)
    shutil.copytree(template / ".uv-cache", root / ".uv-cache", symlinks=True)
    (root / "leak.txt").symlink_to(outside)
    added = ["altenv/", ".uv-cache/", "leak.txt"]
    targets = [root]
    package = _package_dir(root, wheel_members)
    if package is not None:
        (package / "leak_secret.py").symlink_to(outside)
        added.append(str((package / "leak_secret.py").relative_to(root)))
        targets.append(package)
    for where in targets:
        scratch = where / "scratch_local"
        scratch.mkdir()
        (scratch / ".gitignore").write_text("*\n")
        (scratch / "notes.py").write_text("# local notes\n")
        (scratch / "dump.json").write_text("{}\n")
        added.append(str(scratch.relative_to(root)) + "/")
    return added


# --- the test -----------------------------------------------------------------------------------


@pytest.mark.parametrize("project", CORPUS, ids=lambda p: p.id)
def test_project_builds_like_hatchling(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pollution: Path
) -> None:
    for key, value in project.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    archive = download_sdist(project)
    root = unpack_sdist(archive, tmp_path / "src")
    if project.extra_pyproject:
        with open(root / "pyproject.toml", "a", encoding="utf-8") as f:
            f.write(project.extra_pyproject)
    polluted = tmp_path / "polluted" / root.name
    shutil.copytree(root, polluted, symlinks=True)

    stock = _build(root, tmp_path / "out-hatchling", SdistBuilder, WheelBuilder, monkeypatch)
    guarded = _build(root, tmp_path / "out-guarded", GUARDED_SDIST, GUARDED_WHEEL, monkeypatch)

    # hatch-vcs from an unpacked sdist: the version comes from PKG-INFO, not a fallback 0.0.
    assert f"\nVersion: {project.version}\n" in stock.pkg_info

    assert guarded.sdist_members == stock.sdist_members
    assert guarded.pkg_info == stock.pkg_info
    assert guarded.wheel_members == stock.wheel_members
    assert guarded.metadata == stock.metadata
    assert guarded.guard_findings == ACCEPTED_FINDINGS.get(project.id, [])
    if GUARDED_KIND == "guarded":
        assert guarded.sdist_non_regular == []
        # The round trip: an sdist rebuilt from its own unpacked contents has the same members.
        again = unpack_sdist(Path(guarded.sdist_path), tmp_path / "round-trip")
        rebuilt = _build(again, tmp_path / "out-round-trip", GUARDED_SDIST, GUARDED_WHEEL, monkeypatch)
        assert rebuilt.sdist_members == guarded.sdist_members
        assert rebuilt.wheel_members == guarded.wheel_members

    outside = tmp_path / "outside-secret.txt"
    outside.write_text("SECRET = 'must not ship'\n")
    added = _pollute(polluted, pollution, outside, stock.wheel_members)
    dirty = _build(polluted, tmp_path / "out-polluted", GUARDED_SDIST, GUARDED_WHEEL, monkeypatch)
    # The pollution is real: hatchling itself ships the in-package parts of it.
    leaky = _build(polluted, tmp_path / "out-polluted-hatchling", SdistBuilder, WheelBuilder, monkeypatch)
    if any("leak_secret.py" in a for a in added):
        assert any(m.endswith("/leak_secret.py") or m == "leak_secret.py" for m in leaky.wheel_members)
        assert any(m.endswith("scratch_local/notes.py") for m in leaky.wheel_members)
    if GUARDED_KIND != "guarded":
        pytest.skip(f"pollution check needs sdistguard's builders ({GUARDED_KIND}); added {added}")
    assert dirty.sdist_members == stock.sdist_members, f"pollution {added} leaked into the sdist"
    assert dirty.wheel_members == stock.wheel_members, f"pollution {added} leaked into the wheel"
    assert dirty.pkg_info == stock.pkg_info
    assert dirty.metadata == stock.metadata
