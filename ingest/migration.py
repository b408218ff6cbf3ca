"""Converting an index whose source ids depended on the working directory (before issue #10).

Older versions named a source by its path relative to the directory ingest ran in (``knowledge/policy/x.md``
from the repository root, something else from elsewhere), so the same ingest from another directory doubled
the index. Today a source is named relative to the knowledge folder, or by its absolute path. An index
without the ``source_ids`` marker in ``index.json`` is copied once under the new ids, vectors included, and
the pointer switched to the copy (the old collection stays until the next rebuild).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from dispute_desk.models import Chunk
from dispute_desk.settings import PROJECT_DIR, Settings
from dispute_desk.store import ChunkStore, Collection
from ingest.chunking import chunk_id, content_hash, phrasing_id
from ingest.discovery import source_id

log = logging.getLogger(__name__)

SOURCE_IDS = "knowledge-relative"  # recorded in index.json; older indexes named sources from the cwd


def _new_source(settings: Settings, old: str) -> str:
    """Today's id for a source named by an older version (relative to whatever directory ingest ran in)."""
    path = Path(old)
    if not path.is_absolute():
        guesses = [Path.cwd() / path, PROJECT_DIR / path]
        path = next((g for g in guesses if g.exists()), guesses[0])
    return source_id(path, settings.knowledge_dir)


def _renamed(chunk: Chunk, source: str) -> Chunk:
    """A record under today's source name. A member phrasing keeps pointing at its passage's new id (its id and
    content hash name the passage, so both follow).
    """
    passage = chunk_id(source, chunk.position)
    group = source if chunk.group in ("", chunk.source) else chunk.group
    if not chunk.variant_of:
        return replace(chunk, id=passage, source=source, group=group)
    return replace(chunk, id=phrasing_id(passage, chunk.text), source=source, group=group, variant_of=passage,
                   content_hash=content_hash(chunk.text, {"variant_of": passage}))


def remapped_manifest(settings: Settings, live: Collection) -> tuple[dict[str, tuple[str, str]], int]:
    """The manifest as it will read once ids are converted (for a dry run, which converts nothing)."""
    out: dict[str, tuple[str, str]] = {}
    moved = 0
    for chunk in live.iter_chunks():
        source = _new_source(settings, chunk.source)
        moved += source != chunk.source
        renamed = _renamed(chunk, source)
        out[renamed.id] = (source, renamed.content_hash)
    return out, moved


def migrate_ids(
    settings: Settings, store: ChunkStore, live: Collection, model: str, dimension: int, backend: str
) -> tuple[Collection, int]:
    """Copy the live collection under ids that do not depend on the working directory, then switch to it.

    Vectors are copied, not recomputed (so the pointer keeps the ``backend`` they came from). Returns the new
    live collection and how many chunks were renamed.
    """
    chunks = list(live.iter_chunks())
    vectors = live.embeddings_for([c.id for c in chunks])
    converted, moved = [], 0
    for chunk in chunks:
        source = _new_source(settings, chunk.source)
        moved += source != chunk.source
        converted.append(_renamed(chunk, source))
    name = store.new_collection_name()
    collection = store.create(name)
    try:
        if converted:
            collection.upsert(converted, [vectors[c.id] for c in chunks])
        store.set_pointer(name, model, dimension, SOURCE_IDS, backend=backend)
    except BaseException:
        store.drop(name)
        raise
    log.info("converted %d chunk ids to working-directory-independent ones (%s -> %s)", moved, live.name, name)
    return collection, moved
