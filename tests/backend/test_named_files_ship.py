"""What the user names ships: ``shared-data``, ``force-include`` and ``artifacts``, written by a build hook.

pipx, tox and ipykernel generate files in a build hook (hatch_build.py) into a git-ignored directory
and ship them through the wheel's ``shared-data`` (``"build/man" = "share/man/man1"``) or a build
data map. hatchling reads no ignore file for those maps; sdistguard's wheel and sdist must hold the
very members hatchling's hold. Real git repository, real build hook, both builders in-process.
"""

from __future__ import annotations

import shutil
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder

from helpers.builds import build_standard
from helpers.git import commit_all
from sdistguard.builders.sdist import GuardedSdistBuilder
from sdistguard.builders.wheel import GuardedWheelBuilder

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

HOOK = '''\
import os
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class Generate(BuildHookInterface):
    def initialize(self, version, build_data):
        def write(path, text):
            path = os.path.join(self.root, path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as file:
                file.write(text)

        write("build/man/pipx.1", ".TH PIPX 1\\n")               # shipped by config shared-data
        write("build/forced/kernel.json", "{}\\n")               # shipped by config force-include
        write("build/art/generated.py", "X = 1\\n")              # shipped by build_data artifacts
        write("build/hook-forced/data.txt", "forced\\n")          # shipped by build_data force_include
        write("build/hook-shared/share.txt", "shared\\n")         # shipped by build_data shared_data
        write("build/venv/pyvenv.cfg", "home = /usr\\n")          # a venv below a named directory
        build_data["artifacts"].append("build/art/generated.py")
        build_data["force_include"]["build/hook-forced"] = "demo/hook_forced"
        if "shared_data" in build_data:
            build_data["shared_data"]["build/hook-shared"] = "share/hook"
'''

PYPROJECT = """\
[build-system]
requires = ["sdistguard"]
build-backend = "sdistguard.build"

[project]
name = "demo"
version = "1.0"

[tool.hatch.build.hooks.custom]

[tool.hatch.build.targets.wheel]
packages = ["src/demo"]

[tool.hatch.build.targets.wheel.shared-data]
"build/man" = "share/man/man1"

[tool.hatch.build.targets.wheel.force-include]
"build/forced" = "demo/kernelspec"
"""


def _repository(root: Path) -> Path:
    (root / "src" / "demo").mkdir(parents=True)
    (root / "src" / "demo" / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "hatch_build.py").write_text(HOOK)
    (root / ".gitignore").write_text("build/\n")
    commit_all(root)
    return root


def _wheel(builder: type[WheelBuilder], root: Path, out: Path) -> list[str]:
    with zipfile.ZipFile(build_standard(builder, root, out)) as archive:
        return sorted(archive.namelist())


def _sdist(builder: type[SdistBuilder], root: Path, out: Path) -> list[str]:
    with tarfile.open(build_standard(builder, root, out)) as archive:
        return sorted(archive.getnames())


def test_wheel_ships_hook_generated_files_named_by_shared_data_and_force_include(tmp_path: Path) -> None:
    root = _repository(tmp_path / "project")
    guarded = _wheel(GuardedWheelBuilder, root, tmp_path / "guarded")
    hatchling = _wheel(WheelBuilder, root, tmp_path / "hatchling")
    assert guarded == hatchling
    assert {
        "demo-1.0.data/data/share/man/man1/pipx.1",        # config shared-data
        "demo-1.0.data/data/share/hook/share.txt",          # build_data shared_data
        "demo/kernelspec/kernel.json",                      # config force-include
        "demo/hook_forced/data.txt",                        # build_data force_include
    } <= set(guarded)


def test_sdist_ships_hook_generated_artifacts_and_forced_files_from_a_git_ignored_directory(tmp_path: Path) -> None:
    root = _repository(tmp_path / "project")
    (root / "pyproject.toml").write_text(PYPROJECT + textwrap.dedent("""
        [tool.hatch.build.targets.sdist.force-include]
        "build/forced" = "kernelspec"
    """))
    guarded = _sdist(GuardedSdistBuilder, root, tmp_path / "guarded")
    hatchling = _sdist(SdistBuilder, root, tmp_path / "hatchling")
    assert guarded == hatchling
    assert {"demo-1.0/build/art/generated.py", "demo-1.0/demo/hook_forced/data.txt",
            "demo-1.0/kernelspec/kernel.json"} <= set(guarded)


def test_a_secret_in_a_named_directory_still_stops_the_wheel(tmp_path: Path) -> None:
    from sdistguard.core.errors import TreeError

    root = _repository(tmp_path / "project")
    hook = root / "hatch_build.py"
    token = "pypi-AgEIcHlwaS5vcmc" + "A" * 60
    hook.write_text(HOOK.replace('"forced\\n"', f'"{token}\\n"'))
    with pytest.raises(TreeError, match="SG602"):
        _wheel(GuardedWheelBuilder, root, tmp_path / "guarded")


def test_a_venv_named_in_force_include_ships_what_the_user_named(tmp_path: Path) -> None:
    root = _repository(tmp_path / "project")
    (root / "build" / "fixture-env" / "lib").mkdir(parents=True)
    (root / "build" / "fixture-env" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / "build" / "fixture-env" / "lib" / "site.py").write_text("x = 1\n")
    (root / "pyproject.toml").write_text(PYPROJECT.replace(
        '"build/forced" = "demo/kernelspec"', '"build/forced" = "demo/kernelspec"\n"build/fixture-env" = "demo/env"'))
    guarded = _wheel(GuardedWheelBuilder, root, tmp_path / "guarded")
    assert guarded == _wheel(WheelBuilder, root, tmp_path / "hatchling")
    assert {"demo/env/pyvenv.cfg", "demo/env/lib/site.py"} <= set(guarded)
