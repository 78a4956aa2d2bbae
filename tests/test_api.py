"""The read-only JSON API at /api/v1/: live stories only, paginated, cacheable, documented."""

import json
from datetime import datetime, timedelta
from http import HTTPStatus
from uuid import uuid4

import jsonschema
import pytest
from django.utils import timezone
from django.utils.http import http_date

from articles.editorial import publishing
from articles.models import Article, Section
from fronts.models import Collection, Front
from images.models import Image
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory
from tests.pictures import jpeg_bytes, library_image

pytestmark = pytest.mark.django_db

SEED_UUID = "6f1e3c1a-2b7d-4e5f-9a10-fac7519b6a4c"


def get_json(client, url, data=None, status=HTTPStatus.OK, **headers):
    response = client.get(url, data, headers=headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


# The list


def test_list_has_only_live_stories_newest_first(client, section):
    older = ArticleFactory(live=True, publish_at=hours_ago(3))
    newer = ArticleFactory(live=True, publish_at=hours_ago(1))
    ArticleFactory(status="draft")
    ArticleFactory(status="review")
    ArticleFactory(scheduled=True)
    publishing.unpublish(ArticleFactory(live=True))
    page = get_json(client, "/api/v1/articles/")
    assert page["count"] == 2
    assert [item["uuid"] for item in page["items"]] == [str(newer.uuid), str(older.uuid)]
    assert page["next"] is None and page["previous"] is None


def test_list_item_describes_the_story(client, section, author, settings):
    article = ArticleFactory(live=True, authors=[author], tags=["Budget"])
    [item] = get_json(client, "/api/v1/articles/")["items"]
    assert item["url"] == settings.SITE_URL + article.get_absolute_url()
    assert item["api_url"] == f"{settings.SITE_URL}/api/v1/articles/{article.uuid}/"
    assert item["headline"] == article.headline
    assert item["section"]["slug"] == "new-york"
    assert item["authors"] == [
        {
            "name": "Ana Reyes",
            "slug": "ana-reyes",
            "title": "Reporter",
            "url": f"{settings.SITE_URL}/author/ana-reyes/",
        }
    ]
    assert item["tags"] == [
        {"name": "Budget", "slug": "budget", "url": f"{settings.SITE_URL}/tag/budget/"}
    ]
    assert "body" not in item


def test_list_pages_with_count_next_and_previous(client, section, settings):
    for hours in range(25):
        ArticleFactory(live=True, publish_at=hours_ago(hours + 1))
    first = get_json(client, "/api/v1/articles/", {"page_size": 10, "section": "new-york"})
    assert (first["count"], len(first["items"]), first["previous"]) == (25, 10, None)
    assert first["next"] == (
        f"{settings.SITE_URL}/api/v1/articles/?page_size=10&section=new-york&page=2"
    )
    last = get_json(client, first["next"].removeprefix(settings.SITE_URL))
    last = get_json(client, last["next"].removeprefix(settings.SITE_URL))
    assert (len(last["items"]), last["next"]) == (5, None)
    assert last["previous"].endswith("page=2")
    assert get_json(client, "/api/v1/articles/")["items"].__len__() == 20


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"page": 4, "page_size": 10}, HTTPStatus.NOT_FOUND),
        ({"page": 10**30}, HTTPStatus.NOT_FOUND),
        ({"page": 0}, HTTPStatus.UNPROCESSABLE_ENTITY),
        ({"page": "two"}, HTTPStatus.UNPROCESSABLE_ENTITY),
        ({"page_size": 101}, HTTPStatus.UNPROCESSABLE_ENTITY),
        ({"page_size": 0}, HTTPStatus.UNPROCESSABLE_ENTITY),
    ],
)
def test_bad_pages_are_client_errors(client, section, query, status):
    for _ in range(25):
        ArticleFactory(live=True)
    get_json(client, "/api/v1/articles/", query, status=status)


def test_empty_list_is_one_empty_page(client, db):
    assert get_json(client, "/api/v1/articles/") == {
        "count": 0,
        "next": None,
        "previous": None,
        "items": [],
    }


