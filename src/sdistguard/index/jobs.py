"""The work of an index run: one task per project, run here, in worker processes or on a Dask cluster.

A task (:class:`IndexTask`) names the index, one project and the dists of it already done (``--resume``);
:func:`audit_project` lists the project's files, streams each one to a temporary file, runs the command's
own per-file audit on it (:attr:`IndexTask.check_file`: ``sdistguard check``'s, so the findings are the
same as on disk), adds the index's findings (SG592 digest mismatch, SG593 no digest, SG590 past the byte
cap) and turns each dist into one JSON object (:class:`DistOutcome`). Nothing in an outcome depends on
where it was computed: findings are in the auditor's order (path, then code), dists in file-name order,
and no temporary path survives into a message.

Three ways to run the tasks, all yielding outcomes to the one caller (the writer):
:func:`run_here` (``--jobs 1``: this process, each dist as it finishes), :func:`run_processes`
(``--jobs N``: a ``ProcessPoolExecutor``) and :func:`run_dask` (``--dask ADDRESS``: a
``distributed.Client``, ``as_completed``). The last two hand out whole projects and yield a project's
dists when its task returns; at most ``2 * workers`` tasks are in flight, so an index of any size is
read lazily.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from sdistguard.audit import AuditResult, Limits
from sdistguard.audit.checked import CheckedInput
from sdistguard.core.errors import InputError
from sdistguard.index.client import DistFile, Fetching, IndexClient, redact, require, unsafe_filename
from sdistguard.report.json import format_check_json
from sdistguard.rules import Code, Finding, finding

__all__ = [
    "AUDITED_SUFFIXES",
    "DistOutcome",
    "IndexTask",
    "Selection",
    "audit_project",
    "iter_project",
    "run_dask",
    "run_here",
    "run_processes",
]

AUDITED_SUFFIXES: Final = (".tar.gz", ".tgz", ".whl")
"""File names the auditor reads (an sdist, a wheel); other files of an index (``.zip`` and ``.tar.bz2``
sdists, eggs, Windows installers) are listed as skipped, never downloaded."""


class Selection(Protocol):
    """What the command's selection answers per code (:class:`sdistguard.core.config.CheckSelection`)."""

    def wants(self, code: str) -> bool:
        """True when a finding with ``code`` is reported."""

    def fails(self, code: Code) -> bool:
        """True when a reported finding with ``code`` fails the check."""


CheckFile = Callable[[str, Any, Limits], CheckedInput]
"""The command's audit of one file on disk: ``(path, selection, limits) -> CheckedInput``; raises
:class:`~sdistguard.core.errors.InputError` for a file it cannot read (:func:`sdistguard.audit.policy.check_input`)."""


@dataclass(frozen=True)
class IndexTask:
    """One project's work, picklable (it travels to worker processes and Dask workers).

    ``index_url``: the Simple API root. ``project``: the name as listed or asked for. ``done``: the
    ``(file name, index sha256 or None)`` pairs already written (``--resume``), not fetched again.
    ``selection``, ``limits`` and ``check_file`` are the command's, ``tool_version`` goes into each record.
    """

    index_url: str
    project: str
    fetching: Fetching
    limits: Limits
    selection: Any
    check_file: CheckFile
    tool_version: str
    done: frozenset[tuple[str, str | None]] = frozenset()


@dataclass
class DistOutcome:
    """One dist (or one project whose page could not be read, ``file`` ``None``) of an index run.

    ``record`` is its ``--format jsonl`` object: ``project``, ``file``, ``url``, ``sha256`` (the index's, or
    ``None``), then the fields of one ``inputs`` entry of ``sdistguard check --format json`` but ``path``
    (``kind``, ``members``, ``size``, ``error``, ``refused``, ``built_by``, ``findings``, ``largest``), and
    ``skipped`` (a reason) for a file that is not an sdist or a wheel. ``checked`` is the same as a
    :class:`~sdistguard.audit.checked.CheckedInput` (``result.path`` the URL), for the table and JSON reports.
    """

    record: dict[str, Any]
    checked: CheckedInput | None = field(default=None)

    @property
    def failed(self) -> bool:
        """True when a finding of this dist fails the check."""
        return any(item.get("fails") for item in self.record.get("findings", ()))

    @property
    def error(self) -> str | None:
        """The input error (a file or page that could not be read), or ``None``."""
        error = self.record.get("error")
        return str(error) if error is not None else None


