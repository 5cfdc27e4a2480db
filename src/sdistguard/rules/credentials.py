"""Credentials that must not ship: credential files by name, and secrets by content.

Three checks, all pure (no I/O of their own):

- :func:`credential_file_kind` tells from a path alone whether a file is a credential store that tools
  write for a user (``.pypirc``, ``.netrc``, an SSH private key, a cloud CLI's credentials file). Such a
  file is never part of a project's source.
- :class:`SecretScanner` is fed a file's bytes chunk by chunk (the bytes a writer already reads) and finds
  tokens whose shape is documented by their issuer and specific enough that a match is a secret, not
  text that looks random: each kind below names its source. There is no entropy guessing, so a file of
  random-looking data never raises a false alarm. A hit gives the kind and the 1-based line; the
  token's text is never kept, so it can never be printed.
- :func:`lfs_pointer` tells whether a file's whole content is a Git LFS pointer (spec v1, as git-lfs's
  reader accepts it): the stub git commits in place of the data, which ships instead of it when
  ``git lfs`` was not run. The scanner
  answers it too (:attr:`SecretScanner.pointer`), from the bytes it is fed, for streams under
  :data:`LFS_POINTER_LIMIT` bytes only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Final, Literal, TypeAlias

from sdistguard.rules.model import ERROR, WARNING, Family, Record, RuleOf

__all__ = [
    "LFS_POINTER_LIMIT", "SECRET_KINDS", "LfsPointer", "SecretHit", "SecretKind", "SecretScanner",
    "content_findings", "credential_file_kind", "lfs_pointer", "scan_bytes",
]


# --------------------------------------------------------------------------- credential files by name

_CREDENTIAL_NAMES: Final[dict[str, str]] = {
    ".pypirc": "PyPI upload credentials (twine, .pypirc)",
    ".netrc": "netrc login credentials",
    "_netrc": "netrc login credentials",
    ".git-credentials": "git credential store (git-credential-store)",
    ".envrc": "direnv environment file",
    ".pgpass": "PostgreSQL password file",
    ".s3cfg": "s3cmd credentials",
    ".boto": "boto credentials",
    "application_default_credentials.json": "Google Cloud application default credentials",
    # SSH private keys, ssh-keygen's default names (their .pub halves are public)
    "id_rsa": "SSH private key",
    "id_dsa": "SSH private key",
    "id_ecdsa": "SSH private key",
    "id_ecdsa_sk": "SSH private key",
    "id_ed25519": "SSH private key",
    "id_ed25519_sk": "SSH private key",
}
"""File name -> what it is. Sources: twine's docs (.pypirc), ftp(1)/curl (.netrc, _netrc on Windows),
git-credential-store(1), direnv(1), libpq (.pgpass), s3cmd, boto, gcloud (ADC), ssh-keygen(1)."""

_CREDENTIAL_PATHS: Final[dict[tuple[str, str], str]] = {
    (".aws", "credentials"): "AWS CLI credentials",
    (".docker", "config.json"): "Docker registry credentials",
    (".kube", "config"): "Kubernetes credentials (kubeconfig)",
    (".azure", "accessTokens.json"): "Azure CLI access tokens",
}
"""(parent directory, file name) -> what it is: the files each cloud CLI writes in its own directory."""

_DOTENV_TEMPLATES: Final = frozenset(
    {"example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "default", "schema", "in", "md"}
)
"""Suffixes of ``.env.<suffix>`` files that hold no values by convention (templates checked in on purpose)."""


def credential_file_kind(relative_path: str) -> str | None:
    """Say what credential store a path is, or ``None``.

    ``relative_path`` is POSIX-style (``/``), relative to the project root or the archive's top-level
    directory. Matched on the last component (and, for cloud CLIs, its parent directory's name), so
    ``deploy/.pypirc`` counts as much as ``.pypirc``. ``.env`` and ``.env.<suffix>`` count (dotenv's
    files: ``.env.local``, ``.env.production``) except template suffixes (``.env.example``,
    ``.env.sample``, ``.env.template``, ...). Raises nothing.
    """
    parent, _, name = relative_path.rstrip("/").rpartition("/")
    found = _CREDENTIAL_NAMES.get(name)
    if found is not None:
        return found
    found = _CREDENTIAL_PATHS.get((parent.rpartition("/")[2], name))
    if found is not None:
        return found
    # ``.env`` or ``.env.<suffix>`` (a name: no ``/``), tested without a regex (one fewer to compile per build)
    if name == ".env" or (name.startswith(".env.") and len(name) > 5 and name[5:].lower() not in _DOTENV_TEMPLATES):
        return "dotenv environment file"
    return None


# --------------------------------------------------------------------------- Git LFS pointers

LFS_POINTER_LIMIT: Final = 1024
"""A Git LFS pointer has fewer bytes than this: git-lfs reads no further to decide (its
``blobSizeCutoff``); the spec's pointers have fewer than 200."""

_LFS_VERSIONS: Final = frozenset({
    b"https://git-lfs.github.com/spec/v1", b"https://hawser.github.com/spec/v1", b"http://git-media.io/v/2"})
"""The version lines git-lfs reads as spec v1: the public one, the pre-release and the alpha URL (``v1Aliases``)."""

_LFS_KEYS: Final = (b"version", b"oid", b"size")
_LFS_EXTENSION_KEY: Final = rb"ext-(?P<priority>[0-9])-[A-Za-z0-9_]"
_LFS_OID: Final = rb"sha256:(?P<oid>[0-9a-f]{64})"
_LFS_SIZE: Final = rb"\+?[0-9]{1,19}"
"""How git-lfs reads a pointer (``lfs/pointer.go``, ``DecodeFrom``/``decodeKVData``, at commit 9c774ce), the
reader that decides what a checkout smudges: the content, leading and trailing whitespace trimmed, must name
git-lfs (``git-media|hawser|git-lfs``); its lines (a ``\r`` before the ``\n`` dropped, blank lines skipped)
are ``{key} {value}``: ``version``, ``oid``, ``size`` in that order, with git-lfs's extensions
(``ext-{priority}-{name} sha256:{hex}``, one per priority, in any order) anywhere before ``size``. The
version is one of :data:`_LFS_VERSIONS`, the oid ``sha256:`` and 64 lowercase hex digits, the size a
non-negative decimal (``strconv.ParseInt``, 64 bits). No other key and no line after ``size``. The spec
(``docs/spec.md``) asks writers for ``\n`` line ends and sorted keys; the reader accepts more, and what it
accepts is what stands in for data."""


@functools.cache
def _lfs_patterns() -> tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[bytes]]:
    """:data:`_LFS_EXTENSION_KEY`, :data:`_LFS_OID` and :data:`_LFS_SIZE` compiled, once, at the first file
    that could be a pointer (not when a build imports this module)."""
    return re.compile(_LFS_EXTENSION_KEY), re.compile(_LFS_OID), re.compile(_LFS_SIZE)


