"""Issue 10, "bad requests never 500", fuzzed: Hypothesis sends generated addresses,
searches, API parameters, methods, bodies and headers through the test client, and every
answer is a client error (the site's own page, or the API's JSON) or the normal page.

Run on SQLite and PostgreSQL: the engines refuse different things (PostgreSQL NUL bytes in
text and out-of-range integers, FTS5 its own query syntax).

The examples share one test's story and database transaction: each example only reads
(methods that would write are checked to change nothing), so Hypothesis's warning about
function-scoped fixtures does not apply. Each example starts with no stored pages, so that
a page stored by an earlier example never answers in place of the view under test.
Derandomized, so CI runs the same examples every time; the counts keep the module to about
a minute per engine.
"""

import itertools
import re
import string
from contextlib import contextmanager
from http import HTTPStatus
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from articles.editorial import preview
from articles.models import Article, Correction
from caching import generation, pages
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory

pytestmark = pytest.mark.django_db


def fuzz(max_examples):
    return hypothesis_settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        # One story and transaction for all the examples (see the module's docstring).
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture
def story(section):
    article = ArticleFactory(
        live=True, tags=["Budget", "City Hall"], authors=[AuthorFactory(slug="ana-reyes")]
    )
    CorrectionFactory(article=article)
    return article


@contextmanager
def one_example():
    """No stored pages, and a savepoint rolled back after the example: whatever one example
    does (a failed PostgreSQL statement aborts the transaction) never reaches the next."""
    pages.local.clear()
    generation.store().bump("")
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# What a good answer is


def is_site_page(body: str) -> bool:
    """The site's own page (base.html): its masthead and main landmark."""
    return 'class="site-name"' in body and '<main id="main"' in body


def assert_answered_well(response, what):
    status = response.status_code
    if currently_in_test_context():  # what the examples reached: --hypothesis-show-statistics
        event(f"status {status}")
    assert status < HTTPStatus.INTERNAL_SERVER_ERROR, what
    kind = response.get("Content-Type", "")
    if status == HTTPStatus.NOT_FOUND and kind.startswith("text/html"):
        body = response.content.decode()
        assert is_site_page(body), what
        assert "We can’t find that page" in body, what
    elif status >= HTTPStatus.BAD_REQUEST and kind.startswith("text/html"):
        assert is_site_page(response.content.decode()), what
    elif status >= HTTPStatus.BAD_REQUEST and kind.startswith("application/json"):
        assert "detail" in response.json(), what


def assert_api_answered_in_json(response, what):
    assert_answered_well(response, what)
    if response.status_code != HTTPStatus.NOT_MODIFIED:
        assert response["Content-Type"].startswith("application/json"), what
        response.json()


# Generated pieces of addresses

# Control characters, NUL, the path's own syntax, percent signs, and letters from other
# scripts (combining marks, right-to-left, emoji, a surrogate's neighbours).
ODD_TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("\x00\x01\x1f\x7f\t\n\r /.?#%&;=+\\\"'<>é€\u202e\u0301\ufeff💥"),
    ),
    max_size=40,
)
# A NUL byte in a parameter's value (sent as %00): PostgreSQL refuses it in any text.
WITH_NUL = st.sampled_from(["\x00", "new-york\x00", "bud\x00get", "ana-reyes\x00\x00"])
SLUG_TEXT = st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=30)


def encoded(text: str, *, keep_slashes=False) -> str:
    return quote(text, safe="/" if keep_slashes else "")


def as_wsgi_gives_it(text: str) -> str:
    """A header's bytes as a WSGI server hands them to Django: UTF-8 read as Latin-1."""
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


