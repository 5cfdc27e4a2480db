"""What a rule is: the object each family module defines, one per code, and the family that holds them.

The bottom of the registry: this module imports nothing of sdistguard. A family module
(:mod:`sdistguard.rules.markers`, :mod:`~sdistguard.rules.links`, ...) types its own codes and names as
``Literal`` types and defines one :class:`RuleOf` per code; :mod:`sdistguard.rules` joins the families into
the table and the ``Code`` / ``RuleName`` types, so mypy checks every code and name against the family
that defines it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Generic, Literal, TypeVar

__all__ = ["ERROR", "INFO", "WARNING", "Effect", "Family", "RuleOf", "Severity"]

Severity = Literal["info", "warning", "error"]
"""How bad a finding is: see :class:`RuleOf`."""

Effect = Literal["left out", "rewritten", "shipped", "reported", "blocks"]
"""What happens to the path a finding names: see :class:`RuleOf`."""

INFO: Final[Severity] = "info"
WARNING: Final[Severity] = "warning"
ERROR: Final[Severity] = "error"

CodeT = TypeVar("CodeT", bound=str, covariant=True)
NameT = TypeVar("NameT", bound=str, covariant=True)


@dataclass(frozen=True)
class RuleOf(Generic[CodeT, NameT]):
    """One rule: ``code`` is stable (``SG101``), ``name`` is a short slug used in reports.

    Typed by its family's ``Literal`` types (``RuleOf[markers.Code, markers.RuleName]``); everywhere else the
    rule is :data:`sdistguard.rules.Rule`, the same class over every code.
    ``severity`` is ``"info"`` (rewritten, nothing lost), ``"warning"`` (left out or shipped with
    a caveat; an error under ``strict``) or ``"error"`` (the build stops). ``effect`` says what the
    backend does with the path: ``"left out"``, ``"rewritten"`` (shipped as a regular file or
    directory), ``"shipped"`` (shipped as hatchling does, with a caveat), ``"reported"`` (nothing
    changes: a note, and every rule of the auditor, which only reads) or ``"blocks"`` (the build
    stops). ``reason`` is the one-line text of a finding, ``hint`` its fix. ``advisory``: ``sdistguard
    check`` reports the finding but fails on it only when the code is selected (``--select``); the comment
    on each such rule says why it cannot break an install. ``leave_out_fix``: the fix is "leave this path out
    of the artifact", which ``check`` spells in the terms of the backend that built it
    (:data:`sdistguard.audit.hints.LEAVE_OUT_RULES`). ``source``: the spec, tool or code the rule follows.
    ``docs``: the rule's section of docs/rules.md (Markdown, below its ``### CODE name`` heading).
    """

    code: CodeT
    name: NameT
    severity: Severity
    reason: str
    hint: str
    effect: Effect = "left out"
    advisory: bool = False
    leave_out_fix: bool = False
    source: str = ""
    docs: str = ""

    @property
    def fix(self) -> str:
        """The rule's fix (its ``hint``), as ``sdistguard codes`` and docs/rules.md's table print it."""
        return self.hint


@dataclass(frozen=True)
class Family(Generic[CodeT, NameT]):
    """A family of rules, one module of :mod:`sdistguard.rules`: ``key`` (``"junk"``), ``title`` and ``intro``
    (its heading and Markdown paragraph in docs/rules.md; ``intro`` may be ``""``) and its ``rules``, in table
    order."""

    key: str
    title: str
    intro: str
    rules: tuple[RuleOf[CodeT, NameT], ...]