def test_list_filters_by_section_tag_and_author(client, section, author):
    politics = SectionFactory(name="Politics", slug="politics")
    other_author = AuthorFactory()
    in_politics = ArticleFactory(live=True, section=politics, tags=["Budget"])
    by_author = ArticleFactory(live=True, authors=[other_author, author], tags=["Budget", "Vote"])
    ArticleFactory(status="draft", section=politics, authors=[author], tags=["Budget"])

    def uuids(**query):
        return {item["uuid"] for item in get_json(client, "/api/v1/articles/", query)["items"]}

    assert uuids(section="politics") == {str(in_politics.uuid)}
    assert uuids(tag="budget") == {str(in_politics.uuid), str(by_author.uuid)}
    assert uuids(author="ana-reyes") == {str(by_author.uuid)}
    assert uuids(author="ana-reyes", tag="budget", section="new-york") == {str(by_author.uuid)}
    assert uuids(section="no-such-section") == set()
    assert uuids(tag="no-such-tag") == set()


def test_updated_since_finds_edits_and_scheduled_stories_gone_live(client, section):
    old = ArticleFactory(live=True, publish_at=hours_ago(48))
    edited = ArticleFactory(live=True, publish_at=hours_ago(48))
    scheduled = ArticleFactory(scheduled=True)
    since = timezone.now()
    edited.dek = "A new dek."
    edited.save()
    # The scheduled story, last saved before `since`, goes live at `since` without a save.
    Article.objects.filter(pk=scheduled.pk).update(publish_at=since)
    page = get_json(client, "/api/v1/articles/", {"updated_since": since.isoformat()})
    assert {item["uuid"] for item in page["items"]} == {str(edited.uuid), str(scheduled.uuid)}
    assert str(old.uuid) not in json.dumps(page)


def test_updated_since_without_offset_is_site_local_time(client, section, settings):
    settings.TIME_ZONE = "America/New_York"
    article = ArticleFactory(live=True, publish_at=hours_ago(30))
    Article.objects.filter(pk=article.pk).update(updated_at=article.publish_at)
    # Read as UTC instead, both times would be four or five hours before the story.
    local = timezone.localtime(article.publish_at).replace(tzinfo=None)
    before = (local - timedelta(minutes=1)).isoformat(timespec="seconds")
    after = (local + timedelta(minutes=1)).isoformat(timespec="seconds")
    assert get_json(client, "/api/v1/articles/", {"updated_since": before})["count"] == 1
    assert get_json(client, "/api/v1/articles/", {"updated_since": after})["count"] == 0


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-13-01T00:00:00",
        "2026-01-01T25:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "",
        "0",
        "1700000000",
        "3.77655601531121e-95",
        "1e9",
    ],
)
def test_malformed_updated_since_is_422(client, db, value):
    body = get_json(
        client, "/api/v1/articles/", {"updated_since": value}, HTTPStatus.UNPROCESSABLE_ENTITY
    )
    assert body["detail"][0]["loc"] == ["query", "updated_since"]


# One story


def test_story_in_full(client, section, settings):
    second = AuthorFactory(name="Aaron Zed", slug="aaron-zed")
    first = AuthorFactory(name="Zoe Adams", slug="zoe-adams")
    article = ArticleFactory(
        live=True,
        headline="Council’s “historic” vote",
        kicker="City Hall",
        dek="The vote ends weeks of negotiation.",
        body="<h2>The vote</h2><p>The council voted late on Tuesday.</p>",
        kind="analysis",
        dateline="NEW YORK",
        seo_title="Council passes budget",
        authors=[first, second],
        tags=["Zoning", "budget", "Albany"],
    )
    CorrectionFactory(article=article, text="Old.", created_at=hours_ago(2))
    CorrectionFactory(article=article, kind="update", text="New.", created_at=hours_ago(1))
    article.refresh_from_db()
    story = get_json(client, f"/api/v1/articles/{article.uuid}/")
    assert story["uuid"] == str(article.uuid)
    assert story["url"] == settings.SITE_URL + article.get_absolute_url()
    assert story["ninjs_url"] == f"{settings.SITE_URL}/api/v1/articles/{article.uuid}/ninjs/"
    assert (story["headline"], story["kicker"], story["dek"]) == (
        "Council’s “historic” vote",
        "City Hall",
        "The vote ends weeks of negotiation.",
    )
    assert (story["kind"], story["dateline"], story["seo_title"]) == (
        "analysis",
        "NEW YORK",
        "Council passes budget",
    )
    assert story["body"] == "<h2>The vote</h2><p>The council voted late on Tuesday.</p>"
    assert story["word_count"] == 8
    assert [author["name"] for author in story["authors"]] == ["Zoe Adams", "Aaron Zed"]
    assert story["authors"][0]["url"] == f"{settings.SITE_URL}/author/zoe-adams/"
    assert [tag["slug"] for tag in story["tags"]] == ["albany", "budget", "zoning"]
    assert story["section"] == {
        "name": "New York",
        "slug": "new-york",
        "url": f"{settings.SITE_URL}/section/new-york/",
    }
    assert story["image"] is None
    assert [(c["kind"], c["text"]) for c in story["corrections"]] == [
        ("update", "New."),
        ("correction", "Old."),
    ]
    for field in ("publish_at", "first_published_at", "updated_at"):
        # ISO 8601 with the offset, to the millisecond (Django's JSON encoder).
        parsed = datetime.fromisoformat(story[field])
        assert abs(parsed - getattr(article, field)) < timedelta(milliseconds=1), field
    assert story["version"] == article.version


