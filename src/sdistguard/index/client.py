"""One Simple Repository API index, read through ``pypi-simple``; one file of it, streamed and checked.

The index's pages (PEP 503 HTML, PEP 691 JSON: ``pypi-simple`` asks for either and parses both) give each
project's files with their digests (``#sha256=`` fragments, PEP 691 ``hashes``). A file is streamed with
``requests`` straight to a temporary file (64 KiB at a time, so memory stays bounded whatever its size), its
digests computed on the bytes as they arrive, and the download stopped past a byte cap
(:attr:`Fetching.max_bytes`) or a total time (:attr:`Fetching.file_timeout`). Network errors, timeouts and
HTTP 429/5xx answers are retried with exponential backoff (:attr:`Fetching.retries`); what still fails is
an :class:`FetchError` for that file, never a dropped file.

``pypi-simple``, ``requests`` and ``urllib3`` come with the ``sdistguard[index]`` extra; :func:`require`
imports them and names the extra when they are missing.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

from sdistguard.core.errors import InputError

if TYPE_CHECKING:
    import requests as requests_types

__all__ = [
    "CHUNK",
    "DistFile",
    "Download",
    "FetchError",
    "Fetching",
    "IndexClient",
    "redact",
    "require",
    "unsafe_filename",
]

CHUNK: Final = 64 * 1024
"""Bytes read from the network, hashed and written at a time."""

_RETRY_STATUS: Final = frozenset({408, 425, 429, 500, 502, 503, 504})
"""HTTP answers worth asking again (timeouts, rate limits, a server or proxy that failed for now)."""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` (``"pypi_simple"``, ``"distributed"``); raise :class:`InputError` naming ``extra``.

    The message says what to install: ``pip install "sdistguard[index]"``.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise InputError(
            f'{error.name or module} is not installed: `sdistguard check --index` needs the "{extra}" extra '
            f'(pip install "sdistguard[{extra}]")'
        ) from None


_USERINFO: Final = re.compile(r"(?<=://)[^/@\s?#]+@")
"""The credentials of a URL (``user:token@``, RFC 3986 userinfo), as pip's ``--index-url`` convention carries them."""


def redact(text: str) -> str:
    """``text`` (a URL, or a message naming URLs) with each URL's credentials shown as ``****@``.

    Every URL an index run writes (records, errors, the summary) goes through it: the index's token is used
    to fetch, never printed. Raises nothing.
    """
    return _USERINFO.sub("****@", text)


