"""Which pages to measure, and each one's cost inside this process (Django's test client).

The in-process figures are the cost of building a page with no web server and no cache:
Django's middleware, URL routing, the view, its queries and the template. They use the
production settings with the page cache off, on the benchmark's database.
"""

import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Enough requests for a median, and no more than this many seconds on one slow page.
INPROCESS_SECONDS = 5.0


@dataclass
class InProcess:
    p50_ms: float
    max_ms: float
    requests: int
    queries: int
    bytes: int


def setup_django(database_url: str, secret: str, media: dict[str, str] | None = None) -> None:
    """Django in this process: the production settings, with no cache of any kind; `media`:
    where pictures are kept (MEDIA_ROOT, …), the servers' own. Tasks (a picture's renditions)
    run here, as the save that queues them commits."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_SECRET_KEY": secret,
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
            "DATABASE_URL": database_url,
            "CACHE_URL": "dummy://",
            "PAGE_CACHE": "off",
            "SITEMAP_CACHE_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "TASKS_BACKEND": "immediate",
            **(media or {}),
        }
    )
    os.environ.pop("DJANGO_DEBUG", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def choose() -> dict[str, str]:
    """One address per kind of page: the newest story, the busiest section and tag, …"""
    from django.db.models import Count
    from taggit.models import Tag

    from articles.models import Article, Section

    story = Article.objects.published().first()
    section = Section.objects.annotate(n=Count("articles")).order_by("-n").first()
    tag = Tag.objects.annotate(n=Count("articles_taggedarticle_items")).order_by("-n").first()
    return {
        "story": story.get_absolute_url(),
        "front": "/",
        "section": section.get_absolute_url(),
        "tag": f"/tag/{tag.slug}/",
        "search": "/search/?q=council+budget",
        "feed": "/feed/",
        "api": "/api/v1/articles/",
    }


def story_paths(count: int, *, exclude: str, seed: int) -> list[str]:
    """`count` live story addresses in a seeded random order, none of them `exclude`."""
    from articles.models import Article

    ids = list(Article.objects.published().values_list("pk", flat=True))
    random.Random(seed).shuffle(ids)
    chosen = ids[: count + 1]
    stories = Article.objects.filter(pk__in=chosen).only("slug", "publish_at", "created_at")
    by_pk = {story.pk: story.get_absolute_url() for story in stories}
    paths = [by_pk[pk] for pk in chosen if by_pk[pk] != exclude]
    return paths[:count]


def measure(path: str, requests: int) -> InProcess:
    """The median time of up to `requests` requests after a warm-up one, and its queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} in-process; needs 200.")
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    # Count now: the next request's start empties the connection's query log.
    query_count = len(queries)
    timings = []
    deadline = time.perf_counter() + INPROCESS_SECONDS
    while len(timings) < requests and (len(timings) < 3 or time.perf_counter() < deadline):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return InProcess(
        p50_ms=statistics.median(timings),
        max_ms=max(timings),
        requests=len(timings),
        queries=query_count,
        bytes=len(response.content),
    )


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def live_stories() -> int:
    from articles.models import Article

    return Article.objects.published().count()
