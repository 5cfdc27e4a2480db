"""The rule table is the one vocabulary: its Literal types, its effects, and what blocks a build.

``Code``, ``RuleName``, ``Severity`` and ``Effect`` are written out by hand so that mypy can check
every ``finding("...")`` call and every ``Rule(...)`` row; these tests keep them and the table in
step, and show that mypy really refuses a code or a name the table does not know.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import get_args, get_type_hints

import pytest

from conftest import REPO
from sdistguard.core.config import ADVISORY_CODES, EXTERNAL_LINK_POLICIES, UNTRACKED_POLICIES, Settings
from sdistguard.rules import (
    RULE_BY_NAME,
    RULES,
    Code,
    Effect,
    Finding,
    RuleName,
    Severity,
    blocking_findings,
    finding,
    left_out,
)


def test_code_literal_lists_every_code_of_the_table_in_order() -> None:
    assert get_args(Code) == tuple(RULES)
    assert [rule.code for rule in RULES.values()] == list(RULES)


def test_rule_name_literal_lists_every_name_of_the_table_in_order() -> None:
    assert get_args(RuleName) == tuple(rule.name for rule in RULES.values())
    assert list(RULE_BY_NAME) == list(get_args(RuleName))  # names are unique too


def test_severity_and_effect_literals_are_exactly_those_the_table_uses() -> None:
    assert set(get_args(Severity)) == {rule.severity for rule in RULES.values()} == {"info", "warning", "error"}
    assert set(get_args(Effect)) == {rule.effect for rule in RULES.values()}
    assert set(get_args(Effect)) == {"left out", "rewritten", "shipped", "reported", "blocks"}


def test_every_rule_of_the_auditor_only_reports() -> None:
    auditor = {code for code in RULES if code.startswith("SG5")}
    assert auditor and {RULES[code].effect for code in auditor} == {"reported"}


def test_every_blocking_rule_is_an_error() -> None:
    blocks = {rule.code for rule in RULES.values() if rule.effect == "blocks"}
    assert blocks == {"SG401", "SG402", "SG403", "SG602", "SG611", "SG603"}
    assert {RULES[code].severity for code in blocks} == {"error"}


def test_advisory_codes_come_from_the_table() -> None:
    advisory = {rule.code for rule in RULES.values() if rule.advisory}
    assert advisory == ADVISORY_CODES
    assert sorted(advisory) == [
        "SG104", "SG108", "SG109", "SG204", "SG404", "SG502", "SG521", "SG610", "SG752", "SG753"
    ]


def test_policy_tuples_are_the_literal_types_of_the_settings() -> None:
    hints = get_type_hints(Settings)
    assert get_args(hints["external_links"]) == EXTERNAL_LINK_POLICIES == ("exclude", "error")
    assert get_args(hints["untracked"]) == UNTRACKED_POLICIES == ("include", "warn", "exclude")


def test_left_out_is_decided_by_the_effect() -> None:
    findings = [
        finding("venv", "env/"),  # left out
        finding("link-rewritten", "README"),  # rewritten
        finding("parent-ignore-file", "/up/.gitignore"),  # shipped
        finding("untracked", "notes.txt"),  # reported
        finding("unportable-name", "a:b"),  # blocks
        finding("external-link", "up"),  # left out
    ]
    assert left_out(findings) == [findings[0], findings[5]]


def test_blocking_findings_follow_the_settings() -> None:
    findings = [finding("venv", "env/"), finding("external-link", "up"), finding("unportable-name", "a:b"),
                finding("link-rewritten", "README")]
    assert blocking_findings(findings, Settings()) == [findings[2]]
    assert blocking_findings(findings, Settings(external_links="error")) == [findings[1], findings[2]]
    assert blocking_findings(findings, Settings(strict=True)) == findings[:3]


def test_finding_refuses_an_unknown_name_at_run_time() -> None:
    with pytest.raises(KeyError):
        finding("no-such-rule", "x")  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        _ = Finding("SG999", "x").rule  # type: ignore[arg-type]


def test_mypy_refuses_a_code_or_a_name_the_table_does_not_know(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(textwrap.dedent("""\
        from sdistguard.rules import Finding, Rule, finding

        good = finding("venv", "env/")
        bad_name = finding("venvs", "env/")
        bad_code = Finding("SG999", "x")
        bad_row = Rule("SG101", "venv", "fatal", "reason", "hint", "dropped")
        if good.code == "SG998":
            pass
    """), encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--strict-equality", "--cache-dir", str(tmp_path / "cache"),
         "--no-error-summary", str(sample)],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=600,
        env={"MYPYPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
    )
    lines = [line.partition(": error: ")[0].rpartition(":")[2] for line in completed.stdout.splitlines()
             if ": error: " in line and line.startswith(str(sample))]
    assert lines == ["4", "5", "6", "6", "7"], completed.stdout + completed.stderr


def test_a_refused_build_carries_its_findings() -> None:
    from sdistguard.core.errors import TreeError
    from sdistguard.report.summary import describe_blocking

    blocking = [finding("unportable-name", "a:b", "contains ':'")]
    error = TreeError.from_findings("cannot build the sdist of /p:", blocking)
    assert error.findings == blocking
    assert str(error) == f"cannot build the sdist of /p:\n  {describe_blocking(blocking[0])}"
    assert str(error).endswith("SG401 a:b: file name that installers refuse (contains ':'); "
                               "fix: rename it, or exclude it in [tool.hatch.build] exclude")


def test_a_finding_reads_the_same_in_the_build_report_the_refusal_and_the_auditor_table() -> None:
    """One form, ``CODE path: reason (detail)``: the build's summary, a refused build and ``check``'s table."""
    from sdistguard.audit.base import AuditResult
    from sdistguard.core.errors import TreeError
    from sdistguard.render import finding_line
    from sdistguard.report.summary import format_build_summary
    from sdistguard.report.table import format_check_table

    found = finding("windows-name", "src/demo/con/", "'con' is a reserved device name")
    line = "SG402 src/demo/con/: " + RULES["SG402"].reason + " ('con' is a reserved device name)"
    assert finding_line(found) == line
    assert f"    {line}" in format_build_summary([found], "demo-1.0.tar.gz").splitlines()
    refusal = str(TreeError.from_findings("cannot build the sdist of /p:", [found])).splitlines()
    assert refusal[1] == f"  {line}; fix: {RULES['SG402'].hint}"
    result = AuditResult(path="demo-1.0.tar.gz", kind="sdist", members=1, size=10, findings=[found])
    assert f"  {line}" in format_check_table([result]).splitlines()


def test_the_code_table_of_docs_rules_md_is_the_registry() -> None:
    """docs/rules.md's table is :func:`sdistguard.codes.codes_markdown`: run ``python -m sdistguard.codes
    docs/rules.md`` after changing a rule; every code also has its own section."""
    from sdistguard.codes import codes_markdown, update_markdown

    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert update_markdown(text) == text, "docs/rules.md drifted: run python -m sdistguard.codes docs/rules.md"
    assert len(codes_markdown().splitlines()) == len(RULES) + 2
    assert [code for code in RULES if f"\n### {code} " not in text] == []


def test_sdistguard_codes_prints_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    from sdistguard.cli import main
    from sdistguard.codes import codes_text

    assert main(["codes"]) == 0
    assert capsys.readouterr().out == codes_text() + "\n"
