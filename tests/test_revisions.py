"""Revisions, restore, no lost updates, substantive updates and the readers' change log."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from articles.editorial import publishing, revisions
from articles.editorial.changes import recording
from articles.models import Article, Revision
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory
from tests.test_admin import article_form

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def post_change(client, article, commits, **fields):
    with commits():
        return client.post(
            change_url(article), article_form(article.section, article=article, **fields)
        )


def live_fields(article):
    when = timezone.localtime(article.publish_at)
    return {
        "status": "published",
        "publish_at_0": when.strftime("%Y-%m-%d"),
        "publish_at_1": when.strftime("%H:%M:%S.%f"),
        "slug": article.slug,
    }


def test_every_save_path_stores_a_snapshot_with_who_and_what(
    admin_client, admin_user, section, commits
):
    author = AuthorFactory(name="Ana Reyes")
    with commits():
        article = ArticleFactory(headline="First", authors=[author], tags=["Budget"])
    shell_revision = article.revisions.latest()
    assert shell_revision.created_by is None
    assert shell_revision.data["headline"] == "First"
    assert shell_revision.data["tags"] == ["Budget"]
    assert [a["name"] for a in shell_revision.data["authors"]] == ["Ana Reyes"]

    article.refresh_from_db()
    response = post_change(admin_client, article, commits, headline="Second", slug=article.slug)
    assert response.status_code == HTTPStatus.FOUND
    admin_revision = article.revisions.latest()
    assert admin_revision.created_by == admin_user
    assert admin_revision.data["headline"] == "Second"
    # One admin save (story, tags and byline) is one revision.
    assert article.revisions.count() == 2


def test_revisions_page_lists_and_diffs_against_the_current_text(admin_client, section, commits):
    with commits():
        article = ArticleFactory(headline="Mayor vows cooperation", body="<p>The mayor spoke.</p>")
    old = article.revisions.latest()
    article.refresh_from_db()
    post_change(
        admin_client,
        article,
        commits,
        headline="Mayor vows no cooperation",
        body="<p>The mayor spoke firmly.</p>",
        slug=article.slug,
    )
    listing = admin_client.get(reverse("admin:articles_article_revisions", args=[article.pk]))
    assert listing.status_code == HTTPStatus.OK
    assert "Mayor vows cooperation" in listing.content.decode()
    page = admin_client.get(
        reverse("admin:articles_article_revision", args=[article.pk, old.pk])
    ).content.decode()
    assert "Mayor vows <ins>no </ins>cooperation" in page
    assert "The mayor spoke<ins> firmly</ins>." in page


def test_restoring_a_revision_brings_the_text_back_as_a_new_revision(
    admin_client, section, commits
):
    with commits():
        article = ArticleFactory(headline="Original", tags=["Budget"])
    original = article.revisions.latest()
    article.refresh_from_db()
    post_change(
        admin_client, article, commits, headline="Rewritten", tags="Parks", slug=article.slug
    )
    with commits():
        response = admin_client.post(
            reverse("admin:articles_article_revision", args=[article.pk, original.pk])
        )
    assert response.status_code == HTTPStatus.FOUND
    article.refresh_from_db()
    assert article.headline == "Original"
    assert list(article.tags.names()) == ["Budget"]
    assert article.revisions.count() == 3
    assert article.revisions.latest().note == f"Restored version {original.version}"


def test_second_editor_saving_a_stale_copy_is_stopped_and_shown_what_changed(
    admin_client, section, commits
):
    with commits():
        article = ArticleFactory(headline="Budget talks stall", authors=[AuthorFactory()])
    article.refresh_from_db()
    opened = article_form(section, article=article, headline="Budget talks resume")
    first = User.objects.create_superuser("first", password="pw")
    other = admin_client.__class__()
    other.force_login(first)
    post_change(other, article, commits, headline="Budget talks collapse", slug=article.slug)

    with commits():
        response = admin_client.post(change_url(article), {**opened, "slug": article.slug})
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "changed by first since you opened it" in page
    assert "Budget talks <del>stall</del><ins>collapse</ins>" in page
    article.refresh_from_db()
    assert article.headline == "Budget talks collapse"


def test_substantive_update_moves_the_public_updated_time_and_a_typo_fix_does_not(
    admin_client, client, section, commits
):
    with commits():
        article = ArticleFactory(live=True, authors=[AuthorFactory()], body="<p>Teh vote.</p>")
    article.refresh_from_db()
    post_change(admin_client, article, commits, body="<p>The vote.</p>", **live_fields(article))
    article.refresh_from_db()
    assert article.modified_at is None
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()

    post_change(
        admin_client,
        article,
        commits,
        body="<p>The vote passed 31 to 20.</p>",
        substantive_update="on",
        update_reason="Adds the final count.",
        **live_fields(article),
    )
    article.refresh_from_db()
    assert article.modified_at is not None
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Updated" in page
    assert f'href="{article.get_absolute_url()}history/"' in page


def test_substantive_update_needs_a_reason(admin_client, section, commits):
    article = ArticleFactory(live=True, authors=[AuthorFactory()])
    response = post_change(
        admin_client, article, commits, substantive_update="on", **live_fields(article)
    )
    assert "Say what changed" in response.content.decode()


def test_reader_change_log_shows_public_versions_and_corrections_never_drafts(
    client, section, commits
):
    with commits():
        article = ArticleFactory(live=True, body="<p>Council meets.</p>", authors=[AuthorFactory()])
    with commits():
        article.body = "<p>Secret draft wording.</p>"
        publishing.return_to_draft(article)
    with commits(), recording():
        article.body = "<p>Council meets and votes.</p>"
        publishing.publish(article, at=article.publish_at)
        publishing.save(article, note="Adds the vote.", substantive=True)
    CorrectionFactory(article=article, text="An earlier version misstated the date.")
    response = client.get(article.get_absolute_url() + "history/")
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Adds the vote." in page and "misstated the date" in page
    assert "Council meets<ins> and votes</ins>." in page
    assert "Secret draft wording" not in page


def test_change_log_of_a_draft_is_not_found(client, section):
    article = ArticleFactory()
    assert client.get(article.get_absolute_url() + "history/").status_code == HTTPStatus.NOT_FOUND


def test_corrections_page_lists_corrections_on_live_stories_newest_first(client, section):
    old = CorrectionFactory(text="Older correction.")
    old.created_at = timezone.now() - timedelta(days=2)
    old.save()
    CorrectionFactory(text="Newer correction.")
    CorrectionFactory(article=ArticleFactory(), text="Correction on a draft.")
    page = client.get("/corrections/").content.decode()
    assert page.index("Newer correction.") < page.index("Older correction.")
    assert "Correction on a draft." not in page


def test_revisions_add_no_queries_to_the_story_page(
    client, section, commits, django_assert_num_queries
):
    with commits():
        article = ArticleFactory(live=True)
    for n in range(5):
        with commits():
            article.headline = f"Headline {n}"
            article.save()
    with django_assert_num_queries(5):
        client.get(article.get_absolute_url())


def test_diff_marks_changed_words():
    changes = revisions.diff(
        {"headline": "A", "dek": "", "body": "<p>The vote passed.</p>"},
        {"headline": "A", "dek": "", "body": "<p>The vote failed.</p><p>New para.</p>"},
    )
    html = " ".join(change.html for change in changes)
    assert "The vote <del>passed</del><ins>failed</ins>." in html
    assert "<ins>New para.</ins>" in html


def test_publishing_module_records_who_published(admin_user, section, commits):
    with commits():
        article = ArticleFactory(authors=[AuthorFactory()])
    with commits():
        publishing.publish(article, by=admin_user)
    revision = Revision.objects.latest()
    assert revision.created_by == admin_user and revision.was_live
    assert revision.note == "Published"


def test_scheduling_and_withdrawing_leave_their_notes(admin_user, section, commits):
    with commits():
        article = ArticleFactory(authors=[AuthorFactory()])
    with commits():
        publishing.publish(article, at=timezone.now() + timedelta(hours=2), by=admin_user)
    assert Revision.objects.latest().note.startswith("Scheduled for ")
    with commits():
        publishing.unpublish(article, by=admin_user)
    assert Revision.objects.latest().note == "Withdrawn"


def test_publishing_in_the_admin_form_goes_through_the_door(
    admin_client, admin_user, section, commits
):
    author = AuthorFactory()
    when = timezone.localtime() - timedelta(minutes=5)
    with commits():
        response = admin_client.post(
            reverse("admin:articles_article_add"),
            article_form(
                section,
                authors=[author],
                status="published",
                publish_at_0=when.strftime("%Y-%m-%d"),
                publish_at_1=when.strftime("%H:%M:%S"),
            ),
        )
    assert response.status_code == HTTPStatus.FOUND
    article = Article.objects.get()
    assert article.is_live
    revision = article.revisions.get()  # the text, byline and state: one save, one revision
    assert revision.note == "Published" and revision.created_by == admin_user
    assert revision.was_live and [a["name"] for a in revision.data["authors"]] == [author.name]


def test_a_recording_block_that_fails_records_nothing(section, commits):
    with commits():
        article = ArticleFactory()
    with commits(), pytest.raises(RuntimeError):
        with recording(note="Half an edit"):
            article.headline = "Rolled back"
            publishing.save(article)
            raise RuntimeError
    assert article.revisions.count() == 1
    assert Article.objects.get().headline != "Rolled back"


def test_nested_recording_blocks_make_one_revision_whose_note_adds_up(admin_user, section, commits):
    with commits():
        article = ArticleFactory(authors=[AuthorFactory()])
    with commits(), recording(by=admin_user, note="Imported from the wire"):
        publishing.save(article, note="Adds the vote")
        publishing.publish(article)
    revision = article.revisions.latest()
    assert article.revisions.count() == 2
    assert revision.note == "Imported from the wire; Adds the vote; Published"
    assert revision.created_by == admin_user
