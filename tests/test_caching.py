"""The page cache through the test client: what is stored, what it says, what undoes it."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.auth.models import User
from taggit.models import Tag

from articles.editorial import publishing
from articles.editorial.preview import preview_url
from articles.models import ArticleRedirect
from caching import pages
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    pages.local.clear()


@pytest.fixture
def story(section, commits):
    with commits():
        return ArticleFactory(
            live=True, headline="Ferry fares rise", authors=[AuthorFactory()], tags=["Ferries"]
        )


def test_a_second_anonymous_request_is_answered_without_a_query(
    client, story, django_assert_num_queries
):
    first = client.get(story.get_absolute_url())
    with django_assert_num_queries(0):
        second = client.get(story.get_absolute_url())
    assert second.status_code == HTTPStatus.OK
    assert second.content == first.content


def test_shared_caches_are_told_how_long_to_keep_a_page(client, story):
    response = client.get(story.get_absolute_url())
    control = response["Cache-Control"]
    assert "public" in control and "s-maxage=300" in control
    assert "stale-while-revalidate=" in control and "stale-if-error=86400" in control
    assert response["ETag"].startswith('"') and response["Last-Modified"].endswith("GMT")


def test_the_story_page_names_its_story_section_tags_and_authors(client, story):
    keys = set(client.get(story.get_absolute_url())["Surrogate-Key"].split())
    tag = Tag.objects.get(name="Ferries")
    author = story.bylines.get().author
    assert {
        "site",
        f"article:{story.pk}",
        f"section:{story.section_id}",
        f"tag:{tag.pk}",
        f"author:{author.pk}",
    } <= keys


@pytest.mark.parametrize("path", ["/", "/feed/", "/sitemap.xml", "/api/v1/articles/"])
def test_listings_feeds_sitemaps_and_the_api_carry_the_listing_key(client, story, path):
    assert "list:all" in client.get(path)["Surrogate-Key"].split()


def test_a_matching_etag_or_date_answers_304_without_a_body(client, story):
    url = story.get_absolute_url()
    first = client.get(url)
    by_etag = client.get(url, headers={"if-none-match": first["ETag"]})
    by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert by_etag.status_code == by_date.status_code == HTTPStatus.NOT_MODIFIED
    assert by_etag.content == b""
    other = client.get(url, headers={"if-none-match": '"something-else"'})
    assert other.status_code == HTTPStatus.OK


def test_logged_in_editors_are_never_served_nor_stored_in_the_cache(client, story, commits):
    client.get(story.get_absolute_url())  # a reader's copy is stored
    client.force_login(User.objects.create_user("desk", password="x"))
    story.headline = "Ferry fares rise again"
    with commits():
        publishing.save(story)
    response = client.get(story.get_absolute_url())
    assert "Ferry fares rise again" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert "Surrogate-Key" not in response


def test_previews_are_private_and_never_stored(client, section):
    draft = ArticleFactory(headline="Embargoed budget")
    url = preview_url(draft)
    assert client.get(url)["Cache-Control"] == "private, no-store"
    assert not pages.local.pages


def change_headline(story):
    story.headline = "Ferry fares rise again"
    publishing.save(story)


def rename(instance, name):
    instance.name = name
    instance.save()


CHANGES = {
    "edit": (change_headline, "Ferry fares rise again", True),
    "withdrawal": (publishing.unpublish, "Ferry fares rise", False),
    "deletion": (lambda story: story.delete(), "Ferry fares rise", False),
    "correction": (
        lambda story: CorrectionFactory(article=story, text="The fare is $4.50."),
        "The fare is $4.50.",
        True,
    ),
    "tag rename": (
        lambda story: rename(story.tags.get(), "Ferry service"),
        "Ferry service",
        True,
    ),
    "author rename": (
        lambda story: rename(story.bylines.get().author, "Nadia Chen"),
        "Nadia Chen",
        True,
    ),
    "section rename": (lambda story: rename(story.section, "Metro"), "Metro", True),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
@pytest.mark.parametrize("path", ["story", "/", "/section/new-york/"])
def test_every_change_readers_could_see_shows_on_the_next_request(
    client, story, commits, change, path
):
    url = story.get_absolute_url() if path == "story" else path
    client.get(url)  # warm
    make_change, text, present = CHANGES[change]
    with commits():
        make_change(story)
    page = client.get(url, follow=True).content.decode()
    # Listings show no corrections or tags; a deleted story's page is simply gone.
    if path == "story" or change not in {"correction", "deletion", "tag rename"}:
        assert (text in page) is present, (change, url)


def test_a_new_section_shows_in_every_pages_navigation(client, story, commits):
    client.get("/")
    with commits():
        SectionFactory(name="Weather", slug="weather")
    assert "Weather" in client.get("/").content.decode()


def test_a_new_old_address_answers_301_at_once(client, story, commits):
    assert client.get("/2020/01/01/old-ferry-story/").status_code == HTTPStatus.NOT_FOUND
    with commits():
        ArticleRedirect.objects.create(old_path="/2020/01/01/old-ferry-story/", article=story)
    response = client.get("/2020/01/01/old-ferry-story/")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY


NOON = datetime(2026, 11, 3, 17, 0, tzinfo=UTC)


def test_a_scheduled_story_appears_at_its_time_with_no_save(client, section, commits):
    with time_machine.travel(NOON - timedelta(minutes=2), tick=False):
        with commits():
            ArticleFactory(live=True, headline="Old news", authors=[AuthorFactory()])
            publishing.publish(
                ArticleFactory(headline="Embargoed results", authors=[AuthorFactory()]),
                at=NOON,
            )
        before = client.get("/")
        assert "Embargoed results" not in before.content.decode()
        # Shared caches may keep the page only until the embargo lifts, and not serve it stale.
        assert "s-maxage=120," in before["Cache-Control"]
        assert "stale-while-revalidate=0" in before["Cache-Control"]
    with time_machine.travel(NOON, tick=False):
        assert "Embargoed results" in client.get("/").content.decode()


def test_http_and_https_answers_are_kept_apart(client, story):
    # Behind a TLS proxy, http:// answers a redirect to https:// that https:// must never get.
    client.get("/")
    assert "Age" in client.get("/")
    assert "Age" not in client.get("/", secure=True)
    assert "Age" not in client.get("/", headers={"x-forwarded-proto": "https"})


@pytest.mark.parametrize(
    ("path", "noise"),
    [
        ("/", "utm_source=push&fbclid=abc"),
        ("/", "page=7"),  # the front page has no pages
        ("story", "page=2&x=1"),
        ("/section/new-york/", "utm_medium=email"),
        ("/search/?q=ferry", "utm_campaign=a"),
        ("/sitemap.xml", "a=1"),
        ("/feed/", "page=3"),
        ("/api/v1/articles/?tag=ferries", "cachebuster=123"),
    ],
)
def test_parameters_a_page_does_not_read_neither_bypass_nor_add_to_the_cache(
    client, story, path, noise
):
    path = story.get_absolute_url() if path == "story" else path
    first = client.get(path)
    stored = len(pages.local.pages)
    joined = f"{path}{'&' if '?' in path else '?'}{noise}"
    again = client.get(joined)
    assert again.status_code == first.status_code
    assert "Age" in again, f"{joined} was rendered again"
    assert again.content == first.content
    assert len(pages.local.pages) == stored


@pytest.mark.parametrize(
    ("path", "other"),
    [
        ("/section/new-york/", "/section/new-york/?page=2"),
        ("/search/?q=ferry", "/search/?q=fares"),
        ("/sitemap-stories.xml?p=1", "/sitemap-stories.xml?p=2"),
        ("/api/v1/articles/", "/api/v1/articles/?tag=ferries"),
        ("/api/v1/articles/", "/api/v1/articles/?page_size=1"),
    ],
)
def test_parameters_a_page_reads_keep_their_own_entries(client, story, path, other):
    client.get(path)
    assert "Age" not in client.get(other)


def test_a_forwarded_scheme_other_than_https_is_the_same_page(client, story):
    client.get("/")
    assert "Age" in client.get("/", headers={"x-forwarded-proto": "gopher"})
    assert "Age" in client.get("/", headers={"x-forwarded-proto": "http"})


def test_an_old_address_with_a_query_string_never_answers_for_its_plain_path(client, story):
    # The key leaves ?id= out (a story page reads no parameter): only a 200 may be stored
    # from such a request, or the plain path would answer the old address's redirect.
    ArticleRedirect.objects.create(old_path="/old-blog/post.php?id=3", article=story)
    assert client.get("/old-blog/post.php?id=3").status_code == HTTPStatus.MOVED_PERMANENTLY
    assert client.get("/old-blog/post.php").status_code == HTTPStatus.NOT_FOUND
    ArticleRedirect.objects.create(old_path="/?p=12", article=story)
    assert client.get("/?p=12").status_code == HTTPStatus.MOVED_PERMANENTLY
    assert client.get("/").status_code == HTTPStatus.OK
