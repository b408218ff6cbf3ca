"""In-memory rate limits for members' questions and moderator pings (pure, clock injectable)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable

Clock = Callable[[], float]
_PRUNE_AT = 10_000


class Cooldown:
    """At most one event per ``seconds`` per key (a member, usually)."""

    def __init__(self, seconds: float, *, clock: Clock = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[Hashable, float] = {}

    def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` may act again (0 when it may act now); does not record anything."""
        last = self._last.get(key)
        if last is None or self.seconds <= 0:
            return 0.0
        return max(0.0, last + self.seconds - self._clock())

    def hit(self, key: Hashable) -> float:
        """Record an event for ``key`` if allowed and return 0, else return the seconds left to wait."""
        wait = self.retry_after(key)
        if wait > 0:
            return wait
        now = self._clock()
        if len(self._last) >= _PRUNE_AT:
            self._last = {k: t for k, t in self._last.items() if now - t < self.seconds}
        self._last[key] = now
        return 0.0

    def forget(self, key: Hashable) -> None:
        """Drop ``key``'s last event (when the action it allowed did not happen)."""
        self._last.pop(key, None)


class WindowLimit:
    """At most ``limit`` events per key in any ``seconds``-long window (a guild's moderator pings)."""

    def __init__(self, limit: int, seconds: float, *, clock: Clock = time.monotonic) -> None:
        self.limit = limit
        self.seconds = seconds
        self._clock = clock
        self._events: dict[Hashable, deque[float]] = {}

    def hit(self, key: Hashable) -> float:
        now = self._clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self.seconds:
            events.popleft()
        if len(events) >= self.limit:
            return events[0] + self.seconds - now
        events.append(now)
        return 0.0

    def undo(self, key: Hashable) -> None:
        """Forget the latest event (when the action it allowed did not happen)."""
        events = self._events.get(key)
        if events:
            events.pop()
