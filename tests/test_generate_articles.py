"""`manage.py generate_articles N`: live demo stories, in bulk, the same for the same seed."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from taggit.models import Tag

from articles.ingest.demo import Generator
from articles.models import Article, Section
from articles.sanitize import sanitize_body
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

FIXED_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def generate(*args, **options) -> tuple[str, str]:
    out, err = options.pop("stdout", io.StringIO()), options.pop("stderr", io.StringIO())
    call_command(
        "generate_articles", *[str(arg) for arg in args], stdout=out, stderr=err, **options
    )
    return out.getvalue(), err.getvalue()


def content(stories) -> list[tuple]:
    """What readers see of each story, in creation order."""
    return [
        (
            article.headline,
            article.slug,
            article.kicker,
            article.dek,
            article.body,
            article.section.slug,
            article.kind,
            article.dateline,
            article.publish_at,
            article.featured,
            tuple(author.slug for author in article.byline_authors),
            tuple(sorted(article.tags.names())),
        )
        for article in stories.select_related("section")
        .prefetch_related("tags", "bylines__author")
        .order_by("pk")
    ]


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FIXED_NOW)
    return FIXED_NOW


def test_creates_n_live_stories_shaped_like_real_ones():
    out, _ = generate(120, "--seed", 1)

    stories = Article.objects.published().prefetch_related("tags", "bylines")
    assert stories.count() == Article.objects.count() == 120
    for article in stories:
        assert 1 <= len(article.tags.all()) <= 15
        assert 1 <= len(article.bylines.all()) <= 4
        assert 400 <= article.word_count <= 1500
        assert article.body.count("<h2>") >= 2 and article.body.count("<p>") >= 3
        assert sanitize_body(article.body) == article.body
        assert article.body_text.startswith(article.dek)
        assert article.first_published_at == article.publish_at
        assert article.created_at <= article.publish_at <= article.updated_at <= timezone.now()
        assert article.uuid and article.headline and article.section_id
    publish_times = sorted(stories.values_list("publish_at", flat=True))
    assert publish_times[-1] - publish_times[0] > timedelta(days=365)
    assert Article.objects.values("slug").distinct().count() == 120
    assert stories.values("section").distinct().count() > 5
    assert stories.values("kind").distinct().count() > 1
    assert "Created 120 live stories" in out and "seed 1" in out


def test_same_seed_gives_the_same_stories(fixed_now):
    generate(40, "--seed", 7)
    first = content(Article.objects.all())
    Article.objects.all().delete()

    generate(40, "--seed", 7, "--batch-size", 15)

    assert content(Article.objects.all()) == first


def test_different_seeds_give_different_stories(fixed_now):
    generate(10, "--seed", 1)
    first = {headline for headline, *_ in content(Article.objects.all())}
    Article.objects.all().delete()
    generate(10, "--seed", 2)
    assert {headline for headline, *_ in content(Article.objects.all())} != first


def test_generating_takes_a_number_of_queries_bounded_by_batches(django_assert_max_num_queries):
    # Setup (sections, authors, tags) and per batch of 100: a slug lookup and a few INSERTs
    # per table (SQLite caps the rows per INSERT), never one query per story.
    with django_assert_max_num_queries(40):
        generate(200, "--seed", 3, "--batch-size", 100)
    assert Article.objects.published().count() == 200


def test_slugs_stay_unique_across_runs_and_existing_stories():
    generate(30, "--seed", 5)
    generate(30, "--seed", 5)

    assert Article.objects.count() == 60
    assert Article.objects.values("slug").distinct().count() == 60
    numbered = Article.objects.filter(slug__regex=r"-[0-9]+$").count()
    assert numbered >= 30


def test_creates_the_usual_sections_when_there_are_none():
    generate(30, "--seed", 1)
    assert {"new-york", "politics", "world", "opinion"} <= set(
        Section.objects.values_list("slug", flat=True)
    )


def test_section_option_limits_the_stories_to_those_sections():
    SectionFactory(name="New York", slug="new-york")
    SectionFactory(name="Politics", slug="politics")
    SectionFactory(name="World", slug="world")

    generate(25, "--seed", 2, "--section", "politics", "--section", "World")

    assert set(Article.objects.values_list("section__slug", flat=True)) == {"politics", "world"}


def test_unknown_section_is_refused():
    SectionFactory(name="New York", slug="new-york")
    with pytest.raises(CommandError, match=r"--section 'sports': no such section"):
        generate(5, "--section", "sports")
    assert not Article.objects.exists()


def test_existing_tags_are_reused_not_duplicated(seed):
    generate(80, "--seed", 4)

    duplicates = (
        Tag.objects.values("slug").annotate(n=Count("id")).filter(n__gt=1).values_list("slug")
    )
    assert not duplicates.exists()
    assert Tag.objects.filter(name__iexact="immigration").count() == 1
    assert Article.objects.published().count() == 81  # the seed story and 80 new ones


def test_stories_without_a_seed_are_generated_and_the_seed_is_printed():
    out, _ = generate(3)
    seed = re.search(r"--seed (\d+)", out).group(1)
    assert Article.objects.count() == 3 and seed


def test_progress_bar_is_drawn_on_a_terminal_only():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    generate(20, "--seed", 1, stderr=terminal)
    assert "\r" in terminal.getvalue() and "100%" in terminal.getvalue()

    _, piped = generate(20, "--seed", 1)
    assert piped == ""

    quiet = Terminal()
    assert generate(20, "--seed", 1, stderr=quiet, verbosity=0) == ("", "")


def test_generated_stories_appear_on_the_public_pages(client):
    generate(30, "--seed", 6)
    article = Article.objects.published().first()

    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.headline in client.get(f"/section/{article.section.slug}/").content.decode()


def test_generated_stories_can_be_found_by_search(client):
    generate(30, "--seed", 6)
    article = Article.objects.published().order_by("pk").last()

    response = client.get("/search/", {"q": article.headline})

    assert f'href="{article.get_absolute_url()}"' in response.content.decode()


def test_zero_stories_is_a_quiet_no_op():
    ArticleFactory(live=True)
    generate(0, "--seed", 1)
    assert Article.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_writer_thread_writes_the_same_stories(fixed_now, client):
    # Run from the command line there is no transaction open: batches are written by a
    # thread on its own connection while the next is invented. Same seed, same stories.
    generate(30, "--seed", 4, "--batch-size", 7)
    threaded = content(Article.objects.all())
    newest = Article.objects.published().order_by("pk").last()
    found = client.get("/search/", {"q": newest.headline}).content.decode()
    Article.objects.all().delete()

    with transaction.atomic():
        generate(30, "--seed", 4, "--batch-size", 7)

    assert len(threaded) == 30
    assert threaded == content(Article.objects.all())
    assert f'href="{newest.get_absolute_url()}"' in found


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_stops_the_run_and_keeps_the_batches_before(monkeypatch):
    write = Generator.write
    batches = []

    def failing_second_batch(self, stories):
        batches.append(len(stories))
        if len(batches) == 2:
            raise RuntimeError("disk full")
        write(self, stories)

    monkeypatch.setattr(Generator, "write", failing_second_batch)

    with pytest.raises(RuntimeError, match="disk full"):
        generate(30, "--seed", 4, "--batch-size", 10)

    assert batches == [10, 10]
    assert Article.objects.count() == 10


@pytest.mark.postgres
def test_on_postgresql_the_planner_gets_statistics_of_the_new_stories():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    generate(40, "--seed", 2)

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'articles_article'")
        (estimated,) = cursor.fetchone()

    assert estimated >= 40
