"""Shape of the answer-development set (tests/eval/answers-dev.jsonl).

220 answerable member questions in members' own words ("the holding pot", "the paid judge thing", "his
money-back request"), written from the fact sheet alone; every fact is the main answer of at least two. The
vocabulary was tuned on its misses, so its score is not a measure of anything held out.
"""

import json
from collections import Counter

from desk_cli.commands.gate import EVAL_DIR
from tests.knowledge.test_training_sets import ALL_FACTS, TOPICS

KEYS = {"id", "question", "facts", "answerable", "topic", "category", "group"}


def test_every_question_is_answerable_labelled_and_distinct():
    rows = [json.loads(line) for line in (EVAL_DIR / "answers-dev.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 220
    assert all(set(row) == KEYS and row["answerable"] for row in rows)
    assert all(row["facts"] and set(row["facts"]) <= ALL_FACTS and row["topic"] in TOPICS for row in rows)
    assert len({row["id"] for row in rows}) == len({row["group"] for row in rows}) == len(rows)
    uses = Counter(fact for row in rows for fact in row["facts"])
    assert set(uses) == ALL_FACTS and min(uses.values()) >= 2
