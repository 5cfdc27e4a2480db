"""Git LFS pointers (SG603): a pointer committed in place of the data stops the build and fails the check.

The pointers are generated in the spec's format (git-lfs docs/spec.md, "The Pointer"), and so are the
near-pointers that are not one; the repository is a real git repository whose ``.gitattributes``
routes ``*.bin`` through the lfs filter, with the pointer text committed (``git lfs`` is not needed:
without it git stores the text as it is, which is how a pointer ends up in a checkout). The auditor
is tried on hatchling's own sdist and wheel of that tree and on archives written by hand, as another
backend would write them.
"""

from __future__ import annotations

import string
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import members, run, wheel_members, write_project
from helpers.archives import PKG_INFO, member, sdist, write_wheel
from helpers.builds import hatchling_sdist, hatchling_wheel
from helpers.fakes import VERSIONS, pointer_text
from sdistguard.audit import audit
from sdistguard.cli import main
from sdistguard.rules.credentials import LFS_POINTER_LIMIT, SecretScanner, lfs_pointer

Build = Callable[..., Path]

HEX = "0123456789abcdef"
OIDS = st.text(alphabet=HEX, min_size=64, max_size=64)
SIZES = st.integers(min_value=0, max_value=2**63 - 1)


@st.composite
def pointers(draw: st.DrawFn) -> tuple[str, str, int]:
    """``(text, oid, size)`` of a pointer in the spec's format, with git-lfs's extensions now and then."""
    oid, size = draw(OIDS), draw(SIZES)
    priorities = draw(st.lists(st.integers(0, 9), unique=True, max_size=3))
    extensions = "".join(
        f"ext-{priority}-{draw(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8))} "
        f"sha256:{draw(OIDS)}\n" for priority in sorted(priorities))
    version = draw(st.sampled_from(VERSIONS))
    return f"version {version}\n{extensions}oid sha256:{oid}\nsize {size}\n", oid, size


def _oid(text: str) -> str:
    return text.split("\noid sha256:")[1][:64]


# Each way a near-pointer differs from a pointer: (what, function of the pointer's text and a drawn string).
NEAR_MISSES: dict[str, Callable[[str, str], str]] = {
    "wrong version line": lambda text, s: text.replace("spec/v1", "spec/v" + (s or "2"), 1)
    if s != "1" else text.replace("https://", "http://", 1),
    "version URL in another case": lambda text, _: text.replace("git-lfs.github.com", "Git-LFS.github.com", 1)
    .replace("hawser.github.com", "Hawser.github.com", 1),
    "oid one digit short": lambda text, _: text.replace(f"\noid sha256:{_oid(text)}", f"\noid sha256:{_oid(text)[1:]}"),
    "oid one digit long": lambda text, _: text.replace("\nsize ", "a\nsize ", 1),
    "another hash method": lambda text, _: text.replace("oid sha256:", "oid sha512:", 1),
    # git-lfs trims whitespace around the whole pointer (bytes.TrimSpace): only a visible character is "text"
    "text before": lambda text, s: f"{s.strip() or '#'}\n{text}",
    "text after": lambda text, s: f"{text}{s.strip() or 'x'}\n",
    "keys out of order": lambda text, _: "\n".join(
        [text.splitlines()[0], text.splitlines()[-1], *text.splitlines()[1:-1]]) + "\n",
    "an unknown key": lambda text, _: text.replace("\noid", "\nname x\noid", 1),
    "a line after size": lambda text, _: f"{text}ext-0-late sha256:{'0' * 64}\n",
    "a bare CR line end": lambda text, _: text.replace("\n", "\r", 1),
    "two spaces after a key": lambda text, _: text.replace("oid sha256:", "oid  sha256:", 1),
    "a size that is no number": lambda text, _: text.rstrip("\n") + "kb\n",
}


def _pointer_fed_in_chunks(data: bytes, cuts: list[int]) -> object:
    """What a :class:`SecretScanner` reports as the pointer of ``data`` fed in pieces split at ``cuts``."""
    scanner = SecretScanner()
    start = 0
    for cut in sorted(cut % (len(data) + 1) for cut in cuts):
        scanner.feed(data[start:cut])
        start = max(start, cut)
    scanner.feed(data[start:])
    scanner.finish()
    return scanner.pointer


