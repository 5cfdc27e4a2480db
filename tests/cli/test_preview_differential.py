"""Differential: what ``sdistguard check DIR`` says hatchling would ship equals the auditor on hatchling's sdist.

Generated hatchling configurations (include, exclude with negations, only-include, artifacts,
force-include), a root and a nested ``.gitignore``, venvs, caches, a credential file, a secret and
links placed in and out of the selection, in a real git repository or a plain directory. For each:
hatchling's ``SdistBuilder`` builds the sdist in-process, :func:`sdistguard.audit` reads it, and
``sdistguard check --format json DIR`` previews the same tree. Codes, paths, details and counts must
agree (the metadata codes aside: the preview writes no PKG-INFO); what only the tree can tell (git's
view) must name only what hatchling ships, with hatchling's counts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hatchling.builders.sdist import SdistBuilder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.builds import build_standard
from sdistguard.audit import audit
from sdistguard.builders.shipped import TREE_ONLY
from sdistguard.cli import main
from sdistguard.rules import RULES

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

TOKEN = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
FILES = ["src/demo/a.py", "src/demo/sub/m.py", "docs/index.md", "tests/test_a.py", "data/d.txt", "data/e.csv",
         "build/gen.txt", "notes/n.txt", "README.md"]
VENVS = ["venv", "src/demo/venv", "tools/env", "data/.venv2"]
CACHES = [".cache", "src/demo/.mypy", "data/cache"]
CREDENTIALS = [".env", "src/demo/.pypirc", "data/.netrc"]
TREE_CODES = {rule.code for rule in RULES.values() if rule.name in TREE_ONLY}


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


configurations = st.fixed_dictionaries({
    "files": st.sets(st.sampled_from(FILES)),
    "venvs": st.sets(st.sampled_from(VENVS), max_size=2),
    "caches": st.sets(st.sampled_from(CACHES), max_size=2),
    "credentials": st.sets(st.sampled_from(CREDENTIALS), max_size=2),
    "secret": st.sampled_from([None, "data/token.txt", "src/demo/config.py"]),
    "links": st.booleans(),
    "include": st.none() | st.lists(st.sampled_from(["/src", "src", "/docs", "*.py", "tests", "/data"]),
                                    min_size=1, max_size=3, unique=True),
    "exclude": st.lists(st.sampled_from(["/docs", "*.md", "data/", "!data/d.txt", "*.csv"]), max_size=3,
                        unique=True),
    "only_include": st.none() | st.lists(st.sampled_from(["src", "data", "tools"]), min_size=1, max_size=2,
                                         unique=True),
    "artifacts": st.lists(st.sampled_from(["build/gen.txt", "*.txt", "venv/*.cfg"]), max_size=2, unique=True),
    "force_include": st.sampled_from([{}, {"notes": "notes_forced"}, {"data/d.txt": "forced.txt"}]),
    "gitignore": st.lists(st.sampled_from(["build/", "venv/", "*.txt", ".env", "tools/", ".cache/", "*.py"]),
                          max_size=3, unique=True),
    "nested_gitignore": st.sampled_from([None, "*\n", "cache/\n", "*.csv\n"]),
    "git": st.sampled_from([None, "init", "commit"]),
})


def _write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)


def _tree(root: Path, config: dict[str, Any]) -> None:
    sdist: dict[str, Any] = {}
    for key in ("include", "exclude", "only_include", "artifacts"):
        if config[key]:
            sdist[key.replace("_", "-")] = config[key]
    lines = ['[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
             '[project]\nname = "demo"\nversion = "1.0"\n', "[tool.hatch.build.targets.sdist]\n"]
    lines.extend(f"{key} = {_toml(value)}\n" for key, value in sdist.items())
    if config["force_include"]:
        lines.append("[tool.hatch.build.targets.sdist.force-include]\n")
        lines.extend(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in config["force_include"].items())
    (root / "pyproject.toml").write_text("".join(lines))
    _write(root, "src/demo/__init__.py", "")
    for path in config["files"] | {"notes/n.txt", "data/d.txt"}:  # force-include sources exist
        _write(root, path, f"{path}\n")
    for path in config["venvs"]:
        _write(root, f"{path}/pyvenv.cfg", "home = /usr/bin\n")
        _write(root, f"{path}/lib/python3.12/site-packages/six.py", "x = 1\n")
        (root / path / "lib64").symlink_to("lib")
    for path in config["caches"]:
        _write(root, f"{path}/CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n")
        _write(root, f"{path}/entry.bin", "cached\n")
    for path in config["credentials"]:
        _write(root, path, "machine example.org password hunter2\n")
    if config["secret"]:
        _write(root, config["secret"], f"TOKEN = {TOKEN!r}\n")
    if config["links"]:
        (root / "src" / "demo" / "alias.py").symlink_to("__init__.py")
        (root / "src" / "demo" / "outside").symlink_to("/etc/hostname")
    if config["gitignore"]:
        (root / ".gitignore").write_text("\n".join(config["gitignore"]) + "\n")
    if config["nested_gitignore"]:
        _write(root, "data/.gitignore", config["nested_gitignore"])
    if config["git"]:
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        if config["git"] == "commit":
            subprocess.run(["git", "add", "-A"], cwd=root, check=True)
            subprocess.run(["git", "commit", "-qm", "tree", "--no-verify"], cwd=root, check=True,
                           capture_output=True)


def _check_dir(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    code = main(["check", "--format", "json", str(root)])
    document = json.loads(capsys.readouterr().out)
    assert code in (0, 1), document
    (item,) = document["inputs"]
    return list(item["findings"])


def _key(found: dict[str, Any]) -> tuple[str, str, str, int, int]:
    return found["code"], found["path"], found["detail"], found["files"], found["size"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=configurations)
def test_check_dir_says_what_the_auditor_says_of_hatchlings_sdist(
    config: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path)) / "project"
    root.mkdir()
    _tree(root, config)
    out = Path(tempfile.mkdtemp(dir=tmp_path))
    sdist = build_standard(SdistBuilder, root, out)
    audited = sorted(
        (found.code, found.path, found.detail, found.files, found.size)
        for found in audit(sdist) if not found.code.startswith("SG52")
    )
    said = _check_dir(root, capsys)
    assert sorted(_key(found) for found in said if found["code"] not in TREE_CODES) == audited
    with tarfile.open(sdist) as archive:
        shipped = {member.name.split("/", 1)[1] for member in archive.getmembers()} - {"PKG-INFO"}
    forced_targets = set(config["force_include"].values())
    walked = {name for name in shipped if name.split("/")[0] not in forced_targets}  # the project walk's
    for found in said:  # git's view names only what hatchling ships, counted as hatchling ships it
        path = found["path"]
        if found["code"] not in TREE_CODES or path.startswith("/") or path in ("", "./"):
            continue
        if found["name"] == "tracked-ignored-by-hatchling":
            assert path not in shipped
        elif path.endswith("/"):
            assert found["files"] == sum(1 for name in walked if name.startswith(path)) > 0, found
        else:
            assert path in walked, found
    assert TOKEN not in json.dumps(said)
