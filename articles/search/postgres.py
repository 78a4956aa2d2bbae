"""PostgreSQL's engine: the weighted `search_vector` tsvector column, GIN-indexed (migration 0004).

Headline weighs A; dek, tags, section and authors B; body C; stories rank by ts_rank with those
weights. Queries use websearch syntax ("phrase", -exclude, OR), stemmed in English.

A story's vector holds every word of its body with positions, 4 KB on average, stored out of
line: reading one costs far more than finding it in the GIN index. But the index answers in no
useful order, and for a common word its answer is most of the archive. So the newest stories
are read first, a window at a time, checking each live one's vector; only when the words turn
out to be rare among them does the GIN index find the rest. Either way the work is bounded: a
few thousand stories read, or the index entries of words that few stories have.

The SQL is written out, not left to the planner: with no statistics (a database just
restored, before ANALYZE) it would read every live story through the (status, publish_at)
index, and with them it may walk the whole archive newest first for a word in 4% of it.
"""

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection
from django.db.models.expressions import RawSQL

from articles.models import Article
from articles.search.documents import START, STOP

SEARCH_CONFIG = "english"
WEIGHTS = "{0.1,0.2,0.4,1.0}"  # D (unused), C body, B dek/tags/section/authors, A headline
# Per story ranked, at most this many stories' vectors are read (some 5 µs each, most of the
# cost), and this many stories walked newest first to find those that pass the filters.
MAX_READ_PER_RANKED = 4
MAX_WALKED_PER_RANKED = 32
# The first window is this part of the list: enough to fill it for a common word, or to learn
# how rare the words are before asking the GIN index.
FIRST_WINDOW_PART = 4
# Snippets come from the body's first this many characters: ts_headline parses all it is given.
SNIPPET_SOURCE = 1500
QUERY = "websearch_to_tsquery(%s::regconfig, %s)"
RANK = f"ts_rank(%s::float4[], articles_article.search_vector, {QUERY})"
# A window of stories newest first (the innermost LIMIT makes it a walk of the primary key),
# each marked: NULL not live or filtered out, 2 a match, 1 has the words of a phrase but not
# the phrase, 0 neither. Only stories that pass the filters have their vector read. The
# filters, compiled from a queryset, name the table: each subquery takes its name.
WINDOW = (
    "SELECT id, hit, CASE WHEN hit = 2 THEN publish_at END, CASE WHEN hit = 2 THEN "
    + RANK
    + " END FROM (SELECT articles_article.id, articles_article.publish_at, "
    "articles_article.search_vector, CASE WHEN ({where}) THEN CASE WHEN "
    f"articles_article.search_vector @@ {QUERY} THEN 2 WHEN "
    f"articles_article.search_vector @@ {QUERY} THEN 1 ELSE 0 END END AS hit "
    "FROM (SELECT * FROM articles_article WHERE id < %s ORDER BY id DESC LIMIT %s) "
    "AS articles_article OFFSET 0) AS articles_article ORDER BY id DESC"
)
# The rest, from the GIN index alone: `IS TRUE` keeps the filters' indexes out of the choice
# (without statistics the planner reads every live story through one), and `id + 0` the
# primary key's order (it may walk it newest first, reading every story's vector).
INDEXED = (
    "SELECT id, publish_at, " + RANK + " FROM (SELECT * FROM articles_article WHERE "
    f"articles_article.search_vector @@ {QUERY} AND articles_article.id < %s AND "
    "({where}) IS TRUE ORDER BY articles_article.id + 0 DESC LIMIT %s) AS articles_article "
    "ORDER BY id DESC"
)
NEWEST = 2**63 - 1


def _search_query(query: str) -> SearchQuery:
    return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)


