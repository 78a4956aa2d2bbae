"""Querysets compiled once per shape (articles/prepared.py): the same rows as the ORM's own,
with each run's values, never the values of the run that compiled them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from articles import prepared
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 6, 1, 16, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_shapes():
    prepared._compiled.clear()


def orm_related(story):
    tag_ids = [tag.pk for tag in story.tags.all()]
    related = Article.objects.published().related_to(story, tag_ids)
    return [article.pk for article in related]


def live(headline, tags, hours_ago):
    return ArticleFactory(
        status="published",
        headline=headline,
        tags=tags,
        publish_at=NOON - timedelta(hours=hours_ago),
    )


@time_machine.travel(NOON, tick=False)
def test_each_run_gets_its_own_story_and_tags_from_one_compiled_shape(section):
    harbor = [live(f"Harbor {n}", ["Harbor", "Ferries"], n + 1) for n in range(3)]
    parks = [live(f"Parks {n}", ["Parks", "Budget"], n + 1) for n in range(3)]
    live("Harbor budget", ["Harbor", "Budget"], 10)
    for story in (harbor[0], parks[0], harbor[2]):
        tag_ids = [tag.pk for tag in story.tags.all()]
        found = [article.pk for article in Article.objects.live_related(story, tag_ids)]
        assert found == orm_related(story) and found
        assert story.pk not in found
    assert len(prepared._compiled) == 1  # two tags each: one shape


def test_the_clock_is_read_on_each_run_not_frozen_into_the_shape(section):
    story = live("Harbor today", ["Harbor"], 1)
    later = ArticleFactory(
        status="published", tags=["Harbor"], publish_at=NOON + timedelta(hours=1)
    )
    tag_ids = [tag.pk for tag in story.tags.all()]
    with time_machine.travel(NOON, tick=False):
        assert Article.objects.live_related(story, tag_ids) == []
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        assert [a.pk for a in Article.objects.live_related(story, tag_ids)] == [later.pk]


def test_related_stories_leave_the_body_out_and_carry_their_shared_tag_count(section):
    with time_machine.travel(NOON, tick=False):
        story = live("Harbor", ["Harbor", "Ferries"], 1)
        other = live("Harbor ferries", ["Harbor", "Ferries"], 2)
        tag_ids = [tag.pk for tag in story.tags.all()]
        (found,) = Article.objects.live_related(story, tag_ids)
    assert found.pk == other.pk and found.shared_tags == 2
    assert "body" in found.get_deferred_fields()


def test_bylines_are_attached_in_byline_order_to_each_story_and_reset_by_a_new_byline(section):
    first, second, third = AuthorFactory.create_batch(3)
    pair = ArticleFactory(authors=[second, first])
    alone = ArticleFactory(authors=[third])
    nobody = ArticleFactory(authors=[])
    Article.objects.attach_byline_authors([pair, alone, nobody])
    assert pair.byline_authors == [second, first]
    assert (alone.byline_authors, nobody.byline_authors) == ([third], [])
    pair.replace_byline([third])
    assert pair.byline_authors == [third]


def test_the_story_page_parts_are_the_story_its_tags_in_given_order_and_its_corrections(section):
    story = ArticleFactory(tags=["Zoning", "Budget", "Harbor"])
    correction = CorrectionFactory(article=story)
    ArticleFactory(tags=["Parks"])
    found, tags, corrections = Article.objects.story_page_parts(slug=story.slug)
    assert found.pk == story.pk
    assert [tag.name for tag in tags] == ["Zoning", "Budget", "Harbor"]
    assert corrections == [correction]
    assert Article.objects.story_page_parts(pk=story.pk)[0].pk == story.pk
    assert Article.objects.story_page_parts(slug="no-such-story") == (None, [], [])
