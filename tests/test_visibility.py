from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_published_gate_and_is_live_agree_at_the_boundary(section):
    now = timezone.now()
    before = ArticleFactory(status="published", publish_at=now - timedelta(seconds=1))
    after = ArticleFactory(status="published", publish_at=now + timedelta(seconds=1))
    live_ids = set(Article.objects.published().values_list("pk", flat=True))
    assert before.pk in live_ids and before.is_live
    assert after.pk not in live_ids and not after.is_live


def test_story_is_live_at_the_exact_publish_time(section, settings):
    article = ArticleFactory(status="published", publish_at=timezone.now())
    assert article.is_live
    assert Article.objects.published().filter(pk=article.pk).exists()


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
