"""`bot.py run` builds the index on first start through the same ingest function `bot.py ingest` uses."""

from __future__ import annotations

from rich.console import Console

from desk_cli import exit_codes
from desk_cli.commands.ingest import ensure_index
from dispute_desk.store import ChunkStore


def test_first_start_builds_the_index_from_the_knowledge_folder_then_leaves_it_alone(settings, tiny_knowledge) -> None:
    console = Console(record=True, width=200)
    assert ChunkStore(settings).pointer() is None

    assert ensure_index(settings, console) == exit_codes.OK
    first = ChunkStore(settings).pointer()
    assert first is not None and first.model == "hashing"
    shown = console.export_text()
    assert "No index in" in shown and "files read" in shown

    again = Console(record=True, width=200)
    assert ensure_index(settings, again) == exit_codes.OK  # an index exists: nothing is re-read or rebuilt
    assert ChunkStore(settings).pointer() == first and again.export_text() == ""
