"""A real Chroma server (`chroma run`, shipped with chromadb) on a free port and a temporary path, for tests.

``ChromaServer`` can be stopped and started again on the same port and data, to test what the desk does while
the server is away and after it returns.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _chroma_cli() -> str:
    beside_python = Path(sys.executable).parent / "chroma"  # the venv's, even when .venv/bin is not on PATH
    found = str(beside_python) if beside_python.exists() else shutil.which("chroma")
    if not found:
        pytest.fail("the `chroma` command ships with chromadb (requirements.lock): run `make install`")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ChromaServer:
    def __init__(self, path: Path, port: int) -> None:
        self.path = path
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        self.log = path.parent / f"chroma-{port}.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [_chroma_cli(), "run", "--host", "127.0.0.1", "--port", str(self.port), "--path", str(self.path)],
                stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("chroma run did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None




def server_env(server: ChromaServer | None, data_dir: Path) -> dict[str, str]:
    """Environment for a `python bot.py` subprocess: offline, plumbing embedder, the server (if any)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_") and k != "DISCORD_TOKEN"}
    env.update({"HF_HUB_OFFLINE": "1", "DESK_DATA_DIR": str(data_dir), "DESK_EMBEDDING_MODEL": "hashing",
                "DESK_MIN_EVIDENCE": "0", "COLUMNS": "200", "NO_COLOR": "1"})
    if server is not None:
        env.update({"DESK_CHROMA_HOST": "127.0.0.1", "DESK_CHROMA_PORT": str(server.port)})
    return env
