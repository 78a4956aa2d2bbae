"""Whether a server the site depends on (Redis, the database) answers, as this process last
found it.

Every request during an outage meets the same failure; the log says so twice per process,
as the outage begins and as it ends, not once per request (a busy site would write thousands
of identical tracebacks a minute and bury everything else).
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError, connection

# What Django raises when the database cannot be reached or its connection is gone; but
# SQLite raises OperationalError for a query's own faults too ("no such table").
DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_database_out_of_reach(error: BaseException) -> bool:
    """Whether `error` came from a database that does not answer, rather than from a query
    (a bug must stay a 500 with its traceback, never pass for an outage)."""
    if not isinstance(error, DATABASE_ERRORS):
        return False
    if connection.connection is None:
        return True  # not even a connection could be made
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_ERRORS:
        return True
    return False


class Outage:
    def __init__(self, what: str, logger: logging.Logger) -> None:
        self.what = what
        self.logger = logger
        self.lock = threading.Lock()
        self.since: float | None = None  # time.monotonic() of the first failure

    @property
    def is_down(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException | str, *, doing: str = "") -> None:
        """Record a failure; the first since the server last answered is logged."""
        with self.lock:
            if self.since is not None:
                return
            self.since = time.monotonic()
        self.logger.error(
            "%s is unreachable%s: %s. Logged once until it answers again.",
            self.what,
            f" ({doing})" if doing else "",
            str(error)[:300] or type(error).__name__,
        )

    def answered(self) -> bool:
        """Record that the server answered; True when that ends an outage (logged)."""
        if self.since is None:  # the usual case, without taking the lock
            return False
        with self.lock:
            if self.since is None:
                return False
            seconds = time.monotonic() - self.since
            self.since = None
        self.logger.warning("%s answers again, after %.0f s out of reach", self.what, seconds)
        return True

    def forget(self) -> None:
        """Drop what was known, unlogged: the settings now name another server."""
        with self.lock:
            self.since = None
