"""The release gate, ``sdistguard check --build``: real isolated builds of one project per backend.

Each project is built by the gate (pypa/build's API, uv as the installer) and by ``python -m build
--installer uv``, both under the same ``SOURCE_DATE_EPOCH``, so the artifacts the gate writes can be
compared with what the frontend writes. The failing cases are the ones the gate exists for: a wheel
that differs once built from the sdist, a venv in a module directory, a tracked file the sdist lacks,
a build that needs a file the sdist does not ship. uv's cache (``~/.cache/uv``) stays warm between runs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, run
from helpers.git import commit_all
from helpers.projects import BACKENDS, write_backend_project
from sdistguard.cli import main
from sdistguard.core.errors import InputError
from sdistguard.release import publish, sdist_vs_git, wheel_parity
from sdistguard.rules import RULES

EPOCH = "1700000000"

NOT_REPRODUCIBLE = {
    # backend: why its sdist's bytes differ between two builds even under SOURCE_DATE_EPOCH
    "setuptools": "the gzip header and the members it generates (PKG-INFO, setup.cfg, *.egg-info/) carry the "
    "build's time",
    "pdm-backend": "the gzip header carries the build's time (the tar stream inside is reproducible)",
}


@dataclass
class GateRun:
    """One project built by the gate (``code``, its JSON ``report``, the ``written`` output directory)
    and by ``python -m build`` into ``reference``."""

    root: Path
    code: int
    report: dict[str, Any]
    written: Path
    reference: Path


def gate(root: Path, *arguments: str, work: Path) -> tuple[int, dict[str, Any]]:
    """Run ``sdistguard check --build`` in-process with ``--format json``; return the exit code and report.

    Temporary files (build environments, the unpacked sdist) go below ``work``.
    """
    report = work / f"report-{len(list(work.iterdir()))}.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.setenv("TMPDIR", str(work))  # the backends' own temporary files
        patch.setattr(tempfile, "tempdir", str(work))
        code = main(["check", "--build", str(root), "--format", "json", "--output", str(report), *arguments])
    return code, json.loads(report.read_text())


def codes(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(input kind, code, path)`` of every finding of a JSON report, in order."""
    return [(item["kind"], found["code"], found["path"]) for item in report["inputs"] for found in item["findings"]]


@pytest.fixture(scope="module", params=list(BACKENDS))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> GateRun:
    """A clean, committed project of each backend, through the gate and through ``python -m build``."""
    backend: str = request.param
    base = tmp_path_factory.mktemp(f"gate-{backend}")
    work = base / "tmp"
    work.mkdir()
    root = write_backend_project(base / "project", backend)
    commit_all(root)
    code, report = gate(root, "--outdir", str(base / "dist"), work=work)
    run([sys.executable, "-m", "build", "--installer", "uv", "--outdir", str(base / "reference"), str(root)], root,
        {"SOURCE_DATE_EPOCH": EPOCH, "TMPDIR": str(work)})
    return GateRun(root, code, report, base / "dist", base / "reference")


def tar_contents(path: Path) -> list[tuple[str, int, bytes]]:
    """Each member of an sdist: its name, type and data (mtimes left aside)."""
    with tarfile.open(path) as archive:
        return [
            (member.name, ord(member.type), (archive.extractfile(member) or open(os.devnull, "rb")).read())
            for member in archive.getmembers()
        ]


@pytest.mark.e2e
def test_a_clean_project_passes_and_writes_what_python_m_build_writes(built: GateRun) -> None:
    assert (built.code, built.report["summary"]["failing"]) == (0, 0), codes(built.report)
    assert [item["kind"] for item in built.report["inputs"]] == ["directory", "sdist", "wheel", "wheel"]
    assert not [code for _kind, code, _path in codes(built.report) if code.startswith("SG75")]
    assert sorted(os.listdir(built.written)) == sorted(os.listdir(built.reference))
    assert len(os.listdir(built.written)) == 2  # the sdist and the wheel built from it
    backend = built.report["inputs"][0]["built_by"]["name"]
    for name in os.listdir(built.reference):
        ours, theirs = (built.written / name).read_bytes(), (built.reference / name).read_bytes()
        if name.endswith(".whl") or backend not in NOT_REPRODUCIBLE:
            assert ours == theirs, name
        elif backend == "pdm-backend":
            assert gzip.decompress(ours) == gzip.decompress(theirs)
        else:
            assert tar_contents(built.written / name) == tar_contents(built.reference / name)


