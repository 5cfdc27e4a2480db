"""What sdistguard leaves out and why: the rule table, findings, and the checks behind them.

A rule is data (a stable code, a short name, a severity, a one-line reason, a hint). The backend
and the auditor speak the same vocabulary: a :class:`Finding` names a rule and a path.

Sources for the markers: PEP 405 (``pyvenv.cfg``), conda (``conda-meta/``), the Cache Directory
Tagging Specification (``CACHEDIR.TAG``, https://bford.info/cachedir/). The name policy follows
what uv 0.13 refuses when it unpacks an sdist.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol

__all__ = [
    "CACHEDIR_SIGNATURE",
    "CACHE_DIRECTORY_NAMES",
    "JUNK_DIRECTORY_NAMES",
    "RULES",
    "RULE_BY_NAME",
    "Code",
    "Effect",
    "Finding",
    "Rule",
    "RuleName",
    "Severity",
    "blocking_findings",
    "directory_junk",
    "directory_marker",
    "finding",
    "left_out",
    "unportable_reason",
]

CACHEDIR_SIGNATURE: Final = b"Signature: 8a477f597d28d172789f06886806bc55"

PYPI_FILE_LIMIT: Final = 100 * 1024 * 1024
"""PyPI's default per-file upload limit in bytes (warehouse's ``MAX_FILESIZE``, 100 MiB): SG610 above it."""

Code = Literal[
    "SG101", "SG102", "SG103", "SG104", "SG105", "SG106", "SG107", "SG108", "SG109", "SG111",
    "SG201", "SG202", "SG203", "SG204", "SG205",
    "SG301", "SG302", "SG303",
    "SG401", "SG402", "SG403", "SG404",
    "SG601", "SG602", "SG610", "SG611", "SG603", "SG604",
    "SG501", "SG502", "SG503", "SG504", "SG505", "SG510", "SG511", "SG512",
    "SG520", "SG521", "SG522", "SG523", "SG524", "SG530", "SG531", "SG590", "SG591",
    "SG592", "SG593",
    "SG700", "SG701", "SG702", "SG703", "SG704", "SG705", "SG706", "SG707", "SG708", "SG709", "SG710",
    "SG750", "SG751", "SG752", "SG753",
]
"""Every rule code, in table order (a test checks that this list and :data:`RULES` agree)."""

RuleName = Literal[
    "venv", "conda-env", "cache-dir", "nested-gitignore", "parent-ignore-file", "untracked", "untracked-excluded",
    "git-unavailable", "tracked-ignored-by-hatchling", "node-modules",
    "external-link", "dangling-link", "link-cycle", "link-rewritten", "link-repeat",
    "special-file", "unreadable", "path-too-long",
    "unportable-name", "windows-name", "name-twin", "long-path",
    "credential-file", "secret", "large-artifact", "size-limit", "lfs-pointer", "credential-file-shipped",
    "unsafe-path", "link-member", "duplicate-member", "outside-top-level", "missing-link-target", "bytecode",
    "vcs-dir", "foreign-egg-info", "pkg-info", "metadata-version", "sdist-filename", "top-level-name",
    "missing-license-file", "missing-record", "record-mismatch", "audit-limit", "corrupt-archive",
    "index-hash-mismatch", "index-hash-missing",
    "upload-filename", "wheel-filename", "sparse-member", "zip-compression", "compression-ratio", "zip-framing",
    "missing-wheel-file", "entry-points", "platform-tag", "zip-and-tar", "local-version",
    "wheel-parity", "build-failed", "not-in-sdist", "untracked-in-sdist",
]
"""Every rule name (the slug :func:`finding` takes), in table order."""

Severity = Literal["info", "warning", "error"]
"""How bad a finding is: see :class:`Rule`."""

Effect = Literal["left out", "rewritten", "shipped", "reported", "blocks"]
"""What happens to the path a finding names: see :class:`Rule`."""

INFO: Final[Severity] = "info"
WARNING: Final[Severity] = "warning"
ERROR: Final[Severity] = "error"


@dataclass(frozen=True)
class Rule:
    """One rule: ``code`` is stable (``SG101``), ``name`` is a short slug used in reports.

    ``severity`` is ``"info"`` (rewritten, nothing lost), ``"warning"`` (left out or shipped with
    a caveat; an error under ``strict``) or ``"error"`` (the build stops). ``effect`` says what the
    backend does with the path: ``"left out"``, ``"rewritten"`` (shipped as a regular file or
    directory), ``"shipped"`` (shipped as hatchling does, with a caveat), ``"reported"`` (nothing
    changes: a note, and every rule of the auditor, which only reads) or ``"blocks"`` (the build
    stops). ``advisory``: ``sdistguard check`` reports the finding but fails on it only when the
    code is selected (``--select``); the comment on each such row says why it cannot break an install.
    ``leave_out_fix``: the fix is "leave this path out of the artifact", which ``check`` spells in the
    terms of the backend that built it (:data:`sdistguard.hints.LEAVE_OUT_RULES`).
    """

    code: Code
    name: RuleName
    severity: Severity
    reason: str
    hint: str
    effect: Effect = "left out"
    advisory: bool = False
    leave_out_fix: bool = False


_RULE_LIST: Final = (
    Rule("SG101", "venv", WARNING, "virtual environment (PEP 405: pyvenv.cfg, or a venv's layout)",
         'if it is meant to ship, add it to [tool.sdistguard] keep', leave_out_fix=True),
    Rule("SG102", "conda-env", WARNING, "conda environment (holds conda-meta/)",
         'if it is meant to ship, add it to [tool.sdistguard] keep', leave_out_fix=True),
    Rule("SG103", "cache-dir", WARNING,
         "cache directory (holds a CACHEDIR.TAG, or has a tool's well-known cache name such as .hypothesis)",
         'if it is meant to ship, add it to [tool.sdistguard] keep', leave_out_fix=True),
    Rule("SG104", "nested-gitignore", INFO,
         "ignored by git (a .gitignore of the repository, .git/info/exclude or core.excludesFile: the detail names it)",
         "hatchling reads only the root .gitignore; add the pattern to [tool.hatch.build] exclude "
         "to make it explicit, or to [tool.sdistguard] keep to ship it",
         advisory=True),  # the files are the project's own; hatchling would ship them
    Rule("SG105", "parent-ignore-file", WARNING,
         "ignore file from a parent directory of the project root, shipped in the sdist as hatchling does",
         "add a .gitignore at the project root (hatchling then stops its search there), or name the file in "
         "force-include to ship it on purpose", "shipped"),
    Rule("SG106", "untracked", WARNING, "file git does not track (and does not ignore), shipped",
         'commit it, ignore it, or set [tool.sdistguard] untracked = "include" to ship untracked files silently',
         "reported"),
    Rule("SG107", "untracked-excluded", INFO, 'file git does not track, left out (untracked = "exclude")',
         "commit it, or name it in [tool.sdistguard] keep or as an artifact to ship it"),
    Rule("SG108", "git-unavailable", INFO,
         "git could not be asked about this work tree",
         "install git, or allow the repository (git config --global --add safe.directory DIR); "
         "tracked files matched by an ignore pattern are left out until then", "reported",
         advisory=True),  # a note on how the ignore answer was found (a refused repository or submodule)
    Rule("SG109", "tracked-ignored-by-hatchling", INFO,
         "file git tracks that hatchling leaves out: a line of the root .gitignore, which hatchling reads as "
         "exclude patterns, matches it",
         'to ship it, re-include it after that line: "!PATH" in [tool.hatch.build] exclude (hatchling applies '
         "it after the .gitignore's lines) or in the root .gitignore; to keep it out, exclude it explicitly",
         "reported", advisory=True),  # hatchling's selection is kept: the sdist is as hatchling's
    Rule("SG111", "node-modules", WARNING, "JavaScript dependencies (a node_modules directory, npm's and yarn's)",
         "build the front end before packaging and ship its output; if the directory is meant to ship, add it to "
         "[tool.sdistguard] keep", leave_out_fix=True),
    Rule("SG201", "external-link", WARNING, "link whose target lies outside the project root",
         "copy the file into the project, or name it in [tool.hatch.build.targets.*.force-include]",
         leave_out_fix=True),
    Rule("SG202", "dangling-link", WARNING, "link whose target does not exist",
         "remove the link or create its target", leave_out_fix=True),
    Rule("SG203", "link-cycle", WARNING, "link that leads back to itself or to a directory above it",
         "remove the link", leave_out_fix=True),
    Rule("SG204", "link-rewritten", INFO, "link inside the project written as a regular file or directory",
         "installers on Windows cannot unpack link members; nothing to do", "rewritten",
         advisory=True),  # an in-project link (written as a file by sdistguard): nothing leaks
    Rule("SG205", "link-repeat", WARNING, "directory link reached again through another link (followed once)",
         "a link farm would repeat it without end; link the directory from one place"),
    Rule("SG301", "special-file", WARNING, "FIFO, socket or device file",
         "special files cannot be unpacked by installers; remove it or exclude it", leave_out_fix=True),
    Rule("SG302", "unreadable", WARNING, "directory that cannot be listed",
         "fix its permissions, or exclude it in [tool.hatch.build] exclude"),
    Rule("SG303", "path-too-long", WARNING, "directory whose path is longer than the operating system allows",
         "shorten its name or the nesting (installers cannot unpack it either), or exclude it in "
         "[tool.hatch.build] exclude"),
    Rule("SG401", "unportable-name", ERROR, "file name that installers refuse",
         "rename it, or exclude it in [tool.hatch.build] exclude", "blocks"),
    Rule("SG402", "windows-name", ERROR,
         "name Windows refuses: a reserved device name (CON, AUX, NUL, COM1, LPT1, ... with any extension), "
         "a trailing dot or space, or one of <>\"|?*",
         "rename it (aux.py -> aux_.py), or exclude it in [tool.hatch.build] exclude", "blocks"),
    Rule("SG403", "name-twin", ERROR,
         "two members whose names differ only in case or Unicode normalisation (NFC/NFD): on Windows and "
         "macOS one overwrites the other, silently",
         "rename one of them, or exclude one", "blocks"),
    Rule("SG404", "long-path", WARNING,
         "member path longer than 160 characters: past Windows' 260-character limit once an installer's "
         "temporary directory is added (pip#10142)",
         "shorten the path, or accept that Windows installs need long paths enabled", "shipped",
         advisory=True),  # a path past the Windows budget: installs where long paths are enabled
    Rule("SG601", "credential-file", WARNING,
         "credential file (.pypirc, .netrc, .git-credentials, .envrc, .env, SSH private key, cloud CLI credentials)",
         "delete it from the project and revoke what it holds if it was ever published; to ship a fake one "
         "on purpose, add it to [tool.sdistguard] keep"),
    Rule("SG602", "secret", ERROR,
         "file content holding a secret of a documented token shape (PyPI, GitHub, AWS, private key, ...)",
         "remove the secret and revoke it; a throwaway test key ships through [tool.sdistguard] allow-secrets",
         "blocks"),
    Rule("SG610", "large-artifact", WARNING,
         "artifact larger than PyPI's default upload limit (100 MB per file)",
         "look at the largest directories in the report; exclude what need not ship, or set "
         "[tool.sdistguard] max-sdist-size / max-wheel-size to the size you mean", "shipped",
         advisory=True),  # over PyPI's default 100 MB: the upload fails, not an install; a raised limit is fine
    Rule("SG611", "size-limit", ERROR,
         "artifact larger than [tool.sdistguard] max-sdist-size / max-wheel-size",
         "exclude the largest directories named in the report, or raise the limit", "blocks"),
    Rule("SG603", "lfs-pointer", ERROR,
         "file whose content is a Git LFS pointer (spec v1): the stub would ship in place of the data",
         "fetch the data (git lfs pull, or a checkout with git-lfs installed) and build again; to ship the "
         "pointer on purpose, add it to [tool.sdistguard] keep", "blocks"),
    Rule("SG604", "credential-file-shipped", WARNING,
         "credential file by name in an unpacked sdist (PKG-INFO at the root), shipped as its author built it",
         "delete it and revoke what it holds if it is real; add it to [tool.sdistguard] keep or allow-secrets "
         "to ship it without this warning", "shipped"),
    # --- rules of the auditor (sdistguard check): codes SG5xx and up, added below this line ---
    Rule("SG501", "unsafe-path", ERROR,
         "member path that extraction refuses: absolute, or with a '..' component (PEP 706, pip, uv)",
         "rebuild the archive with a PEP 517 backend; no backend writes such names", "reported"),
    Rule("SG502", "link-member", WARNING, "symbolic or hard link member (Windows and uv cannot unpack it)",
         "ship the file itself; sdistguard's backend writes in-project links as regular files", "reported",
         advisory=True),  # an in-archive link member: pip and uv unpack it; Windows may copy or skip it
    Rule("SG503", "duplicate-member", WARNING, "member name that appears more than once in the archive",
         "rebuild the archive; the last copy wins on extraction, silently", "reported"),
    Rule("SG504", "outside-top-level", ERROR,
         "member outside the sdist's single top-level directory (PEP 625, PEP 721)",
         "rebuild the sdist with a PEP 517 backend: every member lies below {name}-{version}/", "reported"),
    Rule("SG505", "missing-link-target", ERROR,
         "hard link to a member that is not in the archive before it (pip fails with KeyError)",
         "rebuild the archive without hard links (sdistguard's backend writes regular files)", "reported"),
    Rule("SG510", "bytecode", WARNING, "compiled bytecode (__pycache__/, *.pyc, *.pyo)",
         "exclude it: [tool.hatch.build] exclude = ['__pycache__', '*.py[cod]']", "reported", leave_out_fix=True),
    Rule("SG511", "vcs-dir", WARNING, "version-control directory (.git, .hg, .svn, .bzr)",
         "exclude it, or build from a clean checkout", "reported", leave_out_fix=True),
    Rule("SG512", "foreign-egg-info", WARNING, "*.egg-info directory of another project",
         "left over from an install or another build: delete it or exclude it", "reported", leave_out_fix=True),
    Rule("SG520", "pkg-info", ERROR, "PKG-INFO missing, unreadable, or without a valid Name and Version",
         "build the sdist with a PEP 517 backend: it writes PKG-INFO at the top level", "reported"),
    Rule("SG521", "metadata-version", WARNING, "Metadata-Version older than 2.2 (PEP 643)",
         "rebuild with a current backend (hatchling >= 1.27, setuptools >= 68 write 2.2 or later)", "reported",
         advisory=True),  # Metadata-Version older than 2.2: every installer reads it
    Rule("SG522", "sdist-filename", ERROR,
         "archive file name is not {normalized_name}-{version}.tar.gz (PEP 625): PyPI refuses the upload",
         "rebuild with a current backend; do not rename sdists by hand", "reported"),
    Rule("SG523", "top-level-name", ERROR,
         "top-level directory is not {normalized_name}-{version} (PEP 625, the sdist format)",
         "rebuild with a current backend", "reported"),
    Rule("SG524", "missing-license-file", ERROR,
         "License-File named in the core metadata is not in the archive (PEP 639: below an sdist's top-level "
         "directory, in a wheel's .dist-info/licenses/); PyPI refuses the upload",
         "name the license in [project] license-files, and do not exclude it from the sdist", "reported"),
    Rule("SG530", "missing-record", ERROR, "wheel without a {name}-{version}.dist-info/RECORD (wheel spec)",
         "rebuild the wheel with a PEP 517 backend; never edit a wheel by hand", "reported"),
    Rule("SG531", "record-mismatch", ERROR,
         "wheel member and RECORD disagree: not listed, missing, or wrong hash or size",
         "rebuild the wheel; tools that edit wheels must rewrite RECORD", "reported"),
    Rule("SG590", "audit-limit", WARNING,
         "the audit stopped at a limit (members, bytes, header size); the rest was not examined",
         "raise the limit (--max-members, --max-bytes) if the archive is trusted", "reported"),
    Rule("SG591", "corrupt-archive", ERROR,
         "the archive is damaged or truncated; findings cover the part read before the damage",
         "download or build it again; installers will fail on it too", "reported"),
    # sdistguard check --index (sdistguard.index): the file as the Simple API serves it
    Rule("SG592", "index-hash-mismatch", ERROR,
         "the file served differs from the digest the index gives for it (PEP 503 #sha256=, PEP 691 hashes)",
         "the file was altered on the index or in transit: compare it with the uploaded one; "
         "installers refuse it", "reported"),
    Rule("SG593", "index-hash-missing", WARNING,
         "the index gives no digest for the file (PEP 503, PEP 691), so what it serves cannot be checked",
         "have the index publish sha256 digests (pypiserver --hash-algo sha256; PyPI and devpi do)", "reported"),
    # --- family "pypi" (SG700-SG749): what PyPI refuses at upload, following pypi/warehouse at commit
    # 6b62157124ab7865029afeeadf282bce27d601d9 (docs/pypi.md names the function each row follows) ---
    Rule("SG700", "upload-filename", ERROR,
         "archive file name PyPI refuses (a control character, '/' or '\\', or another extension than .tar.gz, .whl)",
         "name the file as the backend wrote it: {name}-{version}.tar.gz or a PEP 427 wheel name",
         "reported"),  # warehouse forklift/legacy.py _validate_filename
    Rule("SG701", "wheel-filename", ERROR,
         "wheel file name PyPI refuses (not PEP 427, a project name not normalized, or not METADATA's name or version)",
         "rebuild the wheel with a current backend; never rename a wheel by hand",
         "reported"),  # warehouse forklift/legacy.py file_upload
    Rule("SG702", "sparse-member", ERROR, "sparse tar member (a GNU extension): PyPI refuses the sdist",
         "rebuild the sdist with a PEP 517 backend (they write no sparse members)",
         "reported"),  # warehouse forklift/legacy.py _is_valid_dist_file
    Rule("SG703", "zip-compression", ERROR,
         "wheel member compressed with neither stored nor deflate (bzip2, LZMA, ...): PyPI refuses the upload",
         "rebuild the wheel with a PEP 517 backend (they write deflate)",
         "reported"),  # warehouse forklift/legacy.py _is_valid_dist_file
    Rule("SG704", "compression-ratio", ERROR,
         "wheel over 64 MiB uncompressed and over 50 times its size: PyPI refuses it as a zip bomb",
         "ship less of the data that compresses this well (generate it at run time, or download it)",
         "reported"),  # warehouse forklift/legacy.py _is_valid_dist_file (COMPRESSION_RATIO_*)
    Rule("SG705", "zip-framing", ERROR,
         "zip framing PyPI refuses: local headers and central directory disagree, so parsers read different wheels",
         "rebuild the wheel with a PEP 517 backend; never append to, patch or re-zip a wheel by hand",
         "reported"),  # warehouse utils/zipfiles.py validate_zipfile
    Rule("SG706", "missing-wheel-file", ERROR,
         "wheel without the .dist-info/WHEEL or METADATA its file name points to: PyPI refuses it",
         "rebuild the wheel with a PEP 517 backend; never rename a wheel by hand",
         "reported"),  # warehouse forklift/legacy.py _is_valid_dist_file, file_upload
    Rule("SG707", "entry-points", ERROR,
         "entry_points.txt PyPI refuses (not UTF-8, not an INI file, or a script name with other than [\\w.-])",
         "fix [project.scripts], [project.gui-scripts] or [project.entry-points] and rebuild",
         "reported"),  # warehouse utils/wheel.py validate_entrypoints
    Rule("SG708", "platform-tag", ERROR,
         "binary wheel with a platform tag PyPI does not allow (linux_x86_64: PyPI takes manylinux, musllinux)",
         "repair the wheel (auditwheel on Linux, delocate on macOS), or build it in a manylinux container",
         "reported"),  # warehouse forklift/legacy.py _valid_platform_tag
    Rule("SG709", "zip-and-tar", ERROR, "file that is both a zip and a tar archive (a polyglot): PyPI refuses it",
         "rebuild it with a PEP 517 backend; never append one archive to another",
         "reported"),  # warehouse forklift/legacy.py _is_valid_dist_file
    Rule("SG710", "local-version", ERROR, "version with a local part (1.0+g1234abc, PEP 440): PyPI refuses the upload",
         "release from a clean checkout of a tagged commit (setuptools-scm and hatch-vcs add +g<hash> to "
         "dirty or untagged builds), or set local_scheme = \"no-local-version\"",
         "reported"),  # warehouse forklift/metadata.py _validate_metadata
    # --- the release gate (sdistguard check --build): codes SG750-SG779 ---
    Rule("SG750", "wheel-parity", ERROR,
         "the wheel built from the sdist differs from the wheel built from the tree (a member on one side "
         "only, or different content)",
         "ship in the sdist every file the wheel needs, and test the wheel built from the sdist "
         "(python -m build and uv build build it that way)", "reported"),
    Rule("SG751", "build-failed", ERROR,
         "the project's build backend failed to build an artifact in an isolated environment",
         "run python -m build on the project to see the whole output; fix the error it names", "reported"),
    Rule("SG752", "not-in-sdist", WARNING, "file git tracks below the project is not in the sdist",
         "include it in the sdist, or leave it out on purpose (docs, CI files)", "reported",
         advisory=True),  # many projects leave CI and docs files out of the sdist on purpose
    Rule("SG753", "untracked-in-sdist", WARNING, "sdist member that git does not track",
         "commit it, or leave it out of the sdist; a file a hook generates is expected here", "reported",
         advisory=True),  # generated files (a version file) ship on purpose
)

RULES: Final[dict[Code, Rule]] = {rule.code: rule for rule in _RULE_LIST}
"""Every rule of the backend and the auditor, by code, in table order."""

RULE_BY_NAME: Final[dict[RuleName, Rule]] = {rule.name: rule for rule in _RULE_LIST}
"""Every rule by its name (``"venv"``)."""


@dataclass(frozen=True)
class Finding:
    """Something the walk left out or rewrote, or the auditor found.

    ``path`` is POSIX-style, relative to the project root (or to the archive's top-level
    directory, for the auditor); a directory ends with ``/``. ``detail`` says what made the rule
    fire (a link target, a marker). ``files`` and ``size`` count what was examined: a pruned
    directory is never walked, so its counts are 0 (see README, "What is left out").
    """

    code: Code
    path: str
    detail: str = ""
    files: int = 0
    size: int = 0
    evidence: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """What made the rule fire, as ``(kind, value)`` pairs to read, not text to match (sdistguard.walk.evidence)."""

    @property
    def rule(self) -> Rule:
        """The :class:`Rule` this finding belongs to; raises ``KeyError`` for an unknown code."""
        return RULES[self.code]

    @property
    def severity(self) -> Severity:
        """The rule's severity: ``"info"``, ``"warning"`` or ``"error"``."""
        return self.rule.severity


