"""Generators for the benchmark's project trees, written from scratch and deterministically.

Every tree is the same small project ``benchpkg`` 1.0.0 (src layout, tests/, docs/) grown to a
given number of files, plus what a scenario adds next to it: a real venv, an in-project uv cache
and a ``.hypothesis/`` directory (scenario b), or a gitignored ``build/`` directory (scenario c).
Contents come from a seeded random generator, so two trees of the same size hold the same bytes
and their sdists can be compared by sha256.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

PROJECT_NAME: Final = "benchpkg"
PROJECT_VERSION: Final = "1.0.0"
FILES_PER_DIRECTORY: Final = 20
DIRECTORIES_PER_GROUP: Final = 10
ROOT_GITIGNORE: Final = "build/\ndist/\n*.egg-info/\n"

TextMaker = Callable[[random.Random, int], str]
"""Makes the text of the ``index``-th generated file: ``(rng, index) -> str``."""

# The [build-system] table names uv_build because uv_build refuses a project that names another
# backend; hatchling and sdistguard are called through their hooks and never read it.
PYPROJECT: Final = f"""\
[build-system]
requires = ["uv_build>=0.9,<0.14"]
build-backend = "uv_build"

[project]
name = "{PROJECT_NAME}"
version = "{PROJECT_VERSION}"
description = "A generated project for the sdistguard benchmark"
readme = "README.md"
license = "MIT"
license-files = ["LICENSE"]
requires-python = ">=3.10"

[tool.uv.build-backend]
source-include = [".gitignore", "tests/**", "docs/**"]
"""

_WORDS: Final = (
    "account",
    "address",
    "amount",
    "batch",
    "buffer",
    "cache",
    "channel",
    "client",
    "config",
    "context",
    "cursor",
    "data",
    "delta",
    "document",
    "entry",
    "event",
    "field",
    "filter",
    "frame",
    "graph",
    "handler",
    "header",
    "index",
    "item",
    "job",
    "key",
    "layer",
    "limit",
    "list",
    "loader",
    "matrix",
    "message",
    "model",
    "node",
    "offset",
    "order",
    "packet",
    "page",
    "parser",
    "path",
    "payload",
    "point",
    "policy",
    "pool",
    "queue",
    "record",
    "region",
    "report",
    "request",
    "result",
    "route",
    "row",
    "schema",
    "scope",
    "session",
    "shape",
    "signal",
    "source",
    "state",
    "stream",
    "table",
    "task",
    "token",
    "tree",
    "value",
    "vector",
    "window",
    "worker",
)


@dataclass(frozen=True)
class TreeStats:
    """What a generated tree holds on disk: regular ``files`` and ``directories`` (links not followed)."""

    files: int
    directories: int


def count_tree(root: Path) -> TreeStats:
    """Count the regular files and directories below ``root`` without following links."""
    files = directories = 0
    for _, dirs, names in os.walk(root):
        directories += len(dirs)
        files += len(names)
    return TreeStats(files, directories)


def write_project(root: Path, n_files: int, seed: int = 0) -> None:
    """Write the project ``benchpkg`` with exactly ``n_files`` files into the empty or new ``root``.

    About 70% of the files are modules under ``src/benchpkg/``, 20% test modules under ``tests/``
    and 10% pages under ``docs/``, in packages of ``FILES_PER_DIRECTORY`` files grouped by
    ``DIRECTORIES_PER_GROUP``. The same ``n_files`` and ``seed`` always give the same bytes.
    """
    rng = random.Random(seed)
    top = {
        "pyproject.toml": PYPROJECT,
        "README.md": f"# {PROJECT_NAME}\n\nA generated project for the sdistguard benchmark.\n",
        "LICENSE": "MIT License\n\nCopyright (c) the sdistguard developers\n",
        ".gitignore": ROOT_GITIGNORE,
    }
    root.mkdir(parents=True, exist_ok=True)
    for name, text in top.items():
        _write(root / name, text)
    remaining = n_files - len(top)
    n_tests = remaining // 5
    n_docs = remaining // 10
    n_src = remaining - n_tests - n_docs
    _write_package_tree(root / "src" / PROJECT_NAME, n_src, rng, _module_text, ".py", packages=True)
    _write_package_tree(root / "tests", n_tests, rng, _test_text, ".py", packages=False)
    _write_package_tree(root / "docs", n_docs, rng, _doc_text, ".rst", packages=False)


REAL_SUFFIXES: Final = (".py", ".txt", ".rst", ".toml", ".json", ".xml", ".cfg")
"""What :func:`write_real_project` copies from the interpreter's standard library: text sources."""


def stdlib_directory() -> Path:
    """The running interpreter's standard library (``sysconfig``'s ``stdlib`` path)."""
    return Path(sysconfig.get_paths()["stdlib"])


