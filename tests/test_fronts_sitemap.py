"""The sitemap and fronts: the stories the home front shows rank by their place on it, the
fronts of their own are listed, and a change to a front reaches the cached sitemap; the
Google News sitemap, which has no priority, is untouched."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine

from caching.models import PendingPurge
from fronts.models import Slot
from tests.factories import SectionFactory

# The API's fronts tests make fronts of any kind (named, scheduled, a section's).
from tests.test_api_fronts import NOON, front, story
from tests.test_sitemaps import NS, SITE, urlset, xml

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON, tick=False):
        yield


def priorities(response) -> dict[str, str | None]:
    """{loc: priority} of a sitemap page (None where it has no <priority>)."""
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:priority", namespaces=NS)
        for url in xml(response, "urlset").findall("sm:url", NS)
    }


def loc(article) -> str:
    return f"{SITE}{article.get_absolute_url()}"


def test_the_home_fronts_stories_rank_in_its_order_down_to_a_floor(client, section):
    stories = [story(minutes) for minutes in range(1, 10)]
    pinned_old = story(600)
    front(
        {"max_stories": 2, "pins": [pinned_old]},
        {"max_stories": 6},
    )

    ranked = priorities(client.get("/sitemap.xml"))

    on_front = [pinned_old, *stories[:7]]
    assert [ranked[loc(s)] for s in on_front] == [
        "1.0",
        "0.9",
        "0.8",
        "0.7",
        "0.6",
        "0.6",
        "0.6",
        "0.6",
    ]
    assert [ranked[loc(s)] for s in stories[7:]] == [None, None]
    assert ranked[f"{SITE}/section/new-york/"] is None


def test_without_an_arranged_home_front_no_url_has_a_priority(
    client, section, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_ENABLED = False  # rendered each time
    story(1)
    assert set(priorities(client.get("/sitemap.xml")).values()) == {None}

    front()  # the home front, with no collection yet

    assert set(priorities(client.get("/sitemap.xml")).values()) == {None}
    with django_assert_max_num_queries(2):  # the page of stories, the layout: nothing to resolve
        assert set(priorities(client.get("/sitemap-stories.xml")).values()) == {None}


def test_a_story_the_front_shows_ranks_on_whichever_stories_page_lists_it(
    client, section, settings
):
    settings.SITEMAP_PAGE_SIZE = 2
    newer = [story(minutes) for minutes in (1, 2)]
    pinned_old = story(600)
    front({"max_stories": 1, "backfill": False, "pins": [pinned_old]})

    first, second = (priorities(client.get(f"/sitemap-stories.xml?p={p}")) for p in (1, 2))

    assert [first[loc(s)] for s in newer] == [None, None]
    assert second == {loc(pinned_old): "1.0"}
    assert set(priorities(client.get("/sitemap-sections.xml")).values()) == {None}


def test_a_scheduled_layout_ranks_its_stories_in_its_window(client, section):
    usual, special = story(1), story(2)
    home = front({"max_stories": 1, "backfill": False, "pins": [usual]})
    front(
        {"max_stories": 1, "backfill": False, "pins": [special]},
        slug="election-night",
        replaces=home,
        starts_at=NOON + timedelta(hours=1),
    )

    before = priorities(client.get("/sitemap.xml"))
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        during = priorities(client.get("/sitemap.xml"))

    assert (before[loc(usual)], before[loc(special)]) == ("1.0", None)
    assert (during[loc(usual)], during[loc(special)]) == (None, "1.0")


def test_the_news_sitemap_is_the_same_whatever_the_home_front_shows(client, section):
    pinned = story(30)
    story(1)
    before = client.get("/news-sitemap.xml").content

    front({"max_stories": 2, "pins": [pinned]})

    assert client.get("/news-sitemap.xml").content == before
    assert b"priority" not in before


def test_the_priority_costs_as_many_queries_for_forty_stories_as_for_two(
    client, section, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_ENABLED = False  # rendered each time
    stories = [story(minutes) for minutes in range(1, 61)]
    small = front({"max_stories": 2, "pins": stories[:1]})
    # The page of stories, the home front's layout and fronts.resolve's five, whatever the
    # front holds.
    with django_assert_max_num_queries(7):
        small_page = client.get("/sitemap-stories.xml")
    small.delete()
    front(
        *(
            {"max_stories": 5, "pins": stories[index * 5 : index * 5 + 5]}
            if index % 2
            else {"max_stories": 5}
            for index in range(8)
        )
    )
    with django_assert_max_num_queries(7):
        big_page = client.get("/sitemap-stories.xml")

    assert list(priorities(small_page).values()).count("1.0") == 1
    assert len([p for p in priorities(big_page).values() if p]) == 40


# Fronts of their own


def test_the_sitemap_lists_the_fronts_of_their_own_that_have_a_collection(client, section):
    story(1)
    front({"max_stories": 1})  # home: its page is /
    metro = SectionFactory(slug="metro", name="Metro")
    front({"max_stories": 1}, slug="metro", section=metro)
    elections = front({"max_stories": 1}, slug="elections-2026", name="Elections 2026")
    front({"max_stories": 1}, slug="vote-night", replaces=elections, starts_at=NOON)
    front(slug="draft-front")  # nothing arranged: its page is a 404

    listed = urlset(client.get("/sitemap.xml"))

    fronts = {url for url in listed if "/front/" in url}
    assert fronts == {f"{SITE}/front/elections-2026/"}
    assert listed[f"{SITE}/front/elections-2026/"]
    assert f"{SITE}/" not in listed


def test_the_index_has_a_page_of_fronts_once_there_is_one(client, section, settings):
    settings.SITEMAP_PAGE_SIZE = 1
    story(1)
    front({"max_stories": 1}, slug="elections-2026")
    index = xml(client.get("/sitemap.xml"), "sitemapindex")

    pages = [entry.findtext("sm:loc", namespaces=NS) for entry in index.findall("sm:sitemap", NS)]

    assert f"{SITE}/sitemap-fronts.xml" in pages
    assert set(urlset(client.get("/sitemap-fronts.xml"))) == {f"{SITE}/front/elections-2026/"}


# Caching and purges


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-stories.xml"])
def test_the_sitemap_is_tagged_with_the_home_front_and_the_list_of_fronts(client, section, url):
    story(1)
    home = front({"max_stories": 1})

    keys = set(client.get(url)["Surrogate-Key"].split())

    assert {"list:all", "list:fronts", f"front:{home.pk}"} <= keys


def test_a_change_to_the_home_front_reaches_the_cached_sitemap_and_the_cdn(
    client, section, commits, settings
):
    settings.CDN_PURGE_URL = "http://127.0.0.1:9/purge"  # queued, never sent here
    first, second = story(1), story(2)
    with commits():
        home = front({"max_stories": 1, "backfill": False, "pins": [first]})
    assert priorities(client.get("/sitemap.xml"))[loc(first)] == "1.0"
    cached = client.get("/sitemap.xml")
    assert "Age" in cached
    PendingPurge.objects.all().delete()

    with commits():
        Slot.objects.filter(collection__front=home).delete()
        Slot.objects.create(collection=home.collections.get(), article=second)

    purged = {key for row in PendingPurge.objects.all() for key in row.keys.split()}
    assert purged & set(cached["Surrogate-Key"].split()) - {"site"}
    ranked = priorities(client.get("/sitemap.xml"))
    assert (ranked[loc(first)], ranked[loc(second)]) == (None, "1.0")


def test_a_new_fronts_first_collection_reaches_the_cached_sitemap_and_the_cdn(
    client, section, commits, settings
):
    settings.CDN_PURGE_URL = "http://127.0.0.1:9/purge"
    story(1)
    cached = client.get("/sitemap.xml")
    PendingPurge.objects.all().delete()

    with commits():
        front({"max_stories": 1}, slug="elections-2026")

    purged = {key for row in PendingPurge.objects.all() for key in row.keys.split()}
    assert purged & set(cached["Surrogate-Key"].split()) - {"site"}
    assert f"{SITE}/front/elections-2026/" in urlset(client.get("/sitemap.xml"))


def test_the_priorities_hold_to_the_sitemaps_org_range(client, section):
    front({"max_stories": 20})
    for minutes in range(1, 21):
        story(minutes)

    ranked = [p for p in priorities(client.get("/sitemap.xml")).values() if p]

    assert len(ranked) == 20 and all(0.0 <= float(p) <= 1.0 for p in ranked)
    root = ET.fromstring(client.get("/sitemap.xml").content)
    stories = [url for url in root.findall("sm:url", NS) if url.find("sm:priority", NS) is not None]
    # The schema's order: loc, lastmod, changefreq, priority.
    assert {tuple(child.tag.split("}")[1] for child in url) for url in stories} == {
        ("loc", "lastmod", "priority")
    }
