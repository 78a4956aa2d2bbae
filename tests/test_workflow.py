"""Roles, status changes, scheduling and bulk actions in the editing desk."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory
from tests.test_admin import ADD, CHANGELIST, article_form

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_roles_are_created_with_the_publish_permission_only_for_editors(reporter, editor):
    assert editor.has_perm("articles.publish_article")
    assert editor.has_perm("articles.delete_article")
    assert not reporter.has_perm("articles.publish_article")
    assert not reporter.has_perm("articles.delete_article")
    assert reporter.has_perm("articles.add_article") and reporter.has_perm(
        "articles.change_article"
    )


def test_reporter_writes_a_draft_and_submits_it_for_review(client, reporter, section, author):
    login(client, reporter)
    response = client.post(ADD, article_form(section, [author], status="review"))
    assert response.status_code == HTTPStatus.FOUND
    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW
    assert article.created_by == reporter


def test_reporter_form_offers_only_draft_and_review(client, reporter, section):
    page = login(client, reporter).get(ADD).content.decode()
    assert 'value="draft"' in page and 'value="review"' in page
    assert 'value="published"' not in page and 'value="unpublished"' not in page


@pytest.mark.parametrize("status", ["published", "unpublished"])
def test_reporter_cannot_publish_or_withdraw_by_posting_the_form(
    client, reporter, section, author, status
):
    form = article_form(
        section,
        [author],
        status=status,
        publish_at_0=timezone.localtime().strftime("%Y-%m-%d"),
        publish_at_1="00:00:00",
    )
    response = login(client, reporter).post(ADD, form)
    assert response.status_code == HTTPStatus.OK
    assert not Article.objects.exists()


def test_reporter_cannot_schedule_a_story(client, reporter, section, author):
    form = article_form(section, [author], publish_at_0="2031-01-01", publish_at_1="09:00:00")
    login(client, reporter).post(ADD, form)
    assert Article.objects.get().publish_at is None


def test_reporter_cannot_edit_someone_elses_story_or_a_live_one(client, reporter, section):
    theirs = ArticleFactory(created_by=reporter, live=True)
    others = ArticleFactory()
    login(client, reporter)
    for article in (theirs, others):
        url = reverse("admin:articles_article_change", args=[article.pk])
        response = client.post(url, article_form(section, article=article, headline="Hijack"))
        assert response.status_code == HTTPStatus.FORBIDDEN
        article.refresh_from_db()
        assert article.headline != "Hijack"


def test_reporter_cannot_delete_stories(client, reporter):
    article = ArticleFactory(created_by=reporter)
    url = reverse("admin:articles_article_delete", args=[article.pk])
    assert login(client, reporter).post(url, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert Article.objects.filter(pk=article.pk).exists()


def test_reporter_bulk_actions_exclude_publishing(client, reporter, section):
    article = ArticleFactory(created_by=reporter)
    login(client, reporter)
    page = client.get(CHANGELIST).content.decode()
    assert "submit_for_review" in page and "publish_now" not in page
    response = client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND}


def test_editor_schedules_a_story_that_goes_live_at_its_time(client, editor, section, author):
    when = timezone.localtime() + timedelta(hours=2)
    form = article_form(
        section,
        [author],
        status="published",
        publish_at_0=when.strftime("%Y-%m-%d"),
        publish_at_1=when.strftime("%H:%M:%S"),
    )
    assert login(client, editor).post(ADD, form).status_code == HTTPStatus.FOUND
    article = Article.objects.get()
    assert article.is_scheduled and not Article.objects.published().exists()
    page = client.get(CHANGELIST).content.decode()
    assert "Scheduled for" in page
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert client.get(Article.objects.get().get_absolute_url()).status_code == HTTPStatus.OK


def test_editor_bulk_publishes_reports_a_count_and_refuses_stories_without_an_author(
    client, editor, section
):
    ready = ArticleFactory(authors=[AuthorFactory()])
    no_author = ArticleFactory()
    response = login(client, editor).post(
        CHANGELIST,
        {"action": "publish_now", "_selected_action": [ready.pk, no_author.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 of 2 selected stories published." in page
    assert "no author" in page
    ready.refresh_from_db()
    no_author.refresh_from_db()
    assert ready.is_live and ready.first_published_at is not None
    assert no_author.status == Article.Status.DRAFT


def test_editor_withdraws_a_story_and_its_url_answers_410(client, editor, section):
    article = ArticleFactory(live=True)
    login(client, editor).post(
        CHANGELIST, {"action": "unpublish", "_selected_action": [article.pk]}
    )
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.GONE


def test_publishing_without_body_or_author_is_refused_with_a_message(client, editor, section):
    form = article_form(
        section,
        body="",
        status="published",
        publish_at_0=timezone.localtime().strftime("%Y-%m-%d"),
        publish_at_1="00:00:00",
    )
    response = login(client, editor).post(ADD, form)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "no body text" in page and "no author" in page
    assert not Article.objects.exists()


def test_changelist_shows_a_state_badge_for_each_state(admin_client, section):
    ArticleFactory(headline="A draft")
    ArticleFactory(headline="In the queue", status="review")
    ArticleFactory(headline="On the site", live=True)
    withdrawn = ArticleFactory(headline="Taken down", live=True)
    withdrawn.status = "unpublished"
    withdrawn.save()
    page = admin_client.get(CHANGELIST).content.decode()
    for badge in ["status-draft", "status-review", "status-live", "status-withdrawn"]:
        assert badge in page
    for label in [">Draft<", ">In review<", ">Live<", ">Withdrawn<"]:
        assert label in page


def test_readiness_panel_warns_about_headline_length_dek_tags_and_alt_text(admin_client, section):
    article = ArticleFactory(headline="H" * 90, dek="", body="<p>" + "word " * 460 + "</p>")
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = page.content.decode()
    assert "90 characters" in html
    assert "No dek" in html and "No tags" in html and "no author" in html
    assert "460 words, about 2 minutes to read." in html