@pytest.mark.e2e
def test_a_wheel_file_the_sdist_excludes_fails_the_parity_check(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = write_backend_project(tmp_path / "project", "hatchling",
                                 extra='\n[tool.hatch.build.targets.sdist]\nexclude = ["/src/demo/data.txt"]\n')
    outdir = tmp_path / "dist"
    outdir.mkdir()
    (outdir / "demo-0.9.tar.gz").write_bytes(b"an older release")
    (tmp_path / "tmp").mkdir()
    code, report = gate(root, "--outdir", str(outdir), work=tmp_path / "tmp")
    assert code == 1
    wheel = report["inputs"][2]
    assert wheel["path"] == "demo-1.0-py3-none-any.whl"  # the wheel built from the sdist, the one that ships
    parity = [found for found in wheel["findings"] if found["code"] == "SG750"]
    assert [(found["path"], found["detail"], found["fails"]) for found in parity] == [
        ("demo/data.txt", "only in the wheel built from the tree: excluded from the sdist: the tree has "
         "src/demo/data.txt, the sdist does not", True)
    ]
    assert (report["inputs"][2]["findings"][-1]["hint"] == "check what leaves them out ([tool.hatch.build.targets."
            "sdist] exclude or only-include, a .gitignore line) and add [\"/src/demo/data.txt\"] to "
            "[tool.hatch.build.targets.sdist] include; then test the wheel built from the sdist")
    assert os.listdir(outdir) == ["demo-0.9.tar.gz"]  # nothing written, nothing half-written
    assert capsys.readouterr().err == ""  # --format json: no progress


@pytest.mark.e2e
def test_a_uv_build_project_with_a_venv_in_its_module_fails_naming_the_venv(tmp_path: Path) -> None:
    root = write_backend_project(tmp_path / "project", "uv_build")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "src" / "demo" / "venv")], check=True)
    (tmp_path / "tmp").mkdir()
    code, report = gate(root, work=tmp_path / "tmp")
    assert code == 1
    assert not (root / "dist").exists()
    project = report["inputs"][0]
    assert [(found["code"], found["path"]) for found in project["findings"]] == [("SG751", "pyproject.toml")]
    detail = project["findings"][0]["detail"]
    assert detail.startswith("sdist from the tree: Backend subprocess exited when trying to invoke build_sdist")
    assert detail.endswith("the output says: Error: Virtual environments must not be added to source "
                           "distributions or wheels, remove the directory or exclude it from the build: src/demo/venv")


