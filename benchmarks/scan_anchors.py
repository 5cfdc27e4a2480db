"""How to find the secret scan's anchors: a compiled pattern per probe, ``bytes.find``, or one alternation.

``python benchmarks/scan_anchors.py [--files N] [--rounds R]`` reads the interpreter's standard library
(``.py`` files, at most N) and prints the CPU time (``time.process_time``, best of R) of four ways over
every file's bytes: the scanner itself (``SecretScanner.feed`` + ``finish``: the probes of
``sdistguard.rules.credentials``, then each kind's pattern at an anchor), the probes' passes alone (one
compiled pattern per probe, ``search`` from each hit on), the earlier way (one ``bytes.find`` pass per
needle: ``gh`` for the GitHub prefixes, ``IA`` for AWS, ``k_live_`` for Stripe, each other anchor whole),
and one ``re`` alternation of the probes' needles (``finditer``: one pass, but it cannot report two
anchors that overlap, such as ``xox`` twice in ``xoxox``, without a lookahead, which is slower still).
Neither ``bytes.find`` nor ``re`` releases the GIL; the cheapest is kept. ``re``'s search for a pattern
that starts with a literal costs about the same whatever the literal; ``bytes.find`` costs more the
shorter the needle. Run of 2026-12-05 on the 2-core host, idle, 2,039 files, 28.0 MB: see
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import re
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sdistguard.rules.credentials import SecretScanner, _probe_table


def main(argv: list[str]) -> int:
    """Print the CPU seconds of each way; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=3000, help="at most this many .py files (default 3000)")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many rounds (default 3)")
    args = parser.parse_args(argv)
    paths = sorted(Path(sysconfig.get_paths()["stdlib"]).rglob("*.py"))[: args.files]
    texts = [path.read_bytes() for path in paths if "site-packages" not in path.parts]
    print(f"{len(texts):,} files, {sum(map(len, texts)) / 1e6:.1f} MB")
    probes = _probe_table()
    alternation = re.compile(b"|".join(probe.needle for probe in probes))
    needles = [b"pypi-AgE", b"gh", b"github_pat_", b"IA", b"-----BEGIN ", b"glpat-", b"npm_", b"xox", b"k_live_"]

    def scanner() -> int:
        found = 0
        for text in texts:
            scan = SecretScanner()
            scan.feed(text)
            found += len(scan.finish())
        return found

    def passes() -> int:
        found = 0
        for text in texts:
            for probe in probes:
                at = probe.search(text)
                while at is not None:
                    found += 1
                    at = probe.search(text, at.start() + 1)
        return found

    def finds() -> int:
        found = 0
        for text in texts:
            for needle in needles:
                at = text.find(needle)
                while at >= 0:
                    found += 1
                    at = text.find(needle, at + 1)
        return found

    def combined() -> int:
        return sum(1 for text in texts for _ in alternation.finditer(text))

    ways: list[tuple[str, Callable[[], int]]] = [
        ("scanner (probes + patterns)", scanner), (f"{len(probes)} compiled probes", passes),
        (f"{len(needles)} bytes.find passes", finds),
        ("one re alternation", combined),
    ]
    for name, way in ways:
        best = float("inf")
        for _ in range(args.rounds):
            start = time.process_time()
            found = way()
            best = min(best, time.process_time() - start)
        print(f"{name}: {best:.3f} s CPU ({found:,} found)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
