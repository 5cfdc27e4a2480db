"""The options of ``sdistguard check --index URL`` and the run: list, audit, write (docs/index.md).

``sdistguard check --index URL [--project NAME ...] [--format jsonl] [--resume FILE] [--jobs N | --dask
ADDRESS]``. Projects are the ``--project`` names in the order given, else every project of the index's root
page, in its order; a name that normalizes (PEP 503) as one before it is a repeat and left out.
``--format jsonl`` writes one line per dist as it finishes (to ``--output FILE``, to the ``--resume`` FILE,
or to standard output); the other formats collect every dist
and render one report at the end, dists sorted by project and file. The exit code is ``sdistguard check``'s,
over every dist of the report (those a resume file already held included): 2 when a file or page could
not be read, else 1 when a finding fails, else 0.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import Any

from sdistguard.audit import Limits
from sdistguard.index.client import Fetching, IndexClient, redact
from sdistguard.index.jobs import CheckFile, DistOutcome, IndexTask, run_dask, run_here, run_processes
from sdistguard.index.jsonl import JsonlWriter, ResumeState, load_resume
from sdistguard.index.options import refuse_bad_combinations

__all__ = ["check_index", "in_shard"]


def in_shard(project: str, shard: tuple[int, int] | None) -> bool:
    """True when ``project`` belongs to ``shard`` ``(I, N)``: the sha256 of its normalized name (PEP 503),
    as a number, is I modulo N. Every project is in exactly one shard of N, whatever the listing's order."""
    if shard is None:
        return True
    import hashlib

    from packaging.utils import canonicalize_name

    digest = hashlib.sha256(canonicalize_name(project).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shard[1] == shard[0]


def _projects(client: IndexClient, named: list[str] | None, shard: tuple[int, int] | None) -> Iterator[str]:
    """``named`` in their order, else every project the index lists; those of ``shard``. A name whose PEP 503
    normalized form came before (``Demo`` after ``demo``) is a repeat and is left out: one project, one task."""
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    for name in named or client.project_names():
        normalized = canonicalize_name(name)
        if normalized not in seen and in_shard(name, shard):
            seen.add(normalized)
            yield name


def check_index(
    arguments: argparse.Namespace,
    selection: Any,
    limits: Limits,
    check_file: CheckFile,
    tool_version: str,
    write_report: Callable[[str, str | None], None],
) -> int:
    """Run ``sdistguard check --index``; return the exit code (0, 1, 2).

    ``selection`` is the command's ``CheckSelection``, ``limits`` its :class:`Limits`, ``check_file`` its
    audit of one file on disk (run on each downloaded file), ``write_report`` its writer of a whole report
    (``--output``). Raises :class:`ConfigError` for options that do not go together, and
    :class:`~sdistguard.core.errors.InputError` when an extra is missing, the index's root page cannot be read
    (listing every project) or the output cannot be written. Prints a summary line on stderr.
    """
    refuse_bad_combinations(arguments)
    fetching = Fetching(
        connect_timeout=arguments.timeout,
        read_timeout=arguments.timeout,
        file_timeout=arguments.file_timeout,
        retries=arguments.retries,
        max_bytes=limits.max_bytes,
    )
    index_url = arguments.index
    client = IndexClient(index_url, fetching, f"sdistguard/{tool_version}")  # InputError without the extra
    state = load_resume(arguments.resume) if arguments.resume else ResumeState()
    tasks = (
        IndexTask(index_url, project, fetching, limits, selection, check_file, tool_version, state.done_for(project))
        for project in _projects(client, arguments.project, arguments.shard)
    )
    if arguments.dask:
        outcomes = run_dask(tasks, arguments.dask)
    elif arguments.jobs > 1:
        outcomes = run_processes(tasks, arguments.jobs)
    else:
        outcomes = run_here(tasks)
    errors = failed = skipped = audited = 0
    collected: list[DistOutcome] = []
    writer = None
    if arguments.format == "jsonl":
        writer = JsonlWriter(arguments.resume or arguments.output, truncate=not arguments.resume)
    try:
        for outcome in outcomes:
            if outcome.record.get("skipped"):
                skipped += 1
            elif outcome.record.get("file") is not None:  # not a project page that could not be read
                audited += 1
            errors += outcome.error is not None
            failed += outcome.failed
            if writer is not None:
                writer.write(outcome.record)
            elif not outcome.record.get("skipped"):
                collected.append(outcome)
    finally:
        if writer is not None:
            writer.close()
        client.close()
    code = 2 if errors else 1 if failed or state.failed else 0
    if writer is None:
        write_report(_render(arguments, collected, tool_version, code), arguments.output)
    held = f", {state.kept} already in {arguments.resume}" if arguments.resume else ""
    dropped = f" ({state.dropped} torn or failed line(s) dropped, done again)" if state.dropped else ""
    print(
        f"sdistguard: {redact(index_url)}: {audited} dist(s) audited{held}{dropped}, {failed} failing, "
        f"{errors} input error(s), {skipped} file(s) skipped (not an sdist or a wheel)",
        file=sys.stderr,
    )
    return code


def _render(arguments: argparse.Namespace, collected: list[DistOutcome], tool_version: str, code: int) -> str:
    """The whole report of a run without ``--format jsonl``, dists sorted by project and file."""
    from sdistguard.report.formats import format_check

    collected.sort(key=lambda outcome: (str(outcome.record["project"]), str(outcome.record["file"] or "")))
    checked = [outcome.checked for outcome in collected if outcome.checked is not None]
    return format_check(checked, arguments.format, tool_version, code, arguments.group)
