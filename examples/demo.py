"""Pollute a scratch copy of examples/demo-project for real, build it with hatchling and with
sdistguard, and print both results side by side.

    python examples/demo.py [--keep DIR]

The pollution is what real tools leave behind: ``python -m venv venv``, ``uv venv env`` with
``UV_CACHE_DIR=.uv-cache`` (uv's cache inside the project, astral-sh/uv#11213), ``README`` as a
link to ``README.md``, and links leaving the tree (``/etc`` and a file beside the project).
Both builds call the PEP 517 hooks in a fresh process with the copy as working directory.
Needs hatchling, sdistguard and uv in the running environment (``pip install -e ".[test]"``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BACKENDS = ("hatchling.build", "sdistguard.build")
_BUILD = """
import json, os, sys, time
import importlib
hooks = importlib.import_module(sys.argv[1])
start = time.perf_counter()
result = {}
for kind in ("sdist", "wheel"):
    try:
        result[kind] = getattr(hooks, "build_" + kind)(sys.argv[2])
    except BaseException as error:
        result[kind] = "FAILED: " + (str(error).splitlines() or [type(error).__name__])[-1]
result["seconds"] = round(time.perf_counter() - start, 2)
print(json.dumps(result))
"""


def pollute(project: Path) -> None:
    """Leave in ``project`` what real tools leave: venvs, a uv cache, in-tree and escaping links."""
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    env = {**os.environ, "UV_CACHE_DIR": str(project / ".uv-cache")}
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "venv")], check=True)
    subprocess.run([uv, "venv", "--quiet", str(project / "env")], check=True, env=env)
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(project / "env" / "bin" / "python"), "six"],
                   check=True, env=env)
    (project.parent / "notes.txt").write_text("private notes beside the project\n")
    (project / "README").symlink_to("README.md")
    (project / "src" / "demo_project" / "etc").symlink_to("/etc")
    (project / "src" / "demo_project" / "notes.txt").symlink_to("../../../notes.txt")


def build(project: Path, backend: str, out: Path) -> dict[str, object]:
    """Build the sdist and the wheel of ``project`` with ``backend`` in a fresh process."""
    completed = subprocess.run([sys.executable, "-c", _BUILD, backend, str(out)], cwd=project,
                               capture_output=True, text=True, check=False)
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        return {"sdist": "FAILED", "wheel": "FAILED", "seconds": 0, "stderr": completed.stderr}
    result: dict[str, object] = json.loads(lines[-1])
    result["stderr"] = completed.stderr
    return result


def describe_sdist(path: Path) -> dict[str, object]:
    """Members, link members, size, and whether Python's ``data`` filter (PEP 706) accepts them all."""
    refused: list[str] = []
    links = 0
    with tarfile.open(path) as archive:
        names = archive.getmembers()
        for member in names:
            links += member.issym() or member.islnk()
            try:
                tarfile.data_filter(member, "/tmp/unpack")
            except tarfile.FilterError as error:
                refused.append(f"{member.name}: {type(error).__name__}")
    return {"members": len(names), "links": links, "bytes": path.stat().st_size, "refused by data filter": refused}


def describe_wheel(path: Path) -> dict[str, object]:
    """Members and size of a wheel, and whether it carries files from outside the project."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    leaked = [name for name in names if "/etc/" in name or name.endswith("notes.txt")]
    return {"members": len(names), "bytes": path.stat().st_size, "from outside the tree": leaked}


def row(label: str, left: object, right: object) -> str:
    return f"| {label:<34} | {left!s:<30} | {right!s:<30} |"


def report(results: dict[str, dict[str, object]], out: Path) -> str:
    """The side-by-side table of both backends' builds (sdist first, then wheel)."""
    columns: dict[str, dict[str, object]] = {}
    for backend, result in results.items():
        column: dict[str, object] = {"build time (s)": result["seconds"]}
        for kind, describe in (("sdist", describe_sdist), ("wheel", describe_wheel)):
            name = str(result[kind])
            column[kind] = name[:30]
            if not name.startswith("FAILED"):
                for key, value in describe(out / backend / name).items():
                    shown = (len(value) if value else "none") if isinstance(value, list) else value
                    column[f"{kind}: {key}"] = shown
        columns[backend] = column
    keys = list(dict.fromkeys(key for column in columns.values() for key in column))
    keys.sort(key=lambda key: (not key.startswith("build"), not key.startswith("sdist")))
    lines = [row("", *BACKENDS), row("-" * 34, "-" * 30, "-" * 30)]
    lines += [row(key, *(columns[backend].get(key, "") for backend in BACKENDS)) for key in keys]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns 0 when sdistguard's sdist is installable and hatchling's is not."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it (default: a temp dir)")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="sdistguard-demo-"))
    project = work / "demo-project"
    shutil.copytree(HERE / "demo-project", project)
    pollute(project)
    results = {backend: build(project, backend, work / "out" / backend) for backend in BACKENDS}
    print(f"Polluted copy: {project}\n")
    print(report(results, work / "out"))
    print("\nsdistguard's report (stderr of its build):")
    print(str(results["sdistguard.build"]["stderr"]).strip() or "(nothing)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    ours = str(results["sdistguard.build"]["sdist"])
    return 0 if not ours.startswith("FAILED") else 1


if __name__ == "__main__":
    raise SystemExit(main())
