"""The fronts desk: editors arrange fronts and pin stories, reporters look, anonymous visitors
log in first; the forms refuse what would not work and say why; "Now showing" lists what
readers get, in order, pins marked. Everything goes through the admin's own forms."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from articles.editorial import publishing
from articles.models import Article
from fronts.models import Collection, Front, Slot
from tests.factories import ArticleFactory, SectionFactory, front_pins_form, staff_user
from tests.test_security_headers import assert_admin_policy
from tests.test_security_privileges import ALLOWED, FORBIDDEN, LOGIN, REFUSED, outcome

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 3, 17, 0, tzinfo=UTC)
FRONTS = reverse("admin:fronts_front_changelist")
ADD_FRONT = reverse("admin:fronts_front_add")
COLLECTIONS = reverse("admin:fronts_collection_changelist")
PINNABLE = reverse("admin:fronts_slot_pinnable")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON, tick=False):
        yield


def story(minutes_ago=60, **fields) -> Article:
    publish_at = NOON - timedelta(minutes=minutes_ago)
    return ArticleFactory(status=Article.Status.PUBLISHED, publish_at=publish_at, **fields)


def split(moment) -> tuple[str, str]:
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def management(prefix, rows, initial=0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


COLLECTION = {
    "title": "Top stories",
    "position": "",
    "style": "lead",
    "max_stories": "3",
    "backfill": "on",
    "backfill_section": "",
    "backfill_tag": "",
    "backfill_kind": "",
}


def front_form(front=None, collections=(), starts_at=None, ends_at=None, **fields) -> dict:
    """What the front's change form posts: its fields, its current collections as the
    inline's initial rows, then `collections` (dicts over COLLECTION) as new rows."""
    current = list(front.collections.all()) if front else []
    data = {
        "name": front.name if front else "Home",
        "slug": front.slug if front else "home",
        "section": "",
        "replaces": "",
        "starts_at_0": "",
        "starts_at_1": "",
        "ends_at_0": "",
        "ends_at_1": "",
        **management("collections", [*current, *collections], initial=len(current)),
    }
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment is not None:
            data[f"{name}_0"], data[f"{name}_1"] = split(moment)
    rows = [{**COLLECTION, **row} for row in collections]
    for index, collection in enumerate(current):
        rows.insert(
            index,
            {
                **COLLECTION,
                "id": collection.pk,
                "front": front.pk,
                "title": collection.title,
                "position": collection.position,
            },
        )
    for index, row in enumerate(rows):
        data.update({f"collections-{index}-{key}": value for key, value in row.items()})
    if front is not None:
        data.update(front_pins_form(front))
    return {**data, **fields}


def collection_form(collection, pins=(), **fields) -> dict:
    """What a collection's change form posts, with its current slots and `pins` (stories, or
    (story, slot fields) pairs) as new rows."""
    current = list(collection.slots.all())
    data = {
        "front": collection.front_id,
        **COLLECTION,
        "title": collection.title,
        "position": collection.position,
        "max_stories": collection.max_stories,
        **management("slots", [*current, *pins], initial=len(current)),
    }
    rows = [
        {
            "id": slot.pk,
            "collection": collection.pk,
            "article": slot.article_id,
            "position": slot.position,
        }
        for slot in current
    ]
    for pin in pins:
        article, extra = pin if isinstance(pin, tuple) else (pin, {})
        rows.append({"article": article.pk, "position": "", **extra})
    for index, row in enumerate(rows):
        row = {"expires_at_0": "", "expires_at_1": "", "headline": "", "dek": "", **row}
        data.update({f"slots-{index}-{key}": value for key, value in row.items()})
    return {**data, **fields}


def change_url(obj) -> str:
    return reverse(f"admin:fronts_{obj._meta.model_name}_change", args=[obj.pk])


def made_front(*titles, slug="home") -> Front:
    front = Front.objects.create(name=slug.title(), slug=slug)
    for position, title in enumerate(titles):
        Collection.objects.create(front=front, title=title, position=position, max_stories=3)
    return front


