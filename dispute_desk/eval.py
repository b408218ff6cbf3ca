"""Running a question set against the desk: retrieval recall, grounded answers, declines, latency."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dispute_desk.desk import Desk


class EvalSetError(Exception):
    """The question file is missing or malformed; the message names the line."""


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    facts: tuple[str, ...]
    answerable: bool
    topic: str = ""
    category: str = ""  # decline kind, or lookalike-*: in scope although it looks like a decline
    group: str = ""  # rewordings of one situation share a group (splits and cross-validation keep them together)

    @property
    def lookalike(self) -> bool:
        return self.category.startswith("lookalike")


@dataclass(frozen=True)
class ItemResult:
    id: str
    question: str
    answerable: bool
    answered: bool
    expected: tuple[str, ...]
    retrieved_facts: tuple[str, ...]
    cited_facts: tuple[str, ...]
    latency_ms: float
    topic: str = ""
    category: str = ""
    why: str = ""  # the rule or the gate's reading behind answering or declining
    mode: str = "extractive"  # written when a chat model's answer passed the citation check
    fallback: str | None = None  # why a written answer was discarded

    @property
    def retrieved_hit(self) -> bool:
        return bool(set(self.expected) & set(self.retrieved_facts))

    @property
    def answer_has_fact(self) -> bool:
        return self.answered and bool(set(self.expected) & set(self.cited_facts))


@dataclass
class EvalReport:
    questions: int
    recall_at_k: float
    fact_recall_at_k: float
    answer_fact_rate: float
    answered_rate: float
    decline_precision: float
    decline_recall: float
    latency_p50_ms: float
    latency_p95_ms: float
    lookalikes_declined: float = 0.0  # in-scope look-alikes wrongly declined (share of them)
    k: int = 5
    mode: str = "extractive"  # extractive, or written (a chat model writes; the extractive answer is the floor)
    written_rate: float = 0.0  # answered questions whose written answer passed the check
    fallback_rate: float = 0.0  # answered questions whose written answer was discarded for the extractive one
    fallbacks: dict[str, int] = field(default_factory=dict)  # why, with counts
    items: list[ItemResult] = field(default_factory=list)

    def to_json(self, with_items: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if with_items:
            data["items"] = [asdict(i) | {"retrieved_hit": i.retrieved_hit} for i in self.items]
        else:
            data.pop("items")
        return data

    def failures(self) -> list[ItemResult]:
        """Items that went wrong: a miss in retrieval, an answer without the fact, a wrong decline."""
        out = []
        for item in self.items:
            if (item.answerable and not item.answer_has_fact) or (not item.answerable and item.answered):
                out.append(item)
        return out


def load_questions(path: Path) -> list[EvalItem]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalSetError(f"cannot read {path}: {exc.strerror}") from exc
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise TypeError("expected a JSON object")
            items.append(
                EvalItem(
                    id=str(raw.get("id", f"line{number}")),
                    question=str(raw["question"]),
                    facts=tuple(raw.get("facts", [])),
                    answerable=bool(raw["answerable"]),
                    topic=str(raw.get("topic", "")),
                    category=str(raw.get("category", "")),
                    group=str(raw.get("group", "")),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalSetError(f"{path}:{number}: not a question record ({exc})") from exc
    if not items:
        raise EvalSetError(f"{path} has no questions")
    return items


def percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 1.0


def load_question_files(paths: Sequence[Path]) -> list[EvalItem]:
    """Questions of several files, in order (ids must not repeat across them)."""
    items: list[EvalItem] = []
    for path in paths:
        items += load_questions(path)
    return items


def run_eval(desk: Desk, items: Sequence[EvalItem], k: int = 5, *, write: bool | None = None) -> EvalReport:
    """Score ``desk`` on ``items``. ``write`` False forces extractive answers, True uses the desk's chat-model
    writer (when it has one); None leaves the desk's default.
    """
    results = []
    for item in items:
        options: dict[str, Any] = {} if write is None else {"write": write}
        answer, retrieved = desk.ask_traced(item.question, **options)
        retrieved = retrieved[:k] if retrieved else desk.search(item.question, k=k)
        facts = tuple(dict.fromkeys(f for hit in retrieved for f in hit.chunk.facts))
        cited = tuple(dict.fromkeys(f for source in answer.sources for f in source.facts)) if answer.answered else ()
        results.append(
            ItemResult(item.id, item.question, item.answerable, answer.answered, item.facts, facts, cited,
                       answer.latency_ms, item.topic, item.category, answer.why, answer.mode, answer.fallback)
        )
    lookalikes = [r for r in results if r.category.startswith("lookalike")]
    answerable = [r for r in results if r.answerable]
    expected_total = sum(len(r.expected) for r in answerable)
    found_total = sum(len(set(r.expected) & set(r.retrieved_facts)) for r in answerable)
    declined = [r for r in results if not r.answered]
    unanswerable = [r for r in results if not r.answerable]
    latencies = [r.latency_ms for r in results]
    answered = [r for r in results if r.answered]
    fell_back = [r.fallback for r in answered if r.fallback]
    written = sum(r.mode == "written" for r in answered)
    return EvalReport(
        questions=len(results),
        recall_at_k=_ratio(sum(r.retrieved_hit for r in answerable), len(answerable)),
        fact_recall_at_k=_ratio(found_total, expected_total),
        answer_fact_rate=_ratio(sum(r.answer_has_fact for r in answerable), len(answerable)),
        answered_rate=_ratio(sum(r.answered for r in answerable), len(answerable)),
        decline_precision=_ratio(sum(not r.answerable for r in declined), len(declined)),
        decline_recall=_ratio(sum(not r.answered for r in unanswerable), len(unanswerable)),
        latency_p50_ms=round(statistics.median(latencies), 2) if latencies else 0.0,
        latency_p95_ms=round(percentile(latencies, 95), 2),
        lookalikes_declined=_ratio(sum(not r.answered for r in lookalikes), len(lookalikes)) if lookalikes else 0.0,
        k=k,
        mode="written" if written or fell_back else "extractive",
        written_rate=_ratio(written, len(answered)) if answered else 0.0,
        fallback_rate=_ratio(len(fell_back), len(answered)) if answered else 0.0,
        fallbacks=dict(Counter(fell_back).most_common()),
        items=results,
    )


def compare_modes(desk: Desk, items: Sequence[EvalItem], k: int = 5) -> tuple[EvalReport, EvalReport]:
    """The extractive answers and the chat model's written answers on the same questions, side by side."""
    return run_eval(desk, items, k, write=False), run_eval(desk, items, k, write=True)
