"""The walk decides once per path: the builder hands it its facts, hatchling is asked once per entry.

A real tree with every kind of entry the walk treats differently (nested ignore files, an excluded
directory artifacts rescue from, file and directory links inside the tree, a dangling link, a link
leaving it, a credential file, a venv, a force-included directory) is built for real; hatchling's
decision callback is counted per walk and path, and the records the walk yields are checked
against the artifact. ``sdistguard.core.paths`` is checked against pathlib on generated paths.
"""

from __future__ import annotations

import collections
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import members, write_project
from sdistguard.builders.guard import Guard
from sdistguard.core.paths import is_within, relative_to
from sdistguard.walk import GuardedWalker, WalkedFile, WalkFacts

EXTRA = """
[tool.hatch.build]
artifacts = ["*.so"]
[tool.hatch.build.targets.sdist.force-include]
"extra" = "extra"
"""


def hostile_tree(root: Path, outside: Path) -> Path:
    write_project(root, extra=EXTRA)
    files = {
        "src/.gitignore": "cache/\n",
        "src/demo/.gitignore": "*.so\n*.bin\n",
        "src/demo/_ext.so": "built\n",  # ignored, brought back by artifacts (named)
        "src/demo/gen/a.bin": "ignored\n",  # ignored: SG104, a left-out record
        "src/demo/gen/b.py": "b = 1\n",
        "src/demo/cache/x.so": "rescued\n",  # below an excluded directory, brought back by artifacts
        "src/demo/cache/y.txt": "left\n",  # below it, left out (counted on the directory's finding)
        ".pypirc": "[pypi]\n",
        "env/pyvenv.cfg": "home = /usr\n",
        "env/lib/site.py": "x\n",
        "extra/one.txt": "forced\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    outside.write_text("outside\n")
    (root / "src/demo/alias.txt").symlink_to("data.txt")
    (root / "src/demo/linkdir").symlink_to("gen")
    (root / "src/demo/dangling").symlink_to("nowhere")
    (root / "src/demo/outside.txt").symlink_to(outside)
    return root


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> tuple[list[collections.Counter[str]], list[WalkedFile]]:
    """Count hatchling's decision per walk and path; collect the records every walk yields."""
    counts: list[collections.Counter[str]] = []
    records: list[WalkedFile] = []
    decider = Guard._decider

    def counting_decider(self: Guard, *arguments: object) -> object:
        decide = decider(self, *arguments)  # type: ignore[arg-type]
        count: collections.Counter[str] = collections.Counter()
        counts.append(count)

        def counted_decide(relative: str, kind: str, is_package: bool) -> object:
            count[relative] += 1
            return decide(relative, kind, is_package)  # type: ignore[arg-type]

        return counted_decide

    walk = GuardedWalker.walk

    def recording_walk(self: GuardedWalker, top: str, facts: WalkFacts) -> Iterator[WalkedFile]:
        for record in walk(self, top, facts):
            records.append(record)
            yield record

    monkeypatch.setattr(Guard, "_decider", counting_decider)
    monkeypatch.setattr(GuardedWalker, "walk", recording_walk)
    return counts, records


def test_hatchling_is_asked_once_per_path_and_the_records_are_the_archive(
        tmp_path: Path, build_in, capsys, counted) -> None:
    root = hostile_tree(tmp_path / "p", tmp_path / "elsewhere.txt")
    sdist = build_in(root)
    counts, records = counted
    assert len(counts) == 2  # the project walk, the force-included directory's walk
    assert {path: n for count in counts for path, n in count.items() if n > 1} == {}
    assert "src/demo/gen/b.py" in counts[0] and "src/demo/linkdir/b.py" in counts[0]
    assert members(sdist) == {
        "extra/one.txt": "file", "pyproject.toml": "file", "README.md": "file", "PKG-INFO": "file",
        "src/.gitignore": "file", "src/demo/.gitignore": "file", "src/demo/__init__.py": "file",
        "src/demo/_ext.so": "file", "src/demo/alias.txt": "file", "src/demo/cache/x.so": "file",
        "src/demo/data.txt": "file", "src/demo/gen/b.py": "file", "src/demo/linkdir/b.py": "file",
    }
    shipped = {record.project_path: record.distribution_path for record in records if record.left_out is None}
    with tarfile.open(sdist) as archive:
        written = {name.split("/", 1)[1] for name in archive.getnames()}
    assert set(shipped.values()) == written - {"PKG-INFO", "pyproject.toml", "README.md"}
    assert shipped["src/demo/linkdir/b.py"] == os.path.join("src", "demo", "linkdir", "b.py")
    assert {record.project_path: record.left_out for record in records if record.left_out} == {
        ".pypirc": "SG601", "src/demo/cache/y.txt": "SG104", "src/demo/dangling": "SG202",
        "src/demo/gen/a.bin": "SG104", "src/demo/linkdir/a.bin": "SG104", "src/demo/outside.txt": "SG201",
    }
    assert {record.project_path: record.rescued for record in records if record.rescued} == {
        "src/demo/_ext.so": "named", "src/demo/cache/x.so": "named",
    }
    forced = [record for record in records if record.relative_path.startswith("extra")]
    assert [(record.relative_path, record.project_path) for record in forced] == [
        (os.path.join("extra", "one.txt"), "extra/one.txt")]
    assert "SG101 env/" in capsys.readouterr().err


paths = st.lists(st.sampled_from(["a", "ab", "b", "a.b", ".."]), max_size=4).map(lambda parts: "/" + "/".join(parts))


@given(path=paths, directory=paths)
def test_is_within_answers_as_pathlib(path: str, directory: str) -> None:
    path, directory = os.path.normpath(path), os.path.normpath(directory)
    expected = PurePosixPath(path).is_relative_to(directory)
    assert is_within(path, directory) is expected
    relative = relative_to(path, directory)
    if not expected:
        assert relative is None
    else:
        assert relative == ("" if path == directory else str(PurePosixPath(path).relative_to(directory)))


def test_a_sibling_with_the_same_prefix_is_outside() -> None:
    assert not is_within("/x/proj2/f", "/x/proj")
    assert relative_to("/x/proj2/f", "/x/proj") is None
    assert relative_to("/x/proj", "/x/proj") == ""
    assert relative_to("/x/proj/a/b", "/x/proj/") == os.path.join("a", "b")
    assert is_within("/etc", "/")
