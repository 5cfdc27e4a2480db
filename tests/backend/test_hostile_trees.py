"""Hostile trees: each test reproduces one defect found by trying to break the backend with real
trees (venvs made by ``python -m venv``, real links, FIFOs, killed builds)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import members, wheel_members, write_project
from sdistguard.rules import RULES

BASE = {"README.md": "file", "pyproject.toml": "file", "src/demo/__init__.py": "file",
        "src/demo/data.txt": "file", "PKG-INFO": "file"}
WHEEL_BASE = ["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL",
              "demo/__init__.py", "demo/data.txt"]


# --- a keep pattern git would refuse is a configuration error naming the key --------------------------


def test_invalid_keep_pattern_is_a_config_error_naming_the_key(tmp_path: Path, build_in, capsys) -> None:
    root = write_project(tmp_path / "p", extra='[tool.sdistguard]\nkeep = ["ok/", "[z-a]"]\n')
    with pytest.raises(SystemExit):
        build_in(root)
    err = capsys.readouterr().err
    assert err == (
        "sdistguard: error: invalid sdistguard settings in pyproject.toml:\n"
        "  tool.sdistguard.keep[1]: '[z-a]' is not a valid gitignore-style pattern (bad character range z-a)\n"
    )


# --- hatchling's own forced files (.gitignore, .hgignore, hatch.toml, hatch_build.py) -----------------


def _secret_links(tmp_path: Path, root: Path) -> None:
    """hatchling's four unnamed forced files, each a link to a file outside the project root."""
    secret = tmp_path / "secret"
    secret.mkdir()
    for name in (".gitignore", ".hgignore", "hatch.toml", "hatch_build.py"):
        (secret / name).write_text(f"# TOP SECRET {name}\n")
        (root / name).symlink_to(secret / name)


def test_hatchlings_unnamed_forced_files_linking_outside_are_sg201_never_read(tmp_path: Path, build_in,
                                                                                capsys) -> None:
    root = write_project(tmp_path / "p")
    _secret_links(tmp_path, root)
    sdist = build_in(root)
    assert members(sdist) == BASE
    import tarfile

    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            extracted = archive.extractfile(member)
            assert extracted is not None and b"TOP SECRET" not in extracted.read()
    err = capsys.readouterr().err
    for name in (".gitignore", ".hgignore", "hatch.toml", "hatch_build.py"):
        assert f"  SG201 {name}: link whose target lies outside the project root (-> {tmp_path}/secret/{name})" in err


@pytest.mark.parametrize("setting", ['external-links = "error"', "strict = true"])
def test_hatchlings_unnamed_forced_files_linking_outside_stop_a_strict_build(tmp_path: Path, build_in, capsys,
                                                                              setting: str) -> None:
    root = write_project(tmp_path / "p", extra=f"[tool.sdistguard]\n{setting}\n")
    _secret_links(tmp_path, root)
    with pytest.raises(SystemExit):
        build_in(root)
    err = capsys.readouterr().err
    assert "  SG201 .gitignore: link whose target lies outside the project root" in err
    assert "  SG201 hatch_build.py: link whose target lies outside the project root" in err
    assert not list((tmp_path).glob("out-*/*.tar.gz"))


def test_named_force_include_of_an_outside_link_is_still_taken(tmp_path: Path, build_in) -> None:
    extra = '[tool.hatch.build.targets.sdist.force-include]\n"hatch.toml" = "hatch.toml"\n'
    root = write_project(tmp_path / "p", extra=extra)
    _secret_links(tmp_path, root)
    assert members(build_in(root)) == {**BASE, "hatch.toml": "file"}


# --- hatchling ships a .gitignore found in a parent directory (no .git above the root) ----------------


def test_parent_gitignore_shipped_as_hatchling_but_reported(tmp_path: Path, build_in, capsys) -> None:
    (tmp_path / "outer").mkdir()
    (tmp_path / "outer" / ".gitignore").write_text("*.log\n")
    root = write_project(tmp_path / "outer" / "p")
    (root / "debug.log").write_text("x\n")
    # no .git between the project and that .gitignore (conftest puts the session's own boundary higher up)
    assert not any((parent / ".git").exists() for parent in (root, root.parent))
    ours, theirs = build_in(root), build_in(root, backend="hatchling")
    assert members(ours) == members(theirs) == {**BASE, ".gitignore": "file"}
    err = capsys.readouterr().err
    assert f"  SG105 {tmp_path}/outer/.gitignore: ignore file from a parent directory of the project root" in err


