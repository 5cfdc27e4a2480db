"""``--format jsonl`` and ``--resume FILE``: one JSON object per dist, a line each, and a run that can restart.

The writer (:class:`JsonlWriter`) writes each record as one line (UTF-8, ASCII-escaped JSON, ``\\n``) with
``os.write`` on a descriptor opened ``O_APPEND``, looping until the whole line is written: after each record
the line is in the file, so a run killed at any moment leaves complete lines and at most one torn last line.
Lines are not ``fsync``-ed: a crash of the machine (not of the process) may lose the last ones, which the
next resume audits again.

:func:`load_resume` reads FILE before a resumed run and keeps, in order, each line that is complete (ends
with ``\\n``), is a JSON object naming a ``file``, has no input ``error`` and is the first for its
``(file, sha256)``; everything else is dropped: a torn last line, a line of a project whose page could not
be read, a dist that was an input error (all three are done again), a repeated dist. When anything is dropped,
the kept lines are written to a temporary file beside FILE (synced, FILE's mode), which then replaces it
(``os.replace``: a kill during the rewrite leaves the old FILE whole). So each dist is written exactly
once, however often a run is killed and resumed.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from packaging.utils import canonicalize_name

from sdistguard.core.errors import InputError

__all__ = ["JsonlWriter", "ResumeState", "load_resume", "record_line"]


def record_line(record: dict[str, Any]) -> bytes:
    """``record`` as one line of JSON (ASCII, no newline inside, ``\\n`` at the end)."""
    return (json.dumps(record, ensure_ascii=True) + "\n").encode("ascii")


@dataclass
class ResumeState:
    """What a resume file already holds.

    ``done`` maps a project's normalized name (PEP 503) to its ``(file, sha256)`` pairs; ``kept`` counts
    the lines kept, ``dropped`` those removed (see the module docstring), ``failed`` the kept dists with a
    failing finding.
    """

    done: dict[str, set[tuple[str, str | None]]] = field(default_factory=dict)
    kept: int = 0
    dropped: int = 0
    failed: int = 0

    def done_for(self, project: str) -> frozenset[tuple[str, str | None]]:
        """The ``(file, sha256)`` pairs of ``project`` already written."""
        return frozenset(self.done.get(canonicalize_name(project), ()))


def _lines(file: IO[bytes]) -> Iterator[tuple[bytes, dict[str, Any] | None]]:
    for line in file:
        if not line.endswith(b"\n"):
            yield line, None  # a torn last line
            continue
        try:
            record = json.loads(line)
        except ValueError:
            yield line, None
            continue
        yield line, record if isinstance(record, dict) else None


def load_resume(path: str) -> ResumeState:
    """Read (and when needed rewrite) the resume file at ``path``; a missing file is an empty state.

    Raises :class:`InputError` when the file cannot be read or rewritten, or is not a regular file.
    """
    state = ResumeState()
    if not os.path.exists(path):
        return state
    if not os.path.isfile(path):
        raise InputError(f"--resume {path}: not a regular file")
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".sdistguard-resume-", dir=directory)
    except OSError as error:
        raise InputError(f"--resume {path}: cannot write beside it: {error.strerror}") from None
    try:
        with open(path, "rb") as source, os.fdopen(handle, "wb") as kept:
            for line, record in _lines(source):
                key = _key(record)
                if key is None or key[1] in state.done.get(key[0], ()):
                    state.dropped += 1
                    continue
                state.done.setdefault(key[0], set()).add(key[1])
                state.kept += 1
                if record is not None and any(item.get("fails") for item in record.get("findings") or ()):
                    state.failed += 1
                kept.write(line)
        if state.dropped:
            # the kept lines reach the disk before they replace FILE (a machine crash keeps one of the two
            # whole), and FILE keeps its mode (mkstemp's file is 0600)
            with open(temporary, "rb+") as written:
                os.fsync(written.fileno())
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
            os.replace(temporary, path)
        else:
            os.unlink(temporary)
    except OSError as error:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise InputError(f"--resume {path}: cannot read or rewrite: {error.strerror}") from None
    return state


def _key(record: dict[str, Any] | None) -> tuple[str, tuple[str, str | None]] | None:
    """``(normalized project, (file, sha256))`` of a line worth keeping, else ``None``."""
    if record is None or record.get("error") is not None:
        return None
    project, file, sha256 = record.get("project"), record.get("file"), record.get("sha256")
    if not isinstance(project, str) or not isinstance(file, str) or not isinstance(sha256, (str, type(None))):
        return None
    return canonicalize_name(project), (file, sha256)


class JsonlWriter:
    """Writes records as lines to ``path`` (appended; created when missing), or to standard output (``None``).

    ``truncate``: start ``path`` empty (a run without ``--resume``). Raises :class:`InputError` when
    ``path`` cannot be opened.
    """

    def __init__(self, path: str | None, *, truncate: bool = False) -> None:
        self.path = path
        self.written = 0
        if path is None:
            self._descriptor = -1
            return
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if truncate else 0)
        try:
            self._descriptor = os.open(path, flags, 0o644)
        except OSError as error:
            raise InputError(f"{path}: cannot write: {error.strerror}") from None

    def write(self, record: dict[str, Any]) -> None:
        """Write ``record`` as one line, whole, before returning (standard output is flushed)."""
        data = record_line(record)
        if self._descriptor < 0:
            sys.stdout.write(data.decode("ascii"))
            sys.stdout.flush()
        else:
            view = memoryview(data)
            while view:
                view = view[os.write(self._descriptor, view):]
        self.written += 1

    def close(self) -> None:
        """Close the file (nothing for standard output)."""
        if self._descriptor >= 0:
            os.close(self._descriptor)
            self._descriptor = -1
