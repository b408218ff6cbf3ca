"""The generated forum export and the forum-scale benchmark (plumbing with the HashingEmbedder)."""

from __future__ import annotations

import pytest

from desk_cli.benchmark.forum import forum_export
from dispute_desk.embedding import HashingEmbedder
from ingest.reader import read_source
from ingest.synthetic import write_discourse_export


def test_the_generated_export_is_deterministic_and_every_topic_reads(tmp_path):
    topics = write_discourse_export(tmp_path / "a", 400)
    write_discourse_export(tmp_path / "b", 400)
    files = sorted((tmp_path / "a").iterdir())
    assert len(files) == topics
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in sorted((tmp_path / "b").iterdir())]
    docs = [read_source(f) for f in files]
    assert sum(len(d.posts) for d in docs) == 400
    roles = {p.role for d in docs for p in d.posts}
    assert {"member", "staff"} <= roles
    assert any(p.accepted for d in docs for p in d.posts)
    assert len({d.title for d in docs}) == len(docs)


@pytest.mark.subprocess
def test_forum_benchmark_reports_every_figure(settings):
    figures = forum_export(settings, HashingEmbedder(), posts=300)
    assert figures.posts == 300 and figures.chunks > 250
    assert figures.first_s > 0 and figures.ingest_chunks_per_s > 0 and figures.encode_chunks_per_s > 0
    assert 0 <= figures.unchanged_s < figures.first_s
    assert figures.index_load_ms > 0 and figures.answer_p50_ms > 0
    assert 0 < figures.rss_model_mb <= figures.rss_answering_mb
    assert set(figures.to_json()) >= {"ratio", "unchanged_s", "index_load_ms", "rss_answering_mb"}
