"""RSS and Atom feeds, read the way feed readers read them: feedparser, and plain XML."""

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html import unescape
from http import HTTPStatus

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.editorial import publishing
from articles.models import Article
from images.models import Rendition
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory
from tests.pictures import jpeg_bytes, library_image

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
}
FEEDS = [
    "/feed/",
    "/feed/atom/",
    "/section/new-york/feed/",
    "/tag/budget/feed/",
    "/author/ana-reyes/feed/",
]


def parse(response):
    """Parse a feed strictly: feedparser must find nothing to forgive, and it must be XML."""
    assert response.status_code == HTTPStatus.OK
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    ET.fromstring(response.content)
    return feed


@pytest.fixture
def byline(author):
    """Two authors whose byline order is not alphabetical."""
    return [AuthorFactory(name="Zoe Park", slug="zoe-park"), author]


@pytest.fixture
def story(section, byline):
    return ArticleFactory(
        live=True,
        headline="Council & mayor agree <budget> deal",
        dek="The vote ends weeks of negotiation < and > a strike.",
        authors=byline,
        tags=["Budget", "City Hall"],
    )


def png_upload(name="lead.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), "navy").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_rss_item_carries_every_field_readers_use(client, story):
    response = client.get("/feed/")
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    feed = parse(response)
    assert feed.version == "rss20"
    assert feed.feed.link == f"{SITE}/"
    assert feed.feed.language == "en"
    assert next(link.href for link in feed.feed.links if link.rel == "self") == f"{SITE}/feed/"
    [item] = feed.entries
    assert item.title == "Council & mayor agree <budget> deal"
    assert item.link == f"{SITE}{story.get_absolute_url()}"
    assert item.id == f"urn:uuid:{story.uuid}"
    assert item.guidislink is False
    assert item.summary_detail.type == "text/html"
    assert unescape(item.summary) == story.dek
    assert [a.name for a in item.authors] == ["Zoe Park", "Ana Reyes"]
    assert [tag.term for tag in item.tags] == ["New York", "Budget", "City Hall"]
    published = datetime(*item.published_parsed[:6], tzinfo=UTC)
    assert published == story.first_published_at.replace(microsecond=0)


def test_rss_names_each_author_with_dublin_core_creator_in_byline_order(client, story):
    channel = ET.fromstring(client.get("/feed/").content).find("channel")
    item = channel.find("item")
    assert [c.text for c in item.findall("dc:creator", NS)] == ["Zoe Park", "Ana Reyes"]
    assert item.find("guid").attrib == {"isPermaLink": "false"}
    assert item.find("author") is None  # RSS's <author> must be an e-mail address


def test_atom_entry_has_one_author_per_byline_name_and_an_id_that_is_not_the_url(client, story):
    response = client.get("/feed/atom/")
    feed = parse(response)
    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    assert feed.feed.link == f"{SITE}/"
    [entry] = feed.entries
    assert entry.id == f"urn:uuid:{story.uuid}"
    assert entry.link == f"{SITE}{story.get_absolute_url()}"
    assert entry.title == story.headline
    assert [(a.name, a.href) for a in entry.authors] == [
        ("Zoe Park", f"{SITE}/author/zoe-park/"),
        ("Ana Reyes", f"{SITE}/author/ana-reyes/"),
    ]
    assert [tag.term for tag in entry.tags] == ["New York", "Budget", "City Hall"]
    assert entry.published_parsed and entry.updated_parsed
    xml_entry = ET.fromstring(response.content).find("atom:entry", NS)
    assert len(xml_entry.findall("atom:author", NS)) == 2
    assert len(xml_entry.findall("atom:updated", NS)) == 1


def test_atom_updated_moves_with_a_substantive_update_only(client, story):
    def updated():
        entry = parse(client.get("/feed/atom/")).entries[0]
        return datetime(*entry.updated_parsed[:6], tzinfo=UTC)

    story.dek = "A typo fixed."
    story.save()
    assert updated() == story.first_published_at.replace(microsecond=0)
    publishing.save(story, note="Adds the vote.", substantive=True)
    assert updated() == story.modified_at.replace(microsecond=0) != story.first_published_at


def test_atom_story_without_byline_is_credited_to_the_newsroom(client, section):
    ArticleFactory(live=True)
    response = client.get("/feed/atom/")
    feed = parse(response)
    assert feed.feed.author_detail.name == "Newsroom"
    assert "author" not in feed.entries[0]  # so the feed's author stands for it (RFC 4287)
    root = ET.fromstring(response.content)
    assert root.find("atom:author/atom:name", NS).text == "Newsroom"


def test_guid_is_stable_when_the_headline_and_slug_change(client, story):
    before = parse(client.get("/feed/")).entries[0]
    story.headline = "Council and mayor agree budget deal"
    story.slug = "council-mayor-budget-deal"
    story.save()
    after = parse(client.get("/feed/")).entries[0]
    assert after.id == before.id == f"urn:uuid:{story.uuid}"
    assert after.link != before.link


def test_description_falls_back_to_the_summary_without_a_dek(client, section):
    ArticleFactory(live=True, dek="", meta_description="What the council decided.")
    assert parse(client.get("/feed/")).entries[0].summary == "What the council decided."


def test_lead_image_is_an_enclosure_and_media_content_with_size_and_type(
    client, section, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    picture = library_image(jpeg_bytes(1600, 1000), caption="The vote")
    ArticleFactory(live=True, lead_image=picture)
    share = Rendition.objects.get(file__contains="-16x9-", file__endswith="-1280.jpg")
    response = client.get("/feed/")
    item = parse(response).entries[0]
    [enclosure] = item.enclosures
    assert enclosure.href == f"{SITE}/media/{share.file.name}"
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) == share.file_size > 0
    [media] = item.media_content
    assert (media["url"], media["width"], media["height"]) == (enclosure.href, "1280", "720")
    assert item.media_credit[0]["content"] == "Jane Doe"
    entry = parse(client.get("/feed/atom/")).entries[0]
    [link] = [link for link in entry.links if link.rel == "enclosure"]
    assert (link.href, link.type, int(link.length)) == (
        enclosure.href,
        "image/jpeg",
        share.file_size,
    )


def test_story_without_image_has_no_enclosure(client, story):
    assert parse(client.get("/feed/")).entries[0].enclosures == []


def test_links_use_site_url_not_the_request_host(client, story, settings):
    settings.SITE_URL = "https://news.example.org"
    feed = parse(client.get("/feed/", HTTP_HOST="127.0.0.1"))
    assert feed.feed.link == "https://news.example.org/"
    assert feed.entries[0].link.startswith("https://news.example.org/")


@pytest.mark.parametrize("url", FEEDS)
def test_each_feed_is_valid_and_lists_its_live_story(client, story, url):
    feed = parse(client.get(url))
    assert [entry.title for entry in feed.entries] == [story.headline]
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == f"{SITE}{url}"


@pytest.mark.parametrize(
    ("url", "page"),
    [
        ("/section/new-york/feed/", "/section/new-york/"),
        ("/tag/budget/feed/", "/tag/budget/"),
        ("/author/ana-reyes/feed/", "/author/ana-reyes/"),
    ],
)
def test_listing_feed_holds_only_its_own_stories(client, story, url, page):
    ArticleFactory(
        live=True,
        headline="Senate passes farm bill",
        section=SectionFactory(name="Politics", slug="politics"),
        authors=[AuthorFactory()],
        tags=["Farms"],
    )
    feed = parse(client.get(url))
    assert feed.feed.link == f"{SITE}{page}"
    assert [entry.title for entry in feed.entries] == [story.headline]
    assert "Senate passes farm bill" in {e.title for e in parse(client.get("/feed/")).entries}


@pytest.mark.parametrize(
    "url", ["/section/nowhere/feed/", "/tag/nothing/feed/", "/author/nobody/feed/"]
)
def test_unknown_listing_feed_is_404(client, db, url):
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"scheduled": True},
        {"status": Article.Status.UNPUBLISHED},
    ],
    ids=["draft", "review", "scheduled", "unpublished"],
)
@pytest.mark.parametrize("url", FEEDS)
def test_story_that_is_not_live_is_in_no_feed(client, story, author, fields, url):
    ArticleFactory(headline="Secret budget draft", authors=[author], tags=["Budget"], **fields)
    assert "Secret budget draft" not in {e.title for e in parse(client.get(url)).entries}


