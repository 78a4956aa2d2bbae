"""What search engines and social sites read from a story page: JSON-LD, Open Graph, cards."""

import json
import shutil
import subprocess
from html.parser import HTMLParser
from http import HTTPStatus
from pathlib import Path

import pytest

from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory
from tests.services import require

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
SDTT = ROOT / "node_modules" / "structured-data-testing-tool"
SITE = "http://127.0.0.1:8000"


class Head(HTMLParser):
    """Collects the JSON-LD blocks, meta tags and links of a page."""

    def __init__(self):
        super().__init__()
        self.json_ld, self.meta, self.links = [], [], []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")
        elif tag == "meta":
            self.meta.append(attrs)
        elif tag == "link":
            self.links.append(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def properties(self, name):
        return [
            m["content"] for m in self.meta if m.get("property") == name or m.get("name") == name
        ]

    def prop(self, name):
        values = self.properties(name)
        assert len(values) == 1, (name, values)
        return values[0]


def read(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    head = Head()
    head.feed(response.content.decode())
    return head


def linked_data(head):
    return {item["@type"]: item for item in map(json.loads, head.json_ld)}


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        ("news", "NewsArticle"),
        ("analysis", "AnalysisNewsArticle"),
        ("opinion", "OpinionNewsArticle"),
        ("explainer", "BackgroundNewsArticle"),
    ],
)
def test_json_ld_type_follows_the_kind(client, section, kind, schema_type):
    article = ArticleFactory(live=True, kind=kind, authors=[AuthorFactory()])
    assert schema_type in linked_data(read(client, article.get_absolute_url()))


def test_json_ld_carries_what_google_news_reads(client, section):
    authors = [AuthorFactory(name="Ana Reyes"), AuthorFactory(name="Ben Okafor")]
    article = ArticleFactory(
        live=True, headline="Council passes budget", authors=authors, tags=["Budget", "Transit"]
    )
    CorrectionFactory(article=article, text="The vote was 31 to 20.")
    data = linked_data(read(client, article.get_absolute_url()))
    story = data["NewsArticle"]
    url = SITE + article.get_absolute_url()
    assert story["headline"] == "Council passes budget"
    assert story["description"] == article.dek
    assert story["datePublished"] == article.date_published.isoformat()
    assert story["dateModified"] == article.date_modified.isoformat()
    assert [a["name"] for a in story["author"]] == ["Ana Reyes", "Ben Okafor"]
    assert story["author"][0] == {
        "@type": "Person",
        "name": "Ana Reyes",
        "url": SITE + authors[0].get_absolute_url(),
        "jobTitle": "Reporter",
    }
    assert story["publisher"]["@type"] == "NewsMediaOrganization"
    assert story["publisher"]["logo"]["url"].startswith(SITE + "/static/")
    assert story["image"]["url"].endswith("share-default.png")
    assert story["mainEntityOfPage"]["@id"] == url
    assert story["articleSection"] == "New York"
    assert story["keywords"] == ["Budget", "Transit"]
    assert story["isAccessibleForFree"] is True
    assert story["correction"][0]["text"] == "The vote was 31 to 20."
    crumbs = data["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Newsroom", "New York", "Council passes budget"]
    assert crumbs[-1]["item"] == url


def test_a_headline_cannot_break_out_of_the_json_ld(client, section):
    headline = 'Tags like </script><script>alert("x")</script> & “quotes”'
    article = ArticleFactory(live=True, headline=headline, authors=[AuthorFactory()])
    response = client.get(article.get_absolute_url())
    page = response.content.decode()
    assert "<script>alert" not in page
    head = Head()
    head.feed(page)
    assert linked_data(head)["NewsArticle"]["headline"] == headline


def test_story_without_byline_is_credited_to_the_newsroom(client, section):
    article = ArticleFactory(live=True)
    story = linked_data(read(client, article.get_absolute_url()))["NewsArticle"]
    assert story["author"][0]["name"] == "Newsroom"


