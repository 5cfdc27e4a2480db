"""Real projects as a developer has them: a git checkout, built clean and then polluted.

Each pinned project's published sdist (downloaded once into the cache, sha256-checked: see
``test_corpus.py``) is unpacked into a fresh git repository, committed whole (``git add -A``: what the
sdist holds, its ``.gitignore`` or none; ``git add -f`` for what only a nested ``.gitignore``
matches, which upstream tracks) and tagged ``v<version>`` (so hatch-vcs and
uv-dynamic-versioning read the release's version from git, as in a release checkout). The two clean
builds start from their own copies of that repository (a vcs build hook rewrites its version file,
which must not change what the other build sees); the polluted builds share a third copy. Then, per project:

- **clean**: sdistguard's sdist and wheel are hatchling's, byte for byte (or an entry in
  ``EXPECTED_DIFFERENCES`` says why not);
- **polluted** the way a developer's checkout is (``python -m venv --without-pip venv``, ``uv venv
  .venv2``, an in-project uv cache made by uv installing a one-module wheel into ``.venv2``
  offline, ``.env`` holding a fake token built at run time, ``node_modules/`` with a package):
  every member of hatchling's clean sdist and wheel is in sdistguard's polluted ones (what
  ``shared-data``, ``force-include``, ``artifacts`` and build hooks add ships), and nothing else is
  (the junk is left out);
- **the preview** (``sdistguard check --format json DIR`` on the polluted tree) reports no path
  that hatchling's own sdist of the polluted tree does not hold, reports every piece of pollution
  that sdist does hold, and fails on each piece the auditor fails that sdist on; run again by a
  venv holding sdistguard and hatchling's own requirements but none of the project's build plugins
  (as ``uvx sdistguard`` has them), it still answers (exit 0 or 1, never 2): a preview imports no
  hook and runs no version source.

A known defect of sdistguard is an ``xfail(strict=True)`` on exactly that (project, check) pair
(``KNOWN_DEFECTS``): when the fix lands the test XPASSes, which fails the run until the entry is
removed. The table in README.md lists the projects and their defects.

Needs the package registry for the first download (then the cache); deselect with ``-m "not
corpus"``. Build plugins come with the ``test`` extra.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder

from conftest import uv
from helpers.corpus import GUARDED_SDIST, GUARDED_WHEEL, Project, download_sdist, unpack_sdist
from sdistguard.audit import audit
from sdistguard.rules import RULES

pytestmark = pytest.mark.corpus

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class RepoProject:
    """A pinned published sdist, and how its repository is laid out.

    ``replace`` edits pyproject.toml (``(old, new)``, ``old`` must occur): only to switch off a build
    hook whose plugin is not installable here, the reason in ``covers``; ``append`` adds to it (a
    ``[tool.sdistguard]`` acknowledgement). ``subdir`` places the project
    in that directory of its repository, with ``root_gitignore`` as the repository's root .gitignore.
    """

    name: str
    version: str
    sha256: str
    covers: str
    replace: tuple[tuple[str, str], ...] = ()
    append: str = ""
    subdir: str = ""
    root_gitignore: str = ""

    @property
    def id(self) -> str:
        return self.name

    @property
    def pinned(self) -> Project:
        return Project(self.name, self.version, self.sha256, self.covers)


NO_SBOM = (("build.hooks.python-sbom = {}", "build.hooks.python-sbom = { enable-by-default = false }"),)
"""python-sbom (the hook writing an SBOM into .dist-info) is not on the index: switched off, hatchling's way."""

