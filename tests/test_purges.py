"""CDN purges: queued with the change, sent off the request path, kept while the CDN is down."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from articles.editorial import publishing
from caching.models import PendingPurge
from caching.purges import send_due
from tests.factories import ArticleFactory, AuthorFactory
from tests.servers import free_port

pytestmark = pytest.mark.django_db


class FakeCdn(ThreadingHTTPServer):
    """A real HTTP server on loopback that records the purges it receives."""

    def __init__(self):
        self.received: list[str] = []
        cdn = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                cdn.received.append(self.headers["Surrogate-Key"])
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/purge"


@pytest.fixture
def cdn(settings):
    server = FakeCdn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CDN_PURGE_URL = server.url
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def story(section):
    return ArticleFactory(live=True, authors=[AuthorFactory()], tags=["Ferries"])


def edit(story):
    story.headline = "Ferry fares rise"
    publishing.save(story)


def test_a_change_queues_its_purge_in_its_own_transaction(cdn, story, commits):
    PendingPurge.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        edit(story)
        raise RuntimeError  # the edit rolls back, and its purge with it
    assert not PendingPurge.objects.exists()
    with commits():
        edit(story)
    keys = " ".join(PendingPurge.objects.values_list("keys", flat=True)).split()
    assert f"article:{story.pk}" in keys and "list:all" in keys


def test_due_purges_are_sent_as_surrogate_keys_and_forgotten(cdn, story, commits):
    with commits():
        edit(story)
    assert send_due() >= 1
    assert any(f"article:{story.pk}" in header.split() for header in cdn.received)
    assert not PendingPurge.objects.exists()


def test_a_cdn_that_is_down_loses_nothing_and_is_retried_later(settings, story, commits):
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{free_port()}/purge"  # nothing listens
    settings.CDN_PURGE_TIMEOUT = 0.5
    with commits():
        edit(story)  # the save itself succeeds
    assert send_due() == 0
    waiting = PendingPurge.objects.get(keys__contains=f"article:{story.pk}")
    assert waiting.attempts == 1 and waiting.last_error
    assert waiting.next_attempt_at > timezone.now()
    assert send_due() == 0  # not due again yet: backoff
    server = FakeCdn()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.CDN_PURGE_URL = server.url
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert send_due() >= 1
    assert not PendingPurge.objects.exists()
    server.shutdown()
    server.server_close()


def test_send_purges_command_reports_and_needs_a_cdn(cdn, story, commits, capsys, settings):
    with commits():
        edit(story)
    call_command("send_purges")
    assert "Sent" in capsys.readouterr().out
    settings.CDN_PURGE_URL = ""
    with pytest.raises(CommandError, match="CDN_PURGE_URL"):
        call_command("send_purges")


def test_a_change_with_many_keys_is_queued_in_requests_a_cdn_accepts(cdn):
    from caching.purges import MAX_KEYS_PER_REQUEST, changed

    changed(*(f"article:{number}" for number in range(450)))
    rows = [row.keys.split() for row in PendingPurge.objects.all()]
    assert sum(len(keys) for keys in rows) == 450
    assert max(len(keys) for keys in rows) <= MAX_KEYS_PER_REQUEST
    assert send_due() == len(rows) and len(cdn.received) == len(rows)