def test_parent_gitignore_refused_under_strict(tmp_path: Path, build_in, capsys) -> None:
    (tmp_path / "outer").mkdir()
    (tmp_path / "outer" / ".gitignore").write_text("*.log\n")
    root = write_project(tmp_path / "outer" / "p", extra="[tool.sdistguard]\nstrict = true\n")
    with pytest.raises(SystemExit):
        build_in(root)
    assert f"  SG105 {tmp_path}/outer/.gitignore: ignore file" in capsys.readouterr().err


# --- only-packages counts a *file* named __init__.py, as hatchling ------------------------------------


def test_only_packages_directory_named_init_py_is_no_package(tmp_path: Path, build_in) -> None:
    root = write_project(tmp_path / "p", extra="[tool.hatch.build.targets.wheel]\nonly-packages = true\n")
    sub = root / "src" / "demo" / "sub"
    (sub / "__init__.py").mkdir(parents=True)
    (sub / "__init__.py" / "inner.txt").write_text("inner\n")
    (sub / "x.txt").write_text("x\n")
    ours, theirs = build_in(root, "wheel"), build_in(root, "wheel", backend="hatchling")
    assert wheel_members(ours) == wheel_members(theirs) == WHEEL_BASE


# --- every member of every artifact passes the name check (SG401) -------------------------------------


@pytest.mark.parametrize("table", ["shared-data", "shared-scripts", "extra-metadata"])
def test_wheel_shared_and_extra_metadata_files_pass_the_name_check(tmp_path: Path, build_in, capsys,
                                                                   table: str) -> None:
    root = write_project(tmp_path / "p", extra=f'[tool.hatch.build.targets.wheel.{table}]\n"extra" = "extra"\n')
    (root / "extra").mkdir()
    (root / "extra" / "a:b.txt").write_text("x\n")
    (root / "extra" / "back\\slash").write_text("x\n")
    with pytest.raises(SystemExit):
        build_in(root, "wheel")
    err = capsys.readouterr().err
    assert "  SG401 extra/a:b.txt: file name that installers refuse (contains ':'" in err
    assert "  SG401 extra/back\\slash: file name that installers refuse (contains a backslash" in err
    assert not list(tmp_path.glob("out-*/*.whl"))


def test_editable_wheel_forced_files_pass_the_name_check(tmp_path: Path, build_in, capsys) -> None:
    root = write_project(tmp_path / "p", extra='[tool.hatch.build.targets.wheel.force-include]\n"extra" = "extra"\n')
    (root / "extra").mkdir()
    (root / "extra" / "a:b.txt").write_text("x\n")
    with pytest.raises(SystemExit):
        build_in(root, "editable")
    assert "  SG401 extra/a:b.txt: file name that installers refuse (contains ':'" in capsys.readouterr().err


def test_editable_wheel_ignores_names_it_does_not_write(tmp_path: Path, build_in) -> None:
    """Editable detection lists the package's files to find its packages; it writes none of them."""
    root = write_project(tmp_path / "p")
    (root / "src" / "demo" / "a:b.txt").write_text("x\n")
    assert wheel_members(build_in(root, "editable")) == ["_editable_impl_demo.pth", *WHEEL_BASE[:3]]


# --- a project root that is itself a venv (`python -m venv .`) ----------------------------------------


def test_project_root_that_is_a_venv_leaves_out_its_venv_parts(tmp_path: Path, build_in, capsys) -> None:
    root = write_project(tmp_path / "p")
    # Python 3.13's venv also writes a .gitignore holding `*`, which would exclude the project's own files
    scm = ["--without-scm-ignore-files"] if sys.version_info >= (3, 13) else []
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", *scm, str(root)], check=True)
    assert (root / "pyvenv.cfg").is_file() and (root / "bin" / "python").exists()
    assert members(build_in(root)) == BASE
    assert wheel_members(build_in(root, "wheel")) == WHEEL_BASE
    err = capsys.readouterr().err
    for part in ("bin/", "include/", "lib/", "lib64/", "pyvenv.cfg"):
        if (root / part.rstrip("/")).exists() or (root / part.rstrip("/")).is_symlink():
            assert f"  SG101 {part}: virtual environment" in err


# --- a build killed mid-way leaves its private directory behind ---------------------------------------

_HANG_MID_BUILD = """
import sys, time
from pathlib import Path
import sdistguard.walk as walk
original = walk.GuardedWalker.walk
def walk_then_hang(self, top, facts):
    for walked in original(self, top, facts):
        yield walked
        if walked.left_out is None:  # the writer has taken a file: its partial archive is in the private dir
            Path(sys.argv[2]).write_text("ready")
            time.sleep(120)
walk.GuardedWalker.walk = walk_then_hang
import sdistguard.build
sdistguard.build.build_sdist(sys.argv[1])
"""


