from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.utils.html import strip_tags
from taggit.models import Tag

from articles.models import Article, Author, Byline, Section, TaggedArticle
from tests.shared import shared_path

SEED_FILE = shared_path("seed", "000_fac7519b6a4c0f10.txt")
SEED_TAGS = {
    "Zohran Mamdani",
    "ICE",
    "Sanctuary cities",
    "Kristi Noem",
    "Department of Homeland Security",
    "Donald Trump",
    "NYPD",
    "Minneapolis",
    "Operation Salvo",
    "National Guard",
    "Immigration",
}

pytestmark = pytest.mark.django_db


def seed_lines():
    return [line for line in SEED_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Section, Author, Article, Byline, Tag, TaggedArticle)
    }


def test_seed_story_carries_the_wire_text_word_for_word(seed):
    lines = seed_lines()
    article = Article.objects.get()
    assert article.headline == lines[0]
    expected = "\n".join(
        f"<{'h2' if index % 2 == 0 else 'p'}>{line}</{'h2' if index % 2 == 0 else 'p'}>"
        for index, line in enumerate(lines[1:])
    )
    assert article.body == expected
    assert "“Trump-proofing”" in article.body
    assert article.body.count("<h2>") == 8
    assert article.body.count("<p>") == 8


def test_seed_story_is_live_news_in_new_york_by_newsroom_staff(seed):
    article = Article.objects.published().get()
    assert article.kind == Article.Kind.NEWS
    assert article.section.name == "New York"
    assert article.section.slug == "new-york"
    assert [author.name for author in article.byline_authors] == ["Newsroom Staff"]
    assert set(article.tags.names()) == SEED_TAGS


def test_seed_has_sibling_sections_in_navigation_order(seed):
    names = list(Section.objects.values_list("name", flat=True))
    assert names[0] == "New York"
    assert {"Politics", "U.S.", "World", "Opinion"} <= set(names)


def test_loading_the_seed_twice_changes_nothing(seed):
    before = counts()
    article = Article.objects.get()
    call_command("loaddata", "seed", verbosity=0)
    assert counts() == before
    reloaded = Article.objects.get()
    assert (reloaded.pk, reloaded.updated_at, reloaded.body) == (
        article.pk,
        article.updated_at,
        article.body,
    )


def test_seed_story_page_shows_the_story(client, seed):
    article = Article.objects.get()
    response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    text = strip_tags(response.content.decode())
    for line in seed_lines():
        assert line in text
