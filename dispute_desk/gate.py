"""The answerability gate: should the desk answer this question from what it found, or decline?

A small logistic model over signals of the question and of the retrieval (how close the best passage and
the best member phrasing are, how much of the question's rare words the top passage covers, how many words
the knowledge base has never seen, which soft scope rules fire and whether only in the story around the asks,
how close the question is to the kinds of requests the desk declines, and how many of the labelled training
questions nearest it were answerable). It
is trained on the eval set's ``dev`` split and the training files by ``python bot.py gate train`` and saved as
a JSON file (``prompts/answerability-gate.json``) together with the settings it was trained for; answering
needs only numpy. Hard rules (someone's personal data, doing homework) stay rules.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dispute_desk.lexical import BM25Index, tokens
from dispute_desk.models import Hit
from dispute_desk.neighbours import Neighbours
from dispute_desk.questions import Question

GATE_VERSION = 5
# the share of in-scope look-alikes the threshold may decline on cross-validation when trained, a third of issue
# #9's 3%. At 0.005 the threshold fell to 0.146 and decline recall fell on every validation set (seventh session).
MAX_LOOKALIKES = 0.01
SOFT_RULES = (
    "legal_or_tax",
    "legal_strategy",
    "financial_advice",
    "evade_suspension",
    "harmful",
    "upwork_not_covered",
    "other_platform",
    "other_platform_claim",
    "off_topic",
    "no_domain_terms",
)

FEATURES = (
    "passage_sim",  # best cosine similarity of a top-3 passage
    "phrasing_sim",  # best cosine similarity of a member phrasing of a top-3 passage
    "lexical_top",  # best BM25 score over the question's total term weight
    "coverage",  # share of the question's term weight found in the top passage (text and phrasings)
    "unknown_share",  # share of the question's words the knowledge base never uses
    "domain_terms",  # log(1 + number of dispute/payment words)
    "length",  # log(1 + number of content words)
    "asks",  # number of asks found in the message
    "ask_coverage",  # share of the asks' own term weight found in the top passage (the story left out)
    "ask_unknown_share",  # share of the asks' words the knowledge base never uses
    *(f"rule_{name}" for name in SOFT_RULES),
    "rules_in_story",  # soft rules that fire on the message but not on its asks: a declined topic told, not asked
    "near_decline",  # cosine to the closest centroid of a kind of declined request
    "near_answer",  # cosine to the closest centroid of a topic of answerable questions
    "near_answerable",  # similarity-weighted share of answerable questions among the 10 nearest training ones
)  # followed, in a gate trained with ``embedding_dims``, by the question's unit vector


class GateError(Exception):
    """The gate file is missing, malformed, or was trained for other settings; the message says which."""


@dataclass(frozen=True)
class Signals:
    values: dict[str, float]
    rules: dict[str, str]  # soft rules that fired: name -> reply
    embedding: tuple[float, ...] = ()  # the question's unit vector: its wording, for the kinds of requests declined

    def vector(self, with_embedding: bool = False) -> np.ndarray:
        scalars = np.array([self.values[name] for name in FEATURES], dtype=float)
        if not with_embedding:
            return scalars
        return np.concatenate([scalars, np.asarray(self.embedding, dtype=float)])


@dataclass(frozen=True)
class Verdict:
    answer: bool
    probability: float  # that the question should be answered
    threshold: float
    reasons: tuple[str, ...] = ()  # the signals that pushed most towards declining, for `eval --details`
    reply: str | None = None  # which decline text to use when ``answer`` is false

    def explain(self) -> str:
        verdict = "answer" if self.answer else "decline"
        why = f"; mostly {', '.join(self.reasons)}" if self.reasons else ""
        return f"gate: {verdict} (p(answerable)={self.probability:.2f}, threshold {self.threshold:.2f}{why})"


def _nonzero(scale: np.ndarray) -> np.ndarray:
    scale[scale == 0] = 1.0  # a constant signal: nothing to scale
    return scale


def _unit(vector: Sequence[float]) -> np.ndarray:
    array = np.asarray(vector, dtype=float)
    norm = float(np.linalg.norm(array))
    return array / norm if norm else array


def measure(
    question: Question,
    hits: Sequence[Hit],
    bm25: BM25Index,
    rules: dict[str, str],
    domain_terms: int,
    vector: Sequence[float] | None,
    centroids: dict[str, np.ndarray] | None = None,
    neighbours: Neighbours | None = None,
    ask_rules: dict[str, str] | None = None,
) -> Signals:
    """The gate's signals for one question (``centroids``: name -> unit vector, 'decline:*' and 'answer:*';
    ``neighbours``: the gate's labelled training questions; ``ask_rules``: the soft rules that fire on the asks
    alone, when the message has a story around them).
    """
    top = list(hits[:3])
    words = tokens(question.text)
    weights = _known_weights(words, bm25)
    total = sum(weights.values()) or 1.0
    first = set(tokens(" ".join((top[0].chunk.text, *top[0].chunk.asks)))) if top else set()
    unit = _unit(vector) if vector is not None else np.zeros(0)
    ask_words = tokens(" ".join(question.asks)) or words
    values = {
        "passage_sim": max((h.dense for h in top if h.dense is not None), default=0.0),
        "phrasing_sim": max((h.phrasing for h in top if h.phrasing is not None), default=0.0),
        "lexical_top": max((h.lexical for h in hits if h.lexical is not None), default=0.0) / total,
        "coverage": _covered(weights, first),
        "unknown_share": _unknown_share(words, bm25),
        "domain_terms": math.log1p(domain_terms),
        "length": math.log1p(len(words)),
        "asks": float(len(question.asks)),
        "ask_coverage": _covered(_known_weights(ask_words, bm25), first),
        "ask_unknown_share": _unknown_share(ask_words, bm25),
        **{f"rule_{name}": float(name in rules) for name in SOFT_RULES},
        "rules_in_story": float(len(_in_story(rules, ask_rules))),
        "near_decline": 0.0,
        "near_answer": 0.0,
        "near_answerable": 0.5,
    }
    if centroids and vector is not None:
        for kind in ("decline", "answer"):
            sims = [float(unit @ c) for name, c in centroids.items() if name.startswith(f"{kind}:")]
            values[f"near_{kind}"] = max(sims, default=0.0)
    if neighbours is not None and vector is not None and len(unit) == neighbours.vectors.shape[1]:
        values["near_answerable"] = float(neighbours.answerable_share(unit)[0])
    return Signals(values, rules, tuple(float(v) for v in unit))


def _in_story(rules: dict[str, str], ask_rules: dict[str, str] | None) -> set[str]:
    """Soft rules that fire on the whole message but on none of its asks ("I used to sell on Etsy and had buyer
    claims there, but on Upwork how does ..."). An ask needs no dispute word of its own, so that rule is left out.
    """
    if ask_rules is None:
        return set()
    return set(rules) - set(ask_rules) - {"no_domain_terms"}


def _known_weights(words: Sequence[str], bm25: BM25Index) -> dict[str, float]:
    """Each word the knowledge base uses, weighted by its BM25 idf (rare words weigh more)."""
    return {term: bm25.idf(term) for term in words if bm25.known(term)}


def _covered(weights: dict[str, float], passage: set[str]) -> float:
    """The share of the weighted words found in ``passage``."""
    return sum(w for term, w in weights.items() if term in passage) / (sum(weights.values()) or 1.0)


def _unknown_share(words: Sequence[str], bm25: BM25Index) -> float:
    """The share of ``words`` the knowledge base never uses (all of them when there are none)."""
    return sum(1 for t in words if not bm25.known(t)) / len(words) if words else 1.0


@dataclass
class AnswerabilityGate:
    """A trained logistic model over ``FEATURES``; see ``dispute_desk.gate_training`` for how it is made."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    centroids: dict[str, np.ndarray]
    trained_for: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    embedding_dims: int = 0  # the question vector's weights follow the scalar features' when non-zero
    neighbours: Neighbours | None = None  # the training questions, for "near_answerable"

    def _pushes(self, signals: Signals) -> np.ndarray:
        x = signals.vector(with_embedding=bool(self.embedding_dims))
        if len(x) != len(self.coef):
            raise GateError(f"the gate expects {len(self.coef)} signals, got {len(x)}; retrain it")
        pushes: np.ndarray = (x - self.mean) / self.scale * self.coef
        return pushes

    def probability(self, signals: Signals) -> float:
        return float(1.0 / (1.0 + math.exp(-(float(self._pushes(signals).sum()) + self.intercept))))

    def judge(self, signals: Signals) -> Verdict:
        p = self.probability(signals)
        pushes_all = self._pushes(signals)
        named = [(f"{name}={signals.values[name]:.2f}", float(push))
                 for name, push in zip(FEATURES, pushes_all[: len(FEATURES)], strict=True)]
        if self.embedding_dims:
            named.append(("wording like declined requests", float(pushes_all[len(FEATURES):].sum())))
        pushes = sorted(named, key=lambda item: item[1])
        reasons = tuple(name for name, push in pushes[:3] if push < 0)
        answer = p >= self.threshold
        reply = None
        if not answer:
            reply = next(iter(signals.rules.values()), None)  # a soft rule's own text when one fired
        return Verdict(answer, p, self.threshold, reasons, reply)

    # -- the file ----------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": GATE_VERSION,
            "features": list(FEATURES),
            "embedding_dims": self.embedding_dims,
            "trained_for": self.trained_for,
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "coef": self.coef.round(6).tolist(),
            "intercept": round(self.intercept, 6),
            "threshold": round(self.threshold, 4),
            "centroids": {name: c.round(5).tolist() for name, c in sorted(self.centroids.items())},
            "neighbours": self.neighbours.to_json() if self.neighbours is not None else None,
            "meta": self.meta,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, *, expect: dict[str, Any] | None = None) -> AnswerabilityGate:
        """Read a gate file; ``expect``: the settings it must have been trained for (model, retrieval)."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") != GATE_VERSION or list(raw["features"]) != list(FEATURES):
                raise GateError(f"{path} was made by another version of the gate; run `python bot.py gate train`")
            gate = cls(
                mean=np.array(raw["mean"], dtype=float),
                scale=_nonzero(np.array(raw["scale"], dtype=float)),
                coef=np.array(raw["coef"], dtype=float),
                intercept=float(raw["intercept"]),
                threshold=float(raw["threshold"]),
                centroids={k: _unit(v) for k, v in raw.get("centroids", {}).items()},
                trained_for=dict(raw.get("trained_for", {})),
                meta=dict(raw.get("meta", {})),
                embedding_dims=int(raw.get("embedding_dims", 0)),
                neighbours=Neighbours.from_json(raw["neighbours"]) if raw.get("neighbours") else None,
            )
        except FileNotFoundError as exc:
            raise GateError(f"no answerability gate at {path}; run `python bot.py gate train`") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise GateError(f"{path} is damaged ({exc}); run `python bot.py gate train`") from exc
        if expect:
            differs = {k: (gate.trained_for.get(k), v) for k, v in expect.items() if gate.trained_for.get(k) != v}
            if differs:
                detail = ", ".join(f"{k}: trained {old!r}, now {new!r}" for k, (old, new) in differs.items())
                raise GateError(f"{path} was trained for other settings ({detail}); run `python bot.py gate train`")
        return gate
