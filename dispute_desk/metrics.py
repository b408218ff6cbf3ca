"""Prometheus metrics (``DESK_METRICS_PORT``; off by default). One registry per process, passed in, no globals.

Exposed (all prefixed ``desk_``): questions, answers by outcome and declines by reason, the answered ratio,
answer latency, reindex runs and duration, and the Discord gateway latency per shard.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from dispute_desk.models import Answer
    from dispute_desk.settings import Settings

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REINDEX_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800)


class Metrics:
    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self.questions = Counter("desk_questions", "Questions received by the desk", registry=self.registry)
        self.answers = Counter("desk_answers", "Questions by outcome", ["outcome"], registry=self.registry)
        self.declines = Counter("desk_declines", "Questions not answered, by reason", ["reason"],
                                registry=self.registry)
        self.answered_ratio = Gauge("desk_answered_ratio", "Share of questions answered since start",
                                    registry=self.registry)
        self.latency = Histogram("desk_answer_latency_seconds", "Time to answer one question",
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.reindex_runs = Counter("desk_reindex_runs", "Reindex runs by result", ["result"], registry=self.registry)
        self.reindex_duration = Histogram("desk_reindex_duration_seconds", "Duration of reindex runs",
                                          buckets=REINDEX_BUCKETS, registry=self.registry)
        self.gateway_latency = Gauge("desk_gateway_latency_seconds", "Discord gateway heartbeat latency",
                                     ["shard"], registry=self.registry)
        self._asked = 0
        self._answered = 0
        self._server: WSGIServer | None = None

    def observe_answer(self, answer: Answer) -> None:
        self.questions.inc()
        self._asked += 1
        if answer.answered:
            self._answered += 1
            self.answers.labels("answered").inc()
        else:
            self.answers.labels("declined").inc()
            self.declines.labels(answer.reason or "unknown").inc()
        self.answered_ratio.set(self._answered / self._asked)
        self.latency.observe(answer.latency_ms / 1000)

    def observe_reindex(self, seconds: float, ok: bool) -> None:
        self.reindex_runs.labels("ok" if ok else "failed").inc()
        self.reindex_duration.observe(seconds)

    def set_gateway_latency(self, shard: int | None, seconds: float) -> None:
        if seconds == seconds and seconds != float("inf"):  # discord.py reports nan/inf before the first beat
            self.gateway_latency.labels("0" if shard is None else str(shard)).set(seconds)

    def serve(self, host: str, port: int) -> int:
        """Start the /metrics HTTP endpoint in a daemon thread; returns the bound port (0 picks a free one)."""
        from prometheus_client import start_http_server

        self._server, _thread = start_http_server(port, addr=host, registry=self.registry)
        bound = int(self._server.server_port)
        log.info("Prometheus metrics on http://%s:%d/metrics", host, bound)
        return bound

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None


def metrics_from_settings(settings: Settings) -> Metrics | None:
    """A started ``Metrics`` when ``DESK_METRICS_PORT`` is set, else None."""
    if settings.metrics_port is None:
        return None
    metrics = Metrics()
    metrics.serve(settings.metrics_host, settings.metrics_port)
    return metrics
