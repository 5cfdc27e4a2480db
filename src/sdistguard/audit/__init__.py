"""``sdistguard check``: audit a built sdist or wheel from any backend, or a project directory.

Archives are hostile input. Nothing is ever extracted: the readers (:mod:`.tar` for an sdist's gzip
stream, :mod:`.zip` for a wheel's central directory) yield one :class:`Member` record per member, each
member's data read at most once; one :class:`~sdistguard.audit.collector.Collector` turns them into
findings (paths classified by :mod:`.layout`, the builder noted by :mod:`.builder`) and owns every
finding, which :mod:`.run` adds from the other checks: a wheel's ``RECORD`` (:mod:`.record`, PEP 376 /
PEP 427) and an sdist's ``PKG-INFO``, parsed once with ``packaging.metadata`` (:mod:`.metadata`, PEP
625 / PEP 643 / PEP 639). What PyPI refuses at upload (:mod:`.pypi`: file names, compression, ratio,
``.dist-info`` files, entry points, platform tags; :mod:`.zipframe`: the zip framing of warehouse's
``validate_zipfile``) is checked on the same reads. Memory and time are bounded by :class:`Limits`; when a
limit is hit the audit stops with an ``audit-limit`` finding instead of running on.

The checks follow what installers refuse (PEP 706's ``data`` filter, pip, uv), the sdist format and
the wheel format. Codes are the backend's own (:data:`sdistguard.rules.RULES`) wherever one fits.

Public: :func:`audit` (findings only), :func:`audit_report` (findings, counts, the size summary and
the builder), :class:`AuditResult`, :class:`Limits`, :class:`Finding`.
"""

from __future__ import annotations

from sdistguard.audit.base import AuditResult, DirectorySize, Limits, Member
from sdistguard.audit.run import LARGE_ARTIFACT, audit, audit_report
from sdistguard.rules import Finding

__all__ = ["LARGE_ARTIFACT", "AuditResult", "DirectorySize", "Finding", "Limits", "Member", "audit", "audit_report"]