# The policy: Editors arrange fronts, Reporters look (the page without its save buttons, and a
# post refused), anonymous visitors are sent to log in.
ROLES = ["anonymous", "reporter", "editor", "superuser"]
# fmt: off
POLICY = [
    # what                                anonymous reporter   editor   superuser
    ("open the list of fronts",           LOGIN,   ALLOWED,   ALLOWED, ALLOWED),
    ("open a front's page",               LOGIN,   ALLOWED,   ALLOWED, ALLOWED),
    ("add a front with a collection",     LOGIN,   FORBIDDEN, ALLOWED, ALLOWED),
    ("rearrange a front's collections",   LOGIN,   FORBIDDEN, ALLOWED, ALLOWED),
    ("delete a front",                    LOGIN,   FORBIDDEN, ALLOWED, ALLOWED),
    ("bulk: delete fronts",               LOGIN,   REFUSED,   ALLOWED, ALLOWED),
    ("open a collection's page",          LOGIN,   ALLOWED,   ALLOWED, ALLOWED),
    ("pin a story",                       LOGIN,   FORBIDDEN, ALLOWED, ALLOWED),
    ("unpin a story",                     LOGIN,   FORBIDDEN, ALLOWED, ALLOWED),
    ("delete a collection",               LOGIN,   FORBIDDEN, ALLOWED, ALLOWED),
    ("move a pin on the front's page",    LOGIN,   FORBIDDEN, ALLOWED, ALLOWED),
    ("preview an arrangement",            LOGIN,   FORBIDDEN, ALLOWED, ALLOWED),
]
# fmt: on
ATTEMPTS = {}


def attempt(what):
    def register(function):
        ATTEMPTS[what] = function
        return function

    return register


@pytest.mark.parametrize(
    ("what", "role", "expected"),
    [(row[0], role, want) for row in POLICY for role, want in zip(ROLES, row[1:], strict=True)],
    ids=[f"{row[0]} [{role}]" for row in POLICY for role in ROLES],
)
def test_the_fronts_desk_follows_the_policy(client, what, role, expected):
    users = {
        "anonymous": None,
        "reporter": staff_user("rita", "Reporter"),
        "editor": staff_user("ed", "Editor"),
        "superuser": User.objects.create_superuser("boss", password="pw"),
    }
    if users[role] is not None:
        client.force_login(users[role])
    assert ATTEMPTS[what](client) == expected


def test_the_policy_covers_every_attempt_once():
    assert sorted(ATTEMPTS) == sorted(row[0] for row in POLICY)


def opened(client, url, text):
    response = client.get(url)
    html = response.content.decode()
    return outcome(client, response, response.status_code == HTTPStatus.OK and text in html)


@attempt("open the list of fronts")
def open_fronts(client):
    made_front("Top stories")
    return opened(client, FRONTS, "Home")


@attempt("open a front's page")
def open_front(client):
    return opened(client, change_url(made_front("Top stories")), "Top stories")


@attempt("add a front with a collection")
def add_front(client):
    response = client.post(ADD_FRONT, front_form(collections=[{"title": "Top stories"}]))
    return outcome(client, response, Collection.objects.filter(front__slug="home").exists())


@attempt("rearrange a front's collections")
def rearrange(client):
    front = made_front("Top stories", "Opinion")
    data = front_form(front)
    data["collections-0-position"], data["collections-1-position"] = "5", "1"
    response = client.post(change_url(front), data)
    titles = list(front.collections.order_by("position").values_list("title", flat=True))
    return outcome(client, response, titles == ["Opinion", "Top stories"])


@attempt("delete a front")
def delete_front(client):
    front = made_front("Top stories")
    response = client.post(reverse("admin:fronts_front_delete", args=[front.pk]), {"post": "yes"})
    return outcome(client, response, not Front.objects.exists())


@attempt("bulk: delete fronts")
def bulk_delete_fronts(client):
    front = made_front("Top stories")
    data = {"action": "delete_selected", "_selected_action": [front.pk], "post": "yes"}
    return outcome(client, client.post(FRONTS, data), not Front.objects.exists())


@attempt("open a collection's page")
def open_collection(client):
    collection = made_front("Top stories").collections.get()
    return opened(client, change_url(collection), "Now showing")


