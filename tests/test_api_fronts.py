"""A front through the API at /api/v1/fronts/<slug>/: the arrangement readers see, in order,
as apps and newsletters need it; the scheduled layout in its window; cacheable; documented."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import jsonschema
import pytest
import time_machine

from articles.editorial import publishing
from articles.models import Article
from fronts.models import Collection, Front, Slot
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 3, 17, 0, tzinfo=UTC)
FRONT_ONLY = {"front_headline", "front_dek", "pinned", "front_crop"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON, tick=False):
        yield


def story(minutes_ago: int, **fields) -> Article:
    """A live story published `minutes_ago` minutes before noon."""
    return ArticleFactory(
        status=Article.Status.PUBLISHED, publish_at=NOON - timedelta(minutes=minutes_ago), **fields
    )


def front(*collections: dict, slug="home", **fields) -> Front:
    if "section" in fields:  # a section's front is made with the section
        made = Front.objects.get(section=fields.pop("section"))
        Front.objects.filter(pk=made.pk).update(slug=slug, **fields)
        made.refresh_from_db()
    else:
        made = Front.objects.create(name=fields.pop("name", slug.title()), slug=slug, **fields)
    for position, options in enumerate(collections):
        pins = options.pop("pins", [])
        options.setdefault("title", f"Collection {position}")
        collection = Collection.objects.create(front=made, position=position, **options)
        for place, pin in enumerate(pins):
            article, texts = pin if isinstance(pin, tuple) else (pin, {})
            Slot.objects.create(collection=collection, article=article, position=place, **texts)
    return made


def get_front(client, slug="home", status=HTTPStatus.OK, **headers):
    response = client.get(f"/api/v1/fronts/{slug}/", headers=headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def uuids(body) -> list[list[str]]:
    return [[item["uuid"] for item in collection["stories"]] for collection in body["collections"]]


# What it answers


def test_a_front_lists_its_collections_and_their_stories_in_order(client, section):
    lead, second, third = story(30), story(20), story(10)
    front(
        {"title": "Top", "style": "lead", "max_stories": 2, "pins": [lead]},
        {"title": "Latest", "style": "list", "max_stories": 5},
    )

    body = get_front(client)

    assert {key: body[key] for key in ("name", "slug", "section", "layout")} == {
        "name": "Home",
        "slug": "home",
        "section": None,
        "layout": None,
    }
    assert [(c["title"], c["style"], c["position"]) for c in body["collections"]] == [
        ("Top", "lead", 0),
        ("Latest", "list", 1),
    ]
    assert uuids(body) == [[str(lead.uuid), str(third.uuid)], [str(second.uuid)]]


def test_each_story_has_the_articles_lists_summary_and_the_fronts_texts(client, section, author):
    article = story(5, authors=[author], tags=["Budget"])
    front({"max_stories": 1})

    [item] = get_front(client)["collections"][0]["stories"]
    [listed] = client.get("/api/v1/articles/").json()["items"]

    assert set(item) == set(listed) | FRONT_ONLY
    assert {key: item[key] for key in listed} == listed
    assert item["authors"][0]["slug"] == "ana-reyes" and item["tags"][0]["slug"] == "budget"
    assert (item["front_headline"], item["front_dek"], item["pinned"]) == (
        article.headline,
        article.dek,
        False,
    )


def test_pins_come_first_with_the_texts_editors_gave_them_for_the_front(client, section):
    retitled = story(40, headline="Council passes the budget", dek="After weeks of talks.")
    redekked = story(50, headline="Ferry fares rise", dek="From January.")
    newest = story(1)
    front(
        {
            "max_stories": 3,
            "pins": [
                (retitled, {"headline": "Budget: yes"}),
                (redekked, {"dek": "Again.", "crop": "1x1"}),
            ],
        }
    )

    stories = get_front(client)["collections"][0]["stories"]

    assert [item["uuid"] for item in stories] == [
        str(retitled.uuid),
        str(redekked.uuid),
        str(newest.uuid),
    ]
    assert [item["pinned"] for item in stories] == [True, True, False]
    shown = [(item["front_headline"], item["front_dek"]) for item in stories[:2]]
    assert shown == [("Budget: yes", "After weeks of talks."), ("Ferry fares rise", "Again.")]
    assert [item["front_crop"] for item in stories] == ["", "1x1", ""]
    # The story's own texts stay the story's.
    assert (stories[0]["headline"], stories[0]["dek"]) == (
        "Council passes the budget",
        "After weeks of talks.",
    )


def test_a_section_front_names_its_section(client, section):
    story(1)
    front({"max_stories": 1, "backfill_section": section}, slug="new-york", section=section)

    body = get_front(client, "new-york")

    assert body["section"] == "new-york"
    assert len(body["collections"][0]["stories"]) == 1


def test_a_scheduled_layout_shows_at_its_fronts_slug_in_its_window_only(client, section):
    usual, special = story(10), story(20)
    home = front({"title": "Top", "max_stories": 1})
    front(
        {"title": "Results", "max_stories": 1, "pins": [special]},
        slug="election-night",
        name="Election night",
        replaces=home,
        starts_at=NOON + timedelta(hours=1),
        ends_at=NOON + timedelta(hours=5),
    )

    before = get_front(client)
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        during = get_front(client)
    with time_machine.travel(NOON + timedelta(hours=5), tick=False):
        after = get_front(client)

    assert before["layout"] is None and after["layout"] is None
    assert uuids(before) == uuids(after) == [[str(usual.uuid)]]
    assert (during["name"], during["slug"]) == ("Home", "home")
    assert during["layout"] == {
        "name": "Election night",
        "slug": "election-night",
        "starts_at": "2026-11-03T18:00:00Z",
        "ends_at": "2026-11-03T22:00:00Z",
    }
    assert [c["title"] for c in during["collections"]] == ["Results"]
    assert uuids(during) == [[str(special.uuid)]]


def test_a_withdrawn_pinned_story_leaves_the_front_and_its_slot_is_filled(client, section, commits):
    pinned, newest = story(60), story(1)
    draft = ArticleFactory()
    front({"max_stories": 2, "pins": [pinned, draft]})
    assert uuids(get_front(client)) == [[str(pinned.uuid), str(newest.uuid)]]

    with commits():
        publishing.unpublish(pinned)

    assert uuids(get_front(client)) == [[str(newest.uuid)]]


# What it refuses


@pytest.mark.parametrize("slug", ["nowhere", "election-night"])
def test_an_unknown_front_or_a_scheduled_layouts_own_slug_is_a_json_404(client, section, slug):
    home = front({"max_stories": 1})
    front(
        {"max_stories": 1},
        slug="election-night",
        replaces=home,
        starts_at=NOON - timedelta(hours=1),
    )

    assert get_front(client, slug, HTTPStatus.NOT_FOUND) == {"detail": "No such front."}


@pytest.mark.parametrize("slug", ["not%20a%20slug", "%00%27;--", "h" * 101])
def test_a_malformed_slug_is_a_json_client_error(client, db, slug):
    front({"max_stories": 1}, slug="h" * 100)

    get_front(client, slug, HTTPStatus.UNPROCESSABLE_ENTITY)


# Caching


def test_the_front_is_tagged_with_its_layouts_its_stories_and_the_list_of_all(client, section):
    shown, backfilled = story(30), story(1)
    home = front({"max_stories": 2, "pins": [shown]})
    election = front(
        {"max_stories": 2, "pins": [shown]},
        slug="election-night",
        replaces=home,
        starts_at=NOON - timedelta(hours=1),
    )
    hidden = story(5, section=SectionFactory(slug="elsewhere"))  # pushed off by `backfilled`

    keys = set(client.get("/api/v1/fronts/home/")["Surrogate-Key"].split())

    assert keys == {
        "site",
        "list:all",
        f"front:{home.pk}",
        f"front:{election.pk}",
        f"article:{shown.pk}",
        f"article:{backfilled.pk}",
    }
    assert f"article:{hidden.pk}" not in keys


@pytest.mark.parametrize("page_cache", [True, False], ids=["stored", "rendered"])
def test_the_front_answers_conditional_requests_until_a_story_on_it_changes(
    client, section, commits, settings, page_cache
):
    settings.PAGE_CACHE_ENABLED = page_cache  # off: the view's own ETag answers
    pinned = story(30)
    front({"max_stories": 1, "pins": [pinned]})
    first = client.get("/api/v1/fronts/home/")
    assert first["ETag"]

    again = client.get("/api/v1/fronts/home/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == HTTPStatus.NOT_MODIFIED and again.content == b""

    pinned.headline = "Council passes the budget, 30 to 21"
    with commits():
        publishing.save(pinned)
    changed = client.get("/api/v1/fronts/home/", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == HTTPStatus.OK and changed["ETag"] != first["ETag"]
    assert changed.json()["collections"][0]["stories"][0]["front_headline"] == pinned.headline


# The OpenAPI document


def test_the_openapi_document_describes_the_front_and_the_body_holds_to_it(client, section):
    story(1, authors=[AuthorFactory()], tags=["Budget"])
    front({"max_stories": 1, "pins": [story(2)]}, {"max_stories": 3})
    document = client.get("/api/v1/openapi.json").json()

    operation = document["paths"]["/api/v1/fronts/{slug}/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["slug"]
    assert {"200", "404"} <= set(operation["responses"])
    schemas = document["components"]["schemas"]
    story_fields = set(schemas["FrontStory"]["properties"])
    assert story_fields == set(schemas["ArticleSummary"]["properties"]) | FRONT_ONLY
    assert schemas["CollectionOut"]["properties"]["style"]["enum"] == [
        "lead",
        "grid",
        "list",
        "rail",
    ]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    body = get_front(client)
    jsonschema.Draft202012Validator({**schema, "components": document["components"]}).validate(body)


# Query counts: constant in the number of collections, slots and stories


def big_front() -> Front:
    """Eight collections, forty stories shown, half of them pinned, each with tags and
    authors."""
    authors = [AuthorFactory() for _ in range(3)]
    stories = [
        story(minutes, authors=authors, tags=["Budget", "Ferries"]) for minutes in range(1, 61)
    ]
    return front(
        *(
            {"max_stories": 5, "pins": stories[index * 5 : index * 5 + 5]}
            if index % 2
            else {"max_stories": 5}
            for index in range(8)
        )
    )


def small_front() -> Front:
    """One collection: one pin and one story filled in."""
    stories = [story(minutes, authors=[AuthorFactory()], tags=["Budget"]) for minutes in (1, 2)]
    return front({"max_stories": 2, "pins": stories[1:]})


def scheduled_front() -> Front:
    """A scheduled layout showing instead of a section's front."""
    metro = SectionFactory(slug="metro")
    metro_front = front({"max_stories": 1}, slug="metro", section=metro)
    stories = [story(minutes, authors=[AuthorFactory()], tags=["Budget"]) for minutes in (1, 2)]
    return front(
        {"max_stories": 2, "pins": stories[1:]},
        slug="metro-election",
        replaces=metro_front,
        starts_at=NOON - timedelta(hours=1),
    )


@pytest.mark.parametrize(
    ("make", "shown"),
    [(small_front, 2), (big_front, 40), (scheduled_front, 2)],
    ids=["small", "big", "scheduled"],
)
def test_a_front_runs_as_many_queries_for_forty_stories_as_for_two(
    client, section, make, shown, django_assert_max_num_queries
):
    made = make()
    slug = made.replaces.slug if made.replaces_id else made.slug
    # The layout; the collections, pins, which pins are live, backfill ids and the rows
    # (fronts.resolve); the stories' sections, bylines with their authors, and tags.
    with django_assert_max_num_queries(9):
        body = get_front(client, slug)
    assert sum(len(collection["stories"]) for collection in body["collections"]) == shown
    assert all(
        item["authors"] and item["tags"] for c in body["collections"] for item in c["stories"]
    )
