"""A front of its own at /front/<slug>/ (an election, a series): its collections under its
name, the scheduled layout that replaces it in its window, redirects for the fronts that have
a page elsewhere, and the page cache and purges the home page has."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType

from caching.models import PendingPurge
from fronts.models import Front, Slot
from tests.factories import AuthorFactory, SectionFactory
from tests.markup import read_tree
from tests.services import require

# The API's fronts tests make fronts of any kind (named, scheduled, a section's).
from tests.test_api_fronts import NOON, front, story
from tests.test_html_validity import VNU_MISSING, html_errors

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
ELECTIONS = "/front/elections-2026/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON, tick=False):
        yield


def elections(*collections: dict, **fields) -> Front:
    return front(*collections, slug="elections-2026", name="Elections 2026", **fields)


def page_of(client, url=ELECTIONS):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, url
    return read_tree(response.content.decode())


# What readers see


def test_a_front_of_its_own_shows_its_collections_under_its_name(client, section):
    pinned = story(30, headline="Turnout breaks a record")
    newest = story(1, headline="Polls close at nine")
    elections(
        {
            "title": "Results",
            "style": "lead",
            "max_stories": 1,
            "pins": [(pinned, {"headline": "Record turnout"})],
        },
        {"title": "Latest", "style": "list", "max_stories": 3},
    )

    page = page_of(client)

    assert [h1.text() for h1 in page.select("h1")] == ["Elections 2026"]
    assert page.select_one("title").text() == "Elections 2026 | Newsroom"
    assert page.select_one("link", rel="canonical")["href"] == f"{SITE}{ELECTIONS}"
    sections = page.select("section", "front-collection")
    assert [s.select_one("h2").text() for s in sections] == ["Results", "Latest"]
    assert sections[0].select_one("h3").text() == "Record turnout"
    assert [h.text() for h in sections[1].select("h3")] == [newest.headline]


def test_a_front_whose_collections_have_nothing_live_says_so(client, section):
    story(1, headline="Polls close at nine")  # news, and the collection wants opinion
    elections({"title": "Opinion", "backfill_kind": "opinion"})

    page = page_of(client)

    assert [h1.text() for h1 in page.select("h1")] == ["Elections 2026"]
    assert page.select_one("p", "empty").text() == "Nothing here yet."
    assert not page.select("section", "front-collection")


def test_a_front_with_no_collections_is_not_published_yet(client, section):
    story(1)
    elections()

    assert client.get(ELECTIONS).status_code == HTTPStatus.NOT_FOUND


def test_an_unknown_front_is_not_found(client, db):
    assert client.get("/front/no-such-front/").status_code == HTTPStatus.NOT_FOUND


def test_the_home_front_at_its_front_address_redirects_to_the_home_page(client, db):
    response = client.get("/front/home/")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/"


def test_a_section_front_redirects_to_its_section_page_even_with_a_layout_on(client, db):
    metro = SectionFactory(slug="metro", name="Metro")
    metro_front = front({"max_stories": 1}, slug="metro", section=metro)
    front({"max_stories": 1}, slug="metro-night", replaces=metro_front, starts_at=NOON)

    response = client.get("/front/metro/")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/section/metro/"


def test_a_scheduled_layout_shows_at_its_fronts_address_in_its_window_and_has_none_itself(
    client, section
):
    story(1, headline="Polls open")
    own = elections({"title": "Before the vote", "max_stories": 1})
    front(
        {"title": "Results night", "max_stories": 1},
        slug="results-night",
        name="Results night",
        replaces=own,
        starts_at=NOON + timedelta(hours=1),
        ends_at=NOON + timedelta(hours=5),
    )

    def heading():
        return page_of(client).select_one("section", "front-collection").select_one("h2").text()

    assert heading() == "Before the vote"
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        assert heading() == "Results night"
        page = page_of(client)
        assert page.select_one("h1").text() == "Elections 2026"  # the address's front
        assert page.select_one("link", rel="canonical")["href"] == f"{SITE}{ELECTIONS}"
        assert client.get("/front/results-night/").status_code == HTTPStatus.NOT_FOUND
    with time_machine.travel(NOON + timedelta(hours=5), tick=False):
        assert heading() == "Before the vote"


def test_each_front_knows_the_address_readers_see_it_at(db):
    home = front({"max_stories": 1})
    metro_front = front(slug="metro", section=SectionFactory(slug="metro"))
    own = elections()
    later = {"starts_at": NOON + timedelta(days=1)}

    assert home.get_absolute_url() == "/"
    assert metro_front.get_absolute_url() == "/section/metro/"
    assert own.get_absolute_url() == ELECTIONS
    assert front(slug="home-night", replaces=home, **later).get_absolute_url() == "/"
    assert front(slug="vote-night", replaces=own, **later).get_absolute_url() == ELECTIONS


def test_the_desks_view_on_site_opens_the_fronts_page(admin_client):
    own = elections({"max_stories": 1})
    content_type = ContentType.objects.get_for_model(Front)

    response = admin_client.get(f"/{django_settings.ADMIN_PATH}r/{content_type.pk}/{own.pk}/")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith(ELECTIONS)


# Caching and purges: as the home page


def test_the_page_is_tagged_with_its_front_its_layout_its_stories_and_the_list_of_all(
    client, section
):
    shown = story(30)
    own = elections({"max_stories": 1, "pins": [shown]})
    layout = front(
        {"max_stories": 1, "pins": [shown]}, slug="vote-night", replaces=own, starts_at=NOON
    )

    keys = set(client.get(ELECTIONS)["Surrogate-Key"].split())

    assert keys == {
        "site",
        "list:all",
        f"front:{own.pk}",
        f"front:{layout.pk}",
        f"article:{shown.pk}",
    }


def test_a_change_to_the_layout_shows_on_the_next_request_through_the_page_cache(
    client, section, commits, settings
):
    settings.CDN_PURGE_URL = "http://127.0.0.1:9/purge"  # queued, never sent here
    story(1, headline="First story")
    second = story(2, headline="Second story")
    with commits():
        own = elections({"title": "Top", "style": "list", "max_stories": 1})
    assert "First story" in client.get(ELECTIONS).content.decode()
    assert "Age" in client.get(ELECTIONS)  # from the page cache
    tagged = set(client.get(ELECTIONS)["Surrogate-Key"].split())
    PendingPurge.objects.all().delete()

    with commits():
        Slot.objects.create(collection=own.collections.get(), article=second)

    purged = {key for row in PendingPurge.objects.all() for key in row.keys.split()}
    assert f"front:{own.pk}" in purged & tagged  # the CDN's copy too
    page = client.get(ELECTIONS).content.decode()
    assert "Second story" in page and "First story" not in page


def test_a_cached_page_ends_when_a_scheduled_layout_starts(client, section, commits):
    story(1)
    with commits():
        own = elections({"title": "Before the vote", "max_stories": 1})
        front(
            {"title": "Results night", "max_stories": 1},
            slug="results-night",
            replaces=own,
            starts_at=NOON + timedelta(minutes=1),
        )
    assert "Before the vote" in client.get(ELECTIONS).content.decode()
    cached = client.get(ELECTIONS)
    assert "Age" in cached and "s-maxage=60," in cached["Cache-Control"]

    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        assert "Results night" in client.get(ELECTIONS).content.decode()


# Cost and markup


def small_front() -> Front:
    stories = [story(minutes, authors=[AuthorFactory()], tags=["Budget"]) for minutes in (1, 2)]
    return elections({"max_stories": 2, "pins": stories[1:]})


def big_front() -> Front:
    """Eight collections, forty stories shown, half of them pinned, each with authors."""
    authors = [AuthorFactory() for _ in range(3)]
    stories = [story(minutes, authors=authors) for minutes in range(1, 61)]
    return elections(
        *(
            {"max_stories": 5, "pins": stories[index * 5 : index * 5 + 5]}
            if index % 2
            else {"max_stories": 5}
            for index in range(8)
        )
    )


def scheduled_front() -> Front:
    own = small_front()
    return front({"max_stories": 4}, slug="vote-night", replaces=own, starts_at=NOON)


@pytest.mark.parametrize("make", [small_front, big_front, scheduled_front])
@pytest.mark.parametrize("url", ["/", ELECTIONS])
def test_a_front_page_takes_as_many_queries_for_forty_stories_as_for_two(
    client, section, settings, django_assert_max_num_queries, make, url
):
    settings.PAGE_CACHE_ENABLED = False  # rendered each time, not answered from the cache
    layout = make()
    if url == "/":  # the same layout, as the home page's
        front_pk = layout.replaces_id or layout.pk
        Front.objects.filter(pk=front_pk).update(slug="home")
    # The layout; the collections, pins, which pins are live, backfill ids and the rows
    # (fronts.resolve); the sections (navigation), the bylines with their authors.
    with django_assert_max_num_queries(8):
        page = page_of(client, url)
    assert page.select("section", "front-collection")


def test_a_front_page_and_its_empty_state_are_valid_html(client, section, tmp_path):
    require(VNU_MISSING is None, f"HTML validation skipped: {VNU_MISSING}")
    story(1, headline="Polls close at nine", authors=[AuthorFactory()])
    elections(
        {"title": "Results", "style": "lead", "max_stories": 2},
        {"title": "Rail", "style": "rail", "max_stories": 2},
    )
    front({"title": "Opinion", "backfill_kind": "opinion"}, slug="quiet", name="Quiet")
    pages = {"front": ELECTIONS, "empty": "/front/quiet/"}
    errors = html_errors(
        {name: client.get(url).content.decode() for name, url in pages.items()}, tmp_path
    )
    assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(errors)
