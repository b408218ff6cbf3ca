"""`bot.py health` and `bot.py bench --concurrency` in both store modes, as a container or operator runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from chroma_server import ChromaServer, server_env

from dispute_desk.settings import PROJECT_DIR

pytestmark = pytest.mark.subprocess  # a Chroma server and bot.py run as separate processes


def _bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "bot.py", *args], cwd=PROJECT_DIR, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def _embedded_env(data_dir: Path) -> dict[str, str]:
    return server_env(None, data_dir)


def test_health_names_each_failure_and_exits_1_until_everything_is_ready(
    chroma_server: ChromaServer, tiny_knowledge: Path, tmp_path: Path
) -> None:
    env = server_env(chroma_server, tmp_path / "data")
    empty = _bot(env, "health", "--json")
    assert empty.returncode == 1
    checks = {c["name"]: c for c in json.loads(empty.stdout)["checks"]}
    assert not checks["token"]["ok"] and "DISCORD_TOKEN is not set" in checks["token"]["detail"]
    assert checks["store"]["ok"] and not checks["index"]["ok"] and "bot.py ingest" in checks["index"]["detail"]

    assert _bot(env, "ingest", str(tiny_knowledge)).returncode == 0
    ready = _bot(env | {"DISCORD_TOKEN": "not-a-real-token"}, "health", "--json")
    assert ready.returncode == 0, ready.stdout
    assert [c["name"] for c in json.loads(ready.stdout)["checks"]] == ["token", "store", "index", "model"]
    assert "not-a-real-token" not in ready.stdout

    chroma_server.stop()
    down = _bot(env | {"DISCORD_TOKEN": "not-a-real-token"}, "health", "--json")
    assert down.returncode == 1
    store = next(c for c in json.loads(down.stdout)["checks"] if c["name"] == "store")
    assert not store["ok"] and "is unreachable" in store["detail"]


def test_health_in_embedded_mode_without_a_token_requirement(tiny_knowledge: Path, tmp_path: Path) -> None:
    env = _embedded_env(tmp_path / "data")
    assert _bot(env, "health", "--no-token").returncode == 1  # no index yet
    assert _bot(env, "ingest", str(tiny_knowledge)).returncode == 0
    healthy = _bot(env, "health", "--no-token")
    assert healthy.returncode == 0 and "healthy" in healthy.stdout


def test_load_benchmark_reports_throughput_and_percentiles_in_both_modes(
    chroma_server: ChromaServer, tiny_knowledge: Path, tmp_path: Path
) -> None:
    for env in (_embedded_env(tmp_path / "embedded"), server_env(chroma_server, tmp_path / "server")):
        assert _bot(env, "ingest", str(tiny_knowledge)).returncode == 0
        done = _bot(env, "bench", "--concurrency", "8", "--requests", "40", "--json")
        assert done.returncode == 0, done.stderr
        figures = json.loads(done.stdout)
        assert figures["requests"] == 40 and figures["errors"] == 0 and figures["concurrency"] == 8
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
        assert figures["throughput_qps"] > 0
        assert figures["store_mode"] == ("server" if "DESK_CHROMA_HOST" in env else "embedded")
