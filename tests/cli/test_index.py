"""``sdistguard check --index URL``: a real index server on 127.0.0.1, real downloads, real worker processes.

pypiserver (started by the test, stopped after) serves generated sdists and wheels: clean ones, leaking ones
(a venv, a GitHub-shaped token assembled at run time) and hostile ones (a member leaving the archive, a link to
/etc/passwd, a truncated stream). A tiny ``http.server`` of the test serves what pypiserver cannot: a PEP 503
page whose ``#sha256=`` is wrong, a PEP 691 JSON page, files on a server that accepts and never answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.index import SECRET, PagesServer, StallServer, pypiserver, simple_page, write_dists, write_sdist
from sdistguard.cli import main

IDENTITY = ("project", "file", "url", "sha256")
COPIES = 3  # projects of each kind: 18 dists
DISTS = 6 * COPIES


def spool_env(directory: Path) -> dict[str, str]:
    """The environment with TMPDIR below ``directory``: downloads are spooled there, never in /tmp."""
    spool = directory / "spool"
    spool.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(spool)}


def run_check(*args: str, cwd: Path, timeout: float = 300) -> tuple[int, list[dict[str, Any]], str]:
    """Run ``sdistguard check ARGS`` in a fresh interpreter; return the exit code, stdout's JSON lines, stderr."""
    completed = subprocess.run([sys.executable, "-m", "sdistguard", "check", *args], cwd=cwd, capture_output=True,
                               text=True, timeout=timeout, check=False, env=spool_env(cwd))
    lines = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    return completed.returncode, lines, completed.stderr


