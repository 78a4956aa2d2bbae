"""A front's layout revisions: each save on the desk (the front's page with its collections,
a collection's page with its pins, adding or deleting a collection) is one revision of the
whole front, who and when, with what it moved; its history lists them, shows one against the
layout now and restores it (Editors); a second editor saving over the first is stopped and
shown the difference. Everything goes through the admin's own forms."""

import re
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from articles.models import Article
from fronts.models import Collection, Front, FrontRevision, Slot
from tests.factories import ArticleFactory, front_pins_form, staff_user
from tests.test_fronts_admin import management
from tests.test_security_headers import assert_admin_policy

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 3, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def ed(db):
    client = Client()
    client.force_login(staff_user("ed", "Editor"))
    return client


@pytest.fixture
def eve(db):
    client = Client()
    client.force_login(staff_user("eve", "Editor"))
    return client


def story(headline) -> Article:
    return ArticleFactory(
        headline=headline, status=Article.Status.PUBLISHED, publish_at=NOON - timedelta(hours=1)
    )


def made_front(*titles) -> Front:
    front = Front.objects.create(name="Home", slug="home")
    for position, title in enumerate(titles):
        Collection.objects.create(front=front, title=title, position=position, max_stories=4)
    return front


def change_url(obj) -> str:
    return reverse(f"admin:fronts_{obj._meta.model_name}_change", args=[obj.pk])


def history_url(front, revision=None) -> str:
    if revision is None:
        return reverse("admin:fronts_front_revisions", args=[front.pk])
    return reverse("admin:fronts_front_revision", args=[front.pk, revision.pk])


def opened(client, obj) -> str:
    """Open the object's change page, as an editor does before changing it: the version of
    the layout the page carries."""
    html = client.get(change_url(obj)).content.decode()
    return re.search(r'name="base_version" value="(\d+)"', html).group(1)


def settings_of(collection, **edits) -> dict:
    row = {
        "title": collection.title,
        "position": collection.position,
        "style": collection.style,
        "max_stories": collection.max_stories,
        "backfill_section": collection.backfill_section_id or "",
        "backfill_tag": collection.backfill_tag,
        "backfill_kind": collection.backfill_kind,
        **({"backfill": "on"} if collection.backfill else {}),
        **edits,
    }
    return {key: value for key, value in row.items() if value is not None}


def front_form(front, version, edits=(), added=(), **fields) -> dict:
    """The front's page as posted: its fields, each collection as it is but for `edits`
    (title: changes; {"DELETE": "on"} deletes it), then the `added` collections."""
    edits = dict(edits)
    current = list(front.collections.all()) if front.pk else []
    data = {
        "name": front.name,
        "slug": front.slug,
        "section": front.section_id or "",
        "replaces": "",
        **{f"{name}_{part}": "" for name in ("starts_at", "ends_at") for part in (0, 1)},
        "base_version": version,
        **management("collections", [*current, *added], initial=len(current)),
        **fields,
    }
    rows = [
        {"id": c.pk, "front": front.pk, **settings_of(c, **edits.get(c.title, {}))} for c in current
    ]
    rows += [{"style": "grid", "max_stories": 6, "position": "", **row} for row in added]
    for index, row in enumerate(rows):
        data.update({f"collections-{index}-{key}": value for key, value in row.items()})
    return {**data, **front_pins_form(front)}


def collection_form(collection, version, edits=(), pins=(), **fields) -> dict:
    """A collection's page as posted: its settings, each pin as it is but for `edits`
    (story: changes), then new pins (story, position)."""
    edits = dict(edits)
    current = list(collection.slots.select_related("article"))
    data = {
        "front": collection.front_id,
        **settings_of(collection, **fields),
        "base_version": version,
        **management("slots", [*current, *pins], initial=len(current)),
    }
    rows = [
        {
            "id": slot.pk,
            "collection": collection.pk,
            "article": slot.article_id,
            "position": slot.position,
            "headline": slot.headline,
            "dek": slot.dek,
            **edits.get(slot.article_id, {}),
        }
        for slot in current
    ]
    rows += [{"article": pinned.pk, "position": position} for pinned, position in pins]
    for index, row in enumerate(rows):
        row = {"expires_at_0": "", "expires_at_1": "", "headline": "", "dek": "", **row}
        data.update({f"slots-{index}-{key}": value for key, value in row.items()})
    return data