def _killed_build(root: Path, out: Path, tmp_path: Path) -> Path:
    """Start a real build in a subprocess, SIGKILL it mid-way; return the private dir it left."""
    import signal
    import time

    ready = tmp_path / "ready"
    process = subprocess.Popen([sys.executable, "-c", _HANG_MID_BUILD, str(out), str(ready)], cwd=root)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert process.poll() is None and time.monotonic() < deadline, "the build never got going"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    (leftover,) = out.glob(".sdistguard-*")
    assert [path.name for path in leftover.glob("tmp*.tar.gz")], list(leftover.iterdir())
    return leftover


def test_killed_builds_private_dir_in_the_tree_is_never_packed(tmp_path: Path, build_in, capsys) -> None:
    root = write_project(tmp_path / "p")
    out = root / "out"  # an output directory inside the tree (hatchling excludes only /dist)
    leftover = _killed_build(root, out, tmp_path)
    sdist = build_in(root)  # another output directory: the stale private dir is walked, not cleaned
    assert members(sdist) == BASE
    assert leftover.exists()
    assert f"  SG103 out/{leftover.name}/: cache directory (holds a CACHEDIR.TAG" in capsys.readouterr().err


def test_stale_private_dir_of_a_killed_build_is_removed_by_the_next_build_into_it(tmp_path: Path, build_in,
                                                                                  monkeypatch) -> None:
    import sdistguard.build

    root = write_project(tmp_path / "p")
    out = root / "out"
    leftover = _killed_build(root, out, tmp_path)
    monkeypatch.chdir(root)
    name = sdistguard.build.build_sdist(str(out))
    assert members(out / name) == BASE
    assert not leftover.exists() and sorted(path.name for path in out.iterdir()) == [name]


# --- a link inside a named artifact directory that leaves the tree is SG201 ---------------------------


def _artifact_dir_with_outside_link(tmp_path: Path, extra: str = "") -> Path:
    root = write_project(tmp_path / "p", extra='[tool.hatch.build]\nartifacts = ["gen/"]\n' + extra)
    (tmp_path / "secret.txt").write_text("TOP SECRET\n")
    (root / "gen").mkdir()
    (root / "gen" / "ok.txt").write_text("ok\n")
    (root / "gen" / "secret.txt").symlink_to(tmp_path / "secret.txt")
    return root


def test_outside_link_inside_a_named_artifact_directory_is_sg201(tmp_path: Path, build_in, capsys) -> None:
    root = _artifact_dir_with_outside_link(tmp_path)
    assert members(build_in(root)) == {**BASE, "gen/ok.txt": "file"}
    err = capsys.readouterr().err
    assert f"  SG201 gen/secret.txt: link whose target lies outside the project root (-> {tmp_path}/secret.txt)" in err
    assert "SG204" not in err


def test_outside_link_inside_a_named_artifact_directory_trips_external_links_error(tmp_path: Path, build_in,
                                                                                    capsys) -> None:
    root = _artifact_dir_with_outside_link(tmp_path, '[tool.sdistguard]\nexternal-links = "error"\n')
    with pytest.raises(SystemExit):
        build_in(root)
    assert "  SG201 gen/secret.txt: link whose target lies outside the project root" in capsys.readouterr().err


def test_outside_link_named_itself_by_an_artifact_is_shipped_and_reported_as_outside(tmp_path: Path, build_in,
                                                                                        capsys) -> None:
    root = write_project(tmp_path / "p", extra='[tool.hatch.build]\nartifacts = ["*.so"]\n')
    (tmp_path / "lib.so").write_bytes(b"\x7fELF")
    (root / "src" / "demo" / "lib.so").symlink_to(tmp_path / "lib.so")
    assert members(build_in(root)) == {**BASE, "src/demo/lib.so": "file"}
    err = capsys.readouterr().err
    assert f"  SG201 src/demo/lib.so: link whose target lies outside the project root (-> {tmp_path}/lib.so; " \
           "named by artifacts: shipped as content)" in err


# --- a directory a nested .gitignore excludes but artifacts bring back --------------------------------


def _gitignored_dir_with_artifact(tmp_path: Path, *extra_files: str) -> Path:
    root = write_project(tmp_path / "p", extra='[tool.hatch.build]\nartifacts = ["*.so"]\n')
    (root / "sub" / "gen").mkdir(parents=True)
    (root / "sub" / ".gitignore").write_text("gen/\n")
    (root / "sub" / "gen" / "a.so").write_bytes(b"\x7fELF")
    for name in extra_files:
        (root / "sub" / "gen" / name).write_text("left\n")
    return root


