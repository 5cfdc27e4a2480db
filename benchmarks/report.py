"""Turning measured :class:`~measure.ScenarioResult` objects into the markdown of RESULTS.md.

Scenario keys are ``s`` (the small project of ``uv init --lib``),
``a`` (clean), ``b`` (venv, uv cache, .hypothesis), ``c`` (gitignored build/),
``d`` (scale) and ``e`` (real sources); every function here takes them as a mapping from key to result.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median

from frontends import FRONTENDS, EndToEnd, ratio
from measure import BackendResult, Run, ScenarioResult, paired_ratio

RSS_NOISE_MIB = 1.0
"""How much a peak RSS may move between trees and still count as flat."""
RSS_QUEUE_MIB = 16.0
"""How much more than hatchling's peak RSS the writers may use (their bounded queues and pools)."""
RSS_WRITER_MIB = 3.0
"""The sdist writer's tar stream in flight at most: (QUEUE_CHUNKS + 2) x CHUNK_SIZE of sdist_writer.py."""
PREVIOUS_RATIOS = {"a": (0.837, 0.881), "d": (0.822, 0.857)}
"""The candidate's sdist (wall, CPU) ratios to hatchling in the run before the writers of issue 13
(RESULTS.md of 2026-11-23): the synthetic trees must stay at or below them."""


@dataclass(frozen=True)
class Target:
    """One goal of the issue: ``goal`` in words, ``measured`` in words, ``met`` (``None``: not measured).

    For time goals, ``met`` is judged on wall time and ``cpu_met`` on CPU time; when they disagree
    the machine was noisy, and the report says so.
    """

    goal: str
    measured: str
    met: bool | None
    cpu_met: bool | None = None
    bound: float | None = None
    """For a wall-time ratio: the lowest ratio a writer of the same bytes can reach on this machine
    (the floor over the reference's wall, shared among the cores the floor may use); a limit below it
    cannot be met by any writer, and the status says so."""
    limit: float | None = None


def _sha(result: BackendResult | None, kind: str = "sdist") -> str | None:
    """The sha256 of a result's artifact of ``kind``, if it built."""
    artifact = result.artifact_of(kind) if result is not None else None
    return artifact.sha256 if artifact is not None else None


def _same_bytes(
    goal: str, left: BackendResult | None, right: BackendResult | None, what: str, kind: str = "sdist"
) -> Target:
    """A target that two artifacts of ``kind`` are byte-identical; ``what`` names the right-hand one."""
    left_sha, right_sha = _sha(left, kind), _sha(right, kind)
    if left_sha is None or right_sha is None:
        return Target(goal, "not measured (a build failed)", None)
    if left_sha == right_sha:
        return Target(goal, f"identical to {what} (sha256 {left_sha[:12]})", True)
    assert left is not None and right is not None
    mine, theirs = left.artifact_of(kind), right.artifact_of(kind)
    assert mine is not None and theirs is not None
    return Target(
        goal,
        f"differs from {what}: {mine.size:,} vs {theirs.size:,} bytes, {mine.members:,} vs {theirs.members:,} members",
        False,
    )


def _time_within(
    goal: str, mine: list[Run], theirs: list[Run], limit: float, against: str, cpu_limit: float | None = None,
    bound: float | None = None,
) -> Target:
    """A target that the paired wall-time ratio of ``mine`` to ``theirs`` is at most ``limit``.

    The CPU-time ratio is stated beside it: it moves less when other work shares the machine. With
    ``cpu_limit`` the target is on CPU time alone (at most ``cpu_limit``). ``bound`` is the lowest
    wall ratio the work that must be done allows (see :attr:`Target.bound`), stated when known.
    """
    wall, cpu = paired_ratio(mine, theirs, "wall"), paired_ratio(mine, theirs, "cpu")
    if wall is None or cpu is None:
        return Target(goal, "not measured", None)
    measured = (
        f"wall {wall:.3f}x {against} ({(wall - 1) * 100:+.1f}%); CPU {cpu:.3f}x ({(cpu - 1) * 100:+.1f}%)"
    )
    if cpu_limit is not None:
        return Target(goal, measured, cpu <= cpu_limit)
    if bound is not None:
        measured += f"; bound {bound:.3f}x, {wall / bound:.2f}x the bound"
    return Target(goal, measured, wall <= limit, bound=bound, limit=limit)


