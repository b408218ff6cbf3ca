"""The rules file: it loads, every citation points to a real policy section, and mistakes are reported."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from dispute_desk.protection import (
    DanglingCitations,
    ProtectionCheck,
    RulesError,
    inputs_from_answers,
    load_rules,
    resolve_citations,
)
from dispute_desk.protection.rules import Effect
from dispute_desk.settings import PROJECT_DIR
from ingest.reader import read_policy, read_source

KNOWLEDGE = PROJECT_DIR / "knowledge"
RULES = KNOWLEDGE / "rules" / "protection.yaml"
TODAY = date(2026, 11, 11)


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in the rules file"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_every_citation_points_to_an_existing_policy_section(protection_check: ProtectionCheck) -> None:
    book = protection_check.ruleset
    for who, cite in book.all_cites():
        document = read_source(KNOWLEDGE / "policy" / cite.file)
        assert cite.section in [s.number for s in document.sections], f"{who} cites {cite}"
        assert protection_check.citations[cite].title == document.title
    assert len(book.rules) >= 30


def test_every_rule_but_a_contradiction_cites_a_section(protection_check: ProtectionCheck) -> None:
    for rule in protection_check.ruleset.rules:
        assert rule.cites is not None or rule.effect is Effect.CONTRADICTION, rule.id


def test_citation_carries_title_section_label_and_url(protection_check: ProtectionCheck) -> None:
    citation = next(
        c
        for cite, c in protection_check.citations.items()
        if (cite.file, cite.section) == ("02-fixed-price-disputes.md", "2.5")
    )
    assert citation.title == "Disputes on fixed-price contracts"
    assert citation.section == "2.5 Answering a client's escrow refund request (7 days)"
    assert (
        citation.label == "Disputes on fixed-price contracts § 2.5 Answering a client's escrow refund request (7 days)"
    )
    assert (
        citation.url
        == "https://support.upwork.com/hc/en-us/articles/211068528-Dispute-non-release-of-a-milestone-payment"
    )


def test_numbers_in_the_file_match_the_policy_guide(protection_check: ProtectionCheck) -> None:
    """Each number's cited section states that number of days (catches a typo in either file)."""
    for name, number in protection_check.ruleset.numbers.items():
        section = next(
            s
            for s in read_source(KNOWLEDGE / "policy" / number.cites.file).sections
            if s.number == number.cites.section
        )
        assert re.search(rf"\b{number.value}[- ](?:calendar )?days?\b", section.text), (name, section.label)


def test_dangling_references_fail_listing_every_one(knowledge_copy: Path) -> None:
    rules = knowledge_copy / "rules" / "protection.yaml"
    _edit(
        rules,
        'cites: {file: 02-fixed-price-disputes.md, section: "2.3"}',
        'cites: {file: 02-fixed-price-disputes.md, section: "2.99"}',
    )
    _edit(
        rules,
        'cites: {file: 05-hourly-protection.md, section: "5.4"}',
        'cites: {file: 15-no-such-file.md, section: "5.4"}',
    )
    book = load_rules(rules)
    with pytest.raises(DanglingCitations) as caught:
        resolve_citations(book, knowledge_copy, read_policy)
    assert caught.value.dangling == [
        "rule fixed-unfunded-part cites 02-fixed-price-disputes.md § 2.99, but policy/02-fixed-price-disputes.md "
        "has no section 2.99",
        "rule hourly-over-limit cites 15-no-such-file.md § 5.4, but policy/15-no-such-file.md does not exist or "
        "cannot be read",
    ]
    assert "2 citation(s) point to nothing" in str(caught.value)


def test_a_renumbered_policy_section_is_caught(knowledge_copy: Path) -> None:
    policy = knowledge_copy / "policy" / "12-direct-contracts.md"
    _edit(policy, "## 12.2 Hourly Direct Contracts", "## 12.3 Hourly Direct Contracts")
    with pytest.raises(
        DanglingCitations, match=r"number direct_hourly_dispute_days cites 12-direct-contracts.md § 12.2"
    ):
        ProtectionCheck.load(knowledge_copy, read_policy)


