"""What a front shows: pins first, then backfill, each story once per front, only live
stories, pins until their expiry, scheduled layouts in their window; for a constant number
of queries."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.editorial import publishing
from articles.models import Article
from fronts.models import Collection, Front, Slot
from fronts.resolve import resolve
from tests.factories import ArticleFactory, SectionFactory
from tests.markup import read_tree

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 3, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON, tick=False):
        yield


def story(minutes_ago: int, **fields) -> Article:
    """A live story published `minutes_ago` minutes before noon."""
    return ArticleFactory(
        status=Article.Status.PUBLISHED, publish_at=NOON - timedelta(minutes=minutes_ago), **fields
    )


def front(*collections: dict, slug="home") -> Front:
    made = Front.objects.create(name=slug.title(), slug=slug)
    for position, fields in enumerate(collections):
        pins = fields.pop("pins", [])
        fields.setdefault("title", f"Collection {position}")
        collection = Collection.objects.create(front=made, position=position, **fields)
        for place, pin in enumerate(pins):
            article, options = pin if isinstance(pin, tuple) else (pin, {})
            Slot.objects.create(collection=collection, article=article, position=place, **options)
    return made


def headlines(shown) -> list[list[str]]:
    return [[item.article.headline for item in collection.items] for collection in shown]


def test_pins_come_first_in_their_order_then_the_newest_stories():
    old, older, new, newer = story(40), story(50), story(10), story(5)

    shown = resolve(front({"max_stories": 4, "pins": [older, old]}))

    assert [item.article for item in shown[0].items] == [older, old, newer, new]
    assert [item.pinned for item in shown[0].items] == [True, True, False, False]


def test_a_story_is_on_a_front_once_pins_winning_over_backfill_and_higher_over_lower():
    a, b, c, d, e, f = (story(minutes) for minutes in (1, 2, 3, 4, 5, 6))

    shown = resolve(
        front(
            {"max_stories": 2},  # the newest, but not a or b: an editor pinned them lower down
            {"max_stories": 2, "pins": [b]},  # b, then the newest not shown above
            {"max_stories": 2, "pins": [a, b]},  # a; b is pinned higher up already
            {"max_stories": 1},
        )
    )

    assert [collection.articles for collection in shown] == [[c, d], [b, e], [a, f], []]


def test_backfill_follows_the_collections_filters_alone_and_together():
    metro, sports = SectionFactory(slug="metro", name="Metro"), SectionFactory(slug="sports")
    metro_news = story(1, section=metro)
    metro_opinion = story(2, section=metro, kind=Article.Kind.OPINION)
    sports_opinion = story(3, section=sports, kind=Article.Kind.OPINION)
    tagged = story(4, section=sports)
    tagged.tags.add("Elections 2026")

    shown = resolve(
        front(
            {"max_stories": 5, "backfill_section": metro},
            {"max_stories": 5, "backfill_kind": "opinion"},
            {"max_stories": 5, "backfill_tag": "elections-2026"},
            {"max_stories": 5, "backfill_section": sports, "backfill_kind": "opinion"},
        )
    )

    assert [collection.articles for collection in shown] == [
        [metro_news, metro_opinion],
        [sports_opinion],
        [tagged],
        [],
    ]


def test_a_collection_without_backfill_shows_its_pins_alone():
    pinned = story(30)
    story(1)

    shown = resolve(front({"max_stories": 5, "backfill": False, "pins": [pinned]}))

    assert shown[0].articles == [pinned]


def test_a_pin_counts_until_the_second_it_expires():
    pinned, newer = story(60), story(1)
    layout = front(
        {"max_stories": 1, "pins": [(pinned, {"expires_at": NOON + timedelta(hours=1)})]}
    )

    with time_machine.travel(NOON + timedelta(hours=1) - timedelta(microseconds=1), tick=False):
        assert resolve(layout)[0].articles == [pinned]
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        assert resolve(layout)[0].articles == [newer]


def test_a_withdrawn_or_trashed_pinned_story_leaves_and_its_slot_is_backfilled():
    pinned, next_newest = story(60), story(1)
    layout = front({"max_stories": 1, "pins": [pinned]})

    publishing.unpublish(pinned)

    assert resolve(layout)[0].articles == [next_newest]


def test_a_pinned_scheduled_story_appears_at_its_publish_time_not_before():
    scheduled = ArticleFactory(
        status=Article.Status.PUBLISHED, publish_at=NOON + timedelta(hours=2)
    )
    other = story(1)
    layout = front({"max_stories": 1, "pins": [scheduled]})

    assert resolve(layout)[0].articles == [other]
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        assert resolve(layout)[0].articles == [scheduled]


def test_a_front_only_headline_and_dek_leave_the_storys_own_untouched():
    pinned = story(1, headline="Council passes the budget", dek="After weeks.")
    layout = front(
        {"max_stories": 1, "pins": [(pinned, {"headline": "Budget: yes", "dek": "Short."})]}
    )

    item = resolve(layout)[0].items[0]

    assert (item.headline, item.dek) == ("Budget: yes", "Short.")
    pinned.refresh_from_db()
    assert (pinned.headline, pinned.dek) == ("Council passes the budget", "After weeks.")


def test_a_scheduled_layout_takes_over_in_its_window_and_the_front_returns_after():
    home = front({"max_stories": 1})
    election = Front.objects.create(
        name="Election night",
        slug="election-night",
        replaces=home,
        starts_at=NOON + timedelta(hours=1),
        ends_at=NOON + timedelta(hours=5),
    )

    assert Front.objects.layout_for("home") == home
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        assert Front.objects.layout_for("home") == election
    with time_machine.travel(NOON + timedelta(hours=5), tick=False):
        assert Front.objects.layout_for("home") == home
    assert Front.objects.next_change() == NOON + timedelta(hours=1)
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        election.delete()
        assert Front.objects.layout_for("home") == home


def test_the_queries_are_as_many_for_forty_slots_as_for_two():
    stories = [story(minutes) for minutes in range(1, 61)]
    small = front({"max_stories": 2, "pins": stories[:1]}, {"max_stories": 2}, slug="small")
    big = front(
        *(
            {"max_stories": 5, "pins": stories[index * 5 : index * 5 + 5]}
            if index % 2
            else {"max_stories": 5}
            for index in range(8)
        ),
        slug="big",
    )

    with CaptureQueriesContext(connection) as few:
        resolve(small)
    with CaptureQueriesContext(connection) as many:
        shown = resolve(big)

    assert sum(len(collection.items) for collection in shown) == 40
    # The collections, the pins, which pins are live, the backfill ids, the rows shown.
    assert len(many) == len(few) <= 5


def test_editors_arrange_fronts_and_reporters_only_see_them():
    editor = Group.objects.get(name="Editor").permissions.values_list("codename", flat=True)
    reporter = Group.objects.get(name="Reporter").permissions.values_list("codename", flat=True)

    assert {"change_front", "add_slot", "change_collection"} <= set(editor)
    assert "change_front" not in reporter and "view_front" in reporter


def test_each_apps_role_permissions_survive_the_others_migrations():
    # articles' sync_roles sets its own apps' permissions exactly; it once also took away
    # what the picture library's migration had granted, when it happened to run later.
    editor = Group.objects.get(name="Editor")
    reporter = Group.objects.get(name="Reporter")
    granted = {
        (group.name, f"{app}.{codename}")
        for group in (editor, reporter)
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }

    assert {
        ("Editor", "images.change_image"),
        ("Editor", "fronts.change_front"),
        ("Editor", "articles.publish_article"),
        ("Editor", "taggit.change_tag"),
        ("Reporter", "images.add_image"),
        ("Reporter", "articles.add_article"),
    } <= granted


def test_the_home_page_shows_the_arranged_front_with_its_own_words(client):
    pinned = story(30, headline="Council passes the budget")
    newest = story(1, headline="Storm closes schools")
    front(
        {
            "title": "Top stories",
            "style": "lead",
            "max_stories": 1,
            "pins": [(pinned, {"headline": "Budget: yes"})],
        },
        {"title": "More news", "style": "grid", "max_stories": 4},
        {"title": "Opinion", "style": "rail", "max_stories": 4, "backfill_kind": "opinion"},
    )

    page = read_tree(client.get("/").content.decode())

    sections = page.select("section", "front-collection")
    assert [s.select_one("h2").text() for s in sections] == ["Top stories", "More news"]
    assert sections[0].select_one("h3").text() == "Budget: yes"
    assert [h.text() for h in sections[1].select("h3")] == [newest.headline]
    assert all(s["aria-labelledby"] == s.select_one("h2")["id"] for s in sections)


def test_a_front_with_nothing_to_show_leaves_the_home_page_as_it_was(client):
    story(1, headline="Storm closes schools")
    front({"title": "Opinion", "max_stories": 4, "backfill_kind": "opinion"})

    page = client.get("/").content.decode()

    assert "Storm closes schools" in page
    assert "front-collection" not in page


def test_a_change_to_the_layout_shows_on_the_next_request_through_the_page_cache(
    client, settings, commits
):
    settings.PAGE_CACHE = True
    story(1, headline="First story")
    second = story(2, headline="Second story")
    with commits():
        layout = front({"title": "Top", "style": "list", "max_stories": 1})
    assert "First story" in client.get("/").content.decode()
    assert "Age" in client.get("/")  # from the page cache

    with commits():
        Slot.objects.create(collection=layout.collections.get(), article=second)

    page = client.get("/").content.decode()
    assert "Second story" in page and "First story" not in page


def test_a_section_page_starts_with_its_arranged_front_and_lists_the_rest(client):
    metro = SectionFactory(slug="metro", name="Metro")
    pinned = story(30, section=metro, headline="Subway fares rise")
    newest = story(1, section=metro, headline="Bridge reopens")
    older = story(50, section=metro, headline="Park gets new trees")
    elsewhere = story(2, headline="Elsewhere")
    section_front = Front.objects.get(section=metro)  # made with the section
    top = Collection.objects.create(front=section_front, title="Top in Metro", max_stories=2)
    Slot.objects.create(collection=top, article=pinned)

    page = read_tree(client.get("/section/metro/").content.decode())

    collection = page.select_one("section", "front-collection")
    assert [h.text() for h in collection.select("h3")] == [pinned.headline, newest.headline]
    listed = [h.text() for h in page.select_one("ol", "story-list").select("h3")]
    assert listed == [older.headline]  # what the front shows is not listed again
    assert elsewhere.headline not in page.text()
    assert page.select("h1")[0].text() == "Metro"


def test_each_new_section_gets_its_front_at_its_slug_or_beside_a_taken_one():
    Front.objects.create(name="Home", slug="home")

    metro = SectionFactory(slug="metro", name="Metro")
    home = SectionFactory(slug="home", name="Home and garden")

    assert Front.objects.get(section=metro).slug == "metro"
    assert Front.objects.get(section=home).slug == "home-section"
    assert not Front.objects.get(section=metro).collections.exists()  # empty until arranged


@pytest.mark.usefixtures("media")
def test_a_front_only_crop_changes_the_picture_on_the_front_alone(client):
    from tests import pictures

    photo = pictures.library_image(pictures.jpeg_bytes(2400, 1600))
    square = story(10, headline="Square on the front", lead_image=photo)
    hidden = story(20, headline="No picture on the front", lead_image=photo)
    story(30, headline="As the grid shows it", lead_image=photo)
    front(
        {
            "title": "More news",
            "style": "grid",
            "max_stories": 3,
            "pins": [(square, {"crop": "1x1"}), (hidden, {"crop": "none"})],
        }
    )

    page = read_tree(client.get("/").content.decode())

    cards = {c.select_one("h3").text(): c for c in page.select("article", "story-card")}
    square_image = cards["Square on the front"].select_one("img")
    assert "story-card__image--cropped" in square_image["class"]
    assert square_image["width"] == square_image["height"]  # its shape, not the card's
    assert cards["No picture on the front"].select("img") == []
    wide = cards["As the grid shows it"].select_one("img")
    assert "story-card__image--cropped" not in wide["class"]
    assert int(wide["width"]) * 9 == int(wide["height"]) * 16
    # The story's own page keeps its own picture, whole.
    own = read_tree(client.get(square.get_absolute_url()).content.decode())
    lead = own.select_one("figure", "lead-image").select_one("img")
    assert int(lead["width"]) * 2 == int(lead["height"]) * 3
