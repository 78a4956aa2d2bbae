"""Synthetic live stories in bulk, for demos and benchmarks (`manage.py generate_articles`).

Stories are written a batch at a time (articles, then bylines, then tag rows), so 100,000 of
them take under two minutes and memory stays flat. The bulk writes skip `save()` and the
signals, so what they would do is done here: the HTML is built from escaped text and already
clean, the dates and `first_published_at` are set directly, and each story's search entry is
written with it (on PostgreSQL computed by the row's own INSERT; on SQLite into its FTS table
from the document already in memory). No revisions are recorded: invented stories have no
editing history to keep. This is the one documented writer of live rows that does not go
through the publishing door (articles/editorial/publishing.py): it invents finished stories,
it does not change any.
"""

import random
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
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
from articles.search.documents import plain_text
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
            # Names for the search documents, which are built here rather than read back.
            self.section_names = dict(
                Section.objects.filter(pk__in=self.section_ids).values_list("pk", "name")
            )
            self.author_names = dict(
                Author.objects.filter(pk__in=self.author_ids).values_list("pk", "name")
            )
        self.inventor = Inventor(self.rng)
        # Public ids are random, not seeded: re-running a seed must not collide. One
        # urandom-seeded generator is much faster than uuid4()'s urandom call per story.
        self.uuid_source = random.Random()
        self.slug_counts: dict[str, int] = {}
        self.now = timezone.now()

    def run(self, count: int, *, batch_size: int, advance: Callable[[int], None]) -> float:
        """Write `count` stories, `batch_size` per transaction; return the seconds it took.

        Outside a transaction each batch is written by a thread of its own, on its own
        connection, while the next is invented: the database's work (on PostgreSQL, parsing
        every body into its search vector) overlaps this process's instead of following it.
        Inside one (a caller's atomic block, a test) the batches are written in turn on the
        caller's connection, which is the only one that sees what it holds.
        """
        started = time.monotonic()
        background = not connection.in_atomic_block
        with without_query_log(), BatchWriter(self.write, background=background) as writer:
            for start in range(0, count, batch_size):
                size = min(batch_size, count - start)
                stories = [self.invent() for _ in range(size)]
                writer.send(stories, then=lambda size=size: advance(size))
        if connection.vendor == "postgresql" and count:
            # Fresh statistics, as autovacuum would gather them in its own time: until then
            # the planner takes the tables for a few rows and may walk every story's links
            # for a story page's related stories (over a second at 10,000 stories).
            with connection.cursor() as cursor:
                tables = [Article, Byline, TaggedArticle, Tag]
                cursor.execute(
                    "ANALYZE "
                    + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
                )
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
        document = (
            headline,
            dek,
            plain_text(body),
            " ".join(name for _, name in chosen_tags),
            self.section_names[section_id],
            " ".join(self.author_names[author_id] for author_id in authors),
        )
        article.search_vector = search.vector_on_insert(document)
        return article, authors, [tag_id for tag_id, _ in chosen_tags], document

    def write(self, stories) -> None:
        if connection.vendor == "sqlite" and not getattr(connection, "_demo_cache_sized", False):
            # The indexes outgrow SQLite's default 2 MB page cache within a few thousand
            # stories, and each insert then waits on page reads: give this connection more.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            connection._demo_cache_sized = True
        articles = [article for article, _, _, _ in stories]
        self.assign_slugs(articles)
        if connection.vendor == "postgresql":
            insert_articles_postgres(articles)
        else:
            Article.objects.bulk_create(articles, batch_size=INSERT_BATCH)
        # Link rows are two numbers each: written as plain rows, without a model instance
        # apiece (a third of the run's time went on building 60,000 of them per 10,000).
        insert_rows(
            Byline,
            ["article", "author", "position"],
            (
                (article.pk, author_id, position)
                for article, author_ids, _, _ in stories
                for position, author_id in enumerate(author_ids)
            ),
        )
        insert_rows(
            TaggedArticle,
            ["content_object", "tag"],
            ((article.pk, tag_id) for article, _, tag_ids, _ in stories for tag_id in tag_ids),
        )
        # The signals that keep the search index in step do not fire for bulk inserts: on
        # PostgreSQL each row's INSERT computed its vector, SQLite's table is written here.
        search.index_new([(article.pk, *document) for article, _, _, document in stories])

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


class BatchWriter:
    """Calls `write(batch)` in a transaction for each batch sent: in a thread of its own when
    `background`, one batch at a time (sending the next waits for the one before), else at
    once. Leaving the block waits for the last batch and closes the thread's connection; a
    batch that failed raises its error in the sender, and nothing after it is written."""

    def __init__(self, write: Callable[[list], None], *, background: bool) -> None:
        self.write = write
        self.executor = ThreadPoolExecutor(max_workers=1) if background else None
        self.pending = None

    def __enter__(self):
        return self

    def send(self, batch: list, *, then: Callable[[], None]) -> None:
        if self.executor is None:
            self._write(batch)
            then()
            return
        self._wait()
        self.pending = (self.executor.submit(self._write, batch), then)

    def _write(self, batch: list) -> None:
        with transaction.atomic():
            self.write(batch)

    def _wait(self) -> None:
        if self.pending is not None:
            future, then = self.pending
            self.pending = None
            future.result()
            then()

    def __exit__(self, *exc_info):
        if self.executor is None:
            return
        try:
            if exc_info[0] is None:
                self._wait()
            elif self.pending is not None:
                self.pending[0].cancel()
                wait([self.pending[0]])
        finally:
            # Run in the thread, `connection` is that thread's own.
            self.executor.submit(lambda: connection.close()).result()
            self.executor.shutdown()


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


def insert_articles_postgres(articles: list[Article]) -> None:
    """`bulk_create` for PostgreSQL, cheaper: ids drawn from the table's sequence first, then
    one single-row INSERT sent for all the stories (psycopg pipelines it), instead of
    statements of 500 rows x 27 values that psycopg must rewrite and Django compile, along
    with each story's search-vector expression, every time."""
    quote = connection.ops.quote_name
    table = Article._meta.db_table
    fields = [field for field in Article._meta.concrete_fields if not field.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(articles)],
        )
        for article, (pk,) in zip(articles, cursor.fetchall(), strict=True):
            article.pk = pk
        values, rows = ["%s"], []
        for field in fields:
            # The vector's SQL (the same for every story) takes the place of its value.
            values.append(articles[0].search_vector.sql if field.name == "search_vector" else "%s")
        for article in articles:
            row = [article.pk]
            for field in fields:
                value = field.pre_save(article, True)
                if field.name == "search_vector":
                    row.extend(value.params)
                else:
                    row.append(field.get_db_prep_save(value, connection))
            rows.append(row)
        columns = ", ".join(quote(field.column) for field in [Article._meta.pk, *fields])
        cursor.executemany(
            f"INSERT INTO {quote(table)} ({columns}) VALUES ({', '.join(values)})", rows
        )
    for article in articles:
        article._state.adding, article._state.db = False, connection.alias


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
