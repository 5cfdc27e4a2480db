"""Credential files by name and secrets by content: generated fake tokens of each documented shape."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.fakes import FAKE_TOKENS
from sdistguard.rules.credentials import SECRET_KINDS, SecretHit, SecretScanner, credential_file_kind, scan_bytes

# Filler text: no anchor of any kind can appear in it (no '-', '_' or upper case letters).
FILLER = st.text(alphabet=string.ascii_lowercase + string.digits + " \n.,=()'\"", max_size=300)


def test_every_kind_has_a_generator_and_a_source() -> None:
    assert {kind.name for kind in SECRET_KINDS} == set(FAKE_TOKENS)
    assert all(kind.source for kind in SECRET_KINDS)


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    pieces, start = [], 0
    for point in points:
        pieces.append(data[start:point])
        start = point
    return [*pieces, data[start:]]


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(sorted(FAKE_TOKENS)), data=st.data(), before=FILLER, after=FILLER,
       cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=8))
def test_a_generated_token_is_found_with_its_kind_and_line_whatever_the_chunks(
        kind: str, data: st.DataObject, before: str, after: str, cuts: list[int]) -> None:
    token = data.draw(FAKE_TOKENS[kind])
    text = f"{before}\ntoken = '{token}'\n{after}".encode()
    scanner = SecretScanner()
    for chunk in _chunks(text, cuts):
        scanner.feed(chunk)
    line = before.count("\n") + 2
    assert scanner.finish() == [SecretHit(kind, line)]
    assert token.encode() not in repr(scanner.hits).encode()  # the secret itself is never kept


@settings(max_examples=200, deadline=None)
@given(text=FILLER, cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=8))
def test_text_without_a_token_shape_has_no_hit(text: str, cuts: list[int]) -> None:
    scanner = SecretScanner()
    for chunk in _chunks(text.encode(), cuts):
        scanner.feed(chunk)
    assert scanner.finish() == []


@pytest.mark.parametrize("text", [
    "AKIAIOSFODNN7EXAMPLE",  # AWS's documentation example, published on purpose
    "ghp_tooshort",
    "xghp_" + "a" * 36,  # not at a word start
    "ghp_" + "a" * 37,  # longer than the shape
    "if line.startswith('-----BEGIN RSA PRIVATE KEY-----'):",  # a parser's constant
    "-----BEGIN PUBLIC KEY-----\n" + "A" * 64 + "\n",
    "pypi-AgEIcHlwaS5vcmc",  # the prefix alone (docs)
    "sk_test_" + "a" * 24,  # Stripe test keys are meant for tests
    "import os, random; key = ''.join(random.choices('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', k=40))",
])
def test_look_alikes_are_not_secrets(text: str) -> None:
    assert scan_bytes(text.encode()) == []


def test_a_big_stream_fed_in_small_chunks_finds_each_line_once() -> None:
    token = "ghp_" + "A1b2" * 9
    text = "".join(f"line {i}\n" if i % 1000 else f"x = '{token}'\n" for i in range(1, 5001)).encode()
    scanner = SecretScanner()
    for start in range(0, len(text), 997):
        scanner.feed(text[start:start + 997])
    assert scanner.finish() == [SecretHit("GitHub token (ghp)", line) for line in (1000, 2000, 3000, 4000, 5000)]



@pytest.mark.parametrize("chunk", [997, 1 << 18, 1 << 20, 3 << 20])
def test_tokens_around_the_scanned_pieces_of_a_big_stream_are_found_once_on_their_line(chunk: int) -> None:
    # a stream of several MiB is scanned in pieces (all but a tail of context, once a MiB waits):
    # tokens just before, across and just after each cut, fed in chunks of every size
    tokens = ["ghp_" + "A1b2" * 9, "AKIA" + "Q" * 16, "npm_" + "z9" * 18, "xoxb-" + "1234567890-" * 2 + "x"]
    data = bytearray(b"filler line of text, no token shape here at all..\n" * 90_000)  # 4.6 MB
    places = [cut + shift for cut in (1 << 20, 2 << 20, 3 << 20, 4 << 20)
              for shift in (-4150, -4096, -2000, -25, 60)]  # -25: across the cut
    for number, place in enumerate(places):
        token = b" " + tokens[number % len(tokens)].encode() + b" "
        data[place:place + len(token)] = token
    stream = bytes(data)
    scanner = SecretScanner()
    for start in range(0, len(stream), chunk):
        scanner.feed(stream[start:start + chunk])
    found = scanner.finish()
    order = lambda hit: (hit.kind, hit.line)  # noqa: E731
    assert sorted(found, key=order) == sorted(_reference_hits(stream), key=order)
    assert len(found) == len(places)

@pytest.mark.parametrize(("path", "expected"), [
    (".pypirc", "PyPI upload credentials (twine, .pypirc)"),
    ("deploy/.netrc", "netrc login credentials"),
    (".git-credentials", "git credential store (git-credential-store)"),
    (".envrc", "direnv environment file"),
    (".env", "dotenv environment file"),
    ("app/.env.production", "dotenv environment file"),
    ("keys/id_ed25519", "SSH private key"),
    ("home/.aws/credentials", "AWS CLI credentials"),
    (".docker/config.json", "Docker registry credentials"),
    (".env.example", None),
    (".env.sample", None),
    ("docs/.env.template", None),
    ("keys/id_ed25519.pub", None),
    ("src/pkg/credentials", None),
    ("src/pkg/config.json", None),
    ("src/environment.py", None),
])
def test_credential_files_by_name(path: str, expected: str | None) -> None:
    assert credential_file_kind(path) == expected


def _reference_hits(data: bytes) -> list[SecretHit]:
    """The scan's definition, spelled out on the whole text: every kind in table order, each anchor
    occurrence in turn, the kind's pattern at it, at a word start, not a published example."""
    hits: list[SecretHit] = []
    for kind in SECRET_KINDS:
        at = data.find(kind.anchor)
        while at >= 0:
            match = kind.pattern.match(data, at)
            before = data[at - 1:at]
            if match is not None and not (before.isalnum() or before == b"_") and match.group() not in kind.allowed:
                hit = SecretHit(kind.name, data.count(b"\n", 0, at) + 1)
                if hit not in hits:
                    hits.append(hit)
            at = data.find(kind.anchor, at + 1)
    return hits


# Pieces that stress the shared probes: anchors next to each other, the probes' needles alone
# (``gh[pousr]_``, ``A[KS]IA``, ``k_live_``), near misses and inside words, tokens glued to other tokens.
_PIECES = st.one_of(
    FILLER,
    st.sampled_from(["gh", "IA", "k_live_", "ghp", "AK", "AS", "_", "-", "sk", "rk", "xk_live_", "KIA", "ghp_",
                     "ghx_", "AKIA", "ASIA", "xox", "xoxo", "AKIAIOSFODNN7EXAMPLE", "github_", "-----BEGIN ", "\n",
                     "A" * 20, "Z9" * 10]),
    st.sampled_from(sorted(FAKE_TOKENS)).flatmap(lambda kind: FAKE_TOKENS[kind]),
)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=12), cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=8),
       pad=st.integers(min_value=0, max_value=9000))
def test_the_scanner_finds_what_the_definition_finds_whatever_the_chunks(
        pieces: list[str], cuts: list[int], pad: int) -> None:
    data = ("." * pad + "".join(pieces)).encode()  # padding moves the pieces across the kept tail
    scanner = SecretScanner()
    for chunk in _chunks(data, cuts):
        scanner.feed(chunk)
    assert scanner.finish() == _reference_hits(data)
    assert scan_bytes(data) == _reference_hits(data)
