from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.editorial.preview import make_token, preview_url
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_change_form_links_a_non_live_story_to_its_preview(admin_client, section):
    article = ArticleFactory(headline="Embargoed budget story", scheduled=True)
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "/preview/" in page.content.decode()


def test_preview_shows_the_story_to_someone_without_a_login(client, section):
    article = ArticleFactory(headline="Embargoed budget story", scheduled=True)
    response = client.get(preview_url(article))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Embargoed budget story" in page
    assert 'name="robots" content="noindex' in page
    assert "Preview" in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_tampered_preview_token_is_not_found(client, section):
    article = ArticleFactory()
    token = make_token(article)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/preview/{tampered}/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/preview/not-a-token/").status_code == HTTPStatus.NOT_FOUND


def test_expired_preview_token_is_not_found(client, section, settings, monkeypatch):
    settings.PREVIEW_MAX_AGE = 60
    article = ArticleFactory()
    url = preview_url(article)
    later = timezone.now() + timedelta(seconds=61)
    monkeypatch.setattr("time.time", lambda: later.timestamp())
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_preview_of_a_deleted_story_is_not_found(client, section):
    article = ArticleFactory()
    url = preview_url(article)
    article.delete()
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