def _at_or_below_previous(key: str, mine: list[Run], theirs: list[Run]) -> Target:
    """A target that the sdist ratios of tree ``key`` stay at or below :data:`PREVIOUS_RATIOS`."""
    wall_before, cpu_before = PREVIOUS_RATIOS[key]
    goal = f"({key}) sdist ratios at or below the previous run's (wall {wall_before:.3f}x, CPU {cpu_before:.3f}x)"
    wall, cpu = paired_ratio(mine, theirs, "wall"), paired_ratio(mine, theirs, "cpu")
    if wall is None or cpu is None:
        return Target(goal, "not measured", None)
    return Target(goal, f"wall {wall:.3f}x, CPU {cpu:.3f}x", wall <= wall_before, cpu <= cpu_before)


def _result(scenarios: Mapping[str, ScenarioResult], key: str, label: str) -> BackendResult | None:
    """The result of backend ``label`` on tree ``key``, if that tree was measured."""
    scenario = scenarios.get(key)
    return scenario.results.get(label) if scenario is not None else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator`` when both are known and the denominator is positive."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def evaluate_targets(scenarios: Mapping[str, ScenarioResult], candidate: str, reference: str) -> list[Target]:
    """Check every target of the issue for backend ``candidate`` against ``reference`` (hatchling)."""

    def get(key: str, label: str = candidate) -> BackendResult | None:
        return _result(scenarios, key, label)

    def builds(key: str, label: str = candidate, kind: str = "sdist") -> list[Run]:
        result = get(key, label)
        return result.runs(kind) if result is not None else []

    return [
        _time_within(
            "(s) small project: build_sdist in a fresh process at most 1.05x hatchling's", builds("s"),
            builds("s", reference), 1.05, "hatchling",
        ),
        _time_within(
            "(s) small project: build_wheel in a fresh process at most 1.05x hatchling's", builds("s", kind="wheel"),
            builds("s", reference, "wheel"), 1.05, "hatchling",
        ),
        _same_bytes("(s) same sdist bytes as hatchling", get("s"), get("s", reference), "hatchling's"),
        _same_bytes("(s) same wheel bytes as hatchling", get("s"), get("s", reference), "hatchling's", "wheel"),
        _within_floor("(e) real sources: sdist wall at most 1.05x its floor (zlib 9 over hatchling's tar stream)",
                      scenarios.get("e"), candidate, 1.05),
        _time_within(
            "(e) real sources: sdist CPU at most 1.0x hatchling's", builds("e"), builds("e", reference), 1.0,
            "hatchling", cpu_limit=1.0,
        ),
        _same_bytes("(e) same sdist bytes as hatchling", get("e"), get("e", reference), "hatchling's"),
        _time_within(
            "(e) real sources: wheel wall at most 0.60x hatchling's", builds("e", kind="wheel"),
            builds("e", reference, "wheel"), 0.60, "hatchling",
            bound=_ratio(floor_share(scenarios.get("e"), reference, "wheel"), float(os.cpu_count() or 1)),
        ),
        _time_within(
            "(e) real sources: wheel CPU at most 1.05x hatchling's", builds("e", kind="wheel"),
            builds("e", reference, "wheel"), 1.05, "hatchling", cpu_limit=1.05,
        ),
        _same_bytes("(e) same wheel bytes as hatchling", get("e"), get("e", reference), "hatchling's", "wheel"),
        _same_bytes("(a) same wheel bytes as hatchling", get("a"), get("a", reference), "hatchling's", "wheel"),
        _at_or_below_previous("a", builds("a"), builds("a", reference)),
        _at_or_below_previous("d", builds("d"), builds("d", reference)),
        _time_within(
            "(a) build time within 5% of hatchling", builds("a"), builds("a", reference), 1.05, "hatchling"
        ),
        _same_bytes("(a) same sdist bytes as hatchling", get("a"), get("a", reference), "hatchling's"),
        _time_within(
            "(d) build time within 5% of hatchling", builds("d"), builds("d", reference), 1.05, "hatchling"
        ),
        _same_bytes("(d) same sdist bytes as hatchling", get("d"), get("d", reference), "hatchling's"),
        _time_within("(b) at most 1.10x its own time on (a)", builds("b"), builds("a"), 1.10, "(a)"),
        _same_bytes("(b) same sdist bytes as its own (a)", get("b"), get("a"), "(a)'s"),
        *_walk_targets(get("c", reference), get("c"), get("a", reference), get("a")),
        _same_bytes("(c) same sdist bytes as hatchling", get("c"), get("c", reference), "hatchling's"),
        _memory_below(scenarios, candidate, reference),
        _memory_flat(scenarios, candidate),
        _memory_flat_in_files(scenarios, candidate),
    ]