def write_real_project(root: Path, source: Path | None = None, max_files: int | None = None) -> None:
    """Write ``benchpkg`` 1.0.0 whose package is real source code copied from ``source``.

    ``source`` defaults to the interpreter's standard library: every regular file below it whose
    name ends in one of ``REAL_SUFFIXES`` (``site-packages`` and ``__pycache__`` skipped, links
    not followed) is copied, byte for byte, to ``src/benchpkg/<its path below source>``, in sorted
    order, at most ``max_files`` of them (all by default). On CPython 3.11 that is about 2,000
    files and 32 MB, from 30 bytes to 600 KB each (median about 6 KB): the spread of sizes of a
    real code base, with text that compresses like real code. The top files are those of
    :func:`write_project`, and ``src/benchpkg/__init__.py`` makes the tree a package.
    """
    source = source or stdlib_directory()
    top = {
        "pyproject.toml": PYPROJECT,
        "README.md": f"# {PROJECT_NAME}\n\nA project of real sources for the sdistguard benchmark.\n",
        "LICENSE": "MIT License\n\nCopyright (c) the sdistguard developers\n",
        ".gitignore": ROOT_GITIGNORE,
    }
    root.mkdir(parents=True, exist_ok=True)
    for name, text in top.items():
        _write(root / name, text)
    package = root / "src" / PROJECT_NAME
    package.mkdir(parents=True)
    _write(package / "__init__.py", '"""Real sources copied from the standard library."""\n')
    copied = 0
    for directory, dirs, names in os.walk(source):
        dirs[:] = sorted(name for name in dirs if name not in {"site-packages", "__pycache__"})
        for name in sorted(names):
            path = Path(directory, name)
            if not name.endswith(REAL_SUFFIXES) or not path.is_file() or path.is_symlink():
                continue
            if max_files is not None and copied >= max_files:
                return
            target = package / path.relative_to(source)
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            copied += 1


SMALL_PROJECT_NAME: Final = "smallpkg"
"""The distribution of the small-project tree (``uv init --lib``)."""


def write_uv_lib_project(root: Path, uv: str) -> None:
    """Write the project most people start from: ``uv init --lib --no-workspace``, committed to git.

    ``uv`` is the uv executable. The project is ``smallpkg`` 0.1.0 as uv writes it (``src/smallpkg/``
    with ``__init__.py`` and ``py.typed``, ``README.md``, ``.python-version``, uv's ``.gitignore``,
    ``pyproject.toml`` naming uv's backend); every file is committed in a fresh git repository (git's
    own configuration is not read for the commit's author), so a backend that asks git finds a real
    work tree. The PEP 517 backend named in ``pyproject.toml`` is whichever the caller puts there
    (:func:`set_build_backend`); the in-process builds ignore it.
    """
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run([uv, "init", "--quiet", "--lib", "--no-workspace", "--vcs", "git", "--name", SMALL_PROJECT_NAME,
                    str(root)], check=True, capture_output=True)
    identity = ["-c", "user.name=sdistguard benchmark", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", *identity, "commit", "--quiet", "--no-verify", "-m", "uv init --lib"], cwd=root,
                   check=True)


def set_build_backend(root: Path, requires: list[str], backend: str) -> None:
    """Point ``root/pyproject.toml``'s ``[build-system]`` at ``backend`` with ``requires`` (uv's layout of it).

    Rewrites the table ``uv init`` writes (``requires = [...]`` and ``build-backend = "..."``);
    raises ``ValueError`` when the file has no such table.
    """
    path = root / "pyproject.toml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    try:
        start = lines.index("[build-system]\n")
    except ValueError:
        raise ValueError(f"{path}: no [build-system] table") from None
    end = next((index for index in range(start + 1, len(lines)) if lines[index].startswith("[")), len(lines))
    quoted = ", ".join(f'"{requirement}"' for requirement in requires)
    lines[start:end] = ["[build-system]\n", f"requires = [{quoted}]\n", f'build-backend = "{backend}"\n', "\n"]
    path.write_text("".join(lines), encoding="utf-8")


def add_build_directory(root: Path, n_files: int, seed: int = 1) -> None:
    """Add a ``build/`` directory of ``n_files`` files (a setuptools-style build tree) below ``root``.

    The root ``.gitignore`` written by :func:`write_project` already names ``build/``.
    """
    rng = random.Random(seed)
    half = n_files // 2
    _write_package_tree(root / "build" / "lib" / PROJECT_NAME, half, rng, _module_text, ".py", packages=True)
    bdist = root / "build" / "bdist.linux-x86_64" / "wheel" / PROJECT_NAME
    _write_package_tree(bdist, n_files - half, rng, _module_text, ".py", packages=True)


