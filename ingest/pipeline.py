"""One ingest run: read files, chunk, compare with the index, embed what changed, write, report.

Safety rules:
- One run at a time (a file lock in the data dir; in server mode also a lease in the Chroma server, so runs
  on other hosts are refused too); a second one gets ``IngestBusy``.
- Everything is read, chunked and embedded before the first write.
- ``rebuild`` writes a brand-new collection and switches the live pointer only when it is complete; on any
  failure or interruption the new collection is dropped and the old index keeps serving.
- Files that fail to read are reported and skipped; their previously indexed chunks stay.
- A run that would remove more than half of a folder's indexed documents (or all of them: an empty or
  unmounted folder) is refused unless ``allow_mass_delete``; the refusal lists what would go.
- Each file is read in a helper process with a time limit (``ingest.worker``); a file that takes too long
  is that file's error.
- ``dry_run`` writes nothing at all: no lock, no report, no store files.
- The index records the embedding backend with the model; when the live vectors came from another backend of
  the model (or one the index did not record), the run encodes every chunk again (a rebuild copies no vector,
  an incremental run stages a re-encoded copy), so the index never mixes two backends' vectors.
- When something changed and a live index exists, the change is staged in a new collection and the eval
  questions are answered from it and from the live one (``ingest.guard``); if the staged index answers worse
  by more than ``DESK_REINDEX_MAX_DROP`` the staged collection is dropped and the live one keeps serving
  (``SwitchRefused``), unless ``force``. The summary names the policy sections added, changed or removed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from dispute_desk.embedding import Embedder, backend_for, build_embedder
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore, LeaseLost, WriterBusy
from ingest.apply import build_new, guard_check, save_corpus, stage_and_switch
from ingest.guard import guard_applies
from ingest.indexer import Plan, Progress, apply_plan, embed_in_batches
from ingest.migration import SOURCE_IDS, migrate_ids, remapped_manifest
from ingest.plan import MAX_REMOVED_SHARE, mass_removal, open_live, plan_run, reencoding
from ingest.report import (
    FileError,
    IngestBusy,
    IngestFailed,
    IngestSummary,
    SectionChange,
    SourceChange,
    SwitchRefused,
    write_report,
)

__all__ = [
    "MAX_REMOVED_SHARE",
    "FileError",
    "IngestBusy",
    "IngestFailed",
    "IngestSummary",
    "SectionChange",
    "SourceChange",
    "SwitchRefused",
    "mass_removal",
    "run_ingest",
]

log = logging.getLogger(__name__)


def run_ingest(
    settings: Settings,
    paths: Sequence[Path],
    *,
    rebuild: bool = False,
    dry_run: bool = False,
    allow_mass_delete: bool = False,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> IngestSummary:
    """Ingest ``paths`` into the live index (see the module docstring for the guarantees).

    ``force`` switches to the new index even when the reindex guard finds it answers worse (still reported).
    """
    if dry_run:
        return _dry_run(settings, paths, rebuild, embedder, progress)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.lock_path))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise IngestBusy("another ingest is running; try again when it has finished") from exc
    try:
        store = ChunkStore(settings)
        with store.writer_lease():  # server mode: one writer across hosts; embedded: the file lock covers it
            summary = _run_locked(settings, paths, rebuild, allow_mass_delete, embedder, progress, store, force)
        if summary.changed or summary.reencoded:
            save_corpus(settings, store, embedder)
        return summary
    except LeaseLost as exc:
        raise IngestFailed(str(exc)) from exc
    except WriterBusy as exc:
        raise IngestBusy(str(exc)) from exc
    finally:
        lock.release()


def _dry_run(
    settings: Settings, paths: Sequence[Path], rebuild: bool, embedder: Embedder | None, progress: Progress | None
) -> IngestSummary:
    """What a run would change, without writing anything (not even the lock or a report)."""
    started = time.perf_counter()
    summary = IngestSummary(dry_run=True, rebuild=rebuild)
    old_manifest: dict[str, tuple[str, str]] = {}
    live = None
    # a server holds the index itself; a local one exists only once an ingest made it (a dry run creates nothing)
    has_store = bool(settings.store.chroma_host) or (
        (settings.chroma_dir / "chroma.sqlite3").is_file() and (settings.data_dir / "index.json").is_file()
    )
    if has_store:
        store = ChunkStore(settings)
        model = embedder.name if embedder else settings.embedding.model
        live = open_live(store, model, rebuild)
        if live is not None:
            old_manifest = live.manifest()
            pointer = store.pointer()
            if pointer is not None and pointer.source_ids != SOURCE_IDS:
                old_manifest, summary.migrated = remapped_manifest(settings, live)
            backend = embedder.backend if embedder else backend_for(settings)
            summary.backend_change = reencoding(pointer, model, backend)
    read, plan, scopes, fresh = plan_run(settings, paths, summary, progress, live, old_manifest, rebuild)
    if summary.backend_change:
        summary.reencoded = _reencoded(plan, old_manifest, fresh)
    summary.refused = mass_removal(old_manifest, scopes, read)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _run_locked(
    settings: Settings,
    paths: Sequence[Path],
    rebuild: bool,
    allow_mass_delete: bool,
    embedder: Embedder | None,
    progress: Progress | None,
    store: ChunkStore,
    force: bool = False,
) -> IngestSummary:
    started = time.perf_counter()
    summary = IngestSummary(rebuild=rebuild)
    for stale in store.remove_stale_temp_files():
        log.info("removed %s left by an interrupted ingest", stale.name)
    model = embedder.name if embedder else settings.embedding.model
    backend = embedder.backend if embedder else backend_for(settings)
    live = open_live(store, model, rebuild)
    pointer = store.pointer()
    if live is not None and pointer is not None and pointer.source_ids != SOURCE_IDS:
        live, summary.migrated = migrate_ids(settings, store, live, pointer.model, pointer.dimension, pointer.backend)
    old_manifest = live.manifest() if live is not None else {}
    # the live vectors came from another backend of this model (or one it did not record): encode them all again
    summary.backend_change = reencoding(pointer, model, backend) if live is not None else ""

    read, plan, scopes, fresh = plan_run(settings, paths, summary, progress, live, old_manifest, rebuild)
    summary.refused = "" if allow_mass_delete else mass_removal(old_manifest, scopes, read)
    if summary.refused:
        _finish(settings, summary, started)
        raise IngestFailed(summary.refused, summary)
    if fresh and not read.chunks:
        _finish(settings, summary, started)
        raise IngestFailed("nothing could be read, so no index was built; the current index is unchanged", summary)

    guarded = (
        live is not None and summary.changed > 0 and pointer is not None and pointer.model == model
        and guard_applies(settings, model)
    )
    check = guard_check(settings, store, embedder, live, summary, force) if guarded else None
    try:
        if fresh:
            build_new(settings, store, plan, model, backend, live, old_manifest, embedder, progress, summary, check)
        elif (plan.changes and check is not None) or summary.backend_change:
            assert live is not None
            stage_and_switch(settings, store, plan, model, live, embedder, progress, summary, check,
                             reencode=bool(summary.backend_change))
        elif plan.changes:
            embedder = embedder or build_embedder(settings)
            began = time.perf_counter()
            vectors = embed_in_batches(embedder, plan.to_embed, settings.embedding.batch_size, progress)
            summary.embed_seconds = time.perf_counter() - began
            assert live is not None
            apply_plan(live, plan, vectors, progress)
            store.set_pointer(live.name, model, embedder.dimension, SOURCE_IDS, backend=embedder.backend)
    except SwitchRefused as exc:
        summary.refused = str(exc)
        summary.collection = live.name if live is not None else ""
        _finish(settings, summary, started)
        exc.summary = summary
        raise
    return _finish(settings, summary, started)


def _reencoded(plan: Plan, old_manifest: dict[str, tuple[str, str]], fresh: bool) -> int:
    """How many unchanged chunks a run that re-encodes would encode again (for the dry run's report)."""
    if fresh:
        return sum(1 for c in plan.add if old_manifest.get(c.id, ("", ""))[1] == c.content_hash)
    replaced = {c.id for c in plan.update} | set(plan.remove)
    return sum(1 for chunk_id in old_manifest if chunk_id not in replaced)


def _finish(settings: Settings, summary: IngestSummary, started: float) -> IngestSummary:
    summary.seconds = round(time.perf_counter() - started, 3)
    summary.embed_seconds = round(summary.embed_seconds, 3)
    summary.finished = datetime.now(UTC).isoformat(timespec="seconds")
    write_report(settings, summary)
    return summary
