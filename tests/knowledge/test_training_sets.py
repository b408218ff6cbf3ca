"""The question files `bot.py gate train` learns from by default: they load, never include the held-out split,
and every label is one the gate can use (known fact ids, known topics and decline kinds, no id used twice).

These tests read the training files only; ``tests/eval/test.jsonl`` is never opened here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from desk_cli.commands.gate import DEFAULT_TRAINING, EVAL_DIR, HELD_OUT, NOT_IN_DEFAULT_TRAINING
from dispute_desk.eval import load_question_files, load_questions

ALL_FACTS = {f"F{n:02d}" for n in range(1, 81)}
TOPICS = {
    "escrow-and-milestones", "fixed-price-disputes", "mediation", "arbitration", "hourly-protection",
    "hourly-disputes", "refunds", "chargebacks", "circumvention-and-prohibited-work", "dormant-contracts",
    "job-success-score", "direct-contracts", "ownership-of-work", "platform-terms",
}
DECLINE_KINDS = {
    "financial-advice", "tax", "legal-strategy", "evade-suspension", "other-platform", "personal-data",
    "homework", "off-topic", "uncovered-upwork", "harmful",
}
SECOND_EXTRA = EVAL_DIR / "train-extra-2.jsonl"
THIRD_EXTRA = EVAL_DIR / "train-extra-3.jsonl"
FOURTH_EXTRA = EVAL_DIR / "train-extra-4.jsonl"
FIFTH_EXTRA = EVAL_DIR / "train-extra-5.jsonl"
SIXTH_EXTRA = EVAL_DIR / "train-extra-6.jsonl"
SEVENTH_EXTRA = EVAL_DIR / "train-extra-7.jsonl"
NAMED_DECLINE_KINDS = {  # the kinds issue #9 names
    "financial-advice", "tax", "legal-strategy", "evade-suspension", "other-platform", "personal-data", "homework",
}


def _raw(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _labelled(path: Path, *, id_prefix: str) -> tuple[list[dict], list[dict], list[dict]]:
    """An extra file's rows (checked for the seven keys and the id prefix), its answerable rows and its declines."""
    rows = _raw(path)
    assert all(set(row) == {"id", "question", "facts", "answerable", "topic", "category", "group"} for row in rows)
    assert all(row["id"].startswith(id_prefix) for row in rows)
    return rows, [row for row in rows if row["answerable"]], [row for row in rows if not row["answerable"]]


def test_default_training_files_exist_and_exclude_the_held_out_split() -> None:
    assert {SECOND_EXTRA, THIRD_EXTRA, FOURTH_EXTRA, FIFTH_EXTRA, SIXTH_EXTRA} <= set(DEFAULT_TRAINING)
    assert SEVENTH_EXTRA in NOT_IN_DEFAULT_TRAINING and SEVENTH_EXTRA not in DEFAULT_TRAINING
    assert all(path.is_file() for path in DEFAULT_TRAINING)
    assert not any(path.name == HELD_OUT for path in DEFAULT_TRAINING)


def test_training_ids_and_groups_are_unique_across_files() -> None:
    items = load_question_files(list(DEFAULT_TRAINING))
    repeated = [i for i, n in Counter(item.id for item in items).items() if n > 1]
    assert repeated == []
    owner: dict[str, str] = {}
    for path in DEFAULT_TRAINING:
        for item in load_questions(path):
            if item.group:
                assert owner.setdefault(item.group, path.name) == path.name, f"group {item.group} spans files"


@pytest.mark.parametrize("path", DEFAULT_TRAINING, ids=lambda p: p.name)
def test_every_training_label_is_usable(path: Path) -> None:
    for item in load_questions(path):
        if item.answerable:
            assert item.facts, f"{item.id}: answerable but cites no fact"
            assert set(item.facts) <= ALL_FACTS, f"{item.id}: unknown fact {set(item.facts) - ALL_FACTS}"
            assert item.topic in TOPICS, f"{item.id}: unknown topic {item.topic!r}"
        else:
            assert item.facts == (), f"{item.id}: a decline cites facts"
            assert item.category in DECLINE_KINDS | {""}, f"{item.id}: unknown decline kind {item.category!r}"


def test_second_extra_set_has_the_promised_shape() -> None:
    _, answerable, declines = _labelled(SECOND_EXTRA, id_prefix="Y")
    assert len(answerable) >= 160 and len(declines) >= 80
    assert ALL_FACTS <= {fact for row in answerable for fact in row["facts"]}, "some fact has no question"
    assert {row["category"] for row in declines} == DECLINE_KINDS
    assert len({row["group"] for row in answerable}) >= 60


def test_third_extra_set_has_the_promised_shape() -> None:
    _, answerable, declines = _labelled(THIRD_EXTRA, id_prefix="Y3-")
    assert len(answerable) >= 140 and len(declines) >= 80
    assert all(row["category"].startswith("lookalike-") for row in answerable)
    assert NAMED_DECLINE_KINDS <= {row["category"] for row in declines}
    assert len({row["group"] for row in answerable}) >= 60


