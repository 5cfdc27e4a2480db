"""Which backend built an archive, from what its members say, gathered in the audit's one pass.

A wheel: the ``Generator`` of its ``{name}-{version}.dist-info/WHEEL`` (PEP 427). An sdist: its
top-level ``pyproject.toml`` ``[build-system] build-backend`` (PEP 517); else a ``setup.py``,
``setup.cfg`` or ``*.egg-info/`` at the top mean setuptools. The collector feeds every member to
:meth:`BuilderEvidence.see` with the ``head`` it asked for (:meth:`BuilderEvidence.head_size`);
:func:`sdistguard.audit.hints.leave_out_fix` turns the answer into advice in that backend's terms.
"""

from __future__ import annotations

import sys
from typing import Final

from sdistguard.audit.base import Member
from sdistguard.audit.hints import BuiltBy, built_by_pyproject

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["BuilderEvidence"]

_GENERATORS: Final = (
    # (WHEEL Generator prefix, lower case, backend name)
    ("hatchling", "hatchling"),
    ("setuptools", "setuptools"),
    ("bdist_wheel", "setuptools"),
    ("flit", "flit"),
    ("uv", "uv_build"),
    ("pdm-backend", "pdm-backend"),
    ("pdm", "pdm-backend"),
    ("poetry", "poetry-core"),
    ("maturin", "maturin"),
    ("scikit-build-core", "scikit-build-core"),
    ("meson", "meson-python"),
)
_PYPROJECT_LIMIT: Final = 1024 * 1024
_WHEEL_FILE_LIMIT: Final = 64 * 1024


class BuilderEvidence:
    """Collects what an sdist (``sdist=True``) or a wheel says about its builder, one member at a time.

    Members are given with their path components (``parts``) below the sdist's top-level directory or
    the wheel's root. :attr:`built_by` is the answer so far: the first top-level ``pyproject.toml``
    naming a known backend wins; setuptools evidence counts only when no such ``pyproject.toml``
    exists; in a wheel, the first ``*.dist-info/WHEEL`` decides.
    """

    def __init__(self, sdist: bool) -> None:
        self.sdist = sdist
        self._pyproject: BuiltBy | None = None
        self._setuptools = ""
        self._wheel: BuiltBy | None = None
        self._wheel_seen = False

    def head_size(self, parts: list[str]) -> int:
        """Bytes of the regular file member at ``parts`` this needs: a top-level ``pyproject.toml``
        (sdist, up to 1 MiB) or ``*.dist-info/WHEEL`` (wheel, up to 64 KiB); 0 for any other."""
        if self.sdist:
            return _PYPROJECT_LIMIT if parts == ["pyproject.toml"] and self._pyproject is None else 0
        if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "WHEEL" and not self._wheel_seen:
            return _WHEEL_FILE_LIMIT
        return 0

    def see(self, parts: list[str], member: Member) -> None:
        """Take one member: its path components ``parts`` and the member (its ``head``, ``size``, kind)."""
        if not parts:
            return
        if not self.sdist:
            if member.kind == "dir":
                return
            if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "WHEEL" and not self._wheel_seen:
                self._wheel_seen = True
                if member.kind == "file" and member.size <= _WHEEL_FILE_LIMIT:
                    self._wheel = _generator(member.head)
            return
        name = parts[0]
        if len(parts) == 1 and name == "pyproject.toml":
            if self._pyproject is None and member.kind == "file" and member.size <= _PYPROJECT_LIMIT:
                try:
                    document = tomllib.loads(member.head.decode("utf-8"))
                except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                    document = {}
                self._pyproject = built_by_pyproject(document, "the sdist's pyproject.toml")
        elif not self._setuptools and len(parts) == 1 and name in ("setup.py", "setup.cfg") and member.kind != "dir":
            self._setuptools = f"{name} in the sdist"
        elif not self._setuptools and name.endswith(".egg-info"):
            self._setuptools = f"{name}/ in the sdist"

    @property
    def built_by(self) -> BuiltBy | None:
        """The backend, with what said so; ``None`` when nothing seen says."""
        if not self.sdist:
            return self._wheel
        if self._pyproject is not None:
            return self._pyproject
        return BuiltBy("setuptools", self._setuptools) if self._setuptools else None


def _generator(data: bytes) -> BuiltBy | None:
    """The backend named by the ``Generator`` line of a ``WHEEL`` file (``None``: no known one)."""
    for line in data.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "generator":
            generator = value.strip()
            for prefix, name in _GENERATORS:
                if generator.lower().startswith(prefix):
                    return BuiltBy(name, f"WHEEL Generator: {generator}")
            return None
    return None