PROJECTS = [
    RepoProject("filelock", "4.3.2", "4f0a21c70447782453c06bb20a9863ee385ead1abaef22049af79289496851b3",
                "hatch-vcs + vcs hook (version-file), fancy-pypi-readme, sdist include list; python-sbom hook "
                "switched off (not installable here)", replace=NO_SBOM),
    RepoProject("pipx", "1.18.4", "7b871c2f00dd3cdbdeade21e76f58ef8c3315a68903ca7c976e20424fae78133",
                "custom build hook writing git-ignored build/man, shipped through shared-data; hatch-vcs"),
    RepoProject("tox", "4.67.16", "5aebaa21a648bb4c129724a2e7aeb4ce951f0d93a37f8709b630719fd5b78ab5",
                "custom build hook writing build/man, shared-data, sdist include list, vcs hook; python-sbom "
                "hook switched off (not installable here)", replace=NO_SBOM),
    RepoProject("virtualenv", "21.15.13", "f3ad23551343034e613f9c4d8279f282958a19729f5fc2bcb758afcf95fe3a01",
                "vcs hook, sdist include list; its custom build hook (hatch_build.py) is python-sbom's, "
                "switched off (not installable here)",
                replace=(('build.hooks.custom.path = "hatch_build.py"',
                          'build.hooks.custom.path = "hatch_build.py"\n'
                          "build.hooks.custom.enable-by-default = false"),)),
    RepoProject("nox", "2026.10.20", "5da57c009c3dfdd762c068d9079b17966ec967a9eb02cd8ebcf016a946eaf67f",
                "all defaults (a 4 MB sdist)"),
    RepoProject("scikit_build_core", "1.1.2", "7893709119c5ab1be75cd10442383132c9433b9f104dacef5185949efbea7974",
                "builds itself with hatchling + hatch-vcs, vcs hook, sdist exclude list, .git_archival.txt"),
    RepoProject("mkdocs", "1.6.1", "7b432f01d928c084353ab39c57282f29f92136665bdd6abf7c1ec8d822ef86f2",
                "custom build hook compiling .mo files (artifacts), wheel exclude"),
    RepoProject("mkdocs_material", "9.8.2", "005d942bdbfa22efa049f4818c31d42fb36bed6d362adb641dd7a2e948078f9d",
                "version and metadata from package.json (hatch-nodejs-version, no node needed), "
                "hatch-requirements-txt, include/exclude lists, node_modules in .gitignore"),
    RepoProject("ipykernel", "7.4.0", "4330114d22b9b33575b2c7c68753fc8faabbbcfbc60b0cdff9f14dd4ce63742f",
                "custom build hook writing the kernelspec (jupyter_client), shared-data, force-include"),
    RepoProject("jupyter_core", "5.9.1", "4d09aaff303b9566c3ce657f580bd089ff5c91f5f89cf7d8846c3cdf465b5508",
                "force-include (./jupyter.py)"),
    RepoProject("cattrs", "26.2.1", "679132bfdc225c5ee40c024fc42519954767c387f950dc6751946c586bccdc6d",
                "hatch-vcs, packages=[src/cattr, src/cattrs]"),
    RepoProject("stamina", "26.1.0", "0214d05fdf5102c518194a4aac7520ce53cf660550ae3b940701aad88cf50c17",
                "hatch-vcs, fancy-pypi-readme fragments from README and CHANGELOG (a metadata hook)"),
    RepoProject("openai", "3.9.0", "fea0fe63d04a27e9da588f673e291183fbf4813767e9df743e351bb548afc60b",
                "custom metadata hook, global + sdist include globs; its mTLS test keys need allow-secrets",
                append='\n[tool.sdistguard]\nallow-secrets = ["tests/fixtures/mtls/*.key"]\n'),
    RepoProject("logfire_api", "5.6.0", "e2341041ebe7bb0283d41e5defa03655f04706b2eeede9b89b6fc23b955ee565",
                "a project in a subdirectory of its repository (logfire-api/, its own .gitignore), below a "
                "root .gitignore that ignores the pollution", subdir="logfire-api",
                root_gitignore="venv/\n.venv*/\n.uv-cache/\n.env\nnode_modules/\n"),
    RepoProject("mcp", "2.3.0", "8b147a50441cf059dc88c684e0aeed3687f0aa0f39c6cde7b90330effd2b34d8",
                "uv-dynamic-versioning (version source and metadata hook), tracked files its root "
                ".gitignore matches (examples/*/.python-version)"),
]