def test_open_graph_and_twitter_tags(client, section, settings):
    settings.SITE_TWITTER = "@newsroom"
    authors = [AuthorFactory(name="Ana Reyes"), AuthorFactory(name="Ben Okafor")]
    article = ArticleFactory(live=True, authors=authors, tags=["Budget", "Transit"])
    head = read(client, article.get_absolute_url())
    url = SITE + article.get_absolute_url()
    assert head.prop("og:type") == "article"
    assert head.prop("og:title") == article.headline
    assert head.prop("og:description") == article.dek
    assert head.prop("og:url") == url
    assert head.prop("og:site_name") == "Newsroom"
    assert head.prop("og:image").endswith("/static/img/share-default.png")
    assert head.prop("og:image:alt")
    assert head.prop("article:published_time").startswith(str(article.date_published.year))
    assert head.prop("article:modified_time")
    assert head.prop("article:section") == "New York"
    assert head.properties("article:tag") == ["Budget", "Transit"]
    assert head.properties("article:author") == [SITE + a.get_absolute_url() for a in authors]
    assert head.prop("twitter:card") == "summary_large_image"
    assert head.prop("twitter:site") == "@newsroom"
    assert head.prop("twitter:image") == head.prop("og:image")
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == [url]


@pytest.mark.parametrize("page", ["section", "tag", "author"])
def test_listing_pages_have_their_own_title_description_and_canonical(client, section, page):
    author = AuthorFactory(name="Ana Reyes", slug="ana-reyes", bio="Ana covers City Hall.")
    ArticleFactory(live=True, authors=[author], tags=["Budget"])
    url = {"section": "/section/new-york/", "tag": "/tag/budget/", "author": "/author/ana-reyes/"}
    response = client.get(url[page])
    html = response.content.decode()
    head = Head()
    head.feed(html)
    title = html.split("<title>")[1].split("</title>")[0]
    assert {"section": "New York", "tag": "Budget", "author": "Ana Reyes"}[page] in title
    assert head.prop("description")
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == [SITE + url[page]]
    feeds = [link["href"] for link in head.links if link.get("rel") == "alternate"]
    assert feeds[0] == SITE + url[page] + "feed/"


def test_structured_data_testing_tool_passes_google_twitter_and_facebook(client, section, tmp_path):
    node = shutil.which("node")
    require(node is not None and SDTT.exists(), "node or structured-data-testing-tool missing")
    article = ArticleFactory(live=True, authors=[AuthorFactory()], tags=["Budget"])
    CorrectionFactory(article=article)
    page = tmp_path / "story.html"
    page.write_bytes(client.get(article.get_absolute_url()).content)
    result = subprocess.run(
        [node, str(ROOT / "tests" / "js" / "structured_data.js"), str(page), "NewsArticle"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["failed"] == []
    assert "NewsArticle" in report["schemas"]
    # The Google preset files its checks under the schema's name.
    groups = {test["group"] for test in report["passed"]}
    assert {"NewsArticle", "Twitter", "Facebook"} <= groups


def test_related_stories_share_the_most_tags_newest_first(client, section):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    article = ArticleFactory(live=True, tags=["a", "b", "c"])
    best = ArticleFactory(live=True, headline="Shares three", tags=["a", "b", "c"])
    older = ArticleFactory(
        live=True, headline="Shares one, older", tags=["a"], publish_at=now - timedelta(days=3)
    )
    newer = ArticleFactory(live=True, headline="Shares one, newer", tags=["b"])
    ArticleFactory(headline="Draft sharing all", tags=["a", "b", "c"])
    ArticleFactory(live=True, headline="Shares none", tags=["z"])
    page = client.get(article.get_absolute_url()).content.decode()
    related = page[page.index('id="related-heading"') :]
    order = [related.index(story.headline) for story in (best, newer, older)]
    assert order == sorted(order)
    assert "Draft sharing all" not in related and "Shares none" not in related


def test_related_stories_stop_at_five(client, section):
    article = ArticleFactory(live=True, tags=["a"])
    for n in range(7):
        ArticleFactory(live=True, headline=f"Related number {n}", tags=["a"])
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count("Related number") == 5


def test_readers_pages_carry_a_strict_content_security_policy(client, admin_client, section):
    article = ArticleFactory(live=True)
    for url in ["/", article.get_absolute_url(), "/search/?q=x", "/no-such-page/"]:
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    # The admin has a policy of its own: its one inline script carries a nonce.
    admin_policy = admin_client.get("/admin/")["Content-Security-Policy"]
    assert "'nonce-" in admin_policy and "unsafe-inline" not in admin_policy


def test_story_page_query_count_is_constant_with_related_stories(
    client, section, django_assert_num_queries
):
    SectionFactory(name="World", slug="world")
    article = ArticleFactory(live=True, tags=["a"])
    for _ in range(6):
        ArticleFactory(live=True, tags=["a"], authors=AuthorFactory.create_batch(3))
    # Story, tags, corrections, related stories, every byline shown (one query), navigation.
    with django_assert_num_queries(6):
        client.get(article.get_absolute_url())
