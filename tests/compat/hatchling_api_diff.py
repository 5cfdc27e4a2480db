"""Which of the hatchling methods sdistguard overrides (or leans on) changed between releases.

hatchling reformatted its code base (single to double quotes, typing generics) between 1.27 and
1.28, so a textual ``diff`` is mostly noise. This script compares the *behaviour-bearing* AST of
each function instead: docstrings, annotations and ``typing.cast(T, x)`` (-> ``x``) are removed and
the rest is compared with ``ast.unparse``, which also normalises quoting.

Usage (downloads the wheels with pip into the cache; nothing is installed)::

    python tests/compat/hatchling_api_diff.py                      # table for 1.27.0 .. 1.33.0
    python tests/compat/hatchling_api_diff.py --show               # + unified diffs of changed bodies
    python tests/compat/hatchling_api_diff.py --versions 1.27.0 1.33.0 --all

The cache is ``$SDISTGUARD_COMPAT_CACHE`` or ``~/.cache/sdistguard-compat`` (never committed).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

DEFAULT_VERSIONS = [
    "1.27.0", "1.28.0", "1.29.0", "1.30.0", "1.30.1", "1.31.0", "1.32.0", "1.32.3", "1.32.4", "1.33.0",
]

# The functions sdistguard overrides or whose behaviour its overrides rely on.
WATCHED = {
    "builders/plugin/interface.py": [
        "BuilderInterface.recurse_included_files",
        "BuilderInterface.recurse_project_files",
        "BuilderInterface.recurse_explicit_files",
        "BuilderInterface.recurse_forced_files",
        "BuilderInterface.get_default_build_data",
        "BuilderInterface.set_build_data_defaults",
        "BuilderInterface.build",
        "BuilderInterface.__init__",
        "IncludedFile.__init__",
    ],
    "builders/sdist.py": [
        "SdistBuilder.build_standard",
        "SdistBuilder.get_default_build_data",
        "SdistBuilder.construct_setup_py_file",
        "SdistArchive.__init__",
        "SdistArchive.__getattr__",
        "SdistArchive.create_file",
        "SdistArchive.normalize_tar_metadata",
        "SdistArchive.__exit__",
    ],
    "builders/wheel.py": [
        "WheelBuilder.build_standard",
        "WheelBuilder.build_editable",
        "WheelBuilder.build_editable_detection",
        "WheelBuilder.build_editable_explicit",
        "WheelBuilder.get_default_build_data",
        "WheelBuilder.get_forced_inclusion_map",
        "WheelBuilder.write_metadata",
        "WheelBuilder.add_shared_data",
        "WheelBuilder.add_shared_scripts",
        "WheelBuilder.add_sboms",
        "WheelBuilder.add_licenses",
        "WheelBuilder.add_extra_metadata",
        "WheelArchive.__init__",
        "WheelArchive.add_file",
        "WheelArchive.write_file",
        "WheelArchive.__exit__",
        "RecordFile.write",
    ],
    "builders/config.py": [
        "BuilderConfig.set_build_data",
        "BuilderConfig.artifact_spec",
        "BuilderConfig.__init__",
        "BuilderConfig.path_is_build_artifact",
        "BuilderConfig.include_path",
        "BuilderConfig.path_is_included",
        "BuilderConfig.path_is_excluded",
        "BuilderConfig.path_is_artifact",
        "BuilderConfig.path_is_reserved",
        "BuilderConfig.directory_is_excluded",
        "BuilderConfig.get_distribution_path",
        "BuilderConfig.exclude_spec",
        "BuilderConfig.only_include",
        "BuilderConfig.sources",
        "BuilderConfig.get_force_include",
        "BuilderConfig.skip_excluded_dirs",
        "BuilderConfig.load_vcs_exclusion_patterns",
    ],
    "metadata/core.py": [  # builders/static.py: the preview's metadata, with no hook or version source run
        "ProjectMetadata.__init__",
        "ProjectMetadata.core_raw_metadata",
        "ProjectMetadata.core",
        "ProjectMetadata.version",
        "ProjectMetadata._get_version",
        "ProjectMetadata.hatch",
        "CoreMetadata.__init__",
        "HatchMetadataSettings.hook_config",
        "HatchVersionConfig.source_name",
    ],
    "version/source/regex.py": ["RegexSource.get_version_data"],
    "version/source/env.py": ["EnvSource.get_version_data"],
}


def cache_dir() -> Path:
    return Path(os.environ.get("SDISTGUARD_COMPAT_CACHE", Path.home() / ".cache" / "sdistguard-compat"))


def fetch(version: str) -> Path:
    """Unpack hatchling==version's wheel into the cache and return its ``hatchling`` package dir."""
    root = cache_dir() / "hatchling-src" / version
    if not (root / "hatchling").is_dir():
        dl = cache_dir() / "downloads"
        dl.mkdir(parents=True, exist_ok=True)
        wheel = dl / f"hatchling-{version}-py3-none-any.whl"
        if not wheel.exists():
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                 f"hatchling=={version}", "-d", str(dl)],
                check=True,
            )
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(root)
    return root / "hatchling"


