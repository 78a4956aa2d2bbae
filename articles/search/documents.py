"""What both engines index for each story, and the marks they put around matches."""

import html
import re
from itertools import islice

from articles.models import Article, Byline, TaggedArticle

# Marks around matches in snippets, chosen to never occur in text; `articles.search.highlight`
# swaps them for <mark> after escaping, so no markup from a story can reach the page.
START, STOP = "\x02", "\x03"
TAGS = re.compile(r"<[^>]+>")
BATCH_SIZE = 2000


def batched(iterable, size):
    """itertools.batched, which arrives in Python 3.12."""
    iterator = iter(iterable)
    while batch := tuple(islice(iterator, size)):
        yield batch


def plain_text(body: str) -> str:
    """The body's text without markup, whitespace collapsed."""
    return " ".join(html.unescape(TAGS.sub(" ", body or "")).split())


def documents(pks=None):
    """(id, headline, dek, body text, tags, section, authors) for each story, in batches.

    Every story, drafts included (all of them: None): visibility is decided at query time.
    """
    stories = Article.objects.order_by("pk")
    if pks is not None:
        stories = stories.filter(pk__in=pks)
    ids = stories.values_list("pk", flat=True)
    for batch in batched(ids.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
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
