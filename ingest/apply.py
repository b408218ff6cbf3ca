"""The write half of an ingest run: embed what changed, write it into a new or staged collection, let the reindex
guard check it, and only then switch the live pointer (dropping the new collection on any failure).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from dispute_desk.embedding import Embedder, build_embedder
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore, Collection
from ingest.guard import check_switch
from ingest.indexer import Plan, Progress, apply_plan, embed_in_batches
from ingest.migration import SOURCE_IDS
from ingest.report import IngestFailed, IngestSummary, SwitchRefused

log = logging.getLogger(__name__)

Check = Callable[[Collection, Embedder | None], None]


def guard_check(
    settings: Settings, store: ChunkStore, embedder: Embedder | None, live: Collection | None,
    summary: IngestSummary, force: bool,
) -> Check:
    """The check run on a staged collection before the pointer moves to it (raises ``SwitchRefused``)."""

    def check(staged: Collection, loaded: Embedder | None) -> None:  # loaded: the model this run already has
        assert live is not None
        model = embedder or loaded or build_embedder(settings)
        result = check_switch(settings, store, model, live, staged, force=force)
        summary.guard = result.to_json()
        if not result.switched:
            raise SwitchRefused(result.explain())
        if not result.passed:
            log.warning("switching to an index that answers worse, because the run was forced: %s", result.drops())

    return check


def stage_and_switch(
    settings: Settings,
    store: ChunkStore,
    plan: Plan,
    model: str,
    live: Collection,
    embedder: Embedder | None,
    progress: Progress | None,
    summary: IngestSummary,
    check: Check | None,
    *,
    reencode: bool = False,
) -> None:
    """An incremental change written to a copy of the live collection, checked (if ``check``), then switched to.

    ``reencode``: the live vectors came from another backend (or an unrecorded one), so the copy gets every
    chunk it keeps encoded again by ``embedder`` instead of the stored vectors.
    """
    embedder = embedder or build_embedder(settings)
    began = time.perf_counter()
    vectors = embed_in_batches(embedder, plan.to_embed, settings.embedding.batch_size, progress)
    summary.embed_seconds = time.perf_counter() - began
    name = store.new_collection_name()
    staged = store.create(name)
    try:
        if reencode:
            began = time.perf_counter()
            summary.reencoded = _reencode_into(settings, live, staged, plan, embedder, progress)
            summary.embed_seconds += time.perf_counter() - began
        else:
            live.copy_into(staged)
        apply_plan(staged, plan, vectors, progress)
        if check is not None:
            check(staged, embedder)
        store.set_pointer(name, model, embedder.dimension, SOURCE_IDS, backend=embedder.backend)
    except BaseException:
        store.drop(name)
        raise
    summary.collection = name
    _drop_older(settings, store, keep={name, live.name})


def _reencode_into(
    settings: Settings, live: Collection, staged: Collection, plan: Plan, embedder: Embedder,
    progress: Progress | None,
) -> int:
    """Every chunk of ``live`` that ``plan`` keeps as it is, written into ``staged`` with a vector from
    ``embedder`` (from its stored text; the files are not read again). Returns how many.
    """
    replaced = {c.id for c in plan.update} | set(plan.remove)
    kept = [chunk for chunk in live.iter_chunks() if chunk.id not in replaced]
    if kept:
        staged.upsert(kept, embed_in_batches(embedder, kept, settings.embedding.batch_size, progress))
    return len(kept)


def _drop_older(settings: Settings, store: ChunkStore, keep: set[str]) -> None:
    """The collection just replaced stays until the next switch, so a bot still holding it keeps answering
    until it notices; anything older goes now.
    """
    for old in store.collection_names():
        if old.startswith(f"{settings.store.collection_prefix}-") and old not in keep:
            store.drop(old)


def build_new(
    settings: Settings,
    store: ChunkStore,
    plan: Plan,
    model: str,
    backend: str,
    live: Collection | None,
    old_manifest: dict[str, tuple[str, str]],
    embedder: Embedder | None,
    progress: Progress | None,
    summary: IngestSummary,
    check: Check | None = None,
) -> None:
    """Write every chunk into a new collection, then (after ``check``, if any) switch the live pointer to it.

    An unchanged chunk keeps its stored vector only when the index records that ``model`` on ``backend``
    computed it; after a backend switch (or from an index that did not record its backend) every chunk is
    encoded again, so the index never mixes vectors from two backends.
    """
    reuse: dict[str, list[float]] = {}
    pointer = store.pointer()
    same = [c.id for c in plan.add if old_manifest.get(c.id, ("", ""))[1] == c.content_hash]
    if live is not None and pointer is not None and pointer.same_vectors(model, backend):
        reuse = live.embeddings_for(same)
    elif live is not None and pointer is not None and pointer.model == model:
        summary.reencoded = len(same)
    to_embed = [c for c in plan.add if c.id not in reuse]
    name = store.new_collection_name()
    collection = store.create(name)
    try:
        vectors_by_id = dict(reuse)
        if to_embed:
            embedder = embedder or build_embedder(settings)
            began = time.perf_counter()
            vectors = embed_in_batches(embedder, to_embed, settings.embedding.batch_size, progress)
            summary.embed_seconds = time.perf_counter() - began
            vectors_by_id.update({c.id: v for c, v in zip(to_embed, vectors, strict=True)})
        dimension = len(next(iter(vectors_by_id.values())))
        apply_plan(collection, plan, [vectors_by_id[c.id] for c in plan.to_embed], progress)
        if collection.count() != len(plan.to_embed):
            raise IngestFailed(f"wrote {collection.count()} of {len(plan.to_embed)} chunks")
        if check is not None:
            check(collection, embedder)
        store.set_pointer(name, model, dimension, SOURCE_IDS, backend=embedder.backend if embedder else backend)
    except BaseException:
        store.drop(name)
        raise
    summary.collection = name
    _drop_older(settings, store, {name} | ({live.name} if live is not None else set()))


def save_corpus(settings: Settings, store: ChunkStore, embedder: Embedder | None) -> None:
    """Save the new index's chunks and BM25 arrays so desks reloading it skip re-tokenising (best effort)."""
    from dispute_desk.corpus_cache import prepare

    try:
        prepare(settings, store, embedder.name if embedder else settings.embedding.model)
    except Exception:
        log.warning("could not save the corpus cache; desks will build it when they load", exc_info=True)