@attempt("pin a story")
def pin(client):
    collection = made_front("Top stories").collections.get()
    response = client.post(change_url(collection), collection_form(collection, [story()]))
    return outcome(client, response, collection.slots.exists())


@attempt("unpin a story")
def unpin(client):
    collection = made_front("Top stories").collections.get()
    Slot.objects.create(collection=collection, article=story())
    response = client.post(
        change_url(collection), collection_form(collection, **{"slots-0-DELETE": "on"})
    )
    return outcome(client, response, not collection.slots.exists())


@attempt("delete a collection")
def delete_collection(client):
    collection = made_front("Top stories").collections.get()
    url = reverse("admin:fronts_collection_delete", args=[collection.pk])
    return outcome(client, client.post(url, {"post": "yes"}), not Collection.objects.exists())


@attempt("move a pin on the front's page")
def move_pin(client):
    front = made_front("Top stories", "Opinion")
    top, opinion = front.collections.order_by("position")
    slot = Slot.objects.create(collection=top, article=story())
    data = {
        **front_form(front),
        **front_pins_form(front, edits={slot.pk: {"collection": opinion.pk}}),
    }
    response = client.post(change_url(front), data)
    slot.refresh_from_db()
    return outcome(client, response, slot.collection_id == opinion.pk)


@attempt("preview an arrangement")
def preview(client):
    front = made_front("Top stories")
    story(headline="Council cuts night fares")
    response = client.post(
        reverse("admin:fronts_front_preview", args=[front.pk]), front_form(front)
    )
    return outcome(
        client,
        response,
        response.status_code == HTTPStatus.OK and "Council cuts night fares" in response.text,
    )


def test_a_reporter_sees_a_front_and_its_collection_without_a_save_button(client, reporter):
    collection = made_front("Top stories").collections.get()
    client.force_login(reporter)
    pages = {change_url(collection.front): "Top stories", change_url(collection): "Top stories"}
    for url, text in {**pages, FRONTS: "Home"}.items():
        html = client.get(url).content.decode()
        assert text in html
        assert 'name="_save"' not in html and 'name="_continue"' not in html
        assert "addlink" not in html and "deletelink" not in html


# The forms: refused with the reason, nothing saved.


def refusal(response) -> str:
    assert response.status_code == HTTPStatus.OK  # the form again, with its errors
    return response.content.decode()


def test_an_unknown_backfill_tag_is_refused_with_the_reason(admin_client):
    response = admin_client.post(
        ADD_FRONT, front_form(collections=[{"backfill_tag": "no-such-tag"}])
    )
    assert "There is no tag “no-such-tag”: the backfill would find no story." in refusal(response)
    assert not Front.objects.exists()


