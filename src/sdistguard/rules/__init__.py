"""The rule registry: every rule of the backend and the auditor, by family, and the findings that name them.

A rule is one object (:class:`~sdistguard.rules.model.RuleOf`: a stable code, a short name, a severity, an
effect, a one-line reason, a fix, its source and its docs text) defined in the module of its family:

- :mod:`~sdistguard.rules.markers`: junk directories (venvs, conda envs, caches, node_modules, bytecode,
  VCS directories, foreign egg-info) and their one detector, :func:`directory_junk`
- :mod:`~sdistguard.rules.tracking`: what git would not commit; :mod:`~sdistguard.rules.links`: links;
  :mod:`~sdistguard.rules.files`: special and unreadable entries
- :mod:`~sdistguard.rules.naming`: names installers or file systems refuse (the detector:
  :mod:`sdistguard.rules.names`); :mod:`~sdistguard.rules.credentials`: credential files and secrets
- :mod:`~sdistguard.rules.sizes`, :mod:`~sdistguard.rules.archive`, :mod:`~sdistguard.rules.metadata`,
  :mod:`~sdistguard.rules.index`, :mod:`~sdistguard.rules.pypi` (PyPI's upload rules),
  :mod:`~sdistguard.rules.gate` (the release gate)

This module joins them: :data:`Code` and :data:`RuleName` are the union of the families' ``Literal`` types and
:data:`RULES` the table, in :data:`FAMILIES` order, so adding a rule touches its family module alone. The
backend and the auditor speak the same vocabulary: a :class:`Finding` names a rule and a path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeAlias

from sdistguard.rules import credentials, markers, naming, sizes
from sdistguard.rules.markers import (
    CACHE_DIRECTORY_NAMES,
    CACHEDIR_SIGNATURE,
    DIRECTORY_MARKERS,
    JUNK_DIRECTORY_NAMES,
    directory_junk,
    directory_marker,
)
from sdistguard.rules.model import ERROR, INFO, WARNING, Effect, Family, RuleOf, Severity
from sdistguard.rules.naming import unportable_reason
from sdistguard.rules.sizes import PYPI_FILE_LIMIT

__all__ = [
    "CACHEDIR_SIGNATURE",
    "CACHE_DIRECTORY_NAMES",
    "DIRECTORY_MARKERS",
    "ERROR",
    "FAMILIES",
    "INFO",
    "JUNK_DIRECTORY_NAMES",
    "PYPI_FILE_LIMIT",
    "RULES",
    "RULE_BY_NAME",
    "WARNING",
    "Code",
    "Effect",
    "Finding",
    "Rule",
    "RuleName",
    "Severity",
    "all_rules",
    "blocking_findings",
    "directory_junk",
    "directory_marker",
    "finding",
    "left_out",
    "unportable_reason",
]

if TYPE_CHECKING:
    from typing import Literal

    from sdistguard.rules import archive, files, gate, index, links, metadata, pypi, tracking

    Code = Literal[
        markers.Code, tracking.Code, links.Code, files.Code, naming.Code, credentials.Code, sizes.Code,
        archive.Code, metadata.Code, index.Code, pypi.Code, gate.Code,
    ]
    """Every rule code, in table order: the union of the families' codes (a test checks each against its
    rules). At run time it is built on first read, with the auditor's families."""

    RuleName = Literal[
        markers.RuleName, tracking.RuleName, links.RuleName, files.RuleName, naming.RuleName,
        credentials.RuleName, sizes.RuleName, archive.RuleName, metadata.RuleName, index.RuleName,
        pypi.RuleName, gate.RuleName,
    ]
    """Every rule name (the slug :func:`finding` takes), in table order."""

    Rule: TypeAlias = RuleOf[Code, RuleName]
    """A rule of any family (:class:`~sdistguard.rules.model.RuleOf` over every code and name)."""

    FAMILIES: tuple[Family[Code, RuleName], ...]
    """Every family, in table order (docs/rules.md's sections follow it)."""

    RULES: dict[Code, Rule]
    """Every rule of the backend and the auditor, by code, in table order."""

    RULE_BY_NAME: dict[RuleName, Rule]
    """Every rule by its name (``"venv"``)."""
else:
    Rule = RuleOf

_TABLE_ORDER: Final = (
    "markers", "tracking", "links", "files", "naming", "credentials", "sizes", "archive", "metadata", "index", "pypi",
    "gate",
)
"""The family modules of this package, in table order. A build imports only those its detectors live in
(markers, naming, credentials, sizes); the others hold rule objects alone and are imported by
:func:`all_rules`, on the first finding or table lookup that needs them."""

_LOADED: Final[tuple[Family[Any, Any], ...]] = (markers.FAMILY, naming.FAMILY, credentials.FAMILY, sizes.FAMILY)
_by_code: dict[str, Rule] = {rule.code: rule for family in _LOADED for rule in family.rules}
_by_name: dict[str, Rule] = {rule.name: rule for family in _LOADED for rule in family.rules}
_complete: dict[str, Any] = {}  # FAMILIES, Code, RuleName once all_rules() has loaded every family