class FetchError(InputError):
    """A page or a file of the index could not be read (after the retries); ``str()`` names the URL and why
    (its credentials shown as ``****@``, :func:`redact`)."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


@dataclass(frozen=True)
class Fetching:
    """How files and pages are fetched. Times are in seconds, sizes in bytes.

    ``connect_timeout`` and ``read_timeout`` bound each connection attempt and each read from the socket
    (``requests``' ``timeout=(connect, read)``); ``file_timeout`` bounds one file or page in all, attempts
    and backoff included (checked between reads, so it may be passed by at most one ``read_timeout``).
    ``retries``: further attempts after a network error, a timeout or HTTP 408/425/429/5xx, waiting
    ``backoff * 2**n`` seconds before attempt ``n + 1``. ``max_bytes``: a file larger than this is not
    downloaded further (an ``audit-limit`` finding). ``max_page_bytes``: a project page larger than this is
    an input error, not read further (a page is parsed in memory; PyPI's largest are tens of MiB).
    """

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    file_timeout: float = 600.0
    retries: int = 3
    backoff: float = 0.5
    max_bytes: int = 2 * 1024 * 1024 * 1024
    max_page_bytes: int = 256 * 1024 * 1024


@dataclass(frozen=True)
class DistFile:
    """One file of a project as the index lists it.

    ``project`` is the project's name as the caller asked for it; ``filename`` the file's name (not yet
    checked: see :func:`unsafe_filename`); ``url`` absolute; ``digests`` the index's ``(algorithm, hex)``
    pairs, sorted (PEP 503 fragment or PEP 691 ``hashes``; lower-case hex).
    """

    project: str
    filename: str
    url: str
    digests: tuple[tuple[str, str], ...] = ()

    @property
    def sha256(self) -> str | None:
        """The index's sha256 for the file (lower-case hex), or ``None`` when it gives none."""
        return dict(self.digests).get("sha256")


@dataclass(frozen=True)
class Download:
    """A file streamed to ``path``: ``size`` bytes, and the digests of what was served (algorithm -> hex).

    ``truncated`` is true when the download stopped at :attr:`Fetching.max_bytes` (``path`` then holds the
    first bytes only and is not audited).
    """

    path: str
    size: int
    served: dict[str, str] = field(default_factory=dict)
    truncated: bool = False


def unsafe_filename(filename: str) -> str | None:
    """Why ``filename`` (as an index lists it) cannot name a file in a temporary directory, or ``None``.

    A hostile index can list ``../x.whl`` or a name with a NUL: such a file is an input error, never written.
    """
    if filename in ("", ".", "..") or any(char in filename for char in "/\\\x00"):
        return f"unsafe file name {filename!r} (a path, or empty)"
    if len(filename.encode("utf-8", "surrogateescape")) > 255:
        return "file name longer than 255 bytes"
    return None


class _Retry(Exception):
    """One attempt failed in a way worth retrying; ``str()`` says how."""


class IndexClient:
    """The projects and files of one index at ``url`` (its Simple API root, such as ``https://host/simple/``).

    One ``requests`` session (connections kept alive), used by one thread. Raises :class:`InputError`
    when ``pypi-simple`` is missing (the ``index`` extra).
    """

    def __init__(self, url: str, fetching: Fetching, user_agent: str = "sdistguard") -> None:
        pypi_simple = require("pypi_simple", "index")
        requests = require("requests", "index")
        self.url = url
        self.fetching = fetching
        self.session: requests_types.Session = requests.Session()
        self.session.headers["User-Agent"] = f"{user_agent} pypi-simple/{pypi_simple.__version__}"
        self._simple: Any = pypi_simple.PyPISimple(url, session=self.session)
        self._pypi_simple = pypi_simple

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()

    def _timeout(self, deadline: float) -> tuple[float, float]:
        left = max(0.001, deadline - time.monotonic())
        return min(self.fetching.connect_timeout, left), min(self.fetching.read_timeout, left)

    def project_names(self) -> Iterator[str]:
        """Every project the index's root page lists, in its order (streamed, PEP 503 or PEP 691).

        Raises :class:`FetchError` when the root page cannot be read (no retry once names were yielded).
        """
        requests = require("requests", "index")
        fetching = self.fetching
        for attempt in range(fetching.retries + 1):
            yielded = False
            try:
                timeout = (fetching.connect_timeout, fetching.read_timeout)
                for name in self._simple.stream_project_names(timeout=timeout):
                    yielded = True
                    yield name
                return
            except (requests.RequestException, self._pypi_simple.UnsupportedContentTypeError) as error:
                if yielded or attempt == fetching.retries or not _retryable(error):
                    raise FetchError(f"{self.url}: cannot list the index's projects: {_why(error)}") from None
                time.sleep(fetching.backoff * 2**attempt)
            except (self._pypi_simple.UnsupportedRepoVersionError, ValueError, TypeError, KeyError) as error:
                why = f"not a Simple API page: {_first_line(error)}"  # a newer api-version, JSON of another shape
                raise FetchError(f"{self.url}: cannot list the index's projects: {why}") from None

    def project_url(self, project: str) -> str:
        """The URL of ``project``'s page (its normalized name below the root, PEP 503)."""
        return str(self._simple.get_project_url(project))

    def files(self, project: str) -> list[DistFile]:
        """The files of ``project``, sorted by file name. Raises :class:`FetchError` (no such project, a page
        that is no Simple API project page, or one that cannot be read after the retries, within
        :attr:`Fetching.file_timeout`)."""
        requests = require("requests", "index")
        urllib3 = require("urllib3", "index")
        pypi_simple = self._pypi_simple
        deadline = time.monotonic() + self.fetching.file_timeout

        url = self.project_url(project)

        def attempt() -> Any:
            try:
                return pypi_simple.ProjectPage.from_response(self._page(url, deadline), project)
            except requests.RequestException as error:
                if _retryable(error):
                    raise _Retry(_why(error)) from None
                raise FetchError(f"{url}: {_why(error)}") from None
            except urllib3.exceptions.HTTPError as error:
                raise _Retry(_why(error)) from None
            except (pypi_simple.UnsupportedRepoVersionError, ValueError, TypeError, KeyError, AttributeError) as error:
                # another Content-Type, a newer major api-version, JSON of another shape (pydantic's ValueError)
                raise FetchError(f"{url}: not a Simple API project page: {_first_line(error)}") from None

        page = self._retrying(attempt, self.project_url(project), deadline)
        files = [
            DistFile(project, package.filename, package.url, tuple(sorted(
                (algorithm.lower(), value.lower()) for algorithm, value in (package.digests or {}).items())))
            for package in page.packages
        ]
        return sorted(files, key=lambda dist: (dist.filename, dist.url))

    def _page(self, url: str, deadline: float) -> requests_types.Response:
        """GET the project page at ``url`` as ``pypi-simple``'s ``get_project_page`` does (its ``Accept``), but
        streamed: at most :attr:`Fetching.max_page_bytes` bytes, within ``deadline``; the response is returned
        with its body read, for ``ProjectPage.from_response``. Raises :class:`FetchError` (404, too large,
        too slow) and what ``requests`` raises (the caller retries)."""
        fetching = self.fetching
        with self.session.get(
            url, stream=True, timeout=self._timeout(deadline), headers={"Accept": self._simple.accept}
        ) as response:
            if response.status_code == 404:
                raise FetchError(f"{url}: no such project on the index")
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_content(CHUNK):
                body += chunk
                if len(body) > fetching.max_page_bytes:
                    limit = fetching.max_page_bytes
                    raise FetchError(f"{url}: the page is larger than {limit} bytes (not read further)")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: not read within {fetching.file_timeout:g} s ({len(body)} bytes read)")
            response._content = bytes(body)  # what a non-streamed request holds: from_response reads it
        return response

    def download(self, dist: DistFile, path: str) -> Download:
        """Stream ``dist`` to ``path`` (created or replaced), hashing it on the way; see :class:`Download`.

        Computes sha256 and every algorithm the index gives that ``hashlib`` guarantees. Raises
        :class:`FetchError` after the retries, on an HTTP error that is not worth retrying (404), or past
        :attr:`Fetching.file_timeout`.
        """
        deadline = time.monotonic() + self.fetching.file_timeout
        download: Download = self._retrying(lambda: self._download_once(dist, path, deadline), dist.url, deadline)
        return download

    def _retrying(self, attempt: Any, url: str, deadline: float) -> Any:
        fetching = self.fetching
        tries = 0
        while True:
            tries += 1
            try:
                return attempt()
            except _Retry as error:
                delay = fetching.backoff * 2 ** (tries - 1)
                if tries > fetching.retries or time.monotonic() + delay >= deadline:
                    given = "attempt" if tries == 1 else "attempts"
                    raise FetchError(f"{url}: {error} ({tries} {given})") from None
                time.sleep(delay)

    def _download_once(self, dist: DistFile, path: str, deadline: float) -> Download:
        requests = require("requests", "index")
        urllib3 = require("urllib3", "index")
        algorithms = {"sha256"} | {name for name, _ in dist.digests if name in hashlib.algorithms_guaranteed}
        hashers = {name: hashlib.new(name) for name in sorted(algorithms)}
        limit = self.fetching.max_bytes
        size = 0
        try:
            # identity: the bytes hashed are the file's, never a transfer encoding's (a .tar.gz served with
            # Content-Encoding: gzip would otherwise be decompressed); raw.stream reads them as sent.
            with self.session.get(
                dist.url, stream=True, timeout=self._timeout(deadline), headers={"Accept-Encoding": "identity"}
            ) as response:
                if response.status_code in _RETRY_STATUS:
                    raise _Retry(f"HTTP {response.status_code} {response.reason}")
                if response.status_code >= 400:
                    raise FetchError(f"{dist.url}: HTTP {response.status_code} {response.reason}")
                with open(path, "wb") as out:
                    for chunk in response.raw.stream(CHUNK, decode_content=False):
                        if size + len(chunk) > limit:
                            chunk = chunk[: limit - size]
                            out.write(chunk)
                            return Download(path, limit, {}, truncated=True)
                        size += len(chunk)
                        for hasher in hashers.values():
                            hasher.update(chunk)
                        out.write(chunk)
                        if time.monotonic() > deadline:
                            raise FetchError(
                                f"{dist.url}: not downloaded within {self.fetching.file_timeout:g} s "
                                f"({size} bytes read)"
                            )
        except requests.RequestException as error:
            if _retryable(error) or isinstance(error, (requests.ConnectionError, requests.Timeout)):
                raise _Retry(_why(error)) from None
            # no transport for the URL (file://, gopher://), a malformed URL, too many redirects: asking again
            # gives the same answer
            raise FetchError(f"{dist.url}: {_why(error)}") from None
        except urllib3.exceptions.HTTPError as error:  # the stream cut short (IncompleteRead), a broken read
            raise _Retry(_why(error)) from None
        except OSError as error:
            if isinstance(error, (ConnectionError, TimeoutError)):
                raise _Retry(_why(error)) from None
            raise FetchError(f"{dist.url}: cannot write the temporary file: {error.strerror}") from None
        return Download(path, size, {name: hasher.hexdigest() for name, hasher in hashers.items()})


def _retryable(error: BaseException) -> bool:
    """True for a connection error, a timeout or an HTTP answer of :data:`_RETRY_STATUS`."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if status is not None:
        return status in _RETRY_STATUS
    name = type(error).__name__
    return "Timeout" in name or "Connection" in name or "ChunkedEncoding" in name or "ContentDecoding" in name


def _first_line(error: BaseException) -> str:
    """The first line of ``error``'s message (at most 200 characters), or its class name."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return text[:200] + "..." if len(text) > 200 else text


def _why(error: BaseException) -> str:
    """A short reason for a network error: a timeout, a refused connection, an HTTP status."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if status is not None:
        return f"HTTP {status} {getattr(response, 'reason', '') or ''}".rstrip()
    name = type(error).__name__
    if "Timeout" in name:
        return f"timed out ({name})"
    text = str(error)
    if len(text) > 200:
        text = text[:200] + "..."
    return f"{name}: {text}" if text else name

