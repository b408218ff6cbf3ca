"""Shape of the second blind check set (tests/eval/blind-2.jsonl).

The set is a one-time final check of answer quality written without reading the knowledge base,
the prompts or the other eval files; it must never be used for training or tuning.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from desk_cli.commands.gate import DEFAULT_TRAINING

ROOT = Path(__file__).resolve().parents[2]
BLIND = ROOT / "tests" / "eval" / "blind-2.jsonl"

KEYS = {"id", "question", "facts", "answerable", "topic", "category", "group"}
TOPICS = {
    "escrow-and-milestones", "fixed-price-disputes", "mediation", "arbitration", "hourly-protection",
    "hourly-disputes", "refunds", "chargebacks", "circumvention-and-prohibited-work", "dormant-contracts",
    "job-success-score", "direct-contracts", "ownership-of-work", "platform-terms",
}
LOOKALIKE_KINDS = {
    "court", "lawyer", "police", "tax", "other-platform", "homework", "scam", "contact-details",
    "second-account", "investing", "payment-app",
}
DECLINE_KINDS = {
    "financial-advice", "tax", "legal-strategy", "evade-suspension", "other-platform", "personal-data",
    "homework", "off-topic", "uncovered-upwork", "harmful",
}
NAMED_DECLINE_KINDS = {
    "financial-advice", "tax", "legal-strategy", "evade-suspension", "other-platform", "personal-data", "homework",
}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    lines = BLIND.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_every_row_has_exactly_the_agreed_keys(rows):
    assert rows, "blind-2 set is empty"
    for row in rows:
        assert set(row) == KEYS, row.get("id")
        assert isinstance(row["question"], str) and row["question"].strip()
        assert isinstance(row["answerable"], bool)
        assert re.fullmatch(r"C-\d{3}", row["id"]), row["id"]


def test_ids_questions_and_groups_are_unique(rows):
    for key in ("id", "group"):
        dupes = [v for v, n in Counter(r[key] for r in rows).items() if n > 1]
        assert not dupes, f"duplicate {key}: {dupes}"
    normalised = Counter(" ".join(r["question"].lower().split()) for r in rows)
    assert not [q for q, n in normalised.items() if n > 1]


def test_answerable_rows_cite_one_to_three_known_facts_and_a_known_topic(rows):
    for row in [r for r in rows if r["answerable"]]:
        assert 1 <= len(row["facts"]) <= 3, row["id"]
        assert len(set(row["facts"])) == len(row["facts"]), row["id"]
        for fact in row["facts"]:
            assert re.fullmatch(r"F\d{2}", fact) and 1 <= int(fact[1:]) <= 80, (row["id"], fact)
        assert row["topic"] in TOPICS, row["id"]
        category = row["category"]
        assert category == "" or category.removeprefix("lookalike-") in LOOKALIKE_KINDS, row["id"]
        assert category == "" or category.startswith("lookalike-"), row["id"]


def test_declines_have_no_facts_no_topic_and_a_known_kind(rows):
    for row in [r for r in rows if not r["answerable"]]:
        assert row["facts"] == [] and row["topic"] == "", row["id"]
        assert row["category"] in DECLINE_KINDS, row["id"]


def test_counts_match_the_plan(rows):
    ordinary = [r for r in rows if r["answerable"] and r["category"] == ""]
    lookalikes = [r for r in rows if r["answerable"] and r["category"].startswith("lookalike-")]
    declines = [r for r in rows if not r["answerable"]]
    assert (len(ordinary), len(lookalikes), len(declines)) == (100, 30, 30)
    assert len({r["category"] for r in lookalikes}) >= 8
    decline_kinds = Counter(r["category"] for r in declines)
    assert set(decline_kinds) == DECLINE_KINDS
    # weighted to the kinds the issue names: each of them at least as common as any other kind
    assert min(decline_kinds[k] for k in NAMED_DECLINE_KINDS) >= max(
        decline_kinds[k] for k in DECLINE_KINDS - NAMED_DECLINE_KINDS
    )


def test_every_topic_is_covered_by_ordinary_questions(rows):
    covered = {r["topic"] for r in rows if r["answerable"] and r["category"] == ""}
    assert covered == TOPICS


def test_blind_set_is_not_used_for_training():
    trained = {Path(p).resolve() for p in DEFAULT_TRAINING}
    assert BLIND.resolve() not in trained
    assert all(Path(p).name != BLIND.name for p in DEFAULT_TRAINING)
