"""Issue 10, "bad requests never 500": malformed addresses and parameters get a 4xx (or the
normal page), with the site's own 404 page where the address cannot exist. Run on SQLite and
PostgreSQL (which refuses NUL bytes in text: they must never reach it).

(Hypothesis fuzzing of the whole URL space is still to come.)
"""

from http import HTTPStatus

import pytest

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = [
    "/2026/02/31/{slug}/history/",  # an impossible date on the change log
    "/2026/02/31/{slug}/",
    "/2026/13/01/{slug}/",
    "/no%00where/",
    "/tag/a%00b/",
    "/tag/a%00b/feed/",
    "/section/a%00/",
    "/author/x%00/",
    "/preview/%00/",
    "/section/new-york/?page=99999999999999999999",  # past what SQLite takes as an OFFSET
    "/section/new-york/?page=-1",
    "/sitemap-stories.xml?p=%00",
]
NOT_A_SERVER_ERROR = [
    "/search/?q=a%00b",  # NUL bytes in a parameter are dropped: the search for "ab"
    "/feed/?page=%00",
    "/api/v1/articles/?tag=a%00",
    "/api/v1/articles/?section=%00",
    "/section/new-york/?page=abc",
    "/corrections/?page=0",
    "/search/?q=%00",
    "/search/?since=2026-02-31",
    "/search/?section=%00",
    "/api/v1/articles/not-a-uuid/",
    "/api/v1/articles/?page=-1",
    "/api/v1/articles/?page=99999999999999999999",
    "/api/v1/articles/?page_size=0",
    "/api/v1/articles/?updated_since=9999-99-99",
    "/%E2%82%AC/",
    "/tag/%C3%A9t%C3%A9/",
    "/2026/02/28/" + "a" * 5000 + "/",
]


@pytest.fixture
def story(section):
    return ArticleFactory(live=True, tags=["Budget"])


@pytest.mark.parametrize("path", NOT_FOUND)
def test_an_address_that_cannot_exist_is_the_sites_own_404(client, story, path):
    response = client.get(path.format(slug=story.slug))
    assert response.status_code == HTTPStatus.NOT_FOUND, path
    assert "We can’t find that page" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/%00/", "/api/v1/articles/%00/"])
def test_a_nul_byte_in_an_api_address_is_its_own_json_client_error(client, story, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, path
    assert "NUL" in response.json()["detail"]


def test_nul_bytes_in_a_parameter_are_dropped_not_passed_on(client, story):
    response = client.get("/api/v1/articles/", {"tag": "bud\x00get"})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["count"] == 1


@pytest.mark.parametrize("path", NOT_A_SERVER_ERROR)
def test_a_malformed_parameter_is_a_client_error_or_the_normal_page(client, story, path):
    response = client.get(path.format(slug=story.slug))
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, path
