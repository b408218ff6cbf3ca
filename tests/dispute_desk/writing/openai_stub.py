"""A small OpenAI-compatible HTTP server on 127.0.0.1 for the provider-failure tests (real HTTP, real client).

``mode``: ``stream`` answers /v1/chat/completions with ``text`` as server-sent events, one word per event,
``delay`` seconds apart; ``429`` and ``500`` answer with that status; ``401`` rejects the key; ``stall`` reads
the request and never answers (until the server stops).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StubServer:
    def __init__(self, mode: str = "stream", text: str = "", delay: float = 0.0) -> None:
        self.mode, self.text, self.delay = mode, text, delay
        self.requests: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                stub.requests.append(json.loads(self.rfile.read(length) or b"{}"))
                stub.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        if self.mode == "stall":
            self.stopping.wait(30)
            return
        if self.mode in ("429", "500", "401"):
            body = json.dumps({"error": {"message": f"stub {self.mode}", "type": "stub", "code": self.mode}}).encode()
            request.send_response(int(self.mode))
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
            return
        request.send_response(200)
        request.send_header("Content-Type", "text/event-stream")
        request.end_headers()
        words = self.text.split(" ")
        for index, word in enumerate(words):
            if self.delay:
                time.sleep(self.delay)
            piece = word if index == 0 else f" {word}"
            self._event(request, {"role": "assistant", "content": piece}, None)
        self._event(request, {}, "stop")
        request.wfile.write(b"data: [DONE]\n\n")
        request.wfile.flush()

    @staticmethod
    def _event(request: BaseHTTPRequestHandler, delta: dict[str, Any], finish: str | None) -> None:
        chunk = {"id": "stub", "object": "chat.completion.chunk", "created": 0, "model": "stub",
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        request.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        request.wfile.flush()