EXPECTED_DIFFERENCES: dict[str, tuple[tuple[str, ...], str]] = {
    "nox": (("docs/CHANGELOG.md", "docs/CONTRIBUTING.md", "tests/resources/sym_dir/noxfile.py"),
            "three in-project links (docs/CHANGELOG.md -> ../CHANGELOG.md, ...): hatchling writes symlink "
            "members, sdistguard regular files with the targets' bytes (SG204, by design: link members break "
            "on Windows)"),
}
"""Project id -> (sdist members, reason): where sdistguard's clean sdist may differ from hatchling's in bytes.

Every other member must be equal in name, type, mode, mtime and content, the listed ones written as
regular files holding their link's target; the wheels stay identical."""

CLEAN, SHIPS, JUNK, RUNS_NOTHING, PREVIEW_ONLY, PREVIEW_ALL, PREVIEW_VERDICT = (
    "clean", "ships", "junk", "runs-nothing", "preview-only", "preview-all", "preview-verdict")

KNOWN_DEFECTS: dict[tuple[str, str], str] = {}
"""(project id, check) -> the known defect of sdistguard that fails that check (an xfail, strict). Empty: the
27 defects this corpus found when it was written are fixed: hook-generated files in a git-ignored directory
named by shared-data or force-include, a preview that ran project code, a preview claiming what hatchling never
ships, links inside a directory left out whole, a .gitignore above the root called "below the root", and a uv
venv or cache that hatchling ships labelled by the nested .gitignore uv writes into it."""


def _cases(check: str) -> list[object]:
    return [
        pytest.param(project, id=project.id, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[key])]
                     if (key := (project.id, check)) in KNOWN_DEFECTS else [])
        for project in PROJECTS
    ]


# --- the repository -------------------------------------------------------------------------------

GIT_DATE = "2026-01-01T00:00:00+00:00"


def _git(where: Path, *args: str, stdin: str = "") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": GIT_DATE, "GIT_COMMITTER_DATE": GIT_DATE}
    return subprocess.run(
        ["git", "-c", "gc.auto=0", "-c", "core.looseCompression=1", "-C", str(where), *args],
        check=True, env=env, input=stdin, capture_output=True, text=True,
    ).stdout


def _ignored_below_root(where: Path) -> str:
    """Untracked files that git ignores but the root .gitignore alone does not match (one per line)."""
    listing = ["ls-files", "-z", "--others", "--ignored"]
    ignored = set(_git(where, *listing, "--exclude-standard").split("\0")) - {""}
    root_only = ["--exclude-from=.gitignore"] if (where / ".gitignore").is_file() else ["--exclude=.git"]
    by_root = set(_git(where, *listing, *root_only).split("\0")) - {""}
    return "".join(f"{path}\n" for path in sorted(ignored - by_root))


def _repository(project: RepoProject, where: Path) -> Path:
    """The project's repository at ``where``: the sdist unpacked, committed and tagged; returns the project root."""
    unpacked = unpack_sdist(download_sdist(project.pinned), where.parent / f"{where.name}-unpacked")
    root = where / project.subdir if project.subdir else where
    root.parent.mkdir(parents=True, exist_ok=True)
    unpacked.rename(root)
    if project.root_gitignore:
        (where / ".gitignore").write_text(project.root_gitignore)
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    for old, new in project.replace:
        assert old in text, f"{project.id}: {old!r} not in pyproject.toml"
        text = text.replace(old, new, 1)
    (root / "pyproject.toml").write_text(text + project.append, encoding="utf-8")
    _git(where, "init", "-q")
    _git(where, "add", "-A")
    # What only a nested .gitignore matches but the sdist holds (scikit-build-core's ignore-handling
    # fixtures) is tracked upstream: hatchling reads the root .gitignore alone, so it shipped.
    if below := _ignored_below_root(where):
        _git(where, "--literal-pathspecs", "add", "-f", "--pathspec-from-file=-", stdin=below)
    _git(where, "commit", "-q", "-m", f"{project.name} {project.version} from its sdist")
    _git(where, "tag", f"v{project.version}")
    return root