def test_gitignored_dir_whose_files_all_ship_through_artifacts_is_not_reported(tmp_path: Path, build_in,
                                                                                capsys) -> None:
    root = _gitignored_dir_with_artifact(tmp_path)
    assert members(build_in(root)) == {**BASE, "sub/.gitignore": "file", "sub/gen/a.so": "file"}
    assert "SG104" not in capsys.readouterr().err


def test_gitignored_dir_partly_brought_back_by_artifacts_says_so(tmp_path: Path, build_in, capsys) -> None:
    root = _gitignored_dir_with_artifact(tmp_path, "b.txt", "c.txt")
    assert members(build_in(root)) == {**BASE, "sub/.gitignore": "file", "sub/gen/a.so": "file"}
    err = capsys.readouterr().err
    assert "left out 1 path(s) (2 files, 10 bytes, besides whole directories)" in err
    line = next(line for line in err.splitlines() if "SG104" in line)
    assert line.startswith(f"    SG104 sub/gen/: {RULES['SG104'].reason} (2 files, 10 B; by sub/.gitignore:1: gen/;")
    assert line.endswith("; 1 file(s) below brought back by artifacts)")


# --- SG205 only for a link that was followed before ---------------------------------------------------


def _link_reached_twice(tmp_path: Path, extra: str = "") -> Path:
    """``x/l -> ../target`` reached first as ``x/l`` (pruned there), then again as ``y/l`` through ``y -> x``."""
    root = write_project(tmp_path / "p", extra=extra)
    (root / "target").mkdir()
    (root / "target" / "t.txt").write_text("t\n")
    (root / "x").mkdir()
    (root / "x" / "l").symlink_to("../target")
    (root / "y").symlink_to("x")
    return root


def test_link_pruned_at_first_sight_is_no_link_repeat(tmp_path: Path, build_in, capsys) -> None:
    root = _link_reached_twice(tmp_path, '[tool.hatch.build.targets.sdist]\nexclude = ["/x/l"]\n')
    theirs = set(members(build_in(root, backend="hatchling")))
    ours = members(build_in(root))
    err = capsys.readouterr().err
    assert "SG205" not in err
    # the link was never followed as x/l, so y/l is its first (and only) walk
    assert ours == {**BASE, "target/t.txt": "file", "y/l/t.txt": "file"}
    assert "target/t.txt" in theirs


def test_link_excluded_by_nested_gitignore_at_both_sights_is_no_link_repeat(tmp_path: Path, build_in,
                                                                            capsys) -> None:
    root = _link_reached_twice(tmp_path)
    (root / "x" / ".gitignore").write_text("l/\n")
    assert members(build_in(root)) == {**BASE, "target/t.txt": "file", "x/.gitignore": "file",
                                       "y/.gitignore": "file"}
    err = capsys.readouterr().err
    assert "  SG104 x/l/: " in err and "  SG104 y/l/: " in err
    assert "SG205" not in err


# --- `sdistguard check DIR` decides as the build does -------------------------------------------------


def _build_problems(root: Path, build_in, capsys) -> list[str]:
    with pytest.raises(SystemExit):
        build_in(root)
    err = capsys.readouterr().err
    return [line.strip() for line in err.splitlines()[1:]]


@pytest.mark.parametrize("case", ["unportable", "strict", "external-links"])
def test_check_directory_refuses_what_the_build_refuses(tmp_path: Path, build_in, capsys, case: str) -> None:
    from sdistguard.cli import main

    extra = {"unportable": "", "strict": "[tool.sdistguard]\nstrict = true\n",
             "external-links": '[tool.sdistguard]\nexternal-links = "error"\n'}[case]
    root = write_project(tmp_path / "p", extra=extra)
    if case == "unportable":
        (root / "src" / "demo" / "a:b.txt").write_text("x\n")
    elif case == "strict":
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "env")], check=True)
    else:
        (root / "src" / "demo" / "etc").symlink_to("/etc")
    problems = _build_problems(root, build_in, capsys)
    assert problems
    code = main(["check", str(root), "--ignore", "SG"])  # even with every code ignored
    out = capsys.readouterr().out
    assert code == 1
    assert "no findings" not in out
    refused = out.split("the sdist build would be refused:\n", 1)[1].split("\n\n", 1)[0]
    assert [line.strip() for line in refused.splitlines()] == problems


def test_check_directory_of_a_clean_project_refuses_nothing(tmp_path: Path, capsys) -> None:
    from sdistguard.cli import main

    root = write_project(tmp_path / "p")
    assert main(["check", str(root)]) == 0
    assert "refused" not in capsys.readouterr().out


