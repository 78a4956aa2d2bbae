"""Sitemaps, the Google News sitemap and robots.txt, read as XML and as a crawler reads them."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date
from usp.tree import sitemap_tree_for_homepage

from articles.models import Article, Section
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.services import require

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SITEMAP, "news": NEWS}
NOW = datetime(2025, 6, 11, 15, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    """Stop the clock at NOW for everything that asks django.utils.timezone."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def xml(response, root_tag):
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{SITEMAP}}}{root_tag}"
    return root


def urlset(response):
    """{loc: lastmod} of a sitemap page."""
    root = xml(response, "urlset")
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }


def w3c(moment):
    """W3C Datetime as the sitemaps print it: whole seconds, UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


@pytest.fixture
def site_with_stories(section, author):
    """A live story, plus a section, tag and author that only non-live stories use."""
    live = ArticleFactory(live=True, authors=[author], tags=["Budget", "City Hall"])
    ArticleFactory(
        headline="Secret draft",
        section=SectionFactory(name="Politics", slug="politics"),
        authors=[AuthorFactory(slug="ghost-writer")],
        tags=["Embargoed topic"],
    )
    return live


def test_sitemap_lists_live_stories_and_the_pages_that_have_them(client, site_with_stories):
    story = site_with_stories
    urls = urlset(client.get("/sitemap.xml"))
    assert set(urls) == {
        f"{SITE}{story.get_absolute_url()}",
        f"{SITE}/section/new-york/",
        f"{SITE}/tag/budget/",
        f"{SITE}/tag/city-hall/",
        f"{SITE}/author/ana-reyes/",
    }
    assert urls[f"{SITE}{story.get_absolute_url()}"] == w3c(story.updated_at)
    assert urls[f"{SITE}/section/new-york/"] == w3c(story.updated_at)


def test_sitemap_lastmod_follows_an_edit(client, site_with_stories):
    story = site_with_stories
    Article.objects.filter(pk=story.pk).update(updated_at=story.updated_at + timedelta(hours=2))
    urls = urlset(client.get("/sitemap.xml"))
    expected = w3c(story.updated_at + timedelta(hours=2))
    assert urls[f"{SITE}{story.get_absolute_url()}"] == expected
    assert urls[f"{SITE}/tag/budget/"] == expected


def test_sitemap_urls_use_site_url_not_the_request_host(client, site_with_stories, settings):
    settings.SITE_URL = "https://news.example.org"
    urls = urlset(client.get("/sitemap.xml", HTTP_HOST="localhost"))
    assert all(url.startswith("https://news.example.org/") for url in urls)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"scheduled": True},
        {"status": Article.Status.UNPUBLISHED},
    ],
    ids=["draft", "review", "scheduled", "unpublished"],
)
def test_story_that_is_not_live_is_in_no_sitemap(client, section, fields):
    story = ArticleFactory(authors=[AuthorFactory()], tags=["Budget"], **fields)
    path = story.get_absolute_url()
    assert urlset(client.get("/sitemap.xml")) == {}
    assert path not in client.get("/news-sitemap.xml").content.decode()


def test_withdrawn_story_leaves_the_sitemaps(client, section):
    story = ArticleFactory(live=True, tags=["Budget"])
    story.status = Article.Status.UNPUBLISHED
    story.save()
    assert urlset(client.get("/sitemap.xml")) == {}
    assert story.get_absolute_url() not in client.get("/news-sitemap.xml").content.decode()


def test_sitemap_becomes_an_index_of_pages_past_the_page_size(client, section, settings):
    settings.SITEMAP_PAGE_SIZE = 2
    stories = [ArticleFactory(live=True, authors=[AuthorFactory()]) for _ in range(3)]
    index = xml(client.get("/sitemap.xml"), "sitemapindex")
    pages = [entry.findtext("sm:loc", namespaces=NS) for entry in index.findall("sm:sitemap", NS)]
    assert pages == [
        f"{SITE}/sitemap-stories.xml",
        f"{SITE}/sitemap-stories.xml?p=2",
        f"{SITE}/sitemap-sections.xml",
        # No story has a tag: an empty kind is left out of the index.
        f"{SITE}/sitemap-authors.xml",
        f"{SITE}/sitemap-authors.xml?p=2",
    ]
    assert all(entry.findtext("sm:lastmod", namespaces=NS) for entry in index)
    found = set()
    for page in pages:
        urls = urlset(client.get(page.removeprefix(SITE)))
        assert len(urls) <= 2
        found |= set(urls)
    assert found == {
        *(f"{SITE}{story.get_absolute_url()}" for story in stories),
        f"{SITE}/section/new-york/",
        *(f"{SITE}{story.byline_authors[0].get_absolute_url()}" for story in stories),
    }
    assert client.get("/sitemap-stories.xml?p=3").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/sitemap-nothing.xml").status_code == HTTPStatus.NOT_FOUND


def test_index_links_use_site_url_not_the_request_host(client, section, settings):
    settings.SITEMAP_PAGE_SIZE = 1
    settings.SITE_URL = "https://news.example.org"
    ArticleFactory.create_batch(2, live=True)
    index = xml(client.get("/sitemap.xml", HTTP_HOST="localhost"), "sitemapindex")
    locs = [loc.text for loc in index.iter(f"{{{SITEMAP}}}loc")]
    assert locs and all(loc.startswith("https://news.example.org/sitemap-") for loc in locs)


def make_stories(count):
    """Live stories up to `count`, each with its own section, author and tag: every kind grows."""
    for n in range(Article.objects.count(), count):
        ArticleFactory(
            live=True, section=SectionFactory(), authors=[AuthorFactory()], tags=[f"Topic {n}"]
        )


@pytest.mark.parametrize(
    ("url", "page_size", "bound"),
    [
        # One COUNT and one SELECT per kind of page (none for fronts: there are none), and
        # the home front's layout, whose stories would rank first (not arranged here).
        ("/sitemap.xml", 50_000, 10),
        # The index: one COUNT per kind, and the newest change of stories, tags and authors
        # (the sections' is the stories').
        ("/sitemap.xml", 2, 8),
        ("/sitemap-stories.xml", 10, 2),
        ("/sitemap-tags.xml", 10, 1),
        ("/sitemap-authors.xml", 10, 1),
        ("/sitemap-sections.xml", 10, 1),
        ("/news-sitemap.xml", 10, 1),
    ],
)
def test_sitemap_renders_in_the_same_number_of_queries_for_1_or_30_stories(
    client, settings, django_assert_max_num_queries, url, page_size, bound
):
    settings.SITEMAP_PAGE_SIZE = page_size
    for count in (1, 30):
        make_stories(count)
        with django_assert_max_num_queries(bound):
            response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert response.content.count(b"<loc>") >= min(count, page_size)


def test_a_later_stories_page_takes_three_queries_whatever_its_number(
    client, section, settings, django_assert_max_num_queries
):
    settings.SITEMAP_PAGE_SIZE = 10
    make_stories(30)
    for page in (2, 3):
        with django_assert_max_num_queries(3):  # and the home front's layout
            response = client.get(f"/sitemap-stories.xml?p={page}")
        assert len(urlset(response)) == 10


def stories_at(*ages):
    """Live stories published `ages` ago (newest first in the sitemap when ages ascend)."""
    now = timezone.now()
    return [ArticleFactory(status="published", publish_at=now - age) for age in ages]


@pytest.mark.parametrize(("page_size", "root"), [(4, "urlset"), (3, "sitemapindex")])
def test_exactly_a_page_of_urls_is_one_sitemap_and_one_more_is_an_index(
    client, section, author, settings, page_size, root
):
    ArticleFactory.create_batch(2, live=True, authors=[author])  # 2 stories, 1 section, 1 author
    settings.SITEMAP_PAGE_SIZE = page_size
    locs = [loc.text for loc in xml(client.get("/sitemap.xml"), root).iter(f"{{{SITEMAP}}}loc")]
    if root == "urlset":
        assert len(locs) == 4
    else:
        assert locs == [
            f"{SITE}/sitemap-stories.xml",
            f"{SITE}/sitemap-sections.xml",
            f"{SITE}/sitemap-authors.xml",
        ]


def test_stories_pages_run_newest_first_to_a_short_last_page_then_404(client, section, settings):
    settings.SITEMAP_PAGE_SIZE = 2
    stories = stories_at(*(timedelta(hours=hours) for hours in range(1, 6)))
    locs = [f"{SITE}{story.get_absolute_url()}" for story in stories]
    pages = [list(urlset(client.get(f"/sitemap-stories.xml?p={p}"))) for p in (1, 2, 3)]
    assert pages == [locs[0:2], locs[2:4], locs[4:5]]
    assert list(urlset(client.get("/sitemap-stories.xml"))) == locs[0:2]
    assert client.get("/sitemap-stories.xml?p=4").status_code == HTTPStatus.NOT_FOUND


def test_stories_sharing_a_publish_time_across_pages_are_each_listed_once(
    client, section, settings
):
    settings.SITEMAP_PAGE_SIZE = 2
    # One story before, five at the same moment (the pk breaks the tie), one after.
    hour = timedelta(hours=1)
    stories = [*stories_at(hour), *stories_at(*[2 * hour] * 5), *stories_at(3 * hour)]
    expected = [stories[0], *sorted(stories[1:6], key=lambda s: -s.pk), stories[6]]
    listed = []
    for page in (1, 2, 3, 4):
        listed += list(urlset(client.get(f"/sitemap-stories.xml?p={page}")))
    assert listed == [f"{SITE}{story.get_absolute_url()}" for story in expected]
    assert client.get("/sitemap-stories.xml?p=5").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "01", "", "2", "9" * 30])
@pytest.mark.parametrize("kind", ["stories", "sections", "tags", "authors"])
def test_a_page_number_that_is_malformed_or_past_the_end_is_404(
    client, section, author, kind, page
):
    ArticleFactory(live=True, authors=[author], tags=["Budget"])
    assert client.get(f"/sitemap-{kind}.xml?p=1").status_code == HTTPStatus.OK
    assert client.get(f"/sitemap-{kind}.xml?p={page}").status_code == HTTPStatus.NOT_FOUND


def test_an_empty_kind_answers_an_empty_first_page(client, section):
    ArticleFactory(live=True)
    assert urlset(client.get("/sitemap-tags.xml")) == {}


def test_index_lastmod_is_each_kinds_newest_edit_or_publication(client, section, author, settings):
    settings.SITEMAP_PAGE_SIZE = 1
    hour = timedelta(hours=1)
    now = timezone.now().replace(microsecond=0)
    # Edited an hour ago, published before; went live at -2 h, last saved before that
    # (scheduled ahead); a draft saved just now, which no sitemap may show.
    edited, scheduled = stories_at(3 * hour, 2 * hour)
    Article.objects.filter(pk=edited.pk).update(updated_at=now - hour)
    Article.objects.filter(pk=scheduled.pk).update(updated_at=now - 4 * hour)
    edited.bylines.create(author=author)
    scheduled.tags.add("Budget")
    ArticleFactory(tags=["Budget"], authors=[author])
    index = xml(client.get("/sitemap.xml"), "sitemapindex")
    lastmods = {
        urlsplit(entry.findtext("sm:loc", namespaces=NS)).path: entry.findtext(
            "sm:lastmod", namespaces=NS
        )
        for entry in index.findall("sm:sitemap", NS)
    }
    assert lastmods == {
        "/sitemap-stories.xml": w3c(now - hour),
        "/sitemap-sections.xml": w3c(now - hour),
        "/sitemap-tags.xml": w3c(scheduled.publish_at),
        "/sitemap-authors.xml": w3c(now - hour),
    }
    page = client.get("/sitemap-stories.xml")  # the newest publication
    assert urlset(page) == {f"{SITE}{scheduled.get_absolute_url()}": w3c(scheduled.publish_at)}
    assert page["Last-Modified"] == http_date(scheduled.publish_at.timestamp())


def news_entries(response):
    """{loc: <news:news>} of a Google News sitemap."""
    root = xml(response, "urlset")
    return {
        url.findtext("sm:loc", namespaces=NS): url.find("news:news", NS)
        for url in root.findall("sm:url", NS)
    }


def test_news_sitemap_names_publication_language_title_and_date(client, section, frozen_now):
    story = ArticleFactory(
        headline="Council & mayor <agree>",
        status="published",
        publish_at=frozen_now - timedelta(hours=3),
    )
    [(loc, news)] = news_entries(client.get("/news-sitemap.xml")).items()
    assert loc == f"{SITE}{story.get_absolute_url()}"
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Newsroom"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:title", namespaces=NS) == "Council & mayor <agree>"
    assert news.findtext("news:publication_date", namespaces=NS) == "2025-06-11T12:00:00+00:00"


def test_news_sitemap_keeps_only_stories_first_published_in_the_last_48_hours(
    client, section, frozen_now
):
    def story(age, **fields):
        return ArticleFactory(status="published", publish_at=frozen_now - age, **fields)

    fresh = story(timedelta(hours=1))
    at_the_edge = story(timedelta(hours=48))
    too_old = story(timedelta(hours=48, seconds=1))
    # Republished today, but first published last week: not news any more.
    rerun = story(timedelta(days=7))
    Article.objects.filter(pk=rerun.pk).update(publish_at=frozen_now - timedelta(hours=2))
    locs = list(news_entries(client.get("/news-sitemap.xml")))
    assert locs == [f"{SITE}{fresh.get_absolute_url()}", f"{SITE}{at_the_edge.get_absolute_url()}"]
    assert f"{SITE}{too_old.get_absolute_url()}" in urlset(client.get("/sitemap.xml"))


def test_news_sitemap_stops_at_google_limit_of_1000(client, section, frozen_now):
    Article.objects.bulk_create(
        Article(
            headline=f"Bulletin {n}",
            slug=f"bulletin-{n}",
            section=section,
            status=Article.Status.PUBLISHED,
            publish_at=frozen_now - timedelta(seconds=n + 1),
            # bulk_create skips save(): bulk writers stamp the first publication themselves.
            first_published_at=frozen_now - timedelta(seconds=n + 1),
        )
        for n in range(1001)
    )
    locs = list(news_entries(client.get("/news-sitemap.xml")))
    assert len(locs) == 1000
    assert locs[0].endswith("/bulletin-0/")
    assert not any(loc.endswith("/bulletin-1000/") for loc in locs)


def test_robots_txt_names_both_sitemaps_and_keeps_crawlers_out(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    assert robots.site_maps() == [f"{SITE}/sitemap.xml", f"{SITE}/news-sitemap.xml"]
    for path in ["/admin/", "/admin/articles/", "/preview/abc/", "/search/?q=ice"]:
        assert not robots.can_fetch("Googlebot", f"{SITE}{path}"), path
    for path in ["/", "/section/new-york/", "/feed/", "/sitemap.xml"]:
        assert robots.can_fetch("Googlebot", f"{SITE}{path}"), path


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_size", [50_000, 2], ids=["one-file", "index"])
def test_a_sitemap_crawler_finds_every_page_from_robots_txt(live_server, settings, page_size):
    settings.SITE_URL = live_server.url
    settings.SITEMAP_PAGE_SIZE = page_size
    section = Section.objects.create(name="New York", slug="new-york")
    author = AuthorFactory(name="Ana Reyes", slug="ana-reyes")
    stories = [
        ArticleFactory(live=True, section=section, authors=[author], tags=["Budget"])
        for _ in range(3)
    ]
    ArticleFactory(section=section, headline="Secret draft")

    tree = sitemap_tree_for_homepage(live_server.url, use_known_paths=False)

    pages = {urlsplit(page.url).path: page for page in tree.all_pages()}
    story_paths = {story.get_absolute_url() for story in stories}
    assert set(pages) == {*story_paths, "/section/new-york/", "/tag/budget/", "/author/ana-reyes/"}
    news = [page.news_story for page in pages.values() if page.news_story]
    assert len(news) == 3
    assert {item.title for item in news} == {story.headline for story in stories}
    assert {item.publication_name for item in news} == {"Newsroom"}
    assert {item.publication_language for item in news} == {"en"}
    assert all(page.last_modified for page in tree.all_pages() if not page.news_story)


def test_sitemaps_are_served_from_redis_between_crawls(client, section, settings):
    url = "redis://127.0.0.1:6379/3"
    try:
        redis.Redis.from_url(url).ping()
        reachable = True
    except redis.ConnectionError:
        reachable = False
    require(reachable, "Redis is not running on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    cache.clear()
    ArticleFactory(live=True, headline="Cached story")
    first = client.get("/sitemap.xml")
    assert first.status_code == HTTPStatus.OK
    assert "s-maxage=" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/sitemap.xml")
    assert second.content == first.content
    assert len(queries) == 0
    cache.clear()
