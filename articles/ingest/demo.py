"""Synthetic live stories in bulk, for demos and benchmarks (`manage.py generate_articles`).

Stories are written a batch at a time with `bulk_create` (articles, then bylines, then tag
rows), so 100,000 of them take under two minutes on SQLite and memory stays flat.
`bulk_create` skips `save()` and the signals, so what they would do is done here: the HTML is
built from escaped text and already clean, the dates and `first_published_at` are set
directly, and each batch is added to the search index. No revisions are recorded: invented
stories have no editing history to keep. This is the one documented writer of live rows that
does not go through the publishing door (articles/editorial/publishing.py): it invents
finished stories, it does not change any.
"""

import random
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles import search
from articles.ingest import wiretext
from articles.ingest.demo_text import (
    AUTHOR_COUNT,
    AUTHOR_COUNT_WEIGHTS,
    AUTHOR_TITLES,
    DATELINES,
    DEFAULT_SECTIONS,
    FEATURED_ONE_IN,
    FIRST_NAMES,
    KIND_WEIGHTS,
    KINDS,
    LAST_NAMES,
    TAG_COUNT_WEIGHTS,
    TAG_NAMES,
    Inventor,
)
from articles.models import Article, Author, Byline, Section, TaggedArticle
from caching import keys, purges

# Stories per transaction; rows per INSERT are further capped by the database's parameter limit.
BATCH_SIZE = 2000
INSERT_BATCH = 500
SQLITE_CACHE_KIB = 64 * 1024
LOOKUP_CHUNK = 900  # below SQLite's historic 999-parameter limit for `slug__in`


class UnknownSection(ValueError):
    """A section asked for by slug or name that does not exist; the message lists the others."""


class Generator:
    """Invents and writes stories; the same seed gives the same stories."""

    def __init__(self, *, seed: int, years: int, sections: list[str] | None = None) -> None:
        self.rng = random.Random(seed)
        self.years = years
        with transaction.atomic():
            self.section_ids = find_sections(sections)
            self.author_ids = ensure_authors()
            self.tags = ensure_tags()
        self.inventor = Inventor(self.rng)
        # Public ids are random, not seeded: re-running a seed must not collide. One
        # urandom-seeded generator is much faster than uuid4()'s urandom call per story.
        self.uuid_source = random.Random()
        self.slug_counts: dict[str, int] = {}
        self.now = timezone.now()

    def run(self, count: int, *, batch_size: int, advance: Callable[[int], None]) -> float:
        """Write `count` stories, `batch_size` per transaction; return the seconds it took."""
        if connection.vendor == "sqlite":
            # The indexes outgrow SQLite's default 2 MB page cache within a few thousand
            # stories, and each insert then waits on page reads: give this connection more.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        started = time.monotonic()
        with without_query_log():
            for start in range(0, count, batch_size):
                size = min(batch_size, count - start)
                stories = [self.invent() for _ in range(size)]
                with transaction.atomic():
                    self.write(stories)
                advance(size)
        # bulk_create sends no signals: say here, once, that the whole site changed.
        purges.changed(keys.SITE)
        return time.monotonic() - started

    def invent(self):
        """One story's fields, bylines and tags, drawn in a fixed order from the seed."""
        rng, now, years = self.rng, self.now, self.years
        headline = self.inventor.headline()
        body, dek = self.inventor.body()
        chosen_tags = rng.sample(self.tags, rng.choices(range(1, 16), TAG_COUNT_WEIGHTS)[0])
        authors = rng.sample(self.author_ids, rng.choices(range(1, 5), AUTHOR_COUNT_WEIGHTS)[0])
        section_id = rng.choice(self.section_ids)
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        publish_at = now - timedelta(seconds=rng.randrange(300, years * 365 * 86400))
        created_at = publish_at - timedelta(seconds=rng.randrange(600, 2 * 86400))
        updated_at = min(now, publish_at + timedelta(seconds=rng.randrange(0, 6 * 3600)))
        article = Article(
            uuid=uuid.UUID(int=self.uuid_source.getrandbits(128), version=4),
            headline=headline,
            kicker=chosen_tags[0][1] if rng.random() < 0.6 else "",
            dek=dek,
            body=body,
            section_id=section_id,
            kind=kind,
            dateline=rng.choice(DATELINES),
            status=Article.Status.PUBLISHED,
            publish_at=publish_at,
            first_published_at=publish_at,
            created_at=created_at,
            updated_at=updated_at,
            featured=rng.randrange(FEATURED_ONE_IN) == 0,
        )
        return article, authors, [tag_id for tag_id, _ in chosen_tags]

    def write(self, stories) -> None:
        articles = [article for article, _, _ in stories]
        self.assign_slugs(articles)
        Article.objects.bulk_create(articles, batch_size=INSERT_BATCH)
        # Link rows are two numbers each: written as plain rows, without a model instance
        # apiece (a third of the run's time went on building 60,000 of them per 10,000).
        insert_rows(
            Byline,
            ["article", "author", "position"],
            (
                (article.pk, author_id, position)
                for article, author_ids, _ in stories
                for position, author_id in enumerate(author_ids)
            ),
        )
        insert_rows(
            TaggedArticle,
            ["content_object", "tag"],
            ((article.pk, tag_id) for article, _, tag_ids in stories for tag_id in tag_ids),
        )
        # The signals that keep the search index in step do not fire for bulk inserts.
        search.index_articles([article.pk for article in articles])

    def assign_slugs(self, articles: list[Article]) -> None:
        """Give each story a unique slug: its headline's, or that with -2, -3, …"""
        bases = [wiretext.slug_base(article.headline) for article in articles]
        pending = list(range(len(articles)))
        while pending:
            for index in pending:
                base = bases[index]
                number = self.slug_counts[base] = self.slug_counts.get(base, 0) + 1
                articles[index].slug = wiretext.numbered_slug(base, number) if number > 1 else base
            # Stories already in the database (the seed, an earlier run) keep their slugs.
            wanted = [articles[index].slug for index in pending]
            taken = set()
            for chunk in range(0, len(wanted), LOOKUP_CHUNK):
                taken.update(
                    Article.objects.filter(
                        slug__in=wanted[chunk : chunk + LOOKUP_CHUNK]
                    ).values_list("slug", flat=True)
                )
            pending = [index for index in pending if articles[index].slug in taken]


