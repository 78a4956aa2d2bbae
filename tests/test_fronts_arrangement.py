"""A front on one screen: its change page shows each collection with its pins in order; one
save moves collections and pins (between collections too), adds and removes them, as one
revision; the preview renders the page readers would get from the unsaved arrangement,
backfill included, and writes nothing. (Dragging and the keyboard: test_fronts_browser.py.)"""

from http import HTTPStatus

import pytest
from django.urls import reverse

from fronts.models import Collection, FrontRevision, Slot
from tests.factories import front_pins_form
from tests.test_fronts_admin import (  # noqa: F401 (clock: the frozen clock fixture)
    change_url,
    clock,
    front_form,
    in_order,
    made_front,
    story,
)

pytestmark = pytest.mark.django_db


def preview_url(front) -> str:
    return reverse("admin:fronts_front_preview", args=[front.pk])


@pytest.fixture
def home():
    """Home: "Top stories" pins Alpha then Bravo; "Opinion" pins Charlie; Delta is live."""
    front = made_front("Top stories", "Opinion")
    top, opinion = front.collections.order_by("position")
    stories = {
        name: story(minutes_ago=minutes, headline=f"{name} story")
        for name, minutes in [("Alpha", 50), ("Bravo", 40), ("Charlie", 30), ("Delta", 10)]
    }
    pins = {
        "Alpha": Slot.objects.create(collection=top, article=stories["Alpha"], position=0),
        "Bravo": Slot.objects.create(collection=top, article=stories["Bravo"], position=1),
        "Charlie": Slot.objects.create(collection=opinion, article=stories["Charlie"], position=0),
    }
    return {"front": front, "top": top, "opinion": opinion, "stories": stories, "pins": pins}


def posted(home, collections=None, pins=None, added=()) -> dict:
    """The front's page as posted, with `collections` ({title: fields}) and `pins`
    ({name: fields}) changed and `added` pins."""
    front = home["front"]
    data = front_form(front)
    for index, collection in enumerate(front.collections.order_by("position", "pk")):
        for key, value in (collections or {}).get(collection.title, {}).items():
            data[f"collections-{index}-{key}"] = value
    edits = {home["pins"][name].pk: fields for name, fields in (pins or {}).items()}
    return {**data, **front_pins_form(front, added=added, edits=edits)}


def arrangement(front) -> list[tuple[str, list[str]]]:
    collections = front.collections.order_by("position", "pk").prefetch_related("slots__article")
    return [
        (c.title, [s.article.headline for s in sorted(c.slots.all(), key=lambda s: s.position)])
        for c in collections
    ]


def test_the_front_page_shows_each_collection_with_its_pins_in_order(admin_client, home):
    html = admin_client.get(change_url(home["front"])).content.decode()
    start = html.index('class="arrange-collections"')
    layout = html[start : html.index("<template", start)]
    assert in_order(
        layout,
        'value="Top stories"',
        "selected>Alpha story<",
        "selected>Bravo story<",
        'value="Opinion"',
        "selected>Charlie story<",
    )
    assert f'data-pins="{home["opinion"].pk}"' in layout
    assert 'formtarget="front-preview"' in html  # the preview works without the script too


def test_one_save_reorders_collections_and_moves_a_pin_into_another(admin_client, home):
    data = posted(
        home,
        collections={"Top stories": {"position": 1}, "Opinion": {"position": 0}},
        pins={
            "Bravo": {"collection": home["opinion"].pk, "position": 0},
            "Charlie": {"position": 1},
        },
    )
    response = admin_client.post(change_url(home["front"]), data)

    assert response.status_code == HTTPStatus.FOUND, response.context and response.context["errors"]
    assert arrangement(home["front"]) == [
        ("Opinion", ["Bravo story", "Charlie story"]),
        ("Top stories", ["Alpha story"]),
    ]
    assert FrontRevision.objects.filter(front=home["front"]).count() == 2  # the first, and this
    summary = FrontRevision.objects.filter(front=home["front"]).latest().summary
    assert "Bravo story" in summary and "Opinion" in summary


def test_a_pin_added_on_the_front_page_goes_last_in_its_collection(admin_client, home):
    added = [{"collection": home["top"].pk, "article": home["stories"]["Delta"].pk}]
    response = admin_client.post(change_url(home["front"]), posted(home, added=added))

    assert response.status_code == HTTPStatus.FOUND
    assert arrangement(home["front"])[0] == (
        "Top stories",
        ["Alpha story", "Bravo story", "Delta story"],
    )


def test_a_new_row_numbered_by_the_page_but_left_empty_adds_nothing(admin_client, home):
    # The script numbers every row it shows; an empty pin or collection is not a change.
    data = posted(home, added=[{"collection": home["top"].pk, "article": "", "position": 2}])
    data["collections-TOTAL_FORMS"] = "3"
    blank = {"title": "", "position": "2", "style": "grid", "max_stories": "6"}
    data.update({f"collections-2-{key}": value for key, value in blank.items()})
    response = admin_client.post(change_url(home["front"]), data)

    assert response.status_code == HTTPStatus.FOUND
    assert Collection.objects.count() == 2 and Slot.objects.count() == 3


