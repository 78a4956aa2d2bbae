"""Issue 10, "the search index tells nothing about drafts": what only stories readers cannot
see hold changes no result, no order and no count, on SQLite and PostgreSQL.

The index holds every story (publishing shows at once); ranking and counting look at live
stories only, and neither engine's scores read statistics of the whole index (SQLite scores by
column, not bm25; PostgreSQL's ts_rank reads one story's vector).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from articles import search
from tests.test_search import search_page

pytestmark = pytest.mark.django_db


def shown(client, query: str) -> tuple[list[str], str]:
    """The headlines found, in order, and what the page says of their number."""
    page = search_page(client, q=query)
    headlines = re.findall(r"<h[23][^>]*>\s*<a [^>]*>(.*?)</a>", page, re.S)
    text = " ".join(strip_tags(page).split())
    found = re.search(r"(More than \d+|\d+) stor(y|ies) found|No stories", text)
    return [strip_tags(headline).strip() for headline in headlines], found and found[0]


def hidden_stories(story, words: str) -> None:
    """Stories no reader sees, newer than every live one and full of the query's words."""
    now = timezone.now()
    states = [
        {"status": "draft"},
        {"status": "review"},
        {"status": "published", "publish_at": now + timedelta(days=2)},
        {"status": "unpublished", "first_published_at": now - timedelta(hours=1)},
    ]
    for n in range(12):
        story(
            headline=f"{words} {words} hidden {n}",
            dek=words,
            body=f"<p>{words} {words} {words}</p>",
            **states[n % len(states)],
        )


@pytest.fixture
def live(story):
    now = timezone.now()
    return [
        story(headline="Harbour tunnel opens", publish_at=now - timedelta(days=3), live=True),
        story(
            headline="Council budget vote",
            body="<p>The harbour tunnel costs more than planned.</p>",
            publish_at=now - timedelta(days=2),
            live=True,
        ),
        story(
            headline="Ferry fares rise",
            dek="Harbour commuters pay more from Monday.",
            publish_at=now - timedelta(days=1),
            live=True,
        ),
    ]


@pytest.mark.parametrize(
    "query", ["harbour", "harbour tunnel", '"harbour tunnel"', "tunnel -ferry"]
)
def test_results_order_and_count_ignore_words_only_hidden_stories_hold(client, live, story, query):
    before = shown(client, query)
    assert before[0], "the live stories are found"

    hidden_stories(story, "harbour tunnel")

    assert shown(client, query) == before


def test_a_word_only_hidden_stories_hold_finds_nothing(client, live, story):
    hidden_stories(story, "embargoed lighthouse")

    headlines, count = shown(client, "lighthouse")

    assert headlines == [] and count == "0 stories found"


def test_hidden_stories_do_not_take_places_among_the_newest_matches_ranked(
    client, live, story, monkeypatch
):
    # Only the newest MAX_RANKED matches are ranked: newer hidden ones must not crowd out
    # the live ones nor change "More than N".
    monkeypatch.setattr(search, "MAX_RANKED", 2)
    before = shown(client, "harbour")

    hidden_stories(story, "harbour")

    assert shown(client, "harbour") == before
    assert before[1] == "More than 2 stories found"
