"""Fakes of what must never ship: tokens of each documented secret shape, and Git LFS pointers.

``FAKE_TOKENS`` maps each kind of :data:`sdistguard.rules.credentials.SECRET_KINDS` (by name) to a hypothesis
strategy of strings of that kind's documented shape; none is a real credential. ``pointer_text`` writes a
pointer in git-lfs's format (docs/spec.md, "The Pointer").
"""

from __future__ import annotations

import string
import warnings

from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning

BASE62 = string.ascii_letters + string.digits
URLSAFE = BASE62 + "-_"


def _text(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=size, max_size=size)


# One generator per documented shape: (kind name, strategy of fake tokens).
FAKE_TOKENS: dict[str, st.SearchStrategy[str]] = {
    "PyPI API token": st.builds(lambda host, rest: f"pypi-{host}{rest}",
                                st.sampled_from(["AgEIcHlwaS5vcmc", "AgENdGVzdC5weXBpLm9yZw"]),
                                st.text(alphabet=URLSAFE, min_size=50, max_size=180)),
    **{f"GitHub token ({prefix})": st.builds(lambda body, p=prefix: f"{p}_{body}", _text(BASE62, 36))
       for prefix in ("ghp", "gho", "ghu", "ghs", "ghr")},
    "GitHub fine-grained token": st.builds(lambda a, b: f"github_pat_{a}_{b}", _text(BASE62, 22), _text(BASE62, 59)),
    "AWS access key id": st.builds(lambda body: "AKIA" + body,
                                   _text(string.ascii_uppercase + string.digits, 16)).filter(
        lambda key: not key.endswith("EXAMPLE")),
    "AWS temporary access key id": st.builds(lambda body: "ASIA" + body,
                                             _text(string.ascii_uppercase + string.digits, 16)),
    "private key (PEM)": st.builds(
        lambda label, lines, newline: (f"-----BEGIN {label}PRIVATE KEY-----{newline}"
                                       + newline.join(lines) + f"{newline}-----END {label}PRIVATE KEY-----"),
        st.sampled_from(["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", "DSA "]),
        st.lists(_text(string.ascii_letters + string.digits + "+/", 64), min_size=1, max_size=5),
        st.sampled_from(["\n", "\r\n", "\\n"])),
    "GitLab personal access token": st.builds(lambda body: "glpat-" + body,
                                              st.text(alphabet=BASE62, min_size=20, max_size=26)),
    "npm access token": st.builds(lambda body: "npm_" + body, _text(BASE62, 36)),
    "Slack token": st.builds(lambda kind, a, b, c: f"xox{kind}-{a}-{b}-{c}", st.sampled_from("baprs"),
                             st.from_regex(r"[0-9]{10,13}", fullmatch=True),
                             st.from_regex(r"[0-9]{10,13}", fullmatch=True), _text(BASE62, 24)),
    "Stripe live secret key": st.builds(lambda body: "sk_live_" + body, _text(BASE62, 24)),
    "Stripe live restricted key": st.builds(lambda body: "rk_live_" + body, _text(BASE62, 24)),
}


def fake_token(kind: str = "GitHub token (ghp)") -> str:
    """One fake token of ``kind`` (a key of ``FAKE_TOKENS``), drawn outside a hypothesis test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        return FAKE_TOKENS[kind].example()


# The pointer's version lines git-lfs accepts (the first is the one it writes); the spec's example oid.
VERSIONS = ("https://git-lfs.github.com/spec/v1", "https://hawser.github.com/spec/v1")
SPEC_OID = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"


def pointer_text(oid: str = SPEC_OID, size: int = 12345) -> str:
    """A pointer as git-lfs writes it (by default, the spec's example)."""
    return f"version {VERSIONS[0]}\noid sha256:{oid}\nsize {size}\n"
