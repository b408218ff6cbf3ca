"""A tiny Discord-compatible server (REST + gateway) for start-up tests, like a self-hosted Spacebar would be.

It knows one good token, answers login and application-info requests, accepts command syncs (or rejects
them with ``reject_sync``, as Discord does when the bot lacks the ``applications.commands`` scope or a
definition is invalid), and on the gateway says HELLO, reads IDENTIFY and then closes with 4004
("authentication failed"), which ends the bot's run so a test can inspect what happened. Any other path
answers 404.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from aiohttp import WSMsgType, web

GOOD_TOKEN = "good-token-0123456789"
APP_ID = 711_000_000_000_000_001
BOT_USER = {"id": str(APP_ID), "username": "Dispute Desk", "discriminator": "0", "avatar": None, "bot": True}


MISSING_ACCESS = (403, {"message": "Missing Access", "code": 50001})
INVALID_FORM = (
    400,
    {
        "message": "Invalid Form Body",
        "code": 50035,
        "errors": {"0": {"description": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": "Too long"}]}}},
    },
)
SERVER_ERROR = (500, {"message": "500: Internal Server Error", "code": 0})
RATE_LIMITED = (429, {"message": "You are being rate limited.", "retry_after": 0.01, "global": False})


def _json(data: Any, status: int = 200) -> web.Response:
    """Exactly ``application/json`` like Discord (discord.py compares the header verbatim)."""
    return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json")


class FakeDiscord:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str | None]] = []  # method, path, Authorization header
        self.synced: list[tuple[str, list[dict[str, Any]]]] = []
        self.identify: list[dict[str, Any]] = []
        self.reject_sync: tuple[int, dict[str, Any]] | None = None  # (status, Discord error body)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.port = 0

    # REST ------------------------------------------------------------------------------------------------
    async def _me(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bot {GOOD_TOKEN}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return _json(BOT_USER)

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(APP_ID),
                "name": "Dispute Desk",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": None},
            }
        )

    async def _commands(self, request: web.Request) -> web.Response:
        if self.reject_sync is not None:
            status, body = self.reject_sync
            headers = {"Via": "1.1 google", "Retry-After": "0.01"} if status == 429 else None  # retried, then raised
            response = _json(body, status=status)
            if headers:
                response.headers.update(headers)
            return response
        payload = await request.json()
        self.synced.append((request.path, payload))
        return _json(
            [{**command, "id": str(900 + n), "application_id": str(APP_ID)} for n, command in enumerate(payload)]
        )

    # Gateway ---------------------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if data.get("op") == 2:
                self.identify.append(data["d"])
                await ws.close(code=4004, message=b"Authentication failed.")
                break
        return ws

    # Lifecycle -------------------------------------------------------------------------------------------
    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()

        @web.middleware
        async def record(request: web.Request, handler):
            self.requests.append((request.method, request.path, request.headers.get("Authorization")))
            return await handler(request)

        app.middlewares.append(record)
        app.router.add_get("/api/v10/users/@me", self._me)
        app.router.add_get("/api/v10/oauth2/applications/@me", self._application)
        app.router.add_put("/api/v10/applications/{app}/commands", self._commands)
        app.router.add_put("/api/v10/applications/{app}/guilds/{guild}/commands", self._commands)
        app.router.add_get("/gateway", self._gateway)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> FakeDiscord:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"
