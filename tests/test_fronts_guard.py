"""Adding and deleting a collection are guarded as changing one is: the add page opened for a
front carries that front's layout version, the delete confirmations (one collection, or those
selected in the list) carry the version of each front they touch, and a save or a deletion
confirmed after someone else's save of that front is refused, nothing written, with what is
different now listed. Everything goes through the admin's own pages."""

import re
from http import HTTPStatus

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from caching.models import PendingPurge
from fronts.models import Collection, Front, FrontRevision
from tests.factories import staff_user
from tests.test_fronts_admin import management
from tests.test_fronts_revisions import (
    change_url,
    clock,  # noqa: F401 (a fixture, for every test here: the time is fixed)
    front_form,
    made_front,
    opened,
    saved,
    summaries,
)

pytestmark = pytest.mark.django_db

ADD = reverse("admin:fronts_collection_add")
COLLECTIONS = reverse("admin:fronts_collection_changelist")


def logged_in(username, role) -> Client:
    client = Client()
    client.force_login(staff_user(username, role))
    return client


@pytest.fixture
def ed(db):
    return logged_in("ed", "Editor")


@pytest.fixture
def eve(db):
    return logged_in("eve", "Editor")


@pytest.fixture(autouse=True)
def cdn(settings):
    """A CDN to purge: each change queues its purge in its own transaction (a PendingPurge)."""
    settings.CDN_PURGE_URL = "http://127.0.0.1:9/purge"


def carried(html) -> dict[str, str]:
    """The layout versions (and the front) a page's hidden fields carry, by name."""
    return dict(re.findall(r'<input type="hidden" name="([\w-]*base_\w+)" value="(\d+)"', html))


def add_page(client, front=None, query="") -> dict[str, str]:
    """Open the add page, for `front` as a link from it would: the versions it carries."""
    url = f"{ADD}?front={front.pk}{query}" if front else ADD
    return carried(client.get(url).content.decode())


def new_collection(front, opened_at, **fields) -> dict:
    """The add page as posted: a new collection "Opinion" on `front`."""
    return {
        "front": front.pk,
        "title": "Opinion",
        "position": 5,
        "style": "list",
        "max_stories": 3,
        "backfill": "on",
        **management("slots", []),
        **opened_at,
        **fields,
    }


def delete_url(collection) -> str:
    return reverse("admin:fronts_collection_delete", args=[collection.pk])


def delete_page(client, collection) -> dict[str, str]:
    """Open the collection's delete confirmation: the version it carries."""
    return carried(client.get(delete_url(collection)).content.decode())


def selected(*collections) -> dict:
    return {"action": "delete_selected", "_selected_action": [c.pk for c in collections]}


def renamed_by(client, front, name):
    """Someone else's save of the front, as its page makes it."""
    saved(client.post(change_url(front), front_form(front, opened(client, front), name=name)))
    front.refresh_from_db()


def written() -> tuple[int, int, int, int]:
    """What a refused request must leave as it was: collections, revisions, log, purges."""
    return tuple(
        model.objects.count() for model in (Collection, FrontRevision, LogEntry, PendingPurge)
    )


# Adding a collection.


def test_the_add_page_opened_for_a_front_carries_its_version_as_it_opens(ed, eve):
    front = made_front("Top stories")
    renamed_by(eve, front, "Home page")
    assert add_page(ed, front) == {"base_version": "1", "base_front": str(front.pk)}
    # Read from the front, whatever the address says.
    assert add_page(ed, front, query="&base_version=0&base_front=0")["base_version"] == "1"
    assert add_page(ed) == {}  # no front: no version
    assert add_page(ed, Front(pk=999)) == {}


def test_an_add_saved_after_someone_else_saved_the_front_is_refused(ed, eve):
    front = made_front("Top stories")
    opened_at = add_page(ed, front)
    renamed_by(eve, front, "Home page")
    before = written()

    response = ed.post(f"{ADD}?front={front.pk}", new_collection(front, opened_at))
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert (
        "The front “Home page” was changed by eve since you opened this page, so your changes "
        "were not saved" in page
    )
    assert "<li>Name Home → Home page</li>" in page
    assert written() == before
    assert not Collection.objects.filter(title="Opinion").exists()


def test_an_add_is_saved_when_the_front_is_as_it_was_opened(ed):
    front = made_front("Top stories")
    saved(ed.post(ADD, new_collection(front, add_page(ed, front))))
    assert summaries(front)[0] == "Added collection Opinion at 2"
    assert front.revisions.count() == 2  # the layout found, then the add