_CLIENTS: dict[tuple[str, Fetching, int], IndexClient] = {}
"""One client per index, fetching policy and thread (a Dask worker may run tasks in several threads; a
``requests`` session is for one thread); its session keeps connections alive from one task to the next."""


def _client(task: IndexTask) -> IndexClient:
    key = (task.index_url, task.fetching, threading.get_ident())
    client = _CLIENTS.get(key)
    if client is None:
        client = _CLIENTS[key] = IndexClient(task.index_url, task.fetching, f"sdistguard/{task.tool_version}")
    return client


def iter_project(task: IndexTask) -> Iterator[DistOutcome]:
    """The outcomes of ``task``'s project, one per file not in ``task.done``, in file-name order, each
    yielded as soon as it is audited. A page that cannot be read is one outcome with ``file`` ``None``.

    Raises :class:`~sdistguard.core.errors.InputError` only when the ``index`` extra is missing.
    """
    client = _client(task)
    try:
        files = client.files(task.project)
    except InputError as error:
        url = client.project_url(task.project)
        yield _outcome(task, None, CheckedInput(AuditResult(url, "unknown", error=str(error))), url=url)
        return
    for dist in files:
        if (dist.filename, dist.sha256) in task.done:
            continue
        yield _audit_dist(task, client, dist)


def audit_project(task: IndexTask) -> list[DistOutcome]:
    """:func:`iter_project` as a list: the function worker processes and Dask workers run."""
    return list(iter_project(task))


def _audit_dist(task: IndexTask, client: IndexClient, dist: DistFile) -> DistOutcome:
    """Stream one file to a temporary directory, audit it there, add the index's findings."""
    if not dist.filename.lower().endswith(AUDITED_SUFFIXES):
        checked = CheckedInput(AuditResult(dist.url, "unknown"))
        return _outcome(task, dist, checked, skipped="not an sdist (.tar.gz) or a wheel (.whl): not audited")
    unsafe = unsafe_filename(dist.filename)
    if unsafe is not None:
        return _outcome(task, dist, CheckedInput(AuditResult(dist.url, "unknown", error=f"{dist.url}: {unsafe}")))
    with tempfile.TemporaryDirectory(prefix="sdistguard-index-") as directory:
        path = f"{directory}/{dist.filename}"
        try:
            download = client.download(dist, path)
            if download.truncated:
                detail = f"download stopped at {download.size} bytes (--max-bytes); the file was not audited"
                checked = CheckedInput(AuditResult(dist.url, "unknown"))
                return _outcome(task, dist, _with_index_findings(task, checked, [finding("audit-limit", "", detail)]))
            checked = task.check_file(path, task.selection, task.limits)
        except InputError as error:
            message = str(error).replace(path, dist.url).replace(directory, "")
            return _outcome(task, dist, CheckedInput(AuditResult(dist.url, "unknown", error=message)))
        checked.result.path = dist.url
        return _outcome(task, dist, _with_index_findings(task, checked, _digest_findings(dist, download.served)))


def _digest_findings(dist: DistFile, served: dict[str, str]) -> list[Finding]:
    """SG592 for each digest of the index the served bytes do not match; SG593 when none can be checked."""
    checked = [(name, value) for name, value in dist.digests if name in served]
    if not checked:
        given = ", ".join(name for name, _ in dist.digests) or "none"
        return [finding("index-hash-missing", "", f"digests given: {given}; sha256 served {served['sha256']}")]
    return [
        finding("index-hash-mismatch", "", f"{name}: the index gives {value}, the file served has {served[name]}")
        for name, value in checked
        if served[name] != value
    ]


def _with_index_findings(task: IndexTask, checked: CheckedInput, extra: list[Finding]) -> CheckedInput:
    """``checked`` with the selected ``extra`` findings merged in the auditor's order (path, then code)."""
    wanted = [found for found in extra if task.selection.wants(found.code)]
    if not wanted:
        return checked
    pairs = list(zip(checked.result.findings, checked.fails, strict=True))
    pairs += [(found, task.selection.fails(found.code)) for found in wanted]
    pairs.sort(key=lambda pair: (pair[0].path, pair[0].code))
    checked.result.findings = [found for found, _ in pairs]
    checked.fails = tuple(fails for _, fails in pairs)
    return checked


