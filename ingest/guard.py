"""The reindex guard: answer the eval questions from the staged index and from the live one, and keep the
live one when the staged index answers worse.

Two scores are compared: fact-in-answer (answerable questions whose answer cites an expected fact) and
decline accuracy (must-decline questions declined plus answerable ones answered, over all questions). A
drop in either larger than ``DESK_REINDEX_MAX_DROP`` refuses the switch unless the run is forced. The
questions that were right on the live index and are wrong on the staged one are named.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from dispute_desk.embedding import Embedder
from dispute_desk.settings import PROJECT_DIR, Settings
from dispute_desk.store import ChunkStore, Collection

if TYPE_CHECKING:
    from dispute_desk.eval import EvalReport, ItemResult

log = logging.getLogger(__name__)

DEFAULT_QUESTIONS = PROJECT_DIR / "tests" / "eval" / "dev.jsonl"  # never the held-out split
REGRESSED_SHOWN = 10


@dataclass
class Scores:
    answer_fact_rate: float
    decline_accuracy: float
    decline_precision: float
    decline_recall: float


@dataclass
class Regressed:
    id: str
    question: str
    before: str  # "answered with the fact", "declined", ...
    after: str


@dataclass
class GuardResult:
    questions: int
    before: Scores
    after: Scores
    max_drop: float
    passed: bool
    forced: bool = False
    regressed_total: int = 0
    regressed: list[Regressed] = field(default_factory=list)  # the first REGRESSED_SHOWN
    seconds: float = 0.0
    question_file: str = ""

    @property
    def switched(self) -> bool:
        return self.passed or self.forced

    def drops(self) -> dict[str, float]:
        return {
            "answer_fact_rate": round(self.before.answer_fact_rate - self.after.answer_fact_rate, 4),
            "decline_accuracy": round(self.before.decline_accuracy - self.after.decline_accuracy, 4),
        }

    def explain(self) -> str:
        """One sentence for a refusal: what dropped, by how much, and which questions."""
        too_much = [f"{name.replace('_', ' ')} {getattr(self.before, name):.3f} -> {getattr(self.after, name):.3f}"
                    for name, drop in self.drops().items() if drop > self.max_drop]
        shown = ", ".join(r.id for r in self.regressed)
        hidden = self.regressed_total - len(self.regressed)
        more = f" and {hidden} more" if hidden > 0 else ""
        return (
            f"the new index answers worse than the live one ({'; '.join(too_much)}; allowed drop "
            f"{self.max_drop}); {self.regressed_total} question(s) regressed ({shown}{more}). The live index is "
            "unchanged; fix the knowledge or run again with --force (/reindex force:True) to switch anyway"
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["drops"] = self.drops()
        data["switched"] = self.switched
        return data


def guard_applies(settings: Settings, embedder_name: str) -> bool:
    """Whether a reindex is checked: the setting is on and the question file exists; with the hashing
    embedder only a question file of one's own is used (its answers on the project's eval mean nothing).
    """
    questions = settings.ingest.reindex_questions
    if not settings.ingest.reindex_guard or not questions.is_file():
        return False
    return not (embedder_name == "hashing" and questions.resolve() == DEFAULT_QUESTIONS.resolve())


def _right(item: ItemResult) -> bool:
    return item.answer_has_fact if item.answerable else not item.answered


def _state(item: ItemResult) -> str:
    if not item.answered:
        return "declined"
    if not item.answerable:
        return "answered (should decline)"
    return "answered with the fact" if item.answer_has_fact else "answered without the fact"


def _scores(report: EvalReport) -> Scores:
    items = report.items
    accurate = sum(r.answered == r.answerable for r in items)
    return Scores(report.answer_fact_rate, round(accurate / len(items), 4) if items else 1.0,
                  report.decline_precision, report.decline_recall)


def check_switch(
    settings: Settings, store: ChunkStore, embedder: Embedder, live: Collection, staged: Collection, *,
    force: bool = False,
) -> GuardResult:
    """Run the question file on ``live`` and on ``staged`` (extractive answers) and compare them."""
    from dispute_desk.desk import Desk
    from dispute_desk.eval import load_questions, run_eval
    from dispute_desk.texts import Texts

    started = time.perf_counter()
    items = load_questions(settings.ingest.reindex_questions)
    texts = Texts.load(settings.prompts_dir)
    reports = []
    for collection in (live, staged):
        desk = Desk(settings, embedder, store, texts, collection=collection)
        reports.append(run_eval(desk, items, write=False))
    before, after = reports
    after_by_id = {r.id: r for r in after.items}
    regressed = [
        Regressed(b.id, b.question, _state(b), _state(after_by_id[b.id]))
        for b in before.items if _right(b) and not _right(after_by_id[b.id])
    ]
    result = GuardResult(
        questions=len(items), before=_scores(before), after=_scores(after), max_drop=settings.ingest.reindex_max_drop,
        passed=False, forced=force, regressed_total=len(regressed), regressed=regressed[:REGRESSED_SHOWN],
        question_file=str(settings.ingest.reindex_questions),
    )
    result.passed = all(drop <= result.max_drop + 1e-9 for drop in result.drops().values())
    result.seconds = round(time.perf_counter() - started, 3)
    log.info("reindex guard: %s in %.1f s (%s)", "passed" if result.passed else "failed", result.seconds,
             result.drops())
    return result
