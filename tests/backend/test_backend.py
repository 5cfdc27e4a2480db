"""The backend's rules on real trees, through the PEP 517 hooks called in-process.

Each scenario builds with sdistguard and asserts the exact members and their types; where the
point is a difference, it also builds with hatchling to show what sdistguard prevents.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import (
    assert_installable,
    make_uv_env,
    members,
    snapshot,
    wheel_members,
    write_project,
)
from sdistguard.rules import RULES

BASE = {"README.md": "file", "pyproject.toml": "file", "src/demo/__init__.py": "file",
        "src/demo/data.txt": "file", "PKG-INFO": "file"}
WHEEL_BASE = ["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL",
              "demo/__init__.py", "demo/data.txt"]


def test_clean_project_is_byte_identical_to_hatchling(project: Path, build_in) -> None:
    ours_sdist, theirs_sdist = build_in(project, "sdist"), build_in(project, "sdist", backend="hatchling")
    ours_wheel, theirs_wheel = build_in(project, "wheel"), build_in(project, "wheel", backend="hatchling")
    assert ours_sdist.read_bytes() == theirs_sdist.read_bytes()
    assert ours_wheel.read_bytes() == theirs_wheel.read_bytes()
    assert members(ours_sdist) == BASE


def test_clean_build_prints_nothing(project: Path, build_in, capsys: pytest.CaptureFixture[str]) -> None:
    build_in(project, "sdist")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("name", ["venv", "env", "nested/deeper/.env-3.11"])
def test_python_venv_left_out_whatever_its_name(project: Path, build_in, name: str, tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / name)], check=True)
    sdist = build_in(project, "sdist")
    assert members(sdist) == BASE
    hatchling_members = members(build_in(project, "sdist", backend="hatchling"))
    assert f"{name}/pyvenv.cfg" in hatchling_members  # what sdistguard prevents


def test_uv_venv_and_in_project_uv_cache_left_out(project: Path, build_in, capsys) -> None:
    make_uv_env(project, venv="my-env", cache=".cache-uv")
    sdist = build_in(project, "sdist")
    assert members(sdist) == BASE
    err = capsys.readouterr().err
    assert f"  SG101 my-env/: {RULES['SG101'].reason} (pyvenv.cfg)\n" in err
    assert f"  SG103 .cache-uv/: {RULES['SG103'].reason} (CACHEDIR.TAG)\n" in err
    hatchling = members(build_in(project, "sdist", backend="hatchling"))
    assert "hardlink" in hatchling.values() and any(k.startswith(".cache-uv/") for k in hatchling)


def test_conda_env_and_cachedir_tag(project: Path, build_in) -> None:
    (project / "conda" / "conda-meta").mkdir(parents=True)
    (project / "conda" / "conda-meta" / "history").write_text("x")
    (project / "cache").mkdir()
    (project / "cache" / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n# a cache\n")
    (project / "cache" / "blob").write_text("x")
    (project / "notcache").mkdir()
    (project / "notcache" / "CACHEDIR.TAG").write_text("Signature: something else\n")
    assert members(build_in(project, "sdist")) == {**BASE, "notcache/CACHEDIR.TAG": "file"}


def test_nested_gitignore_with_git_semantics(project: Path, build_in) -> None:
    docs = project / "docs"
    (docs / "_build" / "html").mkdir(parents=True)
    (docs / "_build" / "html" / "index.html").write_text("x")
    (docs / "index.rst").write_text("x")
    (docs / "notes.tmp").write_text("x")
    (docs / "keep.tmp").write_text("x")
    (docs / ".gitignore").write_text("_build/\n*.tmp\n!keep.tmp\n")
    (docs / "sub").mkdir()
    (docs / "sub" / "a.tmp").write_text("x")
    (docs / "sub" / ".gitignore").write_text("!a.tmp\n")  # deeper file wins
    (project / ".hypothesis" / "examples").mkdir(parents=True)
    (project / ".hypothesis" / ".gitignore").write_text("*\n")
    (project / ".hypothesis" / "examples" / "x").write_text("x")
    expected = {**BASE, "docs/.gitignore": "file", "docs/index.rst": "file", "docs/keep.tmp": "file",
                "docs/sub/.gitignore": "file", "docs/sub/a.tmp": "file"}
    assert members(build_in(project, "sdist")) == expected


def test_ignore_vcs_turns_nested_gitignore_off(tmp_path: Path, build_in) -> None:
    project = write_project(tmp_path / "p", extra="[tool.hatch.build]\nignore-vcs = true\n")
    (project / "docs").mkdir()
    (project / "docs" / ".gitignore").write_text("*.tmp\n")
    (project / "docs" / "a.tmp").write_text("x")
    assert {"docs/a.tmp", "docs/.gitignore"} <= set(members(build_in(project, "sdist")))


def test_links(tmp_path: Path, build_in, capsys) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("secret\n")
    project = write_project(tmp_path / "project")
    package = project / "src" / "demo"
    (project / "README").symlink_to("README.md")
    (package / "etcdir").symlink_to("/etc")
    (package / "hostname").symlink_to("/etc/hostname")
    (package / "outside.txt").symlink_to("../../../outside/secret.txt")
    (package / "dangling").symlink_to("nowhere")
    (package / "loop").symlink_to("..")
    (package / "self").symlink_to("self")
    (package / "alias.txt").symlink_to("data.txt")
    (project / "shared").mkdir()
    (project / "shared" / "x.py").write_text("x = 1\n")
    (package / "shared").symlink_to("../../shared")
    os.link(package / "data.txt", package / "hard.txt")

    sdist = build_in(project, "sdist")
    expected = {**BASE, "README": "file", "src/demo/alias.txt": "file", "src/demo/hard.txt": "file",
                "src/demo/shared/x.py": "file", "shared/x.py": "file"}
    assert members(sdist) == expected
    assert_installable(sdist, tmp_path)
    with tarfile.open(sdist) as archive:
        assert archive.extractfile("demo-1.0/README").read() == b"# demo\n"
    err = capsys.readouterr().err
    for line in ("SG201 src/demo/etcdir: link whose target lies outside the project root (-> /etc)",
                 "SG202 src/demo/dangling: link whose target does not exist (-> nowhere)",
                 "SG203 src/demo/loop: link that leads back to itself or to a directory above it (-> ..)",
                 "SG203 src/demo/self: link that leads back to itself or to a directory above it (-> self)",
                 "SG201 src/demo/outside.txt: link whose target lies outside the project root",
                 "SG204 README: link inside the project written as a regular file or directory (-> README.md)"):
        assert f"  {line}" in err

    wheel = build_in(project, "wheel")
    assert wheel_members(wheel) == sorted([*WHEEL_BASE, "demo/alias.txt", "demo/hard.txt", "demo/shared/x.py"])

    hatchling = members(build_in(project, "sdist", backend="hatchling"))
    assert hatchling["README"] == "symlink" and hatchling["src/demo/hard.txt"] == "hardlink"
    assert "src/demo/etcdir/hostname" in hatchling  # hatchling walks /etc


def test_dangling_link_in_package_crashes_hatchling_wheel_not_ours(project: Path, build_in) -> None:
    (project / "src" / "demo" / "gone.py").symlink_to("nowhere.py")
    assert wheel_members(build_in(project, "wheel")) == WHEEL_BASE
    with pytest.raises(FileNotFoundError):
        build_in(project, "wheel", backend="hatchling")


def test_fifo_left_out(project: Path, build_in) -> None:
    os.mkfifo(project / "pipe")
    os.mkfifo(project / "src" / "demo" / "pipe")
    assert members(build_in(project, "sdist")) == BASE
    assert wheel_members(build_in(project, "wheel")) == WHEEL_BASE


def test_monorepo_license_link_is_copied_in(tmp_path: Path, build_in, capsys) -> None:
    (tmp_path / "LICENSE").write_text("MIT\n")
    project = write_project(tmp_path / "project", extra_project='license-files = ["LICENSE"]\n')
    (project / "LICENSE").symlink_to("../LICENSE")
    sdist = build_in(project, "sdist")
    assert members(sdist) == {**BASE, "LICENSE": "file"}
    with tarfile.open(sdist) as archive:
        assert archive.extractfile("demo-1.0/LICENSE").read() == b"MIT\n"
    assert "SG201" not in capsys.readouterr().err
    assert "demo-1.0.dist-info/licenses/LICENSE" in wheel_members(build_in(project, "wheel"))


def test_force_include_named_external_link_taken_as_asked(tmp_path: Path, build_in) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "common.py").write_text("c = 1\n")
    (tmp_path / "shared" / "venv").mkdir()
    (tmp_path / "shared" / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "shared" / "escape").symlink_to("/etc")
    project = write_project(tmp_path / "project", extra="""
        [tool.hatch.build.targets.wheel.force-include]
        "../shared" = "demo/shared"
        "linked.py" = "demo/linked.py"
    """)
    (project / "linked.py").symlink_to("../shared/common.py")
    wheel = build_in(project, "wheel")
    # The named file is taken even though it leaves the tree; inside the named directory the rules apply.
    assert wheel_members(wheel) == sorted([*WHEEL_BASE, "demo/linked.py", "demo/shared/common.py"])


def test_artifact_link_from_build_hook_is_kept(project: Path, tmp_path: Path, build_in) -> None:
    (tmp_path / "lib.so").write_bytes(b"\x7fELF")
    (project / "hatch_build.py").write_text(
        "import os\n"
        "from hatchling.builders.hooks.plugin.interface import BuildHookInterface\n"
        "class Hook(BuildHookInterface):\n"
        "    def initialize(self, version, build_data):\n"
        f"        link = os.path.join(self.root, 'src', 'demo', 'lib.so')\n"
        f"        if not os.path.islink(link): os.symlink({str(tmp_path / 'lib.so')!r}, link)\n"
        "        build_data['artifacts'].append('src/demo/lib.so')\n"
    )
    with open(project / "pyproject.toml", "a") as handle:
        handle.write("[tool.hatch.build.targets.wheel.hooks.custom]\n")
    assert "demo/lib.so" in wheel_members(build_in(project, "wheel"))


def test_keep_setting_ships_a_venv_on_purpose(tmp_path: Path, build_in) -> None:
    project = write_project(tmp_path / "p", extra='[tool.sdistguard]\nkeep = ["tests/fixtures/venv/"]\n')
    fixture = project / "tests" / "fixtures" / "venv"
    fixture.mkdir(parents=True)
    (fixture / "pyvenv.cfg").write_text("home = /usr\n")
    (project / "venv").mkdir()
    (project / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    assert members(build_in(project, "sdist")) == {**BASE, "tests/fixtures/venv/pyvenv.cfg": "file"}


def test_unportable_names_stop_the_build_with_one_message(project: Path, build_in, capsys, tmp_path) -> None:
    (project / "src" / "demo" / "a:b.txt").write_text("x")
    (project / "src" / "demo" / "trailing ").write_text("x")
    with pytest.raises(SystemExit) as exit_info:
        build_in(project, "sdist")
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "SG401 src/demo/a:b.txt: file name that installers refuse (contains ':'" in err
    assert "SG401 src/demo/trailing : file name that installers refuse (starts or ends with a space" in err
    assert "exclude" in err and "Traceback" not in err
    out = next(tmp_path.glob("out-sdistguard-sdist-*"))
    assert list(out.iterdir()) == []  # nothing half-written


def test_strict_turns_warnings_into_one_error(project: Path, build_in, capsys, tmp_path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "venv")], check=True)
    (project / "README").symlink_to("README.md")  # info: not an error under strict
    with pytest.raises(SystemExit):
        build_in(project, "sdist", config_settings={"strict": "true"})
    err = capsys.readouterr().err
    assert "SG101 venv/: virtual environment" in err and "README" not in err
    assert build_in(project, "sdist", config_settings={"strict": "false"}).exists()


def test_external_links_error_policy(tmp_path: Path, build_in, capsys) -> None:
    project = write_project(tmp_path / "p", extra='[tool.sdistguard]\nexternal-links = "error"\n')
    (project / "src" / "demo" / "etc").symlink_to("/etc")
    with pytest.raises(SystemExit):
        build_in(project, "sdist")
    assert "SG201 src/demo/etc: " in capsys.readouterr().err


def test_bad_settings_name_the_key(tmp_path: Path, build_in, capsys) -> None:
    project = write_project(tmp_path / "p", extra='[tool.sdistguard]\nexternal-links = "follow"\nstrikt = true\n')
    with pytest.raises(SystemExit):
        build_in(project, "sdist")
    err = capsys.readouterr().err
    assert "tool.sdistguard.external-links: 'follow' is not one of 'exclude', 'error'" in err
    assert "tool.sdistguard.strikt: unknown key" in err


def test_hatchling_config_error_is_a_message_not_a_traceback(tmp_path: Path, build_in, capsys) -> None:
    project = write_project(tmp_path / "p", extra='[tool.hatch.build]\nexclude = "not-a-list"\n')
    with pytest.raises(SystemExit):
        build_in(project, "sdist")
    assert "sdistguard: error: hatchling: Field `tool.hatch.build.exclude` must be an array of strings" in (
        capsys.readouterr().err)


def test_source_tree_never_modified(tmp_path: Path, build_in) -> None:
    project = write_project(tmp_path / "p")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "venv")], check=True)
    (project / "README").symlink_to("README.md")
    (project / "docs").mkdir()
    (project / "docs" / ".gitignore").write_text("*\n")
    before = snapshot(project)
    build_in(project, "sdist")
    build_in(project, "wheel")
    build_in(project, "editable")
    assert snapshot(project) == before


def test_hatchling_excludes_and_negation_keep_hatchling_output(tmp_path: Path, build_in) -> None:
    project = write_project(tmp_path / "p", extra='[tool.hatch.build]\nexclude = ["gen/", "!gen/keep.txt"]\n')
    (project / "gen" / "deep").mkdir(parents=True)
    (project / "gen" / "keep.txt").write_text("x")
    (project / "gen" / "deep" / "drop.txt").write_text("x")
    (project / ".gitignore").write_text("/build\n")
    (project / "build").mkdir()
    (project / "build" / "x.txt").write_text("x")
    ours, theirs = build_in(project, "sdist"), build_in(project, "sdist", backend="hatchling")
    assert ours.read_bytes() == theirs.read_bytes()
    assert "gen/keep.txt" in members(ours)


def test_editable_wheel_is_hatchlings(project: Path, build_in) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "venv")], check=True)
    editable = build_in(project, "editable")
    assert wheel_members(editable) == sorted(["_editable_impl_demo.pth", *WHEEL_BASE[:3]])
    assert editable.read_bytes() == build_in(project, "editable", backend="hatchling").read_bytes()


def test_keep_reaches_below_a_venv_and_the_venv_is_still_reported(tmp_path: Path, build_in, capsys) -> None:
    project = write_project(tmp_path / "p", extra='[tool.sdistguard]\nkeep = ["tools/venv/share/schema.json"]\n')
    venv = project / "tools" / "venv"
    (venv / "share").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr\n")
    (venv / "share" / "schema.json").write_text("{}\n")
    (venv / "share" / "other.json").write_text("{}\n")
    assert members(build_in(project, "sdist")) == {**BASE, "tools/venv/share/schema.json": "file"}
    assert "  SG101 tools/venv/: virtual environment" in capsys.readouterr().err


def test_artifacts_do_not_rescue_files_of_a_venv(tmp_path: Path, build_in) -> None:
    """Artifacts win over exclusion patterns, not over the venv marker, even when `keep` makes the walk look inside."""
    project = write_project(tmp_path / "p", extra='[tool.hatch.build]\nartifacts = ["*.so"]\n'
                                                  '[tool.sdistguard]\nkeep = ["venv/keep.txt"]\n')
    (project / "venv").mkdir()
    (project / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (project / "venv" / "keep.txt").write_text("kept\n")
    (project / "venv" / "lib.so").write_bytes(b"\x7fELF")
    (project / "build").mkdir()
    (project / "build" / ".gitignore").write_text("*\n")
    (project / "build" / "native.so").write_bytes(b"\x7fELF")
    assert members(build_in(project, "sdist")) == {**BASE, "venv/keep.txt": "file", "build/native.so": "file"}