# The value classes here are Records and a plain class, not dataclasses: every build imports this module,
# and making a dataclass costs about 0.5 ms of a small build's start-up (tests/backend/test_startup.py).


class LfsPointer(Record):
    """A Git LFS pointer read from a file's content: ``oid`` (64 hex digits) and ``size`` (bytes) of the
    object it stands for, ``version`` the spec URL on its first line."""

    __slots__ = ("oid", "size", "version")

    version: str
    oid: str
    size: int

    def __init__(self, version: str, oid: str, size: int) -> None:
        _set = object.__setattr__
        _set(self, "version", version)
        _set(self, "oid", oid)
        _set(self, "size", size)

    def describe(self) -> str:
        """The finding's detail: what the file is, and which object it stands for (the oid is no secret)."""
        return f"stands for a {self.size}-byte object, oid sha256:{self.oid[:12]}..."


def lfs_pointer(data: bytes) -> LfsPointer | None:
    """The Git LFS pointer ``data`` (a file's whole content) is, or ``None``.

    A pointer has fewer than :data:`LFS_POINTER_LIMIT` bytes and is what git-lfs's reader accepts (the
    notes below :data:`_LFS_SIZE`: CRLF line ends, blank lines and a missing final newline included;
    extensions in any order, each priority once). Anything else (another version line, an oid of another
    length, another key, text before or after) is not one. Raises nothing.
    """
    if len(data) >= LFS_POINTER_LIMIT:
        return None
    text = data.strip(b" \t\n\r\x0b\x0c")
    if not text.startswith((b"version ", b"ext-")):  # first: most small files end here
        return None
    if not any(name in text for name in (b"git-media", b"hawser", b"git-lfs")):
        return None
    extension_key, oid_value, size_value = _lfs_patterns()
    values: list[bytes] = []
    extensions: dict[bytes, bytes] = {}  # priority -> key
    for raw in text.split(b"\n"):
        line = raw[:-1] if raw.endswith(b"\r") else raw
        if not line:
            continue
        key, space, value = line.partition(b" ")
        if not space or len(values) == len(_LFS_KEYS):
            return None
        if key == _LFS_KEYS[len(values)]:
            values.append(value)
            continue
        extension = extension_key.match(key)
        if extension is None or oid_value.fullmatch(value) is None:
            return None
        if extensions.setdefault(extension.group("priority"), key) != key:
            return None  # two extensions of one priority
    if len(values) != len(_LFS_KEYS):
        return None
    version, oid, size = values
    found = oid_value.fullmatch(oid)
    if version not in _LFS_VERSIONS or found is None or size_value.fullmatch(size) is None or int(size) >= 2**63:
        return None
    return LfsPointer(version.decode(), found.group("oid").decode(), int(size))