def _copy(repository: Path, root: Path, to: Path) -> Path:
    """A copy of the repository at ``to`` (links kept as links); returns the project root in it.

    git's objects never change once written, and no build writes a file git tracks (``_untouched``
    checks it after the builds): both are hard-linked, as ``git clone --local`` links objects. Every
    other file is copied.
    """
    linked = {os.path.join(repository, name) for name in _git(repository, "ls-files", "-z").split("\0") if name}
    objects = str(repository / ".git" / "objects") + os.sep

    def copy(source: str, target: str) -> object:
        if source.startswith(objects) or source in linked:
            os.link(source, target)
            return target
        return shutil.copy2(source, target)

    shutil.copytree(repository, to, symlinks=True, copy_function=copy)
    return to / root.relative_to(repository)


def _untouched(tree: Path) -> None:
    """No tracked file of the checkout at ``tree`` was changed (the copies hard-link them)."""
    assert _git(tree, "status", "--porcelain", "--untracked-files=no") == "", f"a build changed {tree}"


# --- pollution ------------------------------------------------------------------------------------

POLLUTION = ("venv/", ".venv2/", ".uv-cache/", ".env", "node_modules/")
UNTRACKED_SHIPS = ("node_modules/",)
"""Pollution no sdistguard rule names: unless git ignores it, it is an untracked file git would commit, and
ships as with hatchling (docs/git.md, ``untracked = "include"``, the default)."""


def _git_ignores(root: Path, path: str) -> bool:
    done = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", path], check=False)
    assert done.returncode in (0, 1), done
    return done.returncode == 0


def _fake_token() -> str:
    """A GitHub classic token's shape (prefix and 36 base62 characters), made here so the repository holds none."""
    return "gh" + "p_" + hashlib.sha256(b"sdistguard corpus").hexdigest()[:36]


@pytest.fixture(scope="module")
def small_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-module wheel built here by hatchling: what uv installs (offline) to fill an in-project cache."""
    project = tmp_path_factory.mktemp("small-wheel")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "left-pad"\nversion = "1.3.0"\n'
    )
    (project / "left_pad").mkdir()
    (project / "left_pad" / "__init__.py").write_text("def pad(s, n):\n    return str(s).rjust(n)\n")
    (wheel,) = WheelBuilder(str(project)).build(directory=str(project / "dist"), versions=["standard"])
    return Path(wheel)


def _pollute(root: Path, wheel: Path) -> None:
    """A developer's leftovers in the project root: two real venvs, a real uv cache, .env, node_modules/."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_CACHE_DIR")}
    env.update(UV_CACHE_DIR=str(root / ".uv-cache"), UV_NO_CONFIG="1")
    subprocess.run([uv(), "venv", "-q", "--python", sys.executable, str(root / ".venv2")], check=True, env=env)
    subprocess.run(
        [uv(), "pip", "install", "-q", "--offline", "--no-deps", "--python", str(root / ".venv2"), str(wheel)],
        check=True, env=env,
    )
    (root / ".env").write_text(f"GITHUB_TOKEN={_fake_token()}\n")
    package = root / "node_modules" / "left-pad"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"name": "left-pad", "version": "1.3.0"}\n')
    (package / "index.js").write_text("module.exports = (s, n) => String(s).padStart(n);\n")
    for made in ("venv/pyvenv.cfg", ".venv2/pyvenv.cfg", ".uv-cache/CACHEDIR.TAG"):
        assert (root / made).is_file(), made
    assert list((root / ".venv2").glob("lib/python*/site-packages/left_pad/__init__.py"))


# --- building -------------------------------------------------------------------------------------


