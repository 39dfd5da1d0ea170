"""Login rate limiting: a sliding-window count of *failed* logins per user name and per
client address, kept in memory.

Why no library: what is counted here is failures, not requests, and a success must clear
the name's count. slowapi (the Starlette/FastAPI limiter) counts every request to a route,
and fastapi-limiter needs Redis; ``limits`` could count failures, but for two keys and one
window it would add a dependency for the forty lines below, with the same per-process memory
storage. Counts live in the process: with several worker processes each keeps its own, so
the effective limit is ``attempts × workers`` — still a brake on password guessing, which is
what it is for (Argon2id makes each guess slow as well).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

# forget keys whose failures have all expired once the table grows past this many keys,
# so a flood of made-up names cannot grow memory without bound
_SWEEP_AT = 10_000


class SlidingWindow:
    """Events per key within the last ``window`` seconds; thread-safe."""

    def __init__(self, limit: int, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> deque[float] | None:
        events = self._events.get(key)
        if events is None:
            return None
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def retry_after(self, key: str) -> int:
        """0 while ``key`` is under the limit, else the whole seconds until it is again."""
        with self._lock:
            if self.limit <= 0:  # 0 turns the limit off
                return 0
            now = self.clock()
            events = self._live(key, now)
            if events is None or len(events) < self.limit:
                return 0
            # the limit is reached until enough of the oldest events leave the window
            oldest_blocking = events[len(events) - self.limit]
            return max(1, math.ceil(oldest_blocking + self.window - now))

    def add(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            if len(self._events) >= _SWEEP_AT:
                for k in list(self._events):
                    self._live(k, now)
            self._events.setdefault(key, deque()).append(now)

    def clear(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


class LoginLimiter:
    """Failed logins by user name and by client address, each within its own window."""

    def __init__(self, attempts: int, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.names = SlidingWindow(attempts, window, clock)
        self.addresses = SlidingWindow(attempts, window, clock)

    @staticmethod
    def _name_key(username: str) -> str:
        # user names have at most 64 characters; a longer one must not make a large key
        return username.strip().casefold()[:65]

    def retry_after(self, username: str, address: str) -> int:
        """Seconds the caller must wait before another attempt (0: may try now)."""
        return max(self.names.retry_after(self._name_key(username)),
                   self.addresses.retry_after(address))

    def failed(self, username: str, address: str) -> None:
        self.names.add(self._name_key(username))
        self.addresses.add(address)

    def succeeded(self, username: str) -> None:
        self.names.clear(self._name_key(username))


_create_lock = threading.Lock()


def login_limiter(app) -> LoginLimiter:
    """The application's limiter (made on first use from its settings)."""
    limiter = getattr(app.state, "login_limiter", None)
    if limiter is None:
        with _create_lock:
            limiter = getattr(app.state, "login_limiter", None)
            if limiter is None:
                settings = app.state.settings
                limiter = app.state.login_limiter = LoginLimiter(settings.login_attempts,
                                                                 settings.login_window)
    return limiter
