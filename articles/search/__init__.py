"""Full-text search of live stories, behind one small interface.

Views, commands, the editorial flow and migration 0004 call what is here: `search()` and
`hits()` to read, `index_articles()` and `remove_articles()` to keep the index in step. Each
database has its engine module, `postgres` (a weighted tsvector column with a GIN index) or
`sqlite` (an FTS5 table), and `_engine()` is the one place that picks it. Both find the newest
MAX_RANKED matching stories and rank only those, by relevance with the same column weights,
newest first on ties: the work for a common word is bounded, and a rarer word, a phrase or a
filter reaches further back. Results always start from Article.objects.published().

The index covers every story, drafts included, so publishing, unpublishing and scheduled
stories going live show in results at once: visibility is decided at query time.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.models import Article
from articles.search import postgres, sqlite
from articles.search.documents import START, STOP, documents

MAX_QUERY_LENGTH = 300
MAX_WORDS = 12
# Only the newest this many matching stories (by id, which follows filing order) are ranked
# and shown: a word in most of a 100,000-story archive must not rank every story that has it.
# News readers want recent stories; a rarer word, a phrase or a filter reaches further back.
MAX_RANKED = 500
WORD = sqlite.WORD


def _engine():
    """The engine module for this database: PostgreSQL's, or SQLite's for everything else."""
    return postgres if connection.vendor == "postgresql" else sqlite


def _normalized(query: str) -> str:
    query = "".join(ch for ch in query if ch.isprintable() or ch.isspace())
    return " ".join(query.split())


def clean_query(query: str) -> str:
    """The query as searched: whitespace collapsed, control characters gone, length bounded."""
    return _normalized(query)[:MAX_QUERY_LENGTH]


def query_problem(query: str) -> str:
    """Why `query` is too long to search (an empty string when it is not)."""
    query = _normalized(query)
    if len(query) > MAX_QUERY_LENGTH:
        return ngettext(
            "Search for at most %(limit)d character.",
            "Search for at most %(limit)d characters.",
            MAX_QUERY_LENGTH,
        ) % {"limit": MAX_QUERY_LENGTH}
    words = [word for word in WORD.findall(query) if word.upper() != "OR"]
    if len(words) > MAX_WORDS:
        return _("Search for at most %(limit)d words at a time (this search has %(count)d).") % {
            "limit": MAX_WORDS,
            "count": len(words),
        }
    return ""


def highlight(text: str) -> SafeString:
    """Escape `text`, then turn the match marks into <mark> elements."""
    escaped = escape(text.replace(START, "\x00").replace(STOP, "\x01"))
    return mark_safe(escaped.replace("\x00", "<mark>").replace("\x01", "</mark>"))


class Results(Sequence):
    """Live stories matching a query, best first: the ranked ids, fetched a page at a time."""

    def __init__(self, pks: list, *, is_capped: bool):
        self.pks = pks
        # More stories may match than are shown: more than MAX_RANKED, or more than the
        # engine looked at to find these among the filters.
        self.is_capped = is_capped

    def __len__(self):
        return len(self.pks)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            position = range(len(self))[index]
            return self[position : position + 1][0]
        pks = self.pks[index]
        if not pks:
            return []
        # By primary key alone: the ids were found among the live stories a moment ago, and
        # with the live filter too, both databases would read every live story's index entry.
        page = Article.objects.filter(pk__in=pks).for_cards().order_by()
        found = {article.pk: article for article in page}
        return [found[pk] for pk in pks if pk in found]


class ResultPaginator(Paginator):
    """Pages of Results, with what the page says: "12 stories found", or "More than 500"."""

    @property
    def is_capped(self):
        # "More than 0 stories" would say nothing: with none found, the page says none.
        return self.object_list.is_capped and self.count > 0

    @property
    def shown_count(self):
        return self.count


@dataclass
class Hit:
    article: Article
    headline: SafeString
    snippet: SafeString


def search(query: str, stories=None) -> Results:
    """Return live stories matching `query`, best first, then newest."""
    stories = Article.objects.published() if stories is None else stories
    try:
        filters = _where(stories)
    except EmptyResultSet:
        return Results([], is_capped=False)
    rows, complete = _engine().ranked(clean_query(query), filters, MAX_RANKED + 1)
    # Best first; on equal scores the newest, by publication then by filing.
    ranked = sorted(rows[:MAX_RANKED], key=lambda row: (row[2], row[1], row[0]), reverse=True)
    is_capped = len(rows) > MAX_RANKED or not complete
    return Results([row[0] for row in ranked], is_capped=is_capped)


def _where(stories) -> tuple[str, list]:
    """The SQL condition of `stories` (a queryset of Article without joins) and its params.

    The engines write their SQL out, so that no planner can choose to read every live story
    first, and put the filters in it: the table is always named articles_article.
    """
    query = stories.query
    if sum(1 for count in query.alias_refcount.values() if count) > 1:
        raise ValueError("Search filters must be on the stories table alone.")
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql or "1 = 1", list(params)


def hits(page_articles, query: str) -> list[Hit]:
    """Highlighted headline and body snippet for each story on one page of results."""
    articles = list(page_articles)
    if not articles:
        return []
    marked = _engine().snippets([a.pk for a in articles], clean_query(query))
    results = []
    for article in articles:
        headline, snippet = marked.get(article.pk, (article.headline, ""))
        # Without a match in the body, the dek says more than the body's first words.
        if START not in snippet:
            snippet = article.dek or snippet
        results.append(Hit(article, highlight(headline), highlight(snippet)))
    return results


def index_articles(pks=None) -> int:
    """Bring the index entries of the given stories (all stories: None) up to date."""
    engine = _engine()
    count = 0
    # One transaction: SQLite would otherwise commit (and sync) every batch's FTS writes.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for batch in documents(pks):
            engine.write(cursor, batch)
            count += len(batch)
        if pks is None:
            engine.optimize(cursor)
    return count


def vector_on_insert(document: tuple):
    """For a bulk writer of new stories: the value of the row's own index column, computed by
    the INSERT (PostgreSQL), or None when the engine indexes in a table of its own (SQLite:
    then `index_new` writes the entries). `document` is (headline, dek, body text, tags,
    section, authors), as `documents.documents` gives them after the id."""
    return postgres.vector_on_insert(document) if _engine() is postgres else None


def index_new(documents) -> None:
    """Index stories just inserted by a bulk writer, from their (id, *document) tuples held in
    memory, rather than reading them back (see `vector_on_insert`)."""
    if _engine() is sqlite:
        with connection.cursor() as cursor:
            sqlite.write(cursor, documents)


def remove_articles(pks) -> None:
    """Drop deleted stories from the index."""
    _engine().remove(pks)