def finding(name: RuleName, path: str, detail: str = "", *, files: int = 0, size: int = 0) -> Finding:
    """Build a :class:`Finding` from a rule ``name`` (``"venv"``); raises ``KeyError`` if unknown."""
    return Finding(RULE_BY_NAME[name].code, path, detail, files, size)


class BuildPolicy(Protocol):
    """What :func:`blocking_findings` reads of the settings (:class:`sdistguard.config.Settings` is one):
    a protocol, so that the registry imports nothing of sdistguard (the bottom of the import graph)."""

    @property
    def strict(self) -> bool:
        """``[tool.sdistguard] strict``: every warning blocks."""

    @property
    def external_links(self) -> str:
        """``[tool.sdistguard] external-links``: ``"error"`` makes SG201 block."""


def blocking_findings(findings: Iterable[Finding], settings: BuildPolicy) -> list[Finding]:
    """The findings that stop a build under ``settings``, in their order: the one place this is decided.

    A finding blocks when its rule's severity is ``"error"`` (SG401), when it is an external link
    (SG201) under ``external-links = "error"``, or when it is a warning under ``strict``. The
    backend (before an artifact is delivered), ``sdistguard check DIR`` and its report ask this
    function.
    """
    return [
        found
        for found in findings
        if found.severity == ERROR
        or (found.rule.name == "external-link" and settings.external_links == "error")
        or (settings.strict and found.severity == WARNING)
    ]