# --------------------------------------------------------------------------- secrets by content


class SecretKind:
    """One documented token shape (read-only by convention; constructed with the fields below, in order).

    ``anchor`` is the literal every token of the kind starts with (found with ``bytes.find``, so text
    without it costs one pass of a C loop); ``regex`` (compiled: ``pattern``) matches the whole token at the anchor;
    ``source`` is where the issuer documents the shape. ``allowed`` lists documentation examples that
    are published on purpose (AWS's ``AKIAIOSFODNN7EXAMPLE``) and are not secrets.
    """

    __slots__ = ("_pattern", "allowed", "anchor", "name", "regex", "source")

    def __init__(self, name: str, anchor: bytes, regex: bytes, source: str,
                 allowed: frozenset[bytes] = frozenset()) -> None:
        self.name = name
        self.anchor = anchor
        self.regex = regex
        self.source = source
        self.allowed = allowed
        self._pattern: re.Pattern[bytes] | None = None

    @property
    def pattern(self) -> re.Pattern[bytes]:
        """:attr:`regex` compiled (once per kind, at the first anchor found)."""
        if self._pattern is None:
            self._pattern = re.compile(self.regex)
        return self._pattern

    def __repr__(self) -> str:
        return f"SecretKind({self.name!r}, {self.anchor!r})"


_WORD: Final = rb"A-Za-z0-9_"