def saved(response):
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[-3000:]


def summaries(front) -> list[str]:
    return list(front.revisions.values_list("summary", flat=True))


def pins(collection) -> list[str]:
    slots = collection.slots.order_by("position", "pk").select_related("article")
    return [slot.article.headline for slot in slots]


# A revision for each save, with what it moved.


def test_saving_the_front_page_records_one_revision_of_what_moved(ed):
    front = made_front("Top stories", "Opinion", "More news")
    edits = {
        "Top stories": {"max_stories": 6, "position": "1"},
        "Opinion": {"DELETE": "on"},
        "More news": {"position": "0"},
    }
    data = front_form(front, opened(ed, front), edits, added=[{"title": "Sports"}])
    saved(ed.post(change_url(front), data))

    latest = front.revisions.latest()
    assert latest.version == 1 and latest.created_by.username == "ed"
    assert latest.created_at == NOON
    assert latest.summary == (
        "Removed collection Opinion; moved collection More news from 3 to 1; "
        "Top stories: at most 4 → 6; added collection Sports at 3"
    )
    # The layout it found, kept with the first recorded change so it can be restored.
    found = front.revisions.earliest()
    assert (found.version, found.created_by, found.summary) == (0, None, "")
    assert [c["title"] for c in found.data["collections"]] == [
        "Top stories",
        "Opinion",
        "More news",
    ]
    assert front.revisions.count() == 2

    front.refresh_from_db()
    saved(ed.post(change_url(front), front_form(front, opened(ed, front), name="Front page")))
    assert summaries(front)[0] == "Name Home → Front page"
    assert front.revisions.count() == 3  # one more for one more save


def test_pinning_on_a_collection_page_records_what_moved_in_the_whole_front(ed):
    collection = made_front("Top stories").collections.get()
    first, second = story("Budget passes"), story("Ferry strike ends")
    Slot.objects.create(collection=collection, article=first, position=0)
    Slot.objects.create(collection=collection, article=second, position=1)
    pinned = story("Mayor resigns")
    edits = {first.pk: {"position": 1}, second.pk: {"position": 2}}
    data = collection_form(collection, opened(ed, collection), edits, pins=[(pinned, 0)])
    saved(ed.post(change_url(collection), data))
    assert summaries(collection.front)[0] == "Pinned “Mayor resigns” in Top stories at 1"
    assert pins(collection) == ["Mayor resigns", "Budget passes", "Ferry strike ends"]

    edits = {
        second.pk: {"position": 0, "headline": "Ferries sail again"},
        pinned.pk: {"position": 1},
        first.pk: {"DELETE": "on"},
    }
    saved(
        ed.post(change_url(collection), collection_form(collection, opened(ed, collection), edits))
    )
    assert summaries(collection.front)[0] == (
        "Unpinned “Budget passes” from Top stories; "
        "moved “Ferry strike ends” in Top stories from 3 to 1; "
        "“Ferry strike ends” in Top stories: front headline — → Ferries sail again"
    )


def test_adding_and_deleting_a_collection_on_its_own_pages_are_revisions(ed):
    front = made_front("Top stories")
    add = reverse("admin:fronts_collection_add")
    new = {"front": front.pk, "title": "Opinion", "position": 5, "style": "list"}
    data = {**new, "max_stories": 3, "backfill": "on", **management("slots", [])}
    saved(ed.post(add, data))
    assert summaries(front)[0] == "Added collection Opinion at 2"
    opinion = front.collections.get(title="Opinion")
    delete = reverse("admin:fronts_collection_delete", args=[opinion.pk])
    saved(ed.post(delete, {"post": "yes"}))
    assert summaries(front)[0] == "Removed collection Opinion"
    assert front.revisions.count() == 3  # the layout found, then the two changes