@pytest.mark.e2e
def test_tracked_files_the_sdist_lacks_and_untracked_members_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_backend_project(tmp_path / "project", "hatchling",
                                 extra='\n[tool.hatch.build.targets.sdist]\nexclude = ["/notes"]\n')
    (root / "notes").mkdir()
    (root / "notes" / "todo.md").write_text("- release\n")
    (root / "notes" / "ideas.md").write_text("- more\n")
    commit_all(root)
    (root / "extra.txt").write_text("not committed\n")
    (root / "dist").mkdir()
    (root / "dist" / "demo-0.9.tar.gz").write_bytes(b"an older release")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.setenv("TMPDIR", str(tmp_path))
        patch.setattr(tempfile, "tempdir", str(tmp_path))
        patch.chdir(root)
        code = main(["check", "--build"])
        out, err = capsys.readouterr()
        assert code == 0, out  # reported, advisory
        assert sorted(os.listdir(root / "dist")) == ["demo-0.9.tar.gz", "demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
        reason = RULES["SG752"].reason
        assert f"  SG752 notes/: {reason} (2 files, 17 B; tracked by git, none in the sdist) (advisory)" in out
        assert (f"  SG753 extra.txt: {RULES['SG753'].reason} (untracked (git does not ignore it: commit it or "
                "ignore it)) (advisory)") in out
        assert ('  fix (SG752): check what leaves them out ([tool.hatch.build.targets.sdist] exclude or only-include, '
                'a .gitignore line) and add ["/notes/"] to [tool.hatch.build.targets.sdist] include') in out
        assert ("sdistguard: [1/3] building the sdist from the tree ...\n"
                "sdistguard: [1/3] sdist from the tree: demo-1.0.tar.gz (") in err
        assert "sdistguard: [2/3] wheel from the unpacked sdist: demo-1.0-py3-none-any.whl (" in err
        assert "sdistguard: [3/3] wheel from the tree: demo-1.0-py3-none-any.whl (" in err
        assert "sdistguard: the gate passed; wrote dist/demo-1.0.tar.gz, dist/demo-1.0-py3-none-any.whl" in err
        assert ("sdistguard: note: dist also holds demo-0.9.tar.gz, which this run did not check: upload only the "
                "files named above") in err
        assert "  note: dist also holds demo-0.9.tar.gz, which this run did not check" in out
        code = main(["check", "--build", "--select", "SG752", "--outdir", str(tmp_path / "strict")])
        out, err = capsys.readouterr()
    assert code == 1  # selected, so failing
    assert "  SG752 notes/: " in out and "SG753" not in out
    assert not (tmp_path / "strict").exists()
    assert "sdistguard: the gate failed; nothing was written to " in err


@pytest.mark.e2e
def test_a_build_needing_a_file_the_sdist_lacks_is_a_build_failure(tmp_path: Path) -> None:
    root = write_backend_project(tmp_path / "project", "hatchling", extra=textwrap.dedent("""
        [tool.hatch.build.hooks.custom]

        [tool.hatch.build.targets.sdist]
        exclude = ["/data"]
        """))
    (root / "data").mkdir()
    (root / "data" / "VERSION").write_text("1.0\n")
    (root / "hatch_build.py").write_text(textwrap.dedent("""
        import os
        from hatchling.builders.hooks.plugin.interface import BuildHookInterface

        class CustomBuildHook(BuildHookInterface):
            def initialize(self, version, build_data):
                with open(os.path.join(self.root, "data", "VERSION")) as file:
                    file.read()
        """))
    (tmp_path / "tmp").mkdir()
    code, report = gate(root, work=tmp_path / "tmp")
    assert code == 1
    assert [item["kind"] for item in report["inputs"]] == ["directory", "sdist", "wheel"]  # the tree's wheel built
    failure = report["inputs"][0]["findings"][0]
    assert (failure["code"], failure["path"], failure["fails"]) == ("SG751", "pyproject.toml", True)
    assert failure["detail"].startswith(
        "wheel from the unpacked sdist: Backend subprocess exited when trying to invoke build_wheel (exit 1); "
        "the wheel builds from the tree, so the sdist likely lacks a file the build needs; the output says: "
    )
    assert "FileNotFoundError" in failure["detail"] and "data/VERSION" in failure["detail"]
    assert not (root / "dist").exists()


def test_without_pypa_build_the_gate_names_the_extra(tmp_path: Path) -> None:
    root = write_backend_project(tmp_path / "project", "hatchling")
    program = ("import sys; sys.modules['build'] = None; from sdistguard.cli import main; "
               f"sys.exit(main(['check', '--build', {str(root)!r}]))")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False, cwd=REPO)
    assert result.returncode == 2
    assert result.stderr == (
        'sdistguard: error: check --build needs pypa/build ("build"), which cannot be imported: '
        'pip install "sdistguard[release]"\n'
    )
    assert not (root / "dist").exists()