class _Strip(ast.NodeTransformer):
    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        return node

    def _function(self, node):  # type: ignore[no-untyped-def]
        node.returns = None
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(
            body[0].value.value, str
        ):
            node.body = body[1:] or [ast.Pass()]
        self.generic_visit(node)
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_AnnAssign(self, node: ast.AnnAssign):  # type: ignore[no-untyped-def]
        if node.value is None:
            return None
        return ast.copy_location(ast.Assign(targets=[node.target], value=self.visit(node.value)), node)

    def visit_Call(self, node: ast.Call):  # type: ignore[no-untyped-def]
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "cast" and len(node.args) == 2:
            return node.args[1]
        return node


def functions(path: Path) -> dict[str, str]:
    """Map ``Class.method`` / ``function`` to normalised source for one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}

    def add(name: str, node: ast.AST) -> None:
        while name in out:  # property setter etc.
            name += "'"
        stripped = _Strip().visit(node)
        ast.fix_missing_locations(stripped)
        out[name] = ast.unparse(stripped)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            add(node.name, node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    add(f"{node.name}.{item.name}", item)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--versions", nargs="+", default=DEFAULT_VERSIONS)
    parser.add_argument("--all", action="store_true", help="report every changed function, not only the watched")
    parser.add_argument("--show", action="store_true", help="print unified diffs of the changed functions")
    args = parser.parse_args(argv)
    versions: list[str] = args.versions
    newest = versions[-1]
    trees = {v: fetch(v) for v in versions}
    for module, watched in WATCHED.items():
        per = {v: functions(trees[v] / module) for v in versions}
        names = sorted(set().union(*per.values())) if args.all else watched
        print(f"== hatchling/{module}")
        for name in names:
            bodies = [per[v].get(name) for v in versions]
            changed_in = [versions[i] for i in range(1, len(versions)) if bodies[i] != bodies[i - 1]]
            if args.all and not changed_in:
                continue
            since = versions[0]
            for i in range(len(versions) - 1, -1, -1):
                if bodies[i] != bodies[-1]:
                    since = versions[i + 1]
                    break
            state = f"changed in {', '.join(changed_in)}" if changed_in else "unchanged"
            missing = [v for v, b in zip(versions, bodies, strict=True) if b is None]
            extra = f"; absent in {', '.join(missing)}" if missing else ""
            print(f"  {name:45} identical to {newest} since {since:7} ({state}{extra})")
            if args.show and changed_in:
                for i in range(1, len(versions)):
                    if bodies[i] != bodies[i - 1]:
                        diff = difflib.unified_diff(
                            (bodies[i - 1] or "").splitlines(), (bodies[i] or "").splitlines(),
                            f"{versions[i - 1]}", f"{versions[i]}", lineterm="", n=1,
                        )
                        print("\n".join("      " + line for line in diff))
    return 0


if __name__ == "__main__":
    sys.exit(main())
