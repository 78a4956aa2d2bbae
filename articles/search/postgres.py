"""PostgreSQL's engine: the weighted `search_vector` tsvector column, GIN-indexed (migration 0004).

Headline weighs A; dek, tags, section and authors B; body C. Queries use websearch syntax
("phrase", -exclude, OR), stemmed in English.
"""

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from articles.models import Article
from articles.search.documents import MAX_RANKED, START, STOP

SEARCH_CONFIG = "english"


def _search_query(query: str) -> SearchQuery:
    return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)


def search(query: str, stories):
    """Stories among `stories` matching `query`, best first, then newest."""
    if not query:
        return stories.none()
    search_query = _search_query(query)
    # Only the newest MAX_RANKED matches are ranked (see documents.py), found from the GIN
    # index; ranking reads each ranked story's vector, so a common word must not rank them all.
    newest = (
        Article.objects.filter(search_vector=search_query)
        .order_by("-pk")
        .values("pk")[MAX_RANKED - 1 : MAX_RANKED]
    )
    floor = Coalesce(Subquery(newest), Value(0))
    return (
        stories.filter(search_vector=search_query, pk__gte=floor)
        .annotate(
            search_rank=SearchRank(F("search_vector"), search_query, weights=[0.1, 0.2, 0.4, 1.0])
        )
        .order_by("-search_rank", "-publish_at", "-pk")
    )


def snippets(pks, query: str) -> dict:
    """{pk: (marked headline, marked body snippet, or "" without a match in the body)}."""
    search_query = _search_query(query)
    options = {"start_sel": START, "stop_sel": STOP, "config": SEARCH_CONFIG}
    rows = (
        Article.objects.filter(pk__in=pks)
        .annotate(
            marked_headline=SearchHeadline("headline", search_query, highlight_all=True, **options),
            marked_body=SearchHeadline(
                RawSQL("regexp_replace(articles_article.body, '<[^>]+>', ' ', 'g')", []),
                search_query,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
                **options,
            ),
        )
        .values_list("pk", "marked_headline", "marked_body")
    )
    return {pk: (headline, body if START in body else "") for pk, headline, body in rows}


def write(cursor, documents) -> None:
    """Bring the tsvector of each story in `documents` (see `documents.documents`) up to date."""
    cursor.executemany(
        "UPDATE articles_article SET search_vector = "
        "setweight(to_tsvector(%s::regconfig, %s), 'A') || "
        "setweight(to_tsvector(%s::regconfig, %s), 'B') || "
        "setweight(to_tsvector(%s::regconfig, %s), 'C') WHERE id = %s",
        [
            (
                SEARCH_CONFIG,
                headline,
                SEARCH_CONFIG,
                " ".join([dek, tags, section, authors]),
                SEARCH_CONFIG,
                body,
                pk,
            )
            for pk, headline, dek, body, tags, section, authors in documents
        ],
    )


def remove(pks) -> None:
    """Nothing to do: a story's tsvector column goes with its row."""