def test_an_add_to_a_front_the_page_was_not_opened_for_is_saved(ed, eve):
    front = made_front("Top stories")
    metro = Front.objects.create(name="Metro", slug="metro")
    from_the_plain_page, for_metro = add_page(ed), add_page(ed, metro)
    renamed_by(eve, front, "Home page")
    saved(ed.post(ADD, new_collection(front, from_the_plain_page)))
    saved(ed.post(ADD, new_collection(front, for_metro, title="Sports")))
    assert summaries(front)[:2] == ["Added collection Sports at 3", "Added collection Opinion at 2"]


# Deleting a collection.


def test_a_deletion_confirmed_after_someone_else_saved_the_front_is_refused(ed, eve):
    front = made_front("Top stories", "Opinion")
    opinion = front.collections.get(title="Opinion")
    opened_at = delete_page(ed, opinion)
    renamed_by(eve, front, "Home page")
    before = written()

    response = ed.post(delete_url(opinion), {"post": "yes", **opened_at})
    page = response.content.decode()
    assert response.status_code == HTTPStatus.CONFLICT
    assert (
        "The front “Home page” was changed by eve since you opened this page, so nothing was "
        "deleted" in page
    )
    assert "<li>Name Home → Home page</li>" in page
    assert written() == before
    # The page shows the layout as it is now: confirmed again, the collection goes.
    assert carried(page) == {"base_version": "1"}
    saved(ed.post(delete_url(opinion), {"post": "yes", **carried(page)}))
    assert summaries(front)[0] == "Removed collection Opinion"


def test_a_deletion_confirmed_with_the_front_unchanged_is_one_revision(ed, eve):
    front = made_front("Top stories", "Opinion")
    renamed_by(eve, front, "Home page")  # the layout found is recorded already
    opinion = front.collections.get(title="Opinion")
    opened_at = delete_page(ed, opinion)
    assert opened_at == {"base_version": "1"}
    saved(ed.post(delete_url(opinion), {"post": "yes", **opened_at}))
    assert not Collection.objects.filter(pk=opinion.pk).exists()
    latest = front.revisions.latest()
    assert (latest.version, latest.created_by.username) == (2, "ed")
    assert latest.summary == "Removed collection Opinion"
    assert front.revisions.count() == 3


def test_a_deletion_confirmed_without_a_version_is_accepted_and_a_garbled_one_is_not(ed):
    front = made_front("Top stories", "Opinion", "Sports")
    opinion, sports = front.collections.filter(title__in=["Opinion", "Sports"])
    response = ed.post(delete_url(opinion), {"post": "yes", "base_version": "one"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    saved(ed.post(delete_url(sports), {"post": "yes"}))  # a page opened before the guard
    assert list(front.collections.values_list("title", flat=True)) == ["Top stories", "Opinion"]


def test_a_reporter_may_not_delete_a_collection(ed):
    front = made_front("Top stories")
    collection = front.collections.get()
    client = logged_in("rita", "Reporter")
    assert client.get(delete_url(collection)).status_code == HTTPStatus.FORBIDDEN
    renamed_by(ed, front, "Home page")
    before = written()
    # Forbidden, the version stale or not: one who may not delete is shown no conflict.
    response = client.post(delete_url(collection), {"post": "yes", "base_version": "0"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    response = client.post(COLLECTIONS, {**selected(collection), "post": "yes"}, follow=True)
    assert "You may not run “delete_selected” here; nothing was changed." in (
        response.content.decode()
    )
    assert written() == before


# Deleting the collections selected in the list.


def test_deleting_selected_collections_after_someone_saved_their_front_is_refused(ed, eve):
    home = made_front("Top stories", "Opinion")
    metro = Front.objects.create(name="Metro", slug="metro")
    chosen = [home.collections.get(title="Opinion"), metro.collections.create(title="Metro")]
    confirmation = ed.post(COLLECTIONS, selected(*chosen)).content.decode()
    opened_at = carried(confirmation)
    assert opened_at == {
        f"front-{home.pk}-base_version": "0",
        f"front-{metro.pk}-base_version": "0",
    }
    renamed_by(eve, home, "Home page")
    before = written()

    response = ed.post(COLLECTIONS, {**selected(*chosen), "post": "yes", **opened_at})
    page = response.content.decode()
    assert response.status_code == HTTPStatus.CONFLICT
    assert "The front “Home page” was changed by eve since you opened this page" in page
    assert "<li>Name Home → Home page</li>" in page
    assert "The front “Metro”" not in page
    assert written() == before

    saved(ed.post(COLLECTIONS, {**selected(*chosen), "post": "yes", **carried(page)}))
    assert summaries(home)[0] == "Removed collection Opinion"
    assert summaries(metro)[0] == "Removed collection Metro"
    assert not Collection.objects.filter(pk__in=[c.pk for c in chosen]).exists()
