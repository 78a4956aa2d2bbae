"""Full-text search of live stories, behind one small interface.

Views, commands, the editorial flow and migration 0004 call what is here: `search()` and
`hits()` to read, `index_articles()` and `remove_articles()` to keep the index in step. Each
database has its engine module, `postgres` (a weighted tsvector column with a GIN index) or
`sqlite` (an FTS5 table), and `_engine()` is the one place that picks it. Both rank by
relevance, then newest first, with the same column weights; results always start from
Article.objects.published().

The index covers every story, drafts included, so publishing, unpublishing and scheduled
stories going live show in results at once: visibility is decided at query time.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from articles.search import postgres, sqlite
from articles.search.documents import START, STOP, documents, plain_text

MAX_QUERY_LENGTH = 300
MAX_RESULTS = 1000


def _engine():
    """The engine module for this database: PostgreSQL's, or SQLite's for everything else."""
    return postgres if connection.vendor == "postgresql" else sqlite


def clean_query(query: str) -> str:
    """The query as searched: whitespace collapsed, control characters gone, length bounded."""
    query = "".join(ch for ch in query if ch.isprintable() or ch.isspace())
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


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


def search(query: str, stories=None):
    """Return live stories matching `query`, best first (a queryset, for pagination)."""
    stories = Article.objects.published() if stories is None else stories
    return _engine().search(clean_query(query), stories)


def hits(page_articles, query: str) -> list[Hit]:
    """Highlighted headline and body snippet for each story on one page of results."""
    articles = list(page_articles)
    if not articles:
        return []
    marked = _engine().snippets([a.pk for a in articles], clean_query(query))
    results = []
    for article in articles:
        headline, snippet = marked.get(article.pk, (article.headline, ""))
        if not snippet:
            snippet = article.dek or plain_text(article.body)[:240]
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
    return count


def remove_articles(pks) -> None:
    """Drop deleted stories from the index."""
    _engine().remove(pks)