def test_a_backfill_tag_given_by_its_name_is_kept_as_its_slug(admin_client):
    ArticleFactory(tags=["Elections 2026"])
    response = admin_client.post(
        ADD_FRONT, front_form(collections=[{"backfill_tag": "elections 2026"}])
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Collection.objects.get().backfill_tag == "elections-2026"


def test_a_scheduled_layout_needs_a_start(admin_client):
    home = made_front()
    data = front_form(name="Election night", slug="election-night", replaces=home.pk)
    assert "A scheduled layout needs a start." in refusal(admin_client.post(ADD_FRONT, data))
    assert Front.objects.count() == 1


def test_a_scheduled_layout_ends_after_it_starts(admin_client):
    home = made_front()
    data = front_form(
        name="Election night",
        slug="election-night",
        replaces=home.pk,
        starts_at=NOON + timedelta(hours=5),
        ends_at=NOON + timedelta(hours=1),
    )
    assert "The end must come after the start." in refusal(admin_client.post(ADD_FRONT, data))
    assert Front.objects.count() == 1


def test_a_scheduled_layout_is_saved_and_says_when_it_shows(admin_client):
    home = made_front()
    data = front_form(
        name="Election night",
        slug="election-night",
        replaces=home.pk,
        starts_at=NOON + timedelta(hours=1),
        ends_at=NOON + timedelta(hours=5),
    )
    assert admin_client.post(ADD_FRONT, data).status_code == HTTPStatus.FOUND
    layout = Front.objects.get(slug="election-night")
    assert "Not yet: from" in admin_client.get(change_url(layout)).content.decode()
    before = admin_client.get(change_url(home)).content.decode()
    assert "Yes, now; the scheduled layout “Election night” takes over" in before
    listed = admin_client.get(FRONTS, {"schedule": "upcoming"}).content.decode()
    assert change_url(layout) in listed and change_url(home) not in listed
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        page = admin_client.get(change_url(home)).content.decode()
    assert "the scheduled layout “Election night” shows instead" in page


def withdrawn():
    made = story()
    publishing.unpublish(made)
    return made


def trashed():
    made = story()
    publishing.move_to_trash(made)
    return made


@pytest.mark.parametrize(
    ("make", "state"),
    [
        (lambda: ArticleFactory(), "is a draft"),
        (lambda: ArticleFactory(status=Article.Status.REVIEW), "is in review, not published yet"),
        (withdrawn, "is withdrawn"),
        (trashed, "is in the trash"),
    ],
    ids=["draft", "review", "withdrawn", "trashed"],
)
def test_pinning_a_story_readers_cannot_see_is_refused_with_the_reason(admin_client, make, state):
    collection = made_front("Top stories").collections.get()
    unpinnable = make()
    response = admin_client.post(change_url(collection), collection_form(collection, [unpinnable]))
    expected = f"“{unpinnable.headline}” {state}: only live or scheduled stories can be pinned."
    assert expected in refusal(response)
    assert not Slot.objects.exists()


def test_a_scheduled_story_may_be_pinned_ahead_of_its_time(admin_client):
    collection = made_front("Top stories").collections.get()
    scheduled = ArticleFactory(
        status=Article.Status.PUBLISHED, publish_at=NOON + timedelta(hours=3)
    )
    response = admin_client.post(change_url(collection), collection_form(collection, [scheduled]))
    assert response.status_code == HTTPStatus.FOUND
    assert collection.slots.get().article == scheduled


def test_a_pin_whose_story_was_withdrawn_since_does_not_block_the_collection(admin_client):
    collection = made_front("Top stories").collections.get()
    Slot.objects.create(collection=collection, article=(gone := story()))
    publishing.unpublish(gone)
    data = collection_form(collection, title="Top stories tonight")
    assert admin_client.post(change_url(collection), data).status_code == HTTPStatus.FOUND
    assert Collection.objects.get().title == "Top stories tonight"


def test_a_pin_that_would_already_have_expired_is_refused(admin_client):
    collection = made_front("Top stories").collections.get()
    past = dict(
        zip(["expires_at_0", "expires_at_1"], split(NOON - timedelta(hours=1)), strict=True)
    )
    response = admin_client.post(
        change_url(collection), collection_form(collection, [(story(), past)])
    )
    assert "That time has passed: the pin would never show." in refusal(response)


def test_new_rows_without_a_position_go_last_in_the_order_they_were_given(admin_client):
    collection = made_front("Top stories").collections.get()
    first, second, third = story(1), story(2), story(3)
    Slot.objects.create(collection=collection, article=first, position=4)
    data = collection_form(collection, [second, third])
    assert admin_client.post(change_url(collection), data).status_code == HTTPStatus.FOUND
    assert [(s.article, s.position) for s in collection.slots.order_by("position")] == [
        (first, 4),
        (second, 5),
        (third, 6),
    ]


def test_the_story_chooser_offers_live_and_scheduled_stories_only(client, editor):
    live = story(headline="Budget vote tonight")
    scheduled = ArticleFactory(
        headline="Budget vote results",
        status=Article.Status.PUBLISHED,
        publish_at=NOON + timedelta(hours=3),
    )
    ArticleFactory(headline="Budget vote draft")
    publishing.unpublish(story(headline="Budget vote recap"))
    publishing.move_to_trash(story(headline="Budget vote trashed"))
    client.force_login(editor)
    query = {"app_label": "fronts", "model_name": "slot", "field_name": "article", "term": "budget"}
    found = client.get(PINNABLE, query).json()["results"]
    assert [result["id"] for result in found] == [str(scheduled.pk), str(live.pk)]
    assert "scheduled for" in found[0]["text"]
    collection = made_front("Top stories").collections.get()
    assert f'data-ajax--url="{PINNABLE}"' in client.get(change_url(collection)).content.decode()


def test_the_story_chooser_answers_for_slots_only(client, editor):
    client.force_login(editor)
    query = {"app_label": "articles", "model_name": "correction", "field_name": "article"}
    assert client.get(PINNABLE, query).status_code == HTTPStatus.FORBIDDEN


# Now showing.


def panel(html: str) -> str:
    start = html.index('<ol class="now-showing">')
    return html[start : html.index("</ol>", start)]


def in_order(html: str, *texts: str) -> bool:
    places = [html.find(text) for text in texts]
    return -1 not in places and places == sorted(places)


def test_now_showing_lists_the_resolved_stories_in_order_pins_marked(admin_client):
    front = made_front("Top stories", "More news")
    top, more = front.collections.order_by("position")
    story(1, headline="Newest"), story(2, headline="Newer")
    older = story(30)
    pinned = story(90, headline="Pinned story")
    Slot.objects.create(collection=top, article=pinned, headline="Front-only headline")
    Slot.objects.create(collection=more, article=older, position=0)

    top_panel = panel(admin_client.get(change_url(top)).content.decode())
    assert in_order(top_panel, "Pinned", "Front-only headline", "Backfill", "Newest", "Newer")
    assert top_panel.count("<li") == 3
    assert older.headline not in top_panel  # pinned lower down: it shows there, once
    more_panel = panel(admin_client.get(change_url(more)).content.decode())
    assert in_order(more_panel, "Pinned", older.headline)
    front_page = admin_client.get(change_url(front)).content.decode()
    assert in_order(front_page, "Front-only headline", "Newest", "Newer", older.headline)


def test_now_showing_says_why_a_pinned_story_is_not_shown(admin_client):
    collection = made_front("Top stories").collections.get()
    Collection.objects.filter(pk=collection.pk).update(max_stories=1)
    story(1, headline="The newest story")
    expired = story(headline="Yesterday's pin")
    Slot.objects.create(collection=collection, article=expired, expires_at=NOON - timedelta(1))
    later = ArticleFactory(
        headline="Tonight's results",
        status=Article.Status.PUBLISHED,
        publish_at=NOON + timedelta(hours=3),
    )
    Slot.objects.create(collection=collection, article=later, position=1)
    html = admin_client.get(change_url(collection)).content.decode()
    assert "“Yesterday&#x27;s pin”: its pin expired" in html
    assert "“Tonight&#x27;s results”: scheduled: it shows from" in html
    assert in_order(panel(html), "Backfill", "The newest story")


# The pages keep the admin's Content-Security-Policy: no inline script without the nonce and
# no style attribute (Chromium drives them in tests/test_security_headers.py's manner below).


def test_the_fronts_pages_keep_the_admins_content_security_policy(admin_client):
    collection = made_front("Top stories").collections.get()
    Slot.objects.create(collection=collection, article=story())
    for url in (
        FRONTS,
        ADD_FRONT,
        change_url(collection.front),
        COLLECTIONS,
        change_url(collection),
    ):
        response = admin_client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert_admin_policy(response)
        assert " style=" not in response.content.decode(), url


def test_the_list_of_fronts_counts_collections_and_filters_by_section(admin_client):
    metro = SectionFactory(name="Metro", slug="metro")
    home = made_front("Top stories", "Opinion")
    # A section may come with its front already (fronts/changes.py).
    metro_front, _ = Front.objects.get_or_create(
        section=metro, defaults={"name": "Metro", "slug": "metro"}
    )
    page = admin_client.get(FRONTS).content.decode()
    assert '<td class="field-collection_count">2</td>' in page
    only_metro = admin_client.get(FRONTS, {"section__id__exact": metro.pk}).content.decode()
    assert change_url(metro_front) in only_metro and change_url(home) not in only_metro
    found = admin_client.get(FRONTS, {"q": "metro"}).content.decode()
    assert change_url(metro_front) in found and change_url(home) not in found