def test_a_moderator_changes_a_number_without_touching_code(knowledge_copy: Path) -> None:
    rules = knowledge_copy / "rules" / "protection.yaml"
    _edit(rules, "  refund_answer_days:\n    value: 7", "  refund_answer_days:\n    value: 10")
    protection_check = ProtectionCheck.load(knowledge_copy, read_policy)
    answers = {
        "type": "fixed",
        "funded": "yes",
        "submitted_via_contract": "yes",
        "refund_requested": "yes",
        "refund_date": "2026-11-09",
    }
    verdict = protection_check.run(inputs_from_answers(answers), today=TODAY)
    assert verdict.date("refund_deadline").date == date(2026, 11, 19)
    assert any("within 10 days of the refund request (by 2026-11-19)" in s.text for s in verdict.next_steps)


def test_all_problems_in_a_broken_file_are_reported_together(tmp_path: Path) -> None:
    """Unknown keys, wrong types, a bad weekly point and dangling references: one error lists them all, each
    with its place in the YAML, even where a reference points to a definition that is itself broken."""
    raw = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    raw["rules"][0]["when"] = {"fundd": "yes"}
    raw["rules"][1]["effect"] = "maybe"
    raw["rules"][2]["id"] = raw["rules"][3]["id"]
    raw["rules"][4]["reason"] = "Dispute within {refund_days} days."
    raw["rules"][5]["dates"] = ["auto_releas"]
    raw["rules"][6]["when"] = {"passed": "refund_deadlin"}
    raw["dates"]["auto_release"]["days"] = "review_dayz"
    raw["dates"]["week_ends"]["weekly"] = "week_endz"
    raw["numbers"]["review_days"]["value"] = "fourteen"
    raw["questions"][1]["choices"]["perhaps"] = "Perhaps"
    raw["questions"][2]["when"] = {"passed": "auto_release"}
    raw["weekly_cycle"] = {"review_closes": {"week": 1, "day": "funday", "time": 720}}
    raw["colour"] = "blue"
    path = tmp_path / "protection.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert message.startswith(f"{path} has 15 problem(s):\n- line ")
    for expected in (
        "numbers.review_days.value: Input should be a valid integer, got 'fourteen'",
        "dates.auto_release.days: days 'review_dayz' is not one of the numbers (direct_dispute_days, ",
        "dates.week_ends.weekly: Input should be 'week_starts', 'week_ends', 'diary_last_edit', 'review_opens', "
        "'review_closes' or 'earnings_available', got 'week_endz'",
        "questions[1] (funded): choice 'perhaps' is not a value of funded (allowed: yes, some, no, unknown)",
        "questions[2] (submitted_via_contract).when.passed: unknown key 'passed' (allowed: type, funded, ",
        "rules[0] (contradiction-unfunded-but-released).when.fundd: unknown key 'fundd' (allowed: type, ",
        "rules[1] (contradiction-not-ended-but-end-date).effect: Input should be 'protects', 'unprotected', "
        "'voids', 'uncertain', 'contradiction' or 'note', got 'maybe'",
        "rules[2] (paid-outside-upwork).id: the id paid-outside-upwork is used twice",
        "rules[3] (paid-outside-upwork).id: the id paid-outside-upwork is used twice",
        "rules[4] (payment-moved-off-platform).reason: unknown placeholder(s) {refund_days}",
        "rules[5] (academic-cheating).dates: dates lists unknown date id(s) auto_releas",
        "rules[6] (fixed-funded).when.passed: unknown date 'refund_deadlin' (known: auto_release, ",
        "weekly_cycle.review_closes.day: Input should be 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun', "
        "got 'funday'",
        'weekly_cycle.review_closes.time: time must look like "12:00" (in quotes), got 720',
        "colour: unknown key 'colour' (allowed: version, disclaimer, fallback, statuses, numbers, dates, ",
    ):
        assert expected in message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'when: {funded: "no", released: given}',
            'when: {funded: "no", released: soon}',
            "rules[0] (contradiction-unfunded-but-released).when.released: Input should be 'given' or 'missing', "
            "got 'soon'",
        ),
        ("when: {type: outside}", "when: {type: freelance}", "when.type: Input should be 'fixed', 'hourly', "),
        ("passed: refund_deadline}", "passed: refund_deadlin}", "unknown date 'refund_deadlin'"),
        ("dates: [auto_release]", "dates: [auto_releas]", "dates lists unknown date id(s) auto_releas"),
        ("[ on {auto_release}]", "[ on {auto_release}", "the text has an unbalanced or nested [ ]"),
        ("when: {type: outside}", "when: []", "an empty list of conditions never holds; leave 'when' out instead"),
        ("when: {type: outside}", "when: {type: []}", "when.type: give at least one value (or leave the key out)"),
        ("    from: submitted\n", "    from: [submitted, paid]\n", "dates.auto_release.from[1]: a date must be one of"),
        ("    days: review_days\n", "    days: review_days\n    weekly: week_ends\n", "give exactly one of days"),
        ('    cites: {file: 09-circumvention-and-prohibited-work.md, section: "9.2"}\n    next_step: Keep future',
         "    next_step: Keep future", "cites is required (only a contradiction may leave it out)"),
        ("  - field: type\n", "  - field: kind\n", "questions[0] (kind).field: field must be one of type, funded"),
        ("  - field: submitted\n", "  - field: submitted\n    choices: {a: b}\n",
         "questions[12] (submitted): submitted is a date question, which has no choices"),
        ("  refund_deadline:\n", "  ended:\n", "dates.ended (the name): the date id 'ended' is already used"),
        ('section: "1.6"', "section: 1.6", "cites.section: Input should be a valid string, got 1.6"),
    ],
)
def test_single_mistakes_are_named(knowledge_copy: Path, old: str, new: str, message: str) -> None:
    rules = knowledge_copy / "rules" / "protection.yaml"
    _edit(rules, old, new)
    with pytest.raises(RulesError, match=re.escape(message)):
        load_rules(rules)


