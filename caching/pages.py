"""Whole rendered pages, kept per generation: what the WSGI layer and the middleware serve.

A page is stored for anonymous GETs only, under the generation token current when its request
began (a change during the render moves the token, so the page is born stale, never wrong),
and until the earlier of PAGE_CACHE_SECONDS and the next scheduled change. Every process keeps
its own copies in memory; with Redis they are shared too, so a page rendered on one app
server serves the others.
"""

import functools
import hashlib
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie

from django.conf import settings
from django.core.cache import caches

from caching import generation

CACHEABLE_STATUSES = {200, 301, 410}
# Computed for each answer rather than stored: they depend on the moment and the request.
OWN_HEADERS = {"cache-control", "etag", "last-modified", "age", "content-length"}


@dataclass(frozen=True)
class Page:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    last_modified: float
    stored_at: float
    expires_at: float
    until_scheduled_change: bool  # expiry set by a scheduled change: no stale serving past it

    def is_fresh(self, now: float) -> bool:
        return now < self.expires_at

    def cache_control(self, now: float) -> str:
        """For shared caches: keep it until it expires here too, and no longer."""
        remaining = max(0, round(self.expires_at - now))
        stale = 0 if self.until_scheduled_change else settings.PAGE_CACHE_STALE_SECONDS
        return (
            f"public, max-age=0, s-maxage={remaining}, stale-while-revalidate={stale}, "
            f"stale-if-error={settings.PAGE_CACHE_STALE_IF_ERROR_SECONDS}"
        )

    def answer(
        self, *, head: bool, if_none_match: str, if_modified_since: str, now: float, hit: bool
    ):
        """Return (status, reason, headers, body) for a request, 304 when its copy is current."""
        headers = [
            *self.headers,
            ("Cache-Control", self.cache_control(now)),
            ("ETag", self.etag),
            ("Last-Modified", http_date(int(self.last_modified))),
        ]
        if hit:
            headers.append(("Age", str(max(0, int(now - self.stored_at)))))
        if self.status == 200 and self.not_modified(if_none_match, if_modified_since):
            kept = [(name, value) for name, value in headers if name.lower() != "content-type"]
            return 304, "Not Modified", kept, b""
        headers.append(("Content-Length", str(len(self.body))))
        return self.status, self.reason, headers, b"" if head else self.body

    def not_modified(self, if_none_match: str, if_modified_since: str) -> bool:
        if if_none_match:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or self.etag in tags
        if if_modified_since:
            try:
                since = parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
            return int(self.last_modified) <= since
        return False


@functools.lru_cache(maxsize=4096)
def http_date(seconds: int) -> str:
    # Every hit of a page carries the same Last-Modified: formatted once, not per answer.
    return formatdate(seconds, usegmt=True)


def is_enabled() -> bool:
    return settings.PAGE_CACHE_ENABLED


def is_anonymous(cookie_header: str) -> bool:
    """No session cookie: a reader, not a logged-in editor (whose pages are never shared)."""
    if settings.SESSION_COOKIE_NAME not in cookie_header:
        return True  # no cookie at all, or other cookies only (a CSRF token, analytics)
    try:
        cookies = SimpleCookie(cookie_header)
    except CookieError:
        return False
    return settings.SESSION_COOKIE_NAME not in cookies


def request_key(environ) -> str | None:
    """The cache key of a request (its WSGI environ, or Django's request.META), or None when
    its answer must not be shared."""
    if environ.get("REQUEST_METHOD") not in {"GET", "HEAD"}:
        return None
    path = environ.get("PATH_INFO", "")
    if not is_anonymous(environ.get("HTTP_COOKIE", "")):
        return None
    if path.startswith(settings.PAGE_CACHE_NEVER_PATHS):
        return None
    query = environ.get("QUERY_STRING", "")
    ordered = "&".join(sorted(kept_parameters(path, query))) if query else ""
    # The scheme too: behind a TLS proxy, http:// answers a redirect that https:// must not
    # get. Only whether it says https counts: any other value is the same page.
    forwarded = environ.get("HTTP_X_FORWARDED_PROTO", "").strip().lower() == "https"
    scheme = f"{environ.get('wsgi.url_scheme', '')}/{'https' if forwarded else ''}"
    host = environ.get("HTTP_HOST", "").lower()
    parts = f"{scheme}\n{host}\n{path}\n{ordered}"
    return hashlib.blake2b(parts.encode(), digest_size=16).hexdigest()


