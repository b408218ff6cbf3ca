"""The answering corpus (chunk texts + BM25) saved next to the index, so a start or reload does not re-read
and re-tokenise every chunk.

Chroma keeps no sparse index locally, so BM25 lives in the desk's process. Building it means reading every
chunk from Chroma and tokenising it: about 10 s per 10,000 chunks on a 2-core machine. Instead, whoever first
loads a given index revision (the ingest that made it, or the first desk on a host) saves the chunks and the
BM25 arrays under ``<data_dir>/lexical/<collection>-<revision>/``; every later load reads those files (the BM25
arrays memory-mapped). The pointer's revision changes on every write, so a cache can never be stale; a cache
whose chunk count differs from the collection's is ignored and rebuilt. In server mode this is a per-host
cache of data whose source of truth stays in the server.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from dispute_desk.lexical import TOKENS_VERSION, BM25Index
from dispute_desk.models import Chunk
from dispute_desk.retrieval import Corpus
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore, Collection, IndexPointer

log = logging.getLogger(__name__)

FORMAT = 2  # 2: member-phrasing records are saved too
KEEP = 2  # the live revision and the one before it (a bot may still be serving it)


def cache_root(settings: Settings) -> Path:
    return settings.data_dir / "lexical"


def cache_dir(settings: Settings, pointer: IndexPointer) -> Path | None:
    if not pointer.revision:
        return None  # written by an older version: no safe key
    return cache_root(settings) / f"{pointer.collection}-{pointer.revision}"


def _read(folder: Path, expected: int) -> Corpus | None:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("chunks") != expected or meta.get("tokens") != TOKENS_VERSION:
            return None
        rows = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
        chunks = [Chunk.from_store(chunk_id, text, metadata) for chunk_id, text, metadata in rows]
        return Corpus(chunks, BM25Index.load(folder / "bm25"))
    except FileNotFoundError:
        return None
    except Exception:
        log.warning("ignoring a damaged corpus cache in %s", folder, exc_info=True)
        return None


def _write(folder: Path, corpus: Corpus) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".writing-"))
    try:
        rows = [[c.id, c.text, c.metadata()] for c in [*corpus.chunks, *corpus.phrasings]]
        (scratch / "chunks.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        corpus.bm25.save(scratch / "bm25")
        meta = {"format": FORMAT, "chunks": corpus.records, "tokens": TOKENS_VERSION}
        (scratch / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        os.replace(scratch, folder)  # another process may have written it meanwhile: then keep theirs
    except OSError:
        if not folder.exists():
            log.warning("could not save the corpus cache in %s", folder, exc_info=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _prune(folder.parent, keep=folder)


def _prune(root: Path, keep: Path) -> None:
    caches = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in caches if p != keep][KEEP - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def load_corpus(settings: Settings, collection: Collection, pointer: IndexPointer | None) -> Corpus:
    """The corpus of ``collection``: from the cache when it matches ``pointer``, else built (and saved)."""
    folder = cache_dir(settings, pointer) if pointer is not None and pointer.collection == collection.name else None
    if folder is None:
        return Corpus.from_collection(collection)
    expected = collection.count()
    corpus = _read(folder, expected)
    if corpus is not None:
        return corpus
    corpus = Corpus.from_collection(collection)
    if corpus.records == expected:
        shutil.rmtree(folder, ignore_errors=True)  # a damaged or mismatched one
        _write(folder, corpus)
    return corpus


def prepare(settings: Settings, store: ChunkStore, model: str) -> None:
    """Save the live index's corpus now (after an ingest), so the desks that reload it start fast."""
    pointer = store.pointer()
    if pointer is None:
        return
    load_corpus(settings, store.live(model), pointer)
