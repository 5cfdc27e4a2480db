"""Every member written passes the same content scan, and the backend says what the auditor says.

The members the builder generates (PKG-INFO, the wheel's METADATA — the readme becomes its long
description —, WHEEL, entry_points.txt, the license files copied into ``.dist-info/licenses/``, what a
build hook generates and declares) are scanned like the files of the tree, and named by their member
path, as ``sdistguard check`` names them. The differential test builds generated trees with the
backend and with hatchling, and compares the backend's SG601/SG602/SG603 findings with the auditor's
on hatchling's artifacts. One acknowledgement per path: ``allow-secrets`` accepts a credential file by
name (SG601) as it accepts its content (SG602); an unpacked sdist is rebuilt with every member.

Tokens are generated fakes of the documented shapes, assembled at run time (this repository holds none).
"""

from __future__ import annotations

import tarfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import members, wheel_members, write_project
from helpers.builds import guarded_findings, hatchling_sdist, hatchling_wheel
from helpers.fakes import FAKE_TOKENS, pointer_text
from sdistguard.audit import audit
from sdistguard.builders.sdist import GuardedSdistBuilder
from sdistguard.builders.wheel import GuardedWheelBuilder
from sdistguard.rules import Finding

Build = Callable[..., Path]
CONTENT_CODES = ("SG601", "SG602", "SG603")


