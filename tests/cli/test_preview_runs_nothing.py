"""The preview (``sdistguard check DIR``, ``sdistguard explain``) runs nothing of the project.

A real project whose metadata hook and build hook (``hatch_build.py``), whose ``source = "code"``
version file and whose repository's ``core.fsmonitor`` each append a line to a marker file when they
run; the real command, as a subprocess, must leave no marker and still report. The markers are
proven to work: hatchling's own metadata and ``git status`` write them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import members, write_project
from helpers.git import git
from sdistguard.builders import preview_project
from sdistguard.builders.static import ProjectPreview

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

HOOKED = """\
[tool.hatch.version]
source = "code"
path = "src/demo/_version.py"

[tool.hatch.metadata.hooks.custom]

[tool.hatch.build.hooks.custom]
path = "build_hooks.py"

[tool.hatch.build.targets.wheel.hooks.custom]
path = "build_hooks.py"
"""

HATCH_BUILD = """\
import os

from hatchling.metadata.plugin.interface import MetadataHookInterface

MARKERS = {markers!r}


def mark(name):
    with open(os.path.join(MARKERS, name), "a") as file:
        file.write("ran\\n")


mark("hatch_build-imported")


class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata):
        mark("metadata-hook")
        metadata["readme"] = {{"content-type": "text/markdown", "text": "assembled by a hook"}}
"""

BUILD_HOOKS = """\
import os

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MARKERS = {markers!r}


def mark(name):
    with open(os.path.join(MARKERS, name), "a") as file:
        file.write("ran\\n")


mark("build_hooks-imported")


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        mark("build-hook")
"""

VERSION_FILE = """\
import os

with open(os.path.join({markers!r}, "version-source"), "a") as file:
    file.write("ran\\n")
__version__ = "1.2.3"
"""

FSMONITOR = """\
#!/bin/sh
echo "$@" >> {marker}
"""


def hooked_project(tmp_path: Path, *, hooks: str = HOOKED) -> tuple[Path, Path]:
    """``(root, markers)``: the project, committed, with ``core.fsmonitor`` set after the commit."""
    markers = tmp_path / "markers"
    markers.mkdir()
    root = write_project(tmp_path / "project", extra=hooks)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.0"\nreadme = "README.md"\n',
                                                       'dynamic = ["version", "readme"]\n'))
    (root / "hatch_build.py").write_text(HATCH_BUILD.format(markers=str(markers)))
    (root / "build_hooks.py").write_text(BUILD_HOOKS.format(markers=str(markers)))
    (root / "src" / "demo" / "_version.py").write_text(VERSION_FILE.format(markers=str(markers)))
    (root / "sub").mkdir()
    (root / "sub" / ".gitignore").write_text("*.tmp\n")
    (root / "sub" / "keep.tmp").write_text("tracked, though an ignore line matches it\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "add", "-f", "sub/keep.tmp")
    git(root, "commit", "-qm", "init")
    (root / "sub" / "scratch.tmp").write_text("ignored by git: check-ignore names the line\n")
    script = tmp_path / "fsmonitor.sh"
    script.write_text(FSMONITOR.format(marker=markers / "fsmonitor"))
    script.chmod(0o755)
    git(root, "config", "core.fsmonitor", str(script))
    return root, markers


def sdistguard(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sdistguard", *arguments], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


def test_check_dir_and_explain_run_no_hook_no_version_source_and_no_git_config(tmp_path: Path) -> None:
    root, markers = hooked_project(tmp_path)
    for backend in ("sdistguard.build", "hatchling.build"):  # both branches of check DIR
        pyproject = root / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('"sdistguard.build"', f'"{backend}"'))
        checked = sdistguard("check", str(root), cwd=tmp_path)
        assert checked.returncode in (0, 1), checked.stderr
        assert 'demo <unknown: dynamic, source = "code">; readme <unknown: dynamic, set by metadata hook ' \
               '"custom">' in checked.stdout
        document = json.loads(sdistguard("check", "--format", "json", str(root), cwd=tmp_path).stdout)
        assert document["inputs"][0]["project"] == {
            "name": "demo", "version": '<unknown: dynamic, source = "code">',
            "unknown": {"version": 'dynamic, source = "code"', "readme": 'dynamic, set by metadata hook "custom"'}}
    explained = sdistguard("explain", "src/demo/__init__.py", "sub/keep.tmp", "sub/scratch.tmp", cwd=root)
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.splitlines()[0] == (
        'not known without running the project (explain runs none of it): demo <unknown: dynamic, source = "code">; '
        'readme <unknown: dynamic, set by metadata hook "custom">')
    assert "tracked by git: git never ignores a tracked file (sub/.gitignore:1: *.tmp would)" in explained.stdout
    assert "by sub/.gitignore:1: *.tmp" in explained.stdout
    as_json = json.loads(sdistguard("explain", "--format", "json", "README.md", cwd=root).stdout)
    assert as_json["project"]["version"] == '<unknown: dynamic, source = "code">'
    assert sorted(os.listdir(markers)) == []


def test_the_markers_are_written_when_the_project_or_its_git_config_runs(tmp_path: Path) -> None:
    """The fixture can fail the test above: hatchling's own metadata and a plain `git status` write every marker."""
    root, markers = hooked_project(tmp_path)
    code = ("from hatchling.metadata.core import ProjectMetadata; from hatchling.plugin.manager import PluginManager;"
            f"print(ProjectMetadata({str(root)!r}, PluginManager()).core.readme)")
    assert "assembled by a hook" in subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                   check=True).stdout
    git(root, "status")
    assert sorted(os.listdir(markers)) == ["fsmonitor", "hatch_build-imported", "metadata-hook", "version-source"]