def test_outdir_without_build_and_more_than_one_directory_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--outdir", str(tmp_path), str(tmp_path)]) == 2
    assert main(["check", "--build", str(tmp_path), str(tmp_path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "sdistguard: error: --outdir goes with --build",
        "sdistguard: error: --build takes one directory",
    ]
    assert main(["check"]) == 2
    assert capsys.readouterr().err.endswith(
        "sdistguard check: error: the following arguments are required: PATH (or --build [DIR], or --index URL)\n"
    )


def test_the_sdist_is_compared_with_what_git_tracks(tmp_path: Path) -> None:
    root = tmp_path / "project"
    for path in ("pyproject.toml", "src/demo/a.py", "docs/one.md", "docs/two.md", "tests/x.py", "tests/y.py"):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("x\n")
    commit_all(root)
    (root / "tests" / "y.py").unlink()  # tracked, deleted in the work tree
    (root / ".gitignore").write_text("secret.cfg\n")
    (root / "secret.cfg").write_text("x\n")
    sdist = ["PKG-INFO", "pyproject.toml", "src/demo/a.py", "tests/x.py", "gen/_version.py", "secret.cfg",
             ".gitignore"]
    findings, skipped = sdist_vs_git(str(root), sdist, "hatchling")
    assert skipped is None
    assert [(found.code, found.path, found.detail, found.files) for found in findings] == [
        ("SG752", "docs/", "tracked by git, none in the sdist", 2),
        ("SG752", "tests/y.py", "tracked by git, deleted in the work tree", 0),
        ("SG753", ".gitignore", "untracked (git does not ignore it: commit it or ignore it)", 0),
        ("SG753", "gen/", "1 file, none tracked by git (not in the tree: generated by the backend or a build hook)", 0),
        ("SG753", "secret.cfg", "ignored by git, yet shipped", 0),
    ]
    outside = tmp_path / "plain"
    outside.mkdir()
    assert sdist_vs_git(str(outside), sdist, None) == (
        [], "the sdist was not compared with git: the project is not in a git work tree"
    )


def test_publish_writes_each_file_whole_or_nothing(tmp_path: Path) -> None:
    artifact = tmp_path / "demo-1.0.tar.gz"
    artifact.write_bytes(b"sdist")
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    with pytest.raises(InputError, match=r"--outdir .*file: cannot write"):
        publish([str(artifact)], str(blocked))
    assert publish([str(artifact)], str(tmp_path / "out")) == [str(tmp_path / "out" / "demo-1.0.tar.gz")]
    assert os.listdir(tmp_path / "out") == ["demo-1.0.tar.gz"]


def write_wheel(path: Path, members: dict[str, bytes], executable: tuple[str, ...] = ()) -> Path:
    """A zip at ``path`` holding ``members`` (name -> bytes); names in ``executable`` get mode 0o755."""
    with zipfile.ZipFile(path, "w") as wheel:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name in executable else 0o644) << 16
            wheel.writestr(info, data)
    return path


def test_wheel_parity_names_each_member_that_differs_with_its_likely_cause(tmp_path: Path) -> None:
    root = tmp_path / "project"
    for path, text in {"src/demo/a.py": "tree\n", "src/demo/same.py": "x\n", "src/demo/skipped.txt": "y\n",
                       "src/demo/run.sh": "z\n"}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    # the sdist's files with their SHA-256: only a.py's is compared (it differs from the tree's copy)
    sdist = {"src/demo/a.py": hashlib.sha256(b"sdist\n").hexdigest(), "src/demo/same.py": "0",
             "src/demo/skipped.txt": "1", "src/demo/run.sh": "2", "PKG-INFO": "3"}
    record = "demo-1.0.dist-info/RECORD"
    shipped = write_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {
        "demo/a.py": b"sdist\n", "demo/same.py": b"x\n", "demo/skipped.txt": b"y\n", "demo/run.sh": b"z\n",
        "demo/_speedups.cpython-311-x86_64-linux-gnu.so": b"\x7fELF built in /tmp/unpacked",
        "demo-1.0.dist-info/METADATA": b"Version: 1.0\n", record: b"one",
    })
    (tmp_path / "tree").mkdir()
    tested = write_wheel(tmp_path / "tree" / "demo-1.0-py3-none-any.whl", {
        "demo/a.py": b"tree\n", "demo/same.py": b"x\n", "demo/run.sh": b"z\n", "demo/_generated.py": b"g\n",
        "demo/_speedups.cpython-311-x86_64-linux-gnu.so": b"\x7fELF built in /home/me/project",
        "demo-1.0.dist-info/METADATA": b"Version: 1.0.dev1\n", record: b"two",
    }, executable=("demo/run.sh",))
    found = wheel_parity(str(shipped), str(tested), sdist_files=sdist, tree_root=str(root))
    assert [(item.code, item.path, item.detail) for item in found] == [
        ("SG750", "demo-1.0.dist-info/METADATA", "different content: metadata computed differently from the tree and "
         "from the sdist's PKG-INFO (a dynamic field)"),
        ("SG750", "demo/_generated.py", "only in the wheel built from the tree: generated by a build hook from the "
         "tree only (no such file in the tree or the sdist)"),
        ("SG750", "demo/a.py", "different content: the sdist holds another src/demo/a.py than the tree (rewritten "
         "when the sdist was built)"),
        ("SG750", "demo/run.sh", "executable bit differs: the file's mode differs between the tree and the unpacked "
         "sdist"),
        ("SG750", "demo/skipped.txt", "only in the wheel built from the sdist: a pattern that matches differently "
         "once unpacked: the tree's wheel leaves out src/demo/skipped.txt (a .gitignore or VCS file list the "
         "unpacked sdist lacks)"),
    ]