def _fails(build_in: Build, root: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as raised:
        build_in(root, kind)
    assert raised.value.code == 1
    return capsys.readouterr().err


def _pem() -> str:
    """A PEM private key block of the shape SG602 finds (a generated body)."""
    body = "b3BlbnNzaC1rZXktdjEAAAAA" * 3
    return f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n-----END OPENSSH PRIVATE KEY-----\n"


# --------------------------------------------------------------------------- generated members


def test_a_token_in_the_readme_stops_both_builds_naming_pkg_info_and_metadata(
        build_in: Build, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = "ghp_" + "A1b2" * 9
    (project / "README.md").write_text(f"# demo\n\nUse `{token}` to log in.\n")
    stderr = _fails(build_in, project, "sdist", capsys)
    assert "SG602 README.md: " in stderr and "line 3: GitHub token (ghp)" in stderr
    assert "\n  SG602 PKG-INFO: " in stderr  # the long description holds the readme's text
    assert token not in stderr
    stderr = _fails(build_in, project, "wheel", capsys)
    assert "\n  SG602 demo-1.0.dist-info/METADATA: " in stderr
    assert "README.md" not in stderr  # the wheel holds no README file, only its copy in METADATA
    assert token not in stderr
    assert list(project.parent.glob("out-*/*")) == []


def test_generated_wheel_members_are_scanned_entry_points_licenses_and_hook_output(
        build_in: Build, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = "AKIA" + "Q7" * 8
    root = write_project(tmp_path / "project", extra_project=f"""\
        description = "demo"
        license-files = ["LICENSE.txt"]
        [project.entry-points."demo.plugins"]
        {key} = "demo:main"
        """, extra="""\
        [tool.hatch.build.targets.wheel.hooks.custom]
        """)
    (root / "LICENSE.txt").write_text("MIT\n\n" + "npm_" + "Z9" * 18 + "\n")
    (root / "hatch_build.py").write_text(textwrap.dedent("""\
        import os

        from hatchling.builders.hooks.plugin.interface import BuildHookInterface


        class Hook(BuildHookInterface):
            def initialize(self, version, build_data):
                os.makedirs(os.path.join(self.root, "generated"), exist_ok=True)
                path = os.path.join(self.root, "generated", "settings.py")
                with open(path, "w") as file:
                    file.write("# generated\\nTOKEN = '" + "glpat-" + "x1" * 12 + "'\\n")
                build_data["force_include"][path] = "demo/settings.py"
        """))
    stderr = _fails(build_in, root, "wheel", capsys)
    assert "SG602 demo-1.0.dist-info/entry_points.txt: " in stderr and "line 2: AWS access key id" in stderr
    assert "SG602 demo-1.0.dist-info/licenses/LICENSE.txt: " in stderr and "npm access token" in stderr
    assert "SG602 generated/settings.py: " in stderr and "line 2: GitLab personal access token" in stderr
    assert key not in stderr and "Z9Z9" not in stderr and "x1x1" not in stderr


def test_generated_members_follow_allow_secrets_by_member_path(build_in: Build, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A throwaway key in the readme ships when allow-secrets names the readme and its copies, as check matches them."""
    root = write_project(tmp_path / "project",
                         extra='[tool.sdistguard]\nallow-secrets = ["README.md", "PKG-INFO", "*.dist-info/METADATA"]\n')
    (root / "README.md").write_text("# demo\n\n" + "sk_live_" + "k3" * 12 + "\n")
    sdist = build_in(root, "sdist")
    wheel = build_in(root, "wheel")
    assert "SG602" not in capsys.readouterr().err
    assert "PKG-INFO" in members(sdist) and "demo-1.0.dist-info/METADATA" in wheel_members(wheel)
    allowed = ["README.md", "PKG-INFO", "*.dist-info/METADATA"]
    assert [f for f in audit(sdist, allow_secrets=allowed) + audit(wheel, allow_secrets=allowed)
            if f.code == "SG602"] == []


@pytest.mark.parametrize("epoch", [None, "1700000000"])
def test_wheels_with_generated_and_shared_members_are_hatchlings_bytes(
        build_in: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str | None) -> None:
    """The scanned paths write hatchling's bytes: metadata, entry points, licenses, shared data and scripts
    (one with a shebang hatchling rewrites), extra metadata; a clean tree, so nothing is found."""
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    root = write_project(tmp_path / "project", extra_project="""\
        license-files = ["LICENSE", "licenses/*.txt"]
        [project.scripts]
        demo = "demo:main"
        [project.entry-points."demo.plugins"]
        one = "demo:one"
        """, extra="""\
        [tool.hatch.build.targets.wheel.shared-data]
        "share" = "share/demo"
        [tool.hatch.build.targets.wheel.shared-scripts]
        "scripts" = "/"
        [tool.hatch.build.targets.wheel.extra-metadata]
        "meta" = "meta"
        """)
    (root / "LICENSE").write_text("MIT\n")
    (root / "licenses").mkdir()
    (root / "licenses" / "third.txt").write_text("BSD\n" * 500)
    for directory, names in (("share", ("a.txt", "big.bin")), ("scripts", ("tool", "run.sh")), ("meta", ("m.json",))):
        (root / directory).mkdir()
        for name in names:
            (root / directory / name).write_text(f"{name}\n" * 100)
    (root / "share" / "big.bin").write_bytes(bytes(range(256)) * 2000)  # past the spool size
    (root / "scripts" / "tool").write_text("#!/usr/bin/env python3\nprint('tool')\n")
    (root / "scripts" / "tool").chmod(0o755)
    ours, theirs = build_in(root, "wheel"), build_in(root, "wheel", backend="hatchling")
    assert ours.read_bytes() == theirs.read_bytes()
    names = wheel_members(ours)
    assert {"demo-1.0.data/data/share/demo/big.bin", "demo-1.0.data/scripts/tool",
            "demo-1.0.dist-info/extra_metadata/meta/m.json", "demo-1.0.dist-info/licenses/licenses/third.txt",
            "demo-1.0.dist-info/entry_points.txt"} <= set(names)


def test_a_secret_or_a_pointer_in_shared_data_stops_the_wheel(build_in: Build, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "project", extra="""\
        [tool.hatch.build.targets.wheel.shared-data]
        "share" = "share/demo"
        """)
    (root / "share").mkdir()
    (root / "share" / "conf.ini").write_text("[auth]\ntoken = " + "ghs_" + "Q1w2" * 9 + "\n")
    (root / "share" / "model.bin").write_text(pointer_text())
    stderr = _fails(build_in, root, "wheel", capsys)
    # named by hatchling's relative path of a shared-data file: its target below the data directory
    assert "SG602 share/demo/conf.ini: " in stderr and "line 2: GitHub token (ghs)" in stderr
    assert "SG603 share/demo/model.bin: " in stderr


# --------------------------------------------------------------------------- the backend against the auditor

FILE_NAMES = ("mod.py", "data.bin", "id_ecdsa", ".env", "fixture.key", "notes.txt")
FILE_CONTENTS = ("plain", "token", "pointer", "near-pointer", "pem")
HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Tree:
    """A generated project: what its readme, description, license file and module files hold."""

    readme: str
    readme_kind: str
    description_token: bool
    license: str
    files: dict[str, str]
    allow: list[str]


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    """A project whose readme, description, license file and module files are plain or hold a secret or pointer."""
    def content(what: str) -> str:
        if what == "token":
            kind = draw(st.sampled_from(sorted(FAKE_TOKENS)))
            return "x = 1\n" * draw(st.integers(0, 3)) + f"T = '{draw(FAKE_TOKENS[kind])}'\n"
        if what == "pointer":
            return pointer_text(draw(st.text(HEX, min_size=64, max_size=64)), draw(st.integers(0, 10**9)))
        if what == "near-pointer":
            return pointer_text().replace("size ", "size  ")
        if what == "pem":
            return _pem()
        return "print('hello')\n"

    files = draw(st.dictionaries(st.sampled_from(FILE_NAMES), st.sampled_from(FILE_CONTENTS), min_size=1, max_size=4))
    readme_kind = draw(st.sampled_from(("plain", "token", "pointer")))
    return Tree(
        readme=content(readme_kind), readme_kind=readme_kind, description_token=draw(st.booleans()),
        license=content(draw(st.sampled_from(("plain", "token")))),
        files={name: content(what) for name, what in files.items()},
        allow=draw(st.sampled_from(([], ["*.key"], ["id_*"], ["*.key", "id_*", "README.md"]))),
    )


def _write_tree(root: Path, tree: Tree) -> None:
    description = "demo " + ("AKIA" + "Z" * 16 if tree.description_token else "project")
    allow = ", ".join(f'"{pattern}"' for pattern in tree.allow)
    write_project(root, extra_project=f'description = "{description}"\nlicense-files = ["LICENSE"]\n',
                  extra=f"[tool.sdistguard]\nallow-secrets = [{allow}]\n")
    (root / "README.md").write_text(tree.readme)
    (root / "LICENSE").write_text(tree.license)
    for name, text in tree.files.items():
        (root / "src" / "demo" / name).write_text(text)


def _backend(root: Path, builder_class: type[GuardedSdistBuilder | GuardedWheelBuilder], out: Path) -> list[Finding]:
    """The backend's findings on ``root``, whether the build stopped or not."""
    return guarded_findings(builder_class, root, out)


def _rows(findings: list[Finding], *, wheel: bool = False) -> set[tuple[str, str, str]]:
    """(code, member path, detail) of the content findings; SG601's detail differs by design (the backend says
    it left the file out), so only its code and path count."""
    rows = set()
    for found in findings:
        if found.code in CONTENT_CODES:
            path = found.path
            if wheel and path.startswith("src/demo/"):  # the wheel's packages = ["src/demo"]
                path = "demo/" + path.removeprefix("src/demo/")
            rows.add((found.code, path, "" if found.code == "SG601" else found.detail))
    return rows


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tree=trees())
def test_the_backend_finds_what_the_auditor_finds_in_hatchlings_artifacts(
        tmp_path_factory: pytest.TempPathFactory, tree: Tree) -> None:
    base = tmp_path_factory.mktemp("differential")
    root = base / "project"
    _write_tree(root, tree)
    builds = ((False, GuardedSdistBuilder, hatchling_sdist), (True, GuardedWheelBuilder, hatchling_wheel))
    for wheel, ours, theirs in builds:
        backend = _rows(_backend(root, ours, base / "ours"), wheel=wheel)
        auditor = _rows(audit(theirs(root, base / "hatchling"), allow_secrets=tree.allow))
        # a credential file the backend leaves out is never read by it: the auditor's findings on its content
        # in hatchling's artifact are the only ones the backend cannot have
        left_out = {path for code, path, _ in backend if code == "SG601"}
        auditor = {row for row in auditor if row[0] == "SG601" or row[1] not in left_out}
        assert backend == auditor, (wheel, tree)
        generated = "demo-1.0.dist-info/METADATA" if wheel else "PKG-INFO"
        if tree.description_token or (tree.readme_kind == "token" and "README.md" not in tree.allow):
            assert ("SG602", generated) in {(code, path) for code, path, _ in backend}


# --------------------------------------------------------------------------- one acknowledgement per path


def test_allow_secrets_alone_ships_a_key_fixture_named_like_an_ssh_key(build_in: Build, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """pygments ships tests/examplefiles/asc/id_ecdsa for a lexer test: one allow-secrets entry ships it."""
    fixture = "tests/examplefiles/asc/id_ecdsa"
    root = write_project(tmp_path / "project", extra=f'[tool.sdistguard]\nallow-secrets = ["{fixture}"]\n')
    (root / fixture).parent.mkdir(parents=True)
    (root / fixture).write_text(_pem())
    sdist = build_in(root, "sdist")
    stderr = capsys.readouterr().err
    assert "SG601" not in stderr and "SG602" not in stderr
    assert members(sdist)[fixture] == "file"
    assert [f for f in audit(sdist, allow_secrets=[fixture]) if f.code in CONTENT_CODES] == []
    # keep alone lets the file in, and then its content stops the build: keep is for what rules leave out
    (root / "pyproject.toml").write_text((root / "pyproject.toml").read_text().replace("allow-secrets", "keep"))
    stderr = _fails(build_in, root, "sdist", capsys)
    assert f"SG602 {fixture}: " in stderr and "private key (PEM)" in stderr


def test_rebuilding_an_unpacked_sdist_keeps_its_credential_files(build_in: Build, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """sdist -> unpack -> sdist (and the wheel from the unpacked sdist) keeps every member; SG604 says which."""
    root = write_project(tmp_path / "project", extra='[tool.hatch.build.targets.sdist]\nexclude = ["venv/"]\n')
    (root / ".env").write_text("DEBUG=1\n")
    (root / "src" / "demo" / "id_rsa").write_text("not a key: a lexer's test input\n")
    published = hatchling_sdist(root, tmp_path / "published")
    published_members = members(published)
    assert {".env", "src/demo/id_rsa"} <= set(published_members)
    unpacked = tmp_path / "unpacked"
    with tarfile.open(published) as archive:
        archive.extractall(unpacked, filter="data")
    (tree,) = unpacked.iterdir()
    rebuilt = build_in(tree, "sdist")
    stderr = capsys.readouterr().err
    assert members(rebuilt) == published_members
    assert "SG604 .env: credential file by name in an unpacked sdist" in stderr
    assert "SG604 src/demo/id_rsa: " in stderr and "SG601" not in stderr
    wheel = build_in(tree, "wheel")
    assert "demo/id_rsa" in wheel_members(wheel)
    assert wheel_members(wheel) == wheel_members(hatchling_wheel(tree, tmp_path / "hatchling-wheel"))
    # the same tree with no PKG-INFO is a project, not an unpacked sdist: the credential files are left out
    (tree / "PKG-INFO").unlink()
    again = build_in(tree, "sdist")
    assert ".env" not in members(again) and "src/demo/id_rsa" not in members(again)
    assert "SG601 .env" in capsys.readouterr().err
