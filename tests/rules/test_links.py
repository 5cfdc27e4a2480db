"""The links family's one decision (:func:`sdistguard.rules.links.classify_link`): a link leaving the top, dangling,
in a cycle or staying inside is the same rule whether the build meets it on disk or the auditor in an archive."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from conftest import write_project
from helpers.archives import member, sdist
from helpers.builds import guarded_findings
from sdistguard.audit import audit
from sdistguard.builders.sdist import GuardedSdistBuilder
from sdistguard.rules.links import Reached, classify_link, lexical_target

LINKS: dict[str, str] = {
    "up.txt": "../outside.txt",  # climbs out of the project (of the top-level directory)
    "gone.txt": "missing.txt",  # reaches nothing
    "src/demo/loop": "..",  # a directory that holds the link
    "a": "b",  # a chain that comes back
    "b": "a",
}
LINK_CODES = ("SG201", "SG202", "SG203")


@pytest.mark.parametrize(
    ("path", "target", "reached", "expected"),
    [
        ("x", "/etc/passwd", "file", "external-link"),
        ("x", "C:/Windows", "file", "external-link"),
        ("d/x", "../../y", "file", "external-link"),
        ("d/x", "../y", "file", None),
        ("x", "", "file", "dangling-link"),
        ("x", "y", "missing", "dangling-link"),
        ("x", "y", "loop", "link-cycle"),
        ("d/up", "..", "directory", "link-cycle"),
        ("l", ".", "directory", "link-cycle"),
        ("d/x", "../e", "directory", None),
        ("x", "fifo", "special", "special-file"),
    ],
)
def test_the_stored_target_decides_without_the_disk(path: str, target: str, reached: Reached,
                                                     expected: str | None) -> None:
    assert classify_link(path, target, lambda: reached) == expected


def test_a_link_leaving_the_top_is_never_followed() -> None:
    def reach() -> Reached:
        raise AssertionError("followed a link out of the top")

    assert classify_link("x", "../y", reach) == "external-link"
    assert classify_link("x", "y", reach, real="/elsewhere/y", boundary="/project") == "external-link"
    assert lexical_target("d/x", "../../y") is None
    assert lexical_target("d/x", "../y") == "y"


def test_the_resolved_path_overrides_the_stored_target_when_the_walk_has_it() -> None:
    """An absolute target inside the project is inside for the walk (it reads the disk), outside in an archive."""
    assert classify_link("x", "/project/y", lambda: "file", real="/project/y", boundary="/project") is None
    assert classify_link("x", "/project/y", lambda: "file") == "external-link"
    assert classify_link("d/l", "../e", lambda: "directory", real="/project/e", boundary="/project",
                         holds_link=lambda: True) == "link-cycle"


def test_the_build_and_the_auditor_name_the_same_links_with_the_same_rules_and_evidence(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project")
    (tmp_path / "outside.txt").write_text("outside\n")
    for path, target in LINKS.items():
        os.symlink(target, root / path)
    ours = guarded_findings(GuardedSdistBuilder, root, tmp_path / "out")
    built = {(found.code, found.path, found.evidence) for found in ours if found.code in LINK_CODES}
    archive = sdist(tmp_path, *(member(f"demo-1.0/{path}", kind=tarfile.SYMTYPE, link=target)
                                for path, target in LINKS.items()))
    audited = {(found.code, found.path, found.evidence) for found in audit(archive) if found.code in LINK_CODES}
    expected = {(code, path, (("link-target", LINKS[path]),)) for code, path in (
        ("SG201", "up.txt"), ("SG202", "gone.txt"), ("SG203", "src/demo/loop"), ("SG203", "a"), ("SG203", "b"))}
    assert built == expected
    assert audited == expected
