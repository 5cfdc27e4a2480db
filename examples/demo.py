"""Pollute a scratch copy of examples/demo-project the way real tools do, build it with hatchling and with
sdistguard, and tell what each build shipped and whether installers can unpack it.

    python examples/demo.py [--keep DIR]

The pollution is what real tools leave behind: ``python -m venv venv``, ``uv venv env`` with
``UV_CACHE_DIR=.uv-cache`` (uv's cache inside the project, astral-sh/uv#11213), ``README`` as a
link to ``README.md``, and links leaving the project (to ``/etc`` and to a notes file beside it).
Both builds call the PEP 517 hooks in a fresh process with the copy as working directory.
Needs sdistguard (with hatchling) and uv in the running environment: ``pip install -e ".[demo]"``.
The scratch folder is deleted at the end, unless ``--keep DIR`` names one to work in and keep.
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
BACKENDS = {"hatchling": "hatchling.build", "sdistguard": "sdistguard.build"}
_BUILD = """
import json, os, sys, time
import importlib
hooks = importlib.import_module(sys.argv[1])
result = {}
for kind in ("sdist", "wheel"):
    start = time.perf_counter()
    try:
        result[kind] = {"file": getattr(hooks, "build_" + kind)(sys.argv[2])}
    except BaseException as error:
        lines = str(error).strip().splitlines()
        result[kind] = {"error": type(error).__name__ + (": " + lines[-1] if lines else "")}
    result[kind]["seconds"] = round(time.perf_counter() - start, 1)