def by_file(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The records keyed by file name; fails on a file written twice."""
    keyed: dict[str, dict[str, Any]] = {}
    for record in records:
        assert record["file"] not in keyed, f"{record['file']} written twice"
        keyed[record["file"]] = record
    return keyed


def codes(record: dict[str, Any]) -> list[tuple[str, str]]:
    return [(found["code"], found["path"]) for found in record["findings"]]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("packages")
    write_dists(directory, COPIES)
    return directory


@pytest.fixture(scope="module")
def index(packages: Path) -> Iterator[str]:
    with pypiserver(packages) as url:
        yield url


@pytest.fixture(scope="module")
def jobs_1_lines(index: str, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    code, lines, stderr = run_check("--index", index, "--format", "jsonl", cwd=tmp_path_factory.mktemp("run"))
    assert code == 1, stderr
    assert len(lines) == DISTS
    return lines


def test_the_findings_are_those_of_check_on_the_same_files_on_disk(
        packages: Path, jobs_1_lines: list[dict[str, Any]], tmp_path: Path) -> None:
    files = sorted(path.name for path in packages.iterdir())
    code, _, _ = run_check("--format", "json", "--output", str(tmp_path / "disk.json"),
                           *(str(packages / name) for name in files), cwd=tmp_path)
    assert code == 1
    on_disk = {os.path.basename(entry["path"]): entry for entry in json.loads(
        (tmp_path / "disk.json").read_text())["inputs"]}
    served = by_file(jobs_1_lines)
    assert sorted(served) == files == sorted(on_disk)
    for name in files:
        record, entry = served[name], on_disk[name]
        assert record["sha256"] == hashlib.sha256((packages / name).read_bytes()).hexdigest()
        assert record["url"].endswith(f"/packages/{name}") and record["project"] == name.split("-")[0]
        assert {key: value for key, value in record.items() if key not in IDENTITY} == {
            key: value for key, value in entry.items() if key not in ("path", "project")}, name
        assert entry["project"] is None  # an archive's entry: the directory preview's key, replaced in the record
    # and the findings are the ones the generated dists were made to have
    assert codes(served["clean0-1.0.tar.gz"]) == codes(served["clean0-1.0-py3-none-any.whl"]) == []
    assert codes(served["venv1-1.0.tar.gz"]) == [("SG101", "venv/")]
    assert codes(served["secret2-1.0-py3-none-any.whl"]) == [("SG602", "secret2/settings.py")]
    assert SECRET not in json.dumps(jobs_1_lines)
    assert codes(served["escape0-1.0.tar.gz"]) == [("SG504", ".."), ("SG501", "../evil.py"), ("SG201", "etc")]
    assert codes(served["broken0-1.0.tar.gz"]) == [("SG591", "")]


def test_a_whole_report_format_names_each_dist_by_its_url(index: str, tmp_path: Path) -> None:
    code, _, stderr = run_check("--index", index, "--project", "venv0", "--project", "clean0", "--format", "json",
                                "--output", str(tmp_path / "report.json"), cwd=tmp_path)
    assert code == 1, stderr
    document = json.loads((tmp_path / "report.json").read_text())
    assert [entry["path"].rpartition("/")[2] for entry in document["inputs"]] == [
        "clean0-1.0-py3-none-any.whl", "clean0-1.0.tar.gz", "venv0-1.0.tar.gz"]
    assert document["summary"] == {"findings": 1, "failing": 1, "codes": {"SG101": 1}}
    assert "3 dist(s) audited, 1 failing, 0 input error(s)" in stderr


def _lines_in(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_a_run_killed_mid_way_and_resumed_writes_every_dist_exactly_once(
        index: str, jobs_1_lines: list[dict[str, Any]], tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    command = [sys.executable, "-m", "sdistguard", "check", "--index", index, "--format", "jsonl",
               "--resume", str(results)]
    for kill_after in (3, 9):  # killed twice, each time after some lines were written
        process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=spool_env(tmp_path))
        deadline = time.monotonic() + 120
        while _lines_in(results) < kill_after and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
        written = _lines_in(results)
        assert kill_after <= written < DISTS
    # a kill in the middle of a write leaves a torn last line; a dist that was an input error is done again
    whole = results.read_bytes()
    failed = dict(jobs_1_lines[-1], error="http://x: timed out", findings=[])
    results.write_bytes(whole + (json.dumps(failed) + "\n").encode() + json.dumps(jobs_1_lines[-2]).encode()[:40])
    code, _, stderr = run_check("--index", index, "--format", "jsonl", "--resume", str(results), cwd=tmp_path)
    assert code == 1, stderr
    assert "2 torn or failed line(s) dropped, done again" in stderr
    resumed = by_file([json.loads(line) for line in results.read_text().splitlines()])
    assert resumed == by_file(jobs_1_lines)
    assert results.read_bytes().endswith(b"\n")
    # resuming a complete file audits nothing and keeps its exit code
    code, _, stderr = run_check("--index", index, "--format", "jsonl", "--resume", str(results), cwd=tmp_path)
    assert code == 1 and f"0 dist(s) audited, {DISTS} already in" in stderr
    assert by_file([json.loads(line) for line in results.read_text().splitlines()]) == by_file(jobs_1_lines)


def test_a_finished_run_leaves_no_spooled_file(index: str, tmp_path: Path) -> None:
    code, lines, _ = run_check("--index", index, "--project", "clean0", "--project", "venv0", "--format", "jsonl",
                               cwd=tmp_path)
    assert code == 1 and len(lines) == 3
    assert list((tmp_path / "spool").iterdir()) == []


def _hash_index(tmp_path: Path) -> tuple[dict[str, tuple[str, bytes]], bytes]:
    sdist = write_sdist(tmp_path, "demo", "1.0", {"src/demo/__init__.py": b"x = 1\n"})
    data = sdist.read_bytes()
    good = hashlib.sha256(data).hexdigest()
    wrong = hashlib.sha256(data + b"tampered").hexdigest()
    routes = {
        "/simple/": ("text/html", simple_page([("demo/", "demo"), ("nohash/", "nohash"), ("jsondemo/", "jsondemo")])),
        "/simple/demo/": ("text/html", simple_page([(f"/files/demo-1.0.tar.gz#sha256={wrong}", "demo-1.0.tar.gz")])),
        "/simple/nohash/": ("text/html", simple_page([("/files/demo-1.0.tar.gz", "demo-1.0.tar.gz")])),
        "/simple/jsondemo/": ("application/vnd.pypi.simple.v1+json", json.dumps({
            "meta": {"api-version": "1.0"}, "name": "jsondemo",
            "files": [{"filename": "demo-1.0.tar.gz", "url": "/files/demo-1.0.tar.gz", "hashes": {"sha256": good}},
                      {"filename": "demo-1.0.zip", "url": "/files/demo-1.0.zip", "hashes": {"sha256": good}}],
        }).encode()),
        "/files/demo-1.0.tar.gz": ("application/octet-stream", data),
    }
    return routes, f"{good} {wrong}".encode()


def test_a_file_served_with_a_wrong_hash_is_reported(tmp_path: Path) -> None:
    routes, digests = _hash_index(tmp_path)
    good, wrong = digests.decode().split()
    with PagesServer(routes) as server:
        code, lines, stderr = run_check("--index", f"{server.url}/simple/", "--format", "jsonl", cwd=tmp_path)
    assert code == 1, stderr
    records = {(record["project"], record["file"]): record for record in lines}
    tampered = records["demo", "demo-1.0.tar.gz"]
    assert tampered["sha256"] == wrong
    assert [(found["code"], found["name"], found["fails"], found["detail"]) for found in tampered["findings"]] == [
        ("SG592", "index-hash-mismatch", True, f"sha256: the index gives {wrong}, the file served has {good}")]
    unhashed = records["nohash", "demo-1.0.tar.gz"]
    assert unhashed["sha256"] is None
    assert [(found["code"], found["detail"]) for found in unhashed["findings"]] == [
        ("SG593", f"digests given: none; sha256 served {good}")]
    # PEP 691 JSON: the right hash is accepted, a .zip sdist is listed as skipped, never downloaded
    assert records["jsondemo", "demo-1.0.tar.gz"]["findings"] == []
    assert records["jsondemo", "demo-1.0.zip"]["skipped"] == "not an sdist (.tar.gz) or a wheel (.whl): not audited"
    assert "3 dist(s) audited, 2 failing, 0 input error(s), 1 file(s) skipped" in stderr


def test_a_server_that_stalls_ends_in_input_errors_within_the_timeout(tmp_path: Path) -> None:
    with StallServer() as stall:
        routes = {
            "/simple/demo/": ("text/html", simple_page([(f"{stall.url}/files/demo-{n}.0.tar.gz#sha256={'0' * 64}",
                                                         f"demo-{n}.0.tar.gz") for n in (1, 2)])),
        }
        with PagesServer(routes) as pages:
            started = time.monotonic()
            code, lines, stderr = run_check(
                "--index", f"{pages.url}/simple/", "--project", "demo", "--project", "stalled-page", "--format",
                "jsonl", "--timeout", "0.5", "--retries", "1", cwd=tmp_path)
            files_elapsed = time.monotonic() - started
            started = time.monotonic()
            page_code, page_lines, _ = run_check("--index", f"{stall.url}/simple/", "--project", "demo", "--format",
                                                 "jsonl", "--timeout", "0.5", "--retries", "1", cwd=tmp_path)
            page_elapsed = time.monotonic() - started
    assert code == 2, stderr
    assert [(record["project"], record["file"]) for record in lines] == [
        ("demo", "demo-1.0.tar.gz"), ("demo", "demo-2.0.tar.gz"), ("stalled-page", None)]
    for record in lines[:2]:
        assert record["kind"] == "unknown" and record["findings"] == []
        assert record["error"] == f"{record['url']}: timed out (ReadTimeout) (2 attempts)"
    assert lines[2]["error"] == f"{pages.url}/simple/stalled-page/: no such project on the index"
    assert page_code == 2
    assert [(record["file"], record["error"]) for record in page_lines] == [
        (None, f"{stall.url}/simple/demo/: timed out (ReadTimeout) (2 attempts)")]
    # two files of two attempts of 0.5 s each, and backoff: seconds, never the default timeouts
    assert files_elapsed < 30 and page_elapsed < 30


def test_the_download_stops_at_the_byte_cap(index: str, tmp_path: Path) -> None:
    code, lines, _ = run_check("--index", index, "--project", "broken0", "--format", "jsonl", "--max-bytes", "1000",
                               cwd=tmp_path)
    assert code == 1
    assert [(record["file"], codes(record), record["findings"][0]["detail"]) for record in lines] == [
        ("broken0-1.0.tar.gz", [("SG590", "")], "download stopped at 1000 bytes (--max-bytes); the file was not "
                                                "audited")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
                                  local_directory=str(tmp_path_factory.mktemp("dask"))) as local:
        yield local.scheduler_address


def _same_lines(lines: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(line, sort_keys=True) for line in lines)


def test_a_dask_local_cluster_and_two_processes_give_the_results_of_jobs_1(
        index: str, cluster: str, jobs_1_lines: list[dict[str, Any]], tmp_path: Path) -> None:
    code, dask_lines, stderr = run_check("--index", index, "--format", "jsonl", "--dask", cluster, cwd=tmp_path)
    assert code == 1, stderr
    assert _same_lines(dask_lines) == _same_lines(jobs_1_lines)
    code, process_lines, stderr = run_check("--index", index, "--format", "jsonl", "--jobs", "2", cwd=tmp_path)
    assert code == 1, stderr
    assert _same_lines(process_lines) == _same_lines(jobs_1_lines)


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "pypi_simple", None)  # what an install without sdistguard[index] sees
    assert main(["check", "--index", "http://127.0.0.1:9/simple/", "--format", "jsonl"]) == 2
    assert capsys.readouterr().err == (
        "sdistguard: error: pypi_simple is not installed: `sdistguard check --index` needs the \"index\" extra "
        "(pip install \"sdistguard[index]\")\n")
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "pypi_simple")
    from sdistguard.core.errors import InputError
    from sdistguard.index.jobs import run_dask

    with pytest.raises(InputError, match=r'pip install "sdistguard\[dask\]"'):
        next(run_dask(iter(()), "tcp://127.0.0.1:9"))


@pytest.mark.parametrize(("args", "message"), [
    (["check"], "usage: sdistguard check"),
    (["check", "--build", "--index", "http://127.0.0.1:9/simple/"], "usage: sdistguard check"),
    (["check", "--index", "http://127.0.0.1:9/simple/", "dist/a.whl"], "--index URL audits the index: give no PATH"),
    (["check", "--format", "jsonl", "a.whl"], "--format jsonl: only with --index URL"),
    (["check", "--index", "http://127.0.0.1:9/", "--resume", "r.jsonl"], "--resume FILE needs --format jsonl"),
    (["check", "--index", "http://127.0.0.1:9/", "--dask", "tcp://127.0.0.1:9", "--jobs", "2"],
     "--jobs and --dask exclude each other"),
])
def test_options_that_do_not_go_together_are_refused(
        args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    error = capsys.readouterr().err
    assert error.startswith(message if message.startswith("usage:") else f"sdistguard: error: {message}"), error


def test_shards_cover_the_index_once(index: str, jobs_1_lines: list[dict[str, Any]], tmp_path: Path) -> None:
    shards = []
    for shard in range(3):
        code, lines, stderr = run_check("--index", index, "--format", "jsonl", "--shard", f"{shard}/3", cwd=tmp_path)
        assert code in (0, 1), stderr
        shards.append({record["project"] for record in lines})
    assert all(shards)  # 18 projects: every shard of 3 gets some
    assert sum(len(names) for names in shards) == len(set().union(*shards))
    assert set().union(*shards) == {record["project"] for record in jobs_1_lines}


def test_a_hostile_listing_is_an_input_error_per_file_never_a_path_written(tmp_path: Path) -> None:
    routes = {"/simple/demo/": ("text/html", simple_page([
        ("/files/x.tar.gz", "../evil-1.0.tar.gz"), (f"/files/gone-1.0.tar.gz#sha256={'0' * 64}", "gone-1.0.tar.gz")]))}
    with PagesServer(routes) as pages:
        code, lines, _ = run_check("--index", f"{pages.url}/simple/", "--project", "demo", "--format", "jsonl",
                                   "--retries", "3", cwd=tmp_path)
    assert code == 2
    assert [(record["file"], record["error"]) for record in lines] == [
        ("../evil-1.0.tar.gz", f"{pages.url}/files/x.tar.gz: unsafe file name '../evil-1.0.tar.gz' (a path, or empty)"),
        ("gone-1.0.tar.gz", f"{pages.url}/files/gone-1.0.tar.gz: HTTP 404 Not Found"),  # not retried
    ]
    assert not (tmp_path / "evil-1.0.tar.gz").exists() and list((tmp_path / "spool").iterdir()) == []


def _children(pid: int) -> list[int]:
    """The pids of ``pid``'s child processes (Linux ``/proc``)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_killed_worker_process_fails_its_projects_and_the_run_goes_on(tmp_path: Path) -> None:
    """``--jobs 2``: one worker killed mid-run breaks the pool; the run ends with every project once, no traceback."""
    sdist = write_sdist(tmp_path, "demo", "1.0", {"src/demo/__init__.py": b"x = 1\n"})
    data = sdist.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    names = [f"p{n}" for n in range(8)]
    with StallServer() as stall:
        routes: dict[str, tuple[str, bytes]] = {"/files/demo-1.0.tar.gz": ("application/octet-stream", data)}
        for name in names:
            url = f"{stall.url}/files/s.tar.gz" if name in ("p0", "p1") else f"/files/demo-1.0.tar.gz#sha256={digest}"
            routes[f"/simple/{name}/"] = ("text/html", simple_page([(url, f"{name}-1.0.tar.gz")]))
        with PagesServer(routes) as pages:
            arguments = [sys.executable, "-m", "sdistguard", "check", "--index", f"{pages.url}/simple/", "--format",
                         "jsonl", "--jobs", "2", "--timeout", "20", "--retries", "0"]
            for name in names:
                arguments += ["--project", name]
            process = subprocess.Popen(arguments, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True, env=spool_env(tmp_path))
            deadline = time.monotonic() + 60
            workers: list[int] = []
            while time.monotonic() < deadline:  # the spawn context's workers: the two that are not its tracker
                workers = [child for child in _children(process.pid)
                           if b"multiprocessing.spawn" in Path(f"/proc/{child}/cmdline").read_bytes()
                           and b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()]
                if len(workers) == 2:
                    break
                time.sleep(0.1)
            time.sleep(3)  # both workers are inside p0 and p1, waiting on the stalled server
            os.kill(workers[0], signal.SIGKILL)
            stdout, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr, stderr
    assert process.returncode == 2, stderr
    records = [json.loads(line) for line in stdout.splitlines()]
    assert sorted(record["project"] for record in records) == names  # each project once, as a dist or an error
    assert all(record["error"] is None for record in records if record["project"] not in ("p0", "p1", "p2", "p3"))
    failed = [record for record in records if record["error"] is not None]
    assert failed and all("the worker running this project failed: BrokenProcessPool" in record["error"]
                          for record in failed)


def test_a_project_page_past_the_page_cap_is_an_input_error_not_read_whole(tmp_path: Path) -> None:
    """A hostile index's endless page: the client stops reading at ``max_page_bytes`` (memory stays bounded)."""
    from sdistguard.index.client import FetchError, Fetching, IndexClient

    links = [(f"/files/big-{n}.0.tar.gz#sha256={'0' * 64}", f"big-{n}.0.tar.gz") for n in range(2000)]
    page = simple_page(links)
    assert len(page) > 100_000
    routes = {"/simple/big/": ("text/html", page), "/simple/small/": ("text/html", simple_page(links[:3]))}
    with PagesServer(routes) as pages:
        client = IndexClient(f"{pages.url}/simple/", Fetching(max_page_bytes=64 * 1024, retries=0))
        try:
            with pytest.raises(FetchError) as raised:
                client.files("big")
            assert str(raised.value) == (
                f"{pages.url}/simple/big/: the page is larger than 65536 bytes (not read further)")
            assert [dist.filename for dist in client.files("small")] == [
                "big-0.0.tar.gz", "big-1.0.tar.gz", "big-2.0.tar.gz"]
        finally:
            client.close()


def test_credentials_in_the_index_url_are_never_written(tmp_path: Path) -> None:
    """``--index https://user:token@host/simple/`` (pip's convention): files are fetched with them, every record,
    error and summary shows ``****@`` in their place."""
    sdist = write_sdist(tmp_path, "demo", "1.0", {"src/demo/__init__.py": b"x = 1\n"})
    data = sdist.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    routes = {"/simple/demo/": ("text/html", simple_page([(f"../../files/demo-1.0.tar.gz#sha256={digest}",
                                                           "demo-1.0.tar.gz"),
                                                          ("../../files/gone-1.0.tar.gz", "gone-1.0.tar.gz")])),
              "/files/demo-1.0.tar.gz": ("application/octet-stream", data)}
    secret = "alice:s3cr3t-index-token"
    with PagesServer(routes) as pages:
        url = pages.url.replace("http://", f"http://{secret}@") + "/simple/"
        shown = pages.url.replace("http://", "http://****@")
        code, lines, stderr = run_check("--index", url, "--project", "demo", "--project", "nope", "--format", "jsonl",
                                        cwd=tmp_path)
        table = subprocess.run([sys.executable, "-m", "sdistguard", "check", "--index", url, "--project", "demo",
                                "--project", "nope"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                               check=False, env=spool_env(tmp_path))
    assert code == 2
    assert [(record["file"], record["url"], record["error"]) for record in lines] == [
        ("demo-1.0.tar.gz", f"{shown}/files/demo-1.0.tar.gz", None),
        ("gone-1.0.tar.gz", f"{shown}/files/gone-1.0.tar.gz", f"{shown}/files/gone-1.0.tar.gz: HTTP 404 Not Found"),
        (None, f"{shown}/simple/nope/", f"{shown}/simple/nope/: no such project on the index")]
    assert "s3cr3t" not in json.dumps(lines) + stderr
    assert table.returncode == 2 and f"{shown}/files/demo-1.0.tar.gz" in table.stdout
    assert "s3cr3t" not in table.stdout + table.stderr


def test_a_project_named_twice_is_audited_once(tmp_path: Path) -> None:
    """``--project demo --project Demo`` or a root page listing ``demo`` and ``Demo``: one project (PEP 503
    normalized names), each dist written once."""
    sdist = write_sdist(tmp_path, "demo", "1.0", {"src/demo/__init__.py": b"x = 1\n"})
    data = sdist.read_bytes()
    page = simple_page([(f"/files/demo-1.0.tar.gz#sha256={hashlib.sha256(data).hexdigest()}", "demo-1.0.tar.gz")])
    routes = {"/simple/": ("text/html", simple_page([("demo/", "demo"), ("demo/", "Demo"), ("demo/", "DEMO")])),
              "/simple/demo/": ("text/html", page), "/files/demo-1.0.tar.gz": ("application/octet-stream", data)}
    with PagesServer(routes) as pages:
        named = run_check("--index", f"{pages.url}/simple/", "--project", "demo", "--project", "Demo", "--format",
                          "jsonl", cwd=tmp_path)
        listed = run_check("--index", f"{pages.url}/simple/", "--format", "jsonl", cwd=tmp_path)
    for code, lines, stderr in (named, listed):
        assert code == 0, stderr
        assert [(record["project"], record["file"]) for record in lines] == [("demo", "demo-1.0.tar.gz")]


def test_resuming_drops_a_torn_line_and_keeps_the_files_mode_and_nothing_beside_it(tmp_path: Path) -> None:
    from sdistguard.index.jsonl import load_resume

    resume = tmp_path / "run.jsonl"
    whole = json.dumps({"project": "demo", "file": "demo-1.0.tar.gz", "sha256": "0" * 64, "error": None,
                        "findings": []})
    resume.write_text(whole + "\n" + '{"project": "demo", "file": "demo-2.0')
    resume.chmod(0o644)
    state = load_resume(str(resume))
    assert (state.kept, state.dropped) == (1, 1)
    assert resume.read_text() == whole + "\n"
    assert resume.stat().st_mode & 0o777 == 0o644
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run.jsonl"]


def test_a_project_page_that_is_no_simple_api_page_is_an_input_error_and_the_run_goes_on(tmp_path: Path) -> None:
    json_page = "application/vnd.pypi.simple.v1+json"
    sdist = write_sdist(tmp_path, "demo", "1.0", {"src/demo/__init__.py": b"x = 1\n"})
    data = sdist.read_bytes()
    good = simple_page([(f"/files/demo-1.0.tar.gz#sha256={hashlib.sha256(data).hexdigest()}", "demo-1.0.tar.gz")])
    routes = {
        "/simple/plain/": ("text/plain", b"hello"),
        "/simple/files-not-a-list/": (json_page, json.dumps({"meta": {"api-version": "1.0"}, "name": "x",
                                                             "files": 5}).encode()),
        "/simple/version-2/": (json_page, json.dumps({"meta": {"api-version": "2.0"}, "name": "x",
                                                      "files": []}).encode()),
        "/simple/a-list/": (json_page, b"[]"),
        "/simple/demo/": ("text/html", good),
        "/files/demo-1.0.tar.gz": ("application/octet-stream", data),
    }
    hostile = ["plain", "files-not-a-list", "version-2", "a-list"]
    arguments = ["--index", "", "--format", "jsonl", "--retries", "0"]
    for name in [*hostile, "demo"]:
        arguments += ["--project", name]
    with PagesServer(routes) as pages:
        arguments[1] = f"{pages.url}/simple/"
        code, lines, stderr = run_check(*arguments, cwd=tmp_path)
    assert "Traceback" not in stderr, stderr
    assert code == 2, stderr
    assert [(record["project"], record["file"]) for record in lines] == [
        *((name, None) for name in hostile), ("demo", "demo-1.0.tar.gz")]
    for record in lines[:4]:
        assert record["error"].startswith(f"{pages.url}/simple/{record['project']}/: not a Simple API project page: ")
        assert "\n" not in record["error"]
    assert "Content-Type 'text/plain'" in lines[0]["error"] and "(2.0)" in lines[2]["error"]
    assert lines[4]["error"] is None and lines[4]["findings"] == []


def test_a_root_page_that_is_no_simple_api_page_is_an_input_error_not_a_traceback(tmp_path: Path) -> None:
    routes = {"/simple/": ("application/vnd.pypi.simple.v1+json",
                           json.dumps({"meta": {"api-version": "2.0"}, "projects": []}).encode())}
    with PagesServer(routes) as pages:
        code, lines, stderr = run_check("--index", f"{pages.url}/simple/", "--format", "jsonl", "--retries", "0",
                                        cwd=tmp_path)
    assert "Traceback" not in stderr, stderr
    assert code == 2 and lines == []
    assert f"{pages.url}/simple/: cannot list the index's projects: not a Simple API page: " in stderr


def test_a_file_url_no_transport_can_fetch_is_one_attempt_not_retried(tmp_path: Path) -> None:
    """A hostile page's ``file:///etc/passwd`` or ``gopher://`` link: an input error at once (no retry, no backoff)."""
    routes = {"/simple/demo/": ("text/html", simple_page([
        ("file:///etc/passwd", "passwd-1.0.tar.gz"), ("gopher://127.0.0.1/x.tar.gz", "gopher-1.0.tar.gz")]))}
    with PagesServer(routes) as pages:
        code, lines, stderr = run_check("--index", f"{pages.url}/simple/", "--project", "demo", "--format", "jsonl",
                                        "--retries", "3", cwd=tmp_path)
    assert code == 2, stderr
    assert [(record["file"], record["error"]) for record in lines] == [
        ("gopher-1.0.tar.gz", "gopher://127.0.0.1/x.tar.gz: InvalidSchema: No connection adapters were found for "
                              "'gopher://127.0.0.1/x.tar.gz'"),
        ("passwd-1.0.tar.gz", "file:///etc/passwd: InvalidSchema: No connection adapters were found for "
                              "'file:///etc/passwd'")]