# The query parameters that change the pages at each kind of address (the first pattern
# that matches the whole path wins); any other parameter (utm_source, a cache-buster) is
# left out of the key, so it neither bypasses the cache nor adds an entry. Apps say what
# their views read.
_parameters: list[tuple[re.Pattern, frozenset[str]]] = []


def keep_query_parameters(pattern: str, names) -> None:
    """Pages whose path matches `pattern` vary by the query parameters `names`, no other."""
    _parameters.append((re.compile(pattern), frozenset(names)))


def kept_parameters(path: str, query: str) -> list[str]:
    kept = next((names for pattern, names in _parameters if pattern.fullmatch(path)), ())
    return [pair for pair in query.split("&") if pair.partition("=")[0] in kept]


def drops_parameters(environ) -> bool:
    """Whether the request's key leaves some of its query parameters out. Such a request is
    the page without them, so only a page (200) may be stored from it: an old address with a
    query string answers a redirect that its plain path must not get."""
    query = environ.get("QUERY_STRING", "")
    return bool(query) and len(kept_parameters(environ.get("PATH_INFO", ""), query)) < len(
        query.split("&")
    )


class LocalPages:
    """This process's pages: a small LRU, bounded in count and bytes."""

    def __init__(self) -> None:
        self.pages: OrderedDict[str, Page] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> Page | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: Page) -> None:
        with self.lock:
            old = self.pages.pop(key, None)
            self.bytes -= len(old.body) if old else 0
            self.pages[key] = page
            self.bytes += len(page.body)
            while self.pages and (
                len(self.pages) > settings.PAGE_CACHE_MAX_PAGES
                or self.bytes > settings.PAGE_CACHE_MAX_BYTES
            ):
                _, dropped = self.pages.popitem(last=False)
                self.bytes -= len(dropped.body)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.bytes = 0


local = LocalPages()


def get(token: str, key: str) -> Page | None:
    """The page stored for `key` in generation `token`, if it is still fresh."""
    now = time.time()
    full_key = f"{token}:{key}"
    page = local.get(full_key)
    if page is None and generation.is_shared_cache():
        try:
            page = caches["default"].get(f"page:{full_key}")
        except generation.REDIS_ERRORS as error:
            # Rendered instead; and this process moves the token once Redis is back.
            generation.redis_outage.failed(error, doing="reading a page")
            return None
        if page is not None:
            local.put(full_key, page)
    return page if page is not None and page.is_fresh(now) else None


def put(token: str, key: str, page: Page) -> None:
    full_key = f"{token}:{key}"
    if generation.is_shared_cache():
        timeout = max(1, int(page.expires_at - time.time()))
        try:
            caches["default"].set(f"page:{full_key}", page, timeout=timeout)
        except generation.REDIS_ERRORS as error:
            # Kept nowhere: with Redis gone, no token here can be known to stay current.
            generation.redis_outage.failed(error, doing="storing a page")
            return
    local.put(full_key, page)


def make_page(token: str, status: int, reason: str, headers, body: bytes) -> Page:
    """A page from a rendered answer; it lives until PAGE_CACHE_SECONDS or the next
    scheduled change, whichever comes first."""
    now = time.time()
    expires_at = now + settings.PAGE_CACHE_SECONDS
    scheduled = generation.horizon(token)
    bounded = scheduled is not None and scheduled.timestamp() < expires_at
    if bounded:
        expires_at = scheduled.timestamp()
    named = {name.lower(): value for name, value in headers}
    # A view that knows its own validators (the API does) keeps them.
    etag = named.get("etag")
    try:
        last_modified = parsedate_to_datetime(named["last-modified"]).timestamp()
    except (KeyError, TypeError, ValueError, IndexError, OverflowError):
        last_modified = now
    return Page(
        status=status,
        reason=reason,
        headers=tuple((n, v) for n, v in headers if n.lower() not in OWN_HEADERS),
        body=body,
        etag=etag or f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"',
        last_modified=last_modified,
        stored_at=now,
        expires_at=expires_at,
        until_scheduled_change=bounded,
    )
