"""Django's side of the page cache: store what is shareable, answer what is stored.

In production the WSGI layer (caching/wsgi.py) answers stored pages before Django does any
work; this middleware stores them, sets the HTTP caching headers every answer carries, and
answers hits itself where no WSGI layer stands in front (runserver, the test client).
"""

import time

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from caching import generation, keys, pages, purges

PRIVATE = "private, no-store"


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        if settings.CDN_PURGE_URL and settings.CDN_PURGE_IN_BACKGROUND:
            # Each web process sends purges, its own and those a command left queued.
            purges.sender()

    def __call__(self, request):
        if not pages.is_enabled():
            return self.get_response(request)
        # The same key the WSGI layer computes: Django's META is the WSGI environ.
        key = pages.request_key(request.META)
        if key is None:
            response = self.get_response(request)
            if not response.has_header("Cache-Control"):
                # An editor's view of a public page, a form post: never kept by anyone.
                response["Cache-Control"] = PRIVATE
            return response
        token = generation.current()
        page = pages.get(token, key) if token is not None else None
        if page is not None:
            return answer(request, page, hit=True)
        response = self.get_response(request)
        # No token (Redis unreachable): the page is rendered, but nothing may be kept.
        if (
            token is not None
            and request.method == "GET"
            and is_shareable(response)
            and (response.status_code == 200 or not pages.drops_parameters(request.META))
        ):
            page = pages.make_page(
                token,
                response.status_code,
                response.reason_phrase,
                [*response.items(), ("Surrogate-Key", keys.header(request))],
                response.content,
            )
            pages.put(token, key, page)
            return answer(request, page, hit=False)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_cache=True, max_age=0)
        return response


def is_shareable(response) -> bool:
    """A finished page for everyone: no cookie set, not marked private by its view."""
    control = response.get("Cache-Control", "").lower()
    return (
        response.status_code in pages.CACHEABLE_STATUSES
        and not response.streaming
        and not response.cookies
        and not any(word in control for word in ("private", "no-store", "no-cache"))
    )


def answer(request, page: pages.Page, *, hit: bool) -> HttpResponse:
    status, reason, headers, body = page.answer(
        head=request.method == "HEAD",
        if_none_match=request.META.get("HTTP_IF_NONE_MATCH", ""),
        if_modified_since=request.META.get("HTTP_IF_MODIFIED_SINCE", ""),
        now=time.time(),
        hit=hit,
    )
    response = HttpResponse(body, status=status, reason=reason)
    for name, value in headers:
        response[name] = value
    return response
