"""What a rule is: the object each family module defines, one per code, and the family that holds them.

The bottom of the registry: this module imports nothing of sdistguard. A family module
(:mod:`sdistguard.rules.markers`, :mod:`~sdistguard.rules.links`, ...) types its own codes and names as
``Literal`` types and defines one :class:`RuleOf` per code; :mod:`sdistguard.rules` joins the families into
the table and the ``Code`` / ``RuleName`` types, so mypy checks every code and name against the family
that defines it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Generic, Literal, TypeVar

__all__ = ["ERROR", "INFO", "WARNING", "Effect", "Family", "Record", "RuleOf", "Severity"]

Severity = Literal["info", "warning", "error"]
"""How bad a finding is: see :class:`RuleOf`."""

Effect = Literal["left out", "rewritten", "shipped", "reported", "blocks"]
"""What happens to the path a finding names: see :class:`RuleOf`."""

INFO: Final[Severity] = "info"
WARNING: Final[Severity] = "warning"
ERROR: Final[Severity] = "error"

_RULE_FIELDS: Final = (
    "code", "name", "severity", "reason", "hint", "effect", "advisory", "leave_out_fix", "source", "docs",
)
"""A rule's fields, in the order of its ``__init__`` and its repr."""


class Record:
    """A read-only value of named fields: the rules, their families and the walk's, git's and the settings' records.

    A direct subclass names all its fields in ``__slots__`` and annotates them; its ``__init__`` sets each with
    ``object.__setattr__``. A record is equal to, and hashed as, a record of the same class with equal
    fields; its repr names every field; it pickles field by field. Assigning or deleting a field raises
    ``AttributeError``.

    Not a ``typing.NamedTuple``: making one costs about ten times a plain slotted class (its ``__new__`` is
    compiled from source), and a build makes every record class of the walk when it starts
    (tests/backend/test_startup.py). Nothing uses a record as a tuple.
    """

    __slots__ = ()

    def _values(self) -> tuple[object, ...]:
        fields: tuple[str, ...] = self.__slots__
        return tuple([getattr(self, field) for field in fields])

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a {type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a {type(self).__name__} is read-only")

    def __reduce__(self) -> tuple[Callable[[type[Record], dict[str, object]], Record], tuple[object, ...]]:
        fields: tuple[str, ...] = self.__slots__
        return (_rebuilt, (self.__class__, {field: getattr(self, field) for field in fields}))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields: tuple[str, ...] = self.__slots__
        return f"{type(self).__name__}(" + ", ".join(f"{field}={getattr(self, field)!r}" for field in fields) + ")"


def _rebuilt(cls: type[Record], fields: dict[str, object]) -> Record:
    """A record of ``cls`` with ``fields`` (how a record is unpickled: its ``__init__`` is not called)."""
    record = object.__new__(cls)
    for name, value in fields.items():
        object.__setattr__(record, name, value)
    return record


CodeT = TypeVar("CodeT", bound=str, covariant=True)
NameT = TypeVar("NameT", bound=str, covariant=True)


class RuleOf(Record, Generic[CodeT, NameT]):
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

    # A Record (plain, slotted), not a frozen dataclass: every build imports the registry, and making a dataclass
    # costs about 3.5 million instructions of a small build's start-up (tests/backend/test_startup.py). It keeps
    # the dataclass's meaning: equal and hashed by every field, read-only after __init__.
    __slots__ = _RULE_FIELDS

    code: CodeT
    name: NameT
    severity: Severity
    reason: str
    hint: str
    effect: Effect
    advisory: bool
    leave_out_fix: bool
    source: str
    docs: str

    def __init__(self, code: CodeT, name: NameT, severity: Severity, reason: str, hint: str,
                 effect: Effect = "left out", advisory: bool = False, leave_out_fix: bool = False,
                 source: str = "", docs: str = "") -> None:
        _set = object.__setattr__
        _set(self, "code", code)
        _set(self, "name", name)
        _set(self, "severity", severity)
        _set(self, "reason", reason)
        _set(self, "hint", hint)
        _set(self, "effect", effect)
        _set(self, "advisory", advisory)
        _set(self, "leave_out_fix", leave_out_fix)
        _set(self, "source", source)
        _set(self, "docs", docs)

    @property
    def fix(self) -> str:
        """The rule's fix (its ``hint``), as ``sdistguard codes`` and docs/rules.md's table print it."""
        return self.hint


class Family(Record, Generic[CodeT, NameT]):
    """A family of rules, one module of :mod:`sdistguard.rules`: ``key`` (``"junk"``), ``title`` and ``intro``
    (its heading and Markdown paragraph in docs/rules.md; ``intro`` may be ``""``) and its ``rules``, in table
    order."""

    __slots__ = ("intro", "key", "rules", "title")  # a Record, as RuleOf is

    key: str
    title: str
    intro: str
    rules: tuple[RuleOf[CodeT, NameT], ...]

    def __init__(self, key: str, title: str, intro: str, rules: tuple[RuleOf[CodeT, NameT], ...]) -> None:
        _set = object.__setattr__
        _set(self, "key", key)
        _set(self, "title", title)
        _set(self, "intro", intro)
        _set(self, "rules", rules)
