"""``sdistguard check --index URL``: audit every file of a Simple Repository API index (PEP 503, PEP 691).

Layers, top-down (each imports only those below it and :mod:`sdistguard.audit` / :mod:`sdistguard.report`):

- :mod:`.command`: the command's options and its one entry point, :func:`~.command.check_index`.
- :mod:`.jobs`: the work per project (:func:`~.jobs.audit_project`), run in this process, in local worker
  processes (``--jobs N``) or on a Dask distributed cluster (``--dask ADDRESS``); results stream back to
  the one writer.
- :mod:`.jsonl`: the ``--format jsonl`` writer (one object per dist, flushed line by line) and ``--resume``.
- :mod:`.client`: the index read with ``pypi-simple`` (``sdistguard[index]``), each file streamed to a
  temporary file under a byte cap and checked against the index's digests, with timeouts and retries.

The auditor itself is the one ``sdistguard check`` runs on a file on disk: the command hands its own
per-file function down (:attr:`~.jobs.IndexTask.check_file`), so the findings of a dist are those of
``sdistguard check`` on the same file by construction, plus the index's own codes (SG592, SG593). The
extras are optional: nothing here is imported by the backend, and ``pypi-simple`` / ``distributed`` are
imported only when an index run starts (:func:`~.client.require`).
"""

from __future__ import annotations
