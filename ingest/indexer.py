"""Deciding what an ingest changes in the index, and applying it.

Unchanged chunks (same id, same content hash) are never re-embedded. Chunks whose source vanished from a
folder being ingested are removed; sources outside the ingested paths, and sources that failed to read this
time, are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from dispute_desk.embedding import Embedder
from dispute_desk.models import Chunk
from dispute_desk.store import Collection
from ingest.discovery import PathScope

Progress = Callable[[str, int, int], None]


@dataclass
class Plan:
    add: list[Chunk] = field(default_factory=list)
    update: list[Chunk] = field(default_factory=list)
    unchanged: list[Chunk] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)

    @property
    def to_embed(self) -> list[Chunk]:
        return self.add + self.update

    @property
    def changes(self) -> int:
        return len(self.add) + len(self.update) + len(self.remove)


def plan_changes(
    chunks: Iterable[Chunk],
    manifest: dict[str, tuple[str, str]],
    scopes: Sequence[PathScope],
    keep_sources: set[str],
) -> Plan:
    """Compare fresh chunks with the index manifest (id -> (source, content hash)).

    ``keep_sources``: sources that failed to read this run; their old chunks stay.
    """
    plan = Plan()
    seen: set[str] = set()
    for chunk in chunks:
        if chunk.id in seen:
            continue
        seen.add(chunk.id)
        known = manifest.get(chunk.id)
        if known is None:
            plan.add.append(chunk)
        elif known[1] != chunk.content_hash:
            plan.update.append(chunk)
        else:
            plan.unchanged.append(chunk)
    for chunk_id, (source, _) in manifest.items():
        if chunk_id in seen or source in keep_sources:
            continue
        if any(scope.covers(source) for scope in scopes):
            plan.remove.append(chunk_id)
    return plan


def embed_in_batches(
    embedder: Embedder, chunks: Sequence[Chunk], batch_size: int, progress: Progress | None
) -> list[list[float]]:
    """Vectors for ``chunks`` (in their order). Batches hold texts of similar length, so little padding is
    computed; progress is reported after each batch.
    """
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i].text))
    vectors: list[list[float]] = [[] for _ in chunks]
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        for index, vector in zip(batch, embedder.embed_documents([chunks[i].text for i in batch]), strict=True):
            vectors[index] = vector
        if progress:
            progress("embedding", min(start + batch_size, len(chunks)), len(chunks))
    return vectors


def apply_plan(
    collection: Collection, plan: Plan, vectors: Sequence[Sequence[float]], progress: Progress | None
) -> None:
    """Write an embedded plan: upserts first, removals last."""
    chunks = plan.to_embed
    if chunks:
        collection.upsert(chunks, vectors)
    if progress:
        progress("writing", len(chunks), len(chunks))
    if plan.remove:
        collection.delete(plan.remove)