def test_adding_a_front_records_its_first_layout_and_a_save_that_changes_nothing_none(ed):
    data = front_form(Front(name="Metro", slug="metro"), "", added=[{"title": "Top stories"}])
    saved(ed.post(reverse("admin:fronts_front_add"), data))
    front = Front.objects.get(slug="metro")
    assert summaries(front) == ["Created the front “Metro”; added collection Top stories at 1"]
    saved(ed.post(change_url(front), front_form(front, opened(ed, front))))
    assert front.revisions.count() == 1


# The history: the list, one version against the layout now, restore.


def arranged(ed):
    """A front saved twice: v1 has Opinion with two pins, v2 has it deleted and Top
    stories with more room."""
    front = made_front("Top stories", "Opinion")
    opinion = front.collections.get(title="Opinion")
    for position, headline in enumerate(["Council is wrong", "Fix the ferries"]):
        Slot.objects.create(collection=opinion, article=story(headline), position=position)
    saved(ed.post(change_url(front), front_form(front, opened(ed, front), name="Home page")))
    front.refresh_from_db()
    edits = {"Opinion": {"DELETE": "on"}, "Top stories": {"max_stories": 8, "style": "lead"}}
    saved(ed.post(change_url(front), front_form(front, opened(ed, front), edits)))
    return front


def test_the_history_lists_each_save_and_shows_a_version_against_the_layout_now(ed):
    front = arranged(ed)
    assert f'href="{history_url(front)}"' in ed.get(change_url(front)).content.decode()
    listing = ed.get(history_url(front)).content.decode()
    assert "Removed collection Opinion; Top stories: style Grid → Lead" in listing
    assert "Name Home → Home page" in listing
    assert listing.count("<tr>") == 4  # the heading, the layout found, two saves

    page = ed.get(history_url(front, front.revisions.get(version=1))).content.decode()
    assert "<li>Added collection Opinion at 2</li>" not in page  # compared the right way
    assert "<li>Removed collection Opinion</li>" in page
    assert "<li>Top stories: at most 4 → 8</li>" in page
    assert "<li>“Council is wrong”</li>" in page and "<li>“Fix the ferries”</li>" in page
    assert 'name="csrfmiddlewaretoken"' in page and "Restore this version" in page


def test_restoring_puts_the_layout_back_and_leaves_out_deleted_stories(ed):
    front = arranged(ed)
    Article.objects.filter(headline="Fix the ferries").delete()
    version = front.revisions.get(version=1)
    response = ed.post(history_url(front, version), follow=True)
    page = response.content.decode()
    assert "Restored version 1 as a new revision." in page
    assert "Not pinned again, as the stories have been deleted since: “Fix the ferries”." in page

    front.refresh_from_db()
    assert front.name == "Home page"
    top, opinion = front.collections.order_by("position")
    assert (top.title, top.max_stories, top.style) == ("Top stories", 4, "grid")
    assert opinion.title == "Opinion" and pins(opinion) == ["Council is wrong"]
    latest = front.revisions.latest()
    assert (latest.version, latest.note) == (3, "Restored version 1")
    assert latest.summary.startswith("Top stories: style Lead → Grid; Top stories: at most 8 → 4")
    assert "added collection Opinion at 2" in latest.summary
    assert "pinned “Council is wrong” in Opinion at 1" in latest.summary


def test_restoring_the_layout_found_before_the_first_save_brings_it_back(ed):
    front = arranged(ed)
    added = [{"title": "Sports"}]
    saved(ed.post(change_url(front), front_form(front, opened(ed, front), added=added)))
    saved(ed.post(history_url(front, front.revisions.get(version=0))))
    front.refresh_from_db()
    assert front.name == "Home"
    assert [c.title for c in front.collections.order_by("position")] == ["Top stories", "Opinion"]
    assert pins(front.collections.get(title="Opinion")) == ["Council is wrong", "Fix the ferries"]
    assert "removed collection Sports" in front.revisions.latest().summary


