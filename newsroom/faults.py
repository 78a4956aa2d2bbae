"""The database out of reach: a short 503 for readers, JSON for the API, and back by itself.

Without this, Django answers its 500 page ("something went wrong", which is not what happened)
and logs a traceback for every request of the outage. Here: 503 with `Retry-After`, never kept
by a cache (`no-store`), logged once as the outage begins and once as it ends (per process).
Nothing needs restarting when the database returns: each request asks for a connection again
(conn_health_checks drops one the outage broke).

Pages the page cache holds are still served while the database is down: caching/wsgi.py and
PageCacheMiddleware answer them before this runs. No change can be saved meanwhile, so they are
as current as when they were stored; each is served until it expires (PAGE_CACHE_SECONDS, or
the next scheduled change), then this page takes over.
"""

import functools
import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.template import loader

from caching.outage import Outage, is_database_out_of_reach

logger = logging.getLogger(__name__)
database_outage = Outage("The database", logger)
RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"


class DatabaseUnavailableMiddleware:
    """Outside every middleware that may query (sessions, axes, old addresses), inside the
    page cache's."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(
            note_database_failure, dispatch_uid="newsroom.faults.note_database_failure"
        )

    def __call__(self, request):
        answered = []
        with connection.execute_wrapper(functools.partial(note_answer, answered)):
            response = self.get_response(request)
        if getattr(request, "database_failed", False) and response.status_code == 500:
            # Raised in a middleware inside this one (a session saved on the way out), which
            # Django has already turned into its 500 page.
            return unavailable(request)
        if answered:
            database_outage.answered()  # a query of this request ran: the database is back
        return response

    def process_exception(self, request, exception):
        """A view or its template could not reach the database."""
        if is_database_out_of_reach(exception):
            database_outage.failed(exception, doing=f"{request.method} {request.path}"[:200])
            return unavailable(request)
        return None


def note_answer(answered: list, execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if not answered:
        answered.append(True)
    return result


def note_database_failure(sender, request=None, **kwargs):
    # Sent from inside Django's `except` for an uncaught exception: sys.exc_info() has it.
    error = sys.exc_info()[1]
    if request is not None and error is not None and is_database_out_of_reach(error):
        database_outage.failed(error, doing=f"{request.method} {request.path}"[:200])
        request.database_failed = True


def unavailable(request) -> HttpResponse:
    """The short answer readers (and API clients) get: try again in a moment."""
    if request.path.startswith(API_PREFIX):
        detail = "The service is unavailable for a moment. Please try again shortly."
        response = JsonResponse({"detail": detail}, status=503)
    else:
        # Rendered without context processors or a request: they may query the database.
        html = loader.get_template("503.html").render({"site_name": settings.SITE_NAME})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Django logs every 5xx answer once more; this outage is logged once, above.
    response._has_been_logged = True
    return response
