"""Shape checks for tests/eval/blind.jsonl, the blind validation set written without reading the knowledge base.

The set stands in for the independent member questions of issue #9: if it drifts (a missing key, an unknown
topic, too few declines of one kind) or is fed to the gate's training, its scores stop meaning anything.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from desk_cli.commands.gate import DEFAULT_TRAINING

BLIND = Path(__file__).resolve().parents[1] / "eval" / "blind.jsonl"

KEYS = {"id", "question", "facts", "answerable", "topic", "category", "group"}
TOPICS = {
    "escrow-and-milestones",
    "fixed-price-disputes",
    "mediation",
    "arbitration",
    "hourly-protection",
    "hourly-disputes",
    "refunds",
    "chargebacks",
    "circumvention-and-prohibited-work",
    "dormant-contracts",
    "job-success-score",
    "direct-contracts",
    "ownership-of-work",
    "platform-terms",
}
DECLINE_KINDS = {
    "financial-advice",
    "tax",
    "legal-strategy",
    "evade-suspension",
    "other-platform",
    "personal-data",
    "homework",
    "off-topic",
    "uncovered-upwork",
    "harmful",
}
# Look-alikes mention a declined subject in passing but ask an Upwork dispute or payment question.
LOOKALIKE_KINDS = {
    "court",
    "lawyer",
    "tax",
    "other-platform",
    "homework",
    "scam",
    "phone-number",
    "second-account",
    "suspension",
    "investment",
    "personal-data",
}
FACT_ID = re.compile(r"F(0[1-9]|[1-7][0-9]|80)")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    lines = BLIND.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_every_row_has_exactly_the_agreed_keys_and_types(rows: list[dict]) -> None:
    for row in rows:
        assert set(row) == KEYS, row.get("id")
        assert isinstance(row["question"], str) and row["question"].strip(), row["id"]
        assert isinstance(row["answerable"], bool), row["id"]
        assert isinstance(row["facts"], list), row["id"]
        assert isinstance(row["group"], str) and row["group"], row["id"]


def test_ids_and_questions_are_unique(rows: list[dict]) -> None:
    ids = [row["id"] for row in rows]
    assert all(re.fullmatch(r"B-\d{3}", i) for i in ids)
    assert len(ids) == len(set(ids))
    questions = [row["question"].strip().lower() for row in rows]
    assert len(questions) == len(set(questions))


def test_answerable_rows_name_a_known_topic_and_real_facts(rows: list[dict]) -> None:
    for row in (r for r in rows if r["answerable"]):
        assert row["topic"] in TOPICS, row["id"]
        assert 1 <= len(row["facts"]) <= 3, row["id"]
        assert all(FACT_ID.fullmatch(f) for f in row["facts"]), row["id"]
        assert len(set(row["facts"])) == len(row["facts"]), row["id"]
        category = row["category"]
        assert category == "" or category.removeprefix("lookalike-") in LOOKALIKE_KINDS, row["id"]
        assert category == "" or category.startswith("lookalike-"), row["id"]


def test_declines_have_no_topic_no_facts_and_a_known_kind(rows: list[dict]) -> None:
    for row in (r for r in rows if not r["answerable"]):
        assert row["facts"] == [], row["id"]
        assert row["topic"] == "", row["id"]
        assert row["category"] in DECLINE_KINDS, row["id"]


def test_volumes_and_spread_match_the_brief(rows: list[dict]) -> None:
    ordinary = [r for r in rows if r["answerable"] and r["category"] == ""]
    lookalikes = [r for r in rows if r["answerable"] and r["category"].startswith("lookalike-")]
    declines = [r for r in rows if not r["answerable"]]
    assert len(ordinary) >= 120
    assert len(lookalikes) >= 40
    assert len({r["category"] for r in lookalikes}) >= 8
    assert len(declines) >= 40
    assert {r["category"] for r in declines} == DECLINE_KINDS
    assert {r["topic"] for r in rows if r["answerable"]} == TOPICS
    assert len({f for r in rows for f in r["facts"]}) >= 60


def test_no_scenario_dominates(rows: list[dict]) -> None:
    per_group = Counter(row["group"] for row in rows)
    assert max(per_group.values()) <= 2, per_group.most_common(3)


def test_blind_set_is_not_gate_training_data() -> None:
    training = {Path(p).resolve() for p in DEFAULT_TRAINING}
    assert BLIND.resolve() not in training
    assert BLIND.name not in {Path(p).name for p in DEFAULT_TRAINING}
