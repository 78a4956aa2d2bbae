"""The IPTC ninjs export, validated against the IPTC's own schemas in ../shared/ninjs/."""

import json
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory
from tests.ninjs_schemas import NINJS_DIR, assert_valid
from tests.pictures import library_image, png_bytes

pytestmark = pytest.mark.django_db

SEED_UUID = "6f1e3c1a-2b7d-4e5f-9a10-fac7519b6a4c"


def fetch_ninjs(client, article, version=None):
    query = {"version": version} if version else {}
    response = client.get(f"/api/v1/articles/{article.uuid}/ninjs/", query)
    assert response.status_code == HTTPStatus.OK, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.fixture
def fetch_valid(client, validators):
    """Fetch a story's ninjs in both versions, validating each against its schema."""

    def fetch(article):
        documents = {version: fetch_ninjs(client, article, version) for version in ("2", "3")}
        for version, document in documents.items():
            assert_valid(validators[version], document)
        return documents["2"], documents["3"]

    return fetch


@pytest.fixture
def lead_image(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return library_image(
        png_bytes(640, 480),
        alt_text="Council members raise their hands",
        caption="The vote on Tuesday",
        credit="Jane Doe for Newsroom",
    )


@pytest.fixture
def full_story(section, lead_image):
    authors = [
        AuthorFactory(name="Zoe Adams", slug="zoe-adams"),
        AuthorFactory(name="Ana Reyes", slug="ana-reyes"),
        AuthorFactory(name="Ben Ortiz", slug="ben-ortiz"),
    ]
    article = ArticleFactory(
        live=True,
        headline="Council’s “historic” vote",
        seo_title="Council passes budget in historic vote",
        dek="The vote ends weeks of negotiation.",
        body=(
            "<h2>The vote</h2><p>Tom &amp; Jerry voted “yes” on Tuesday.</p>"
            '<figure><img src="https://example.com/a.jpg" alt="Chamber">'
            "<figcaption>The council chamber</figcaption></figure>"
            "<ul><li>First point</li><li>Second point</li></ul>"
        ),
        kind=Article.Kind.ANALYSIS,
        dateline="NEW YORK",
        lead_image=lead_image,
        authors=authors,
        tags=[f"Topic {n:02}" for n in range(15)],
    )
    CorrectionFactory(
        article=article,
        text="An earlier version misstated the vote count.",
        created_at=timezone.now() - timedelta(minutes=5),
    )
    CorrectionFactory(article=article, kind="clarification", text="The vote was 30 to 21.")
    return article


def test_schema_validation_checks_formats_and_rejects_unknown_properties(validators):
    # Without rfc3339-validator and rfc3986-validator, jsonschema silently skips these formats.
    for format_name in ("date-time", "uri"):
        assert format_name in validators["2"].format_checker.checkers, format_name
    example = json.loads((NINJS_DIR / "examples" / "2.2_005_complex_text_article.json").read_text())
    assert_valid(validators["2"], example)
    assert not validators["2"].is_valid({**example, "versioncreated": "yesterday"})
    assert not validators["2"].is_valid({**example, "uri": "not a uri"})
    assert not validators["2"].is_valid({**example, "authors": []})
    # 3.x renamed the multi-word properties: a 2.2 document is not a 3.x one.
    assert not validators["3"].is_valid(example)


@pytest.mark.parametrize(
    "name", sorted(path.name for path in (NINJS_DIR / "examples").glob("2.2_*.json"))
)
def test_iptc_examples_are_valid_ninjs_2_2(validators, name):
    assert_valid(validators["2"], json.loads((NINJS_DIR / "examples" / name).read_text()))


def test_full_story_as_ninjs_2(full_story, fetch_valid, settings):
    document, _ = fetch_valid(full_story)
    full_story.refresh_from_db()
    assert document["uri"] == f"urn:uuid:{full_story.uuid}"
    assert document["type"] == "text"
    assert document["version"] == str(full_story.version)
    assert document["pubstatus"] == "usable"
    assert document["language"] == settings.SITE_LANGUAGE
    assert document["firstcreated"] == full_story.first_published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert document["versioncreated"] >= document["firstcreated"]
    assert document["headlines"][0] == {
        "role": "main",
        "contenttype": "text/plain",
        "value": "Council’s “historic” vote",
    }
    assert {"role": "seo", "contenttype": "text/plain", "value": full_story.seo_title} in (
        document["headlines"]
    )
    assert document["descriptions"][0] == {
        "role": "summary",
        "contenttype": "text/plain",
        "value": "The vote ends weeks of negotiation.",
    }
    assert [(d["role"], d["value"]) for d in document["descriptions"][1:]] == [
        ("correction", "An earlier version misstated the vote count."),
        ("clarification", "The vote was 30 to 21."),
    ]
    assert document["by"] == "Zoe Adams, Ana Reyes and Ben Ortiz"
    assert [(p["name"], p["rel"]) for p in document["people"]] == [
        ("Zoe Adams", "author"),
        ("Ana Reyes", "author"),
        ("Ben Ortiz", "author"),
    ]
    assert document["people"][0]["uri"] == f"{settings.SITE_URL}/author/zoe-adams/"
    assert document["located"] == "NEW YORK"
    assert document["genres"] == [
        {
            "name": "Analysis",
            "literal": "analysis",
            "uri": "http://cv.iptc.org/newscodes/genre/Analysis",
        }
    ]
    assert document["renditions"] == [
        {
            "name": "web",
            "href": settings.SITE_URL + full_story.get_absolute_url(),
            "contenttype": "text/html",
            "title": "Council’s “historic” vote",
        }
    ]


def test_bodies_carry_html_and_plain_text_with_counts(full_story, fetch_valid):
    document, _ = fetch_valid(full_story)
    html, text = document["bodies"]
    assert (html["role"], html["contenttype"]) == ("main", "text/html")
    assert html["value"] == full_story.body
    assert (text["role"], text["contenttype"]) == ("main", "text/plain")
    # Entities decoded, one paragraph per block, the figure caption left out as ninjs asks.
    assert text["value"] == (
        "The vote\n\nTom & Jerry voted “yes” on Tuesday.\n\nFirst point\n\nSecond point"
    )
    assert text["wordcount"] == html["wordcount"] == 13
    assert text["charcount"] == html["charcount"] == len(text["value"])


def test_section_and_tags_are_subjects(full_story, fetch_valid, settings):
    document, _ = fetch_valid(full_story)
    section, *tags = document["subjects"]
    assert section == {
        "name": "New York",
        "rel": "section",
        "uri": f"{settings.SITE_URL}/section/new-york/",
        "literal": "new-york",
    }
    assert [tag["name"] for tag in tags] == [f"Topic {n:02}" for n in range(15)]
    assert tags[0] == {
        "name": "Topic 00",
        "rel": "about",
        "uri": f"{settings.SITE_URL}/tag/topic-00/",
        "literal": "topic-00",
    }


def test_lead_image_is_an_association_with_every_rendition(full_story, fetch_valid, settings):
    document, document_3 = fetch_valid(full_story)
    [image] = document["associations"]
    renditions = image.pop("renditions")
    assert image == {
        "name": "featuremedia",
        "uri": image["uri"],
        "type": "picture",
        "pubstatus": "usable",
        "headlines": [{"role": "caption", "value": "The vote on Tuesday"}],
        "descriptions": [{"role": "alt", "value": "Council members raise their hands"}],
        "copyrightnotice": "Jane Doe for Newsroom",
        "by": "Jane Doe for Newsroom",
    }
    assert image["uri"].startswith(settings.SITE_URL + "/media/images/renditions/")
    assert image["uri"].endswith("-free-640.jpg")  # the largest, as wide as the original
    assert {(r["contenttype"], r["width"]) for r in renditions} >= {
        ("image/jpeg", 640),
        ("image/webp", 320),
    }
    assert all(r["href"].startswith(settings.SITE_URL) for r in renditions)
    [image_3] = document_3["associations"]
    assert image_3["copyrightNotice"] == "Jane Doe for Newsroom"
    assert image_3["renditions"][0]["contentType"] in {"image/webp", "image/jpeg"}


def test_ninjs_3_uses_camel_case_names(full_story, fetch_valid):
    document_2, document = fetch_valid(full_story)
    assert document["standard"]["version"] == "3.1"
    for lowercase, camel in [
        ("firstcreated", "firstCreated"),
        ("versioncreated", "versionCreated"),
        ("pubstatus", "pubStatus"),
        ("copyrightholder", "copyrightHolder"),
        ("representationtype", "representationType"),
    ]:
        assert lowercase not in document
        assert document[camel] == document_2[lowercase]
    assert document["bodies"][1]["contentType"] == "text/plain"
    assert document["bodies"][1]["wordCount"] == document_2["bodies"][1]["wordcount"]
    assert document["by"] == document_2["by"]
    assert document["subjects"] == document_2["subjects"]


def test_minimal_story_leaves_out_what_it_lacks(section, fetch_valid):
    article = ArticleFactory(
        live=True, headline="“Quoted” headline’s test", dek="", dateline="", kicker="", body=""
    )
    for document in fetch_valid(article):
        assert [(h["role"], h["value"]) for h in document["headlines"]] == [
            ("main", "“Quoted” headline’s test")
        ]
        for absent in ("descriptions", "by", "people", "located", "associations"):
            assert absent not in document
        counts = [body.get("wordcount", body.get("wordCount")) for body in document["bodies"]]
        assert counts == [0, 0]
        assert [subject["rel"] for subject in document["subjects"]] == ["section"]


@pytest.mark.parametrize("kind", Article.Kind.values)
def test_every_kind_is_valid_ninjs(section, fetch_valid, kind):
    article = ArticleFactory(live=True, kind=kind)
    document, _ = fetch_valid(article)
    assert document["genres"][0]["literal"] == kind


def test_seed_story_is_valid_ninjs(seed, client, fetch_valid):
    article = Article.objects.get(uuid=SEED_UUID)
    document, document_3 = fetch_valid(article)
    assert document["headlines"][0]["value"] == article.headline
    assert document["by"] == "Newsroom Staff"
    assert document["located"] == "NEW YORK"
    assert len(document["subjects"]) == 1 + 11
    assert "associations" not in document
    assert document["bodies"][1]["wordcount"] > 500
    assert document_3["uri"] == document["uri"] == f"urn:uuid:{SEED_UUID}"


def test_uri_is_stable_across_edits_and_slug_changes(section, client):
    article = ArticleFactory(live=True)
    before = fetch_ninjs(client, article)
    article.slug = "a-new-slug"
    article.headline = "A new headline"
    article.save()
    after = fetch_ninjs(client, article)
    assert after["uri"] == before["uri"]
    assert after["renditions"][0]["href"].endswith("/a-new-slug/")


@pytest.mark.parametrize("version", ["4", "2.1", "latest", ""])
def test_unknown_version_is_rejected(section, client, version):
    article = ArticleFactory(live=True)
    response = client.get(f"/api/v1/articles/{article.uuid}/ninjs/", {"version": version})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("fields", [{"status": "draft"}, {"scheduled": True}])
def test_story_that_is_not_live_has_no_ninjs(section, client, fields):
    article = ArticleFactory(**fields)
    response = client.get(f"/api/v1/articles/{article.uuid}/ninjs/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not Found"}


def test_ninjs_answers_conditional_requests(section, client):
    article = ArticleFactory(live=True)
    url = f"/api/v1/articles/{article.uuid}/ninjs/"
    first = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == (
        HTTPStatus.NOT_MODIFIED
    )
    version_3 = client.get(url, {"version": "3"})
    assert version_3["ETag"] != first["ETag"]
