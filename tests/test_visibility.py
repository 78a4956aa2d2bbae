from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


PUBLISH_AT = datetime(2026, 11, 3, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "live"), [(-1, False), (0, True), (1, True)], ids=["before", "at", "after"]
)
def test_published_gate_and_is_live_agree_at_the_boundary(client, section, offset, live):
    with time_machine.travel(PUBLISH_AT - timedelta(days=1), tick=False):
        article = ArticleFactory(status="published", publish_at=PUBLISH_AT)
    with time_machine.travel(PUBLISH_AT + timedelta(seconds=offset), tick=False):
        assert article.is_live is live
        assert Article.objects.published().filter(pk=article.pk).exists() is live
        response = client.get(article.get_absolute_url())
    assert response.status_code == (HTTPStatus.OK if live else HTTPStatus.NOT_FOUND)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "draft"},
        {"status": "review"},
        {"scheduled": True},
        {"status": "unpublished"},
    ],
    ids=["draft", "review", "scheduled", "unpublished-never-live"],
)
def test_non_live_story_is_404_and_absent_from_listings(client, section, author, fields):
    article = ArticleFactory(
        headline="Secret budget draft", authors=[author], tags=["Budget"], **fields
    )
    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    for url in ["/", "/section/new-york/", "/tag/budget/", f"/author/{author.slug}/"]:
        response = client.get(url)
        assert "Secret budget draft" not in response.content.decode(), url


def test_withdrawn_story_answers_410_gone(client, section):
    article = ArticleFactory(live=True)
    url = article.get_absolute_url()
    article.status = Article.Status.UNPUBLISHED
    article.save()
    response = client.get(url)
    assert response.status_code == HTTPStatus.GONE
    assert "withdrawn" in response.content.decode()
    assert article.headline not in client.get("/").content.decode()


def test_first_published_at_is_set_once_when_the_story_goes_live(section):
    article = ArticleFactory(live=True)
    first = article.first_published_at
    assert first == article.publish_at
    article.publish_at = timezone.now() - timedelta(minutes=5)
    article.save()
    article.refresh_from_db()
    assert article.first_published_at == first


def test_database_refuses_a_published_story_without_publish_time(section):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ArticleFactory(status="published", publish_at=None)


def test_scheduled_story_records_its_first_publication_at_its_embargo_time(section):
    article = ArticleFactory(scheduled=True)
    assert article.first_published_at == article.publish_at
    article.publish_at = article.publish_at + timedelta(hours=2)
    article.save()
    assert article.first_published_at == article.publish_at
