"""The rule registry is the one vocabulary: its Literal types, its effects, its docs, and what blocks a build.

Each family module of ``sdistguard.rules`` writes its ``Code`` and ``RuleName`` Literals out by hand (so
that mypy can check every ``finding("...")`` call and every rule object); ``sdistguard.rules`` joins them.
These tests keep each family's Literals and its rules in step, the docs generated from the registry, and
show that mypy really refuses a code or a name the table does not know.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest

from conftest import REPO
from sdistguard.core.config import ADVISORY_CODES, EXTERNAL_LINK_POLICIES, UNTRACKED_POLICIES, Settings
from sdistguard.rules import (
    FAMILIES,
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
from sdistguard.rules.model import Family


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
    from sdistguard.report.summary import format_build_summary
    from sdistguard.report.table import format_check_table
    from sdistguard.rules.render import finding_line

    found = finding("windows-name", "src/demo/con/", "'con' is a reserved device name")
    line = "SG402 src/demo/con/: " + RULES["SG402"].reason + " ('con' is a reserved device name)"
    assert finding_line(found) == line
    assert f"    {line}" in format_build_summary([found], "demo-1.0.tar.gz").splitlines()
    refusal = str(TreeError.from_findings("cannot build the sdist of /p:", [found])).splitlines()
    assert refusal[1] == f"  {line}; fix: {RULES['SG402'].hint}"
    result = AuditResult(path="demo-1.0.tar.gz", kind="sdist", members=1, size=10, findings=[found])
    assert f"  {line}" in format_check_table([result]).splitlines()


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    """All of docs/rules.md is :func:`sdistguard.rules.codes.rules_page` (the table, and each rule's section from
    its ``docs``): run ``python -m sdistguard.rules.codes docs/rules.md docs/check.md`` after changing a rule."""
    from sdistguard.rules.codes import codes_markdown, rules_page

    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert text == rules_page(), "docs/rules.md drifted: run python -m sdistguard.rules.codes docs/rules.md"
    assert len(codes_markdown().splitlines()) == len(RULES) + 2
    assert [code for code in RULES if f"\n### {code} " not in text] == []


def test_docs_check_md_lists_the_codes_by_family_from_the_registry() -> None:
    from sdistguard.rules.codes import FAMILIES_BEGIN, families_markdown, update_markdown

    text = (REPO / "docs" / "check.md").read_text(encoding="utf-8")
    assert FAMILIES_BEGIN in text
    assert update_markdown(text) == text, "docs/check.md drifted: run python -m sdistguard.rules.codes docs/check.md"
    assert "| PyPI's upload rules (SG700-SG749) | SG700-SG710 | - |" in families_markdown().splitlines()


def test_every_code_docs_check_md_calls_advisory_is_advisory_in_the_registry() -> None:
    import re

    text = (REPO / "docs" / "check.md").read_text(encoding="utf-8")
    paragraph = text[text.index("**Advisory**"):].split("\n\n", 1)[0]
    named = set(re.findall(r"SG\d{3}", paragraph))
    assert named and sorted(code for code in named if not RULES[code].advisory) == []  # type: ignore[index]


def test_the_generator_refuses_a_document_without_its_markers() -> None:
    from sdistguard.rules.codes import update_markdown

    with pytest.raises(ValueError, match="the document needs"):
        update_markdown("# no markers\n")


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.key)
def test_each_family_module_types_exactly_its_own_rules(family: Family[Code, RuleName]) -> None:
    """A family module's ``Code`` and ``RuleName`` Literals list its rules, in order: the one place a rule is
    added (its code, its name, its object in ``FAMILY``)."""
    module = _module_of(family)
    assert get_args(module.Code) == tuple(rule.code for rule in family.rules)
    assert get_args(module.RuleName) == tuple(rule.name for rule in family.rules)
    assert all(rule.docs.strip() and rule.source and rule.reason and rule.fix for rule in family.rules)


def _module_of(family: Family[Code, RuleName]) -> Any:
    import importlib
    import pkgutil

    import sdistguard.rules

    for info in pkgutil.iter_modules(sdistguard.rules.__path__):
        module = importlib.import_module(f"sdistguard.rules.{info.name}")
        if getattr(module, "FAMILY", None) is family:
            return module
    raise AssertionError(f"no module of sdistguard.rules defines the family {family.key}")


def test_the_table_is_the_families_in_order() -> None:
    assert list(RULES.values()) == [rule for family in FAMILIES for rule in family.rules]
    assert len({family.key for family in FAMILIES}) == len(FAMILIES)


def test_sdistguard_codes_prints_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    from sdistguard.cli import main
    from sdistguard.rules.codes import codes_text

    assert main(["codes"]) == 0
    assert capsys.readouterr().out == codes_text() + "\n"


def test_findings_and_rules_are_read_only_values_that_pickle_and_copy() -> None:
    """Finding and the rules are plain slotted classes (no dataclass on a build's path): they keep the frozen
    dataclass's meaning, and survive a process pool (``check --index``) and ``copy``."""
    import copy
    import pickle

    found = Finding("SG101", "env/", "pyvenv.cfg", 3, 12, (("marker", "pyvenv.cfg"),))
    for again in (pickle.loads(pickle.dumps(found)), copy.copy(found), copy.deepcopy(found)):
        assert again == found and hash(again) == hash(found) and again.evidence == found.evidence
    assert found == Finding("SG101", "env/", "pyvenv.cfg", 3, 12)  # evidence is not compared
    assert found != Finding("SG101", "env/", "pyvenv.cfg", 3, 13)
    rule = RULES["SG101"]
    assert pickle.loads(pickle.dumps(rule)) == rule and copy.deepcopy(FAMILIES[0]) == FAMILIES[0]
    with pytest.raises(AttributeError):
        found.path = "other/"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        rule.severity = "error"  # type: ignore[misc]
