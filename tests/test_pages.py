import re
from datetime import UTC, timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from articles import querysets
from articles.addresses import slug_path, story_path
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def test_front_page_leads_with_the_featured_story_then_latest_and_section_rails(client, section):
    politics = SectionFactory(name="Politics", slug="politics")
    older_featured = ArticleFactory(live=True, headline="Featured budget story", featured=True)
    older_featured.publish_at = timezone.now() - timedelta(days=2)
    older_featured.save()
    newest = ArticleFactory(live=True, headline="Subway fares rise", dek="A quarter more.")
    ArticleFactory(live=True, headline="Senate race tightens", section=politics)
    page = html(client.get("/"))
    lead = page[page.index('class="lead"') : page.index('class="latest"')]
    assert "Featured budget story" in lead
    assert newest.headline in page and newest.dek in page
    assert re.search(r'<h2 id="rail-politics"[^>]*>.*Politics', page, re.S)
    assert "Senate race tightens" in page


def test_front_page_without_featured_story_leads_with_the_newest(client, section):
    ArticleFactory(live=True, headline="Older story", publish_at=timezone.now() - timedelta(days=1))
    ArticleFactory(live=True, headline="Newest story")
    page = html(client.get("/"))
    lead = page[page.index('class="lead"') : page.index('class="latest"')]
    assert "Newest story" in lead


def test_navigation_lists_sections_in_position_order(client):
    SectionFactory(name="World", slug="world", position=3)
    SectionFactory(name="New York", slug="new-york", position=1)
    SectionFactory(name="Politics", slug="politics", position=2)
    page = html(client.get("/"))
    nav = page[page.index('class="site-nav"') :]
    assert nav.index("New York") < nav.index("Politics") < nav.index("World")


