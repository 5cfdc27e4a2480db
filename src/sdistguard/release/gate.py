"""The release gate itself: build, audit, compare, and write the output directory only when nothing fails.

:func:`run_gate` is what ``sdistguard check --build`` runs (:mod:`sdistguard.cli.check` hands it its own
audit of an archive); :func:`publish` writes each file whole.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from sdistguard.audit import AuditResult
from sdistguard.audit.checked import CheckedInput
from sdistguard.audit.hints import BuiltBy, include_fix, leave_out_fix, project_backend
from sdistguard.core.errors import InputError
from sdistguard.git.vcs import GitTree, GitUnavailable, query
from sdistguard.release.isolated import (
    Artifact,
    BuildFailure,
    Distribution,
    Installer,
    Source,
    build_all,
    pick_installer,
    require_build,
)
from sdistguard.release.parity import sdist_files, wheel_parity
from sdistguard.release.tracked import sdist_vs_git
from sdistguard.rules import RULE_BY_NAME, Finding, RuleName, finding

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - Python 3.10
    pass

__all__ = ["GateResult", "publish", "run_gate"]


@dataclass
class GateResult:
    """What :func:`run_gate` decided: ``inputs`` (the project, then each artifact built, ready for the
    report formats), ``passed`` (no failing finding), ``written`` (the paths moved into the output
    directory; empty unless ``passed``) and ``unchecked`` (other files already in the output directory)."""

    inputs: list[CheckedInput]
    passed: bool
    written: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- writing the output directory


def publish(paths: Sequence[str], outdir: str) -> list[str]:
    """Copy each file of ``paths`` into ``outdir`` (created when missing), each whole: written beside its
    final name as ``.NAME.sdistguard-part``, then renamed over it (``os.replace``). Returns the final paths.

    Raises :class:`~sdistguard.core.errors.InputError` (nothing of this call is left under a final name
    unless every copy was written) when ``outdir`` cannot be created or written.
    """
    staged: list[tuple[str, str]] = []
    try:
        os.makedirs(outdir, exist_ok=True)
        for path in paths:
            name = os.path.basename(path)
            part = os.path.join(outdir, f".{name}.sdistguard-part")
            with open(path, "rb") as source, open(part, "wb") as target:
                shutil.copyfileobj(source, target)
            staged.append((part, os.path.join(outdir, name)))
        for part, final in staged:
            os.replace(part, final)
    except OSError as error:
        for part, _final in staged:
            with contextlib.suppress(OSError):
                os.unlink(part)
        raise InputError(f"--outdir {outdir}: cannot write: {error.strerror or error}") from None
    return [final for _part, final in staged]


# --------------------------------------------------------------------------- the gate


def _failure_finding(failure: BuildFailure, tree_wheel_built: bool, path: str) -> Finding:
    """The ``build-failed`` finding of ``failure`` at ``path`` (the project's build configuration file):
    the artifact, the error, and the output's last line that mentions an error (else its last line)."""
    detail = f"{failure.what}: {failure.error}"
    if failure.what.startswith("wheel from the unpacked sdist") and tree_wheel_built and not failure.unpacking:
        detail += "; the wheel builds from the tree, so the sdist likely lacks a file the build needs"
    telling = [line.strip() for line in failure.tail if "error" in line.lower()]
    if telling or failure.tail:
        detail += f"; the output says: {(telling or failure.tail)[-1].strip()}"
    return finding("build-failed", path, detail)


def run_gate(
    root: str,
    *,
    outdir: str,
    check_artifact: Callable[[str], CheckedInput],
    fails: Callable[[Finding], bool],
    wants: Callable[[Finding], bool],
    progress: TextIO | None = sys.stderr,
    installer: Installer | None = None,
) -> GateResult:
    """Build ``root`` three ways, audit each artifact, add the gate's findings, and write the output
    directory when nothing fails.

    ``root`` is the project directory as given (reports name it so); ``outdir`` the output directory;
    ``check_artifact(path)`` audits one built archive with every rule and returns its
    :class:`~sdistguard.audit.checked.CheckedInput` (the CLI's own audit, with its selection and fixes);
    ``wants(finding)`` / ``fails(finding)`` say whether a gate finding is reported and whether it fails
    (the selection). ``progress`` gets one line per build (which artifact, how long) and the verdict;
    ``None`` keeps quiet. ``installer`` defaults to :func:`pick_installer`.

    Returns a :class:`GateResult`: its first input is the project (kind ``directory``: build failures
    and the sdist against git), then the sdist, the wheel built from it, and the wheel built from the
    tree (``wheel-parity`` on the wheel built from the sdist, the one that ships). Raises
    :class:`~sdistguard.core.errors.InputError` when ``root`` is no project directory, pypa/build is missing
    (:func:`require_build`), or ``outdir`` cannot be written.
    """
    require_build()
    absolute = os.path.abspath(root)
    if not os.path.isdir(absolute):
        raise InputError(f"{root}: --build needs a project directory")
    if not any(os.path.isfile(os.path.join(absolute, name)) for name in ("pyproject.toml", "setup.py")):
        raise InputError(f"{root}: a project directory needs a pyproject.toml (or a setup.py)")
    backend = project_backend(absolute)
    chosen = installer or pick_installer()
    if progress is not None:
        progress.write(
            f"sdistguard: check --build runs the project's build code: {backend.name} ({backend.evidence}), "
            f"in isolated environments (installer: {chosen})\n"
        )
    work = tempfile.mkdtemp(prefix="sdistguard-release-")
    try:
        built, failures = build_all(absolute, work, chosen, progress)
        result = _judge(root, absolute, backend, built, failures, check_artifact, fails, wants)
        sdist = next((item for item in built if item.distribution == "sdist"), None)
        shipped = next((item for item in built if item.source == "sdist"), None)
        if sdist is not None and shipped is not None:
            result.unchecked = sorted(
                name for name in _listing(outdir)
                if name not in (os.path.basename(sdist.path), os.path.basename(shipped.path))
                and not name.startswith(".")
            )
        if result.passed and sdist is not None and shipped is not None:
            result.written = publish([sdist.path, shipped.path], outdir)
            if result.unchecked:
                result.inputs[0].notes.append(
                    f"{outdir} also holds {', '.join(result.unchecked)}, which this run did not check"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if progress is not None:
        if result.written:
            progress.write(f"sdistguard: the gate passed; wrote {', '.join(result.written)}\n")
            if result.unchecked:
                progress.write(
                    f"sdistguard: note: {outdir} also holds {', '.join(result.unchecked)}, which this run did "
                    f"not check: upload only the files named above\n"
                )
        else:
            progress.write(f"sdistguard: the gate failed; nothing was written to {outdir}\n")
    return result


def _listing(directory: str) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


def _judge(
    root: str,
    absolute: str,
    backend: BuiltBy,
    built: list[Artifact],
    failures: list[BuildFailure],
    check_artifact: Callable[[str], CheckedInput],
    fails: Callable[[Finding], bool],
    wants: Callable[[Finding], bool],
) -> GateResult:
    """Audit the artifacts and add the gate's own findings (see :func:`run_gate`)."""
    project_findings: list[Finding] = []
    notes: list[str] = []
    tree_wheel = any(item.distribution == "wheel" and item.source == "tree" for item in built)
    configuration = "pyproject.toml" if os.path.isfile(os.path.join(absolute, "pyproject.toml")) else "setup.py"
    for failure in failures:
        project_findings.append(_failure_finding(failure, tree_wheel, configuration))
        notes.append(f"the {failure.what} failed: {failure.error}")
        if failure.tail:
            notes.append("its output ended with:")
            notes.extend(f"  | {line}" for line in failure.tail)
    git = query(absolute)
    inputs: list[CheckedInput] = []
    by_role = {(item.distribution, item.source): item for item in built}
    sdist = by_role.get(("sdist", "tree"))
    members: dict[str, str] = {}
    if sdist is not None:
        try:
            members = sdist_files(sdist.path)
        except (OSError, tarfile.TarError):
            members = {}  # the sdist's audit reports what is wrong with it
        compared, skipped = sdist_vs_git(absolute, members, backend.name, git)
        project_findings.extend(compared)
        if skipped:
            notes.append(skipped)
    labels: dict[tuple[Distribution, Source], tuple[str, str]] = {
        ("sdist", "tree"): ("", "built from the tree; written to the output directory when the gate passes"),
        ("wheel", "sdist"): ("", "built from the unpacked sdist (what pip, uv and build install); written to the "
                                 "output directory when the gate passes"),
        ("wheel", "tree"): (" (from the tree)", "built straight from the tree, for the parity check; never written"),
    }
    for role, (suffix, note) in labels.items():
        artifact = by_role.get(role)
        if artifact is None:
            continue
        display = os.path.basename(artifact.path) + suffix
        try:
            checked = check_artifact(artifact.path)
        except InputError as error:  # the backend wrote something no reader opens: exit 2, as for any input
            message = str(error).replace(artifact.path, display)
            sys.stderr.write(f"sdistguard: error: {message}\n")
            inputs.append(CheckedInput(AuditResult(display, "unknown", error=message)))
            continue
        checked.result.path = display
        checked.notes.append(f"{note} ({artifact.seconds:.1f} s)")
        if role == ("wheel", "sdist") and ("wheel", "tree") in by_role:
            excluded: list[str] = []
            parity = _parity(artifact.path, by_role[("wheel", "tree")].path, members, absolute, git, excluded)
            parity = [found for found in parity if wants(found)]
            if parity and excluded:
                code = RULE_BY_NAME["wheel-parity"].code
                fix = include_fix(backend.name, excluded, "sdist", optional=False)
                checked.fixes[code] = fix + "; then test the wheel built from the sdist"
            checked.result.findings = checked.result.findings + parity
            checked.fails = checked.fails + tuple(fails(found) for found in parity)
        inputs.append(checked)
    project_findings = [found for found in project_findings if wants(found)]
    fixes = _fixes(backend.name, project_findings)
    project = CheckedInput(
        AuditResult(root, "directory", project_findings),
        tuple(fails(found) for found in project_findings),
        backend,
        fixes,
        notes,
    )
    inputs.insert(0, project)
    passed = not failures and all(item.result.error is None and not any(item.fails) for item in inputs)
    return GateResult(inputs, passed)


def _parity(
    from_sdist: str,
    from_tree: str,
    sdist_files: dict[str, str],
    root: str,
    tree: GitTree | GitUnavailable,
    excluded: list[str],
) -> list[Finding]:
    files = tree.tracked | tree.untracked if isinstance(tree, GitTree) else None
    try:
        return wheel_parity(from_sdist, from_tree, sdist_files=sdist_files, tree_root=root, tree_files=files,
                            excluded=excluded)
    except (OSError, zipfile.BadZipFile):
        return []  # each wheel's own audit reports why it cannot be read


def _fixes(backend: str, findings: Sequence[Finding]) -> dict[str, str]:
    """The fixes of the sdist-against-git findings in the terms of ``backend``."""
    fixes: dict[str, str] = {}
    makers: tuple[tuple[RuleName, Callable[[str | None, Iterable[str], str], str]], ...] = (
        ("not-in-sdist", include_fix), ("untracked-in-sdist", leave_out_fix)
    )
    for name, make in makers:
        code = RULE_BY_NAME[name].code
        paths = [found.path for found in findings if found.code == code]
        if paths:
            fixes[code] = make(backend, paths, "sdist")
    return fixes
