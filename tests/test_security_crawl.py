"""Issue 10, "no leak of unpublished copy", the crawl: what only non-live stories carry is
nowhere on the public site.

Stories in every non-live state (draft, in review, scheduled, withdrawn, in the trash) carry
a marker word in every field a reader could see: headline, dek, body, kicker, dateline,
slug, search and share text, their picture's alt text, caption and credit, a tag and an
author only they carry, a correction. They share a tag with the live stories, so they are
candidates for "related coverage" too. Then an anonymous reader crawls the whole site from
`/`: every same-site link of every page (anchors, `<link>` alternates, images, forms), the sitemaps
robots.txt names, the feeds, the API from its lists (following `next`), every listing's
further pages. No marker, and no non-live story's public id, may appear in any body or
header. A live story carries markers of its own, which the crawl must find: the proof it
reaches what it should.
"""

import json
import re
from collections import deque
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
import time_machine

from articles.editorial import publishing
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory
from tests.markup import parse_xml, read_html, same_site_path
from tests.pictures import library_image, png_bytes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
CRAWL_LIMIT = 400
LEAK = "qxleak"  # every non-live marker starts with it
# The story's fields, by the code in their markers.
FIELDS = {
    "hl": "headline",
    "dk": "dek",
    "kk": "kicker",
    "dl": "dateline",
    "st": "seo_title",
    "md": "meta_description",
}
# Its lead picture's texts, by the same codes.
PICTURE_FIELDS = {"al": "alt_text", "cp": "caption", "cr": "credit"}
HAS_TRASH = hasattr(Article, "trashed_at") and hasattr(publishing, "move_to_trash")
STATES = ["draft", "review", "scheduled", "withdrawn", *(["trashed"] if HAS_TRASH else [])]
# Addresses a reader's crawler would not fetch as pages: the desk, previews, files.
NOT_CRAWLED = ("/admin/", "/preview/", "/static/", "/media/")


def marker(prefix: str, state: str, code: str) -> str:
    return f"{prefix}{state}{code}"


def picture(prefix: str, state: str):
    """A library picture of its own (pictures are kept once per content) with markers."""
    shade = sum(map(ord, prefix + state)) % 200
    return library_image(
        png_bytes(32, 18, colour=(shade, 40, 200 - shade)),
        **{name: marker(prefix, state, code) for code, name in PICTURE_FIELDS.items()},
    )


def marked_story(prefix: str, state: str, *, author, tags, **fields) -> Article:
    """A story in `state` with `prefix` markers in every field."""
    words = {name: marker(prefix, state, code) for code, name in FIELDS.items()}
    if state in {"draft", "review"}:  # never published
        fields["status"] = state
    elif state == "scheduled":  # embargoed: published, its time not come
        fields.update(status=Article.Status.PUBLISHED, publish_at=NOW + timedelta(days=1))
    else:  # live, and for the others live once
        fields["live"] = True
    article = ArticleFactory(
        slug=f"{prefix}-{state}-slug",
        body=(
            f"<h2>{marker(prefix, state, 'sub')}</h2><p>The pelican {marker(prefix, state, 'bd')}"
            f' <a href="https://example.com/{marker(prefix, state, "href")}">source</a>.</p>'
        ),
        lead_image=picture(prefix, state),
        authors=[author],
        tags=tags,
        **words,
        **fields,
    )
    CorrectionFactory(article=article, text=f"The pelican {marker(prefix, state, 'co')}.")
    if state == "withdrawn":
        publishing.unpublish(article)
    elif state == "trashed":
        publishing.move_to_trash(article)
    return article


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site(settings, tmp_path, commits, section):
    """Live stories (a few pages of every listing), and a marked story in every other state.

    Small pages, so that every listing, the search results, the sitemap and the API have
    further pages to crawl.
    """
    settings.MEDIA_ROOT = tmp_path
    settings.ARTICLES_PER_PAGE = 2
    settings.SITEMAP_PAGE_SIZE = 2
    reporter = AuthorFactory(name="Ana Reyes", slug="ana-reyes")
    hidden = AuthorFactory(name=f"{LEAK} author", slug=f"{LEAK}-author")
    with commits():
        live = marked_story("qxlive", "now", author=reporter, tags=["Transit", "qxlive tag"])
        for number in range(5):
            ArticleFactory(
                live=True,
                headline=f"Pelican count {number}",
                body=f"<p>The pelican count number {number}.</p>",
                authors=[reporter],
                tags=["Transit"],
            )
        hidden_ones = {
            state: marked_story(LEAK, state, author=hidden, tags=["Transit", f"{LEAK} {state} tag"])
            for state in STATES
        }
    with commits():
        # A substantive update, so the live story has a change log to crawl too.
        live.dek = f"{live.dek} (updated)"
        publishing.save(live, note="Adds the count.", substantive=True)
    return live, hidden_ones


def links_in(path: str, response) -> list[str]:
    """The addresses a response names: HTML links, XML locations, JSON URLs, robots.txt."""
    content_type = response.get("Content-Type", "")
    if response.status_code in {HTTPStatus.MOVED_PERMANENTLY, HTTPStatus.FOUND}:
        return [response["Location"]]
    text = response.content.decode()
    if content_type.startswith("text/html"):
        return read_html(text).links()
    if content_type.startswith("text/plain"):
        return re.findall(r"^Sitemap:\s*(\S+)", text, re.MULTILINE)
    if "xml" in content_type:
        root = parse_xml(response.content)
        values = [v for e in root.iter() for v in [e.text or "", *e.attrib.values()] if "://" in v]
        return [value.strip() for value in values]
    if content_type.startswith("application/json"):
        found = []

        def walk(value):
            if isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
            elif isinstance(value, str) and value.startswith(("http://", "https://", "/")):
                found.append(value)

        walk(json.loads(text))
        return found
    return []


