"""git's listing, started by the build hooks before anything loads, is read only when it still tells the truth.

The hooks start ``git ls-files`` first (:func:`sdistguard.git.vcs.start_listing`), so that it runs on the
other core while hatchling and the builders load. Between that moment and the walk, project code may run —
a build hook's ``initialize``, a metadata hook, a version source that executes code — and write files the
listing never saw. Real repositories, real hooks writing an untracked file: it ships as hatchling ships it
(git was asked again), and no git process outlives a hook, whether the build succeeds or fails.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import members, write_project
from helpers.git import commit_all
from sdistguard.git import vcs

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

WRITES = "(pathlib.Path(root) / 'src' / 'demo' / 'written.py').write_text('made before the walk\\n')"

PROJECT_CODE = {
    "build hook": ("[tool.hatch.build.hooks.custom]\n", {"hatch_build.py": f"""\
        import pathlib
        from hatchling.builders.hooks.plugin.interface import BuildHookInterface

        class CustomBuildHook(BuildHookInterface):
            def initialize(self, version, build_data):
                root = self.root
                {WRITES}
        """}),
    "metadata hook": ("[tool.hatch.metadata.hooks.custom]\n", {"hatch_build.py": f"""\
        import pathlib
        from hatchling.metadata.plugin.interface import MetadataHookInterface

        class CustomMetadataHook(MetadataHookInterface):
            def update(self, metadata):
                root = self.root
                {WRITES}
                metadata["description"] = "set by the hook"
        """}),
    "code version source": ('[tool.hatch.version]\nsource = "code"\npath = "version.py"\n', {"version.py": f"""\
        import os, pathlib
        root = os.getcwd()
        {WRITES}
        __version__ = "1.0"
        """}),
}


@pytest.mark.parametrize("kind", sorted(PROJECT_CODE))
def test_a_file_project_code_writes_before_the_walk_ships_as_hatchling_ships_it(
        tmp_path: Path, kind: str, build_in: Callable[..., Path]) -> None:
    extra, files = PROJECT_CODE[kind]
    dynamic = 'dynamic = ["description"]' if kind == "metadata hook" else ""  # hatchling runs hooks for one
    root = write_project(tmp_path / "project", extra=extra, extra_project=dynamic)
    if kind == "code version source":
        pyproject = root / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('version = "1.0"', 'dynamic = ["version"]'))
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))
    commit_all(root)  # written.py does not exist yet: git lists it only if asked after project code ran

    ours = members(build_in(root, "sdist"))
    (root / "src" / "demo" / "written.py").unlink()
    theirs = members(build_in(root, "sdist", backend="hatchling"))
    assert "src/demo/written.py" in ours
    assert ours == theirs
    assert vcs._started == {}


def test_no_listing_outlives_a_hook_that_fails(tmp_path: Path, build_in: Callable[..., Path]) -> None:
    root = write_project(tmp_path / "project")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.0"', "version = 1"))  # hatchling refuses it
    commit_all(root)
    with pytest.raises(SystemExit):
        build_in(root, "sdist")
    assert vcs._started == {}
