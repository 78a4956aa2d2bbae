"""SQLite's engine: an FTS5 table (migration 0004) with the Porter stemmer.

Queries take the same websearch syntax as on PostgreSQL, translated by `fts5_expression`.
Matches are read from the index newest first (by rowid, the story's id), each looked up by id
in an index of the filters' columns, until enough live ones that pass the filters are found.

Ranking does not use FTS5's bm25: to weigh the words, bm25 first counts every story in the
archive that has each of them, so a common word costs a pass over the whole archive on every
search. Stories score instead by where the words are, the columns in the order of importance
migration 0006 gives them: all the words in the headline 10, some of them 5 (for a query of
several), all in the dek, tags, section or authors 4; the body holds the rest. Each score is a
column-filtered MATCH over the ranked stories' rowid range, read from the index alone.
"""

import re

from django.db import connection

from articles.search.documents import START, STOP, batched

FTS_TABLE = "articles_search"
MAX_TERMS = 24
# How many of the newest matches are looked at, per story ranked, to find the live ones that
# pass the filters: a bound on the work for a common word with a narrow filter (a week).
EXAMINED_PER_RANKED = 10
TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
WORD = re.compile(r"\w+")
HEADLINE, OTHERS = "{headline}", "{dek tags section authors}"
MATCHES = -1  # the key of the count of matches among the scores: no story has that id
# The newest matches in a rowid range (at most EXAMINED_PER_RANKED per story ranked), read
# from the index newest first, each joined to its story by id: CROSS JOIN keeps SQLite from
# starting at the stories table instead, probing the full-text index once per live story, and
# the index of the filters' columns by id (migration 0009) makes each lookup a few bytes, not a
# page of story rows. The first `limit` that pass the filters are the newest, in index order.
NEWEST_MATCHES = (
    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s "
    "ORDER BY rowid DESC LIMIT %s"
)
CANDIDATES = (
    f"SELECT hit.rowid, articles_article.publish_at FROM ({NEWEST_MATCHES}) AS hit "
    "CROSS JOIN articles_article INDEXED BY article_search_filter_idx "
    "ON articles_article.id = hit.rowid WHERE {where} LIMIT %s"
)
# The id range of the stories that pass the filters, if they are few (a week, a small section).
SPAN = (
    "SELECT count(*), min(id), max(id) FROM (SELECT articles_article.id FROM articles_article "
    "WHERE {where} LIMIT %s)"
)
EVERY_ID = (1, 2**63 - 1)


def terms(query: str) -> tuple[list[str], list[str]]:
    """The query's (positive, negative) terms in FTS5 syntax, each once, every word quoted.

    Quoting every word means no input can be read as FTS5 syntax. A positive term may be an
    OR of several (`"a" OR "b"`).
    """
    positive, negative, pending_or = [], [], False
    for match in TOKEN.finditer(query):
        negated_phrase, phrase, word = match.groups()
        if word is not None and word.upper() == "OR":
            pending_or = bool(positive)
            continue
        negated = bool(negated_phrase) or (word is not None and word.startswith("-"))
        words = WORD.findall(phrase if phrase is not None else word)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if negated:
            negative.append(term)
        elif pending_or:
            positive[-1] = f"{positive[-1]} OR {term}"
            pending_or = False
        else:
            positive.append(term)
        if len(positive) + len(negative) >= MAX_TERMS:
            break
    return list(dict.fromkeys(positive)), list(dict.fromkeys(negative))


def fts5_expression(query: str) -> str:
    """Translate websearch syntax ("phrase", -exclude, OR) into a safe FTS5 query.

    An empty result means there is nothing to search for.
    """
    positive, negative = terms(query)
    if not positive:
        return ""
    expression = " AND ".join(f"({term})" for term in positive)
    for term in negative:
        expression = f"({expression}) NOT {term}"
    return expression


