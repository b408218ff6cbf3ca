"""The answerability gate's file and decisions (no model: signals are built by hand)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dispute_desk.gate import FEATURES, AnswerabilityGate, GateError, Signals
from dispute_desk.settings import PROJECT_DIR


def _signals(**values: float) -> Signals:
    base = dict.fromkeys(FEATURES, 0.0)
    base.update(values)
    return Signals(base, {"financial_advice": "decline_financial"} if values.get("rule_financial_advice") else {},
                   (1.0, 0.0, 0.0))


def _gate(embedding_dims: int = 3) -> AnswerabilityGate:
    n = len(FEATURES) + embedding_dims
    coef = np.zeros(n)
    coef[FEATURES.index("passage_sim")] = 4.0
    coef[FEATURES.index("rule_financial_advice")] = -3.0
    return AnswerabilityGate(
        mean=np.zeros(n), scale=np.ones(n), coef=coef, intercept=-1.0, threshold=0.5,
        centroids={"decline:tax": np.array([1.0, 0.0, 0.0])}, trained_for={"embedding_model": "m"},
        embedding_dims=embedding_dims,
    )


def test_a_strong_match_is_answered_and_a_soft_rule_declines_with_its_own_text():
    gate = _gate()
    assert gate.judge(_signals(passage_sim=0.8)).answer
    verdict = gate.judge(_signals(passage_sim=0.8, rule_financial_advice=1.0))
    assert not verdict.answer and verdict.reply == "decline_financial"
    assert "rule_financial_advice=1.00" in verdict.explain()


def test_the_gate_file_round_trips_and_refuses_other_settings(tmp_path):
    path = tmp_path / "gate.json"
    _gate().save(path)
    loaded = AnswerabilityGate.load(path, expect={"embedding_model": "m"})
    signals = _signals(passage_sim=0.6)
    assert loaded.probability(signals) == pytest.approx(_gate().probability(signals))
    with pytest.raises(GateError, match="trained for other settings"):
        AnswerabilityGate.load(path, expect={"embedding_model": "another-model"})


@pytest.mark.parametrize("damage", ["not json", json.dumps({"version": 1}), json.dumps({"version": 2})])
def test_a_damaged_or_old_gate_file_is_a_clear_error(tmp_path, damage):
    path = tmp_path / "gate.json"
    path.write_text(damage)
    with pytest.raises(GateError, match="gate train"):
        AnswerabilityGate.load(path)


def test_a_missing_gate_file_says_how_to_make_one(tmp_path):
    with pytest.raises(GateError, match=r"run `python bot\.py gate train`"):
        AnswerabilityGate.load(tmp_path / "missing.json")


def test_the_shipped_gate_matches_the_code():
    from dispute_desk.lexical import TOKENS_VERSION
    from dispute_desk.settings import Settings

    # BM25 scores are gate signals: a gate trained on other tokens would judge with shifted scores.
    gate = AnswerabilityGate.load(Settings().gate_path, expect={"tokens": TOKENS_VERSION})
    assert len(gate.coef) == len(FEATURES) + gate.embedding_dims
    assert gate.meta["sources"] and not any(s.endswith("test.jsonl") for s in gate.meta["sources"])


def test_the_threshold_keeps_precision_at_the_share_of_declines_members_send():
    """Half the training questions are declines, but members send far fewer: the same rate of wrongly declined
    questions then costs much more precision, so the threshold must be stricter."""
    import numpy as np

    from dispute_desk.gate_training import _threshold

    # 100 must-declines (p 0.05-0.30) and 100 answerable (3 of them low: 0.12, 0.22, 0.28; the rest 0.6-0.9)
    declines = np.linspace(0.05, 0.30, 100)
    answerable = np.concatenate([[0.12, 0.22, 0.28], np.linspace(0.6, 0.9, 97)])
    probabilities = np.concatenate([declines, answerable])
    labels = np.array([False] * 100 + [True] * 100)
    at_training_mix = _threshold(probabilities, labels, 0.95, share=float((~labels).mean()))
    at_members_mix = _threshold(probabilities, labels, 0.95, share=0.17)
    assert at_training_mix > 0.28  # 3 wrong in 103 declined: 97% precision, every decline caught
    assert at_members_mix < at_training_mix  # at 17% declines those 3 cost too much: fewer are declined
    declined = probabilities < at_members_mix
    assert declined[labels].sum() < 3


def test_the_threshold_keeps_in_scope_look_alikes_answered():
    """Precision alone would allow declining 3 answerable questions of 300; when all three are look-alikes
    (they name a declined topic in passing) the cap on look-alikes keeps the threshold under them."""
    from dispute_desk.gate_training import _threshold

    declines = np.linspace(0.05, 0.30, 100)
    answerable = np.concatenate([[0.12, 0.22, 0.28], np.linspace(0.6, 0.9, 297)])
    probabilities = np.concatenate([declines, answerable])
    labels = np.array([False] * 100 + [True] * 300)
    lookalike = np.array([False] * 100 + [True] * 100 + [False] * 200)
    free = _threshold(probabilities, labels, 0.95, share=0.25)
    capped = _threshold(probabilities, labels, 0.95, share=0.25, lookalike=lookalike, max_lookalikes=0.01)
    assert (probabilities[lookalike] < free).sum() == 3
    assert (probabilities[lookalike] < capped).sum() <= 1
    assert capped < free


def test_the_decline_share_of_a_split():
    from dispute_desk.eval import EvalItem
    from dispute_desk.gate_training import decline_share_of

    items = [EvalItem(id=str(i), question="q", facts=(), answerable=i % 4 != 0) for i in range(8)]
    assert decline_share_of(items) == 0.25


def test_the_asks_coverage_leaves_the_story_out(make_chunk):
    """A story full of words the knowledge base never uses can still end with an ask the top passage answers:
    the gate sees both (coverage of the whole message, and of its asks)."""
    from dispute_desk.gate import measure
    from dispute_desk.lexical import BM25Index
    from dispute_desk.models import Hit
    from dispute_desk.questions import understand

    passage = make_chunk("refund", "A freelancer has 7 days to answer an escrow refund request.", kind="policy")
    bm25 = BM25Index([passage.text, "Hourly contracts need the desktop app.", "Bonuses are never covered."])
    question = understand("I sold pottery on Etsy for years, with hourly bonuses and a desktop app. "
                          "How many days do I have to answer an escrow refund request?")
    signals = measure(question, [Hit(passage, 1.0, dense=0.7)], bm25, {}, 2, None)
    assert signals.values["ask_coverage"] > 0.9
    assert signals.values["coverage"] < signals.values["ask_coverage"]
    assert signals.values["ask_unknown_share"] < signals.values["unknown_share"]


def test_a_declined_topic_told_in_the_story_is_not_one_asked():
    """Another platform's claims in the member's background are a different signal from another platform's claim
    asked about: the gate sees the rules that fire on the message but on none of its asks."""
    from dispute_desk.gate import measure
    from dispute_desk.lexical import BM25Index
    from dispute_desk.questions import understand
    from dispute_desk.texts import Scope

    scope = Scope.from_yaml(PROJECT_DIR / "prompts" / "scope.yaml")
    bm25 = BM25Index(["A freelancer has 7 days to answer an escrow refund request."])

    def in_story(text: str) -> float:
        question = understand(text)
        return measure(question, [], bm25, scope.signals(text), 1, None,
                       ask_rules=scope.ask_signals(question)).values["rules_in_story"]

    assert in_story("I sold on Etsy for years and had buyer claims there, but on Upwork how does the escrow "
                    "refund request work?") == 1.0
    assert in_story("I sell on Etsy and also work on Upwork. A buyer on Etsy says my item never arrived. "
                    "How do I open an Etsy case against him?") == 0.0
