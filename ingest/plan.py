"""The read-and-plan half of an ingest run, shared by dry and real runs: read every file (each in a guarded helper
process), work out what would be added, updated or removed, and whether a folder would lose too many documents.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dispute_desk.models import Chunk
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore, Collection, IndexMissing, IndexPointer
from ingest.discovery import Candidate, PathScope, Skipped, display_path, scopes_for, source_path, walk
from ingest.documents import UnreadableSource
from ingest.indexer import Plan, Progress, plan_changes
from ingest.reader import SUPPORTED_SUFFIXES
from ingest.report import FileError, IngestSummary, changes_by_source, section_changes
from ingest.worker import read_guarded

log = logging.getLogger(__name__)

MAX_REMOVED_SHARE = 0.5  # of one folder's indexed documents, removed in one run without --allow-mass-delete


@dataclass
class ReadResult:
    chunks: list[Chunk] = field(default_factory=list)
    failed_sources: set[str] = field(default_factory=set)
    seen_sources: set[str] = field(default_factory=set)


def _error(path: Path, reason: str) -> FileError:
    return FileError(display_path(path), reason)


def _read_all(
    settings: Settings, paths: Sequence[Path], summary: IngestSummary, progress: Progress | None
) -> ReadResult:
    found = list(walk(paths, SUPPORTED_SUFFIXES, settings.knowledge_dir))
    candidates = [c for c in found if isinstance(c, Candidate)]
    for item in found:
        if isinstance(item, Skipped):
            (summary.errors if item.error else summary.skipped_files).append(_error(item.path, item.reason))
            summary.skipped += 1
    read = ReadResult()
    max_bytes = int(settings.ingest.max_file_mb * 1024 * 1024)
    for done, candidate in enumerate(candidates, start=1):
        read.seen_sources.add(candidate.source)
        try:
            chunks = read_guarded(candidate.path, candidate.source, max_bytes, settings.ingest.parse_timeout_seconds)
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
    old: dict[str, tuple[str, str]], scopes: Sequence[PathScope], read: ReadResult, share: float = MAX_REMOVED_SHARE
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


def open_live(store: ChunkStore, model: str, rebuild: bool) -> Collection | None:
    pointer = store.pointer()
    if pointer is None:
        return None
    try:
        return store.live(model)
    except IndexMissing:
        if not rebuild:
            raise
        return store.open(pointer.collection)  # another model: rebuild re-embeds its sources


def reencoding(pointer: IndexPointer | None, model: str, backend: str) -> str:
    """"old -> new" when the index's vectors came from another backend of ``model`` (or from a backend it did not
    record: an index written before backends were recorded), so this run must encode every chunk again; else ''.
    """
    if pointer is None or pointer.model != model or pointer.same_vectors(model, backend):
        return ""
    return f"{pointer.backend or 'unrecorded'} -> {backend}"


def plan_run(
    settings: Settings,
    paths: Sequence[Path],
    summary: IngestSummary,
    progress: Progress | None,
    live: Collection | None,
    old_manifest: dict[str, tuple[str, str]],
    rebuild: bool,
) -> tuple[ReadResult, Plan, list[PathScope], bool]:
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
    summary.changes = changes_by_source(plan, old_manifest)
    if fresh:  # a rebuild re-adds everything: compare with the old index by source instead
        if live is not None:
            old_ids = set(old_manifest)
            same = {c.id for c in plan.add if old_manifest.get(c.id, ("", ""))[1] == c.content_hash}
            gone = sorted(old_ids - {c.id for c in plan.add})
            diff = Plan(add=[c for c in plan.add if c.id not in same], remove=gone)
            summary.sections = section_changes(diff, old_manifest, live, new_chunks)
    else:
        summary.sections = section_changes(plan, old_manifest, live, new_chunks)