def left_out(findings: Iterable[Finding]) -> list[Finding]:
    """The findings whose path the backend leaves out (the rule's ``effect``), in their order.

    The one place that says which findings mean "not in the artifact": the build's summary and the
    check-sdist plugin ask it. A path ending in ``/`` is a directory left out whole.
    """
    return [found for found in findings if found.rule.effect == "left out"]


CACHE_DIRECTORY_NAMES: Final = frozenset({
    ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", ".tox", ".nox", ".uv-cache", ".pytype", ".pyre",
    ".dmypy", ".pixi",
})
"""Directory names tools give their caches and environments (hatchling leaves out six of them by name itself):
SG103 by name, in the build and in the auditor, when no marker says more (:func:`directory_junk`)."""

JUNK_DIRECTORY_NAMES: Final[dict[str, tuple[RuleName, str]]] = {
    **{name: ("cache-dir", f"well-known cache directory {name}") for name in sorted(CACHE_DIRECTORY_NAMES)},
    # --- a junk directory known by its name: one row here (and its rule in _RULE_LIST) is the whole detector
    "node_modules": ("node-modules", "node_modules/"),
}
"""A directory name -> ``(rule name, evidence)``: junk by its name alone, in the build and the auditor alike."""


def directory_junk(
    directory: str, names: set[str], dir_names: set[str], *, signed: Callable[[], bool] | None = None
) -> tuple[RuleName, str] | None:
    """Tell whether a directory is a venv, a conda env or a cache, and by what evidence: the one junk detector.

    ``directory`` is the directory's path (on disk for the build, a member path for the auditor; its last
    component is its name); ``names`` are the non-directory entries of its listing and ``dir_names`` the
    directory entries, as far as they are known (the auditor sees one member at a time). Returns
    ``(rule name, evidence)``: ``("venv", "pyvenv.cfg")`` (PEP 405), ``("conda-env", "conda-meta/")``,
    ``("cache-dir", "CACHEDIR.TAG")`` (the Cache Directory Tagging Specification: the tag must hold its
    signature; ``signed()`` says whether it does, by default read from ``directory`` on disk, an unreadable
    tag counting as none), a name's row of :data:`JUNK_DIRECTORY_NAMES` (``("cache-dir", "well-known cache
    directory NAME")``), or ``None``. What only the auditor can see (a venv's layout without its
    ``pyvenv.cfg``, a uv cache's buckets) is :mod:`sdistguard.audit.layout`'s, on top of this.
    """
    if "pyvenv.cfg" in names:
        return "venv", "pyvenv.cfg"
    if "conda-meta" in dir_names:
        return "conda-env", "conda-meta/"
    if "CACHEDIR.TAG" in names:
        if signed is None:
            signed = functools.partial(_has_cachedir_signature, os.path.join(directory, "CACHEDIR.TAG"))
        if signed():
            return "cache-dir", "CACHEDIR.TAG"
    return JUNK_DIRECTORY_NAMES.get(os.path.basename(directory.rstrip("/" + os.sep)))


