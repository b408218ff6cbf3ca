"""Server-mode fixtures: a real `chroma run` per test, and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from chroma_server import ChromaServer, free_port

from dispute_desk.settings import Settings, load_settings


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server_settings(tmp_path: Path, chroma_server: ChromaServer) -> Settings:
    """Settings in server mode; the local data dir only gets reports (never Chroma files)."""
    return load_settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "knowledge", embedding_model="hashing",
                         chroma_host="127.0.0.1", chroma_port=chroma_server.port, pointer_poll_seconds=0.0,
                         writer_lease_seconds=30.0)
