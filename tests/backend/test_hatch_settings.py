"""Every ``[tool.hatch.build]`` selection setting keeps its meaning: on a clean tree, sdistguard's sdist
and wheel are byte-identical to hatchling's, for each setting."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import members, wheel_members, write_project

SETTINGS = {
    "include": '[tool.hatch.build.targets.sdist]\ninclude = ["src/", "docs/*.md"]\n',
    "exclude": '[tool.hatch.build]\nexclude = ["docs/", "*.txt", "!src/demo/data.txt"]\n',
    "only-include": '[tool.hatch.build.targets.sdist]\nonly-include = ["src/demo", "docs"]\n',
    "packages+sources": '[tool.hatch.build.targets.wheel]\npackages = ["src/demo"]\n'
                        '[tool.hatch.build.targets.wheel.sources]\n"src/demo" = "renamed"\n',
    "force-include": '[tool.hatch.build.targets.wheel.force-include]\n'
                     '"docs" = "demo/docs"\n"extra.cfg" = "demo/x.cfg"\n',
    "artifacts": '[tool.hatch.build]\nartifacts = ["*.so"]\n',
    "skip-excluded-dirs": '[tool.hatch.build]\nskip-excluded-dirs = true\nexclude = ["/docs"]\n',
    "shared-data": '[tool.hatch.build.targets.wheel.shared-data]\n"docs" = "share/demo"\n',
    "extra-metadata": '[tool.hatch.build.targets.wheel.extra-metadata]\n"docs" = "docs"\n',
    "strict-naming": '[tool.hatch.build.targets.sdist]\nstrict-naming = false\nsupport-legacy = true\n',
    "dev-mode-dirs": '[tool.hatch.build]\ndev-mode-dirs = ["src"]\n',
}


def decorate(project: Path) -> None:
    (project / "docs").mkdir()
    (project / "docs" / "guide.md").write_text("# guide\n")
    (project / "docs" / "notes.txt").write_text("notes\n")
    (project / "extra.cfg").write_text("[x]\n")
    (project / "src" / "demo" / "native.so").write_bytes(b"\x7fELF")
    (project / ".gitignore").write_text("*.so\n/build/\n")
    (project / "build").mkdir()
    (project / "build" / "junk.txt").write_text("junk\n")


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_setting_gives_hatchlings_bytes(setting: str, tmp_path: Path, build_in) -> None:
    project = write_project(tmp_path / "p", extra=SETTINGS[setting])
    decorate(project)
    # hatchling itself refuses editable installs when `sources` renames a prefix
    kinds = ("sdist", "wheel") if setting == "packages+sources" else ("sdist", "wheel", "editable")
    for kind in kinds:
        ours, theirs = build_in(project, kind), build_in(project, kind, backend="hatchling")
        assert ours.name == theirs.name
        assert ours.read_bytes() == theirs.read_bytes(), (setting, kind)


def test_artifacts_win_over_gitignore_as_in_hatchling(tmp_path: Path, build_in) -> None:
    project = write_project(tmp_path / "p", extra=SETTINGS["artifacts"])
    decorate(project)
    assert "src/demo/native.so" in members(build_in(project, "sdist"))
    assert "demo/native.so" in wheel_members(build_in(project, "wheel"))


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_hatch_vcs_dynamic_version(tmp_path: Path, build_in) -> None:
    pytest.importorskip("hatch_vcs")
    project = tmp_path / "p"
    write_project(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.0"', 'dynamic = ["version"]')
                         + '[tool.hatch.version]\nsource = "vcs"\n')
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"], ["tag", "v2.3.4"]):
        subprocess.run([*git, *command], cwd=project, check=True)
    ours, theirs = build_in(project, "sdist"), build_in(project, "sdist", backend="hatchling")
    assert ours.name == "demo-2.3.4.tar.gz"
    assert ours.read_bytes() == theirs.read_bytes()
    assert "PKG-INFO" in members(ours)


def test_force_include_applies_no_patterns_as_in_hatchling(tmp_path: Path, build_in) -> None:
    """hatchling's force-include ignores exclude patterns; the guarded walk must not prune by them either."""
    (tmp_path / "shared" / "build" / "deep").mkdir(parents=True)
    (tmp_path / "shared" / "build" / "deep" / "x.txt").write_text("x\n")
    project = write_project(tmp_path / "p", extra='[tool.hatch.build]\nexclude = ["build/"]\n'
                                                  '[tool.hatch.build.targets.wheel.force-include]\n'
                                                  '"../shared" = "demo/shared"\n')
    ours, theirs = build_in(project, "wheel"), build_in(project, "wheel", backend="hatchling")
    assert "demo/shared/build/deep/x.txt" in wheel_members(ours)
    assert ours.read_bytes() == theirs.read_bytes()
