"""The page cache's generation: one token that every process reads before using a cached page.

A change anywhere (any process: a web worker, a command, a shell) moves the token, and every
page cached under the old token stops counting at once, in every process. Where the token
lives decides who sees it move:

- with Redis (`CACHE_URL=redis://…`), a Redis key: every app server shares it;
- otherwise a small file (`PAGE_CACHE_GENERATION_FILE`), which every process of this machine
  reads with one stat() call: the embedded default needs no server and is still correct with
  several gunicorn workers and a management command beside them.

Pages also stop counting at the next scheduled change (a story's publish time), which no save
announces: each bump works it out (one query, on the writer's side) and stores it beside the
token, so readers find it without asking the database; see `horizon()`.
"""

import os
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.utils import timezone

from caching import rawredis

REDIS_KEY = "page-cache:generation"
REDIS_HORIZON_KEY = "page-cache:horizon"


class FileGeneration:
    """A file whose inode and mtime are the token: replaced (never edited) on each change."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def current(self) -> str:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return "0"
        return f"{stat.st_ino}.{stat.st_mtime_ns}.{stat.st_size}"

    def bump(self, horizon: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A new file renamed over the old one: readers see the old token or the new one, and
        # the new inode changes the token even when two bumps share a clock tick.
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".generation-")
        with os.fdopen(handle, "w") as file:
            file.write(f"{time.time_ns()}\n{horizon}\n")
        os.replace(temporary, self.path)

    def stored_horizon(self) -> str:
        try:
            return self.path.read_text().split("\n")[1]
        except (FileNotFoundError, IndexError):
            return ""


class CacheGeneration:
    """A counter in the shared cache (Redis): every app server reads the same one.

    Written through Django's cache; read on every request with one GET on a plain socket
    (caching.rawredis), from the server Django writes to.
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias
        location = settings.CACHES[alias]["LOCATION"]
        servers = location.split(",") if isinstance(location, str) else location
        self.reader = rawredis.Reader(servers[0].strip())
        self.key = caches[alias].make_and_validate_key(REDIS_KEY)

    def current(self) -> str | None:
        try:
            value = self.reader.get(self.key)
        except rawredis.RedisError:
            return None
        return value.decode() if value is not None else "0"

    def bump(self, horizon: str) -> None:
        cache = caches[self.alias]
        cache.set(REDIS_HORIZON_KEY, horizon, timeout=None)
        cache.add(REDIS_KEY, 0, timeout=None)
        cache.incr(REDIS_KEY)

    def stored_horizon(self) -> str:
        return caches[self.alias].get(REDIS_HORIZON_KEY, "")


_store = None
_lock = threading.Lock()


def store():
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                _store = _make_store()
    return _store


def _make_store():
    if is_shared_cache():
        return CacheGeneration("default")
    return FileGeneration(Path(settings.PAGE_CACHE_GENERATION_FILE))


def is_shared_cache() -> bool:
    """Whether the default cache is a server every process and app server shares."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def current() -> str | None:
    """The token, or None when it cannot be read (Redis down): then no page may be served or
    stored, as none can be known to be current."""
    return store().current()


def bump() -> None:
    """Make every cached page stale, in every process."""
    moment = next_change()
    store().bump(moment.isoformat() if moment else "none")


def connect_settings_signal() -> None:
    def reset(**kwargs):
        global _store
        _store = None
        # What a page shows may depend on any setting (the site's name, say). "": the next
        # scheduled change is worked out when a page needs it, not here.
        try:
            store().bump("")
        except (OSError, redis.RedisError):
            pass  # the cache server the new settings name is down: no page is served anyway

    # weak=False: `reset` lives only in this signal (a weak reference would drop it at once).
    setting_changed.connect(reset, weak=False, dispatch_uid="caching.generation.reset")


# What else ends a page's freshness without a save: each returns the next moment something
# readers see changes by itself (a scheduled story goes live), or None.
_horizons: list[Callable[[], datetime | None]] = []
_horizon_memo: dict[str, datetime | None | bool] = {}  # False: not known


def register_horizon(function: Callable[[], datetime | None]) -> None:
    _horizons.append(function)


def next_change() -> datetime | None:
    moments = [moment for function in _horizons if (moment := function()) is not None]
    return min(moments) if moments else None


def horizon(token: str) -> datetime | None:
    """The next scheduled change: as the last bump stored it, or (once that moment has
    passed, or nothing was stored) worked out afresh."""
    if token not in _horizon_memo:
        stored = store().stored_horizon()
        _horizon_memo.clear()
        _horizon_memo[token] = (
            None if stored == "none" else datetime.fromisoformat(stored) if stored else False
        )
    cached = _horizon_memo[token]
    if cached is False or (cached is not None and cached <= timezone.now()):
        cached = _horizon_memo[token] = next_change()
    return cached
