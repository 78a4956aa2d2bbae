"""SQLite's engine: an FTS5 table (migration 0004) with the Porter stemmer, ranked by bm25.

The column weights (headline 10, dek 4, body 1, tags 4, section 2, authors 3) are the table's
default `rank` (migration 0006), which a MATCH query computes in the same pass. Queries take
the same websearch syntax as on PostgreSQL, translated by `fts5_expression`.
"""

import re

from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL

from articles.search.documents import MAX_RANKED, START, STOP, batched

FTS_TABLE = "articles_search"
MAX_TERMS = 24
TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
WORD = re.compile(r"\w+")


def fts5_expression(query: str) -> str:
    """Translate websearch syntax ("phrase", -exclude, OR) into a safe FTS5 query.

    Every word is quoted, so no input can be read as FTS5 syntax; an empty result means there
    is nothing to search for.
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
    if not positive:
        return ""
    expression = " AND ".join(f"({term})" for term in positive)
    for term in negative:
        expression = f"({expression}) NOT {term}"
    return expression


def search(query: str, stories):
    """Stories among `stories` matching `query`, best first, then newest."""
    expression = fts5_expression(query)
    if not expression:
        return stories.none()
    # Joining the FTS table lets SQLite drive the query from the full-text index; rank is lower
    # for better matches. Only the newest MAX_RANKED matches are ranked (see documents.py):
    # FTS5 takes the floor as a rowid range, where an IN list would cost seconds.
    floor = RawSQL(
        f"SELECT min(rowid) FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
        "ORDER BY rowid DESC LIMIT %s)",
        [expression, MAX_RANKED],
    )
    return (
        stories.filter(search_entry__document__match=expression, search_entry__pk__gte=floor)
        .annotate(search_rank=F("search_entry__rank"))
        .order_by("search_rank", "-publish_at", "-pk")
    )


def snippets(pks, query: str) -> dict:
    """{pk: (marked headline, marked body snippet, or "" without a match in the body)}."""
    expression = fts5_expression(query)
    if not expression:
        return {}
    placeholders = ", ".join("%s" for _ in pks)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, highlight({FTS_TABLE}, 0, %s, %s), "
            f"snippet({FTS_TABLE}, 2, %s, %s, ' … ', 32) "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})",
            [START, STOP, START, STOP, expression, *pks],
        )
        return {
            pk: (headline, body if START in body else "")
            for pk, headline, body in cursor.fetchall()
        }


def write(cursor, documents) -> None:
    """Replace the index rows of the stories in `documents` (see `documents.documents`)."""
    _delete(cursor, [document[0] for document in documents])
    cursor.executemany(
        f"INSERT INTO {FTS_TABLE} (rowid, headline, dek, body, tags, section, authors)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        documents,
    )


def remove(pks) -> None:
    """Drop the index rows of deleted stories."""
    with connection.cursor() as cursor:
        _delete(cursor, pks)


def _delete(cursor, pks) -> None:
    for batch in batched(pks, 500):
        placeholders = ", ".join("%s" for _ in batch)
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", list(batch))
