from datetime import timedelta
from http import HTTPStatus

import pytest

from articles.models import Article, ArticleRedirect
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_changed_slug_keeps_the_old_url_answering_301_across_many_changes(client, section):
    article = ArticleFactory(live=True, slug="first-slug")
    urls = [article.get_absolute_url()]
    for slug in ["second-slug", "third-slug", "fourth-slug"]:
        article.slug = slug
        article.save()
        urls.append(article.get_absolute_url())
    for old in urls[:-1]:
        response = client.get(old)
        assert response.status_code == HTTPStatus.MOVED_PERMANENTLY, old
        assert response["Location"] == urls[-1]
    assert client.get(urls[-1]).status_code == HTTPStatus.OK


def test_changed_date_keeps_the_old_url_answering_301(client, section):
    article = ArticleFactory(live=True, slug="date-moves")
    old = article.get_absolute_url()
    article.publish_at -= timedelta(days=40)
    article.save()
    response = client.get(old)
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == article.get_absolute_url() != old


def test_returning_to_an_old_slug_does_not_loop(client, section):
    article = ArticleFactory(live=True, slug="a-slug")
    first = article.get_absolute_url()
    article.slug = "b-slug"
    article.save()
    article.slug = "a-slug"
    article.save()
    assert client.get(first).status_code == HTTPStatus.OK
    response = client.get(article.get_absolute_url().replace("a-slug", "b-slug"))
    assert response["Location"] == first


def test_draft_slug_changes_leave_no_redirects(section):
    article = ArticleFactory(slug="draft-one")
    article.slug = "draft-two"
    article.save()
    assert not ArticleRedirect.objects.exists()


def test_old_address_of_a_withdrawn_story_answers_410(client, section):
    article = ArticleFactory(live=True, slug="old-name")
    old = article.get_absolute_url()
    article.slug = "new-name"
    article.status = Article.Status.UNPUBLISHED
    article.save()
    assert client.get(old).status_code == HTTPStatus.GONE


def test_imported_permalink_redirects_to_the_story(client, section):
    article = ArticleFactory(live=True)
    ArticleRedirect.objects.create(old_path="/?p=123", article=article)
    ArticleRedirect.objects.create(old_path="/2008/09/old-wordpress-post/", article=article)
    for old in ["/?p=123", "/2008/09/old-wordpress-post/"]:
        response = client.get(old)
        assert response.status_code == HTTPStatus.MOVED_PERMANENTLY, old
        assert response["Location"] == article.get_absolute_url()
