"""Login throttle: after repeated failures a username is refused for a while, before any password is checked.

All sessions run in one server process, so the failure counts must be shared between them: `LOGINS` is the app's
one deliberate piece of module-level mutable state. It holds no user data, only a count and a time per typed
username (known or not, so a pause says nothing about who exists), guarded by a lock, bounded in size; an entry
expires 15 minutes after its last pause ended. A restart forgets it, which loses nothing but a pause.
Plain Python, no Streamlit import.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

FREE_FAILURES = 5  # failures in a row (none forgotten yet) before a username is paused
WINDOW = 15 * 60.0  # seconds: failures are forgotten this long after the last one's pause has ended
FIRST_PAUSE = 30.0  # seconds after the FREE_FAILURES-th failure; doubles with each further failure
MAX_PAUSE = 15 * 60.0
MAX_ENTRIES = 10_000  # typed usernames remembered at once; past it the oldest entry is dropped
KEY_CHARS = 128  # a typed username is remembered by its first 128 characters (real ones have at most 64)


def pause_after(failures: int) -> float:
    """Seconds a username is refused after its `failures`-th failure in a row: 0 for the first few."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(FIRST_PAUSE * 2 ** (failures - FREE_FAILURES), MAX_PAUSE)


@dataclass
class _Entry:
    failures: int
    last: float  # when the last attempt that counted was made

    def paused_until(self) -> float:
        return self.last + pause_after(self.failures)

    def expired(self, now: float) -> bool:
        return now >= self.paused_until() + WINDOW


class Throttle:
    """Failure counts per username, shared by every session; thread-safe, bounded, expiring."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = MAX_ENTRIES):
        self.clock = clock
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def begin(self, username: str) -> bool:
        """Start a login attempt: False (refuse without checking the password) while the username is paused.

        An allowed attempt is counted as a failure at once, under the lock, so parallel attempts cannot slip
        past the limit while their passwords are being checked; `succeeded` takes it back.
        """
        now, username = self.clock(), username[:KEY_CHARS]
        with self._lock:
            entry = self._entries.get(username)
            if entry is not None and entry.expired(now):
                entry = None
            if entry is not None and now < entry.paused_until():
                return False
            if entry is None:
                self._make_room(now)
                entry = self._entries[username] = _Entry(0, now)
            entry.failures += 1
            entry.last = now
            return True

    def succeeded(self, username: str) -> None:
        """A correct password: the username starts afresh."""
        with self._lock:
            self._entries.pop(username[:KEY_CHARS], None)

    def paused_for(self, username: str) -> float:
        """Seconds until the username may try again (0 when it may now)."""
        now = self.clock()
        with self._lock:
            entry = self._entries.get(username[:KEY_CHARS])
            if entry is None or entry.expired(now):
                return 0.0
            return max(0.0, entry.paused_until() - now)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _make_room(self, now: float) -> None:
        """Drop expired entries; if still full, the oldest one not paused (so a flood of made-up names cannot
        free a paused username), else the oldest. The caller holds the lock."""
        if len(self._entries) < self.max_entries:
            return
        for name in [n for n, e in self._entries.items() if e.expired(now)]:
            del self._entries[name]
        if len(self._entries) >= self.max_entries:
            unpaused = [n for n, e in self._entries.items() if now >= e.paused_until()]
            victim = min(unpaused or self._entries, key=lambda n: self._entries[n].last)
            del self._entries[victim]


LOGINS = Throttle()