def test_the_build_runs_its_hooks_but_not_the_repositorys_fsmonitor(tmp_path: Path, build_in) -> None:
    root, markers = hooked_project(tmp_path)
    sdist = build_in(root)
    assert sdist.name == "demo-1.2.3.tar.gz"
    assert "sub/keep.tmp" in members(sdist) and "sub/scratch.tmp" not in members(sdist)
    assert {"build_hooks-imported", "build-hook"} <= set(os.listdir(markers))  # a real build: hooks run
    assert "fsmonitor" not in os.listdir(markers)


def _plugin_installed(name: str) -> bool:
    from hatchling.plugin.manager import PluginManager

    return PluginManager().metadata_hook.get(name) is not None


@pytest.mark.skipif(_plugin_installed("uv-dynamic-versioning"), reason="the plugin must be absent beside the command")
def test_a_project_whose_metadata_plugin_is_not_installed_still_gets_a_preview(tmp_path: Path) -> None:
    """mcp's configuration: uv-dynamic-versioning as version source and metadata hook, not installed here."""
    hooks = """\
    [tool.hatch.version]
    source = "uv-dynamic-versioning"

    [tool.hatch.metadata.hooks.uv-dynamic-versioning]
    dependencies = ["demo-core=={{ version }}"]
    """
    root, markers = hooked_project(tmp_path, hooks=textwrap.dedent(hooks))
    (root / "venv").mkdir()
    (root / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"sdistguard.build"', '"hatchling.build"'))
    checked = sdistguard("check", str(root), cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr  # the venv hatchling would ship: a real finding, not exit 2
    assert "SG101 venv/: " in checked.stdout
    assert 'demo <unknown: dynamic, source = "uv-dynamic-versioning">; readme <unknown: dynamic, set by metadata ' \
           'hook "uv-dynamic-versioning">' in checked.stdout
    explained = sdistguard("explain", "venv", cwd=root)
    assert explained.returncode == 0, explained.stderr
    assert "SG101 venv at venv/" in explained.stdout
    assert sorted(os.listdir(markers)) == []


@pytest.mark.parametrize(("extra_project", "hatch", "files", "expected"), [
    ('version = "1.0.0"', "", {}, ProjectPreview("demo", "1.0.0")),
    ('dynamic = ["version"]', '[tool.hatch.version]\npath = "src/demo/v.py"\n',
     {"src/demo/v.py": "__version__ = '2.0'\n"}, ProjectPreview("demo", "2.0")),
    ('dynamic = ["version"]', '[tool.hatch.version]\nsource = "env"\nvariable = "DEMO_PREVIEW_VERSION"\n', {},
     ProjectPreview("demo", "3.0")),
    ('dynamic = ["version"]', '[tool.hatch.version]\nsource = "code"\npath = "src/demo/v.py"\n',
     {"src/demo/v.py": "raise SystemExit('ran')\n"},
     ProjectPreview("demo", None, {"version": 'dynamic, source = "code"'})),
    ('dynamic = ["version"]', '[tool.hatch.version]\nsource = "vcs"\n', {},
     ProjectPreview("demo", None, {"version": 'dynamic, source = "vcs"'})),
    ('dynamic = ["version", "dependencies"]', "[tool.hatch.metadata.hooks.custom]\n", {},
     ProjectPreview("demo", None, {"version": 'dynamic, set by metadata hook "custom"',
                                   "dependencies": 'dynamic, set by metadata hook "custom"'})),
    ('dynamic = ["version"]', '[tool.hatch.version]\nsource = "vcs"\n',
     {"PKG-INFO": "Metadata-Version: 2.4\nName: demo\nVersion: 4.0\n"}, ProjectPreview("demo", "4.0")),
    ('dynamic = ["version"]', '[tool.hatch.version]\npath = "missing.py"\n', {},
     ProjectPreview("demo", None, {"version": 'dynamic, source = "regex": file missing.py cannot be read: '
                                              'No such file or directory'})),
])
def test_the_version_is_read_only_where_reading_runs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            extra_project: str, hatch: str, files: dict[str, str],
                                                            expected: ProjectPreview) -> None:
    monkeypatch.setenv("DEMO_PREVIEW_VERSION", "3.0")
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(f'[project]\nname = "demo"\n{extra_project}\n{hatch}')
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    assert preview_project(str(root)) == expected


def test_a_version_file_that_is_a_fifo_is_unknown_not_a_hang(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\ndynamic = ["version"]\n'
                                         '[tool.hatch.version]\npath = "v.py"\n')
    os.mkfifo(root / "v.py")
    assert preview_project(str(root)) == ProjectPreview(
        "demo", None, {"version": 'dynamic, source = "regex": file v.py is not a regular file'})


def partial_clone_project(tmp_path: Path) -> tuple[Path, Path]:
    """``(root, marker)``: a committed project made a partial clone whose root ``.gitignore`` blob is missing.

    The ``.gitignore`` is skip-worktree and absent from the work tree, so git reads it from the index and, the
    blob being missing, lazily fetches it from the promisor remote: an ``ext::`` URL (allowed by the
    repository's own ``protocol.ext.allow``) that runs a shell command.
    """
    marker = tmp_path / "lazy-fetch-ran"
    root = write_project(tmp_path / "project")
    (root / ".gitignore").write_text("*.tmp\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")
    blob = git(root, "rev-parse", "HEAD:.gitignore").strip()
    git(root, "update-index", "--skip-worktree", ".gitignore")
    (root / ".gitignore").unlink()
    (root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    git(root, "config", "core.repositoryformatversion", "1")
    git(root, "config", "extensions.partialClone", "origin")
    git(root, "config", "remote.origin.promisor", "true")
    git(root, "config", "remote.origin.url", f"ext::sh -c touch% {marker}")
    git(root, "config", "protocol.ext.allow", "always")
    (root / "scratch.tmp").write_text("untracked\n")
    return root, marker


def test_a_partial_clones_lazy_fetch_never_runs_the_repositorys_remote(tmp_path: Path, build_in) -> None:
    root, marker = partial_clone_project(tmp_path)
    checked = sdistguard("check", str(root), cwd=tmp_path)
    assert checked.returncode in (0, 1), checked.stderr
    explained = sdistguard("explain", "scratch.tmp", cwd=root)
    assert explained.returncode == 0, explained.stderr
    build_in(root)
    assert not marker.exists()
    subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=root, capture_output=True, check=False)
    assert marker.exists()  # the fixture can fail the assertion above: git itself runs the remote's command


@pytest.mark.parametrize(("hatch", "expected"), [
    ('source = "env"\nvariable = "DEMO_CI_TOKEN"\n', 'dynamic, source = "env": not a PEP 440 version'),
    ('path = "/proc/self/environ"\npattern = "DEMO_CI_TOKEN=(?P<version>[^\\\\x00]*)"\n',
     'dynamic, source = "regex": file /proc/self/environ is outside the project (not read)'),
    ('path = "../../../../../../../../proc/self/environ"\npattern = "DEMO_CI_TOKEN=(?P<version>[^\\\\x00]*)"\n',
     'dynamic, source = "regex": file ../../../../../../../../proc/self/environ is outside the project (not read)'),
    ('path = "environ"\npattern = "DEMO_CI_TOKEN=(?P<version>[^\\\\x00]*)"\n',
     'dynamic, source = "regex": file environ is outside the project (not read)'),
    ('path = "v.txt"\npattern = "(?P<version>.*)"\n', 'dynamic, source = "regex": not a PEP 440 version'),
])
def test_a_version_source_never_echoes_what_it_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hatch: str,
                                                    expected: str) -> None:
    """A pull request's pyproject.toml must not make ``check DIR`` print an environment variable or a file."""
    monkeypatch.setenv("DEMO_CI_TOKEN", "ghp_notaversion0123456789abcdefghijklmnop")
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(f'[project]\nname = "demo"\ndynamic = ["version"]\n'
                                         f'[tool.hatch.version]\n{hatch}')
    (root / "environ").symlink_to("/proc/self/environ")
    (root / "v.txt").write_text("ghp_notaversion0123456789abcdefghijklmnop\n")
    preview = preview_project(str(root))
    assert preview == ProjectPreview("demo", None, {"version": expected})
    assert "ghp_" not in json.dumps(preview.as_json())
