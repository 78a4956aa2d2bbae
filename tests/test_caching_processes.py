"""The page cache across processes: two gunicorn workers, and changes made by another process.

Every change below is made by a separate `manage.py shell` process while gunicorn's workers
hold the page in their caches; the next request, to whichever worker, must show it. Run on
the embedded default (a generation file beside in-memory pages) and on Redis.
"""

import re
import time

import pytest

from tests.servers import Site, require_redis

STORY = "/2026/01/09/nyc-mayor-vows-no-ice-cooperation-amid-federal-agency-tensions/"
SEED = "from articles.models import Article; story = Article.objects.get(); "


@pytest.fixture(scope="module", params=["default", "redis"])
def site(request, tmp_path_factory):
    if request.param == "redis":
        require_redis()
    with Site(tmp_path_factory.mktemp(f"site-{request.param}"), cache=request.param) as site:
        yield site


def warm(site, path):
    """Fetch `path` until both workers have stored it (each answers from its own memory)."""
    for _ in range(8):
        answer = site.get(path)
        assert answer.status == 200, (path, answer.status)
    return answer.text


CHANGES = [
    (
        "edit",
        SEED + "story.headline = 'Mayor holds the line'; "
        "from articles.editorial import publishing; publishing.save(story)",
        "Mayor holds the line",
    ),
    (
        "correction",
        SEED + "story.corrections.create(text='An earlier version misspelled Noem.')",
        "misspelled Noem",
    ),
    (
        "tag rename",
        "from taggit.models import Tag; tag = Tag.objects.get(name='NYPD'); "
        "tag.name = 'Policing (NYPD)'; tag.save()",
        "Policing (NYPD)",
    ),
    (
        "author rename",
        "from articles.models import Author; author = Author.objects.get(); "
        "author.name = 'City Desk'; author.save()",
        "City Desk",
    ),
    (
        "section rename",
        "from articles.models import Section; section = Section.objects.get(slug='new-york'); "
        "section.name = 'NYC'; section.save()",
        ">NYC<",
    ),
    (
        "new section",
        "from articles.models import Section; Section.objects.create(name='Weather', "
        "slug='weather', position=99)",
        ">Weather<",
    ),
]


@pytest.mark.parametrize(("change", "code", "text"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_change_made_in_another_process_shows_on_the_next_request(site, change, code, text):
    warm(site, STORY)
    assert text not in site.get(STORY).text
    site.shell(code)
    for _ in range(4):  # whichever worker answers
        assert re.search(re.escape(text), site.get(STORY).text), change


def test_a_warm_page_is_answered_without_rendering(site):
    warm(site, "/")
    answer = site.get("/")
    # Age: the answer came from a stored copy, not a new render.
    assert answer.status == 200
    assert "s-maxage" in answer.header("Cache-Control") and "age" in answer.headers


def test_withdrawal_then_republication_in_another_process(site):
    warm(site, STORY)
    site.shell(SEED + "from articles.editorial import publishing; publishing.unpublish(story)")
    assert site.get(STORY).status == 410
    assert "Mayor" not in site.get("/").text.split("<main", 1)[1]
    site.shell(
        SEED + "from articles.editorial import publishing; "
        "publishing.publish(story, at=story.publish_at)"
    )
    assert site.get(STORY).status == 200


def test_a_story_scheduled_in_another_process_appears_at_its_time(site):
    warm(site, "/")
    due = float(
        site.shell(
            "from datetime import timedelta; from django.utils import timezone; "
            "from articles.models import Article, Author, Section; "
            "from articles.editorial import publishing; "
            "story = Article.objects.create(headline='Storm due at dawn', slug='storm-due', "
            "body='<p>Rain.</p>', section=Section.objects.get(slug='new-york')); "
            "story.replace_byline([Author.objects.get()]); "
            "publishing.publish(story, at=timezone.now() + timedelta(seconds=2)); "
            "print(story.publish_at.timestamp())"
        )
    )
    before = site.get("/").text
    assert time.time() < due, "the shell took too long: the story was due before the check"
    assert "Storm due at dawn" not in before
    # No save announces the moment: the cached front page must end there by itself.
    time.sleep(max(0, due - time.time()) + 0.2)
    assert "Storm due at dawn" in site.get("/").text