@dataclass
class Artifacts:
    sdist: Path
    wheel: Path | None

    def sdist_members(self) -> set[str]:
        """Member names below the sdist's top-level directory (directories as ``name/``)."""
        with tarfile.open(self.sdist) as tar:
            return {m.name.split("/", 1)[1] + ("/" if m.isdir() else "") for m in tar.getmembers() if "/" in m.name}

    def wheel_members(self) -> set[str]:
        assert self.wheel is not None
        with zipfile.ZipFile(self.wheel) as whl:
            return set(whl.namelist())


def _build(root: Path, out: Path, sdist_cls: type, wheel_cls: type | None) -> Artifacts:
    """One sdist and (unless ``wheel_cls`` is None) one wheel of ``root``, built in-process from ``root``."""
    cwd = os.getcwd()
    os.chdir(root)  # some hooks resolve paths against the working directory, as under a frontend
    try:
        (sdist,) = sdist_cls(str(root)).build(directory=str(out / "sdist"), versions=["standard"])
        wheel = None
        if wheel_cls is not None:
            (wheel,) = wheel_cls(str(root)).build(directory=str(out / "wheel"), versions=["standard"])
    finally:
        os.chdir(cwd)
    return Artifacts(Path(sdist), Path(wheel) if wheel else None)


@dataclass
class Preview:
    """What ``sdistguard check --format json DIR`` said: exit code, stderr, and each finding's path and verdict."""

    returncode: int
    stderr: str
    paths: list[str]
    fails: list[str]
    """``CODE path`` of each finding that fails the check."""

    def answered(self) -> None:
        assert self.returncode in (0, 1), f"check DIR exited {self.returncode}: {self.stderr.strip()[-2000:]}"


@dataclass
class Outcome:
    project: RepoProject
    clean_hatchling: Artifacts
    clean_guarded: Artifacts
    polluted_guarded: Artifacts
    polluted_hatchling: Artifacts
    preview: Preview
    """The preview of the polluted tree, run by this interpreter (the build plugins importable)."""
    bare_preview: Preview
    """``sdistguard check --format json DIR`` on the polluted tree, run by :func:`preview_python`."""
    committable: tuple[str, ...]
    """The entries of :data:`UNTRACKED_SHIPS` that git does not ignore in the polluted tree."""

    def committable_members(self, members: set[str]) -> set[str]:
        return {m for m in members if any(m.startswith(entry) for entry in self.committable)}


