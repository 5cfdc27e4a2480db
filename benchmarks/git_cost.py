"""What asking git costs: sdistguard's sdist build of a git work tree, with git on PATH and without it.

For each tree size, one generated project (``trees.write_project``, plus a gitignored ``build/`` of
the same size and a nested ``.gitignore`` per docs directory) is committed to a fresh git repository.
Each round builds the sdist in a fresh subprocess twice: with ``git`` on ``PATH`` (git's answer: one
``ls-files`` call, and one ``check-ignore`` for the left-out paths) and without it (sdistguard's own
engine reads the same ignore files). Reported: the median wall time of each, and their ratio. Writes
``benchmarks/GIT_COST.md``; git runs with its config in the temporary directory.

    .venv/bin/python benchmarks/git_cost.py [--sizes 1000 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from trees import add_build_directory, write_project  # noqa: E402

BUILD = """\
import sys, time
sys.path.insert(0, {src!r})
import os
os.chdir({root!r})
from sdistguard.builders import GuardedSdistBuilder
builder = GuardedSdistBuilder({root!r})
build_data = builder.get_default_build_data()
builder.set_build_data_defaults(build_data)
start = time.perf_counter()
with builder.config.set_build_data(build_data):
    files = sum(1 for _ in builder.recurse_included_files())
    findings = builder.findings  # the sources of what was left out (git: one check-ignore call)
walk = time.perf_counter() - start
import sdistguard.build as hooks
hooks.build_sdist({out!r})
print(walk)
"""


def _git(root: Path, env: dict[str, str], *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=root, env=env, check=True, capture_output=True)


def make_tree(root: Path, n_files: int, env: dict[str, str]) -> None:
    """The benchmark's project plus a gitignored build/ and nested .gitignore files, all committed."""
    write_project(root, n_files)
    add_build_directory(root, n_files)
    for docs in root.rglob("docs"):
        if docs.is_dir():
            (docs / ".gitignore").write_text("_build/\n*.tmp\n")
            (docs / "_build").mkdir(exist_ok=True)
            (docs / "_build" / "index.html").write_text("x\n")
    _git(root, env, "init", "-q")
    _git(root, env, "add", ".")
    _git(root, env, "commit", "-qm", "tree")


def time_build(root: Path, out: Path, env: dict[str, str]) -> tuple[float, float]:
    """``(walk, build)`` seconds: the file selection with its findings, then a whole sdist build."""
    shutil.rmtree(out, ignore_errors=True)
    script = BUILD.format(src=str(HERE.parent / "src"), root=str(root), out=str(out))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True)
    total = time.perf_counter() - start
    walk = float(done.stdout.strip().splitlines()[-1])
    return walk, total - walk


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and write GIT_COST.md; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    git = shutil.which("git")
    if git is None:
        print("git is not on PATH: nothing to compare", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        config = base / "gitconfig"
        config.write_text("[user]\n\tname = bench\n\temail = bench@example.invalid\n")
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(config), "HOME": str(base),
               "XDG_CONFIG_HOME": str(base / "xdg"), "SOURCE_DATE_EPOCH": "1580601600"}
        # Without git: PATH holds only the interpreter's directory (subprocess finds python by its full path).
        no_git = {**env, "PATH": str(Path(sys.executable).parent)}
        assert shutil.which("git", path=no_git["PATH"]) is None, "git sits beside python: cannot hide it"
        for size in args.sizes:
            root = base / f"tree-{size}"
            make_tree(root, size, env)
            with_git, without_git = [], []
            for _ in range(args.rounds):  # interleaved, so drift in the host's speed hits both alike
                with_git.append(time_build(root, base / "out-git", env))
                without_git.append(time_build(root, base / "out-engine", no_git))
            files = sum(len(names) for path, _, names in os.walk(root) if "/.git" not in path + "/")
            row = (size, files, *(statistics.median(run[i] for run in runs) for i in (0, 1)
                                  for runs in (with_git, without_git)))
            rows.append(row)
            print(f"{size:>7} generated ({files} files): walk git {row[2]:.3f} s / engine {row[3]:.3f} s "
                  f"(x{row[2] / row[3]:.2f}); build git {row[4]:.3f} s / engine {row[5]:.3f} s "
                  f"(x{row[4] / row[5]:.2f})")
    lines = [
        "# What asking git costs",
        "",
        "sdistguard's sdist build of a committed git work tree (generated project + gitignored `build/` +",
        "nested `.gitignore` per docs directory), each build in a fresh subprocess: with `git` on `PATH`",
        "(git's answer) and without it (sdistguard's engine reads the same ignore files). Median of "
        f"{args.rounds} interleaved rounds.",
        "Written by `benchmarks/git_cost.py`.",
        "",
        "`walk`: the file selection with its findings (in git's mode: `ls-files` and `check-ignore`); `build`:",
        "the rest of the process: interpreter start-up, imports, and the sdist build (a second walk, tar, gzip).",
        "",
        "| generated files | files in the tree | walk with git (s) | walk without (s) | ratio | build with git (s) "
        "| build without (s) | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {size} | {files} | {wg:.3f} | {we:.3f} | {wg / we:.2f} | {bg:.3f} | {be:.3f} | {bg / be:.2f} |"
              for size, files, wg, we, bg, be in rows]
    (HERE / "GIT_COST.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
