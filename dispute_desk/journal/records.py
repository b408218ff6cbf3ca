"""What the journal hands back: stored questions, knowledge gaps and moderators' actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from dispute_desk.models import Source

ClaimOutcome = Literal["claimed", "seen", "limit"]
# Reasons that say nothing about the knowledge base (nothing for moderators to fill).
NOT_GAPS = ("empty", "too_long")

VoteOutcome = Literal["new", "changed", "same"]


@dataclass(frozen=True)
class QuestionRecord:
    id: int
    created_at: str
    guild_id: int | None
    channel_id: int | None
    thread_id: int | None
    user_hash: str
    origin: str
    private: bool
    question: str
    context: str | None
    answered: bool
    reason: str
    answer: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Gap:
    question_id: int
    created_at: str
    question: str
    reason: str
    answered: bool
    downvotes: int
    private: bool = False  # asked ephemerally: moderators are told a gap exists, not what was asked


@dataclass(frozen=True)
class AdminAction:
    id: int
    created_at: str
    guild_id: int | None
    actor_id: int
    actor_name: str
    action: str
    detail: str
    ok: bool


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def source_json(source: Source) -> dict[str, Any]:
    data = source.to_json()
    data["number"] = source.number
    data["facts"] = list(source.facts)
    if source.as_of:
        data["as_of"] = source.as_of
    return data


def source_from_json(data: dict[str, Any]) -> Source:
    return Source(
        number=int(data.get("number", 0)),
        title=str(data.get("title", "")),
        url=data.get("url"),
        section=data.get("section"),
        kind=str(data.get("kind", "other")),
        score=float(data.get("score", 0.0)),
        text=str(data.get("text", "")),
        facts=tuple(data.get("facts", ())),
        as_of=data.get("as_of"),
    )
