"""Server mode against a real `chroma run`: ingest, ask, rebuild, reload, one writer, and the server going away."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from chroma_server import ChromaServer, server_env

from dispute_desk.desk import Desk
from dispute_desk.embedding import HashingEmbedder
from dispute_desk.settings import PROJECT_DIR, Settings
from dispute_desk.store import ChunkStore, IndexMissing, StoreUnavailable
from ingest.pipeline import IngestBusy, IngestFailed, run_ingest

pytestmark = pytest.mark.subprocess  # a Chroma server and bot.py run as separate processes


def open_desk(settings: Settings, embedder: HashingEmbedder) -> Desk:
    return Desk.open(settings.updated({"min_evidence": 0.0}), embedder=embedder)


def cited_titles(desk: Desk, question: str) -> list[str]:
    answer = desk.ask(question)
    assert answer.answered, answer
    return [s.title for s in answer.sources]


def test_ingest_and_answer_from_the_server_with_no_local_chroma_files(
    server_settings: Settings, tiny_knowledge: Path, embedder: HashingEmbedder
) -> None:
    summary = run_ingest(server_settings, [tiny_knowledge], embedder=embedder)
    assert summary.ok and summary.added == 3

    desk = open_desk(server_settings, embedder)
    assert "Arbitration fees" in cited_titles(desk, "who pays the arbitration fee")
    assert desk.status().store_mode == "server" and desk.status().chunks == 3
    data = server_settings.data_dir
    assert not (data / "chroma").exists() and not (data / "index.json").exists()
    # The pointer is in the server: another process (a fresh client) finds the same live collection.
    assert ChunkStore(server_settings).pointer().collection == desk.status().collection


def test_an_ingest_in_one_process_is_served_by_every_other_one(
    server_settings: Settings, tiny_knowledge: Path, embedder: HashingEmbedder
) -> None:
    run_ingest(server_settings, [tiny_knowledge], embedder=embedder)
    bots = [open_desk(server_settings, embedder), open_desk(server_settings, embedder)]
    first = bots[0].status().collection

    policy = tiny_knowledge / "policy" / "01-escrow.md"
    policy.write_text(policy.read_text().replace("14 days", "21 days"), encoding="utf-8")
    update = run_ingest(server_settings, [tiny_knowledge], embedder=embedder)
    assert update.updated == 1
    for desk in bots:  # incremental update: same collection, new content, noticed before the next answer
        answer = desk.ask("how many days does the client have to review the work")
        assert "21 days" in answer.text and desk.status().collection == first

    rebuilt = run_ingest(server_settings, [tiny_knowledge], rebuild=True, embedder=embedder)
    assert rebuilt.collection != first
    for desk in bots:
        desk.ask("how many days does the client have to review the work")
        assert desk.status().collection == rebuilt.collection
    run_ingest(server_settings, [tiny_knowledge], rebuild=True, embedder=embedder)
    names = ChunkStore(server_settings).collection_names()
    assert first not in names, "collections older than the previous one are dropped after a rebuild"
    assert rebuilt.collection in names


def test_a_second_writer_from_another_process_is_refused(
    server_settings: Settings, tiny_knowledge: Path, chroma_server: ChromaServer, tmp_path: Path
) -> None:
    holder = ChunkStore(server_settings)
    with holder.writer_lease():
        with pytest.raises(IngestBusy, match="another ingest is running"):
            run_ingest(server_settings, [tiny_knowledge], embedder=HashingEmbedder())
        other_host = subprocess.run(  # a separate process with its own data dir, as on another machine
            [sys.executable, "bot.py", "ingest", str(tiny_knowledge)],
            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300, check=False,
            env=server_env(chroma_server, tmp_path / "other-host"),
        )
        assert other_host.returncode == 4, other_host.stdout + other_host.stderr
        assert "another ingest is running" in other_host.stdout
    assert run_ingest(server_settings, [tiny_knowledge], embedder=HashingEmbedder()).ok  # released


def test_a_crashed_writers_lease_expires(server_settings: Settings, tiny_knowledge: Path) -> None:
    short = server_settings.updated({"writer_lease_seconds": 1.5})
    crashed = ChunkStore(short)
    lease_context = crashed.writer_lease()
    lease = lease_context.__enter__()
    lease._stop.set()  # the writer dies: no more renewals, no release
    with pytest.raises(IngestBusy):
        run_ingest(short, [tiny_knowledge], embedder=HashingEmbedder())
    time.sleep(2.0)
    assert run_ingest(short, [tiny_knowledge], embedder=HashingEmbedder()).added == 3
    with pytest.raises(Exception, match="lost its writer lease"):
        lease.check()  # the crashed writer, if it came back, could no longer switch the index


class _StopsServer:
    """The real plumbing embedder, but the Chroma server goes away while it is embedding."""

    def __init__(self, server: ChromaServer) -> None:
        self.inner = HashingEmbedder()
        self.name, self.dimension, self.backend = self.inner.name, self.inner.dimension, self.inner.backend
        self.server = server

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.server.stop()
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def test_server_stopping_mid_rebuild_switches_nothing_and_the_desk_recovers(
    server_settings: Settings, tiny_knowledge: Path, chroma_server: ChromaServer, embedder: HashingEmbedder
) -> None:
    settings = server_settings.updated({"writer_lease_seconds": 2.0})
    run_ingest(settings, [tiny_knowledge], embedder=embedder)
    desk = open_desk(settings, embedder)
    before = desk.status().collection
    policy = tiny_knowledge / "policy" / "01-escrow.md"
    policy.write_text(policy.read_text().replace("14 days", "21 days"), encoding="utf-8")  # something to embed

    with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{chroma_server.port} is unreachable"):
        run_ingest(settings, [tiny_knowledge], rebuild=True, embedder=_StopsServer(chroma_server))
    with pytest.raises(StoreUnavailable, match="is unreachable"):  # a clear error, not a crash or a hang
        desk.ask("who pays the arbitration fee")
    with pytest.raises(IndexMissing, match="is unreachable"):
        Desk.open(settings, embedder=embedder)

    chroma_server.start()
    assert ChunkStore(settings).pointer().collection == before, "the half-built collection was never switched to"
    assert "Arbitration fees" in cited_titles(desk, "who pays the arbitration fee")  # same desk, no restart
    deadline = time.monotonic() + 15  # the failed writer could not release its lease: it expires
    while True:
        try:
            rebuilt = run_ingest(settings, [tiny_knowledge], rebuild=True, embedder=embedder)
            break
        except IngestBusy:
            assert time.monotonic() < deadline
            time.sleep(0.5)
    assert rebuilt.collection != before
    assert "Arbitration fees" in cited_titles(desk, "who pays the arbitration fee")
    assert desk.status().collection == rebuilt.collection



def test_the_command_line_in_server_mode(chroma_server: ChromaServer, tiny_knowledge: Path, tmp_path: Path) -> None:
    env = server_env(chroma_server, tmp_path / "cli-data")

    def bot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "bot.py", *args], cwd=PROJECT_DIR, env=env, capture_output=True,
                              text=True, timeout=300, check=False)

    assert bot("ingest", str(tiny_knowledge)).returncode == 0
    asked = bot("ask", "--json", "who pays the arbitration fee")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["sources"][0]["title"] == "Arbitration fees"
    assert not (tmp_path / "cli-data" / "chroma").exists()

    chroma_server.stop()
    down = bot("ask", "who pays the arbitration fee")
    assert down.returncode == 2
    assert f"127.0.0.1:{chroma_server.port} is unreachable" in down.stderr


class _SlowEmbedder:
    """Embedding takes longer than the writer lease lasts; meanwhile another writer tries to start."""

    def __init__(self, settings: Settings, knowledge: Path, seconds: float) -> None:
        self.inner = HashingEmbedder()
        self.name, self.dimension, self.backend = self.inner.name, self.inner.dimension, self.inner.backend
        self.settings, self.knowledge, self.seconds = settings, knowledge, seconds
        self.other_writer: BaseException | None = None

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        time.sleep(self.seconds)
        try:
            run_ingest(self.settings.updated({"data_dir": self.settings.data_dir / "other-host"}),
                       [self.knowledge], embedder=HashingEmbedder())
        except IngestBusy as exc:
            self.other_writer = exc
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def test_a_long_ingest_keeps_renewing_its_lease(server_settings: Settings, tiny_knowledge: Path) -> None:
    short = server_settings.updated({"writer_lease_seconds": 1.2})
    slow = _SlowEmbedder(short, tiny_knowledge, seconds=3.0)
    summary = run_ingest(short, [tiny_knowledge], embedder=slow)
    assert summary.added == 3, "the pointer switched: the lease was still held after 2.5 lease lifetimes"
    assert isinstance(slow.other_writer, IngestBusy), "a writer on another host was refused meanwhile"


def test_a_writer_that_stalls_past_its_lease_is_told_so_and_switches_nothing(
    server_settings: Settings, tiny_knowledge: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dispute_desk.store_server import ServerLease

    monkeypatch.setattr(ServerLease, "_start_heartbeat", lambda self: None)  # the stalled writer never renews
    short = server_settings.updated({"writer_lease_seconds": 1.0})
    slow = _SlowEmbedder(short, tiny_knowledge, seconds=1.5)  # meanwhile another host's ingest takes over
    with pytest.raises(IngestFailed, match=r"lost its writer lease|stalled past its writer lease"):
        run_ingest(short, [tiny_knowledge], embedder=slow)
    assert slow.other_writer is None, "the other host's ingest ran"
    other = ChunkStore(short).pointer()
    assert other is not None and ChunkStore(short).open(other.collection).count() == 3


def test_the_reindex_guard_in_server_mode_keeps_the_live_pointer(
    server_settings: Settings, tiny_knowledge: Path, embedder: HashingEmbedder, tmp_path: Path
) -> None:
    from ingest.pipeline import SwitchRefused

    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "q-review", "question": "how many days does the client have to review "
                                     "the work", "facts": ["F06"], "answerable": True}) + "\n", encoding="utf-8")
    settings = server_settings.updated({"reindex_questions": questions, "min_evidence": 0.0})
    run_ingest(settings, [tiny_knowledge], embedder=embedder)
    live = ChunkStore(settings).pointer().collection
    policy = tiny_knowledge / "policy" / "01-escrow.md"
    policy.write_text(policy.read_text().split("## 1.2")[0], encoding="utf-8")
    with pytest.raises(SwitchRefused, match="q-review"):
        run_ingest(settings, [tiny_knowledge], embedder=embedder)
    store = ChunkStore(settings)
    assert store.pointer().collection == live
    assert [n for n in store.collection_names() if n.startswith("passages-")] == [live]  # staged one dropped
    assert "14 days" in open_desk(settings, embedder).ask("how many days does the client have to review the work").text
    forced = run_ingest(settings, [tiny_knowledge], embedder=embedder, force=True)
    assert ChunkStore(settings).pointer().collection == forced.collection != live
