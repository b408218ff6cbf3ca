"""How fresh the knowledge is: the date each passage was last checked, and policy sections due a re-check.

Every policy section carries ``as_of`` (the day someone checked it against the official page). Answers show it
next to their sources ("checked 2026-11-20"); ``stale_sections`` lists the policy sections older than
``DESK_STALE_AFTER_DAYS`` so moderators know what to re-check (``/kb status``, ``bot.py ingest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from dispute_desk.models import Answer, Chunk, Source
from dispute_desk.settings import Settings

SourceKey = tuple[str, str | None, str | None]


@dataclass(frozen=True)
class StaleSection:
    """A policy section last checked ``age_days`` ago (None: it has no ``as_of`` date at all)."""

    source: str
    title: str
    section: str | None
    as_of: str | None
    age_days: int | None

    def label(self) -> str:
        name = f"{self.title} § {self.section}" if self.section else self.title
        when = f"checked {self.as_of} ({self.age_days} days ago)" if self.as_of else "no as_of date"
        return f"{name}: {when}"


def parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def checked_label(as_of: str | None) -> str:
    """``"checked 2026-11-20"``, or empty when the passage has no date."""
    day = parse_day(as_of)
    return f"checked {day.isoformat()}" if day else ""


def stale_sections(chunks: Iterable[Chunk], *, max_age_days: int, today: date | None = None) -> list[StaleSection]:
    """Policy sections older than ``max_age_days`` (or undated), each once, the oldest first."""
    today = today or datetime.now(UTC).date()
    seen: dict[tuple[str, str | None], StaleSection] = {}
    for chunk in chunks:
        if chunk.kind != "policy" or chunk.variant_of:
            continue
        key = (chunk.source, chunk.section)
        if key in seen:
            continue
        day = parse_day(chunk.as_of)
        age = (today - day).days if day else None
        if age is not None and age <= max_age_days:
            seen[key] = StaleSection(chunk.source, chunk.title, chunk.section, None, -1)  # fresh: marks it seen
            continue
        seen[key] = StaleSection(chunk.source, chunk.title, chunk.section, day.isoformat() if day else None, age)
    stale = [s for s in seen.values() if s.age_days != -1]
    return sorted(stale, key=lambda s: (-(s.age_days if s.age_days is not None else 10**6), s.source, s.section or ""))


def live_stale_sections(settings: Settings, *, today: date | None = None) -> list[StaleSection]:
    """``stale_sections`` of the live collection (blocking: Chroma reads). Raises ``IndexMissing`` without one."""
    from dispute_desk.store import ChunkStore

    collection = ChunkStore(settings).live(settings.embedding.model)
    return stale_sections(collection.iter_chunks(), max_age_days=settings.ingest.stale_after_days, today=today)


def as_of_index(chunks: Iterable[Chunk]) -> dict[SourceKey, str]:
    """(title, section, url) -> as_of, for dating the sources of an answer."""
    return {(c.title, c.section, c.url): c.as_of for c in chunks if c.as_of}


def with_as_of(answer: Answer, index: Mapping[SourceKey, str]) -> Answer:
    """``answer`` with each source's ``as_of`` filled in from the passages it cites."""
    sources = tuple(_dated(s, index) for s in answer.sources)
    return replace(answer, sources=sources) if sources != answer.sources else answer


def _dated(source: Source, index: Mapping[SourceKey, str]) -> Source:
    if source.as_of:
        return source
    as_of = index.get((source.title, source.section, source.url))
    return replace(source, as_of=as_of) if as_of else source
