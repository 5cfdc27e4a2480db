"""Names that break on Windows and macOS: reserved names, twins by case and Unicode form, length."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdistguard.rules.names import PATH_BUDGET, TwinNames, too_long, windows_reason


@pytest.mark.parametrize(("path", "reason"), [
    ("aux.py", "'aux.py' is a reserved device name on Windows"),
    ("src/pkg/CON", "'CON' is a reserved device name on Windows"),
    ("data/Nul.tar.gz", "'Nul.tar.gz' is a reserved device name on Windows"),
    ("com1/x.py", "'com1' is a reserved device name on Windows"),
    ("LPT9.txt", "'LPT9.txt' is a reserved device name on Windows"),
    ("docs/notes.", "'notes.' ends in a dot (Windows drops it)"),
    ("what?.txt", "'what?.txt' contains '?' (refused on Windows)"),
    ('say"hi".md', '\'say"hi".md\' contains \'"\' (refused on Windows)'),
    ("a|b", "'a|b' contains '|' (refused on Windows)"),
])
def test_windows_refuses(path: str, reason: str) -> None:
    assert windows_reason(path) == reason


@pytest.mark.parametrize("path", ["auxiliary.py", "console/x.py", "COM10.txt", "LPT.txt", "nul_device.c",
                                  "src/pkg/__init__.py", "a.b.c", ".gitignore", "src/pkg/con_fig.py"])
def test_windows_accepts(path: str) -> None:
    assert windows_reason(path) is None


def test_path_budget() -> None:
    assert not too_long("a" * PATH_BUDGET) and too_long("a" * (PATH_BUDGET + 1))
    assert not too_long("a" * PATH_BUDGET + "/")


def _twins(paths: list[str]) -> list[tuple[str, str]]:
    names = TwinNames()
    return [(path, twin) for path in paths if (twin := names.add(path)) is not None]


def test_case_twins_collide() -> None:
    assert _twins(["README.md", "readme.md", "src/a.py"]) == [("readme.md", "README.md")]


def test_nfc_and_nfd_spellings_collide() -> None:
    nfc = unicodedata.normalize("NFC", "café.txt")
    nfd = unicodedata.normalize("NFD", "café.txt")
    assert nfc != nfd
    assert _twins([nfc, nfd]) == [(nfd, nfc)]


def test_directories_differing_in_case_merge_but_their_twin_files_collide() -> None:
    assert _twins(["Docs/a.md", "docs/b.md"]) == []
    assert _twins(["Docs/a.md", "docs/A.md"]) == [("docs/A.md", "Docs/a.md")]


def test_a_file_and_a_directory_of_the_same_folded_name_collide() -> None:
    assert _twins(["build", "Build/x.py"]) == [("Build/x.py", "build")]
    assert _twins(["Build/x.py", "build"]) == [("build", "Build/")]


def test_the_same_name_twice_is_no_twin() -> None:  # a duplicate member is SG503, not this
    assert _twins(["a.py", "a.py"]) == []


NAME = st.text(alphabet="aAbBßéE\u0301_.", min_size=1, max_size=6).filter(lambda n: n not in (".", ".."))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(NAME, min_size=1, max_size=3).map("/".join), min_size=1, max_size=12, unique=True))
def test_twins_match_a_case_insensitive_normalising_file_system(paths: list[str]) -> None:
    """Reference: which *files* two spellings make one, as NTFS/APFS would (lower case, NFC)."""
    files = [path for path in paths if not any(other.startswith(path + "/") for other in paths)]
    folded: dict[str, str] = {}
    expected = set()
    for path in files:
        key = unicodedata.normalize("NFC", path).lower()
        if key in folded:
            expected.add(path)
        folded.setdefault(key, path)
    found = {path for path, _ in _twins(files)}
    assert expected <= found


_PART = st.builds(
    lambda stem, tail: stem + tail,
    st.sampled_from(["con", "CON", "Aux", "nUl", "prn", "com0", "COM9", "lpt1", "conx", "x", "\u017f", "\u0131",
                     "\u212a", "\u00e9", ""]),
    st.sampled_from(["", " ", ".", "..", ".txt", " .py", "  ", ". ", "x", "<", "?", "*", '"', "|", ">", ".tar.gz"]),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PART, min_size=1, max_size=4).map("/".join), st.sampled_from(["", "/"]))
def test_windows_reason_is_the_first_component_reason(path: str, slash: str) -> None:
    """What is remembered per directory never changes the answer (reference: each component checked in turn)."""
    from sdistguard.rules.names import _component_reason

    reasons = [_component_reason(component) for component in (path + slash).strip("/").split("/")]
    assert windows_reason(path + slash) == next((reason for reason in reasons if reason is not None), None)


def _reference_twins(paths: list[str]) -> list[str | None]:
    """TwinNames' rules spelled out member by member, every parent folded again for every member."""
    files: dict[str, str] = {}
    directories: dict[str, str] = {}
    answers: list[str | None] = []
    for path in paths:
        name = path.rstrip("/")
        fold = unicodedata.normalize("NFC", name).lower()
        twin: str | None = None
        parts = name.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            folded_parent = unicodedata.normalize("NFC", parent).lower()
            if twin is None:
                twin = files.get(folded_parent)
            directories.setdefault(folded_parent, parent)
        if path.endswith("/"):
            twin = twin or files.get(fold)
            directories.setdefault(fold, name)
        else:
            earlier = files.get(fold)
            if twin is None and earlier is not None and earlier != name:
                twin = earlier
            if twin is None and fold in directories:
                twin = directories[fold] + "/"
            files.setdefault(fold, name)
        answers.append(twin)
    return answers


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(NAME, min_size=1, max_size=3).map("/".join), st.sampled_from(["", "/"])).map(
    "".join), min_size=1, max_size=14))
def test_twin_names_answer_as_the_member_by_member_rules(paths: list[str]) -> None:
    twins = TwinNames()
    assert [twins.add(path) for path in paths] == _reference_twins(paths)


def test_names_deeper_than_the_recursion_limit() -> None:
    """A tree may nest deeper than Python's recursion limit: the per-directory memory is a loop."""
    import sys

    deep = "/".join(["d"] * (sys.getrecursionlimit() + 100))
    assert windows_reason(f"{deep}/x.py") is None
    assert windows_reason(f"{deep}/aux.py") == "'aux.py' is a reserved device name on Windows"
    twins = TwinNames()
    assert twins.add(f"{deep}/x.py") is None
    assert twins.add(f"{deep}/X.py") == f"{deep}/x.py"