def test_story_with_lead_image_gives_its_share_crop_and_every_rendition(
    client, section, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    picture = library_image(jpeg_bytes(1600, 1000), caption="The vote on Tuesday")
    article = ArticleFactory(live=True, lead_image=picture)
    image = get_json(client, f"/api/v1/articles/{article.uuid}/")["image"]
    renditions = image.pop("renditions")
    assert image == {
        "url": image["url"],
        "alt": "Council members vote",
        "caption": "The vote on Tuesday",
        "credit": "Jane Doe",
        "width": 1280,
        "height": 720,
    }
    assert image["url"].startswith(settings.SITE_URL + "/media/images/renditions/")
    assert "-16x9-" in image["url"] and image["url"].endswith(".jpg")
    assert {rendition["ratio"] for rendition in renditions} == {"free", "16x9", "4x3", "1x1"}
    assert {"image/webp", "image/jpeg"} == {rendition["type"] for rendition in renditions}
    for rendition in renditions:
        assert client.get(rendition["url"].removeprefix(settings.SITE_URL)).status_code == 200


def test_a_lead_image_whose_rights_expired_is_left_out(client, section, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    picture = library_image()
    article = ArticleFactory(live=True, lead_image=picture)
    Image.objects.filter(pk=picture.pk).update(rights_expire_at=hours_ago(1))
    assert get_json(client, f"/api/v1/articles/{article.uuid}/")["image"] is None


@pytest.mark.parametrize(
    "fields",
    [{"status": "draft"}, {"status": "review"}, {"scheduled": True}, {"withdrawn": True}],
    ids=["draft", "review", "scheduled", "withdrawn"],
)
def test_story_that_is_not_live_is_404(client, section, fields):
    fields = dict(fields)
    withdrawn = fields.pop("withdrawn", False)
    article = ArticleFactory(live=withdrawn, **fields)
    if withdrawn:
        publishing.unpublish(article)
    body = get_json(client, f"/api/v1/articles/{article.uuid}/", status=HTTPStatus.NOT_FOUND)
    assert body == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/api/v1/articles/{uuid4()}/", HTTPStatus.NOT_FOUND),
        ("/api/v1/articles/not-a-uuid/", HTTPStatus.UNPROCESSABLE_ENTITY),
        ("/api/v1/articles/%00%27;--/", HTTPStatus.UNPROCESSABLE_ENTITY),
        (f"/api/v1/articles/{'f' * 300}/ninjs/", HTTPStatus.UNPROCESSABLE_ENTITY),
    ],
)
def test_unknown_or_malformed_uuid_is_a_json_client_error(client, db, path, status):
    get_json(client, path, status=status)


# Conditional requests


def test_story_answers_if_none_match_and_if_modified_since(client, section):
    article = ArticleFactory(live=True)
    url = f"/api/v1/articles/{article.uuid}/"
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"] == http_date(article.updated_at.timestamp())
    not_modified = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert not_modified.status_code == HTTPStatus.NOT_MODIFIED
    assert not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"]
    since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == HTTPStatus.NOT_MODIFIED
    earlier = http_date(article.updated_at.timestamp() - 60)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == HTTPStatus.OK


def test_story_etag_changes_with_an_edit_and_a_correction(client, section):
    article = ArticleFactory(live=True)
    url = f"/api/v1/articles/{article.uuid}/"
    etag = client.get(url)["ETag"]
    article.headline = "Council approves budget, 30 to 21"
    article.save()
    edited = client.get(url, headers={"If-None-Match": etag})
    assert edited.status_code == HTTPStatus.OK and edited["ETag"] != etag
    CorrectionFactory(article=article, created_at=timezone.now() + timedelta(seconds=2))
    corrected = client.get(url, headers={"If-None-Match": edited["ETag"]})
    assert corrected.status_code == HTTPStatus.OK
    assert corrected["Last-Modified"] != edited["Last-Modified"]