@pytest.fixture(scope="module")
def preview_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv holding sdistguard (this source tree) and hatchling with its requirements, and nothing else.

    Built without pip (``--without-pip``): its site-packages links to the installed distributions
    (their packages and .dist-info), so no build plugin is there and hatchling finds none.
    """
    env = tmp_path_factory.mktemp("preview-venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    (site,) = (env / "lib").glob("python*/site-packages")
    for name in ("hatchling", "packaging", "pathspec", "pluggy", "trove-classifiers"):
        dist = importlib.metadata.distribution(name)
        tops = {Path(str(f)).parts[0] for f in dist.files or () if not str(f).startswith("..")}
        for top in sorted(tops - {"__pycache__"}):
            source = Path(str(dist.locate_file(top)))
            if source.exists() and not (site / top).exists():
                (site / top).symlink_to(source)
    (site / "sdistguard-src.pth").write_text(str(REPO / "src") + "\n")
    return env / "bin" / "python"


def _preview(python: Path, root: Path) -> Preview:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [str(python), "-m", "sdistguard", "check", "--format", "json", str(root)],
        capture_output=True, text=True, env=env, cwd=root,
    )
    paths: list[str] = []
    fails: list[str] = []
    if done.returncode in (0, 1):
        (entry,) = json.loads(done.stdout)["inputs"]
        paths = [found["path"] for found in entry["findings"]]
        fails = [f"{found['code']} {found['path']}" for found in entry["findings"] if found["fails"]]
        fails += [f"refused {refused}" for refused in entry["refused"]]
    return Preview(done.returncode, done.stderr, paths, fails)


@pytest.fixture(scope="module")
def outcome(
    tmp_path_factory: pytest.TempPathFactory, preview_python: Path, small_wheel: Path
) -> Callable[[RepoProject], Outcome]:
    """Builds each project once (seven artifacts, two previews), on first use by any check; a failure is kept."""
    done: dict[str, Outcome | BaseException] = {}

    def make(project: RepoProject) -> Outcome:
        base = tmp_path_factory.mktemp(project.id)
        repository = base / "repository"
        root = _repository(project, repository)
        # Copies are made before any build: a vcs hook rewrites its version file in the tree it builds.
        guarded_clean = _copy(repository, root, base / "clean-guarded")
        polluted = _copy(repository, root, base / "polluted")
        clean_h = _build(root, base / "out-clean-h", SdistBuilder, WheelBuilder)
        clean_g = _build(guarded_clean, base / "out-clean-g", GUARDED_SDIST, GUARDED_WHEEL)
        _pollute(polluted, small_wheel)
        bare_preview = _preview(preview_python, polluted)
        preview = _preview(Path(sys.executable), polluted)
        # Both polluted builds share the tree: what the first one's hooks generate, the second's regenerate.
        polluted_g = _build(polluted, base / "out-polluted-g", GUARDED_SDIST, GUARDED_WHEEL)
        polluted_h = _build(polluted, base / "out-polluted-h", SdistBuilder, None)
        committable = tuple(entry for entry in UNTRACKED_SHIPS if not _git_ignores(polluted, entry))
        for tree in (repository, base / "clean-guarded", base / "polluted"):
            _untouched(tree)
            shutil.rmtree(tree)  # only the artifacts are read later
        return Outcome(project, clean_h, clean_g, polluted_g, polluted_h, preview, bare_preview, committable)

    def get(project: RepoProject) -> Outcome:
        if project.id not in done:
            try:
                done[project.id] = make(project)
            except Exception as error:
                done[project.id] = error
                raise
        got = done[project.id]
        if isinstance(got, BaseException):
            pytest.fail(f"{project.id}: building failed in an earlier check: {got!r}")
        return got

    return get


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


# --- the checks -----------------------------------------------------------------------------------


def _tar_entries(sdist: Path, linked: tuple[str, ...]) -> list[tuple[object, ...]]:
    """Each member's (name, type, mode, mtime, bytes); ``linked`` members (below the top) as regular files."""
    entries: list[tuple[object, ...]] = []
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            if member.name.split("/", 1)[-1] in linked:
                assert member.issym() or member.isfile(), member.name
                data = tar.extractfile(member)  # follows a symlink member to its target
                assert data is not None
                entries.append((member.name, "file", "any mode", member.mtime, data.read()))
                continue
            data = tar.extractfile(member) if member.isfile() else None
            entries.append((member.name, member.type, member.mode, member.mtime, data.read() if data else None))
    return entries


@pytest.mark.parametrize("project", _cases(CLEAN))
def test_clean_checkout_builds_hatchlings_bytes(
    project: RepoProject, outcome: Callable[[RepoProject], Outcome]
) -> None:
    got = outcome(project)
    hatchling_sdist, guarded_sdist = got.clean_hatchling, got.clean_guarded
    with tarfile.open(hatchling_sdist.sdist) as tar:
        pkg_info = tar.extractfile(f"{tar.getnames()[0].split('/')[0]}/PKG-INFO").read().decode()  # type: ignore[union-attr]
    assert f"\nVersion: {project.version}\n" in pkg_info
    assert sorted(guarded_sdist.sdist_members()) == sorted(hatchling_sdist.sdist_members())
    assert sorted(guarded_sdist.wheel_members()) == sorted(hatchling_sdist.wheel_members())
    if project.id in EXPECTED_DIFFERENCES:
        linked, _reason = EXPECTED_DIFFERENCES[project.id]
        assert _tar_entries(guarded_sdist.sdist, linked) == _tar_entries(hatchling_sdist.sdist, linked)
    else:
        assert guarded_sdist.sdist.read_bytes() == hatchling_sdist.sdist.read_bytes()
    assert guarded_sdist.wheel is not None and hatchling_sdist.wheel is not None
    assert guarded_sdist.wheel.read_bytes() == hatchling_sdist.wheel.read_bytes()


