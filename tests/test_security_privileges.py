"""Least privilege on the desk: who may do what, checked on the server, never just hidden.

The policy is the table below. A Reporter's own story is one they created or one whose byline
carries their author profile; they edit it until an editor takes it live, and delete nothing.
Editors run the desk (publishing, the tag vocabulary, sections, authors, the trash: deleting a
story moves it there, restorable); no one deletes a story for good on the desk (purge_trash
does, after the trash's days); only a superuser manages logins. Refusals are a 403, a
redirect to the login page, or a form or action refused with a message; in every case nothing
changes.
"""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.editorial import publishing
from articles.models import Article, Author, Correction, Section
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, staff_user
from tests.test_admin import ADD, CHANGELIST, article_form

pytestmark = pytest.mark.django_db

ALLOWED, REFUSED, FORBIDDEN, LOGIN = "allowed", "refused", "403", "login"
ROLES = ["anonymous", "reporter", "editor", "superuser"]

# fmt: off
POLICY = [
    # what                                   anonymous reporter   editor     superuser
    ("open the story list",                  LOGIN,   ALLOWED,   ALLOWED,   ALLOWED),
    ("add a story",                          LOGIN,   ALLOWED,   ALLOWED,   ALLOWED),
    ("change own draft",                     LOGIN,   ALLOWED,   ALLOWED,   ALLOWED),
    ("change a draft with their byline",     LOGIN,   ALLOWED,   ALLOWED,   ALLOWED),
    ("change another's draft",               LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("change own live story",                LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("delete own draft (to the trash)",      LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("publish own draft in its form",        LOGIN,   REFUSED,   ALLOWED,   ALLOWED),
    ("schedule own draft in its form",       LOGIN,   REFUSED,   ALLOWED,   ALLOWED),
    ("withdraw own live story in its form",  LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("bulk: submit own draft for review",    LOGIN,   ALLOWED,   ALLOWED,   ALLOWED),
    ("bulk: submit another's draft",         LOGIN,   REFUSED,   ALLOWED,   ALLOWED),
    ("bulk: publish own draft now",          LOGIN,   REFUSED,   ALLOWED,   ALLOWED),
    ("bulk: withdraw own live story",        LOGIN,   REFUSED,   ALLOWED,   ALLOWED),
    ("bulk: delete own draft (to the trash)", LOGIN,  REFUSED,   ALLOWED,   ALLOWED),
    ("open the trash",                       LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("bulk: restore own story from the trash", LOGIN, FORBIDDEN, ALLOWED,   ALLOWED),
    ("delete a story in the trash for good", LOGIN,   FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("bulk: delete stories in the trash",    LOGIN,   FORBIDDEN, REFUSED,   REFUSED),
    ("edit a story in the trash",            LOGIN,   REFUSED,   REFUSED,   REFUSED),
    ("restore a revision of own draft",      LOGIN,   ALLOWED,   ALLOWED,   ALLOWED),
    ("restore a revision of another's",      LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("see the preview link of own draft",    LOGIN,   ALLOWED,   ALLOWED,   ALLOWED),
    ("see the preview link of another's",    LOGIN,   REFUSED,   ALLOWED,   ALLOWED),
    ("bulk: merge tags",                     LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("bulk: delete tags",                    LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("delete a tag",                         LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("add a tag",                            LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("rename a tag",                         LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("pick a section in the story form",     LOGIN,   ALLOWED,   ALLOWED,   ALLOWED),
    ("add a section",                        LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("change a section",                     LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("reorder sections in their list",       LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("delete a section",                     LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("bulk: delete sections",                LOGIN,   REFUSED,   ALLOWED,   ALLOWED),
    ("add an author",                        LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("change an author",                     LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("delete an author",                     LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("bulk: delete authors",                 LOGIN,   REFUSED,   ALLOWED,   ALLOWED),
    ("add a correction",                     LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("delete a correction",                  LOGIN,   FORBIDDEN, ALLOWED,   ALLOWED),
    ("add a login",                          LOGIN,   FORBIDDEN, FORBIDDEN, ALLOWED),
]
# fmt: on
ATTEMPTS = {}


def attempt(what):
    """Register how to try `what`: a function (client, desk, actor) -> (response, happened)."""

    def register(function):
        ATTEMPTS[what] = function
        return function

    return register


class Desk:
    """The people and the things they act on."""

    def __init__(self, commits):
        self.commits = commits
        self.section = SectionFactory(name="New York", slug="new-york")
        self.author = AuthorFactory(name="Wire Desk")
        self.colleague = staff_user("omar", "Reporter")
        self.users = {
            "anonymous": None,
            "reporter": staff_user("rita", "Reporter"),
            "editor": staff_user("ed", "Editor"),
            "superuser": User.objects.create_superuser("boss", password="pw"),
        }

    def story(self, created_by, **fields):
        return ArticleFactory(created_by=created_by, authors=[self.author], **fields)


@pytest.fixture
def desk(db, commits):
    return Desk(commits)


def outcome(client, response, happened, *, silent=False):
    """What the server did: sent to the login page, forbade, did it, or refused and said so."""
    location = response.get("Location", "")
    if response.status_code == HTTPStatus.FOUND and location.startswith(reverse("admin:login")):
        return LOGIN
    if response.status_code == HTTPStatus.FORBIDDEN:
        return FORBIDDEN
    if happened:
        return ALLOWED
    page = response
    if response.status_code == HTTPStatus.FOUND:
        page = client.get(location)
    html = page.content.decode()
    said_so = "errornote" in html or 'class="error"' in html or 'class="warning"' in html
    return REFUSED if said_so or silent else f"unexplained {response.status_code}"


@pytest.mark.parametrize(
    ("what", "role", "expected"),
    [(row[0], role, want) for row in POLICY for role, want in zip(ROLES, row[1:], strict=True)],
    ids=[f"{row[0]} [{role}]" for row in POLICY for role in ROLES],
)
def test_the_desk_follows_the_policy(client, desk, what, role, expected):
    actor = desk.users[role]
    if actor is not None:
        client.force_login(actor)
    assert ATTEMPTS[what](client, desk, actor) == expected


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def post_story(client, desk, story, **fields):
    form = article_form(desk.section, article=story, **{"slug": story.slug, **fields})
    response = client.post(change_url(story), form)
    story.refresh_from_db()
    return response


def publish_fields(moment):
    local = timezone.localtime(moment)
    return {
        "status": "published",
        "publish_at_0": local.strftime("%Y-%m-%d"),
        "publish_at_1": local.strftime("%H:%M:%S"),
    }


def run_action(client, url, action, objects, **extra):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(url, data)


@attempt("open the story list")
def open_list(client, desk, actor):
    response = client.get(CHANGELIST)
    return outcome(client, response, response.status_code == HTTPStatus.OK)


@attempt("add a story")
def add_story(client, desk, actor):
    response = client.post(ADD, article_form(desk.section, [desk.author]))
    return outcome(client, response, Article.objects.exists())


def change_headline(client, desk, story, **fields):
    response = post_story(client, desk, story, headline="Changed on the desk", **fields)
    return outcome(client, response, story.headline == "Changed on the desk")


@attempt("change own draft")
def change_own(client, desk, actor):
    return change_headline(client, desk, desk.story(actor))


@attempt("change a draft with their byline")
def change_bylined(client, desk, actor):
    story = desk.story(desk.colleague)
    if actor is not None:
        story.bylines.update(author=AuthorFactory(user=actor))
    return change_headline(client, desk, story)


@attempt("change another's draft")
def change_others(client, desk, actor):
    return change_headline(client, desk, desk.story(desk.colleague))


@attempt("change own live story")
def change_own_live(client, desk, actor):
    story = desk.story(actor, live=True)
    return change_headline(client, desk, story, **publish_fields(story.publish_at))


def in_trash(story):
    return Article.objects.trashed().filter(pk=story.pk).exists()


@attempt("delete own draft (to the trash)")
def delete_own(client, desk, actor):
    story = desk.story(actor)
    url = reverse("admin:articles_article_delete", args=[story.pk])
    response = client.post(url, {"post": "yes"})
    return outcome(client, response, in_trash(story))


@attempt("publish own draft in its form")
def publish_in_form(client, desk, actor):
    story = desk.story(actor)
    response = post_story(client, desk, story, **publish_fields(timezone.now()))
    return outcome(client, response, story.status == "published")


@attempt("schedule own draft in its form")
def schedule_in_form(client, desk, actor):
    story = desk.story(actor)
    fields = publish_fields(timezone.now() + timedelta(days=2))
    response = post_story(client, desk, story, **fields)
    return outcome(client, response, story.is_scheduled)


@attempt("withdraw own live story in its form")
def withdraw_in_form(client, desk, actor):
    story = desk.story(actor, live=True)
    fields = {**publish_fields(story.publish_at), "status": "unpublished"}
    response = post_story(client, desk, story, **fields)
    return outcome(client, response, story.status == "unpublished")


def story_action(client, story, action, check, **extra):
    response = run_action(client, CHANGELIST, action, [story], **extra)
    return outcome(client, response, check(story))


def now_status(story):
    return Article.objects.filter(pk=story.pk).values_list("status", flat=True).first()


@attempt("bulk: submit own draft for review")
def bulk_submit_own(client, desk, actor):
    story = desk.story(actor)
    return story_action(client, story, "submit_for_review", lambda s: now_status(s) == "review")


@attempt("bulk: submit another's draft")
def bulk_submit_others(client, desk, actor):
    story = desk.story(desk.colleague)
    return story_action(client, story, "submit_for_review", lambda s: now_status(s) == "review")


@attempt("bulk: publish own draft now")
def bulk_publish(client, desk, actor):
    story = desk.story(actor)
    return story_action(client, story, "publish_now", lambda s: now_status(s) == "published")


@attempt("bulk: withdraw own live story")
def bulk_withdraw(client, desk, actor):
    story = desk.story(actor, live=True)
    return story_action(client, story, "unpublish", lambda s: now_status(s) == "unpublished")


@attempt("bulk: delete own draft (to the trash)")
def bulk_delete_story(client, desk, actor):
    story = desk.story(actor)
    return story_action(client, story, "delete_selected", in_trash, post="yes")


TRASH = reverse("admin:articles_trashedarticle_changelist")


def trashed_story(desk, actor):
    story = desk.story(actor, live=True)
    publishing.move_to_trash(story, by=desk.users["editor"])
    return story


@attempt("open the trash")
def open_trash(client, desk, actor):
    story = trashed_story(desk, actor)
    response = client.get(TRASH)
    shown = response.status_code == HTTPStatus.OK and story.headline in response.content.decode()
    return outcome(client, response, shown)


@attempt("bulk: restore own story from the trash")
def restore_from_trash(client, desk, actor):
    story = trashed_story(desk, actor)
    response = run_action(client, TRASH, "restore", [story])
    return outcome(client, response, not in_trash(story))


@attempt("delete a story in the trash for good")
def delete_from_trash(client, desk, actor):
    story = trashed_story(desk, actor)
    url = reverse("admin:articles_trashedarticle_delete", args=[story.pk])
    response = client.post(url, {"post": "yes"})
    return outcome(client, response, not Article.objects.filter(pk=story.pk).exists())


@attempt("bulk: delete stories in the trash")
def bulk_delete_from_trash(client, desk, actor):
    story = trashed_story(desk, actor)
    response = run_action(client, TRASH, "delete_selected", [story], post="yes")
    return outcome(client, response, not Article.objects.filter(pk=story.pk).exists())


@attempt("edit a story in the trash")
def edit_trashed(client, desk, actor):
    story = trashed_story(desk, actor)
    response = client.post(change_url(story), article_form(desk.section, article=story))
    story.refresh_from_db()
    return outcome(client, response, story.headline == "Council passes the budget")


def restore_first_revision(client, desk, story):
    with desk.commits():
        story.headline = "Rewritten"
        story.save()
    first = story.revisions.order_by("pk").first()
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    with desk.commits():
        response = client.post(url)
    story.refresh_from_db()
    return outcome(client, response, story.headline == first.data["headline"])


@attempt("restore a revision of own draft")
def restore_own(client, desk, actor):
    with desk.commits():
        story = desk.story(actor)
    return restore_first_revision(client, desk, story)


@attempt("restore a revision of another's")
def restore_others(client, desk, actor):
    with desk.commits():
        story = desk.story(desk.colleague)
    return restore_first_revision(client, desk, story)


def preview_shown(client, story):
    response = client.get(change_url(story))
    shown = response.status_code == HTTPStatus.OK and "/preview/" in response.content.decode()
    return outcome(client, response, shown, silent=True)


@attempt("see the preview link of own draft")
def preview_own(client, desk, actor):
    return preview_shown(client, desk.story(actor))


@attempt("see the preview link of another's")
def preview_others(client, desk, actor):
    return preview_shown(client, desk.story(desk.colleague))


TAGS = reverse("admin:taggit_tag_changelist")


@attempt("bulk: merge tags")
def merge_tags(client, desk, actor):
    ArticleFactory(tags=["Immigration"])
    ArticleFactory(tags=["immigration policy"])
    response = run_action(client, TAGS, "merge_tags", Tag.objects.all())
    return outcome(client, response, Tag.objects.count() == 1)


@attempt("bulk: delete tags")
def bulk_delete_tags(client, desk, actor):
    ArticleFactory(tags=["Immigration", "ICE"])
    response = run_action(client, TAGS, "delete_selected", Tag.objects.all(), post="yes")
    return outcome(client, response, not Tag.objects.exists())


@attempt("delete a tag")
def delete_tag(client, desk, actor):
    tag = Tag.objects.create(name="ICE", slug="ice")
    response = client.post(reverse("admin:taggit_tag_delete", args=[tag.pk]), {"post": "yes"})
    return outcome(client, response, not Tag.objects.exists())


@attempt("add a tag")
def add_tag(client, desk, actor):
    response = client.post(reverse("admin:taggit_tag_add"), {"name": "ICE", "slug": "ice"})
    return outcome(client, response, Tag.objects.exists())


@attempt("rename a tag")
def rename_tag(client, desk, actor):
    tag = Tag.objects.create(name="ICE", slug="ice")
    url = reverse("admin:taggit_tag_change", args=[tag.pk])
    response = client.post(url, {"name": "Immigration", "slug": "ice"})
    return outcome(client, response, Tag.objects.filter(name="Immigration").exists())


@attempt("pick a section in the story form")
def autocomplete_section(client, desk, actor):
    query = {"app_label": "articles", "model_name": "article", "field_name": "section"}
    response = client.get(reverse("admin:autocomplete"), {**query, "term": "New"})
    found = response.status_code == HTTPStatus.OK and "New York" in response.content.decode()
    return outcome(client, response, found)


SECTION = {"name": "Climate", "slug": "climate", "description": "", "position": 6}
AUTHOR = {"name": "Ana Reyes", "slug": "ana-reyes", "title": "", "bio": "", "user": ""}


def add_thing(client, url_name, data, model):
    response = client.post(reverse(url_name), data)
    return outcome(client, response, model.objects.filter(slug=data["slug"]).exists())


def change_thing(client, url_name, thing, data, model):
    response = client.post(reverse(url_name, args=[thing.pk]), data)
    return outcome(client, response, model.objects.filter(pk=thing.pk, name="Renamed").exists())


def delete_thing(client, url_name, thing):
    response = client.post(reverse(url_name, args=[thing.pk]), {"post": "yes"})
    gone = not type(thing).objects.filter(pk=thing.pk).exists()
    return outcome(client, response, gone)


def bulk_delete(client, url_name, thing):
    response = run_action(client, reverse(url_name), "delete_selected", [thing], post="yes")
    return outcome(client, response, not type(thing).objects.filter(pk=thing.pk).exists())


@attempt("add a section")
def add_section(client, desk, actor):
    return add_thing(client, "admin:articles_section_add", SECTION, Section)


@attempt("change a section")
def change_section(client, desk, actor):
    section = SectionFactory(**SECTION)
    data = {**SECTION, "name": "Renamed"}
    return change_thing(client, "admin:articles_section_change", section, data, Section)


@attempt("reorder sections in their list")
def reorder_sections(client, desk, actor):
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": desk.section.pk,
        "form-0-position": "42",
        "_save": "Save",
    }
    response = client.post(reverse("admin:articles_section_changelist"), data)
    return outcome(client, response, Section.objects.filter(position=42).exists())


@attempt("delete a section")
def delete_section(client, desk, actor):
    return delete_thing(client, "admin:articles_section_delete", SectionFactory(**SECTION))


@attempt("bulk: delete sections")
def bulk_delete_sections(client, desk, actor):
    return bulk_delete(client, "admin:articles_section_changelist", SectionFactory(**SECTION))


@attempt("add an author")
def add_author(client, desk, actor):
    return add_thing(client, "admin:articles_author_add", AUTHOR, Author)


@attempt("change an author")
def change_author(client, desk, actor):
    data = {**AUTHOR, "name": "Renamed", "slug": desk.author.slug}
    return change_thing(client, "admin:articles_author_change", desk.author, data, Author)


@attempt("delete an author")
def delete_author(client, desk, actor):
    return delete_thing(client, "admin:articles_author_delete", AuthorFactory())


@attempt("bulk: delete authors")
def bulk_delete_authors(client, desk, actor):
    return bulk_delete(client, "admin:articles_author_changelist", AuthorFactory())


@attempt("add a correction")
def add_correction(client, desk, actor):
    story = desk.story(actor, live=True)
    now = timezone.localtime()
    data = {
        "article": story.pk,
        "kind": "correction",
        "text": "An earlier version misstated the vote.",
        "created_at_0": now.strftime("%Y-%m-%d"),
        "created_at_1": now.strftime("%H:%M:%S"),
    }
    response = client.post(reverse("admin:articles_correction_add"), data)
    return outcome(client, response, Correction.objects.exists())


@attempt("delete a correction")
def delete_correction(client, desk, actor):
    story = desk.story(actor, live=True)
    correction = Correction.objects.create(article=story, text="Misstated the vote.")
    return delete_thing(client, "admin:articles_correction_delete", correction)


@attempt("add a login")
def add_login(client, desk, actor):
    data = {"username": "mallory", "password1": "x8#Qw!pL2zR", "password2": "x8#Qw!pL2zR"}
    response = client.post(reverse("admin:auth_user_add"), {**data, "usable_password": "true"})
    return outcome(client, response, User.objects.filter(username="mallory").exists())


def test_the_policy_covers_every_attempt_once():
    assert sorted(ATTEMPTS) == sorted(row[0] for row in POLICY)
    assert all(len(row) == 1 + len(ROLES) for row in POLICY)


def test_every_admin_action_declares_its_permissions():
    undeclared = {}
    for model, model_admin in admin.site._registry.items():
        names = [name for name, _ in admin.site.actions] + list(model_admin.actions or [])
        for name in names:
            function, action_name, _ = model_admin.get_action(name)
            permissions = getattr(function, "allowed_permissions", ())
            checks = [hasattr(model_admin, f"has_{perm}_permission") for perm in permissions]
            if not permissions or not all(checks):
                undeclared[f"{model._meta.label}.{action_name}"] = permissions
    assert undeclared == {}


def test_merging_tags_needs_the_permission_to_delete_tags(client, desk):
    """A user who may rename tags (and edit every story) still may not merge them away."""
    curator = User.objects.create_user("tina", password="pw", is_staff=True)
    curator.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_tag", "change_tag", "change_article", "view_article"]
        )
    )
    client.force_login(curator)
    assert merge_tags(client, desk, curator) == REFUSED
    assert Tag.objects.count() == 2


def was_live_draft(desk, user):
    """A reporter's story that was live once and is back in the drafts, so theirs to edit."""
    story = desk.story(user, live=True)
    story.status = Article.Status.DRAFT  # a fixture, not a desk action
    story.save()
    return story


# The status choices a reporter's form offers are draft and review.
REPORTER_REFUSED = "Select a valid choice."
# fmt: off
FORGED_FIELDS = [
    # what a reporter's raw post adds                                 the refusal (None: ignored)
    ({"substantive_update": "on", "update_reason": "Adds a quote."},  "Only editors can mark a substantive update."),  # noqa: E501
    ({"status": "published", "publish_at_0": "2020-01-01", "publish_at_1": "09:00:00"}, REPORTER_REFUSED),  # noqa: E501
    ({"status": "unpublished"},                                       REPORTER_REFUSED),
    ({"featured": "on"},                                              None),
    ({"publish_at_0": "2031-01-01", "publish_at_1": "09:00:00"},      None),
]
# fmt: on


@pytest.mark.parametrize(("forged", "refusal"), FORGED_FIELDS)
def test_fields_hidden_from_reporters_are_enforced_on_the_server(client, desk, forged, refusal):
    reporter = desk.users["reporter"]
    story = was_live_draft(desk, reporter)
    publish_at = story.publish_at
    client.force_login(reporter)
    response = post_story(client, desk, story, headline="Reporter's edit", **forged)
    if refusal:
        assert response.status_code == HTTPStatus.OK
        assert refusal in response.content.decode()
        assert story.headline != "Reporter's edit"
    else:
        assert response.status_code == HTTPStatus.FOUND  # saved, the read-only field ignored
        assert story.headline == "Reporter's edit"
    assert (story.status, story.publish_at) == ("draft", publish_at)
    assert story.modified_at is None and not story.featured
    assert not story.revisions.filter(is_substantive=True).exists()


def test_an_editor_may_mark_the_same_update_substantive(client, desk):
    story = was_live_draft(desk, desk.users["reporter"])
    client.force_login(desk.users["editor"])
    forged = FORGED_FIELDS[0][0]
    assert post_story(client, desk, story, **forged).status_code == HTTPStatus.FOUND
    assert story.modified_at is not None