def _outcome(
    task: IndexTask, dist: DistFile | None, checked: CheckedInput, *, url: str | None = None, skipped: str | None = None
) -> DistOutcome:
    """The record of one dist: its identity, then the ``sdistguard check --format json`` input entry.

    Every URL in it (and in ``checked``) has its credentials shown as ``****@`` (:func:`redact`)."""
    checked.result.path = redact(checked.result.path)
    if checked.result.error is not None:
        checked.result.error = redact(checked.result.error)
    entry = json.loads(format_check_json([checked], task.tool_version, 0))["inputs"][0]
    del entry["path"]
    del entry["project"]  # a directory preview's key (null for an archive): here "project" is the index's project
    record: dict[str, Any] = {
        "project": task.project,
        "file": dist.filename if dist else None,
        "url": redact(dist.url) if dist else url and redact(url),
        "sha256": dist.sha256 if dist else None,
        **entry,
    }
    if skipped is not None:
        record["skipped"] = skipped
    return DistOutcome(record, checked)


def _failed_task(task: IndexTask, error: BaseException) -> DistOutcome:
    """The outcome of a task whose worker failed (it died, or the cluster lost it): an input error."""
    url = task.index_url.rstrip("/") + "/"
    message = f"{task.project}: the worker running this project failed: {type(error).__name__}: {error}"
    return _outcome(task, None, CheckedInput(AuditResult(url, "unknown", error=message)), url=url)


def run_here(tasks: Iterable[IndexTask]) -> Iterator[DistOutcome]:
    """Run ``tasks`` one after the other in this process (``--jobs 1``), yielding each dist as it finishes."""
    for task in tasks:
        yield from iter_project(task)


def run_processes(tasks: Iterable[IndexTask], jobs: int) -> Iterator[DistOutcome]:
    """Run ``tasks`` in ``jobs`` worker processes (``spawn``), at most ``2 * jobs`` in flight; yield each
    project's dists when its task returns, in completion order. A task whose worker dies is one
    outcome with an input error (:func:`_failed_task`): a dead worker breaks the whole pool
    (``BrokenProcessPool``), so every task then in flight fails that way, and the remaining tasks go to a
    new pool."""
    import concurrent.futures
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    pending = iter(tasks)
    context = multiprocessing.get_context("spawn")
    running: dict[concurrent.futures.Future[list[DistOutcome]], IndexTask] = {}
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context)

    def submit() -> bool:
        nonlocal pool
        task = next(pending, None)
        if task is None:
            return False
        try:
            future = pool.submit(audit_project, task)
        except BrokenProcessPool:  # a worker died since the last wait: the pool takes no more work
            pool.shutdown(wait=True, cancel_futures=True)
            pool = concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context)
            future = pool.submit(audit_project, task)
        running[future] = task
        return True

    try:
        while len(running) < 2 * jobs and submit():
            pass
        while running:
            done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                try:
                    outcomes = future.result()
                except Exception as error:  # the worker died (BrokenProcessPool) or the task could not run
                    outcomes = [_failed_task(task, error)]
                yield from outcomes
                submit()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_dask(tasks: Iterable[IndexTask], address: str) -> Iterator[DistOutcome]:
    """Run ``tasks`` on the Dask distributed scheduler at ``address`` (``tcp://host:8786``): the scheduler
    hands projects to its workers; each project's dists stream back here as its task completes
    (``as_completed``), at most ``2 * workers`` tasks in flight (at least 4).

    The workers need sdistguard with the ``index`` extra installed. Raises :class:`InputError` when
    ``distributed`` is missing (the ``dask`` extra) or the scheduler cannot be reached.
    """
    distributed = require("distributed", "dask")
    try:
        client = distributed.Client(address, timeout=30, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise InputError(f"--dask {address}: cannot reach the scheduler: {error}") from None
    with client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        window = max(4, 2 * workers)
        pending = iter(tasks)
        running: dict[str, IndexTask] = {}
        completed = distributed.as_completed(loop=client.loop)

        def submit() -> bool:
            task = next(pending, None)
            if task is None:
                return False
            future = client.submit(audit_project, task, pure=False)
            running[future.key] = task
            completed.add(future)
            return True

        while len(running) < window and submit():
            pass
        for future in completed:
            task = running.pop(future.key)
            try:
                outcomes = future.result()
            except Exception as error:  # a worker died more often than the scheduler retries (KilledWorker)
                outcomes = [_failed_task(task, error)]
            future.release()
            yield from outcomes
            submit()
