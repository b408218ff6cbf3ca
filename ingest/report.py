"""What an ingest run tells: its summary (counts, errors, changes by source and policy section), its errors, and the
JSON report it leaves in the data dir.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from dispute_desk.models import Chunk
from dispute_desk.settings import Settings
from dispute_desk.store import Collection
from ingest.indexer import Plan


class IngestBusy(Exception):
    """Another ingest is running."""


class IngestFailed(Exception):
    """The run stopped before switching anything over; the live index is unchanged."""

    def __init__(self, message: str, summary: IngestSummary | None = None) -> None:
        super().__init__(message)
        self.summary = summary


class SwitchRefused(IngestFailed):
    """The reindex guard kept the live index: the new one answered the eval questions worse."""


@dataclass
class FileError:
    path: str
    reason: str


@dataclass
class SourceChange:
    """Per source: how many chunks an ingest adds, updates or removes (shown by --dry-run)."""

    source: str
    added: int = 0
    updated: int = 0
    removed: int = 0


@dataclass
class SectionChange:
    """A policy section the run adds, changes or removes (``change``: added, changed or removed)."""

    source: str
    section: str
    change: str

    def label(self) -> str:
        return f"{self.source} § {self.section}"


def section_changes(
    plan: Plan, old_manifest: dict[str, tuple[str, str]], live: Collection | None, new_chunks: Sequence[Chunk]
) -> list[SectionChange]:
    """Policy sections of the sources this plan touches, compared by the content of their chunks."""
    touched = {c.source for c in plan.to_embed} | {old_manifest[i][0] for i in plan.remove if i in old_manifest}
    if not touched:
        return []
    old: dict[tuple[str, str], set[str]] = {}
    if live is not None:
        ids = [i for i, (source, _) in old_manifest.items() if source in touched]
        for meta in live.metadata_for(ids).values():
            if meta.get("kind") == "policy" and meta.get("section"):
                key = (str(meta.get("source", "")), str(meta["section"]))
                old.setdefault(key, set()).add(str(meta.get("content_hash", "")))
    new: dict[tuple[str, str], set[str]] = {}
    for chunk in new_chunks:
        if chunk.source in touched and chunk.kind == "policy" and chunk.section:
            new.setdefault((chunk.source, chunk.section), set()).add(chunk.content_hash)
    out = [SectionChange(src, sec, "added") for src, sec in new.keys() - old.keys()]
    out += [SectionChange(src, sec, "removed") for src, sec in old.keys() - new.keys()]
    both = old.keys() & new.keys()
    out += [SectionChange(src, sec, "changed") for src, sec in both if old[src, sec] != new[src, sec]]
    return sorted(out, key=lambda c: (c.source, c.section, c.change))


def changes_by_source(plan: Plan, manifest: dict[str, tuple[str, str]]) -> list[SourceChange]:
    by_source: dict[str, SourceChange] = {}
    for attribute, chunks in (("added", plan.add), ("updated", plan.update)):
        for chunk in chunks:
            change = by_source.setdefault(chunk.source, SourceChange(chunk.source))
            setattr(change, attribute, getattr(change, attribute) + 1)
    for removed_id in plan.remove:
        source = manifest[removed_id][0]
        by_source.setdefault(source, SourceChange(source)).removed += 1
    return sorted(by_source.values(), key=lambda c: c.source)


@dataclass
class IngestSummary:
    files: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[FileError] = field(default_factory=list)
    skipped_files: list[FileError] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    dry_run: bool = False
    rebuild: bool = False
    collection: str = ""
    finished: str = ""
    changes: list[SourceChange] = field(default_factory=list)
    refused: str = ""  # why a run would be (or was) refused: too many documents would be removed
    migrated: int = 0  # chunks whose ids were converted from the old working-directory-relative scheme
    reencoded: int = 0  # unchanged chunks encoded again: the index's vectors came from another (or unrecorded) backend
    backend_change: str = ""  # "torch -> onnx-int8" when the run re-encodes ("unrecorded -> ..." for an old index)
    sections: list[SectionChange] = field(default_factory=list)  # policy sections added, changed or removed
    guard: dict[str, Any] | None = None  # the reindex guard's comparison (ingest.guard.GuardResult), when it ran

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def write_report(settings: Settings, summary: IngestSummary) -> None:
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(summary.to_json(), indent=2)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (settings.reports_dir / f"ingest-{stamp}.json").write_text(payload, encoding="utf-8")
    (settings.reports_dir / "last-ingest.json").write_text(payload, encoding="utf-8")