def ranked(query: str, filters: tuple[str, list], limit: int) -> tuple[list[tuple], bool]:
    """(pk, publish_at, score) of the newest `limit` stories matching `query` and `filters`
    (SQL on articles_article, and its params), newest first; and whether those are all."""
    expression = fts5_expression(query)
    if not expression:
        return [], True
    positive = terms(query)[0]
    bound = limit * EXAMINED_PER_RANKED
    rows, scores, complete = _walk(expression, positive, filters, EVERY_ID, bound, limit)
    if not complete:
        # The bound stopped the walk: if the stories that pass the filters are few (a week,
        # a small section), walk their id range instead; if none of the newest matches pass
        # and many stories do, every match, rather than answer "none".
        count, *span = _span(filters, bound)
        if not count:
            return [], True
        if count < bound:
            rows, scores, complete = _walk(expression, positive, filters, span, bound, limit)
        elif not rows:
            rows, scores, complete = _walk(expression, positive, filters, EVERY_ID, 2**62, limit)
    return [(pk, publish_at, scores.get(pk, 0)) for pk, publish_at in rows], complete


def _walk(expression: str, positive: list[str], filters, span, bound: int, limit: int):
    """(rows, scores, whether the rows are all) of the newest matches in rowid range `span`."""
    where, where_params = filters
    with connection.cursor() as cursor:
        cursor.execute(
            CANDIDATES.format(where=where), [expression, *span, bound, *where_params, limit]
        )
        rows = cursor.fetchall()
    # With too few passing the filters: did the bound stop the walk before the last match?
    # Asked in the same query as the scores.
    count = None if len(rows) == limit else [expression, *span, bound]
    scores = _scores(positive, [pk for pk, _ in rows], count)
    return rows, scores, count is None or scores.pop(MATCHES, 0) < bound


def _span(filters, bound: int) -> tuple[int, int, int]:
    """(number, lowest id, highest id) of the stories that pass the filters, up to `bound`."""
    where, where_params = filters
    with connection.cursor() as cursor:
        cursor.execute(SPAN.format(where=where), [*where_params, bound])
        return cursor.fetchone()


def _scores(positive: list[str], pks: list, count: list | None) -> dict:
    """{rowid: score} for the stories between the lowest and highest of `pks` with words in
    the weighted columns (see the module's docstring); with `count` (the params of
    NEWEST_MATCHES), their number at the key MATCHES."""
    every = " AND ".join(f"({term})" for term in positive)
    arms = [(10, f"{HEADLINE}: ({every})"), (4, f"{OTHERS}: ({every})")]
    if len(positive) > 1:
        arms.append((5, HEADLINE + ": (" + " OR ".join(f"({t})" for t in positive) + ")"))
    select = (
        f"SELECT rowid, %s AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
        "AND rowid BETWEEN %s AND %s"
    )
    selects, params = [], []
    if pks:
        selects = [select for _ in arms]
        params = [p for weight, filtered in arms for p in (weight, filtered, min(pks), max(pks))]
    if count is not None:
        selects.append(f"SELECT {MATCHES} AS rowid, count(*) AS score FROM ({NEWEST_MATCHES})")
        params += count
    if not selects:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, sum(score) FROM ({' UNION ALL '.join(selects)}) GROUP BY rowid",
            params,
        )
        return dict(cursor.fetchall())


def snippets(pks, query: str) -> dict:
    """{pk: (marked headline, body snippet)}; the snippet has marks only if the body matched."""
    expression = fts5_expression(query)
    if not expression:
        return {}
    placeholders = ", ".join("%s" for _ in pks)
    # The range is read from the index in one pass; `+rowid IN` only filters it. Given the IN
    # list, FTS5 would evaluate the whole query once per story, seeking in every segment.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, highlight({FTS_TABLE}, 0, %s, %s), "
            f"snippet({FTS_TABLE}, 2, %s, %s, ' … ', 32) "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s "
            f"AND +rowid IN ({placeholders})",
            [START, STOP, START, STOP, expression, min(pks), max(pks), *pks],
        )
        return {pk: (headline, body) for pk, headline, body in cursor.fetchall()}


def write(cursor, documents) -> None:
    """Replace the index rows of the stories in `documents` (see `documents.documents`)."""
    _delete(cursor, [document[0] for document in documents])
    cursor.executemany(
        f"INSERT INTO {FTS_TABLE} (rowid, headline, dek, body, tags, section, authors)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        documents,
    )


def optimize(cursor) -> None:
    """Merge the index into one segment, after a rebuild: each lookup then reads one b-tree
    per word instead of one per batch written."""
    cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


def remove(pks) -> None:
    """Drop the index rows of deleted stories."""
    with connection.cursor() as cursor:
        _delete(cursor, pks)


def _delete(cursor, pks) -> None:
    for batch in batched(pks, 500):
        placeholders = ", ".join("%s" for _ in batch)
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", list(batch))
