"""The options of ``sdistguard check --index`` (argparse), kept light: the parser imports this module only.

The defaults are those of :class:`~sdistguard.index.client.Fetching`; docs/index.md describes each option.
"""

from __future__ import annotations

import argparse

from sdistguard.core.errors import ConfigError
from sdistguard.index.client import Fetching

__all__ = ["add_index_arguments", "refuse_bad_combinations"]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value


def _whole(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"{text!r} must be {least} or more")
    return value


def _shard(text: str) -> tuple[int, int]:
    part, _, count = text.partition("/")
    try:
        shard, shards = int(part), int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not I/N (such as 0/16)") from None
    if not 0 <= shard < shards:
        raise argparse.ArgumentTypeError(f"{text!r}: I must be 0 to N-1")
    return shard, shards


def add_index_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``--index`` options to the ``check`` subcommand's ``parser`` (their defaults: :class:`Fetching`)."""
    group = parser.add_argument_group("auditing an index (sdistguard[index]; docs/index.md)")
    defaults = Fetching()
    group.add_argument("--index", metavar="URL", help="audit the files of a Simple Repository API index "
                       "(PEP 503/691 root, such as https://pypi.org/simple/) instead of PATHs")
    group.add_argument("--project", action="append", metavar="NAME",
                       help="only this project (repeatable; default: every project the index lists)")
    group.add_argument("--shard", type=_shard, metavar="I/N", help="only the projects of shard I of N "
                       "(by the sha256 of the normalized name: N machines with I = 0..N-1 cover the index once)")
    group.add_argument("--resume", metavar="FILE", help="--format jsonl: skip the dists FILE holds, append the "
                       "rest (a torn last line or an input error is done again)")
    group.add_argument("--jobs", type=lambda text: _whole(text, 1), default=1, metavar="N",
                       help="audit projects in N local worker processes (default 1: this process)")
    group.add_argument("--dask", metavar="ADDRESS", help="audit projects on a Dask distributed cluster "
                       "(scheduler address, such as tcp://10.0.0.5:8786; sdistguard[dask])")
    group.add_argument("--timeout", type=_seconds, default=defaults.read_timeout, metavar="SECONDS",
                       help=f"connect and read timeout of each request (default {defaults.read_timeout:g})")
    group.add_argument("--file-timeout", type=_seconds, default=defaults.file_timeout, metavar="SECONDS",
                       help=f"total time for one file or page, retries included (default {defaults.file_timeout:g})")
    group.add_argument("--retries", type=lambda text: _whole(text, 0), default=defaults.retries, metavar="N",
                       help=f"retries after a network error or HTTP 429/5xx, with backoff (default {defaults.retries})")


def refuse_bad_combinations(arguments: argparse.Namespace) -> None:
    """Refuse combinations that cannot mean anything (a :class:`ConfigError`, exit 2)."""
    index_only = [flag for flag, value in (("--project", arguments.project), ("--resume", arguments.resume),
                                           ("--dask", arguments.dask), ("--shard", arguments.shard)) if value]
    if arguments.jobs != 1:
        index_only.append("--jobs")
    if arguments.index is None:
        if arguments.format == "jsonl":
            index_only.append("--format jsonl")
        if index_only:
            raise ConfigError(f"{', '.join(index_only)}: only with --index URL")
        raise ConfigError("check needs PATH arguments or --index URL (usage: sdistguard check [options] PATH "
                          "[PATH ...], or sdistguard check --index URL [options]; see sdistguard check --help)")
    if arguments.paths:
        raise ConfigError("--index URL audits the index: give no PATH with it")
    if arguments.resume and arguments.format != "jsonl":
        raise ConfigError("--resume FILE needs --format jsonl")
    if arguments.resume and arguments.output:
        raise ConfigError("--resume FILE is the output: give no --output with it")
    if arguments.dask and arguments.jobs != 1:
        raise ConfigError("--jobs and --dask exclude each other (the cluster has its own workers)")