@pytest.mark.parametrize("url", FEEDS)
def test_withdrawn_story_leaves_every_feed(client, story, url):
    story.status = Article.Status.UNPUBLISHED
    story.save()
    response = client.get(url)
    if url.startswith(("/tag/", "/author/")):
        # Its only story gone, the tag or author is not public any more (test_security_leaks).
        assert response.status_code == 404
    else:
        assert parse(response).entries == []


def test_feed_holds_the_latest_fifty_stories_newest_first(client, section):
    now = timezone.now()
    stories = [
        ArticleFactory(status="published", publish_at=now - timedelta(minutes=n))
        for n in range(1, 52)
    ]
    titles = [entry.title for entry in parse(client.get("/feed/")).entries]
    assert titles == [story.headline for story in stories[:50]]


# articles; bylines with their authors; tags (+ the section, tag or author for a listing,
# and for a tag or author the bounded count that picks how to read its stories).
FEED_QUERIES = {"/feed/": 3, "/feed/atom/": 3, "/tag/budget/feed/": 5, "/author/ana-reyes/feed/": 5}


@pytest.mark.parametrize("url", FEEDS)
def test_feed_renders_in_the_same_number_of_queries_for_1_or_30_stories(
    client, section, author, url, django_assert_max_num_queries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    bound = FEED_QUERIES.get(url, 4) + 2  # the pictures, and their renditions' sizes
    picture = library_image()
    for count in (1, 30):
        while Article.objects.count() < count:
            ArticleFactory(
                live=True,
                authors=[author, AuthorFactory()],
                tags=["Budget", "Transit"],
                lead_image=picture,
            )
        with django_assert_max_num_queries(bound):
            feed = parse(client.get(url))
        assert len(feed.entries) == count


def test_corrections_feed_lists_corrections_on_live_stories_newest_first(client, section):
    older = CorrectionFactory(text="Older fix.")
    older.created_at = timezone.now() - timedelta(days=1)
    older.save()
    CorrectionFactory(text="Newer fix.", kind="clarification")
    CorrectionFactory(article=ArticleFactory(), text="Fix on a draft.")
    response = client.get("/corrections/feed/")
    assert response.status_code == HTTPStatus.OK
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    assert [entry.description for entry in parsed.entries] == ["Newer fix.", "Older fix."]
    assert parsed.entries[0].title.startswith("Clarification: ")
    assert parsed.entries[0].link.endswith("#corrections")
