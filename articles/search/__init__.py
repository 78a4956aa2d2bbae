"""Full-text search of live stories, behind one small interface.

PostgreSQL: a weighted `tsvector` column (headline A; dek, tags, section and authors B; body C)
with a GIN index, queried with websearch syntax, stemmed in English. SQLite: an FTS5 table with
the Porter stemmer, ranked by bm25 with the same column weights. Both: ranked by relevance, then
newest first; results always start from Article.objects.published().

The index covers every story, drafts included, so publishing, unpublishing and scheduled
stories going live show in results at once: visibility is decided at query time.
"""

import html
import re
from dataclasses import dataclass
from itertools import islice

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

MAX_QUERY_LENGTH = 300
MAX_RESULTS = 1000
MAX_TERMS = 24
SEARCH_CONFIG = "english"
FTS_TABLE = "articles_search"
# Marks around matches in snippets, chosen to never occur in text; swapped for <mark> after
# escaping, so no markup from a story can reach the page.
START, STOP = "\x02", "\x03"
TAGS = re.compile(r"<[^>]+>")


def batched(iterable, size):
    """itertools.batched, which arrives in Python 3.12."""
    iterator = iter(iterable)
    while batch := tuple(islice(iterator, size)):
        yield batch


def clean_query(query: str) -> str:
    """The query as searched: whitespace collapsed, control characters gone, length bounded."""
    query = "".join(ch for ch in query if ch.isprintable() or ch.isspace())
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def plain_text(body: str) -> str:
    return " ".join(html.unescape(TAGS.sub(" ", body or "")).split())


def highlight(text: str) -> SafeString:
    """Escape `text`, then turn the match marks into <mark> elements."""
    escaped = escape(text.replace(START, "\x00").replace(STOP, "\x01"))
    return mark_safe(escaped.replace("\x00", "<mark>").replace("\x01", "</mark>"))


class ResultPaginator(Paginator):
    """Pages of results that count at most MAX_RESULTS matches.

    Counting every match of a common word costs a full pass over the index on each request;
    readers page through the best few hundred, so past the cap the page says "more than".
    """

    @cached_property
    def count(self):
        return self.object_list[: MAX_RESULTS + 1].count()

    @property
    def is_capped(self):
        return self.count > MAX_RESULTS

    @property
    def shown_count(self):
        return min(self.count, MAX_RESULTS)


@dataclass
class Hit:
    article: Article
    headline: SafeString
    snippet: SafeString


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def search(query: str, stories=None):
    """Return live stories matching `query`, best first (a queryset, for pagination)."""
    stories = Article.objects.published() if stories is None else stories
    query = clean_query(query)
    if is_postgres():
        return _postgres_search(query, stories)
    return _sqlite_search(query, stories)


def hits(page_articles, query: str) -> list[Hit]:
    """Highlighted headline and body snippet for each story on one page of results."""
    articles = list(page_articles)
    if not articles:
        return []
    query = clean_query(query)
    if is_postgres():
        marked = _postgres_snippets([a.pk for a in articles], query)
    else:
        marked = _sqlite_snippets([a.pk for a in articles], query)
    results = []
    for article in articles:
        headline, snippet = marked.get(article.pk, (article.headline, ""))
        if not snippet:
            snippet = article.dek or plain_text(article.body)[:240]
        results.append(Hit(article, highlight(headline), highlight(snippet)))
    return results


# PostgreSQL ---------------------------------------------------------------------------------


def _postgres_query(query: str):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)


def _postgres_search(query, stories):
    from django.contrib.postgres.search import SearchRank

    if not query:
        return stories.none()
    search_query = _postgres_query(query)
    return (
        stories.filter(search_vector=search_query)
        .annotate(
            search_rank=SearchRank(F("search_vector"), search_query, weights=[0.1, 0.2, 0.4, 1.0])
        )
        .order_by("-search_rank", "-publish_at", "-pk")
    )


def _postgres_snippets(pks, query):
    from django.contrib.postgres.search import SearchHeadline

    search_query = _postgres_query(query)
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


# SQLite FTS5 --------------------------------------------------------------------------------

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


# bm25 weights of the columns headline, dek, body, tags, section, authors; FTS5 keeps them as
# the table's `rank` (migration 0006), which a MATCH query computes in the same pass.
BM25_WEIGHTS = "bm25(10.0, 4.0, 1.0, 4.0, 2.0, 3.0)"


def _sqlite_search(query, stories):
    expression = fts5_expression(query)
    if not expression:
        return stories.none()
    # Joining the FTS table lets SQLite drive the query from the full-text index; rank is lower
    # for better matches.
    return (
        stories.filter(search_entry__document__match=expression)
        .annotate(search_rank=F("search_entry__rank"))
        .order_by("search_rank", "-publish_at", "-pk")
    )


def _sqlite_snippets(pks, query):
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


# Keeping the index in step -------------------------------------------------------------------


def _documents(pks=None):
    """(id, headline, dek, body text, tags, section, authors) for each story, in batches."""
    from articles.models import Byline, TaggedArticle

    stories = Article.objects.order_by("pk")
    if pks is not None:
        stories = stories.filter(pk__in=pks)
    ids = stories.values_list("pk", flat=True)
    for batch in batched(ids.iterator(chunk_size=2000), 2000):
        tags, authors = {}, {}
        for article_id, name in TaggedArticle.objects.filter(
            content_object_id__in=batch
        ).values_list("content_object_id", "tag__name"):
            tags.setdefault(article_id, []).append(name)
        for article_id, name in Byline.objects.filter(article_id__in=batch).values_list(
            "article_id", "author__name"
        ):
            authors.setdefault(article_id, []).append(name)
        rows = Article.objects.filter(pk__in=batch).values_list(
            "pk", "headline", "dek", "body", "section__name"
        )
        yield [
            (
                pk,
                headline,
                dek,
                plain_text(body),
                " ".join(tags.get(pk, [])),
                section,
                " ".join(authors.get(pk, [])),
            )
            for pk, headline, dek, body, section in rows
        ]


def index_articles(pks=None) -> int:
    """Bring the index entries of the given stories (all stories: None) up to date."""
    count = 0
    # One transaction: SQLite would otherwise commit (and sync) every batch's FTS writes.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for documents in _documents(pks):
            count += len(documents)
            if is_postgres():
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
            else:
                _sqlite_remove(cursor, [document[0] for document in documents])
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, headline, dek, body, tags, section, authors)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    documents,
                )
    return count


def remove_articles(pks) -> None:
    """Drop deleted stories from the index (PostgreSQL's column goes with its row)."""
    if not is_postgres():
        with connection.cursor() as cursor:
            _sqlite_remove(cursor, pks)


def _sqlite_remove(cursor, pks):
    for batch in batched(pks, 500):
        placeholders = ", ".join("%s" for _ in batch)
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", list(batch))