segments = st.one_of(
    SLUG_TEXT,
    ODD_TEXT.map(encoded),
    ODD_TEXT.map(lambda text: encoded(text, keep_slashes=True)),
    st.binary(max_size=12).map(lambda raw: quote(raw, safe="")),  # not UTF-8 at all
    st.sampled_from(["%00", "a%00b", "..", ".", "%2e%2e", "..%2f..%2fetc", "a/b", "%2F"]),
    st.integers(1, 5000).map(lambda n: "a" * n),  # up to 5,000 characters
    st.sampled_from(["a" * 5000, "é" * 2500, "%00" * 100]),
)
numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.integers(0, 99).map(lambda n: f"{n:02d}"),
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    st.integers(0, 9).map(lambda n: "0" * 6 + str(n)),  # leading zeros
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["0000", "9999", "00", "99", "-1", "1e9", "0x10", "٣", "１２", ""]),
    segments,
)
uuids = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda uuid: uuid.hex.upper()),
    st.uuids().map(lambda uuid: "{" + str(uuid) + "}"),
    st.uuids().map(lambda uuid: f"urn:uuid:{uuid}"),
    st.sampled_from(["0" * 32, "g" * 32, "00000000-0000-0000-0000-00000000000", "-1"]),
    segments,
)
page_numbers = st.one_of(
    numbers,
    st.sampled_from(["1", "2", "last", "0", "-0", " 1", "1 ", "+1", "1.0", "1e3", "NaN", "inf"]),
    st.sampled_from([str(2**31), str(2**63 - 1), str(2**63), str(2**64), "9" * 400]),
)
query_keys = st.one_of(
    st.sampled_from(["page", "q", "section", "since", "until", "p", "tag", "format", "utm_x"]),
    ODD_TEXT,
)
query_values = st.one_of(page_numbers, ODD_TEXT, segments)
query_strings = st.one_of(
    st.just(""),
    st.lists(st.tuples(query_keys, query_values), max_size=5).map(urlencode),
    st.binary(max_size=40).map(lambda raw: quote(raw, safe="=&;%+")),  # raw, half-encoded
    st.sampled_from(["%", "%%", "%zz", "=", "&&&", ";", "a=%ff", "page=1&page=2", "p=%00"]),
)


# (a) The URL space: every route, with generated values for its parts