def ranked(query: str, filters: tuple[str, list], limit: int) -> tuple[list[tuple], bool]:
    """(pk, publish_at, score) of the newest `limit` stories matching `query` and `filters`
    (SQL on articles_article, and its params), newest first; and whether those are all.

    Windows of stories are walked newest first, reading the vectors of those that pass the
    filters, while the words are common enough among them to fill the list within the
    bounds. Then the GIN index finds the rest, if what it would give is within them: every
    story with the words (for a phrase, each to be read: the index knows the words, not
    their order). Otherwise the search stops at its bounds: a common word or phrase with a
    narrow filter, or a rare phrase of common words.
    """
    if not query:
        return [], True
    words = _words_of_phrases(query)
    max_read, max_walked = limit * MAX_READ_PER_RANKED, limit * MAX_WALKED_PER_RANKED
    found, below, walked, read, with_words = [], NEWEST, 0, 0, 0
    size = limit // FIRST_WINDOW_PART + 1
    while True:
        rows = _window(filters, query, words, below, size)
        walked += len(rows)
        read += sum(1 for row in rows if row[1] is not None)
        with_words += sum(1 for row in rows if row[1])
        found += [(pk, live_at, rank) for pk, hit, live_at, rank in rows if hit == 2]
        if len(found) >= limit or len(rows) < size:
            return found[:limit], True
        below, missing = rows[-1][0], limit - len(found)
        # At the rates so far, what finding the missing ones would take.
        size = missing * walked // max(len(found), 1) + 1
        reads = missing * read // max(len(found), 1)
        if walked + size <= max_walked and read + reads <= max_read:
            continue
        # What the index would give below, judged by the stories read so far (nothing, if
        # none passed the filters: the words' frequency is unknown). Without a phrase it
        # gives exactly the matches: each costs a look at its row, not a read of its vector.
        if with_words * below // max(read, 1) <= (max_walked if words is None else max_read):
            return found + _indexed(filters, query, below, missing), True
        if walked >= max_walked or read >= max_read:
            return found, False
        size = min(max_walked - walked, (max_read - read) * walked // max(read, 1) + 1)


def _words_of_phrases(query: str) -> str | None:
    """For a query with a phrase, the same words without quotes (None without a phrase)."""
    return query.replace('"', " ") if '"' in query else None


def _window(filters, query: str, words: str | None, below: int, size: int) -> list[tuple]:
    where, where_params = filters
    params = [
        *(WEIGHTS, SEARCH_CONFIG, query),
        *where_params,
        *(SEARCH_CONFIG, query),
        *(SEARCH_CONFIG, words),
        *(below, size),
    ]
    with connection.cursor() as cursor:
        cursor.execute(WINDOW.format(where=where), params)
        return cursor.fetchall()


def _indexed(filters, query: str, below: int, limit: int) -> list[tuple]:
    where, where_params = filters
    params = [WEIGHTS, SEARCH_CONFIG, query, SEARCH_CONFIG, query, below, *where_params, limit]
    with connection.cursor() as cursor:
        cursor.execute(INDEXED.format(where=where), params)
        return cursor.fetchall()


def snippets(pks, query: str) -> dict:
    """{pk: (marked headline, body snippet)}; the snippet has marks only if the body matched."""
    search_query = _search_query(query)
    options = {"start_sel": START, "stop_sel": STOP, "config": SEARCH_CONFIG}
    rows = (
        Article.objects.filter(pk__in=pks)
        .annotate(
            marked_headline=SearchHeadline("headline", search_query, highlight_all=True, **options),
            marked_body=SearchHeadline(
                RawSQL(
                    "left(regexp_replace(articles_article.body, '<[^>]+>', ' ', 'g'), %s)",
                    [SNIPPET_SOURCE],
                ),
                search_query,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
                **options,
            ),
        )
        .order_by()
        .values_list("pk", "marked_headline", "marked_body")
    )
    return {pk: (headline, body) for pk, headline, body in rows}


# A story's vector from its document: headline, then dek, tags, section and authors, then body.
VECTOR = (
    "setweight(to_tsvector(%s::regconfig, %s), 'A') || "
    "setweight(to_tsvector(%s::regconfig, %s), 'B') || "
    "setweight(to_tsvector(%s::regconfig, %s), 'C')"
)


def _vector_params(headline, dek, body, tags, section, authors) -> tuple:
    middle = " ".join([dek, tags, section, authors])
    return (SEARCH_CONFIG, headline, SEARCH_CONFIG, middle, SEARCH_CONFIG, body)


def write(cursor, documents) -> None:
    """Bring the tsvector of each story in `documents` (see `documents.documents`) up to date."""
    cursor.executemany(
        f"UPDATE articles_article SET search_vector = {VECTOR} WHERE id = %s",
        [(*_vector_params(*document[1:]), document[0]) for document in documents],
    )


def vector_on_insert(document: tuple) -> RawSQL:
    """The value of a new story's search_vector column, computed by its INSERT: a bulk writer
    sets it and the row is written once, instead of inserted and then rewritten by `write`.
    `document` is what `documents.documents` gives for a story, without the id."""
    return RawSQL(VECTOR, _vector_params(*document))


def optimize(cursor) -> None:
    """After a rebuild: move the GIN index's pending entries, which every search reads through
    one by one, into the index proper (autovacuum would, in its own time)."""
    cursor.execute("SELECT gin_clean_pending_list('article_search_gin'::regclass)")


def remove(pks) -> None:
    """Nothing to do: a story's tsvector column goes with its row."""
