"""Readiness checks for `bot.py health` and container health checks: each names what is wrong and the fix."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from dispute_desk.settings import Settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    ms: float = 0.0


def _timed(name: str, probe: Callable[[], tuple[bool, str]]) -> Check:
    began = time.perf_counter()
    try:
        ok, detail = probe()
    except Exception as exc:
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    return Check(name, ok, detail, round((time.perf_counter() - began) * 1000, 1))


def run_checks(settings: Settings, *, token: bool = True, model: bool = True) -> list[Check]:
    """Token set, store reachable, index non-empty, model loads (and matches the index)."""
    from dispute_desk.embedding import backend_for
    from dispute_desk.store import ChunkStore

    checks: list[Check] = []
    if token:
        secret = settings.discord.token
        has_token = secret is not None and bool(secret.get_secret_value().strip())
        checks.append(Check("token", has_token, "DISCORD_TOKEN is set" if has_token else
                            "DISCORD_TOKEN is not set (the bot cannot log in)"))
    state: dict[str, object] = {}

    def store() -> tuple[bool, str]:
        state["store"] = chunk_store = ChunkStore(settings)
        chunk_store.heartbeat()
        return True, f"{settings.store.store_mode}: {chunk_store.where}"

    checks.append(_timed("store", store))

    def index() -> tuple[bool, str]:
        chunk_store = state.get("store")
        if not isinstance(chunk_store, ChunkStore):
            return False, "store not reachable"
        collection = chunk_store.live(settings.embedding.model)
        chunks = collection.count()
        state["dimension"] = pointer.dimension if (pointer := chunk_store.pointer()) is not None else None
        if not chunks:
            return False, f"{collection.name} is empty; run `python bot.py ingest`"
        note = pointer.backend_note(settings.embedding.model, backend_for(settings)) if pointer is not None else ""
        return True, f"{chunks} chunks in {collection.name}" + (f" (warning: {note})" if note else "")

    checks.append(_timed("index", index))
    if model:
        def load_model() -> tuple[bool, str]:
            from dispute_desk.embedding import build_embedder

            embedder = build_embedder(settings)
            vector = embedder.embed_query("health check")
            expected = state.get("dimension")
            if expected is not None and len(vector) != expected:
                return False, f"{embedder.name} gives {len(vector)} dimensions, the index has {expected}"
            return True, f"{embedder.name} ({settings.embedding.backend}, {settings.embedding.device})"

        checks.append(_timed("model", load_model))
    return checks