def test_an_invalid_build_system_table_is_a_build_failure_before_anything_is_installed(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[build-system]\nrequires = "hatchling"\n\n[project]\nname = "demo"\n')
    (tmp_path / "tmp").mkdir()
    code, report = gate(root, work=tmp_path / "tmp")
    assert code == 1
    assert [item["kind"] for item in report["inputs"]] == ["directory"]
    assert [(found["code"], found["path"], found["detail"]) for found in report["inputs"][0]["findings"]] == [
        ("SG751", "pyproject.toml", "sdist from the tree: Failed to validate `build-system` in pyproject.toml: "
         "`requires` must be an array of strings")
    ]
    assert not (root / "dist").exists()


@pytest.mark.e2e
def test_a_venv_hatchling_ships_is_found_in_the_artifacts_and_stops_the_build_from_the_sdist(tmp_path: Path) -> None:
    root = write_backend_project(tmp_path / "project", "hatchling")  # hatchling ships a venv it finds
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "src" / "demo" / "venv")], check=True)
    (tmp_path / "tmp").mkdir()
    code, report = gate(root, work=tmp_path / "tmp")
    assert code == 1, codes(report)
    assert [(kind, code, path) for kind, code, path in codes(report) if code in ("SG101", "SG751")] == [
        ("directory", "SG751", "pyproject.toml"), ("sdist", "SG101", "src/demo/venv/"), ("wheel", "SG101", "demo/venv/")
    ]
    assert report["inputs"][0]["findings"][0]["detail"] == (
        "wheel from the unpacked sdist: the sdist cannot be unpacked (as by pip and build): AbsoluteLinkError: "
        f"'demo-1.0/src/demo/venv/bin/python3.{sys.version_info.minor}' is a link to an absolute path"
    )  # the venv's links: frontends cannot build from this sdist either
    assert report["inputs"][2]["path"] == "demo-1.0-py3-none-any.whl (from the tree)"
    assert report["inputs"][1]["findings"][0]["hint"].startswith(
        'add ["/src/demo/venv/"] to [tool.hatch.build.targets.sdist] exclude in pyproject.toml'
    )
    assert not (root / "dist").exists()
