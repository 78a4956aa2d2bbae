"""What follows a change readers could see: the page cache forgets, the CDN is told.

`changed(keys)` is called inside the transaction that makes the change (or, for a story,
as that transaction commits, once its revision is written). With CDN_PURGE_URL set it writes
PendingPurge rows there and then, so the purge is as durable as the change; after the commit
a background thread POSTs the keys
(`Surrogate-Key: <keys>`) with retries and backoff. The saving process never waits on the
CDN: a CDN that is down delays nothing and loses nothing, and any other process of the site
(every web worker polls) sends what a short-lived command left behind.
"""

import atexit
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from caching import generation, outage
from caching.models import PendingPurge

logger = logging.getLogger(__name__)
database_outage = outage.Outage("The database (the CDN purge queue)", logger)

MAX_KEYS_PER_REQUEST = 200
CLAIM_SECONDS = 30
MAX_BACKOFF_SECONDS = 300


def changed(*keys: str) -> None:
    """Every page tagged with one of `keys` shows something that has changed."""
    names = sorted({key for key in keys if key})
    if settings.CDN_PURGE_URL and names:
        # Rows small enough for one request each (a CDN refuses headers past ~8 KB).
        PendingPurge.objects.bulk_create(
            PendingPurge(keys=" ".join(names[start : start + MAX_KEYS_PER_REQUEST]))
            for start in range(0, len(names), MAX_KEYS_PER_REQUEST)
        )
    # At once, for this process (and the rest of its transaction), and again on commit for
    # every other process, which could not see the change before.
    generation.bump()
    transaction.on_commit(_committed)


def _committed() -> None:
    generation.bump()
    if settings.CDN_PURGE_URL and settings.CDN_PURGE_IN_BACKGROUND:
        sender().wake()


def send_due(*, limit: int = 50) -> int:
    """Send the purges that are due (in one POST per batch of keys); return how many rows
    were sent. Failures are kept for a later try, further off each time."""
    now = timezone.now()
    due = list(
        PendingPurge.objects.filter(next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")[:limit]
    )
    # Claim each row first, so two processes polling together send it once.
    claimed = [
        row
        for row in due
        if PendingPurge.objects.filter(pk=row.pk, claimed_until=row.claimed_until).update(
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
        )
    ]
    sent = 0
    for batch in _batches(claimed):
        keys = sorted({key for row in batch for key in row.keys.split()})
        error = _post(keys)
        if error is None:
            PendingPurge.objects.filter(pk__in=[row.pk for row in batch]).delete()
            sent += len(batch)
        else:
            for row in batch:
                _retry_later(row, error)
    return sent


def _batches(rows: list[PendingPurge]):
    batch, count = [], 0
    for row in rows:
        size = len(row.keys.split())
        if batch and count + size > MAX_KEYS_PER_REQUEST:
            yield batch
            batch, count = [], 0
        batch.append(row)
        count += size
    if batch:
        yield batch


def _post(keys: list[str]) -> str | None:
    request = urllib.request.Request(
        settings.CDN_PURGE_URL,
        data=b"",
        method="POST",
        headers={"Surrogate-Key": " ".join(keys), "User-Agent": "Newsroom purge"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.CDN_PURGE_TIMEOUT) as response:
            response.read()
    except (urllib.error.URLError, OSError, ValueError) as problem:
        return str(getattr(problem, "reason", problem))[:300]
    return None


def _retry_later(row: PendingPurge, error: str) -> None:
    attempts = row.attempts + 1
    delay = min(2**attempts, MAX_BACKOFF_SECONDS)
    logger.warning("CDN purge of %s failed (try %d): %s", row.keys[:200], attempts, error)
    PendingPurge.objects.filter(pk=row.pk).update(
        attempts=attempts,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        claimed_until=None,
        last_error=error,
    )


class Sender(threading.Thread):
    """Sends purges off the request path: woken after each commit, and polling the queue
    every CDN_PURGE_POLL_SECONDS for what other processes left or what failed before."""

    def __init__(self) -> None:
        super().__init__(name="cdn-purge-sender", daemon=True)
        self.event = threading.Event()
        # Held while sending, so that a process about to exit can wait for a send under way
        # instead of leaving its rows claimed by a thread that dies with it.
        self.sending = threading.Lock()

    def wake(self) -> None:
        self.event.set()

    def run(self) -> None:
        while True:
            self.event.wait(settings.CDN_PURGE_POLL_SECONDS)
            self.event.clear()
            with self.sending:
                try:
                    while send_due():
                        pass
                except Exception as error:  # The thread must outlive a database hiccup.
                    if outage.is_database_out_of_reach(error):
                        # Once per outage, not every poll of every process.
                        database_outage.failed(error, doing="sending CDN purges")
                    else:
                        logger.exception("Sending CDN purges failed; trying again shortly")
                else:
                    database_outage.answered()
                finally:
                    close_old_connections()
                    connection.close()


_sender = None
_sender_lock = threading.Lock()


def sender() -> Sender:
    global _sender
    with _sender_lock:
        if _sender is None or not _sender.is_alive():
            _sender = Sender()
            _sender.start()
            atexit.register(_send_before_exit)
    return _sender


def _send_before_exit() -> None:
    # A command that saved and is about to exit: let a send under way finish, then one quick
    # try, so the purge need not wait for a web worker's next poll. A CDN that does not answer
    # costs this at most a timeout or two; what is left stays queued for the web workers.
    if _sender is None or not _sender.sending.acquire(timeout=settings.CDN_PURGE_TIMEOUT * 2):
        return
    deadline = time.monotonic() + settings.CDN_PURGE_TIMEOUT
    try:
        while time.monotonic() < deadline and send_due():
            pass
    except Exception:
        logger.exception("Could not send CDN purges before exit; the queue keeps them")
    # The lock stays taken: the sender thread must not claim another row as Python shuts down.
