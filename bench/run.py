"""Newsroom benchmark: demo-data throughput and public page timings on a throwaway SQLite file.

    make bench                                   # 10,000 stories, 20 requests per page
    .venv/bin/python bench/run.py --stories 2000 --requests 10

See bench/README.md for what is measured and how to read it.
"""

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=10_000, help="stories to generate")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=1, help="generate_articles --seed")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database file and print its path"
    )
    return parser.parse_args()


def setup_django(database: Path) -> None:
    # Production settings with a throwaway secret and plain static storage (no collectstatic).
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    # No page cache by default: the timings are the cost of building each page.
    os.environ.setdefault("CACHE_URL", "dummy://")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pages() -> list[tuple[str, str]]:
    """One representative URL per kind of public page, the busiest of each."""
    from django.conf import settings
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse
    from taggit.models import Tag

    from articles.models import Article, Author, Section

    live = Article.objects.published()
    section = Section.objects.annotate(n=Count("articles")).order_by("-n").first()
    tag = Tag.objects.annotate(n=Count("articles_taggedarticle_items")).order_by("-n").first()
    author = Author.objects.annotate(n=Count("bylines")).order_by("-n").first()
    article = live.first()
    last_page = math.ceil(live.in_section(section).count() / settings.ARTICLES_PER_PAGE)
    deep_page = min(20, last_page)
    urls = [
        ("front page", "/"),
        ("section", section.get_absolute_url()),
        (f"section, page {deep_page}", f"{section.get_absolute_url()}?page={deep_page}"),
        ("tag", f"/tag/{tag.slug}/"),
        ("author", author.get_absolute_url()),
        ("article", article.get_absolute_url()),
    ]
    for name, route, query in [
        ("search", "articles:search", "?q=council+budget"),
        ("RSS feed", "articles:feed", ""),
    ]:
        try:
            urls.append((name, reverse(route) + query))
        except NoReverseMatch:
            pass
    return urls


def time_page(client, url: str, requests: int) -> tuple[float, float, int, int]:
    """(median ms, slowest ms, queries, bytes) for `url`, after one warm-up request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}; the benchmark needs 200.")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Count now: every request start empties the connection's query log.
    query_count = len(queries)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings), query_count, len(response.content)


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    database = workdir / "bench.sqlite3"
    try:
        run(args, database)
    finally:
        if args.keep:
            say(f"\nDatabase kept: {database}")
        else:
            shutil.rmtree(workdir)


def run(args, database: Path) -> None:
    setup_django(database)

    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("loaddata", "seed", verbosity=0)

    started = time.perf_counter()
    call_command("generate_articles", str(args.stories), seed=args.seed, verbosity=0)
    seconds = time.perf_counter() - started
    size = database.stat().st_size / 2**20
    say(
        f"generate_articles {args.stories:,}: {seconds:.1f} s, "
        f"{args.stories / seconds:,.0f} stories/s (SQLite file now {size:,.0f} MB)"
    )
    say()

    client = Client()
    rows = [(name, url, *time_page(client, url, args.requests)) for name, url in pages()]
    say(f"Public pages over {args.stories + 1:,} stories, {args.requests} requests each:")
    say(f"{'page':<18} {'median ms':>9} {'max ms':>8} {'queries':>7} {'KB':>6}  url")
    for name, url, median, slowest, queries, size in rows:
        say(f"{name:<18} {median:>9.1f} {slowest:>8.1f} {queries:>7} {size / 1024:>6.0f}  {url}")


if __name__ == "__main__":
    main()
