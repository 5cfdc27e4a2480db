"""A build pays only for what it uses: what a small project's sdist and wheel load, start and run.

Each check runs the PEP 517 hooks (``sdistguard.build.build_sdist`` then ``build_wheel``) in a fresh
interpreter on a small committed project, as a frontend's hook process does, and asserts facts that
do not depend on the machine's speed: modules left unloaded, threads never started, git processes run.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.git import commit_all
from sdistguard.core.compat import release_of

NEVER_IN_A_CLEAN_BUILD = (
    # the auditor, explain, the release gate, the index client, the command line and the reports:
    # a clean build prints nothing, so none of their code is needed
    "sdistguard.audit", "sdistguard.cli.explain", "sdistguard.release", "sdistguard.index", "sdistguard.cli",
    "sdistguard.report", "sdistguard.audit.hints",
    # what only those use; hatchling's own build loads none of them either
    "json", "packaging.metadata", "configparser",
    # the thread pool and the queue of a tree whose bytes fit in one task
    "concurrent.futures", "queue",
    # git's ignore rules read by sdistguard: in a work tree git itself answers
    "sdistguard.git.gitignore",
    # the auditor's preview of hatchling's own sdist (the build asks only sdistguard.builders.dropped)
    "sdistguard.builders.shipped",
    # the rule families no detector of a build lives in (sdistguard.rules.all_rules loads them on first use),
    # the evidence of a finding, and what only a tree holding links or special files needs
    "sdistguard.rules.archive", "sdistguard.rules.metadata", "sdistguard.rules.index", "sdistguard.rules.pypi",
    "sdistguard.rules.gate", "sdistguard.rules.tracking", "sdistguard.rules.files", "sdistguard.rules.evidence",
    "sdistguard.walk.links",
    # Unicode normalisation, for a tree whose names are all ASCII
    "unicodedata",
)
"""Modules (and their submodules) that building a small clean project must not import."""

_CHILD = textwrap.dedent("""
    import sys, threading
    started = []
    threading.settrace(lambda *args: started.append(threading.current_thread().name))
    import sdistguard.build as hooks
    artifacts = [getattr(hooks, hook)(sys.argv[1]) for hook in sys.argv[2:] or ["build_sdist", "build_wheel"]]
    dataclasses = sorted(f"{name}.{value.__name__}" for name, module in list(sys.modules.items())
                         if name.startswith("sdistguard") for value in vars(module).values()
                         if isinstance(value, type) and value.__module__ == name
                         and "__dataclass_fields__" in vars(value))
    print(repr({"artifacts": artifacts, "modules": sorted(sys.modules), "threads": sorted(set(started)),
                "alive": threading.active_count(), "dataclasses": dataclasses}))
