"""Real index servers on 127.0.0.1 and generated dists for the ``check --index`` tests and benchmark.

- :func:`pypiserver` runs ``python -m pypiserver run`` on a free port of 127.0.0.1 over a directory
  (no fallback to the public index, sha256 fragments) and stops it afterwards.
- :class:`PagesServer` is a tiny ``http.server`` in a thread serving fixed pages and files (a PEP 503
  page whose ``#sha256=`` is wrong, files that point at a stalling server).
- :class:`StallServer` accepts connections and never answers.
- :func:`write_dists` fills a directory with sdists and wheels: clean ones, leaking ones (a venv, a
  secret built at run time from parts), hostile archives (a member leaving the archive, a link to /etc,
  a truncated stream).

The small tar and zip writers are copies of the tests' own habits (tests/audit/test_audit_hostile.py writes
archives with ``tarfile``/``zipfile`` the same way); no test module imports another.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import socket
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# A GitHub token shape (ghp_ and 36 characters), assembled here so that no token sits in the source.
SECRET = ("gh" + "p_") + "Z" * 20 + "aB3dE5fG7hJ9kL1mN2"[:16]
SECRET_BYTES = f'TOKEN = "{SECRET}"\n'.encode()


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 (asked of the kernel)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes] | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


@contextmanager
def pypiserver(directory: Path) -> Iterator[str]:
    """Serve ``directory`` with pypiserver on 127.0.0.1; yield its Simple API root URL; stop it after."""
    port = free_port()
    command = [sys.executable, "-m", "pypiserver", "run", "-p", str(port), "-i", "127.0.0.1", "-a", ".", "-P", ".",
               "--disable-fallback", "--hash-algo", "sha256", "--log-stream", "none", str(directory)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}/simple/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


class PagesServer:
    """``http.server`` in a thread on 127.0.0.1: ``routes`` maps a path (``/simple/demo/``) to
    ``(content type, body)``; anything else is a 404. Use as a context manager; :attr:`url` is the root."""

    def __init__(self, routes: dict[str, tuple[str, bytes]]) -> None:
        self.routes = routes
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = outer.routes.get(self.path.split("?")[0])
                if found is None:
                    self.send_error(404)
                    return
                kind, body = found
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PagesServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


class StallServer:
    """Accepts TCP connections on 127.0.0.1 and never sends a byte (until closed). :attr:`url` is its root."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.stopped = False

    def _accept(self) -> None:
        while not self.stopped:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def __enter__(self) -> StallServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped = True
        self.socket.close()
        for connection in self.accepted:
            connection.close()
        self.thread.join(timeout=10)


def simple_page(links: list[tuple[str, str]]) -> bytes:
    """A PEP 503 project page with one ``<a href=URL>NAME</a>`` per ``(url, name)``."""
    anchors = "".join(f'<a href="{url}">{name}</a><br/>\n' for url, name in links)
    return f"<!DOCTYPE html>\n<html><body>\n{anchors}</body></html>\n".encode()


# --------------------------------------------------------------------------- archives


def _tar_add(archive: tarfile.TarFile, name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE,
             target: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mtime = 1_700_000_000
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    if kind == tarfile.SYMTYPE:
        info.linkname = target
    else:
        info.size = len(data)
    archive.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def pkg_info(name: str, version: str) -> bytes:
    """A Metadata-Version 2.4 PKG-INFO for ``name`` ``version``."""
    return f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n".encode()


def write_sdist(directory: Path, name: str, version: str, members: dict[str, bytes | tuple[str, str]]) -> Path:
    """``{name}-{version}.tar.gz`` holding ``PKG-INFO``, ``pyproject.toml`` and ``members`` below its top
    directory: bytes for a file, ``("symlink", target)`` for a link, a name starting with ``/`` or ``..`` as is."""
    top = f"{name}-{version}"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        _tar_add(archive, f"{top}/PKG-INFO", pkg_info(name, version))
        _tar_add(archive, f"{top}/pyproject.toml", b'[build-system]\nbuild-backend = "hatchling.build"\n')
        for member, content in members.items():
            path = member if member.startswith(("/", "..")) else f"{top}/{member}"
            if isinstance(content, tuple):
                _tar_add(archive, path, kind=tarfile.SYMTYPE, target=content[1])
            else:
                _tar_add(archive, path, content)
    target = directory / f"{top}.tar.gz"
    target.write_bytes(buffer.getvalue())
    return target


def write_wheel(directory: Path, name: str, version: str, members: dict[str, bytes]) -> Path:
    """``{name}-{version}-py3-none-any.whl`` with ``members``, a WHEEL, METADATA and a correct RECORD."""
    info = f"{name}-{version}.dist-info"
    files = dict(members)
    files[f"{info}/METADATA"] = pkg_info(name, version)
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: sdistguard-tests\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n")
    rows = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append(f"{path},sha256={digest},{len(data)}")
    rows.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(rows) + "\n").encode()
    target = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            entry = zipfile.ZipInfo(path, (2023, 11, 14, 22, 13, 20))
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return target


def write_dists(directory: Path, copies: int = 1) -> list[Path]:
    """Write a mix of dists into ``directory`` (``copies`` projects of each kind); return their paths.

    Per copy ``i``: ``clean{i}`` (an sdist and a wheel), ``venv{i}`` (an sdist with ``venv/pyvenv.cfg``),
    ``secret{i}`` (a wheel with a GitHub-shaped token), ``escape{i}`` (an sdist with a ``../`` member and a
    link to ``/etc/passwd``), ``broken{i}`` (a truncated sdist: SG591).
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(copies):
        code = f'def answer():\n    return {index}\n'.encode()
        paths.append(write_sdist(directory, f"clean{index}", "1.0", {"src/clean/__init__.py": code}))
        paths.append(write_wheel(directory, f"clean{index}", "1.0", {f"clean{index}/__init__.py": code}))
        paths.append(write_sdist(directory, f"venv{index}", "1.0", {
            "src/venv/__init__.py": code, "venv/pyvenv.cfg": b"home = /usr/bin\n",
            "venv/lib/python3.12/site-packages/x.py": b"x = 1\n"}))
        paths.append(write_wheel(directory, f"secret{index}", "1.0", {f"secret{index}/settings.py": SECRET_BYTES}))
        paths.append(write_sdist(directory, f"escape{index}", "1.0", {
            "../evil.py": b"print('outside')\n", "etc": ("symlink", "/etc/passwd")}))
        noise = b"".join(hashlib.sha256(b"%d" % n).digest() for n in range(4096))  # 128 KiB, incompressible
        whole = write_sdist(directory, f"broken{index}", "1.0", {"data.bin": noise, "after.py": code})
        whole.write_bytes(whole.read_bytes()[: len(noise) // 2])
        paths.append(whole)
    return paths