def further_pages(path: str) -> list[str]:
    """A listing's next pages, whether or not it links them: ?page=2 and ?page=3."""
    parts = urlsplit(path)
    if parts.query or not (
        parts.path.startswith(("/section/", "/tag/", "/author/", "/corrections/"))
        and parts.path.endswith("/")
        and "/feed/" not in parts.path
    ):
        return []
    return [f"{parts.path}?page={number}" for number in (2, 3)]


def crawl(client, settings, start: list[str]) -> dict[str, object]:
    """Every same-site address reachable from `start`, fetched once: {path: response}."""
    seen, queue, fetched = set(start), deque(start), {}
    while queue and len(fetched) < CRAWL_LIMIT:
        path = queue.popleft()
        response = client.get(path)
        fetched[path] = response
        for address in [*links_in(path, response), *further_pages(path)]:
            found = same_site_path(address, f"http://testserver{path}", settings.SITE_URL)
            if found and found not in seen and not found.startswith(NOT_CRAWLED):
                seen.add(found)
                queue.append(found)
    assert not queue, f"the crawl stopped at {CRAWL_LIMIT} addresses: raise the limit"
    return fetched


def seen_by_reader(response) -> str:
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return f"{headers}\n{response.content.decode(errors='replace')}"


START = [
    "/",
    "/robots.txt",
    "/feed/",
    "/feed/atom/",
    "/corrections/feed/",
    "/search/?q=pelican",
    "/api/v1/articles/?page_size=2",
    "/api/v1/tags/?page_size=2",
    "/api/v1/sections/",
    "/api/v1/openapi.json",
    "/api/v1/docs",
]


def test_an_anonymous_crawl_of_the_whole_site_finds_no_trace_of_unpublished_stories(
    client, settings, site
):
    live, hidden = site
    fetched = crawl(client, settings, START)
    errors = {p: r.status_code for p, r in fetched.items() if r.status_code >= 500}
    assert not errors, errors
    ids = {str(article.uuid): state for state, article in hidden.items()}
    leaks = []
    for path, response in fetched.items():
        text = seen_by_reader(response)
        leaks.extend(f"{path}: {word}" for word in sorted(set(re.findall(rf"{LEAK}\w*", text))))
        leaks.extend(f"{path}: the public id of the {ids[i]} story" for i in ids if i in text)
    assert not leaks, "\n".join(leaks)
    # The positive control: the crawl reaches every field of the live story, its tag, its
    # author's page, its change log, its correction, the listings' further pages and the API.
    everything = "\n".join(seen_by_reader(response) for response in fetched.values())
    unseen = [
        word
        for word in [
            marker("qxlive", "now", code) for code in [*FIELDS, *PICTURE_FIELDS, "bd", "sub", "co"]
        ]
        if word not in everything
    ]
    assert not unseen, unseen
    for path in [
        live.get_absolute_url(),
        f"{live.get_absolute_url()}history/",
        "/tag/qxlive-tag/",
        "/tag/transit/?page=2",
        "/author/ana-reyes/?page=3",
        "/section/new-york/?page=2",
        f"/api/v1/articles/{live.uuid}/ninjs/",
        "/sitemap.xml",
        "/news-sitemap.xml",
    ]:
        assert fetched.get(path) is not None, f"the crawl did not reach {path}"
        assert fetched[path].status_code == HTTPStatus.OK, path


@pytest.mark.parametrize("state", STATES)
def test_a_non_live_story_and_what_only_it_carries_have_no_public_address(client, site, state):
    _, hidden = site
    article = hidden[state]
    gone = HTTPStatus.GONE if state == "withdrawn" else HTTPStatus.NOT_FOUND
    tag_slug = f"{LEAK}-{state}-tag"
    # Its address, and the one it had (or would have had) before the trash.
    story_path = f"{article.url_date():%Y/%m/%d}/{LEAK}-{state}-slug/"
    story_path = f"/{story_path}"
    expected = {
        article.get_absolute_url(): gone,
        story_path: gone,
        f"{story_path}history/": HTTPStatus.NOT_FOUND,
        f"/tag/{tag_slug}/": HTTPStatus.NOT_FOUND,
        f"/tag/{tag_slug}/feed/": HTTPStatus.NOT_FOUND,
        f"/author/{LEAK}-author/": HTTPStatus.NOT_FOUND,
        f"/author/{LEAK}-author/feed/": HTTPStatus.NOT_FOUND,
        f"/api/v1/articles/{article.uuid}/": HTTPStatus.NOT_FOUND,
        f"/api/v1/articles/{article.uuid}/ninjs/": HTTPStatus.NOT_FOUND,
        f"/api/v1/articles/?tag={tag_slug}": HTTPStatus.OK,
        f"/api/v1/articles/?author={LEAK}-author": HTTPStatus.OK,
        f"/search/?q={marker(LEAK, state, 'hl')}": HTTPStatus.OK,
        f"/search/?q={marker(LEAK, state, 'bd')}": HTTPStatus.OK,
    }
    for path, status in expected.items():
        response = client.get(path)
        assert response.status_code == status, path
        text = seen_by_reader(response)
        if path.startswith("/search/"):
            # The page repeats the query; it must find nothing.
            assert "search-results" not in text, path
            continue
        assert LEAK not in text and str(article.uuid) not in text, path
        if path.startswith("/api/v1/articles/?"):
            assert response.json()["count"] == 0, path