""")


def _small_project(root: Path, *, commit: bool = True) -> Path:
    """A project as ``uv init --lib`` writes it, switched to sdistguard; ``commit``: committed to a fresh
    git repository."""
    project = root / "tinypkg"
    package = project / "src" / "tinypkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('def hello() -> str:\n    return "Hello from tinypkg!"\n')
    (package / "py.typed").write_text("")
    (project / "README.md").write_text("")
    (project / ".python-version").write_text("3.11\n")
    (project / ".gitignore").write_text("__pycache__/\n*.py[oc]\nbuild/\ndist/\nwheels/\n*.egg-info\n.venv\n")
    (project / "pyproject.toml").write_text(textwrap.dedent("""\
        [project]
        name = "tinypkg"
        version = "0.1.0"
        description = "Add your description here"
        readme = "README.md"
        requires-python = ">=3.10"
        dependencies = []

        [build-system]
        requires = ["sdistguard"]
        build-backend = "sdistguard.build"
    """))
    if commit:
        commit_all(project)
    return project


def _git_counter(root: Path) -> tuple[Path, Path]:
    """A ``git`` first on PATH that logs its arguments to a file, then runs the real git."""
    real = shutil.which("git")
    assert real is not None
    directory = root / "bin"
    directory.mkdir()
    log = root / "git.log"
    shim = directory / "git"
    shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return directory, log


def _build_in_fresh_process(project: Path, out: Path, path_prefix: Path, *hooks: str) -> dict[str, object]:
    """Run the PEP 517 ``hooks`` (default: ``build_sdist`` then ``build_wheel``) in one fresh interpreter."""
    environment = dict(os.environ, PATH=f"{path_prefix}{os.pathsep}{os.environ.get('PATH', '')}",
                       SOURCE_DATE_EPOCH="1700000000")
    environment.pop("SDISTGUARD_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(out), *hooks], cwd=project, env=environment,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # a clean build prints nothing
    result = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], list[str]]:
    root = tmp_path_factory.mktemp("startup")
    project = _small_project(root)
    shims, log = _git_counter(root)
    out = root / "out"
    out.mkdir()
    result = _build_in_fresh_process(project, out, shims)
    assert result["artifacts"] == ["tinypkg-0.1.0.tar.gz", "tinypkg-0.1.0-py3-none-any.whl"]
    return result, log.read_text().splitlines()


def test_a_small_clean_build_loads_no_auditor_report_or_pool(small_build: tuple[dict[str, object], list[str]]) -> None:
    result, _ = small_build
    modules = result["modules"]
    assert isinstance(modules, list)
    loaded = sorted(name for name in modules
                    if any(name == banned or name.startswith(banned + ".") for banned in NEVER_IN_A_CLEAN_BUILD))
    assert loaded == []
    assert "sdistguard.builders.guard" in modules  # the build did run sdistguard's builders


def test_a_small_clean_build_makes_no_dataclass(small_build: tuple[dict[str, object], list[str]]) -> None:
    """Making a dataclass costs about 3.5 million instructions of start-up, a NamedTuple or a plain slotted
    class a fraction of it: no module a clean build loads defines one (Finding, the rules, the walk's records)."""
    result, _ = small_build
    assert result["dataclasses"] == []


NEVER_IN_A_WHEEL_BUILD = (
    # the sdist's writer and builder, hatchling's sdist module and what only they use: a frontend builds
    # the wheel in a process of its own (hatchling's wheel build loads none of them either)
    "sdistguard.builders.sdist", "sdistguard.builders.sdist_writer", "hatchling.builders.sdist", "tarfile", "gzip",
)
"""Modules (and their submodules) that building a small clean project's wheel alone must not import."""


def test_a_small_wheel_build_loads_no_sdist_writer_nor_tarfile(tmp_path: Path) -> None:
    project = _small_project(tmp_path)
    shims, _ = _git_counter(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    result = _build_in_fresh_process(project, out, shims, "build_wheel")
    assert result["artifacts"] == ["tinypkg-0.1.0-py3-none-any.whl"]
    modules = result["modules"]
    assert isinstance(modules, list)
    loaded = sorted(name for name in modules
                    if any(name == banned or name.startswith(banned + ".") for banned in NEVER_IN_A_WHEEL_BUILD))
    assert loaded == []
    assert "sdistguard.builders.wheel_writer" in modules  # the build did run sdistguard's wheel writer


def test_a_small_build_starts_no_thread(small_build: tuple[dict[str, object], list[str]]) -> None:
    result, _ = small_build
    assert result["threads"] == []  # neither the sdist's compressor thread nor the wheel's pool
    assert result["alive"] == 1


def test_a_build_asks_git_once_per_artifact(small_build: tuple[dict[str, object], list[str]]) -> None:
    _, calls = small_build
    assert len(calls) == 2, calls  # one `git ls-files` for the sdist, one for the wheel
    assert all(" ls-files " in f" {call} " for call in calls), calls


def test_no_git_process_outside_a_work_tree_nor_for_the_wheel_of_an_unpacked_sdist(tmp_path: Path) -> None:
    project = _small_project(tmp_path, commit=False)  # no .git at or above it (the basetemp's is empty)
    shims, log = _git_counter(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    result = _build_in_fresh_process(project, out, shims)
    assert result["artifacts"] == ["tinypkg-0.1.0.tar.gz", "tinypkg-0.1.0-py3-none-any.whl"]
    unpacked = tmp_path / "unpacked"
    with tarfile.open(out / "tinypkg-0.1.0.tar.gz") as sdist:
        sdist.extractall(unpacked, filter="data")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    again = _build_in_fresh_process(unpacked / "tinypkg-0.1.0", wheels, shims)  # as a frontend does, step two
    assert again["artifacts"] == ["tinypkg-0.1.0.tar.gz", "tinypkg-0.1.0-py3-none-any.whl"]
    wheel = "tinypkg-0.1.0-py3-none-any.whl"
    assert (wheels / wheel).read_bytes() == (out / wheel).read_bytes()
    assert not log.exists(), log.read_text()  # git's discovery would find nothing: it is not run


def test_a_build_that_leaves_something_out_loads_only_the_build_summary(tmp_path: Path) -> None:
    """The build's report is one module of sdistguard.report: none of ``check``'s formats, nor the auditor."""
    project = _small_project(tmp_path)
    venv = project / "myenv"
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib" / "site.py").write_text("")
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(out)], cwd=project, capture_output=True, text=True,
                          check=False, env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000"))
    assert done.returncode == 0, done.stderr
    assert "sdistguard: tinypkg-0.1.0.tar.gz: left out 1 path(s)" in done.stderr
    assert "SG101 myenv/:" in done.stderr
    modules = ast.literal_eval(done.stdout.strip().splitlines()[-1])["modules"]
    report = sorted(name for name in modules if name.startswith(("sdistguard.report", "sdistguard.audit")))
    assert report == ["sdistguard.report", "sdistguard.report.summary"]


@given(st.from_regex(r"[0-9]{0,3}(\.[0-9a-z]{0,3}){0,3}(rc1|\.dev0|\+local)?", fullmatch=True) | st.text(max_size=8))
def test_the_hatchling_release_is_read_as_the_version_pattern_reads_it(version: str) -> None:
    match = re.match(r"(\d+)\.(\d+)", version, re.ASCII)
    assert release_of(version) == ((int(match.group(1)), int(match.group(2))) if match else (0, 0))


def test_the_auditors_rules_load_on_first_use_and_complete_the_table() -> None:
    child = textwrap.dedent("""
        import sys
        from sdistguard.rules import Finding, finding
        assert "sdistguard.rules.gate" not in sys.modules
        found = finding("index-hash-missing", "a-1.0.tar.gz")  # an auditor family's rule, by name
        assert "sdistguard.rules.gate" in sys.modules
        from typing import get_args
        from sdistguard.rules import FAMILIES, RULES, Code
        assert Finding("SG592", "x").rule is RULES["SG592"]
        print(found.code, found.severity, len(RULES) == len(get_args(Code)), FAMILIES[-1].key)
    """)
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["SG593", "warning", "True", "release"]