def find_sections(values: list[str] | None) -> list[int]:
    """The sections to fill: those named (slug or name), else all (made when there are none)."""
    if not values:
        ids = list(Section.objects.order_by("position", "name").values_list("pk", flat=True))
        return ids or create_default_sections()
    ids = []
    for value in values:
        section = Section.objects.filter(Q(slug=value) | Q(name__iexact=value)).first()
        if section is None:
            known = ", ".join(Section.objects.values_list("slug", flat=True)) or "none yet"
            raise UnknownSection(f"--section {value!r}: no such section (sections: {known}).")
        ids.append(section.pk)
    return ids


def insert_rows(model, fields: list[str], rows) -> None:
    """INSERT `rows` (tuples of the `fields`' values, ready for the database) into `model`'s
    table in one executemany."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    placeholders = ", ".join("%s" for _ in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})",
            list(rows),
        )


@contextmanager
def without_query_log():
    """Keep DEBUG from logging every INSERT: on SQLite it re-quotes each story body for the
    log and then holds thousands of them in memory (gigabytes over a 100,000-story run)."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug


def create_default_sections() -> list[int]:
    sections = Section.objects.bulk_create(
        Section(name=name, slug=slug, description=description, position=position)
        for position, (name, slug, description) in enumerate(DEFAULT_SECTIONS, start=1)
    )
    return [section.pk for section in sections]


def ensure_authors() -> list[int]:
    """The demo byline pool: AUTHOR_COUNT invented reporters, created once and reused."""
    people = {}
    for index in range(AUTHOR_COUNT):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 7 + index // len(FIRST_NAMES)) % len(LAST_NAMES)]
        name = f"{first} {last}"
        people[slugify(name)] = (name, AUTHOR_TITLES[index % len(AUTHOR_TITLES)])
    Author.objects.bulk_create(
        (Author(name=name, slug=slug, title=title) for slug, (name, title) in people.items()),
        ignore_conflicts=True,
    )
    ids = dict(Author.objects.filter(slug__in=people).values_list("slug", "pk"))
    return [ids[slug] for slug in people]


def ensure_tags() -> list[tuple[int, str]]:
    """The demo tag vocabulary as (id, name), reusing tags the site already has."""
    wanted = {slugify(name): name for name in TAG_NAMES}
    Tag.objects.bulk_create(
        (Tag(name=name, slug=slug) for slug, name in wanted.items()), ignore_conflicts=True
    )
    rows = Tag.objects.filter(Q(slug__in=wanted) | Q(name__in=wanted.values()))
    by_slug = {tag.slug: tag for tag in rows}
    by_name = {tag.name.casefold(): tag for tag in rows}
    tags = []
    for slug, name in wanted.items():
        tag = by_slug.get(slug) or by_name.get(name.casefold())
        if tag is not None:
            tags.append((tag.pk, tag.name))
    return tags