# No lost updates.


def test_a_second_editor_saving_the_front_is_stopped_and_shown_the_difference(ed, eve):
    front = made_front("Top stories", "Opinion")
    ed_version, eve_version = opened(ed, front), opened(eve, front)
    moved = {"Opinion": {"position": "0"}, "Top stories": {"position": "1"}}
    saved(ed.post(change_url(front), front_form(front, ed_version, moved)))
    after_ed = front.revisions.latest()

    renamed = {"Opinion": {"title": "Views"}}
    response = eve.post(change_url(front), front_form(front, eve_version, renamed))
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "was changed by ed since you opened this page, so your changes were not saved" in page
    assert "<li>Moved collection Opinion from 2 to 1</li>" in page
    assert not Collection.objects.filter(title="Views").exists()
    assert front.revisions.latest() == after_ed


def test_a_collection_page_opened_before_its_front_was_saved_is_refused(ed, eve):
    front = made_front("Top stories")
    collection = front.collections.get()
    stale = opened(eve, collection)
    saved(ed.post(change_url(front), front_form(front, opened(ed, front), name="Home page")))
    data = collection_form(collection, stale, pins=[(story("Mayor resigns"), 0)])
    response = eve.post(change_url(collection), data)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "The front “Home page” was changed by ed since you opened this page" in page
    assert "<li>Name Home → Home page</li>" in page
    assert not Slot.objects.exists()
    assert front.revisions.count() == 2


# Who may: Editors restore; Reporters read the history; anonymous visitors log in first.


def test_a_reporter_reads_the_history_but_may_not_restore(client):
    front = made_front("Top stories")
    editor = Client()
    editor.force_login(staff_user("ed", "Editor"))
    saved(editor.post(change_url(front), front_form(front, opened(editor, front), name="Now")))
    client.force_login(staff_user("rita", "Reporter"))
    assert client.get(history_url(front)).status_code == HTTPStatus.OK
    first = front.revisions.get(version=0)
    page = client.get(history_url(front, first)).content.decode()
    assert "Restore this version" not in page
    assert client.post(history_url(front, first)).status_code == HTTPStatus.FORBIDDEN
    front.refresh_from_db()
    assert front.name == "Now" and front.revisions.count() == 2
    assert "Base version" not in client.get(change_url(front)).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, ed):
    front = made_front("Top stories")
    saved(ed.post(change_url(front), front_form(front, opened(ed, front), name="Now")))
    first = front.revisions.get(version=0)
    for response in (client.get(history_url(front)), client.post(history_url(front, first))):
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(reverse("admin:login"))
    assert Front.objects.get().name == "Now"


def test_the_history_pages_keep_the_admins_content_security_policy(ed):
    front = arranged(ed)
    for url in (history_url(front), history_url(front, front.revisions.latest())):
        response = ed.get(url)
        assert response.status_code == HTTPStatus.OK
        assert_admin_policy(response)
        assert " style=" not in response.content.decode(), url


def test_a_revision_of_another_front_is_not_found_here(ed):
    front = arranged(ed)
    other = Front.objects.create(name="Metro", slug="metro")
    url = reverse("admin:fronts_front_revision", args=[other.pk, front.revisions.latest().pk])
    assert ed.get(url).status_code == HTTPStatus.NOT_FOUND
    assert FrontRevision.objects.filter(front=other).count() == 0


def test_deleting_collections_from_the_list_is_one_revision_of_each_front(ed):
    front = made_front("Top stories", "Opinion", "Sports")
    chosen = front.collections.exclude(title="Top stories").values_list("pk", flat=True)
    data = {"action": "delete_selected", "_selected_action": list(chosen), "post": "yes"}
    saved(ed.post(reverse("admin:fronts_collection_changelist"), data))
    assert summaries(front)[0] == "Removed collection Opinion; removed collection Sports"
    assert front.revisions.count() == 2