CONVERTERS = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def routes(resolver=None, prefix="/"):
    """Every route of the site (the admin's as one, anonymous), as written in its URLconf."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver) and route == f"/{settings.ADMIN_PATH}":
            yield route + "<path:rest>"
        elif isinstance(pattern, URLResolver):
            yield from routes(pattern, route)
        else:
            assert isinstance(pattern, URLPattern)
            yield route


ROUTES = sorted(set(routes()))


def values_for(story):
    """A strategy for each converter of the routes: mostly the real story's values, so that
    the views past the URL resolver run too, and mostly strange ones."""
    local = story.url_date()
    story_slug = st.sampled_from(
        [story.slug, story.section.slug, "budget", "ana-reyes", story.slug.upper()]
    )
    return {
        "yyyy": st.one_of(st.just(f"{local.year:04d}"), numbers),
        "mm": st.one_of(
            st.just(f"{local.month:02d}"), st.sampled_from(["00", "13", "99"]), numbers
        ),
        "dd": st.one_of(st.just(f"{local.day:02d}"), st.sampled_from(["00", "31", "32"]), numbers),
        "slug": st.one_of(story_slug, segments),
        "str": st.one_of(story_slug, st.just(str(story.uuid)), uuids, segments),
        "path": st.one_of(segments, st.lists(segments, max_size=4).map("/".join)),
        "uuid": st.one_of(st.just(str(story.uuid)), uuids),
    }


def fill(route, data, values):
    def part(match):
        converter = match["converter"] or "str"
        return data.draw(values[converter], label=match["name"])

    return CONVERTERS.sub(part, route)


def test_the_fuzzed_routes_are_every_public_route():
    """A new route is fuzzed as soon as it exists: each of its converters has generated
    values, and the routes this list names are found."""
    converters = {match["converter"] or "str" for r in ROUTES for match in CONVERTERS.finditer(r)}
    assert converters <= {"yyyy", "mm", "dd", "slug", "str", "path", "uuid"}
    assert {
        "/",
        "/<yyyy:year>/<mm:month>/<dd:day>/<slug:slug>/",
        "/<yyyy:year>/<mm:month>/<dd:day>/<slug:slug>/history/",
        "/section/<slug:slug>/",
        "/tag/<str:slug>/feed/",
        "/preview/<str:token>/",
        "/sitemap-<slug:section>.xml",
        "/search/",
        "/api/v1/articles/<uuid>/ninjs/",
        "/api/v1/tags/",
        f"/{settings.ADMIN_PATH}<path:rest>",
    } <= set(ROUTES)


@fuzz(max_examples=300)
@given(data=st.data())
def test_any_address_on_any_route_is_answered_without_a_server_error(story, data):
    with one_example():
        route = data.draw(st.sampled_from(ROUTES), label="route")
        path = fill(route, data, values_for(story))
        query = data.draw(query_strings, label="query")
        address = f"{path}?{query}" if query else path
        response = Client().get(address)
        if address.startswith("/api/v1/") and route != "/api/v1/docs":
            assert_api_answered_in_json(response, address)
        else:
            assert_answered_well(response, address)


@fuzz(max_examples=100)
@given(data=st.data(), tail=st.sampled_from(["", "history/"]))
def test_any_date_in_a_storys_address_is_the_story_its_redirect_or_the_sites_404(story, data, tail):
    """Well-formed digits (the routes' garbage is fuzzed above): the story's own date, other
    dates, impossible ones (0000, month 13, 31 February)."""
    local = story.url_date()

    def part(real, digits):
        width = f"0{digits}d"
        return st.one_of(
            st.just(format(real, width)),
            st.integers(0, 10**digits - 1).map(lambda number: format(number, width)),
        )

    year = data.draw(part(local.year, 4), label="year")
    month = data.draw(part(local.month, 2), label="month")
    day = data.draw(part(local.day, 2), label="day")
    with one_example():
        address = f"/{year}/{month}/{day}/{story.slug}/{tail}"
        response = Client().get(address)
        event(f"{tail or 'story'} {response.status_code}")
        assert_answered_well(response, address)
        moved = HTTPStatus.MOVED_PERMANENTLY
        assert response.status_code in {HTTPStatus.OK, moved, HTTPStatus.NOT_FOUND}, address


LISTINGS = ["/section/new-york/", "/tag/budget/", "/author/ana-reyes/", "/corrections/"]


@fuzz(max_examples=100)
@given(listing=st.sampled_from(LISTINGS), page=page_numbers, query=query_strings)
def test_any_page_number_of_a_listing_is_a_page_or_the_sites_404(story, listing, page, query):
    with one_example():
        response = Client().get(f"{listing}?page={quote(page, safe='')}&{query}")
        assert_answered_well(response, (listing, page, query))
        assert response.status_code in {HTTPStatus.OK, HTTPStatus.NOT_FOUND}, (listing, page)


@fuzz(max_examples=100)
@given(
    path=st.lists(segments, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts)),
    query=query_strings,
)
def test_an_address_outside_the_routes_is_the_sites_404_or_a_redirect(story, path, query):
    with one_example():
        response = Client().get(f"{path}?{query}" if query else path)
        assert_answered_well(response, path)


anything = st.recursive(
    st.one_of(
        st.none(),
        # Not True or False: tests/test_security_requests.py has that case (on PostgreSQL
        # it is still a 500, see there).
        st.integers(-(2**70), 2**70),
        st.floats(),
        st.text(max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@fuzz(max_examples=80)
@given(
    content=st.one_of(st.fixed_dictionaries({"article": anything}), anything),
    compress=st.booleans(),
    salt=st.sampled_from([preview.SALT, "another.salt"]),
)
def test_a_preview_link_signed_around_any_content_is_a_404_not_a_crash(
    story, content, compress, salt
):
    """Only this site can sign a preview link; still, what a link carries is never trusted
    to be a story's id: a huge number, a float, a list, another salt's link is a 404."""
    with one_example():
        token = signing.dumps(content, salt=salt, compress=compress)
        response = Client().get(f"/preview/{token}/")
        assert_answered_well(response, content)
        assert response.status_code in {HTTPStatus.OK, HTTPStatus.NOT_FOUND}, content


# (b) The search form

OPERATORS = [
    *("AND", "OR", "NOT", "NEAR", "NEAR(", "*", '"', "(", ")", ":", "^", "-", "+"),
    *("&", "|", "!", "<->", "<2>", ":*", ":A", "''", "\\", "{headline}", "headline:"),
    *("\x00", "\x01", "%", "_", "'", ";", "--", "/*", "é", "Ⅻ", "ß", "İ", "🏙️", "\u200b"),
]
WORDS = ["budget", "council", "the", "a", "Mamdani", "city", "hall", "vote", "NYPD", "ICE"]
search_terms = st.one_of(
    st.sampled_from(OPERATORS + WORDS),
    st.text(max_size=12),
    st.builds(lambda word, op: word + op, st.sampled_from(WORDS), st.sampled_from(OPERATORS)),
    st.builds(lambda op, word: op + word, st.sampled_from(OPERATORS), st.sampled_from(WORDS)),
)
search_queries = st.one_of(
    # A word the story has, in operators: these reach the ranking and the snippets.
    st.tuples(
        st.sampled_from(OPERATORS + ["", ""]),
        st.sampled_from(["budget", "council", "vote", "city hall", '"council approves"']),
        st.sampled_from(OPERATORS + ["", ""]),
        st.sampled_from([" ", ""]),
    ).map(lambda parts: parts[3].join(parts[:3])),
    st.lists(search_terms, max_size=30).flatmap(
        lambda terms: st.sampled_from([" ", "", "  ", "\t"]).map(lambda gap: gap.join(terms))
    ),
    st.builds(lambda word, n: " ".join([word] * n), st.sampled_from(WORDS), st.integers(1, 1000)),
    st.integers(1, 5000).map(lambda n: ("budget " * n)[:5000]),  # up to 5,000 characters
    st.text(max_size=400),
)
search_dates = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2026-02-31", "2026-13-01", "0000-00-00", "0001-01-01", "9999-12-31"]),
    st.sampled_from(["1799-12-31", "3000-01-01", "99999-01-01", "10/25/2006", "today", ""]),
    numbers,
    ODD_TEXT,
)


@fuzz(max_examples=250)
@given(
    q=search_queries,
    fields=st.fixed_dictionaries(
        {},
        optional={
            "section": st.one_of(st.just("new-york"), segments, ODD_TEXT, WITH_NUL),
            "since": search_dates,
            "until": search_dates,
            "page": page_numbers,
        },
    ),
)
def test_any_search_is_answered_with_the_search_page(story, q, fields):
    with one_example():
        response = Client().get("/search/", {"q": q, **fields})
        assert response.status_code == HTTPStatus.OK, (q, fields)
        event("results" if b"search-results" in response.content else "no results")
        assert is_site_page(response.content.decode())


# (c) The API's parameters

api_datetimes = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
    st.builds(
        lambda day, offset: f"{day}T00:00{offset}",
        st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-31", "1970-01-01"]),
        st.sampled_from(["", "Z", "+23:59", "-23:59", "+24:00", "+99:99", "+00:00:01", "-00"]),
    ),
    st.sampled_from(["now", "0", "1700000000", "1e10", "-1", "T", "2026", "2026-W01", ""]),
    search_dates,
)
EDGE_DAYS = ["0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31", "2026-02-31", "2026-11-01"]
EDGE_TIMES = ["00:00", "01:59", "04:59:59", "12:00", "19:00", "23:59:59.999999", "24:00"]
EDGE_OFFSETS = ["", "Z", "+00:00", "+05:00", "-05:00", "+23:59", "-23:59", "+24:00", "-00"]


@fuzz(max_examples=100)
@given(since=api_datetimes)
def test_any_updated_since_is_a_page_or_a_json_422(story, since):
    with one_example():
        response = Client().get("/api/v1/articles/", {"updated_since": since})
        assert_api_answered_in_json(response, since)
        assert response.status_code in {HTTPStatus.OK, HTTPStatus.UNPROCESSABLE_ENTITY}, since


def test_updated_since_at_the_calendars_edges_in_any_offset_is_a_page_or_a_json_422(story):
    """Every one of these (a small space: all of it, not a sample). A time inside the
    calendar in its own offset or the site's zone, but outside it in UTC, is the client's
    mistake, not a crash."""
    client = Client()
    for day, time, offset in itertools.product(EDGE_DAYS, EDGE_TIMES, EDGE_OFFSETS):
        since = f"{day}T{time}{offset}"
        with one_example():
            response = client.get("/api/v1/articles/", {"updated_since": since})
            assert_api_answered_in_json(response, since)
            assert response.status_code in {HTTPStatus.OK, HTTPStatus.UNPROCESSABLE_ENTITY}


api_values = {
    "page": page_numbers,
    "page_size": st.one_of(st.integers(-5, 200).map(str), page_numbers),
    "section": st.one_of(st.just("new-york"), segments, ODD_TEXT, WITH_NUL),
    "tag": st.one_of(st.just("budget"), segments, ODD_TEXT, WITH_NUL),
    "author": st.one_of(st.just("ana-reyes"), segments, ODD_TEXT, WITH_NUL),
    "updated_since": api_datetimes,
    "version": st.one_of(st.sampled_from(["2", "2.2", "3", "3.1", "3.0", "4", ""]), ODD_TEXT),
    # Not the API's: what clients of other APIs send, to be ignored.
    "limit": page_numbers,
    "offset": page_numbers,
    "cursor": st.one_of(ODD_TEXT, st.binary(max_size=30).map(bytes.hex)),
    "ordering": st.sampled_from(["-publish_at", "headline", "password", "__class__"]),
}
api_headers = st.fixed_dictionaries(
    {},
    optional={
        "If-None-Match": st.one_of(st.just("*"), ODD_TEXT.map(encoded), st.just('W/"x"')),
        "If-Modified-Since": st.one_of(
            api_datetimes.map(as_wsgi_gives_it), st.just("Sun, 06 Nov 1994 08:49:37 GMT")
        ),
        "Accept": st.sampled_from(["application/xml", "*/*", "text/html", ";;", ""]),
    },
)
API_PATHS = [
    "/api/v1/articles/",
    "/api/v1/articles/{uuid}/",
    "/api/v1/articles/{uuid}/ninjs/",
    "/api/v1/sections/",
    "/api/v1/tags/",
    "/api/v1/",
    "/api/v1/openapi.json",
]


@fuzz(max_examples=150)
@given(
    name=st.sampled_from(["section", "tag", "author", "updated_since", "page", "page_size"]),
    data=st.data(),
)
def test_any_one_parameter_of_the_list_is_a_page_or_a_json_error(story, name, data):
    """One parameter at a time: with several, the first invalid one answers 422 before the
    others reach the database."""
    value = data.draw(api_values[name], label=name)
    with one_example():
        response = Client().get("/api/v1/articles/", {name: value})
        assert_api_answered_in_json(response, (name, value))


@fuzz(max_examples=300)
@given(
    path=st.sampled_from(API_PATHS),
    uuid=uuids,
    params=st.fixed_dictionaries({}, optional=api_values),
    headers=api_headers,
    data=st.data(),
)
def test_any_api_request_is_answered_in_json(story, path, uuid, params, headers, data):
    with one_example():
        real = data.draw(st.booleans(), label="the story's uuid")
        address = path.format(uuid=story.uuid if real else uuid)
        response = Client().get(address, params, headers=headers)
        assert_api_answered_in_json(response, (address, params, headers))


# (d) Methods, bodies and headers

PUBLIC_PAGES = [
    "/",
    "/section/new-york/",
    "/tag/budget/",
    "/author/ana-reyes/",
    "{story}",
    "{story}history/",
    "/corrections/",
    "/search/?q=budget",
    "/feed/",
    "/feed/atom/",
    "/tag/budget/feed/",
    "/sitemap.xml",
    "/news-sitemap.xml",
    "/robots.txt",
    "/nowhere/",
    "/api/v1/articles/",
    "/api/v1/articles/{uuid}/",
]
TOO_BIG = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
bodies = st.one_of(
    st.just(b""),
    st.binary(max_size=200),
    st.just(TOO_BIG),
    st.integers(1, 2000).map(lambda n: b"a=1&" * n),  # more fields than DATA_UPLOAD_MAX_NUMBER
)
content_types = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",
        "application/json",
        "application/octet-stream",
        "text/plain; charset=nonexistent",
    ]
)


@fuzz(max_examples=150)
@given(
    method=st.sampled_from(["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"]),
    page=st.sampled_from(PUBLIC_PAGES),
    body=bodies,
    content_type=content_types,
    csrf_checks=st.booleans(),
)
def test_an_unexpected_method_or_body_changes_nothing_and_is_no_server_error(
    story, method, page, body, content_type, csrf_checks
):
    with one_example():
        address = page.format(story=story.get_absolute_url(), uuid=story.uuid)
        before = list(Article.objects.values_list("pk", "status", "slug", "version"))
        client = Client(enforce_csrf_checks=csrf_checks)
        response = client.generic(method, address, body, content_type=content_type)
        event(f"{method} {response.status_code}")
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (method, address)
        assert list(Article.objects.values_list("pk", "status", "slug", "version")) == before
        assert Correction.objects.count() == 1


header_values = st.one_of(
    ODD_TEXT.filter(lambda text: "\n" not in text and "\r" not in text).map(as_wsgi_gives_it),
    st.integers(1, 100_000).map(lambda n: "a" * n),  # a header up to 100 KB
)
hosts = st.one_of(
    st.sampled_from(["evil.example", "testserver:99999", "[::1", "a..b", "localhost:-1", ""]),
    st.sampled_from(["testserver@evil.example", "testserver\x00", "0x7f.1"]),
    st.just(as_wsgi_gives_it("ｔｅｓｔserver")),
    header_values,
)


@fuzz(max_examples=120)
@given(
    page=st.sampled_from(PUBLIC_PAGES),
    host=st.one_of(st.sampled_from([None, "testserver", "localhost:80", "127.0.0.1"]), hosts),
    headers=st.dictionaries(
        st.sampled_from(
            [
                "X-Forwarded-Proto",
                "X-Forwarded-For",
                "X-Forwarded-Host",
                "Cookie",
                "Referer",
                "User-Agent",
                "Accept-Language",
                "Accept-Encoding",
                "If-None-Match",
                "If-Modified-Since",
                "Range",
                "X-Huge",
            ]
        ),
        header_values,
        max_size=4,
    ),
)
def test_bad_hosts_and_huge_headers_are_no_server_error(story, page, host, headers):
    with one_example():
        address = page.format(story=story.get_absolute_url(), uuid=story.uuid)
        if host is not None:
            headers = {**headers, "Host": host}
        response = Client().get(address, headers=headers)
        event(f"status {response.status_code}")
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (address, host, headers)