def test_deleting_a_collection_takes_its_pins_even_if_they_were_moved_in_the_same_save(
    admin_client, home
):
    data = posted(
        home,
        collections={"Opinion": {"DELETE": "on"}},
        pins={"Charlie": {"position": 5}, "Bravo": {"collection": home["opinion"].pk}},
    )
    response = admin_client.post(change_url(home["front"]), data)

    assert response.status_code == HTTPStatus.FOUND
    assert arrangement(home["front"]) == [("Top stories", ["Alpha story"])]
    gone = Slot.objects.filter(article__headline__in=["Bravo story", "Charlie story"])
    assert not gone.exists()


def test_a_story_twice_in_one_collection_is_refused_and_nothing_changes(admin_client, home):
    data = posted(
        home,
        collections={"Top stories": {"title": "Top"}},
        pins={"Charlie": {"collection": home["top"].pk, "article": home["stories"]["Alpha"].pk}},
    )
    response = admin_client.post(change_url(home["front"]), data)

    assert response.status_code == HTTPStatus.OK
    assert "Slot with this Collection and Story already exists" in response.content.decode()
    assert arrangement(home["front"]) == [
        ("Top stories", ["Alpha story", "Bravo story"]),
        ("Opinion", ["Charlie story"]),
    ]


def test_a_draft_cannot_be_pinned_from_the_front_page(admin_client, home):
    from tests.factories import ArticleFactory

    draft = ArticleFactory(headline="Unfinished")
    added = [{"collection": home["top"].pk, "article": draft.pk}]
    response = admin_client.post(change_url(home["front"]), posted(home, added=added))

    assert response.status_code == HTTPStatus.OK
    assert "only live or scheduled stories can be pinned" in response.content.decode()
    assert Slot.objects.count() == 3


def test_the_preview_shows_the_unsaved_arrangement_with_its_backfill(admin_client, home):
    data = posted(
        home,
        collections={"Top stories": {"position": 1}, "Opinion": {"position": 0}},
        pins={"Alpha": {"headline": "Alpha, as the front tells it"}},
    )
    response = admin_client.post(preview_url(home["front"]), data)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert 'class="preview-banner"' in html and "not saved yet" in html
    # Opinion first now: Charlie pinned, then the newest story no pin takes (Delta).
    shown = ["Opinion", "Charlie story", "Delta story", "Top stories", "Alpha, as the front"]
    assert in_order(html, *shown, "Bravo story")
    assert "site.css" in html  # the readers' page, in its own stylesheet


def test_the_preview_writes_nothing(admin_client, home, django_capture_on_commit_callbacks):
    before = arrangement(home["front"])
    data = posted(
        home, pins={"Bravo": {"DELETE": "on"}}, collections={"Opinion": {"title": "Views"}}
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(preview_url(home["front"]), data)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Views" in html
    assert in_order(html, "Alpha story", "Delta story", "Bravo story")  # Bravo: backfill now
    assert arrangement(home["front"]) == before
    assert not FrontRevision.objects.exists()
    assert callbacks == []  # no purge: nothing was committed
    home["front"].refresh_from_db()
    assert home["front"].layout_version == 0


def test_the_preview_is_framed_by_the_desk_only_and_kept_by_no_one(admin_client, home):
    response = admin_client.post(preview_url(home["front"]), posted(home))

    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"]  # readers' policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # The desk's own pages stay unframeable.
    page = admin_client.get(change_url(home["front"]))
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_an_arrangement_that_cannot_be_saved_cannot_be_previewed_and_says_why(admin_client, home):
    data = posted(home, collections={"Opinion": {"max_stories": "0"}})
    response = admin_client.post(preview_url(home["front"]), data)

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    html = response.content.decode()
    assert "cannot be shown yet" in html
    assert "greater than or equal to 1" in html
    assert html.count("<h1") == 1


def test_the_preview_answers_posts_only(admin_client, home):
    assert admin_client.get(preview_url(home["front"])).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    missing = reverse("admin:fronts_front_preview", args=[home["front"].pk + 100])
    assert admin_client.post(missing, posted(home)).status_code == HTTPStatus.NOT_FOUND


def test_a_reporter_gets_the_front_without_the_arrangement_to_edit(client, reporter, home):
    client.force_login(reporter)
    html = client.get(change_url(home["front"])).content.decode()
    assert "arrange-collections" not in html and "front-preview" not in html
    assert "Alpha story" in html  # "Now showing" still says what readers get


def test_a_pins_front_picture_is_saved_and_its_revision_says_so(admin_client, home):
    data = posted(home, pins={"Bravo": {"crop": "1x1"}})
    response = admin_client.post(change_url(home["front"]), data)

    assert response.status_code == HTTPStatus.FOUND
    home["pins"]["Bravo"].refresh_from_db()
    assert home["pins"]["Bravo"].crop == "1x1"
    summary = FrontRevision.objects.filter(front=home["front"]).latest().summary
    assert "front picture — → square" in summary


def test_an_empty_front_offers_its_first_collection_and_saves_it(admin_client):
    front = made_front(slug="elections-2026")
    html = admin_client.get(change_url(front)).content.decode()
    assert "Save the front, then pin stories in this new collection." in html

    data = front_form(front, collections=[{"title": "Results", "style": "grid"}])
    response = admin_client.post(change_url(front), data)

    assert response.status_code == HTTPStatus.FOUND
    assert arrangement(front) == [("Results", [])]


def test_a_front_at_its_own_address_is_previewed_under_its_name(admin_client):
    front = made_front("Results", slug="elections-2026")
    story(headline="Polls close")

    html = admin_client.post(preview_url(front), front_form(front)).content.decode()

    assert "<h1>Elections-2026</h1>" in html and html.count("<h1") == 1
    assert "Polls close" in html
