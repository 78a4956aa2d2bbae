"""Every listing's filter and order is served by an index, on SQLite and PostgreSQL.

Checked with the database's own EXPLAIN. The tables here are tiny, so PostgreSQL is told not to
prefer a sequential scan: the question is whether an index can serve the query, as it must on
a 100,000-story archive.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

NEWEST = ("-publish_at", "-pk")


@pytest.fixture
def archive(section):
    author = AuthorFactory()
    for _ in range(3):
        ArticleFactory(live=True, authors=[author], tags=["Budget"])
    return {"section": section, "author": author, "tag": Article.objects.first().tags.get()}


def listings(archive):
    live = Article.objects.published()
    return {
        "front page, latest": live.order_by(*NEWEST)[:13],
        "front page, lead": live.filter(featured=True).order_by(*NEWEST)[:1],
        "section": live.in_section(archive["section"]).order_by(*NEWEST)[:21],
        "a large tag": live.filter(tagged_items__tag=archive["tag"]).order_by(*NEWEST)[:21],
        "a large author": live.filter(bylines__author=archive["author"]).order_by(*NEWEST)[:21],
        "news sitemap": live.filter(
            first_published_at__gte=timezone.now() - timedelta(hours=48)
        ).order_by("-first_published_at")[:1000],
        "feed": live.order_by(*NEWEST)[:50],
        # A stories sitemap page past the first: where it starts, then the page from there.
        "sitemap page start": live.order_by("-publish_at").values("publish_at")[2000:2001],
        "sitemap page": live.filter(publish_at__lte=timezone.now())
        .order_by(*NEWEST)
        .values_list("slug", "publish_at", "updated_at")[1:2001],
        "admin story list": Article.objects.order_by(*NEWEST)[:51],
    }


def plan(queryset) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


@pytest.mark.parametrize(
    "name",
    [
        "front page, latest",
        "front page, lead",
        "section",
        "a large tag",
        "a large author",
        "news sitemap",
        "feed",
        "admin story list",
        "sitemap page start",
        "sitemap page",
    ],
)
def test_each_listing_reads_stories_through_an_index(archive, name):
    text = plan(listings(archive)[name])
    if connection.vendor == "postgresql":
        assert "Seq Scan on articles_article" not in text, text
    else:
        # "SCAN articles_article" without "USING … INDEX" reads the whole table.
        assert not re.search(r"SCAN articles_article(?! USING)", text), text


@pytest.mark.parametrize(
    "name",
    [
        "front page, latest",
        "section",
        "feed",
        "admin story list",
        "sitemap page start",
        "sitemap page",
    ],
)
def test_the_newest_first_order_comes_from_the_index_not_a_sort(archive, name):
    text = plan(listings(archive)[name])
    if connection.vendor == "postgresql":
        # Walked newest first (backward, or forward on a descending index); at most the pk
        # tie-break is sorted (an Incremental Sort on a large table, a plain one on these few
        # rows).
        assert re.search(r"Index (Only )?Scan (Backward )?using article_\w+_idx", text), text
    else:
        assert "TEMP B-TREE FOR ORDER BY" not in text, text


def test_a_section_with_no_index_would_be_caught(section):
    # The check above can fail: ordering by an unindexed column sorts the table.
    SectionFactory(name="World", slug="world")
    text = plan(Article.objects.order_by("dateline"))
    if connection.vendor == "postgresql":
        assert "Sort" in text
    else:
        assert "TEMP B-TREE FOR ORDER BY" in text


def test_the_front_page_rails_fetch_their_stories_by_key_not_by_walking_every_live_one(archive):
    # Each rail's part reads its section's newest from the section index; the stories are
    # then fetched by key. Filtering them again by "live" outside the parts made SQLite walk
    # every live story of the archive and test it against the list (60 ms at 100,000).
    live = Article.objects.published().for_cards()
    rails = live.exclude(pk=0).latest_per_section(4, [archive["section"].pk])
    text = plan(rails)
    if connection.vendor == "postgresql":
        assert "articles_article_pkey" in text, text
    else:
        assert "article_live_idx" not in text, text
        assert "USING INTEGER PRIMARY KEY" in text, text


def test_on_sqlite_sitemap_pages_of_listings_read_the_live_index_alone(archive):
    # The newest change of each section, tag and author: every live story's edit time and
    # section, which SQLite keeps after the body in overflow pages, come from the index.
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's covering indexes")
    from articles.outputs.sitemaps import SectionSitemap, TagSitemap

    for kind in (SectionSitemap, TagSitemap):
        with connection.cursor() as cursor:
            sql, params = (
                Article.objects.published()
                .filter(**{f"{kind.link}__slug__isnull": False})
                .values(f"{kind.link}__slug")
                .annotate(n=Count("pk"), changed_at=Max("updated_at"))
                .query.sql_with_params()
            )
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            text = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "COVERING INDEX article_live_idx" in text, text


def test_on_sqlite_the_search_filter_index_outlives_the_table_rebuilds_of_migrations():
    # Made by hand (migration 0009), it goes with any rebuild of the table; search names it.
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's hand-made index")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA index_list(articles_article)")
        names = {row[1] for row in cursor.fetchall()}
    assert "article_search_filter_idx" in names
