"""Nothing lost: deleting a story on the desk moves it to the trash, where it stays
restorable (revisions, corrections, tags, byline and all) for 30 days; readers never see it
there; `purge_trash` deletes it for good afterwards; what stories use cannot be deleted."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.editorial import publishing
from articles.editorial.preview import preview_url
from articles.models import Article, ArticleRedirect, Author, Byline, Correction, Revision, Section
from caching.models import PendingPurge
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory
from tests.test_admin import ADD, CHANGELIST, article_form

pytestmark = pytest.mark.django_db

TRASH = reverse("admin:articles_trashedarticle_changelist")
TRASHED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
THIRTY_DAYS = timedelta(days=30)
SECOND = timedelta(seconds=1)


@pytest.fixture
def desk(client, editor):
    """The test client, logged in as an editor (readers use `reader`, a client of their own)."""
    client.force_login(editor)
    return client


@pytest.fixture
def reader(db):
    return Client()


@pytest.fixture
def story(section, commits):
    """A live story with a history: two revisions, a correction, an old address, two tags
    (one it alone carries) and an author who writes nothing else."""
    with commits():
        article = ArticleFactory(
            live=True,
            headline="Ferry fares rise",
            slug="ferry-fares-rise",
            authors=[AuthorFactory(name="Ana Reyes", slug="ana-reyes")],
            tags=["Ferries", "Fare policy"],
        )
    with commits():
        article.slug = "ferry-fares-rise-again"
        publishing.save(article, note="A new address.", substantive=True)
        CorrectionFactory(article=article, text="An earlier version misstated the fare.")
    with commits():
        # Another story keeps the Ferries tag public.
        ArticleFactory(live=True, headline="Ferry schedule", tags=["Ferries"])
    return article


def public_addresses(story):
    old = ArticleRedirect.objects.get(article=story).old_path
    page = story.get_absolute_url()
    return {
        "page": page,
        "history": page + "history/",
        "preview": preview_url(story),
        "old address": old,
        "api item": f"/api/v1/articles/{story.uuid}/",
        "ninjs": f"/api/v1/articles/{story.uuid}/ninjs/",
        "lone tag page": "/tag/fare-policy/",
        "lone tag feed": "/tag/fare-policy/feed/",
        "author page": "/author/ana-reyes/",
    }


LISTINGS = [
    "/",
    "/section/new-york/",
    "/tag/ferries/",
    "/feed/",
    "/feed/atom/",
    "/sitemap.xml",
    "/news-sitemap.xml",
    "/search/?q=ferry",
    "/api/v1/articles/",
]


def shows(reader, url, story) -> bool:
    response = reader.get(url)
    assert response.status_code == HTTPStatus.OK, url
    text = response.content.decode()
    return story.headline in text or str(story.uuid) in text or "ferry-fares-rise-again" in text


def move_to_trash(desk, story, commits):
    url = reverse("admin:articles_article_delete", args=[story.pk])
    assert "Move “Ferry fares rise” to the trash?" in desk.get(url).content.decode()
    with commits():
        response = desk.post(url, {"post": "yes"}, follow=True)
    story.refresh_from_db()
    return response


def test_deleting_on_the_desk_moves_the_story_to_the_trash_and_off_every_public_page(
    desk, reader, story, editor, commits
):
    addresses = public_addresses(story)
    for name, url in addresses.items():
        answer = reader.get(url).status_code
        assert answer == (HTTPStatus.MOVED_PERMANENTLY if name == "old address" else 200), name
    assert all(shows(reader, url, story) for url in LISTINGS)

    response = move_to_trash(desk, story, commits)

    assert "“Ferry fares rise” is in the trash" in response.content.decode()
    assert story.is_trashed and story.trashed_by == editor
    for name, url in addresses.items():
        assert reader.get(url).status_code == HTTPStatus.NOT_FOUND, name
    assert [url for url in LISTINGS if shows(reader, url, story)] == []
    assert not Article.objects.published().filter(pk=story.pk).exists()


def test_the_bulk_delete_action_moves_the_selected_stories_to_the_trash(desk, story, commits):
    other = ArticleFactory(live=True, headline="Bridge closes")
    data = {"action": "delete_selected", "_selected_action": [story.pk, other.pk]}
    confirm = desk.post(CHANGELIST, data).content.decode()
    assert "Move the selected articles to the trash?" in confirm
    with commits():
        response = desk.post(CHANGELIST, {**data, "post": "yes"}, follow=True)
    assert "2 stories are in the trash" in response.content.decode()
    assert Article.objects.trashed().count() == 2
    listed = desk.get(CHANGELIST).content.decode()
    assert "Ferry fares rise" not in listed and "Bridge closes" not in listed


def test_the_trash_lists_when_each_story_was_trashed_and_when_it_will_be_purged(
    desk, section, editor, django_assert_max_num_queries
):
    with time_machine.travel(TRASHED_AT, tick=False):
        story = ArticleFactory(live=True, headline="Ferry fares rise")
        publishing.move_to_trash(story, by=editor)
        for number in range(3):
            other = ArticleFactory(headline=f"Old draft {number}", authors=[AuthorFactory()])
            publishing.move_to_trash(other, by=editor)
    with django_assert_max_num_queries(12):
        page = desk.get(TRASH).content.decode()
    assert "Ferry fares rise" in page and "Old draft 2" in page
    assert 'datetime="2026-11-02T09:00:00+00:00"' in page  # in the trash since
    assert 'datetime="2026-12-02T09:00:00+00:00"' in page  # deleted for good after
    assert "Live" in page  # what it was before
    assert "Stories stay here for 30 days, then are deleted for good." in page


def test_an_editor_restores_a_story_with_everything_it_had_as_a_draft(
    desk, reader, story, editor, commits
):
    before = {
        "revisions": sorted(story.revisions.values_list("pk", flat=True)),
        "corrections": list(story.corrections.values_list("text", flat=True)),
        "tags": sorted(story.tags.names()),
        "byline": [author.name for author in story.byline_authors],
        "redirects": list(story.redirects.values_list("old_path", flat=True)),
    }
    move_to_trash(desk, story, commits)
    with commits():
        data = {"action": "restore", "_selected_action": [story.pk]}
        response = desk.post(TRASH, data, follow=True)
    assert "1 story restored as a draft" in response.content.decode()
    story.refresh_from_db()
    story.attached_byline_authors = None
    assert not story.is_trashed and story.status == Article.Status.DRAFT
    assert story.slug == "ferry-fares-rise-again"
    after = {
        "revisions": sorted(story.revisions.values_list("pk", flat=True))[:2],
        "corrections": list(story.corrections.values_list("text", flat=True)),
        "tags": sorted(story.tags.names()),
        "byline": [author.name for author in story.byline_authors],
        "redirects": list(story.redirects.values_list("old_path", flat=True)),
    }
    assert after == before
    notes = list(story.revisions.order_by("pk").values_list("note", flat=True))
    assert notes[-2:] == ["Moved to the trash", "Restored from the trash"]
    # A draft: readers see it again only once an editor publishes it.
    assert reader.get(story.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    with commits():
        publishing.publish(story, by=editor)
    assert reader.get(story.get_absolute_url()).status_code == HTTPStatus.OK
    assert reader.get("/tag/fare-policy/").status_code == HTTPStatus.OK


def test_a_trashed_storys_address_is_free_for_a_new_story(desk, section, author, commits):
    with commits():
        # Live until trashed: readers knew it at this address.
        old = ArticleFactory(live=True, headline="Council budget", slug="council-passes-the-budget")
        publishing.move_to_trash(old)
    response = desk.post(ADD, article_form(section, [author]))
    assert response.status_code == HTTPStatus.FOUND
    assert Article.objects.not_trashed().get(slug="council-passes-the-budget")


def test_restoring_a_story_whose_address_was_taken_gives_it_a_free_one(desk, editor, commits):
    with commits():
        old = ArticleFactory(headline="Council budget", slug="council-budget")
        publishing.move_to_trash(old, by=editor)
        ArticleFactory(headline="Council budget, again", slug="council-budget")
    data = {"action": "restore", "_selected_action": [old.pk]}
    page = desk.post(TRASH, data, follow=True).content.decode()
    old.refresh_from_db()
    assert old.slug == "council-budget-2" and not old.is_trashed
    assert "it was restored at “council-budget-2”" in page


def test_restoring_never_takes_another_storys_old_address(desk, editor, commits):
    with commits():
        old = ArticleFactory(headline="Council budget", slug="council-budget")
        publishing.move_to_trash(old, by=editor)
        newer = ArticleFactory(live=True, headline="Council budget, again", slug="council-budget")
        newer.slug = "council-budget-final"
        publishing.save(newer)
    desk.post(TRASH, {"action": "restore", "_selected_action": [old.pk]})
    old.refresh_from_db()
    assert old.slug == "council-budget-2"
    assert newer.redirects.filter(old_path__endswith="/council-budget/").exists()


def test_a_story_in_the_trash_cannot_be_published_until_restored(section, author):
    story = ArticleFactory(authors=[author])
    read_before = Article.objects.get(pk=story.pk)
    publishing.move_to_trash(story)
    assert story.is_trashed  # the caller's copy too: saved as it was, it would undo the move
    for copy in (story, read_before):
        with pytest.raises(publishing.PublishingError, match="in the trash: restore it first"):
            publishing.publish(copy)
    assert not Article.objects.published().exists()


def test_a_reporter_can_neither_trash_nor_restore_even_by_a_forged_post(
    client, reporter, editor, section
):
    own = ArticleFactory(created_by=reporter, headline="Own draft")
    trashed = ArticleFactory(created_by=reporter, headline="Trashed draft")
    publishing.move_to_trash(trashed, by=editor)
    client.force_login(reporter)
    delete = reverse("admin:articles_article_delete", args=[own.pk])
    assert client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    bulk = {"action": "delete_selected", "_selected_action": [own.pk], "post": "yes"}
    page = client.post(CHANGELIST, bulk, follow=True).content.decode()
    assert "You may not run “delete_selected” here; nothing was changed." in page
    restore = {"action": "restore", "_selected_action": [trashed.pk]}
    assert client.post(TRASH, restore).status_code == HTTPStatus.FORBIDDEN
    assert client.get(TRASH).status_code == HTTPStatus.FORBIDDEN
    assert TRASH not in client.get(reverse("admin:index")).content.decode()
    assert not Article.objects.get(pk=own.pk).is_trashed
    assert Article.objects.get(pk=trashed.pk).is_trashed


def trash_at(moment, **fields):
    with time_machine.travel(moment, tick=False):
        story = ArticleFactory(**fields)
        publishing.move_to_trash(story)
    return story


def purge(moment, *args):
    out = StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("purge_trash", *args, stdout=out)
    return out.getvalue()


def test_purge_trash_keeps_a_story_for_thirty_days_then_deletes_it_for_good(section):
    author = AuthorFactory(name="Ana Reyes")
    story = trash_at(TRASHED_AT, headline="Ferry fares rise", authors=[author], tags=["Ferries"])
    CorrectionFactory(article=story)
    untouched = ArticleFactory(live=True, headline="Old but live")

    kept = purge(TRASHED_AT + THIRTY_DAYS - SECOND)
    assert "Nothing to purge" in kept
    assert Article.objects.filter(pk=story.pk).exists()

    done = purge(TRASHED_AT + THIRTY_DAYS + SECOND)
    assert f"“Ferry fares rise” (id {story.pk}, trashed 2026-11-02 04:00 EST)" in done
    assert "Purged 1 story moved to the trash before 2026-11-02 04:00 EST." in done
    assert not Article.objects.filter(pk=story.pk).exists()
    for model in (Revision, Correction, Byline, ArticleRedirect):
        assert not model.objects.filter(article_id=story.pk).exists(), model
    # The people and the vocabulary it used stay; so does every other story.
    assert Author.objects.filter(pk=author.pk).exists() and Tag.objects.filter(name="Ferries")
    assert Article.objects.filter(pk=untouched.pk).exists()
    assert "Nothing to purge" in purge(TRASHED_AT + THIRTY_DAYS + SECOND)


def test_purge_trash_dry_run_lists_and_deletes_nothing(section):
    story = trash_at(TRASHED_AT, headline="Ferry fares rise")
    out = purge(TRASHED_AT + THIRTY_DAYS + SECOND, "--dry-run")
    assert "“Ferry fares rise”" in out
    assert "1 story moved to the trash before 2026-11-02 04:00 EST would be purged" in out
    assert Article.objects.filter(pk=story.pk).exists()


def test_purge_trash_days_sets_the_period_and_must_be_at_least_one(section):
    story = trash_at(TRASHED_AT)
    assert "Nothing to purge" in purge(TRASHED_AT + timedelta(days=7) - SECOND, "--days", "7")
    with pytest.raises(CommandError, match="--days must be at least 1"):
        purge(TRASHED_AT + THIRTY_DAYS + SECOND, "--days", "0")
    assert Article.objects.filter(pk=story.pk).exists()
    assert "Purged 1 story" in purge(TRASHED_AT + timedelta(days=7) + SECOND, "--days", "7")


def test_purge_trash_never_deletes_a_restored_story(section):
    story = trash_at(TRASHED_AT)
    publishing.restore_from_trash(story)
    assert "Nothing to purge" in purge(TRASHED_AT + THIRTY_DAYS + SECOND)
    assert Article.objects.filter(pk=story.pk).exists()


def refused(desk, url, data=None):
    response = desk.post(url, data or {"post": "yes"}, follow=True)
    return [str(message) for message in response.context["messages"]]


def test_a_section_stories_use_cannot_be_deleted_and_the_trash_counts(desk, commits):
    climate = SectionFactory(name="Climate", slug="climate")
    empty = SectionFactory(name="Empty", slug="empty")
    ArticleFactory(section=climate)
    publishing.move_to_trash(ArticleFactory(section=climate))
    url = reverse("admin:articles_section_delete", args=[climate.pk])
    assert refused(desk, url) == [
        "“Climate” cannot be deleted: 2 stories use it (1 of them in the trash, which counts "
        "until it is purged, since it can still be restored). Move its stories to another "
        "section first."
    ]
    bulk = {"action": "delete_selected", "_selected_action": [climate.pk, empty.pk], "post": "yes"}
    messages = refused(desk, reverse("admin:articles_section_changelist"), bulk)
    assert messages[0].startswith("“Climate” cannot be deleted: 2 stories use it")
    assert messages[-1] == "Nothing was deleted."
    assert Section.objects.filter(slug__in=["climate", "empty"]).count() == 2


def test_an_author_on_a_trashed_storys_byline_cannot_be_deleted(desk, section):
    author = AuthorFactory(name="Ana Reyes")
    publishing.move_to_trash(ArticleFactory(authors=[author]))
    url = reverse("admin:articles_author_delete", args=[author.pk])
    assert refused(desk, url) == [
        "“Ana Reyes” cannot be deleted: 1 story uses it (1 of them in the trash, which counts "
        "until it is purged, since it can still be restored). Take the author off those "
        "stories' bylines first."
    ]
    bulk = {"action": "delete_selected", "_selected_action": [author.pk], "post": "yes"}
    refused(desk, reverse("admin:articles_author_changelist"), bulk)
    assert Author.objects.filter(pk=author.pk).exists()


def test_the_page_cache_and_the_cdn_see_trashing_and_restoring(
    desk, reader, story, commits, settings, django_assert_num_queries
):
    settings.CDN_PURGE_URL = "http://cdn.invalid/purge"
    page = story.get_absolute_url()
    assert reader.get(page).status_code == HTTPStatus.OK
    assert shows(reader, "/", story)
    with django_assert_num_queries(0):
        assert reader.get(page).status_code == HTTPStatus.OK  # from the page cache
    PendingPurge.objects.all().delete()
    move_to_trash(desk, story, commits)
    assert reader.get(page).status_code == HTTPStatus.NOT_FOUND
    assert not shows(reader, "/", story)
    queued = " ".join(PendingPurge.objects.values_list("keys", flat=True)).split()
    assert f"article:{story.pk}" in queued and "list:all" in queued
    PendingPurge.objects.all().delete()
    with commits():
        desk.post(TRASH, {"action": "restore", "_selected_action": [story.pk]})
        story.refresh_from_db()
        publishing.publish(story)
    assert reader.get(story.get_absolute_url()).status_code == HTTPStatus.OK
    assert shows(reader, "/", story)
    queued = " ".join(PendingPurge.objects.values_list("keys", flat=True)).split()
    assert f"article:{story.pk}" in queued


def test_editors_find_the_trash_on_the_admin_home_page(client, editor):
    client.force_login(editor)

    page = client.get(reverse("admin:index")).content.decode()

    assert f'href="{TRASH}"' in page and "Stories in the trash" in page