def test_a_problem_names_its_line_in_the_file(knowledge_copy: Path) -> None:
    rules = knowledge_copy / "rules" / "protection.yaml"
    _edit(rules, "when: {type: outside}", "when: {type: freelance}")
    _edit(rules, "    value: 30\n", "    value: -30\n")
    lines = rules.read_text(encoding="utf-8").splitlines()
    type_line = next(n for n, line in enumerate(lines, start=1) if "when: {type: freelance}" in line)
    value_line = lines.index("    value: -30") + 1
    with pytest.raises(RulesError) as caught:
        load_rules(rules)
    assert str(caught.value).splitlines()[1:] == [
        f"- line {value_line}, numbers.mediation_days.value: Input should be greater than or equal to 0, got -30",
        f"- line {type_line}, rules[3] (paid-outside-upwork).when.type: Input should be 'fixed', 'hourly', "
        "'direct-fixed', 'direct-hourly', 'outside' or 'unknown', got 'freelance'",
    ]


def test_bare_yaml_yes_and_no_are_read_as_answers(knowledge_copy: Path) -> None:
    rules = knowledge_copy / "rules" / "protection.yaml"
    _edit(
        rules, 'when: {type: [fixed, direct-fixed], funded: "yes"}', "when: {type: [fixed, direct-fixed], funded: yes}"
    )
    protection_check = ProtectionCheck.load(knowledge_copy, read_policy)
    answers = {"type": "fixed", "funded": "yes", "submitted_via_contract": "yes"}
    verdict = protection_check.run(inputs_from_answers(answers))
    assert "fixed-funded" in verdict.rules


def test_missing_or_invalid_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read the protection rules"):
        load_rules(tmp_path / "protection.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RulesError, match="is not valid YAML"):
        load_rules(bad)


def test_the_rules_folder_is_not_indexed_as_knowledge() -> None:
    from ingest.discovery import IGNORED_DIRS

    assert "rules" in IGNORED_DIRS
    assert os.path.basename(RULES.parent) == "rules"