def _within_floor(goal: str, scenario: ScenarioResult | None, label: str, limit: float) -> Target:
    """A target that backend ``label``'s sdist wall time is at most ``limit`` times the floor of its round."""
    measured = scenario.floor_ratio(label, "sdist") if scenario is not None and label in scenario.results else None
    if measured is None:
        return Target(goal, "not measured", None)
    return Target(goal, f"{measured:.3f}x the floor", measured <= limit)


def end_to_end_targets(results: list[EndToEnd], candidate: str, reference: str) -> list[Target]:
    """The end-to-end target of the small project: ``uv build`` at most 1.03x hatchling's (wall, paired);
    ``python -m build`` is reported beside it with the same limit. Nothing when not measured."""
    if not results:
        return []
    targets = []
    for frontend in FRONTENDS:
        goal = f"(s) small project: `{frontend}` end to end at most 1.03x hatchling's"
        wall = ratio(results, frontend, candidate, reference, "wall")
        cpu = ratio(results, frontend, candidate, reference, "cpu")
        if wall is None or cpu is None:
            targets.append(Target(goal, "not measured", None))
            continue
        measured = f"wall {wall:.3f}x hatchling ({(wall - 1) * 100:+.1f}%); CPU {cpu:.3f}x ({(cpu - 1) * 100:+.1f}%)"
        targets.append(Target(goal, measured, wall <= 1.03, cpu <= 1.03))
    mine = {r.frontend: r.wheel_sha256 for r in results if r.label == candidate}
    theirs = {r.frontend: r.wheel_sha256 for r in results if r.label == reference}
    same = [mine.get(f) is not None and mine.get(f) == theirs.get(f) for f in FRONTENDS]
    targets.append(Target("(s) end to end: same wheel bytes as hatchling (the wheel built from the sdist)",
                          "identical" if all(same) else "differs or not built", all(same)))
    return targets


