"""The build and the auditor run one detector per rule: for a tree, the sdistguard build's findings and the
auditor's findings on hatchling's sdist of the same tree are the same (code, path) pairs, with the same evidence
(:mod:`sdistguard.rules.evidence`: the marker or the name that told a junk directory).

The name rules (SG401-SG404) are :class:`sdistguard.rules.names.NameCheck` in both; a rule about a path component
names the offending directory once, in the same words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_project
from helpers.builds import guarded_findings, hatchling_sdist
from helpers.fakes import FAKE_TOKENS
from sdistguard.audit import audit
from sdistguard.builders.sdist import GuardedSdistBuilder
from sdistguard.core.errors import InputError, project_errors
from sdistguard.rules import JUNK_DIRECTORY_NAMES, RULE_BY_NAME, Code, Finding


def backend_findings(root: Path, out: Path) -> list[Finding]:
    """The sdistguard sdist build's findings on ``root``, whether the build stopped or not."""
    return guarded_findings(GuardedSdistBuilder, root, out)


def rows(findings: list[Finding], codes: tuple[Code, ...]) -> set[tuple[str, str, str]]:
    """(code, path, detail) of the findings whose code is one of ``codes``."""
    return {(found.code, found.path, found.detail) for found in findings if found.code in codes}


def test_a_refused_directory_is_named_once_in_the_same_words_by_the_build_and_the_auditor(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project")
    for directory in ("con", "trail."):
        (root / "src" / "demo" / directory).mkdir()
        for name in ("x.py", "y.py"):
            (root / "src" / "demo" / directory / name).write_text("x = 1\n")
    (root / "src" / "demo" / "a:b.py").write_text("x = 1\n")
    expected = {
        ("SG402", "src/demo/con/", "'con' is a reserved device name on Windows"),
        ("SG402", "src/demo/trail./", "'trail.' ends in a dot (Windows drops it)"),
        ("SG401", "src/demo/a:b.py", "contains ':'"),
    }
    names: tuple[Code, ...] = ("SG401", "SG402", "SG403", "SG404")
    assert rows(backend_findings(root, tmp_path / "ours"), names) == expected
    assert rows(audit(hatchling_sdist(root, tmp_path / "hatchling")), names) == expected


def test_one_context_manager_tells_the_users_error_from_a_bug(tmp_path: Path) -> None:
    """hatchling's own error (its code raised it) and the environment's are the user's; our TypeError is a bug."""
    from hatchling.metadata.core import ProjectMetadata

    def wrap(error: BaseException, prefix: str) -> InputError:
        return InputError(f"{prefix}{error}")

    with pytest.raises(InputError, match=r"^hatchling: .*project.name"), project_errors(wrap):
        metadata: ProjectMetadata[Any] = ProjectMetadata(str(tmp_path), None, {"project": {"name": 1, "version": "1"}})
        assert metadata.core.name  # hatchling validates the field when asked
    with pytest.raises(InputError, match=r"^\[Errno 2\]"), project_errors(wrap):
        (tmp_path / "missing").read_text()
    with pytest.raises(TypeError, match="ours"), project_errors(wrap):
        raise TypeError("ours")


# --------------------------------------------------------------------------- the differential on generated trees

DIRECTORIES = ("src/demo", "src/demo/con", "src/demo/trail.", "src/demo/Sub", "docs", "tests/data")
FILE_NAMES = ("x.py", "a:b.py", "Data.txt", "data.txt", "aux.py", "q?.txt", "ok.md", " edge.txt")
CREDENTIALS = (".env", ".pypirc", "id_rsa", ".netrc")
JUNK = {  # a junk directory's name -> its files: one row per detector of the registry (and its evidence)
    "env-venv": {"pyvenv.cfg": "home = /usr/bin\n", "lib/python3.12/site-packages/six.py": "x = 1\n"},
    "env-conda": {"conda-meta/history": "", "lib/x.py": "x = 1\n"},
    "env-cache": {"CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n", "data.bin": "x"},
    ".hypothesis": {"examples/abc": "x"},
    "node_modules": {"left-pad/index.js": "module.exports = 1;\n"},
    "env-stripped-venv": {"lib/python3.12/site-packages/six.py": "x = 1\n"},  # a venv that lost its pyvenv.cfg
}
JUNK_CODES = {RULE_BY_NAME[rule].code for rule, _ in JUNK_DIRECTORY_NAMES.values()}
COMPARED: tuple[Code, ...] = ("SG101", "SG102", "SG103", *sorted(JUNK_CODES - {"SG103"}),
                              "SG401", "SG402", "SG403", "SG404", "SG601", "SG602")


@st.composite
def generated_trees(draw: st.DrawFn) -> dict[str, str]:
    """A project's extra files (path relative to the root -> text): odd names, credential files, secrets, junk."""
    files: dict[str, str] = {}
    for directory, name in draw(st.lists(st.tuples(st.sampled_from(DIRECTORIES), st.sampled_from(FILE_NAMES)),
                                         max_size=6)):
        files[f"{directory}/{name}"] = "x = 1\n"
    for directory, name in draw(st.lists(st.tuples(st.sampled_from(DIRECTORIES[:1] + DIRECTORIES[4:]),
                                                   st.sampled_from(CREDENTIALS)), max_size=2)):
        files[f"{directory}/{name}"] = "user = me\n"
    for index, kind in enumerate(draw(st.lists(st.sampled_from(sorted(FAKE_TOKENS)), max_size=2))):
        token = draw(FAKE_TOKENS[kind])
        files[f"src/demo/settings{index}.py"] = "x = 1\n" * draw(st.integers(0, 2)) + f"T = '{token}'\n"
    for where, junk in draw(st.lists(st.tuples(st.sampled_from(("", "tests/", "src/demo/")),
                                               st.sampled_from(sorted(JUNK))), max_size=2)):
        for name, text in JUNK[junk].items():
            files[f"{where}{junk}/{name}"] = text
    if draw(st.booleans()):
        files["src/demo/" + "d" * 60 + "/" + "e" * 60 + "/" + "f" * 40 + ".py"] = "x = 1\n"  # past the 160 budget
    return files


def _pairs(findings: list[Finding]) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """(code, path, evidence) of the compared findings: the same rule gives the same evidence in both engines."""
    return {(found.code, found.path, found.evidence) for found in findings if found.code in COMPARED}


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=generated_trees())
def test_the_build_and_the_auditor_find_the_same_names_secrets_and_junk(
        tmp_path_factory: pytest.TempPathFactory, files: dict[str, str]) -> None:
    base = tmp_path_factory.mktemp("engines")
    root = write_project(base / "project")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    ours = backend_findings(root, base / "ours")
    theirs = audit(hatchling_sdist(root, base / "hatchling"))
    # what only the auditor can see, explicit: a venv known by its layout (its marker stripped, so the build ships
    # it), and what lies below a directory the build left out whole (never listed by the build)
    gone = tuple(found.path for found in ours if found.path.endswith("/") and found.rule.effect == "left out")
    auditor = {(found.code, found.path, found.evidence) for found in theirs if found.code in COMPARED
               and not found.detail.startswith("layout: ")
               and not any(found.path.startswith(directory) and found.path != directory for directory in gone)}
    assert _pairs(ours) == auditor, files
