"""Shape of the second to seventh blind sets (tests/eval/blind-2.jsonl ... blind-7.jsonl).

All were written from the fact sheet alone, without reading the knowledge base, the prompts or the other eval
files, and are never trained on. blind-2 is a one-time check of answer quality; blind-3, heavy in in-scope
look-alikes, is the validation set for how many of them the gate declines; blind-4 (150 look-alikes) is a
one-time check of that rate. blind-5 (440 questions by two writers, 200 look-alikes) was first scored unseen, on
the last landing (33df01a) and on main as it then was; since then it is the validation set. blind-6 (360
questions by two more writers, 160 look-alikes) was a one-time check of the sixth session, then a validation set.
blind-7 (440 questions by two more writers, 200 look-alikes: second-language one-liners and long timelines whose
request is the last sentence) was first run on 35dceb4, the seventh session's first changes done; it then became
the seventh session's validation set.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from desk_cli.commands.gate import DEFAULT_TRAINING, NOT_FOR_TRAINING

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "eval"

KEYS = {"id", "question", "facts", "answerable", "topic", "category", "group"}
TOPICS = {
    "escrow-and-milestones", "fixed-price-disputes", "mediation", "arbitration", "hourly-protection",
    "hourly-disputes", "refunds", "chargebacks", "circumvention-and-prohibited-work", "dormant-contracts",
    "job-success-score", "direct-contracts", "ownership-of-work", "platform-terms",
}
LOOKALIKE_KINDS = {
    "court", "lawyer", "police", "tax", "other-platform", "homework", "scam", "contact-details",
    "second-account", "investing", "payment-app", "homework-report", "homework-mention", "suspension",
    "harmful-mention", "personal-data", "off-topic-mention", "invoice", "contact-info", "threat", "is-it-legal",
    "offtopic-chatter",
}
DECLINE_KINDS = {
    "financial-advice", "tax", "legal-strategy", "evade-suspension", "other-platform", "personal-data",
    "homework", "off-topic", "uncovered-upwork", "harmful",
}
NAMED_DECLINE_KINDS = {
    "financial-advice", "tax", "legal-strategy", "evade-suspension", "other-platform", "personal-data", "homework",
}


# each set: its id pattern and its planned (ordinary, look-alike, decline) counts
SETS = {
    "blind-2.jsonl": (r"C-\d{3}", (100, 30, 30)),
    "blind-3.jsonl": (r"B3-\d{3}", (106, 95, 81)),
    "blind-4.jsonl": (r"B4-\d{3}", (50, 150, 60)),
    "blind-5.jsonl": (r"B5[AB]-\d{3}", (120, 200, 120)),
    "blind-6.jsonl": (r"B6[AB]-\d{3}", (100, 160, 100)),
    "blind-7.jsonl": (r"B7[AB]-\d{3}", (120, 200, 120)),
}


@pytest.fixture(scope="module", params=sorted(SETS))
def blind(request) -> tuple[str, list[dict]]:
    lines = (EVAL / request.param).read_text(encoding="utf-8").splitlines()
    return request.param, [json.loads(line) for line in lines if line.strip()]


@pytest.fixture
def rows(blind) -> list[dict]:
    return blind[1]


def test_every_row_has_exactly_the_agreed_keys(blind, rows):
    assert rows, f"{blind[0]} is empty"
    for row in rows:
        assert set(row) == KEYS, row.get("id")
        assert isinstance(row["question"], str) and row["question"].strip()
        assert isinstance(row["answerable"], bool)
        assert re.fullmatch(SETS[blind[0]][0], row["id"]), row["id"]


def test_ids_and_questions_are_unique_and_groups_small(rows):
    assert not [v for v, n in Counter(r["id"] for r in rows).items() if n > 1]
    # a group holds rewordings of one situation, at most three
    assert max(Counter(r["group"] for r in rows).values()) <= 3
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


def test_counts_match_the_plan(blind, rows):
    ordinary = [r for r in rows if r["answerable"] and r["category"] == ""]
    lookalikes = [r for r in rows if r["answerable"] and r["category"].startswith("lookalike-")]
    declines = [r for r in rows if not r["answerable"]]
    assert (len(ordinary), len(lookalikes), len(declines)) == SETS[blind[0]][1]
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


@pytest.mark.parametrize("name", sorted(SETS))
def test_blind_sets_are_not_used_for_training(name):
    assert all(Path(p).name != name for p in DEFAULT_TRAINING)
    assert name in NOT_FOR_TRAINING