# --- the build summary escapes file names as the auditor does -----------------------------------------


def test_build_summary_escapes_newlines_and_undecodable_bytes(tmp_path: Path, build_in, capsys) -> None:
    root = write_project(tmp_path / "p")
    demo = os.fsencode(root / "src" / "demo")
    os.mkfifo(demo + b"/evil\n  SG999 forged.txt: nothing to see")
    os.symlink(b"missing\x1b[31m", demo + b"/bad\xff")
    assert members(build_in(root)) == BASE
    lines = capsys.readouterr().err.splitlines()
    assert "    SG301 src/demo/evil\\n  SG999 forged.txt: nothing to see: FIFO, socket or device file (FIFO)" in lines
    assert "    SG202 src/demo/bad\\xff: link whose target does not exist (-> missing\\x1b[31m)" in lines
    assert not any(line.lstrip().startswith("SG999") for line in lines)


# --- errors carry their origin; config settings are validated and named -------------------------------


@pytest.mark.parametrize("value", ["yes", "on", "", "maybe", ["true", "true"]])
def test_bad_strict_config_setting_names_the_config_setting(tmp_path: Path, build_in, capsys, value) -> None:
    root = write_project(tmp_path / "p")
    with pytest.raises(SystemExit):
        build_in(root, config_settings={"strict": value})
    assert capsys.readouterr().err == (
        "sdistguard: error: invalid PEP 517 config setting:\n"
        f"  -C strict (config_settings['strict']): {value!r} is not one of true, false, 1, 0\n"
    )


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("TRUE", True), ("1", True), ("false", False),
                                                 ("False", False), ("0", False)])
def test_accepted_strict_config_setting_values(value: str, expected: bool) -> None:
    from sdistguard.core.config import load_settings

    assert load_settings({}, {"strict": value}).strict is expected


def test_pyproject_and_config_setting_problems_each_name_their_source(tmp_path: Path, build_in, capsys) -> None:
    root = write_project(tmp_path / "p", extra="[tool.sdistguard]\nstrikt = true\n")
    with pytest.raises(SystemExit):
        build_in(root, config_settings={"strict": "yes"})
    assert capsys.readouterr().err == (
        "sdistguard: error: invalid sdistguard settings in pyproject.toml:\n"
        "  tool.sdistguard.strikt: unknown key (known: keep, external-links, strict, untracked, check, "
        "allow-secrets, max-sdist-size, max-wheel-size)\n"
        "invalid PEP 517 config setting:\n"
        "  -C strict (config_settings['strict']): 'yes' is not one of true, false, 1, 0\n"
    )


def test_internal_bug_keeps_its_traceback_and_is_not_blamed_on_hatchling(tmp_path: Path, build_in, capsys,
                                                                          monkeypatch) -> None:
    import sdistguard.walk

    def broken(self, top, facts):
        raise TypeError("an sdistguard bug")
        yield

    monkeypatch.setattr(sdistguard.walk.GuardedWalker, "walk", broken)
    root = write_project(tmp_path / "p")
    with pytest.raises(TypeError, match="an sdistguard bug"):
        build_in(root)
    assert "hatchling" not in capsys.readouterr().err


def test_hatchlings_own_error_keeps_hatchlings_name(tmp_path: Path, build_in, capsys) -> None:
    root = write_project(tmp_path / "p", extra='[tool.hatch.build.targets.sdist]\nonly-include = "src"\n')
    with pytest.raises(SystemExit):
        build_in(root)
    assert capsys.readouterr().err.startswith("sdistguard: error: hatchling: Field `tool.hatch.build.targets.sdist")


# --- a path longer than the OS allows -----------------------------------------------------------------


def test_path_longer_than_the_os_allows_is_reported_as_such(tmp_path: Path, build_in, capsys) -> None:
    root = write_project(tmp_path / "p")
    component = "d" * 250
    depth = 4096 // (len(component) + 1) + 1  # past PATH_MAX, built one directory at a time (relative to a fd)
    fd = os.open(root / "src" / "demo", os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(component, dir_fd=fd)
            child = os.open(component, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
    finally:
        os.close(fd)
    assert members(build_in(root)) == BASE
    line = next(line for line in capsys.readouterr().err.splitlines() if "/dddd" in line)
    assert line.startswith(f"    SG303 src/demo/{component}/{component}/")
    assert line.endswith("/: directory whose path is longer than the operating system allows (File name too long)")
    from sdistguard.rules import RULES

    assert "permissions" not in RULES["SG303"].hint