@pytest.mark.parametrize("project", _cases(SHIPS))
def test_polluted_checkout_ships_every_named_and_generated_file(
    project: RepoProject, outcome: Callable[[RepoProject], Outcome]
) -> None:
    got = outcome(project)
    assert sorted(got.clean_hatchling.sdist_members() - got.polluted_guarded.sdist_members()) == []
    assert sorted(got.clean_hatchling.wheel_members() - got.polluted_guarded.wheel_members()) == []


@pytest.mark.parametrize("project", _cases(JUNK))
def test_polluted_checkout_leaves_the_junk_out(project: RepoProject, outcome: Callable[[RepoProject], Outcome]) -> None:
    got = outcome(project)
    extra_sdist = got.polluted_guarded.sdist_members() - got.clean_hatchling.sdist_members()
    # An untracked node_modules/ git would commit ships, but only where hatchling's own sdist has it too.
    ships_anyway = got.committable_members(got.polluted_hatchling.sdist_members())
    assert sorted(extra_sdist - ships_anyway) == []
    extra_wheel = got.polluted_guarded.wheel_members() - got.clean_hatchling.wheel_members()
    assert sorted(m for m in extra_wheel if not any(part + "/" in got.committable for part in m.split("/"))) == []


def _holds(members: set[str], path: str) -> bool:
    """Whether ``path`` (a file, or a directory ending with ``/``; ``""`` is the project) is in the members."""
    if path in ("", "."):
        return True
    directory = path if path.endswith("/") else path + "/"
    return path in members or any(m.startswith(directory) for m in members)


@pytest.mark.parametrize("project", _cases(PREVIEW_ONLY))
def test_preview_reports_only_what_hatchling_ships(
    project: RepoProject, outcome: Callable[[RepoProject], Outcome]
) -> None:
    got = outcome(project)
    got.preview.answered()
    shipped = got.polluted_hatchling.sdist_members()
    assert [path for path in got.preview.paths if not _holds(shipped, path)] == []


@pytest.mark.parametrize("project", _cases(PREVIEW_ALL))
def test_preview_reports_the_pollution_hatchling_ships(
    project: RepoProject, outcome: Callable[[RepoProject], Outcome]
) -> None:
    got = outcome(project)
    shipped = got.polluted_hatchling.sdist_members()
    got.preview.answered()
    reported = got.preview.paths
    missed = [junk for junk in POLLUTION if _holds(shipped, junk) and junk not in got.committable
              and not any(path == junk or path.startswith(junk) or junk.startswith(path.rstrip("/") + "/")
                          for path in reported if path)]
    assert missed == []


@pytest.mark.parametrize("project", _cases(RUNS_NOTHING))
def test_preview_answers_without_the_projects_build_plugins(
    project: RepoProject, outcome: Callable[[RepoProject], Outcome]
) -> None:
    """A preview imports no hook and runs no version source: it needs none of the project's build plugins."""
    outcome(project).bare_preview.answered()


@pytest.mark.parametrize("project", _cases(PREVIEW_VERDICT))
def test_preview_fails_where_hatchlings_sdist_fails(
    project: RepoProject, outcome: Callable[[RepoProject], Outcome]
) -> None:
    """Each piece of pollution the auditor fails in hatchling's own sdist of the polluted tree, the preview fails on."""
    got = outcome(project)
    got.preview.answered()
    found_in_sdist = audit(str(got.polluted_hatchling.sdist))
    failing = [path.split(" ", 1)[1] for path in got.preview.fails if " " in path]
    understated = []
    for junk in POLLUTION:
        leaks = [f"{found.code} {found.path}" for found in found_in_sdist
                 if not RULES[found.code].advisory and _holds({found.path}, junk)]
        if leaks and not any(_holds({path}, junk) or junk.startswith(path) for path in failing if path):
            understated.append(f"{junk}: hatchling's sdist fails on {leaks[:3]}, the preview does not fail on it")
    assert understated == []