def test_list_answers_conditional_requests_until_it_changes(client, section):
    ArticleFactory(live=True, publish_at=hours_ago(2))
    first = client.get("/api/v1/articles/")
    assert first["Last-Modified"]
    for headers in (
        {"If-None-Match": first["ETag"]},
        {"If-Modified-Since": first["Last-Modified"]},
    ):
        assert client.get("/api/v1/articles/", headers=headers).status_code == (
            HTTPStatus.NOT_MODIFIED
        )
    ArticleFactory(live=True, publish_at=hours_ago(1))
    changed = client.get("/api/v1/articles/", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == HTTPStatus.OK and changed.json()["count"] == 2


@pytest.mark.parametrize("path", ["/api/v1/sections/", "/api/v1/tags/"])
def test_sections_and_tags_answer_if_none_match(client, section, path):
    ArticleFactory(live=True, tags=["Budget"])
    etag = client.get(path)["ETag"]
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == HTTPStatus.NOT_MODIFIED


# Sections and tags


def test_sections_in_navigation_order_with_live_counts(client, section, settings):
    Section.objects.filter(pk=section.pk).update(position=1)
    SectionFactory(name="World", slug="world", position=9)
    SectionFactory(name="Politics", slug="politics", position=5, description="Campaigns.")
    ArticleFactory(live=True)
    ArticleFactory(live=True)
    ArticleFactory(status="draft")
    sections = get_json(client, "/api/v1/sections/")
    assert [(s["slug"], s["story_count"]) for s in sections] == [
        ("new-york", 2),
        ("politics", 0),
        ("world", 0),
    ]
    assert sections[1] == {
        "name": "Politics",
        "slug": "politics",
        "url": f"{settings.SITE_URL}/section/politics/",
        "description": "Campaigns.",
        "position": 5,
        "story_count": 0,
    }


def test_tags_are_those_live_stories_carry(client, section, settings):
    ArticleFactory(live=True, tags=["Budget", "Zoning"])
    ArticleFactory(live=True, tags=["Budget"])
    ArticleFactory(status="draft", tags=["Secret plan", "Budget"])
    ArticleFactory(scheduled=True, tags=["Embargoed"])
    page = get_json(client, "/api/v1/tags/")
    assert page["count"] == 2
    assert page["items"] == [
        {
            "name": "Budget",
            "slug": "budget",
            "url": f"{settings.SITE_URL}/tag/budget/",
            "story_count": 2,
        },
        {
            "name": "Zoning",
            "slug": "zoning",
            "url": f"{settings.SITE_URL}/tag/zoning/",
            "story_count": 1,
        },
    ]


def test_tags_are_paginated(client, section):
    ArticleFactory(live=True, tags=[f"Topic {n:03}" for n in range(120)])
    first = get_json(client, "/api/v1/tags/")
    assert (first["count"], len(first["items"])) == (120, 20)
    last = get_json(client, "/api/v1/tags/", {"page": 2, "page_size": 100})
    assert [tag["name"] for tag in last["items"]] == [f"Topic {n:03}" for n in range(100, 120)]
    get_json(client, "/api/v1/tags/", {"page_size": 1000}, HTTPStatus.UNPROCESSABLE_ENTITY)


def test_seed_story_through_every_endpoint(client, seed):
    [item] = get_json(client, "/api/v1/articles/")["items"]
    assert item["uuid"] == SEED_UUID
    story = get_json(client, f"/api/v1/articles/{SEED_UUID}/")
    assert story["authors"][0]["name"] == "Newsroom Staff"
    assert len(story["tags"]) == 11
    assert get_json(client, "/api/v1/tags/")["count"] == 11
    assert get_json(client, "/api/v1/articles/", {"tag": "ice"})["count"] == 1
    assert {s["slug"] for s in get_json(client, "/api/v1/sections/")} >= {"new-york", "politics"}


# Query counts: constant in the number of stories, tags and authors


@pytest.fixture(params=[(1, 1, 1), (25, 20, 4)], ids=["small", "large"])
def stories(request, section):
    """`n` live stories, each with `t` tags and `a` authors and two corrections."""
    n, t, a = request.param
    authors = [AuthorFactory() for _ in range(a)]
    articles = [
        ArticleFactory(live=True, authors=authors, tags=[f"Tag {i}" for i in range(t)])
        for _ in range(n)
    ]
    for article in articles:
        CorrectionFactory.create_batch(2, article=article)
    return articles


# Each path with its bound: the same for one story with one tag and one author as for 25
# stories with 20 tags and 4 authors each.
QUERY_BOUNDS = [
    # count, page, bylines with their authors, tags
    ("/api/v1/articles/?page_size=100", 4),
    ("/api/v1/articles/?page_size=100&tag=tag-0&author={author}&section=new-york", 4),
    ("/api/v1/articles/?page_size=100&updated_since=2000-01-01T00:00:00Z", 4),
    # story, bylines with their authors, tags, corrections
    ("/api/v1/articles/{uuid}/", 4),
    ("/api/v1/articles/{uuid}/ninjs/", 4),
    ("/api/v1/articles/{uuid}/ninjs/?version=3", 4),
    # sections with their live counts
    ("/api/v1/sections/", 1),
    # count, page of tags with their live counts
    ("/api/v1/tags/?page_size=100", 2),
]


def test_each_endpoint_runs_a_fixed_number_of_queries(
    client, stories, django_assert_max_num_queries
):
    story = stories[-1]
    for path, queries in QUERY_BOUNDS:
        url = path.format(uuid=story.uuid, author=story.byline_authors[0].slug)
        with django_assert_max_num_queries(queries, info=url):
            response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        # Non-empty answers, so every prefetch ran.
        assert '"Tag 0"' in response.content.decode() or "sections" in url, url


# The OpenAPI document


def test_openapi_document_describes_every_endpoint(client, db):
    document = get_json(client, "/api/v1/openapi.json")
    assert document["openapi"].startswith("3.")
    assert document["info"]["version"] == "1"
    assert set(document["paths"]) == {
        "/api/v1/articles/",
        "/api/v1/articles/{uuid}/",
        "/api/v1/articles/{uuid}/ninjs/",
        "/api/v1/fronts/{slug}/",
        "/api/v1/sections/",
        "/api/v1/tags/",
    }
    for path, operations in document["paths"].items():
        assert set(operations) == {"get"}, path
        assert "200" in operations["get"]["responses"], path
    list_parameters = {
        p["name"] for p in document["paths"]["/api/v1/articles/"]["get"]["parameters"]
    }
    assert list_parameters == {"page", "page_size", "section", "tag", "author", "updated_since"}
    schemas = document["components"]["schemas"]
    assert {"ArticleDetail", "ArticleSummary", "ArticlePage", "TagPage"} <= set(schemas)
    assert schemas["ArticleSummary"]["properties"]["kind"]["enum"] == [
        "news",
        "analysis",
        "opinion",
        "explainer",
    ]


def test_browsable_docs_load_the_openapi_document(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == HTTPStatus.OK
    assert b"/api/v1/openapi.json" in response.content


def test_every_documented_operation_answers_as_documented(client, seed):
    """Call each operation with real values and check the body against its response schema."""
    home = Front.objects.create(name="Home", slug="home")
    Collection.objects.create(front=home, title="Top stories", max_stories=3)
    document = get_json(client, "/api/v1/openapi.json")
    resolver_root = {"components": document["components"]}
    for path, operations in document["paths"].items():
        schema = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        schema = {**schema, **resolver_root}
        body = get_json(client, path.format(uuid=SEED_UUID, slug="home"))
        jsonschema.Draft202012Validator(schema).validate(body)


def test_api_holds_to_its_openapi_document_under_generated_requests(seed):
    """Schemathesis sends valid and invalid requests to each operation and checks the answers.

    It drives the WSGI application in-process, inside this test's transaction.
    """
    schemathesis = pytest.importorskip("schemathesis", reason="in the test extras")
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings

    def fuzz(operation, mode):
        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=25,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            # Random uuids only find 404s; valid requests should reach a real story.
            if mode == schemathesis.GenerationMode.POSITIVE and case.path_parameters:
                case.path_parameters["uuid"] = SEED_UUID
            case.call_and_validate()

        check()

    # As in Django's test client: the handler must not close the test's database connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
        for result in schema.get_all_operations():
            operation = result.ok()
            fuzz(operation, schemathesis.GenerationMode.POSITIVE)
            if len(operation.query) or len(operation.path_parameters):
                fuzz(operation, schemathesis.GenerationMode.NEGATIVE)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
