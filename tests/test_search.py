"""Full-text search: the same cases on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from articles.editorial import publishing
from tests.factories import AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def results(client, **params):
    """The search page as a reader reads it: its text, without markup."""
    return strip_tags(search_page(client, **params))


def search_page(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def order(page, *headlines):
    return [page.index(headline) for headline in headlines]


def test_headline_match_ranks_above_body_match(client, section, story):
    story(headline="Budget fight at City Hall", body="<p>Nothing else here.</p>", live=True)
    story(headline="Other news", body="<p>The council discussed the ferry budget.</p>", live=True)
    page = results(client, q="ferry")
    assert "Other news" in page and "Budget fight" not in page
    page = results(client, q="budget")
    first, second = order(page, "Budget fight at City Hall", "Other news")
    assert first < second


def test_newer_story_ranks_above_older_on_equal_relevance(client, section, story):
    now = timezone.now()
    story(
        headline="Ferry service expands",
        slug="older",
        status="published",
        publish_at=now - timedelta(days=9),
    )
    story(
        headline="Ferry service expands",
        slug="newer",
        status="published",
        publish_at=now - timedelta(hours=1),
    )
    page = search_page(client, q="ferry service")
    assert page.index("/newer/") < page.index("/older/")


def test_search_stems_words(client, section, story):
    story(headline="City keeps its sanctuary policy", live=True)
    assert "City keeps its" in results(client, q="sanctuaries")


@pytest.mark.parametrize(
    "fields",
    [{"status": "draft"}, {"status": "review"}, {"scheduled": True}, {"status": "unpublished"}],
    ids=["draft", "review", "scheduled", "unpublished"],
)
def test_stories_that_are_not_live_are_never_found(client, section, story, fields):
    story(headline="Secret zoning memo", **fields)
    page = results(client, q="zoning")
    assert "Secret zoning memo" not in page
    assert "0 stories found" in page


def test_edits_and_unpublishing_show_at_once(client, section, story, commits):
    article = story(headline="Harbor plan unveiled", live=True, authors=[AuthorFactory()])
    assert "Harbor plan" in results(client, q="harbor")
    with commits():
        article.headline = "Waterfront plan unveiled"
        article.save()
    assert "Waterfront plan" not in results(client, q="harbor")
    assert "Waterfront plan" in results(client, q="waterfront")
    with commits():
        publishing.unpublish(article)
    assert "Waterfront plan" not in results(client, q="waterfront")


def test_deleted_story_leaves_the_index(client, section, story, commits):
    article = story(headline="Bridge closes for repairs", live=True)
    with commits():
        article.delete()
    assert "Bridge closes" not in results(client, q="bridge")


def test_search_covers_tags_section_and_authors(client, story):
    section = SectionFactory(name="Transit", slug="transit")
    author = AuthorFactory(name="Yolanda Quist")
    story(
        headline="Fares rise",
        section=section,
        tags=["Congestion pricing"],
        authors=[author],
        live=True,
    )
    for query in ["congestion", "transit", "Quist"]:
        assert "Fares rise" in results(client, q=query), query


def test_results_have_a_count_highlighted_snippets_and_pages(client, section, story, settings):
    settings.ARTICLES_PER_PAGE = 2
    for n in range(3):
        story(
            headline=f"Ferry story {n}", body="<p>The new ferry route opens in May.</p>", live=True
        )
    page = results(client, q="ferry")
    assert "3 stories found for “ferry”" in page
    assert "<mark>ferry</mark>" in search_page(client, q="ferry").lower()
    assert 'rel="next"' in search_page(client, q="ferry")
    assert "Page 2 of 2" in results(client, q="ferry", page=2)


def test_filters_by_section_and_date_range(client, section, story):
    world = SectionFactory(name="World", slug="world")
    now = timezone.now()
    story(headline="Ferry at home", live=True)
    story(headline="Ferry abroad", section=world, live=True)
    story(headline="Old ferry", status="published", publish_at=now - timedelta(days=400))
    page = results(client, q="ferry", section="world")
    assert "Ferry abroad" in page and "Ferry at home" not in page
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    page = results(client, q="ferry", since=since)
    assert "Old ferry" not in page and "Ferry at home" in page
    page = results(
        client, q="ferry", until=(timezone.localdate() - timedelta(days=300)).isoformat()
    )
    assert "Old ferry" in page and "Ferry at home" not in page


def test_phrases_exclusions_and_or(client, section, story):
    story(headline="Operation Salvo arrests", live=True)
    story(headline="Salvo of criticism", live=True)
    page = results(client, q='"operation salvo"')
    assert "Operation Salvo arrests" in page and "Salvo of criticism" not in page
    page = results(client, q="salvo -operation")
    assert "Salvo of criticism" in page and "Operation Salvo arrests" not in page
    page = results(client, q="arrests OR criticism")
    assert "Operation Salvo arrests" in page and "Salvo of criticism" in page


HOSTILE = [
    '"',
    '"unclosed phrase',
    "OR",
    "AND NOT",
    "- -- ---",
    "*",
    "NEAR(a b, 3)",
    "headline:ferry",
    "'; DROP TABLE articles_article; --",
    "<script>alert(1)</script>",
    "\x00\x01\x02",
    "ñandú café 東京",
    "a" * 5000,
    "ferry " * 1000,
    "((((",
    "!@#$%^&*()",
    "\u202e\ufeff",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_any_input_gets_a_page_never_an_error(client, section, story, query):
    story(headline="Ferry story", live=True)
    page = search_page(client, q=query)
    assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize(
    "params",
    [{"since": "yesterday"}, {"section": "no-such-section"}, {"page": "-1"}, {"page": "x"}],
)
def test_malformed_filters_get_a_page_with_the_error(client, section, params):
    results(client, q="ferry", **params)


def test_markup_in_a_story_is_escaped_in_results(client, section, story):
    story(headline="Ferry <b>bold</b> claims", body="<p>Ferry &lt;i&gt;x&lt;/i&gt;</p>", live=True)
    page = search_page(client, q="ferry")
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_search_page_query_count_is_constant(client, section, story):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in range(15):
        story(
            headline=f"Ferry {n}", live=True, authors=AuthorFactory.create_batch(3), tags=["a", "b"]
        )
        if n in (0, 14):
            with CaptureQueriesContext(connection) as queries:
                results(client, q="ferry")
            counts.append(len(queries))
    # Sections once, for the navigation and the form alike.
    assert counts[0] == counts[1] <= 6, counts


def test_a_very_common_word_shows_a_capped_count(client, section, story, monkeypatch, settings):
    monkeypatch.setattr("articles.search.MAX_RANKED", 3)
    settings.ARTICLES_PER_PAGE = 2
    for n in range(5):
        story(headline=f"Ferry story {n}", live=True)
    page = results(client, q="ferry")
    assert "More than 3 stories found for “ferry”" in page
    assert "Page 1 of 2" in page


def test_rebuilding_the_index_finds_stories_written_behind_its_back(client, section):
    from io import StringIO

    from django.core.management import call_command

    from articles.models import Article

    # Written outside the save paths, so no signal indexed them.
    Article.objects.bulk_create(
        [
            Article(
                headline="Lighthouse restored",
                slug="lighthouse",
                section=section,
                status="published",
                publish_at=timezone.now(),
            )
        ]
    )
    assert "Lighthouse restored" not in results(client, q="lighthouse")
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Indexed 1 stories." in out.getvalue()
    assert "Lighthouse restored" in results(client, q="lighthouse")


def test_a_common_word_ranks_only_the_newest_matches(client, section, story, monkeypatch):
    # Bounded work on a large archive: the oldest match of a word in every story is not ranked.
    monkeypatch.setattr("articles.search.MAX_RANKED", 2)
    story(live=True, headline="Oldest ferry schedule")
    story(live=True, headline="Ferry fares rise")
    story(live=True, headline="Ferry pier reopens")
    page = results(client, q="ferry")
    assert "Ferry fares rise" in page and "Ferry pier reopens" in page
    assert "Oldest ferry schedule" not in page