def test_article_page_shows_the_story_as_designed(client, section):
    authors = [AuthorFactory(name="Ana Reyes"), AuthorFactory(name="Ben Okafor")]
    article = ArticleFactory(
        live=True,
        headline="Council passes the budget",
        kicker="City Hall",
        dek="A late-night vote ends the standoff.",
        dateline="NEW YORK",
        body="<h2>The vote</h2><p>It passed 31 to 20.</p><h2>What next</h2><p>The mayor signs.</p>",
        authors=authors,
        tags=["Budget", "City Council"],
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    page = html(response)
    assert page.count("<h1") == 1
    assert re.search(r"<h1[^>]*>Council passes the budget</h1>", page)
    assert "City Hall" in page and "A late-night vote ends the standoff." in page
    assert f'href="{authors[0].get_absolute_url()}"' in page
    assert f'href="{authors[1].get_absolute_url()}"' in page
    assert page.index("Ana Reyes") < page.index("Ben Okafor")
    assert "NEW YORK" in page
    published = timezone.localtime(article.publish_at).isoformat(timespec="seconds")
    assert f'<time datetime="{published}">' in page
    assert 'href="/section/new-york/"' in page
    assert 'href="/tag/budget/"' in page and 'href="/tag/city-council/"' in page
    assert "<h2>The vote</h2>" in page and "<h2>What next</h2>" in page
    assert (
        f'<link rel="canonical" href="http://127.0.0.1:8000{article.get_absolute_url()}">' in page
    )


def test_article_url_carries_the_local_publish_date(section, settings):
    settings.TIME_ZONE = "America/New_York"
    # 02:30 UTC on March 2 is still March 1 in New York.
    publish_at = timezone.datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
    article = ArticleFactory(status="published", publish_at=publish_at, slug="late-vote")
    assert article.get_absolute_url() == "/2026/03/01/late-vote/"


@pytest.mark.parametrize("prefix", ["/", "/news/"])
def test_written_out_addresses_are_the_ones_the_url_patterns_reverse(prefix, section):
    set_script_prefix(prefix)
    try:
        when = timezone.datetime(2026, 1, 5, 12, tzinfo=UTC)
        kwargs = {"year": 2026, "month": 1, "day": 5, "slug": "a-b-2"}
        assert story_path("a-b-2", when) == reverse("articles:detail", kwargs=kwargs)
        assert story_path("a-b-2", when).startswith(prefix)
        for name in ("articles:section", "articles:author"):
            assert slug_path(name, "city-hall") == reverse(name, kwargs={"slug": "city-hall"})
    finally:
        set_script_prefix("/")


def test_article_under_another_date_redirects_permanently(client, section):
    article = ArticleFactory(live=True)
    day = timezone.localtime(article.publish_at).date() - timedelta(days=3)
    response = client.get(f"/{day:%Y/%m/%d}/{article.slug}/")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == article.get_absolute_url()


def test_impossible_date_is_not_found(client, section):
    article = ArticleFactory(live=True)
    assert client.get(f"/2026/02/31/{article.slug}/").status_code == HTTPStatus.NOT_FOUND


def test_corrections_show_in_a_box_at_the_foot_and_a_note_under_the_dek(client, section):
    correction = CorrectionFactory(text="An earlier version misspelled the mayor’s name.")
    page = html(client.get(correction.article.get_absolute_url()))
    assert 'id="corrections"' in page
    assert "misspelled the mayor’s name" in page
    assert page.index('href="#corrections"') < page.index('id="corrections"')


def test_section_page_lists_its_live_stories_newest_first_and_paginates(client, section, settings):
    settings.ARTICLES_PER_PAGE = 3
    now = timezone.now()
    for hours in range(1, 6):
        ArticleFactory(
            status="published",
            publish_at=now - timedelta(hours=hours),
            headline=f"Story {hours} hours old",
        )
    other = SectionFactory(name="World", slug="world")
    ArticleFactory(live=True, section=other, headline="Abroad")
    first = html(client.get("/section/new-york/"))
    assert first.index("Story 1 hours old") < first.index("Story 3 hours old")
    assert "Story 4 hours old" not in first and "Abroad" not in first
    assert 'rel="next"' in first
    second = client.get("/section/new-york/?page=2")
    assert "Story 5 hours old" in html(second)
    assert client.get("/section/new-york/?page=9").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/section/new-york/?page=abc").status_code == HTTPStatus.NOT_FOUND


def test_tag_page_lists_stories_with_the_tag(client, section):
    ArticleFactory(live=True, headline="Tagged story", tags=["Housing"])
    ArticleFactory(live=True, headline="Untagged story")
    page = html(client.get("/tag/housing/"))
    assert "<h1>Housing</h1>" in page
    assert "Tagged story" in page and "Untagged story" not in page


def test_author_page_lists_their_stories_and_bio(client, section):
    author = AuthorFactory(name="Ana Reyes", slug="ana-reyes", bio="Ana covers City Hall.")
    ArticleFactory(live=True, headline="Her story", authors=[author])
    ArticleFactory(live=True, headline="Someone else’s story")
    page = html(client.get("/author/ana-reyes/"))
    assert "<h1>Ana Reyes</h1>" in page and "Ana covers City Hall." in page
    assert "Her story" in page and "Someone else’s story" not in page


@pytest.mark.parametrize("url", ["/section/nope/", "/tag/nope/", "/author/nope/", "/no/such/"])
def test_unknown_pages_get_the_sites_own_404(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "We can’t find that page" in html(response)


def test_server_error_shows_the_sites_own_500_page(settings):
    from django.urls import path

    def broken(request):
        raise RuntimeError("boom")

    import newsroom.urls

    settings.ROOT_URLCONF = type(
        "urls",
        (),
        {"urlpatterns": [path("broken/", broken)], "handler500": newsroom.urls.handler500},
    )
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "Something went wrong" in html(response)


def test_body_markup_outside_the_allow_list_is_removed_on_save(section):
    article = ArticleFactory(
        body='<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x">y</a></p>'
        '<iframe src="https://evil.example"></iframe><h2 class="c">Sub</h2>'
    )
    article.refresh_from_db()
    assert article.body == "<p>Hi <a>y</a></p><h2>Sub</h2>"


def make_story(tags, authors):
    return ArticleFactory(
        live=True,
        tags=[f"Tag {n}" for n in range(tags)],
        authors=AuthorFactory.create_batch(authors),
    )


@pytest.mark.parametrize(("tags", "authors"), [(1, 1), (20, 4)])
def test_article_page_query_count_is_constant(
    client, section, django_assert_num_queries, tags, authors
):
    article = make_story(tags, authors)
    CorrectionFactory(article=article)
    make_story(tags, authors)  # a related story, with its own byline
    # Story, tags, corrections, related stories, every byline shown, navigation.
    with django_assert_num_queries(6):
        page = client.get(article.get_absolute_url())
    assert page.status_code == HTTPStatus.OK and "Related" in page.content.decode()


@pytest.mark.parametrize(("stories", "tags", "authors"), [(2, 1, 1), (15, 20, 4)])
def test_front_page_query_count_is_constant(
    client, section, django_assert_num_queries, stories, tags, authors
):
    SectionFactory(name="World", slug="world")
    for _ in range(stories):
        make_story(tags, authors)
    # Whether editors arranged the home front (fronts/); not yet: no featured story, so the
    # featured lookup comes back empty, then the newest leads. Then the latest, the sections
    # (rails and navigation), the rails, every card's bylines.
    with django_assert_num_queries(7):
        assert client.get("/").status_code == HTTPStatus.OK


@pytest.mark.parametrize(("stories", "tags", "authors"), [(1, 1, 1), (20, 20, 4)])
# The owner, the page (one row more than shown: no COUNT), bylines, navigation; a section is
# found among the navigation's sections, and asks whether its front is arranged (fronts/); a
# tag also asks how many stories it has, up to a bound, to choose how to read them.
@pytest.mark.parametrize(("url", "queries"), [("/section/new-york/", 4), ("/tag/tag-0/", 5)])
def test_listing_query_count_is_constant(
    client, section, django_assert_num_queries, url, queries, stories, tags, authors
):
    for _ in range(stories):
        make_story(tags, authors)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == HTTPStatus.OK


def test_unpublished_story_that_never_went_live_is_404_not_410(client, section):
    article = ArticleFactory(status=Article.Status.UNPUBLISHED)
    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_related_stories_come_from_the_newest_stories_of_each_tag(client, section, monkeypatch):
    # Bounded work on a large archive: a popular tag's old stories are not even counted.
    monkeypatch.setattr(querysets, "RELATED_CANDIDATES_PER_TAG", 2)
    oldest = ArticleFactory(live=True, headline="Oldest harbor story", tags=["Harbor"])
    for number in range(2):
        ArticleFactory(live=True, headline=f"Newer harbor story {number}", tags=["Harbor"])
    story = ArticleFactory(live=True, tags=["Harbor"])
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Newer harbor story 0" in page and "Newer harbor story 1" in page
    assert oldest.headline not in page


def test_listings_page_without_counting_the_archive(client, section, settings):
    settings.ARTICLES_PER_PAGE = 2
    for _ in range(3):
        ArticleFactory(live=True)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/section/new-york/").content.decode()
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    assert "Older stories" in first and 'href="?page=2"' in first
    second = client.get("/section/new-york/?page=2").content.decode()
    assert "Newer stories" in second and "Older stories" not in second
    assert 'href="?page=1"' in second
    assert client.get("/section/new-york/?page=3").status_code == HTTPStatus.NOT_FOUND