def end_to_end_table(results: list[EndToEnd], reference: str) -> str:
    """The small project end to end: one row per frontend and backend (empty when not measured)."""
    if not results:
        return ""
    lines = [
        "| Frontend | Backend | Wall s: median [min, max] | CPU s | x hatchling wall | x hatchling CPU | Artifacts |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for result in results:
        walls = [run.wall for run in result.runs]
        cells = [
            f"`{result.frontend}`",
            result.label,
            f"{median(walls):.3f} [{min(walls):.3f}, {max(walls):.3f}]" if walls else "—",
            _fmt(median(run.cpu for run in result.runs) if result.runs else None, "{:.3f}"),
            _fmt(ratio(results, result.frontend, result.label, reference, "wall"), "{:.3f}"),
            _fmt(ratio(results, result.frontend, result.label, reference, "cpu"), "{:.3f}"),
            ", ".join(result.artifacts) + (f" ({'; '.join(result.notes)})" if result.notes else ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _walk_targets(
    ref_c: BackendResult | None,
    own_c: BackendResult | None,
    ref_a: BackendResult | None,
    own_a: BackendResult | None,
) -> list[Target]:
    """The (c) targets on the walk alone, read two ways.

    As written: the candidate's walk of (c) at least 10x faster than hatchling's (median of the
    per-round ratios). What it is after, "never walk what is left out": the cost of ``build/``
    itself (median walk on (c) minus median walk on (a)) at most a tenth of hatchling's.
    """
    whole = "(c) walk at least 10x faster than hatchling's"
    marginal = "(c) cost of build/ in the walk ((c) minus (a)) at most 1/10 of hatchling's"
    if ref_c is None or own_c is None or ref_a is None or own_a is None:
        return [Target(whole, "not measured", None), Target(marginal, "not measured", None)]
    speedup = paired_ratio(ref_c.walks, own_c.walks, "inner")
    times = [ref_c.walk_time(), own_c.walk_time(), ref_a.walk_time(), own_a.walk_time()]
    if speedup is None or None in times:
        return [Target(whole, "not measured", None), Target(marginal, "not measured", None)]
    ref_time_c, own_time_c, ref_time_a, own_time_a = (t or 0.0 for t in times)
    ref_extra, own_extra = ref_time_c - ref_time_a, own_time_c - own_time_a
    return [
        Target(whole, f"{speedup:.1f}x ({ref_time_c:.3f} s vs {own_time_c:.3f} s)", speedup >= 10),
        Target(
            marginal,
            f"hatchling {ref_extra * 1e3:+.0f} ms, candidate {own_extra * 1e3:+.0f} ms",
            own_extra <= ref_extra / 10,
        ),
    ]


def _all_met(checks: list[bool | None]) -> bool | None:
    """``None`` if any check could not be made (or there were none), else whether all hold."""
    if not checks or None in checks:
        return None
    return all(checks)


def _memory_below(scenarios: Mapping[str, ScenarioResult], candidate: str, reference: str) -> Target:
    """The target that the candidate's peak RSS is at most hatchling's + RSS_QUEUE_MIB on the same tree."""
    deltas: list[str] = []
    checks: list[bool | None] = []
    for key, scenario in scenarios.items():
        for kind in scenario.kinds:
            own = scenario.results[candidate].median_of(kind, "rss_kib")
            ref = scenario.results[reference].median_of(kind, "rss_kib")
            if own is None or ref is None:
                checks.append(None)
                continue
            deltas.append(f"({key}) {kind} {own - ref:+.2f} MiB")
            checks.append(own <= ref + RSS_QUEUE_MIB)
    measured = "candidate minus hatchling: " + ", ".join(deltas) if deltas else "not measured"
    goal = f"peak RSS at most hatchling's + {RSS_QUEUE_MIB:.0f} MiB on the same tree and artifact"
    return Target(goal, measured, _all_met(checks))


def _memory_flat_in_files(scenarios: Mapping[str, ScenarioResult], candidate: str) -> Target:
    """The target that the candidate's sdist peak RSS does not grow with the number of files ((a) to (d)).

    Allowed: RSS_WRITER_MIB, the sdist writer's bound on tar stream in flight (its queue), which a
    tree whose tar stream is smaller than that never fills, plus RSS_NOISE_MIB.
    """
    limit = RSS_WRITER_MIB + RSS_NOISE_MIB
    goal = f"peak RSS flat in the number of files ((d), 20x the files, within {limit:.0f} MiB of (a))"
    base, scale = _result(scenarios, "a", candidate), _result(scenarios, "d", candidate)
    base_rss = base.rss_mib() if base is not None else None
    scale_rss = scale.rss_mib() if scale is not None else None
    if base_rss is None or scale_rss is None:
        return Target(goal, "not measured", None)
    return Target(goal, f"(d) {scale_rss - base_rss:+.2f} MiB", scale_rss - base_rss <= limit)


def _memory_flat(scenarios: Mapping[str, ScenarioResult], candidate: str) -> Target:
    """The target that the candidate's peak RSS does not grow with what is left out ((b), (c) vs (a))."""
    goal = f"peak RSS flat in what is left out ((b), (c) within {RSS_NOISE_MIB:.0f} MiB of (a))"
    base = _result(scenarios, "a", candidate)
    base_rss = base.rss_mib() if base is not None else None
    growths: list[str] = []
    checks: list[bool | None] = []
    for key in ("b", "c"):
        other = _result(scenarios, key, candidate)
        other_rss = other.rss_mib() if other is not None else None
        if base_rss is None or other_rss is None:
            checks.append(None)
            continue
        growths.append(f"({key}) {other_rss - base_rss:+.2f} MiB")
        checks.append(other_rss - base_rss <= RSS_NOISE_MIB)
    return Target(goal, ", ".join(growths) or "not measured", _all_met(checks))


def results_table(scenarios: Mapping[str, ScenarioResult], reference: str) -> str:
    """The main markdown table: one row per tree, artifact and backend."""
    lines = [
        "| Tree | Files / dirs on disk | Artifact | Backend | Build wall s: median [min, max] | Build CPU s "
        "| x hatchling wall | x hatchling CPU | x floor wall | Walk s | Peak RSS MiB | bytes | Members | sha256 |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, scenario in scenarios.items():
        for kind in scenario.kinds:
            for label, result in scenario.results.items():
                artifact = result.artifact_of(kind)
                walls = [run.wall for run in result.runs(kind)]
                spread = f" [{min(walls):.3f}, {max(walls):.3f}]" if walls else ""
                cells = [
                    f"({key}) {scenario.title}",
                    f"{scenario.files:,} / {scenario.directories:,}",
                    kind,
                    label,
                    _fmt(result.median_of(kind, "wall"), "{:.3f}") + spread,
                    _fmt(result.median_of(kind, "cpu"), "{:.3f}"),
                    _fmt(scenario.paired_ratio(label, reference, "wall", kind), "{:.3f}"),
                    _fmt(scenario.paired_ratio(label, reference, "cpu", kind), "{:.3f}"),
                    _fmt(scenario.floor_ratio(label, kind), "{:.2f}"),
                    _fmt(result.walk_time() if kind == "sdist" else None, "{:.3f}"),
                    _fmt(result.median_of(kind, "rss_kib"), "{:.1f}"),
                    f"{artifact.size:,}" if artifact else "—",
                    f"{artifact.members:,}" if artifact else "—",
                    f"`{artifact.sha256[:12]}`" if artifact else "—",
                ]
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def floor_share(scenario: ScenarioResult | None, reference: str, kind: str) -> float | None:
    """The median, over rounds, of the floor's time over ``reference``'s wall time on a tree's ``kind``.

    For an sdist this is the lowest wall ratio to ``reference`` a writer of the same bytes can reach:
    zlib level 9 over one stream runs on one core whatever the writer does. A wheel's members are
    independent, so its floor may be shared among the cores. ``None`` when not measured.
    """
    if scenario is None or reference not in scenario.results:
        return None
    ref_runs, floors = scenario.results[reference].runs(kind), scenario.floors.get(kind, [])
    if not ref_runs or len(ref_runs) != len(floors):
        return None
    return median(f.inner / run.wall for f, run in zip(floors, ref_runs, strict=True))


def floor_table(scenarios: Mapping[str, ScenarioResult], labels: list[str]) -> str:
    """How close each backend gets to the compression floor: one row per tree and artifact timed.

    The floor is the deflating alone (zlib level 9 over the whole tar stream of an sdist; zlib's
    default level and sha256 over each member of a wheel, one core); a backend's 'x floor' is its
    build wall time over the floor, paired by round. For the sdist, the floor over hatchling's
    wall is the best ratio to hatchling any writer of the same bytes can reach on one stream.
    """
    reference = labels[0]
    header = "| Tree | Artifact | Floor s | Floor / hatchling wall | Same stream | " + " | ".join(
        f"{label} x floor" for label in labels
    ) + " |"
    lines = [header, "|---|---|---:|---:|---|" + "---:|" * len(labels)]
    for key, scenario in scenarios.items():
        for kind in scenario.kinds:
            floor = scenario.floor_seconds(kind)
            if floor is None:
                continue
            share = floor_share(scenario, reference, kind)
            cells = [
                f"({key})",
                kind,
                f"{floor:.3f}",
                _fmt(share, "{:.2f}x"),
                "yes" if scenario.floor_same.get(kind) else "no",
                *[_fmt(scenario.floor_ratio(label, kind), "{:.2f}") for label in labels],
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def notes_list(scenarios: Mapping[str, ScenarioResult]) -> list[str]:
    """Every note of every result, as ``(key) label: note`` lines."""
    return [
        f"({key}) {label}: {note}"
        for key, scenario in scenarios.items()
        for label, result in scenario.results.items()
        for note in result.notes
    ]


def _fmt(value: float | None, pattern: str) -> str:
    """``pattern.format(value)``, or a dash for a missing value."""
    return "—" if value is None else pattern.format(value)


def growth_paragraph(scenarios: Mapping[str, ScenarioResult], labels: list[str], build_dir_files: int) -> str:
    """How time grows from (a) to (d), per file, and what left-out content costs in (b) and (c).

    The per-file cost is the slope of build CPU time through (a) and (d) for each backend in
    ``labels`` (CPU time, not wall time, so that other work on the machine does not bend it; the
    walk alone, where measured, splits it into walking and archiving).
    """
    if "a" not in scenarios or "d" not in scenarios:
        return "Not computed: trees (a) and (d) are both needed."
    a, d = scenarios["a"], scenarios["d"]
    added_files = d.files - a.files
    sentences = [
        f"From (a) to (d) the tree grows {d.files / a.files:.0f}x in files ({a.files:,} to {d.files:,}) and "
        f"{d.directories / a.directories:.0f}x in directories, at about the same number of files per "
        "directory, so a per-file and a per-directory cost cannot be told apart there: the fit below (build "
        "CPU time through (a) and (d)) is per file of the tree, and the per-directory cost shows in (c), "
        "where a backend that prunes pays per pruned directory, not per file inside it."
    ]
    for label in labels:
        sentences.append(_per_file_sentence(label, a.results.get(label), d.results.get(label), added_files))
    sentences.extend(_left_out_sentences(scenarios, labels, build_dir_files))
    return " ".join(sentence for sentence in sentences if sentence)


def _per_file_sentence(label: str, a: BackendResult | None, d: BackendResult | None, added_files: int) -> str:
    """One backend's per-file cost from (a) and (d), its walk share (if walked), its memory per
    file, and its start-up cost (wall minus in-hook time on (a), measured, not extrapolated)."""
    cpu_a, cpu_d = (a.cpu(), d.cpu()) if a and d else (None, None)
    if a is None or d is None or cpu_a is None or cpu_d is None:
        return ""
    per_file = (cpu_d - cpu_a) / added_files
    text = f"{label}: {per_file * 1e6:.0f} µs of CPU per file"
    walk_a, walk_d = a.walk_time(), d.walk_time()
    if walk_a is not None and walk_d is not None:
        walk = (walk_d - walk_a) / added_files
        text += f", of which the walk is {walk * 1e6:.0f} µs and reading, tarring and gzipping"
        text += f" {(per_file - walk) * 1e6:.0f} µs"
    rss_a, rss_d = a.rss_mib(), d.rss_mib()
    if rss_a is not None and rss_d is not None:
        per_file_bytes = (rss_d - rss_a) * 1024 * 1024 / added_files
        text += f"; peak RSS {rss_a:.0f} → {rss_d:.0f} MiB ({per_file_bytes:.0f} bytes per file)"
    startup = a.startup()
    if startup is not None:
        text += f"; on top, {startup * 1e3:.0f} ms per build outside the hook (start Python, import the hook"
        text += " module, exit)"
    return text + "."


def _extra_cost(base: BackendResult, other: BackendResult) -> tuple[float, str] | None:
    """How much longer ``other`` took than ``base``: by the walk alone where both walked, else by
    the CPU time of the whole build; returns ``(seconds, how)`` or ``None`` if not measured."""
    walk_base, walk_other = base.walk_time(), other.walk_time()
    if walk_base is not None and walk_other is not None:
        return walk_other - walk_base, "walk"
    cpu_base, cpu_other = base.cpu(), other.cpu()
    if cpu_base is not None and cpu_other is not None:
        return cpu_other - cpu_base, "build CPU"
    return None


def _left_out_sentences(
    scenarios: Mapping[str, ScenarioResult], labels: list[str], build_dir_files: int
) -> list[str]:
    """What the left-out content of (b) and (c) adds to each backend's walk (or build CPU) over (a)."""
    sentences: list[str] = []
    cases = (("c", "the gitignored build/", build_dir_files), ("b", "venv/, .uv-cache/ and .hypothesis/", 0))
    for key, what, count in cases:
        if key not in scenarios:
            continue
        parts = []
        for label in labels:
            base, other = scenarios["a"].results.get(label), scenarios[key].results.get(label)
            extra = _extra_cost(base, other) if base and other else None
            if extra is None:
                continue
            seconds, how = extra
            part = f"{label} {seconds * 1e3:+.0f} ms ({how})"
            if count:
                part += f" = {seconds / count * 1e6:+.1f} µs per file inside it"
            parts.append(part)
        if parts:
            sentences.append(f"Left out in ({key}), {what} costs: " + "; ".join(parts) + ".")
    return sentences


def _status(target: Target) -> str:
    """The status cell: met, missed or not measured, and the CPU-time verdict when it differs."""
    mark = {True: "met", False: "**missed**", None: "not measured"}
    status = mark[target.met]
    if target.met is False and target.bound is not None and target.limit is not None and target.limit < target.bound:
        status += f" (unreachable on this machine: the floor alone is {target.bound:.3f}x)"
    if target.cpu_met is not None and target.met is not None and target.cpu_met != target.met:
        status += f" (by CPU time: {'met' if target.cpu_met else 'missed'}; the machine was noisy)"
    return status


def render_report(
    *,
    machine: Mapping[str, str],
    settings: str,
    table: str,
    floors: str,
    notes: list[str],
    targets: list[Target],
    paragraph: str,
    end_to_end: str = "",
) -> str:
    """The whole RESULTS.md: machine, settings, table, floor table, notes, targets, growth paragraph."""
    parts = [
        "# sdistguard vs hatchling (and uv_build): sdist and wheel build benchmark",
        "",
        "Generated by `benchmarks/compare.py`; do not edit by hand.",
        "",
        "## Machine",
        "",
    ]
    parts += [f"- {name}: {value}" for name, value in machine.items()]
    parts += ["", "## Settings", "", settings, "", "## Results", "", table, ""]
    if end_to_end:
        parts += ["## The small project end to end (isolated builds through real frontends)", "", end_to_end, ""]
    parts += ["## The compression floor", "", floors, ""]
    if notes:
        parts += ["Notes:", "", *[f"- {note}" for note in notes], ""]
    parts += ["## Targets", "", "| Target | Measured | Status |", "|---|---|---|"]
    parts += [f"| {t.goal} | {t.measured} | {_status(t)} |" for t in targets]
    parts += ["", "## How time grows from (a) to (d)", "", paragraph, ""]
    return "\n".join(parts)
