"""Search does bounded work on any archive and any input, on SQLite and PostgreSQL.

It ranks only the newest matches of a common word, yet finds any story by a rarer query;
refuses queries too long to search, with a message; and takes any filter without an error.
"""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from articles import search
from articles.models import Article
from tests.factories import SectionFactory
from tests.test_search import results, search_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(section, story):
    """A story about a lighthouse, then 11 newer ones a day apart: all mention ferries.

    With MAX_RANKED at 2, each engine's bound on its work is far below the archive's size.
    """
    now = timezone.now()
    oldest = story(
        headline="Lighthouse keeper retires",
        body="<p>The last ferry of the day passes the lighthouse.</p>",
        status="published",
        publish_at=now - timedelta(days=20),
    )
    for n in range(11):
        story(
            headline=f"Ferry timetable {n}",
            status="published",
            publish_at=now - timedelta(days=11 - n),
        )
    return oldest


@pytest.fixture
def small_bounds(monkeypatch):
    """Two stories ranked; the engines look at a few stories more before giving up."""
    monkeypatch.setattr(search, "MAX_RANKED", 2)
    monkeypatch.setattr(search.sqlite, "EXAMINED_PER_RANKED", 2)
    monkeypatch.setattr(search.postgres, "MAX_READ_PER_RANKED", 1)
    monkeypatch.setattr(search.postgres, "MAX_WALKED_PER_RANKED", 2)


def test_a_common_word_ranks_only_the_newest_matches_and_says_so(client, archive, small_bounds):
    page = results(client, q="ferry")
    assert "More than 2 stories found for “ferry”" in page
    assert "Ferry timetable 10" in page and "Ferry timetable 9" in page
    assert "Ferry timetable 8" not in page and "Lighthouse keeper" not in page


@pytest.mark.parametrize("query", ["lighthouse", "ferry lighthouse", '"lighthouse keeper"'])
def test_a_story_beyond_the_newest_matches_is_found_by_a_rarer_query(
    client, archive, small_bounds, query
):
    # The rarer words lead the search past the newest matches, however old the story.
    page = results(client, q=query)
    assert "1 story found" in page
    assert "Lighthouse keeper retires" in page


def test_a_narrow_date_range_finds_all_its_matches(client, archive, small_bounds):
    # Two stories in the range, a week old; one is among the newest matches looked at first.
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    until = (timezone.localdate() - timedelta(days=6)).isoformat()
    page = results(client, q="ferry", since=since, until=until)
    assert "2 stories found" in page
    assert "Ferry timetable 5" in page and "Ferry timetable 4" in page
    page = results(client, q="lighthouse ferry", until=since)
    assert "1 story found" in page and "Lighthouse keeper retires" in page


def test_a_filter_many_pass_finds_matches_beyond_the_newest(client, archive, small_bounds):
    # Many stories pass the filter, none of them among the newest matches looked at.
    harbors = SectionFactory(name="Harbors", slug="harbors")
    oldest = Article.objects.order_by("pk")[:6]
    Article.objects.filter(pk__in=oldest.values("pk")).update(section=harbors)
    page = results(client, q="ferry", section="harbors")
    assert "More than 2 stories found" in page
    assert "Ferry timetable 4" in page and "Ferry timetable 3" in page


def test_a_phrase_of_common_words_is_found_or_the_results_say_they_may_be_partial(
    archive, small_bounds
):
    # Every story has both words; one old story has them in this order. PostgreSQL's index
    # knows the words but not their order, so it may stop at its bound rather than read
    # every story: then the results must not claim to be all there are.
    Article.objects.filter(pk=archive.pk).update(headline="Timetable ferry sinks")
    search.index_articles([archive.pk])
    found = search.search('"timetable ferry"')
    assert [article.headline for article in found] == ["Timetable ferry sinks"] or (
        len(found) == 0 and found.is_capped
    )


def test_drafts_are_never_found_beyond_the_newest_matches(client, archive, story, small_bounds):
    story(headline="Lighthouse sale draft", status="draft")
    page = results(client, q="lighthouse")
    assert "Lighthouse keeper retires" in page and "Lighthouse sale draft" not in page


@pytest.mark.parametrize(
    "query, message",
    [
        (" ".join(["the"] * 24), "Search for at most 12 words at a time (this search has 24)."),
        ("ferry " * 13, "Search for at most 12 words at a time (this search has 13)."),
        ("a" * 301, "Search for at most 300 characters."),
    ],
    ids=["repeated word", "thirteen words", "long"],
)
def test_a_query_too_long_to_search_gets_a_message_not_results(client, archive, query, message):
    page = results(client, q=query)
    assert message in page
    assert "Ferry timetable" not in page and "stories found" not in page


def test_the_longest_query_allowed_is_searched(client, archive):
    page = results(client, q=" ".join(["ferry"] * 12))
    assert "Ferry timetable 10" in page
    assert "at most 12 words" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"until": "9999-12-31"},
        {"since": "0001-01-01"},
        {"since": "1799-12-31"},
        {"until": "3000-01-01"},
        {"since": "2026-02-30"},
        {"since": "2026-13-01"},
    ],
)
def test_dates_out_of_range_get_a_form_error_not_a_server_error(client, archive, params):
    response = client.get("/search/", {"q": "ferry", **params})
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Ferry timetable" not in page
    assert "Enter a" in page


def test_the_edges_of_the_date_range_are_searched(client, archive):
    page = results(client, q="ferry", since="1800-01-01", until="2999-12-31")
    assert "Ferry timetable 10" in page


def test_a_filter_that_nothing_passes_finds_nothing(client, archive):
    SectionFactory(name="Empty", slug="empty")
    page = search_page(client, q="ferry", section="empty")
    assert "0 stories found" in page