def add_environments(root: Path, python: str, uv: str, packages: list[str], n_examples: int) -> None:
    """Add a real venv ``venv/``, an in-project uv cache ``.uv-cache/`` and a ``.hypothesis/`` dir.

    ``python`` creates the venv (``python -m venv``, with pip); ``uv`` installs ``packages`` from
    PyPI into it with ``UV_CACHE_DIR`` pointing into the project, which fills the cache (uv writes
    its ``CACHEDIR.TAG`` there). ``.hypothesis/`` gets the ``.gitignore`` of ``*`` that hypothesis
    writes and ``n_examples`` example files. Raises ``CalledProcessError`` when a command fails.
    """
    venv = root / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "UV_CACHE_DIR": str(root / ".uv-cache")}
    install = [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *packages]
    subprocess.run(install, check=True, env=env)
    _write_hypothesis_directory(root / ".hypothesis", n_examples, random.Random(2))


def _write_hypothesis_directory(directory: Path, n_examples: int, rng: random.Random) -> None:
    """Write ``.hypothesis/`` as hypothesis leaves it: a ``.gitignore`` of ``*`` and example files."""
    directory.mkdir()
    _write(directory / ".gitignore", "# Automatically created by Hypothesis\n*\n")
    per_test = 10
    for start in range(0, n_examples, per_test):
        test_directory = directory / "examples" / f"{rng.getrandbits(64):016x}"
        test_directory.mkdir(parents=True)
        for _ in range(min(per_test, n_examples - start)):
            (test_directory / f"{rng.getrandbits(64):016x}").write_bytes(rng.randbytes(rng.randint(8, 200)))


def _write_package_tree(
    base: Path,
    n_files: int,
    rng: random.Random,
    make_text: TextMaker,
    suffix: str,
    *,
    packages: bool,
) -> None:
    """Write ``n_files`` files below ``base`` in ``group_NNN/part_NN/`` directories.

    With ``packages`` every directory gets an ``__init__.py`` (counted in ``n_files``).
    ``make_text(rng, index)`` gives the text of the ``index``-th file.
    """
    written = 0
    base.mkdir(parents=True, exist_ok=True)
    if packages and n_files > 0:
        _write(base / "__init__.py", _module_text(rng, 0))
        written = 1
    leaf = 0
    while written < n_files:
        group, part = divmod(leaf, DIRECTORIES_PER_GROUP)
        directory = base / f"group_{group:03d}" / f"part_{part:02d}"
        directory.mkdir(parents=True)
        if packages and part == 0:
            _write(directory.parent / "__init__.py", _module_text(rng, written))
            written += 1
        count = min(FILES_PER_DIRECTORY, n_files - written)
        for index in range(count):
            name = "__init__" if packages and index == 0 else f"{rng.choice(_WORDS)}_{index:02d}"
            _write(directory / f"{name}{suffix}", make_text(rng, written))
            written += 1
        leaf += 1


def _module_text(rng: random.Random, index: int) -> str:
    """A Python module of one to eight small functions, about 0.2 to 2 KB."""
    parts = [
        f'"""Module {index}: {" ".join(rng.choices(_WORDS, k=6))}."""\n\nfrom __future__ import annotations\n'
    ]
    for _ in range(rng.randint(1, 8)):
        a, b = rng.sample(_WORDS, 2)
        parts.append(
            f"\n\ndef {a}_{b}_{rng.randint(0, 999)}({a}: int, {b}: int = {rng.randint(0, 99)}) -> int:\n"
            f'    """Combine the {a} with the {b}."""\n'
            f"    if {a} > {b}:\n        return {a} - {b}\n    return {a} * {rng.randint(2, 9)} + {b}\n"
        )
    return "".join(parts)


def _test_text(rng: random.Random, index: int) -> str:
    """A pytest module of one to five small tests."""
    parts = [f'"""Tests {index}."""\n']
    for _ in range(rng.randint(1, 5)):
        a, b = rng.sample(_WORDS, 2)
        parts.append(
            f"\n\ndef test_{a}_{b}_{rng.randint(0, 999)}() -> None:\n    assert {rng.randint(0, 9)} >= 0\n"
        )
    return "".join(parts)


def _doc_text(rng: random.Random, index: int) -> str:
    """A reStructuredText page of a few paragraphs."""
    title = " ".join(rng.choices(_WORDS, k=3)).capitalize()
    paragraphs = [" ".join(rng.choices(_WORDS, k=rng.randint(20, 80))) for _ in range(rng.randint(1, 4))]
    return f"{title} {index}\n{'=' * (len(title) + len(str(index)) + 1)}\n\n" + "\n\n".join(paragraphs) + "\n"


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 (the parent directory must exist)."""
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