def all_rules() -> dict[Code, Rule]:
    """:data:`RULES`: every rule by code, in table order (every family module imported on first call).

    A build imports only the families its detectors live in; the table is made whole here, so that a
    clean build loads none of the others. Raises nothing.
    """
    global _by_code, _by_name
    if not _complete:
        import importlib
        from typing import Literal

        families = tuple(importlib.import_module(f"{__name__}.{module}").FAMILY for module in _TABLE_ORDER)
        by_code = {rule.code: rule for family in families for rule in family.rules}
        by_name = {rule.name: rule for family in families for rule in family.rules}
        _by_code, _by_name = by_code, by_name  # whole tables, in table order, replace the partial ones at once
        _complete.update(FAMILIES=families, Code=Literal[tuple(by_code)], RuleName=Literal[tuple(by_name)])
    return _by_code  # type: ignore[return-value]


def __getattr__(name: str) -> Any:
    """The whole table's names (:data:`RULES`, :data:`RULE_BY_NAME`, :data:`FAMILIES`, :data:`Code`,
    :data:`RuleName`), made on first read (PEP 562); raises ``AttributeError`` for any other name."""
    if name == "RULES":
        return all_rules()
    if name == "RULE_BY_NAME":
        all_rules()
        return _by_name
    if name in ("FAMILIES", "Code", "RuleName"):
        all_rules()
        return _complete[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Finding:
    """Something the walk left out or rewrote, or the auditor found.

    ``path`` is POSIX-style, relative to the project root (or to the archive's top-level
    directory, for the auditor); a directory ends with ``/``. ``detail`` says what made the rule
    fire (a link target, a marker). ``files`` and ``size`` count what was examined: a pruned
    directory is never walked, so its counts are 0 (see README, "What is left out").
    """

    # A plain slotted class, not a frozen dataclass: every build imports it, and making a dataclass costs about
    # 3.5 million instructions of a small build's start-up (tests/backend/test_startup.py). It keeps the
    # dataclass's meaning: read-only, equal and hashed by every field but ``evidence``.
    __slots__ = ("code", "detail", "evidence", "files", "path", "size")

    code: Code
    path: str
    detail: str
    files: int
    size: int
    evidence: tuple[tuple[str, str], ...]
    """What made the rule fire, as ``(kind, value)`` pairs to read, not text to match (sdistguard.rules.evidence)."""

    def __init__(self, code: Code, path: str, detail: str = "", files: int = 0, size: int = 0,
                 evidence: tuple[tuple[str, str], ...] = ()) -> None:
        _set = object.__setattr__
        _set(self, "code", code)
        _set(self, "path", path)
        _set(self, "detail", detail)
        _set(self, "files", files)
        _set(self, "size", size)
        _set(self, "evidence", evidence)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a finding is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a finding is read-only")

    def __reduce__(self) -> tuple[type[Finding], tuple[object, ...]]:
        # pickled (a process pool of `check --index`) and copied through __init__: __setattr__ refuses
        return (Finding, (self.code, self.path, self.detail, self.files, self.size, self.evidence))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Finding)
        return (self.code, self.path, self.detail, self.files, self.size) == (
            other.code, other.path, other.detail, other.files, other.size)

    def __hash__(self) -> int:
        return hash((self.code, self.path, self.detail, self.files, self.size))

    def __repr__(self) -> str:
        return (f"Finding(code={self.code!r}, path={self.path!r}, detail={self.detail!r}, files={self.files!r}, "
                f"size={self.size!r}, evidence={self.evidence!r})")

    def replace(self, *, detail: str | None = None, files: int | None = None, size: int | None = None) -> Finding:
        """A copy with ``detail``, ``files`` and/or ``size`` changed (``None``: kept), its evidence kept (what
        ``dataclasses.replace`` did when Finding was a dataclass)."""
        return Finding(self.code, self.path, self.detail if detail is None else detail,
                       self.files if files is None else files, self.size if size is None else size, self.evidence)

    @property
    def rule(self) -> Rule:
        """The :class:`Rule` this finding belongs to; raises ``KeyError`` for an unknown code."""
        rule = _by_code.get(self.code)
        return rule if rule is not None else all_rules()[self.code]

    @property
    def severity(self) -> Severity:
        """The rule's severity: ``"info"``, ``"warning"`` or ``"error"``."""
        return self.rule.severity


def finding(name: RuleName, path: str, detail: str = "", *, files: int = 0, size: int = 0,
            evidence: tuple[tuple[str, str], ...] = ()) -> Finding:
    """Build a :class:`Finding` from a rule ``name`` (``"venv"``); raises ``KeyError`` if unknown."""
    rule = _by_name.get(name)
    if rule is None:
        all_rules()
        rule = _by_name[name]
    return Finding(rule.code, path, detail, files, size, evidence)


class BuildPolicy(Protocol):
    """What :func:`blocking_findings` reads of the settings (:class:`sdistguard.core.config.Settings` is one):
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