SECRET_KINDS: Final[tuple[SecretKind, ...]] = (
    SecretKind(
        "PyPI API token", b"pypi-AgE",
        (rb"pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}"),
        "PyPI help, 'API tokens': the token is 'pypi-' and a macaroon whose base64 starts with the issuer's "
        "location (pypi.org: AgEIcHlwaS5vcmc, test.pypi.org: AgENdGVzdC5weXBpLm9yZw)"),
    *(SecretKind(
        f"GitHub token ({prefix[:-1].decode()})", prefix,
        (re.escape(prefix) + rb"[A-Za-z0-9]{36}(?![" + _WORD + rb"])"),
        "GitHub blog, 'Behind GitHub's new authentication token formats' (2021): prefix and 36 base62 "
        "characters")
      for prefix in (b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_")),
    SecretKind(
        "GitHub fine-grained token", b"github_pat_",
        (rb"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![" + _WORD + rb"])"),
        "GitHub docs, fine-grained personal access tokens: 'github_pat_', 22 and 59 base62 characters"),
    SecretKind(
        "AWS access key id", b"AKIA",
        (rb"AKIA[A-Z0-9]{16}(?![" + _WORD + rb"])"),
        "AWS IAM User Guide, 'Unique identifiers': AKIA (long-term access key) and 16 characters",
        frozenset({b"AKIAIOSFODNN7EXAMPLE", b"AKIAI44QH8DHBEXAMPLE"})),
    SecretKind(
        "AWS temporary access key id", b"ASIA",
        (rb"ASIA[A-Z0-9]{16}(?![" + _WORD + rb"])"),
        "AWS IAM User Guide, 'Unique identifiers': ASIA (temporary STS credentials) and 16 characters"),
    SecretKind(
        "private key (PEM)", b"-----BEGIN ",
        (rb"-----BEGIN (?:[A-Z0-9]+ ){0,2}PRIVATE KEY-----(?P<nl>\r?\n|\\r\\n|\\n)"
         rb"(?:[A-Za-z-]+: ?[^\n\\]*(?P=nl))*(?P=nl)?[A-Za-z0-9+/=]{40,}"),
        "RFC 7468 (PEM): a BEGIN line naming a PRIVATE KEY and a base64 body, also inside a string "
        "literal with \\n escapes; a BEGIN line alone (a parser's constant) is no key"),
    SecretKind(
        "GitLab personal access token", b"glpat-",
        (rb"glpat-[A-Za-z0-9_-]{20,}(?![" + _WORD + rb"-])"),
        "GitLab docs, 'Token prefixes': glpat- for personal access tokens"),
    SecretKind(
        "npm access token", b"npm_",
        (rb"npm_[A-Za-z0-9]{36}(?![" + _WORD + rb"])"),
        "GitHub blog, 'npm's new access token format' (2021): npm_ and 36 base62 characters"),
    SecretKind(
        "Slack token", b"xox",
        (rb"xox[baprs]-[0-9]{10,13}-[0-9]{10,13}(?:-[A-Za-z0-9-]+)?(?![" + _WORD + rb"])"),
        "Slack API docs, 'Token types': xoxb-, xoxp-, xoxa-, xoxr-, xoxs- and numeric team/user ids"),
    *(SecretKind(
        f"Stripe live {what} key", prefix,
        (re.escape(prefix) + rb"[A-Za-z0-9]{24,}(?![" + _WORD + rb"])"),
        "Stripe docs, 'API keys': sk_live_ (secret) and rk_live_ (restricted) keys")
      for prefix, what in ((b"sk_live_", "secret"), (b"rk_live_", "restricted"))),
)
"""Every kind scanned for, each with its documented source."""

_LONGEST: Final = 4096
"""Bytes a match may need after its anchor (the longest: a PEM BEGIN line, its headers and one body line)."""
_SCAN_PIECE: Final = 1 << 20
"""Bytes the scanner lets wait before it scans them (a file of fewer bytes is scanned once, whole, at the end)."""


class _Probe:
    """One search pass standing for several kinds: their anchors all match ``needle`` (a regular expression
    of literals and at most a character class) at ``offset``.

    Every pass over the text is a C loop that holds the GIL (the wheel's workers scan in parallel). A
    compiled pattern that starts with a literal runs ``re``'s prefix search, about 10 ms a pass over the
    standard library's 32 MB whatever the needle, where ``bytes.find`` took 10 ms for an 11-byte needle and
    up to 30 ms for a short one (``gh``, ``IA``: fast search skips less). So the five GitHub prefixes
    share ``gh[pousr]_``, ``AKIA``/``ASIA`` share ``A[KS]IA`` and Stripe's two prefixes ``k_live_``: 9
    passes instead of 16, about 0.10 s for those 32 MB (0.17 s as 9 ``bytes.find`` passes;
    ``benchmarks/scan_anchors.py``).
    """

    __slots__ = ("kinds", "needle", "offset", "search")

    def __init__(self, needle: bytes, offset: int, kinds: tuple[tuple[int, SecretKind], ...]) -> None:
        self.needle = needle
        self.offset = offset
        self.kinds = kinds
        """(index in :data:`SECRET_KINDS`, kind) of each kind this probe stands for."""
        self.search = re.compile(needle).search
        """``needle`` compiled: its ``search(text, pos)``."""


def _probes(kinds: tuple[SecretKind, ...], shared: tuple[tuple[bytes, int], ...]) -> tuple[_Probe, ...]:
    """Group ``kinds`` under the ``shared`` (needle, offset) pairs their anchors match; one probe per other kind
    (its anchor, escaped, at offset 0)."""
    grouped: dict[tuple[bytes, int], list[tuple[int, SecretKind]]] = {}
    for index, kind in enumerate(kinds):
        key = next(((needle, offset) for needle, offset in shared
                    if re.match(needle, kind.anchor[offset:])), (re.escape(kind.anchor), 0))
        grouped.setdefault(key, []).append((index, kind))
    return tuple(_Probe(needle, offset, tuple(members)) for (needle, offset), members in grouped.items())


@functools.cache
def _probe_table() -> tuple[_Probe, ...]:
    """The probes of :data:`SECRET_KINDS`, compiled at the first scan (not at import: a build's start-up)."""
    return _probes(SECRET_KINDS, ((rb"gh[pousr]_", 0), (rb"A[KS]IA", 0), (rb"k_live_", 1)))


class SecretHit(Record):
    """A secret found: its ``kind`` (a :class:`SecretKind` name) and ``line`` (1-based, counted in ``\\n``)."""

    __slots__ = ("kind", "line")

    kind: str
    line: int

    def __init__(self, kind: str, line: int) -> None:
        _set = object.__setattr__
        _set(self, "kind", kind)
        _set(self, "line", line)


class SecretScanner:
    """Find documented token shapes in a stream of bytes, fed in chunks of any size.

    ``feed(chunk)`` as the bytes arrive, ``finish()`` once at the end; ``hits`` then lists each
    (kind, line) once, in the order found. A token split across chunks is found (the scanner keeps
    the last few KiB of the stream); memory stays bounded by :data:`_SCAN_PIECE` plus the chunk size
    plus that tail. The text of a token is never kept. After ``finish()``, :attr:`pointer` is the Git
    LFS pointer the whole stream is (:func:`lfs_pointer`; looked at only for a stream under
    :data:`LFS_POINTER_LIMIT` bytes), or ``None``. ``secrets=False`` skips the token scan (``hits``
    stays empty), ``pointers=False`` the pointer check. Raises nothing.
    """

    def __init__(self, *, secrets: bool = True, pointers: bool = True) -> None:
        self.hits: list[SecretHit] = []
        self.pointer: LfsPointer | None = None
        self._secrets = secrets
        self._pointers = pointers
        self._size = 0  # bytes fed
        self._seen: set[tuple[str, int]] = set()
        self._buffer = b""  # the bytes kept: the unscanned tail of the stream, with context before it
        self._chunks: list[bytes] = []  # fed after the buffer, not joined to it yet
        self._pending = 0  # bytes in _chunks
        self._lines_before = 0  # newlines in the bytes dropped from the front of the buffer
        self._scan_from = 0  # anchors before this offset of the buffer were looked at already

    def feed(self, chunk: bytes) -> None:
        """Scan ``chunk``, the next bytes of the stream.

        The chunks are kept until :data:`_SCAN_PIECE` bytes wait (then scanned, all but the last
        :data:`_LONGEST`), so a file fed in one piece or a few is scanned once, by :meth:`finish`, with
        no copy of its bytes and no count of its lines (counted only for a hit, or for bytes dropped).
        """
        self._size += len(chunk)
        if self._secrets:
            self._chunks.append(chunk)
            self._pending += len(chunk)
            if self._pending >= _SCAN_PIECE:
                self._join()
                self._scan(len(self._buffer) - _LONGEST, final=False)
        elif self._size < LFS_POINTER_LIMIT:  # only the pointer check: keep a small stream whole
            self._buffer += chunk

    def finish(self) -> list[SecretHit]:
        """Scan what is left, check for a pointer (:attr:`pointer`) and return :attr:`hits`."""
        self._join()
        if self._pointers and self._size < LFS_POINTER_LIMIT:
            # under _SCAN_PIECE bytes the buffer still holds the whole stream: no scan has cut it yet
            self.pointer = lfs_pointer(self._buffer)
        if self._secrets:
            self._scan(len(self._buffer), final=True)
        self._buffer = b""
        return self.hits

    def _join(self) -> None:
        """Append the waiting chunks to the buffer (one chunk onto an empty buffer: no copy)."""
        chunks = self._chunks
        if chunks:
            if self._buffer:
                chunks.insert(0, self._buffer)
            self._buffer = b"".join(chunks)  # one exact bytes object is returned as it is
            chunks.clear()
            self._pending = 0

    def _scan(self, limit: int, *, final: bool) -> None:
        """Look at the anchors that start before ``limit`` (an offset of the buffer) and match them;
        unless ``final``, drop the buffer's front up to one byte before ``limit`` (its lines counted)."""
        buffer = self._buffer
        start_from = self._scan_from
        if limit <= start_from:
            return
        found: list[tuple[int, int, SecretKind]] = []  # (kind index, start, kind): reported in table order
        for probe in _probe_table():
            offset, search = probe.offset, probe.search
            at = search(buffer, start_from + offset)
            while at is not None and (start := at.start() - offset) < limit:
                for index, kind in probe.kinds:
                    if buffer.startswith(kind.anchor, start):
                        found.append((index, start, kind))
                at = search(buffer, start + offset + 1)
        found.sort(key=lambda hit: (hit[0], hit[1]))
        for _, start, kind in found:
            match = kind.pattern.match(buffer, start)
            if match is not None and self._starts_a_word(buffer, start) and match.group() not in kind.allowed:
                line = self._lines_before + buffer.count(b"\n", 0, start) + 1
                if (kind.name, line) not in self._seen:
                    self._seen.add((kind.name, line))
                    self.hits.append(SecretHit(kind.name, line))
        if final:
            return
        keep_from = limit - 1  # one byte of context before the next scan's first anchor
        if keep_from > 0:
            self._lines_before += buffer.count(b"\n", 0, keep_from)
            self._buffer = buffer[keep_from:]
            self._scan_from = 1
        else:
            self._scan_from = limit

    @staticmethod
    def _starts_a_word(buffer: bytes, start: int) -> bool:
        if start == 0:
            return True
        before = buffer[start - 1:start]
        return not (before.isalnum() or before == b"_")


def scan_bytes(data: bytes) -> list[SecretHit]:
    """Scan one whole byte string (a file's content); see :class:`SecretScanner`."""
    scanner = SecretScanner()
    scanner.feed(data)
    return scanner.finish()


# --------------------------------------------------------------------------- the family's rules
# Each rule is one object (code, name, severity, effect, reason, fix, source, docs text); adding one here (its
# code in Code, its name in RuleName, its object in FAMILY) is the whole registry change.

def content_findings(
    hits: Sequence[SecretHit], pointer: LfsPointer | None, *, pointer_kept: bool = False
) -> list[tuple[RuleName, str, int]]:
    """What a file's content scan found, as the build's writers and the auditor both report it: one
    ``("secret", "line N: <kind>", N)`` per hit (never the token itself), in the order given, then
    ``("lfs-pointer", <what it stands for>, 0)`` when the whole content is a Git LFS ``pointer`` and
    ``pointer_kept`` is false (the build's ``keep`` names the file; the auditor reads no ``keep``).

    ``hits`` and ``pointer`` are a :class:`SecretScanner`'s (``finish()`` and ``pointer``); the third item is
    the 1-based line (0: the whole file), by which a log keeps the findings in order. Raises nothing.
    """
    found: list[tuple[RuleName, str, int]] = [("secret", f"line {hit.line}: {hit.kind}", hit.line) for hit in hits]
    if pointer is not None and not pointer_kept:
        found.append(("lfs-pointer", pointer.describe(), 0))
    return found


Code = Literal["SG601", "SG602", "SG603", "SG604"]
"""The codes of this family, in table order."""
RuleName = Literal["credential-file", "secret", "lfs-pointer", "credential-file-shipped"]
"""The names of this family's rules, in table order."""
Rule: TypeAlias = RuleOf[Code, RuleName]


CREDENTIAL_FILE: Final[Rule] = Rule(
    "SG601", "credential-file", WARNING,
    reason=(
        "credential file (.pypirc, .netrc, .git-credentials, .envrc, .env, SSH private key, cloud CLI "
        "credentials)"
    ),
    hint=(
        "delete it from the project and revoke what it holds if it was ever published; to ship a fake "
        "one on purpose, add it to [tool.sdistguard] keep"
    ),
    source="each tool's documentation (named in rules/credentials.py)",
    docs='''\
**Cause:** a credential store that tools write for a user, found by its name: `.pypirc`, `.netrc`/`_netrc`,
`.git-credentials`, `.envrc`, `.env` and `.env.<anything>` except templates (`.env.example`, `.env.sample`,
`.env.template`, ...), `.pgpass`, `.s3cfg`, `.boto`, SSH private keys by ssh-keygen's names (`id_rsa`,
`id_ed25519`, ...; not their `.pub` halves), and cloud CLI files (`.aws/credentials`, `.docker/config.json`,
`.kube/config`, `.azure/accessTokens.json`, gcloud's `application_default_credentials.json`).
The backend leaves it out with a warning. In an unpacked sdist (a `PKG-INFO` at the project root: a published
sdist being rebuilt) it ships instead, as SG604.
**Fix:** delete it from the project, and revoke what it holds if it was ever published. A fake one shipped on
purpose (a test fixture) goes in `[tool.sdistguard] allow-secrets`: one entry accepts the file by name (SG601)
and its content (SG602), so pygments' `tests/examplefiles/asc/id_ecdsa` needs that one line. `keep` lets the
file in too, but its content is still scanned. `sdistguard check` reads the same `allow-secrets`.
**Source:** `src/sdistguard/rules/credentials.py` names each tool's documentation.
''',
)

SECRET: Final[Rule] = Rule(
    "SG602", "secret", ERROR,
    reason="file content holding a secret of a documented token shape (PyPI, GitHub, AWS, private key, ...)",
    hint="remove the secret and revoke it; a throwaway test key ships through [tool.sdistguard] allow-secrets",
    effect="blocks",
    source="each token issuer's documented shape (named in rules/credentials.py)",
    docs='''\
**Cause:** a file that ships holds a token of a documented, specific shape: a PyPI API token (`pypi-` and a
macaroon for pypi.org or test.pypi.org), a GitHub token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`),
an AWS access key id (`AKIA`/`ASIA` and 16 characters; AWS's documentation examples are not secrets), a PEM
private key block (a BEGIN line and a base64 body), a GitLab, npm, Slack or Stripe live key. The finding names
the file, the line and the kind; the secret itself is never printed. No entropy guessing: random-looking data
is never reported. Registry scans found thousands of such secrets in published packages (GitGuardian with Tom
Forbes: 3,938 unique, 768 valid).
Every member the backend writes is scanned, the generated ones too: `PKG-INFO`, the wheel's `METADATA` (the
readme is its long description, the `description` its summary), `WHEEL`, `entry_points.txt`, the license files
copied into `.dist-info/licenses/`, `RECORD`, and what a build hook generates and declares. A generated member
is named by its path in the artifact (`PKG-INFO`, `demo-1.0.dist-info/METADATA`), as `sdistguard check` names
it, so the build stops on exactly what the auditor would flag in its output.
**Fix:** remove it and revoke it. A throwaway key shipped on purpose (a TLS library's test certificates) goes
in `[tool.sdistguard] allow-secrets` (paths or gitignore-style patterns). A generated member is matched by its
member path: a throwaway key in the readme ships with `allow-secrets = ["README.md", "PKG-INFO",
"*.dist-info/METADATA"]` (it is then on the project's PyPI page too).
**Source:** each kind's issuer documentation, named in `src/sdistguard/rules/credentials.py`.
''',
)

LFS_POINTER: Final[Rule] = Rule(
    "SG603", "lfs-pointer", ERROR,
    reason="file whose content is a Git LFS pointer (spec v1): the stub would ship in place of the data",
    hint=(
        "fetch the data (git lfs pull, or a checkout with git-lfs installed) and build again; to ship "
        "the pointer on purpose, add it to [tool.sdistguard] keep"
    ),
    effect="blocks",
    source='git-lfs docs/spec.md, "The Pointer" (version 1); lfs/pointer.go',
    docs=r'''\
**Cause:** a regular file whose whole content is a Git LFS pointer: the text stub git commits in place of a
large file, which is what the checkout holds when `git lfs` was not installed or not run (a CI clone without
`lfs: true`), so the sdist or wheel would ship the stub instead of the data. A pointer is what git-lfs's own
reader takes for one (`lfs/pointer.go`; the format is `docs/spec.md`, "The Pointer", version 1): under 1024
bytes (git-lfs reads no further), naming git-lfs, and, leading and trailing whitespace aside, the lines
`version https://git-lfs.github.com/spec/v1` (or the pre-release `https://hawser.github.com/spec/v1` or the
alpha `http://git-media.io/v/2`, which git-lfs still reads), `oid sha256:` and 64 lowercase hex digits,
`size` and the object's size in bytes, in that order, with git-lfs's extensions
(`ext-{0-9}-{name} sha256:{64 hex}`, one per priority) before `size`. Like git-lfs, a `\r` before each `\n`,
blank lines and a missing final newline are accepted. Anything else is data: another version line, an oid of
another length, another key, text before or after. The detail gives the object's size and the start of its
oid. Found on the bytes the writer (or the auditor) reads anyway; only files under 1 KiB are looked at. The backend
stops the
build naming the file; `sdistguard check` fails on it in an archive of any backend.
**Fix:** fetch the data (`git lfs pull`, or clone with git-lfs installed; in GitHub Actions `actions/checkout`
with `lfs: true`) and build again. A pointer shipped on purpose (a git-lfs test fixture) goes in
`[tool.sdistguard] keep`. `allow-secrets` does not accept a pointer: a pointer is no secret but missing data.
**Source:** https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md (`src/sdistguard/rules/credentials.py`,
`lfs_pointer`).
''',
)

CREDENTIAL_FILE_SHIPPED: Final[Rule] = Rule(
    "SG604", "credential-file-shipped", WARNING,
    reason="credential file by name in an unpacked sdist (PKG-INFO at the root), shipped as its author built it",
    hint=(
        "delete it and revoke what it holds if it is real; add it to [tool.sdistguard] keep or "
        "allow-secrets to ship it without this warning"
    ),
    effect="shipped",
    source="each tool's documentation (named in rules/credentials.py)",
    docs='''\
**Cause (backend):** a credential file by name (as SG601) in an unpacked sdist, the tree a frontend builds the
wheel from and a packager rebuilds (a regular `PKG-INFO` at the project root, and git tracks nothing there).
The sdist's author chose its files: rebuilding it keeps every member, so sdist -> unpack -> sdist (and the
wheel from it) ships what the sdist held, and this warning names each such file (`strict` refuses it). Its
content is still scanned (SG602).
**Fix:** if it is real, delete it and revoke what it holds, and publish a new sdist without it; to ship it
without the warning, name it in `keep` or `allow-secrets`.
''',
)

FAMILY: Final = Family[Code, RuleName](
    "credentials", "Credentials and secrets",
    '',
    (
        CREDENTIAL_FILE,
        SECRET,
        LFS_POINTER,
        CREDENTIAL_FILE_SHIPPED,
    ),
)
"""The family: its key, its title and intro in docs/rules.md, its rules in table order."""
