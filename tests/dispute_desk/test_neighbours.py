"""The gate's nearest-training-questions signal: which labelled questions vouch for a member's question."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dispute_desk.gate import FEATURES, AnswerabilityGate, GateError
from dispute_desk.neighbours import Neighbours


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=float)
    return v / np.linalg.norm(v)


def _three_by_three() -> Neighbours:
    # three answerable questions around x, three declines around y
    vectors = np.array([_unit(1, 0.1, 0), _unit(1, 0, 0.1), _unit(1, 0.05, 0.05),
                        _unit(0.1, 1, 0), _unit(0, 1, 0.1), _unit(0.05, 1, 0.05)])
    return Neighbours.of(vectors, [True, True, True, False, False, False], k=3)


def test_a_question_near_answerable_ones_gets_a_high_share_and_one_near_declines_a_low_one():
    neighbours = _three_by_three()
    near_answers, near_declines = neighbours.answerable_share(np.array([_unit(1, 0.02, 0), _unit(0.02, 1, 0)]))
    assert near_answers == pytest.approx(1.0)
    assert near_declines == pytest.approx(0.0)


def test_in_training_a_question_is_never_its_own_neighbour_nor_its_groups():
    neighbours = _three_by_three()
    units = neighbours.vectors[:1]
    own = np.array([[True, True, True, False, False, False]])  # its whole group: the three answerable ones
    (share,) = neighbours.answerable_share(units, own=own)
    assert share == pytest.approx(0.0)  # only the declines are left to vote


def test_the_int8_file_form_keeps_the_shares():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(40, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    neighbours = Neighbours.of(vectors, rng.random(40) > 0.4, k=5)
    again = Neighbours.from_json(json.loads(json.dumps(neighbours.to_json())))
    queries = rng.normal(size=(10, 16))
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    assert np.abs(again.answerable_share(queries) - neighbours.answerable_share(queries)).max() < 0.05
    assert (again.answerable == neighbours.answerable).all() and again.k == 5


def test_a_gate_file_with_damaged_neighbours_is_a_clear_error(tmp_path):
    n = len(FEATURES)
    gate = AnswerabilityGate(mean=np.zeros(n), scale=np.ones(n), coef=np.zeros(n), intercept=0.0, threshold=0.5,
                             centroids={}, neighbours=_three_by_three())
    path = tmp_path / "gate.json"
    gate.save(path)
    loaded = AnswerabilityGate.load(path)
    assert loaded.neighbours is not None and len(loaded.neighbours.answerable) == 6
    raw = json.loads(path.read_text())
    raw["neighbours"]["dims"] = 7  # the vectors no longer divide into questions
    path.write_text(json.dumps(raw))
    with pytest.raises(GateError, match="damaged"):
        AnswerabilityGate.load(path)


def test_the_gates_signals_carry_the_share_and_a_neutral_half_without_neighbours():
    from dispute_desk.gate import measure
    from dispute_desk.lexical import BM25Index
    from dispute_desk.questions import understand

    bm25 = BM25Index(["An escrow refund request gives the freelancer 7 days."])
    question = understand("how long do I have for an escrow refund request?")
    vector = list(_unit(1, 0.02, 0))
    with_neighbours = measure(question, [], bm25, {}, 1, vector, None, _three_by_three())
    assert with_neighbours.values["near_answerable"] == pytest.approx(1.0)
    assert measure(question, [], bm25, {}, 1, vector).values["near_answerable"] == 0.5