def directory_marker(directory: str, names: set[str], dir_names: set[str]) -> RuleName | None:
    """The rule :func:`directory_junk` gives a directory on disk (``"venv"``, ``"conda-env"``, ``"cache-dir"``),
    without its evidence; ``None`` when it is none of them."""
    junk = directory_junk(directory, names, dir_names)
    return junk[0] if junk is not None else None


def _has_cachedir_signature(path: str) -> bool:
    try:
        with open(path, "rb") as tag:
            return tag.read(len(CACHEDIR_SIGNATURE)) == CACHEDIR_SIGNATURE
    except OSError:
        return False


_REFUSED_CHARACTER: Final = re.compile(r"[:\\\x00-\x1f\x7f]")
_EDGE_SPACE: Final = re.compile(r"(?:^|/) | (?:/|$)")
_REASONS: Final = {":": "contains ':'", "\\": "contains a backslash"}


def unportable_reason(relative_path: str) -> str | None:
    """Say why an installer would refuse a member name, or return ``None`` when it is portable.

    ``relative_path`` uses ``/`` (an archive member name below the top-level directory). Checked
    per component: ``:`` and backslash, control characters, leading or trailing spaces (what uv
    0.13 refuses), and names that are not valid UTF-8 (surrogate escapes from the file system).
    This runs once per file of every build: a plain character-set search first, the space rule
    only for a path holding a space.
    """
    refused = _REFUSED_CHARACTER.search(relative_path)
    space = _EDGE_SPACE.search(relative_path) if " " in relative_path else None
    if space is not None and (refused is None or space.start() < refused.start()):
        return "starts or ends with a space"  # the first problem in the path is the one named
    if refused is not None:
        return _REASONS.get(refused.group(), "contains a control character")
    if not relative_path.isascii():
        try:
            relative_path.encode("utf-8")
        except UnicodeEncodeError:
            return "is not valid UTF-8"
    return None
