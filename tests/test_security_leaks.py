"""Issue 10, "no leak of unpublished copy": what only unpublished stories carry stays unseen.

Here: tag and author pages and their feeds, and preview links of withdrawn stories. The crawl
of the whole site with planted markers is test_security_crawl.py.
"""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from articles.editorial import publishing
from articles.editorial.preview import preview_url
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

EMBARGOED = "Secret merger"
PATHS = [
    "/tag/secret-merger/",
    "/tag/secret-merger/feed/",
    "/author/embargo-reporter/",
    "/author/embargo-reporter/feed/",
]


@pytest.fixture
def embargoed_author():
    return AuthorFactory(name="Embargo Reporter", slug="embargo-reporter")


def unpublished_story(state, **fields):
    if state == "withdrawn":
        return publishing.unpublish(ArticleFactory(live=True, **fields))
    if state == "scheduled":  # embargoed: published, its time not come
        later = timezone.now() + timedelta(days=2)
        return ArticleFactory(status="published", publish_at=later, **fields)
    return ArticleFactory(status=state, **fields)


@pytest.mark.parametrize("state", ["draft", "review", "scheduled", "withdrawn"])
def test_a_tag_or_author_only_unpublished_stories_carry_answers_404_page_and_feed(
    client, section, embargoed_author, state
):
    unpublished_story(state, tags=[EMBARGOED], authors=[embargoed_author])
    for path in PATHS:
        response = client.get(path)
        assert response.status_code == HTTPStatus.NOT_FOUND, path
        page = response.content.decode()
        assert EMBARGOED not in page and "Embargo Reporter" not in page


def test_a_tag_and_an_author_appear_with_their_first_live_story(client, section, embargoed_author):
    ArticleFactory(live=True, tags=[EMBARGOED], authors=[embargoed_author], headline="Out now")
    for path in (
        "/tag/secret-merger/",
        "/tag/secret-merger/feed/",
        "/author/embargo-reporter/",
        "/author/embargo-reporter/feed/",
    ):
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK, path
        assert "Out now" in response.content.decode()


def test_an_empty_section_is_still_a_page(client, section):
    assert client.get(section.get_absolute_url()).status_code == HTTPStatus.OK
    assert client.get(f"{section.get_absolute_url()}feed/").status_code == HTTPStatus.OK


def test_a_preview_link_stops_working_once_the_story_is_withdrawn_or_deleted(client, section):
    withdrawn = ArticleFactory(live=True, headline="Taken down")
    link = preview_url(withdrawn)
    assert client.get(link).status_code == HTTPStatus.OK
    publishing.unpublish(withdrawn)
    response = client.get(link)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Taken down" not in response.content.decode()
    deleted = ArticleFactory(headline="Deleted draft")
    link = preview_url(deleted)
    deleted.delete()
    assert client.get(link).status_code == HTTPStatus.NOT_FOUND
