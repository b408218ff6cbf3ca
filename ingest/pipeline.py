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
- When something changed and a live index exists, the change is staged in a new collection and the eval
  questions are answered from it and from the live one (``ingest.guard``); if the staged index answers worse
  by more than ``DESK_REINDEX_MAX_DROP`` the staged collection is dropped and the live one keeps serving
  (``SwitchRefused``), unless ``force``. The summary names the policy sections added, changed or removed.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from dispute_desk.embedding import Embedder, build_embedder
from dispute_desk.models import Chunk
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore, Collection, IndexMissing, LeaseLost, WriterBusy
from ingest.discovery import Candidate, Scope, Skipped, display_path, scopes_for, source_path, walk
from ingest.documents import UnreadableSource
from ingest.guard import check_switch, guard_applies
from ingest.indexer import Plan, Progress, apply_plan, embed_in_batches, plan_changes
from ingest.migration import SOURCE_IDS, migrate_ids, remapped_manifest
from ingest.reader import SUPPORTED_SUFFIXES
from ingest.worker import read_guarded

log = logging.getLogger(__name__)

MAX_REMOVED_SHARE = 0.5  # of one folder's indexed documents, removed in one run without --allow-mass-delete


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


def _section_changes(
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


def _changes_by_source(plan: Plan, manifest: dict[str, tuple[str, str]]) -> list[SourceChange]:
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


@dataclass
class _Read:
    chunks: list[Chunk] = field(default_factory=list)
    failed_sources: set[str] = field(default_factory=set)
    seen_sources: set[str] = field(default_factory=set)


def _error(path: Path, reason: str) -> FileError:
    return FileError(display_path(path), reason)


def _read_all(settings: Settings, paths: Sequence[Path], summary: IngestSummary, progress: Progress | None) -> _Read:
    found = list(walk(paths, SUPPORTED_SUFFIXES, settings.knowledge_dir))
    candidates = [c for c in found if isinstance(c, Candidate)]
    for item in found:
        if isinstance(item, Skipped):
            (summary.errors if item.error else summary.skipped_files).append(_error(item.path, item.reason))
            summary.skipped += 1
    read = _Read()
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    for done, candidate in enumerate(candidates, start=1):
        read.seen_sources.add(candidate.source)
        try:
            chunks = read_guarded(candidate.path, candidate.source, max_bytes, settings.parse_timeout_seconds)
        except UnreadableSource as exc:
            summary.errors.append(_error(candidate.path, str(exc)))
            summary.skipped += 1
            read.failed_sources.add(candidate.source)
        except Exception as exc:
            log.exception("reading %s failed", display_path(candidate.path))
            summary.errors.append(_error(candidate.path, f"could not be read ({type(exc).__name__}: {exc})"))
            summary.skipped += 1
            read.failed_sources.add(candidate.source)
        else:
            summary.files += 1
            summary.chunks += len(chunks)
            read.chunks.extend(chunks)
        if progress:
            progress("reading", done, len(candidates))
    return read


def _with_known_sources(settings: Settings, paths: Sequence[Path], old: dict[str, tuple[str, str]]) -> list[Path]:
    """For a rebuild: the given paths plus every file the current index was built from that still exists."""
    scopes = scopes_for(paths, settings.knowledge_dir)
    extra = sorted({src for src, _ in old.values() if not any(s.covers(src) for s in scopes)})
    known = [source_path(src, settings.knowledge_dir) for src in extra]
    return list(paths) + [p for p in known if p.is_file()]


def mass_removal(
    old: dict[str, tuple[str, str]], scopes: Sequence[Scope], read: _Read, share: float = MAX_REMOVED_SHARE
) -> str:
    """Why this run must not go ahead ('' when it may): per folder, the documents it would remove.

    A folder loses a document when a file indexed from it is gone (not merely unreadable this time).
    Removing more than ``share`` of a folder's documents, or every one of them, needs ``allow_mass_delete``.
    """
    problems = []
    indexed_sources = {source for source, _ in old.values()}
    for scope in scopes:
        if not scope.is_dir:
            continue
        indexed = {s for s in indexed_sources if scope.covers(s)}
        gone = sorted(s for s in indexed if s not in read.seen_sources and s not in read.failed_sources)
        if not gone or not (len(gone) == len(indexed) or len(gone) > share * len(indexed)):
            continue
        folder = scope.source or "the knowledge folder"
        shown = ", ".join(gone[:5]) + (f" and {len(gone) - 5} more" if len(gone) > 5 else "")
        amount = "all" if len(gone) == len(indexed) else f"{len(gone)}"
        problems.append(f"{amount} of the {len(indexed)} documents indexed from {folder} ({shown})")
    if not problems:
        return ""
    return (
        "refusing to remove " + "; ".join(problems) + " because their files are missing. If the folder is "
        "empty, unmounted or the wrong one, fix that and run again; if they really were deleted, run "
        "`python bot.py ingest --allow-mass-delete`"
    )


def _write_report(settings: Settings, summary: IngestSummary) -> None:
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(summary.to_json(), indent=2)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (settings.reports_dir / f"ingest-{stamp}.json").write_text(payload, encoding="utf-8")
    (settings.reports_dir / "last-ingest.json").write_text(payload, encoding="utf-8")


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
        if summary.changed:
            _save_corpus(settings, store, embedder)
        return summary
    except LeaseLost as exc:
        raise IngestFailed(str(exc)) from exc
    except WriterBusy as exc:
        raise IngestBusy(str(exc)) from exc
    finally:
        lock.release()


def _open_live(store: ChunkStore, model: str, rebuild: bool) -> Collection | None:
    pointer = store.pointer()
    if pointer is None:
        return None
    try:
        return store.live(model)
    except IndexMissing:
        if not rebuild:
            raise
        return store.open(pointer.collection)  # another model: rebuild re-embeds its sources


def _dry_run(
    settings: Settings, paths: Sequence[Path], rebuild: bool, embedder: Embedder | None, progress: Progress | None
) -> IngestSummary:
    """What a run would change, without writing anything (not even the lock or a report)."""
    started = time.perf_counter()
    summary = IngestSummary(dry_run=True, rebuild=rebuild)
    old_manifest: dict[str, tuple[str, str]] = {}
    live = None
    # a server holds the index itself; a local one exists only once an ingest made it (a dry run creates nothing)
    has_store = bool(settings.chroma_host) or (
        (settings.chroma_dir / "chroma.sqlite3").is_file() and (settings.data_dir / "index.json").is_file()
    )
    if has_store:
        store = ChunkStore(settings)
        live = _open_live(store, embedder.name if embedder else settings.embedding_model, rebuild)
        if live is not None:
            old_manifest = live.manifest()
            pointer = store.pointer()
            if pointer is not None and pointer.source_ids != SOURCE_IDS:
                old_manifest, summary.migrated = remapped_manifest(settings, live)
    read, _, scopes, _ = _plan(settings, paths, summary, progress, live, old_manifest, rebuild)
    summary.refused = mass_removal(old_manifest, scopes, read)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _plan(
    settings: Settings,
    paths: Sequence[Path],
    summary: IngestSummary,
    progress: Progress | None,
    live: Collection | None,
    old_manifest: dict[str, tuple[str, str]],
    rebuild: bool,
) -> tuple[_Read, Plan, list[Scope], bool]:
    """Read the paths and work out what would change (shared by dry and real runs); fills in the counts."""
    if rebuild:
        paths = _with_known_sources(settings, paths, old_manifest)
    read = _read_all(settings, paths, summary, progress)
    fresh = rebuild or live is None
    scopes = scopes_for(paths, settings.knowledge_dir)
    plan = plan_changes(read.chunks, {} if fresh else old_manifest, scopes, read.failed_sources)
    _count(summary, plan, old_manifest, live, fresh, read.chunks)
    return read, plan, scopes, fresh


def _count(summary: IngestSummary, plan: Plan, old_manifest: dict[str, tuple[str, str]],
           live: Collection | None, fresh: bool, new_chunks: Sequence[Chunk] = ()) -> None:
    summary.added, summary.updated = len(plan.add), len(plan.update)
    summary.unchanged, summary.removed = len(plan.unchanged), len(plan.remove)
    summary.collection = live.name if live is not None and not fresh else "(new)"
    summary.changes = _changes_by_source(plan, old_manifest)
    if fresh:  # a rebuild re-adds everything: compare with the old index by source instead
        if live is not None:
            old_ids = set(old_manifest)
            same = {c.id for c in plan.add if old_manifest.get(c.id, ("", ""))[1] == c.content_hash}
            gone = sorted(old_ids - {c.id for c in plan.add})
            diff = Plan(add=[c for c in plan.add if c.id not in same], remove=gone)
            summary.sections = _section_changes(diff, old_manifest, live, new_chunks)
    else:
        summary.sections = _section_changes(plan, old_manifest, live, new_chunks)


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
    model = embedder.name if embedder else settings.embedding_model
    live = _open_live(store, model, rebuild)
    pointer = store.pointer()
    if live is not None and pointer is not None and pointer.source_ids != SOURCE_IDS:
        live, summary.migrated = migrate_ids(settings, store, live, pointer.model, pointer.dimension)
    old_manifest = live.manifest() if live is not None else {}

    read, plan, scopes, fresh = _plan(settings, paths, summary, progress, live, old_manifest, rebuild)
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
    check = _guard(settings, store, embedder, live, summary, force) if guarded else None
    try:
        if fresh:
            _build_new(settings, store, plan, model, live, old_manifest, embedder, progress, summary, check)
        elif plan.changes and check is not None:
            assert live is not None
            _stage_and_switch(settings, store, plan, model, live, embedder, progress, summary, check)
        elif plan.changes:
            embedder = embedder or build_embedder(settings)
            began = time.perf_counter()
            vectors = embed_in_batches(embedder, plan.to_embed, settings.embedding_batch_size, progress)
            summary.embed_seconds = time.perf_counter() - began
            assert live is not None
            apply_plan(live, plan, vectors, progress)
            store.set_pointer(live.name, model, embedder.dimension, SOURCE_IDS)
    except SwitchRefused as exc:
        summary.refused = str(exc)
        summary.collection = live.name if live is not None else ""
        _finish(settings, summary, started)
        exc.summary = summary
        raise
    return _finish(settings, summary, started)


Check = Callable[[Collection, Embedder | None], None]


def _guard(
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


def _stage_and_switch(
    settings: Settings,
    store: ChunkStore,
    plan: Plan,
    model: str,
    live: Collection,
    embedder: Embedder | None,
    progress: Progress | None,
    summary: IngestSummary,
    check: Check,
) -> None:
    """An incremental change written to a copy of the live collection, checked, then switched to."""
    embedder = embedder or build_embedder(settings)
    began = time.perf_counter()
    vectors = embed_in_batches(embedder, plan.to_embed, settings.embedding_batch_size, progress)
    summary.embed_seconds = time.perf_counter() - began
    name = store.new_collection_name()
    staged = store.create(name)
    try:
        live.copy_into(staged)
        apply_plan(staged, plan, vectors, progress)
        check(staged, embedder)
        store.set_pointer(name, model, embedder.dimension, SOURCE_IDS)
    except BaseException:
        store.drop(name)
        raise
    summary.collection = name
    _drop_older(settings, store, keep={name, live.name})


def _drop_older(settings: Settings, store: ChunkStore, keep: set[str]) -> None:
    """The collection just replaced stays until the next switch, so a bot still holding it keeps answering
    until it notices; anything older goes now.
    """
    for old in store.collection_names():
        if old.startswith(f"{settings.collection_prefix}-") and old not in keep:
            store.drop(old)


def _build_new(
    settings: Settings,
    store: ChunkStore,
    plan: Plan,
    model: str,
    live: Collection | None,
    old_manifest: dict[str, tuple[str, str]],
    embedder: Embedder | None,
    progress: Progress | None,
    summary: IngestSummary,
    check: Check | None = None,
) -> None:
    """Write every chunk into a new collection, then (after ``check``, if any) switch the live pointer to it."""
    reuse: dict[str, list[float]] = {}
    pointer = store.pointer()
    if live is not None and pointer is not None and pointer.model == model:
        same = [c.id for c in plan.add if old_manifest.get(c.id, ("", ""))[1] == c.content_hash]
        reuse = live.embeddings_for(same)
    to_embed = [c for c in plan.add if c.id not in reuse]
    name = store.new_collection_name()
    collection = store.create(name)
    try:
        vectors_by_id = dict(reuse)
        if to_embed:
            embedder = embedder or build_embedder(settings)
            began = time.perf_counter()
            vectors = embed_in_batches(embedder, to_embed, settings.embedding_batch_size, progress)
            summary.embed_seconds = time.perf_counter() - began
            vectors_by_id.update({c.id: v for c, v in zip(to_embed, vectors, strict=True)})
        dimension = len(next(iter(vectors_by_id.values())))
        apply_plan(collection, plan, [vectors_by_id[c.id] for c in plan.to_embed], progress)
        if collection.count() != len(plan.to_embed):
            raise IngestFailed(f"wrote {collection.count()} of {len(plan.to_embed)} chunks")
        if check is not None:
            check(collection, embedder)
        store.set_pointer(name, model, dimension, SOURCE_IDS)
    except BaseException:
        store.drop(name)
        raise
    summary.collection = name
    _drop_older(settings, store, {name} | ({live.name} if live is not None else set()))


def _save_corpus(settings: Settings, store: ChunkStore, embedder: Embedder | None) -> None:
    """Save the new index's chunks and BM25 arrays so desks reloading it skip re-tokenising (best effort)."""
    from dispute_desk.corpus_cache import prepare

    try:
        prepare(settings, store, embedder.name if embedder else settings.embedding_model)
    except Exception:
        log.warning("could not save the corpus cache; desks will build it when they load", exc_info=True)


def _finish(settings: Settings, summary: IngestSummary, started: float) -> IngestSummary:
    summary.seconds = round(time.perf_counter() - started, 3)
    summary.embed_seconds = round(summary.embed_seconds, 3)
    summary.finished = datetime.now(UTC).isoformat(timespec="seconds")
    _write_report(settings, summary)
    return summary