def test_fourth_extra_set_has_the_promised_shape() -> None:
    """Look-alikes that name a declined topic in passing (payment apps, accountants, card chargebacks, other
    sites, reported homework posts, lawyers, mediators) and declines that name Upwork but ask something else.
    """
    rows, answerable, declines = _labelled(FOURTH_EXTRA, id_prefix="Y4-")
    assert len(answerable) >= 160 and len(declines) >= 90
    assert all(row["category"].startswith("lookalike-") for row in answerable)
    assert {row["category"] for row in declines} == DECLINE_KINDS
    named = sum(row["category"] in NAMED_DECLINE_KINDS for row in declines)
    assert named >= 0.75 * len(declines), "declines should be weighted to the kinds issue #9 names"
    assert len({row["group"] for row in answerable}) >= 60
    assert all(row["group"] for row in rows)
    sizes = Counter(row["group"] for row in answerable)
    assert max(sizes.values()) <= 3, "a look-alike group holds near-paraphrases of one scenario (2-3 questions)"


def test_fifth_extra_set_has_the_promised_shape() -> None:
    """Ordinary member questions (stories, several asks, typos, members' words, very short ones) across every
    topic, look-alikes that name a declined topic in passing, and declines weighted to the kinds issue #9 names.
    """
    rows, answerable, declines = _labelled(FIFTH_EXTRA, id_prefix="Y5-")
    ordinary = [row for row in answerable if row["category"] in {"answerable-story", "answerable-short"}]
    lookalikes = [row for row in answerable if row["category"].startswith("lookalike-")]
    assert len(ordinary) >= 150 and len(lookalikes) >= 60 and len(declines) >= 90
    assert len(ordinary) + len(lookalikes) == len(answerable)
    assert {row["topic"] for row in ordinary} == TOPICS
    assert len({fact for row in ordinary for fact in row["facts"]}) >= 60
    assert {row["category"] for row in ordinary} == {"answerable-story", "answerable-short"}
    assert all(row["topic"] == "decline" for row in declines)
    assert {row["category"] for row in declines} == DECLINE_KINDS
    named = sum(row["category"] in NAMED_DECLINE_KINDS for row in declines)
    assert named >= 0.75 * len(declines), "declines should be weighted to the kinds issue #9 names"
    assert all(row["group"] for row in rows)
    sizes = Counter(row["group"] for row in rows)
    assert len(sizes) >= 120 and max(sizes.values()) <= 3, "a group holds 1-3 near-paraphrases of one question"


def test_sixth_extra_set_has_the_promised_shape() -> None:
    """Mostly look-alikes (the gate's weak side: a lawyer, a tax form, another site in the member's background, a
    threat received, "is it legal" about Upwork's own rules), declines that name Upwork, and stories on the facts
    the other files ask least about.
    """
    rows, answerable, declines = _labelled(SIXTH_EXTRA, id_prefix="Y6-")
    lookalikes = [row for row in answerable if row["category"].startswith("lookalike-")]
    ordinary = [row for row in answerable if row["category"] in {"answerable-story", "answerable-short"}]
    assert len(lookalikes) >= 140 and len(ordinary) >= 60 and len(declines) >= 100
    assert len(lookalikes) + len(ordinary) == len(answerable)
    assert len({row["category"] for row in lookalikes}) >= 14
    assert all(row["topic"] == "decline" for row in declines)
    assert {row["category"] for row in declines} == DECLINE_KINDS
    assert min(sum(row["category"] == kind for row in declines) for kind in NAMED_DECLINE_KINDS) >= 8
    sizes = Counter(row["group"] for row in rows)
    assert all(row["group"] for row in rows) and max(sizes.values()) <= 3


def test_seventh_extra_set_has_the_promised_shape() -> None:
    """Long member posts (40 words and more): a detailed dispute story ending in a request to decline, ten of each
    kind (what blind-7's first run missed most), its mirror image (a story full of declined topics ending in an
    in-scope ask), and ordinary long stories. Written for the gate, but not in its default training (README).
    """
    rows, answerable, declines = _labelled(SEVENTH_EXTRA, id_prefix="T7-")
    lookalikes = [row for row in answerable if row["category"].startswith("lookalike-")]
    assert len(declines) == 100 and len(lookalikes) == 90 and len(answerable) - len(lookalikes) == 50
    assert Counter(row["category"] for row in declines) == {kind: 10 for kind in DECLINE_KINDS}
    assert min(len(row["question"].split()) for row in rows) >= 30
    assert all(row["group"] for row in rows) and max(Counter(row["group"] for row in rows).values()) <= 2


@pytest.mark.parametrize("extra", [SECOND_EXTRA, THIRD_EXTRA, FOURTH_EXTRA, FIFTH_EXTRA, SIXTH_EXTRA, SEVENTH_EXTRA],
                         ids=lambda p: p.name)
def test_an_extra_set_repeats_no_existing_question(extra: Path) -> None:
    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    earlier = {norm(item.question) for path in DEFAULT_TRAINING if path != extra
               for item in load_questions(path)}
    new = [norm(row["question"]) for row in _raw(extra)]
    assert len(set(new)) == len(new)
    assert not set(new) & earlier