@settings(max_examples=300, deadline=None)
@given(pointer=pointers(), cuts=st.lists(st.integers(0, 400), max_size=4))
def test_a_pointer_of_the_spec_is_found_whatever_the_chunks(pointer: tuple[str, str, int], cuts: list[int]) -> None:
    text, oid, size = pointer
    data = text.encode()
    found = lfs_pointer(data)
    assert found is not None and (found.oid, found.size) == (oid, size)
    assert len(data) < LFS_POINTER_LIMIT
    assert _pointer_fed_in_chunks(data, cuts) == found
    only_pointers = SecretScanner(secrets=False)  # allow-secrets accepts the file: the pointer is still one
    only_pointers.feed(data)
    only_pointers.finish()
    assert only_pointers.pointer == found


@settings(max_examples=400, deadline=None)
@given(pointer=pointers(), miss=st.sampled_from(sorted(NEAR_MISSES)),
       drawn=st.text(alphabet=string.ascii_letters + string.digits + " #", max_size=20))
def test_a_near_pointer_is_not_one(pointer: tuple[str, str, int], miss: str, drawn: str) -> None:
    near = NEAR_MISSES[miss](pointer[0], drawn)
    assert near != pointer[0]
    assert lfs_pointer(near.encode()) is None, (miss, near)
    scanner = SecretScanner()
    scanner.feed(near.encode())
    scanner.finish()
    assert scanner.pointer is None


# How a checkout can hold a pointer that git-lfs's reader (lfs/pointer.go, DecodeFrom) still takes for one.
READER_ACCEPTS: dict[str, Callable[[str], str]] = {
    "CRLF line ends": lambda text: text.replace("\n", "\r\n"),
    "no final newline": lambda text: text[:-1],
    "a blank line": lambda text: text.replace("\noid", "\n\noid", 1),
    "whitespace around": lambda text: f"\n  {text}\r\n\t",
}


@settings(max_examples=300, deadline=None)
@given(pointer=pointers(), change=st.sampled_from(sorted(READER_ACCEPTS)), cuts=st.lists(st.integers(0, 400),
                                                                                          max_size=3))
def test_a_pointer_git_lfs_reads_with_crlf_or_loose_whitespace_is_found(pointer: tuple[str, str, int], change: str,
                                                                       cuts: list[int]) -> None:
    text, oid, size = pointer
    data = READER_ACCEPTS[change](text).encode()
    found = lfs_pointer(data)
    assert found is not None and (found.oid, found.size) == (oid, size), (change, data)
    assert _pointer_fed_in_chunks(data, cuts) == found


def test_extensions_of_one_priority_twice_or_a_pointer_past_the_size_limit_are_not_pointers() -> None:
    oid = "a" * 64
    unsorted = f"version {VERSIONS[0]}\next-1-b sha256:{oid}\next-0-a sha256:{oid}\noid sha256:{oid}\nsize 1\n"
    assert lfs_pointer(unsorted.encode()) is not None  # git-lfs sorts extensions by priority as it reads them
    twice = f"version {VERSIONS[0]}\next-0-a sha256:{oid}\next-0-b sha256:{oid}\noid sha256:{oid}\nsize 1\n"
    assert lfs_pointer(twice.encode()) is None
    padded = f"version {VERSIONS[0]}\n" + "".join(f"ext-{i}-{'x' * 80} sha256:{oid}\n" for i in range(10))
    assert len(padded) >= LFS_POINTER_LIMIT and lfs_pointer((padded + f"oid sha256:{oid}\nsize 1\n").encode()) is None
    assert lfs_pointer(b"") is None  # an empty file is no pointer


def _lfs_repository(root: Path, *, extra: str = "") -> Path:
    """A real git repository holding a project whose ``src/demo/model.bin`` is a committed LFS pointer."""
    write_project(root, extra=extra)
    (root / ".gitattributes").write_text("*.bin filter=lfs diff=lfs merge=lfs -text\n")
    (root / "src" / "demo" / "model.bin").write_text(pointer_text())
    near = pointer_text().replace("spec/v1", "spec/v2")
    (root / "src" / "demo" / "near.bin").write_text(near)
    run(["git", "init", "--quiet"], root)
    run(["git", "add", "-A"], root)
    run(["git", "commit", "--quiet", "-m", "pointer committed without git lfs"], root)
    listed = run(["git", "ls-files"], root).stdout.split()
    assert "src/demo/model.bin" in listed
    assert run(["git", "show", "HEAD:src/demo/model.bin"], root).stdout == pointer_text()
    return root