print(json.dumps(result))
"""
# What Python's tarfile ``data`` filter (PEP 706) says, in the words of what an installer refuses.
# pip >= 24.1 and build use this filter; uv refuses the same members (README.md, "Why").
_REFUSALS = {
    "AbsoluteLinkError": "links to an absolute path",
    "LinkOutsideDestinationError": "links pointing outside the unpacked folder",
    "AbsolutePathError": "absolute file names",
    "OutsideDestinationError": "file names leading outside the unpacked folder",
    "SpecialFileError": "device or pipe files",
}
POLLUTION = (
    ("venv/", "a virtual environment made by `python -m venv venv`"),
    ("env/", "a virtual environment made by `uv venv env`, with six installed"),
    (".uv-cache/", "uv's cache (UV_CACHE_DIR=.uv-cache), as in astral-sh/uv#11213"),
    ("README", "a link to README.md"),
    ("src/demo_project/etc", "a link to /etc, outside the project"),
    ("src/demo_project/notes.txt", "a link to private notes beside the project (../../../notes.txt)"),
)


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


def build(project: Path, backend: str, out: Path) -> dict[str, dict[str, object]]:
    """Build the sdist, then the wheel, of ``project`` with ``backend`` in a fresh process.

    Returns ``{"sdist": {...}, "wheel": {...}, "stderr": ...}``: each with ``file`` (the name built) or
    ``error`` (the exception's type and last line), and ``seconds``.
    """
    completed = subprocess.run([sys.executable, "-c", _BUILD, backend, str(out)], cwd=project,
                               capture_output=True, text=True, check=False)
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        failed = {"error": f"the build process exited with {completed.returncode}", "seconds": 0}
        return {"sdist": failed, "wheel": failed, "stderr": {"text": completed.stderr}}
    result: dict[str, dict[str, object]] = json.loads(lines[-1])
    result["stderr"] = {"text": completed.stderr}
    return result


def size(count: int) -> str:
    """Bytes as ``722 B``, ``626.7 kB``, ``19.5 MB``."""
    value = float(count)
    for unit in ("B", "kB", "MB"):
        if value < 1000 or unit == "MB":
            return f"{count:,} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{count} B"


def describe_sdist(path: Path) -> dict[str, object]:
    """Files, links and size of an sdist, and the members installers refuse to unpack, by kind."""
    refused: dict[str, list[str]] = {}
    links = files = 0
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            files += member.isfile()
            links += member.issym() or member.islnk()
            try:
                tarfile.data_filter(member, "/tmp/unpack")
            except tarfile.FilterError as error:
                name = member.name.split("/", 1)[-1]
                shown = f"{name} -> {member.linkname}" if member.linkname else name
                refused.setdefault(_REFUSALS.get(type(error).__name__, type(error).__name__), []).append(shown)
    return {"files": files, "links": links, "size": path.stat().st_size, "refused": refused}


def describe_wheel(path: Path) -> dict[str, object]:
    """Files and size of a wheel, and the files in it that came from outside the project."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    leaked = [name for name in names if "/etc/" in name or name.endswith("notes.txt")]
    return {"files": len(names), "size": path.stat().st_size, "leaked": leaked}


def rows(results: dict[str, dict[str, dict[str, object]]], out: Path) -> tuple[list[list[str]], list[str]]:
    """The table's rows (label, hatchling, sdistguard) and the numbered notes its cells point to."""
    table: list[list[str]] = []
    notes: list[str] = []

    def note(text: str) -> str:
        notes.append(text)
        return f"see ({len(notes)})"

    for kind in ("sdist", "wheel"):
        cells: dict[str, dict[str, str]] = {}
        for name in BACKENDS:
            built = results[name][kind]
            column = cells.setdefault(name, {})
            column[kind] = str(built.get("file") or "FAILED, " + note(f"{name}'s {kind} failed: {built['error']}"))
            column["  build time"] = f"{built['seconds']} s"
            if "file" not in built:
                continue
            path = out / name / str(built["file"])
            if kind == "sdist":
                facts = describe_sdist(path)
                refused = facts["refused"]
                assert isinstance(refused, dict)
                column["  files / links in it"] = f"{facts['files']:,} / {facts['links']:,}"
                column["  size"] = size(int(str(facts["size"])))
                count = sum(len(items) for items in refused.values())
                if count:
                    parts = "; ".join(f"{len(items)} {why} (e.g. {items[0]})" for why, items in refused.items())
                    column["  installers refuse to unpack"] = f"{count:,} members, " + note(
                        f"{name}'s sdist: pip and uv stop with an error on {parts}")
                else:
                    column["  installers refuse to unpack"] = "nothing"
            else:
                facts = describe_wheel(path)
                leaked = facts["leaked"]
                assert isinstance(leaked, list)
                column["  files in it"] = f"{facts['files']:,}"
                column["  size"] = size(int(str(facts["size"])))
                column["  files from outside the project"] = (
                    f"{len(leaked)}, " + note(f"{name}'s wheel holds {', '.join(leaked[:3])}") if leaked else "none"
                )
        labels = list(dict.fromkeys(label for column in cells.values() for label in column))
        table += [[label, *(cells[name].get(label, "-") for name in BACKENDS)] for label in labels]
    return table, notes


def render(table: list[list[str]]) -> str:
    """A plain text table, every column as wide as its widest cell (nothing is cut)."""
    header = ["", *BACKENDS]
    widths = [max(len(row[index]) for row in [header, *table]) for index in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in [header, *table]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def conclusion(results: dict[str, dict[str, dict[str, object]]], out: Path) -> str:
    """The closing lines: what happened to each build, and why."""
    theirs, ours = results["hatchling"], results["sdistguard"]
    said: list[str] = []
    if "file" in theirs["sdist"]:
        facts = describe_sdist(out / "hatchling" / str(theirs["sdist"]["file"]))
        refused = facts["refused"]
        assert isinstance(refused, dict)
        said.append(
            f"hatchling packed the venvs, uv's cache and what the links point to into its sdist "
            f"({facts['files']:,} files and {facts['links']:,} links, {size(int(str(facts['size'])))})"
            + (", and installers refuse to unpack it" if refused else "")
        )
    if "error" in theirs["wheel"]:
        said.append(f"hatchling's wheel build followed the link to /etc into the machine's own files and failed there "
                    f"({theirs['wheel']['error']})")
    elif "file" in theirs["wheel"]:
        leaked = describe_wheel(out / "hatchling" / str(theirs["wheel"]["file"]))["leaked"]
        assert isinstance(leaked, list)
        if leaked:
            said.append(f"its wheel carries {len(leaked)} files from outside the project (from /etc and the notes)")
    ok = "file" in ours["sdist"] and "file" in ours["wheel"]
    if ok:
        facts = describe_sdist(out / "sdistguard" / str(ours["sdist"]["file"]))
        said.append(
            f"sdistguard left the venvs, the cache and the links leaving the project out "
            f"(its report above says what and why) and wrote README as a regular file: its sdist holds the "
            f"project's {facts['files']} files, every one of which any installer unpacks"
        )
    else:
        said.append("sdistguard's build failed too (see its report above)")
    return "What happened:\n" + "\n".join(f"- {line}." for line in said)


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns 0 when sdistguard built both its sdist and its wheel."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep it afterwards (default: a temporary folder, deleted at the end)")
    args = parser.parse_args(argv)
    if args.keep:
        work = args.keep.resolve()
        work.mkdir(parents=True, exist_ok=True)
        if any(work.iterdir()):
            parser.error(f"--keep {args.keep}: the folder is not empty")
    else:
        work = Path(tempfile.mkdtemp(prefix="sdistguard-demo-"))
    try:
        project = work / "demo-project"
        shutil.copytree(HERE / "demo-project", project)
        print(f"A copy of examples/demo-project in {project}, polluted the way real tools leave a project:")
        width = max(len(path) for path, _ in POLLUTION)
        print("\n".join(f"  {path:<{width}}  {what}" for path, what in POLLUTION))
        pollute(project)
        print("\nBuilding its sdist and wheel with hatchling, then with sdistguard (same hooks, same settings)...\n")
        results = {name: build(project, backend, work / "out" / name) for name, backend in BACKENDS.items()}
        table, notes = rows(results, work / "out")
        print(render(table))
        if notes:
            print()
            print("\n".join(f"({number}) {text}" for number, text in enumerate(notes, 1)))
        print("\nsdistguard's report (what its build printed on stderr):")
        print(str(results["sdistguard"]["stderr"]["text"]).strip() or "(nothing)")
        print()
        print(conclusion(results, work / "out"))
    finally:
        if args.keep:
            print(f"\nThe scratch folder is kept: {work} (the project, and the artifacts in out/).")
        else:
            shutil.rmtree(work, ignore_errors=True)
            print(f"\nThe scratch folder {work} was deleted; run with --keep DIR to keep the project and artifacts.")
    ours = results["sdistguard"]
    return 0 if "file" in ours["sdist"] and "file" in ours["wheel"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
