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

import atexit
import logging
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

from caching import outage, rawredis

REDIS_KEY = "page-cache:generation"
REDIS_HORIZON_KEY = "page-cache:horizon"
# The run id of the Redis that last confirmed the token: a different one means Redis restarted
# since, and may have come back with a token (and pages) from before a change it never heard.
REDIS_RUN_ID_KEY = "page-cache:run-id"
# What redis-py raises when Redis cannot be reached or answers an error, and a socket's own.
REDIS_ERRORS = (redis.RedisError, OSError)
OWED_BUMP_RETRY_SECONDS = 1.0

logger = logging.getLogger(__name__)
redis_outage = outage.Outage("Redis (the page cache)", logger)


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

    Redis out of reach must cost readers the cache, never a page, and never a stale page
    after: while the token cannot be read nothing is served or stored (`current()` is None);
    a bump that fails is owed, and retried until Redis takes it; and a process that lost
    Redis for any reason (a failure of its own, its connection cut by a restart) moves the
    token once before it trusts it again, since a change may have been saved meanwhile that
    no bump announced, while Redis (a partition, or a restart with persistence) kept the
    old token and the pages under it. A restart is also seen by processes that connect only
    after it: the token is stored with the run id of the Redis that confirmed it.
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias
        location = settings.CACHES[alias]["LOCATION"]
        servers = location.split(",") if isinstance(location, str) else location
        self.reader = rawredis.Reader(servers[0].strip())
        self.key = caches[alias].make_and_validate_key(REDIS_KEY)
        self.run_id_key = caches[alias].make_and_validate_key(REDIS_RUN_ID_KEY)
        # A bump Redis did not take: until it does, this process's own change is unknown to
        # the token, and this process serves and stores nothing.
        self.owed = False
        self.retrying = False
        self.exit_registered = False
        self.lock = threading.Lock()

    def current(self) -> str | None:
        try:
            value = self.reader.get(self.key)
            interrupted = self.reader.resumed()
            restarted = self._restarted(self.reader.new_server_run_id())
            if interrupted or restarted or redis_outage.is_down or self.owed:
                self._bump("")
                self.owed = False
                if restarted:
                    self.reader.set(self.run_id_key, restarted)
                value = self.reader.get(self.key)
            if value is None:
                # No token at all: a new Redis, or one that lost its data (restarted without
                # persistence, or evicted the key). It starts from the clock, not from 0, so
                # that no token of before comes back while pages keyed by it live on in some
                # process's memory.
                caches[self.alias].add(REDIS_KEY, time.time_ns(), timeout=None)
                value = self.reader.get(self.key)
        except (rawredis.RedisError, *REDIS_ERRORS) as error:
            if _store is self:  # not a retry of a store that other settings replaced
                redis_outage.failed(error, doing="reading the page cache's generation")
            return None
        redis_outage.answered()
        return value.decode() if value is not None else None

    def _restarted(self, run_id: bytes | None) -> bytes | None:
        """`run_id` (of a connection just opened) if the token was last confirmed by another
        run of Redis: it restarted since, perhaps with a token older than a change made while
        it was away, which nothing else would tell a process connecting only now."""
        if run_id is None or self.reader.get(self.run_id_key) == run_id:
            return None
        return run_id

    def bump(self, horizon: str) -> None:
        try:
            self._bump(horizon)
        except REDIS_ERRORS as error:
            # The change is saved all the same (an editor's save never fails for the cache);
            # the bump waits for Redis.
            redis_outage.failed(error, doing="moving the page cache's generation")
            self._owe()

    def _bump(self, horizon: str) -> None:
        cache = caches[self.alias]
        cache.set(REDIS_HORIZON_KEY, horizon, timeout=None)
        cache.add(REDIS_KEY, time.time_ns(), timeout=None)
        cache.incr(REDIS_KEY)

    def _owe(self) -> None:
        with self.lock:
            self.owed = True
            if self.retrying:
                return
            self.retrying = True
            first = not self.exit_registered
            self.exit_registered = True
        threading.Thread(target=self._pay, name="page-cache-generation", daemon=True).start()
        if first:
            # A command that saved and exits: one last try (a refused connection fails at once).
            atexit.register(self._pay_before_exit)

    def _pay(self) -> None:
        # Until Redis takes the bump (current() makes it), or other settings replace this store.
        while True:
            time.sleep(OWED_BUMP_RETRY_SECONDS)
            with self.lock:
                if not self.owed or _store is not self:
                    self.retrying = False
                    return
            self.current()

    def _pay_before_exit(self) -> None:
        if not self.owed:
            return
        try:
            self._bump("")
            self.owed = False
        except REDIS_ERRORS:
            # Still away: the outage was logged as it began, and the logs may be closed by
            # now. Processes that lost Redis, or meet it after a restart, move the token.
            pass

    def stored_horizon(self) -> str:
        try:
            return caches[self.alias].get(REDIS_HORIZON_KEY, "")
        except REDIS_ERRORS as error:
            redis_outage.failed(error, doing="reading the next scheduled change")
            return ""  # worked out afresh from the database: slower, never wrong


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
        redis_outage.forget()  # that was another server's outage, perhaps
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