DETAIL = "stands for a 12345-byte object, oid sha256:4d7a214614ab..."


def test_a_committed_pointer_stops_both_builds_naming_the_file(build_in: Build, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = _lfs_repository(tmp_path / "project")
    for kind in ("sdist", "wheel"):
        with pytest.raises(SystemExit) as raised:
            build_in(root, kind)
        assert raised.value.code == 1
        err = capsys.readouterr().err
        assert f"cannot build the {kind} of" in err
        assert "SG603 src/demo/model.bin: file whose content is a Git LFS pointer (spec v1)" in err
        assert DETAIL in err
        assert "near.bin" not in err  # a near-pointer is data like any other
    assert [path.name for path in tmp_path.glob("out-*/*")] == []  # nothing delivered


def test_a_pointer_named_in_keep_ships(build_in: Build, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _lfs_repository(tmp_path / "project", extra='[tool.sdistguard]\nkeep = ["src/demo/model.bin"]\n')
    sdist_path = build_in(root, "sdist")
    wheel_path = build_in(root, "wheel")
    assert "SG603" not in capsys.readouterr().err
    assert members(sdist_path)["src/demo/model.bin"] == "file"
    assert "demo/model.bin" in wheel_members(wheel_path)
    with zipfile.ZipFile(wheel_path) as archive:
        assert archive.read("demo/model.bin").decode() == pointer_text()
    # the auditor knows no keep: it reports what ships
    assert [(f.code, f.path) for f in audit(sdist_path) if f.code == "SG603"] == [("SG603", "src/demo/model.bin")]


def test_the_auditor_flags_a_pointer_in_hatchlings_sdist_and_wheel(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = _lfs_repository(tmp_path / "project")
    built = [hatchling_sdist(root, tmp_path / "dist"), hatchling_wheel(root, tmp_path / "dist")]
    expected = [("SG603", "src/demo/model.bin", DETAIL), ("SG603", "demo/model.bin", DETAIL)]
    for path, row in zip(built, expected, strict=True):
        assert [(f.code, f.path, f.detail) for f in audit(path) if f.code.startswith("SG6")] == [row]
    assert main(["check", *map(str, built)]) == 1
    out = capsys.readouterr().out
    assert "SG603 src/demo/model.bin: " in out and "SG603 demo/model.bin: " in out


def test_the_auditor_flags_a_pointer_in_archives_of_another_backend(tmp_path: Path) -> None:
    """A tar and a zip written by hand, as setuptools or flit would write them (no hatchling involved)."""
    text = pointer_text(oid="0" * 64, size=7).encode()
    tar_path = sdist(tmp_path, member("demo-1.0/data/weights.onnx", text), member("demo-1.0/data/small.txt", b"ok\n"))
    wheel_path = write_wheel(tmp_path / "demo-1.0-py3-none-any.whl",
                             {"demo/weights.onnx": text, "demo/__init__.py": b""})
    detail = "stands for a 7-byte object, oid sha256:000000000000..."
    assert [(f.code, f.path, f.detail) for f in audit(tar_path)] == [("SG603", "data/weights.onnx", detail)]
    assert [(f.code, f.path, f.detail) for f in audit(wheel_path)] == [("SG603", "demo/weights.onnx", detail)]
    # allow-secrets accepts secrets, not pointers
    assert [f.code for f in audit(tar_path, allow_secrets=["data/"])] == ["SG603"]
    assert main(["check", str(tar_path)]) == 1 and main(["check", str(wheel_path)]) == 1


def test_a_pointer_in_a_large_member_stream_is_looked_for_only_under_the_limit(tmp_path: Path) -> None:
    """A pointer followed by padding is no pointer (git-lfs reads under 1 KiB); a tar of many pointers finds each."""
    text = pointer_text().encode()
    many = [member(f"demo-1.0/m{i}.bin", text) for i in range(20)]
    padded = member("demo-1.0/padded.bin", text + b" " * LFS_POINTER_LIMIT)
    path = sdist(tmp_path, *many, padded)
    assert sorted(f.path for f in audit(path) if f.code == "SG603") == sorted(f"m{i}.bin" for i in range(20))
    with tarfile.open(path) as archive:
        assert archive.extractfile("demo-1.0/PKG-INFO").read() == PKG_INFO  # type: ignore[union-attr]
