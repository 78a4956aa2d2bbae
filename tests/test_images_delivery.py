"""What readers get of a picture: `<picture>` with every rendition, sized so nothing moves,
share cards and structured data pointing at the right crops, served from the site with
far-future caching; and what happens to a picture whose rights run out."""

import html
import json
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.editorial import publishing
from articles.models import Article
from images import specs
from tests import pictures
from tests.factories import ArticleFactory, AuthorFactory
from tests.markup import read_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

NOON = datetime(2026, 11, 3, 17, 0, tzinfo=UTC)


@pytest.fixture
def photo():
    return pictures.library_image(
        pictures.jpeg_bytes(2400, 1600),
        alt_text="Council members raise their hands",
        caption="The council votes on the budget",
        credit="Jane Doe / Staff",
    )


def live_story(commits, **fields):
    with commits():
        return ArticleFactory(live=True, authors=[AuthorFactory()], **fields)


def test_the_story_page_shows_the_lead_picture_in_every_width_and_format(client, commits, photo):
    story = live_story(commits, lead_image=photo)

    markup = client.get(story.get_absolute_url()).content.decode()
    page = read_tree(markup)

    figure = page.select_one("figure", "lead-image")
    sources = figure.select("source")
    image = figure.select_one("img")
    assert [s["type"] for s in sources] == ["image/webp"]
    assert sources[0]["srcset"].count("w,") == 6  # 320 … 2048: seven widths
    assert "2048w" in sources[0]["srcset"] and "320w" in sources[0]["srcset"]
    assert image["srcset"].count(".jpg ") == 7
    assert image["sizes"] == sources[0]["sizes"]
    assert (image["width"], image["height"]) == ("960", "640")  # the shape, as laid out
    assert image["alt"] == "Council members raise their hands"
    assert image["fetchpriority"] == "high"
    assert "loading" not in image.attrs  # the lead is not lazy: it is the page's LCP
    caption = figure.select_one("figcaption")
    assert caption.text(" ") == ("The council votes on the budget Jane Doe / Staff")
    assert caption.select_one("span", "credit").text() == "Jane Doe / Staff"
    # Never the original upload, which may carry the camera's metadata.
    assert photo.file.url not in markup


def test_cards_show_their_16_9_crop_lazily(client, commits, photo):
    an_hour_ago = timezone.now() - timedelta(hours=1)
    live_story(
        commits, lead_image=photo, headline="Budget passes", publish_at=an_hour_ago
    )  # fmt: skip
    # Newer stories: the top story and the four beside it, so this one is "More news".
    for minutes in range(1, 6):
        live_story(commits, publish_at=an_hour_ago + timedelta(minutes=minutes))

    page = read_tree(client.get("/").content.decode())

    card = next(
        card for card in page.select("article", "story-card")
        if "Budget passes" in card.text(" ")
    )  # fmt: skip
    image = card.select_one("img")
    assert image["loading"] == "lazy"
    assert "-16x9-" in image["src"]
    width, height = int(image["width"]), int(image["height"])
    assert abs(width / height - 16 / 9) < 0.01


def test_share_cards_point_at_the_16_9_crop_with_its_size(client, commits, photo, settings):
    story = live_story(commits, lead_image=photo)

    page = read_tree(client.get(story.get_absolute_url()).content.decode())

    share = page.meta("og:image")
    assert "-16x9-" in share and share.endswith("-1280.jpg")
    assert share.startswith(f"{settings.SITE_URL}/media/images/renditions/")
    assert (page.meta("og:image:width"), page.meta("og:image:height")) == ("1280", "720")
    assert page.meta("og:image:alt") == "Council members raise their hands"
    assert page.meta("twitter:image") == share
    assert client.get(share.removeprefix(settings.SITE_URL)).status_code == HTTPStatus.OK


def test_structured_data_names_the_three_ratios_google_asks_for(client, commits, photo, settings):
    story = live_story(commits, lead_image=photo)

    page = read_tree(client.get(story.get_absolute_url()).content.decode())

    data = next(
        item for item in page.json_ld() if item.get("@type") == "NewsArticle"
    )  # fmt: skip
    shapes = [(item["width"], item["height"]) for item in data["image"]]
    assert shapes == [(1280, 720), (1200, 900), (1200, 1200)]
    assert all(item["url"].endswith(".jpg") for item in data["image"])
    assert data["image"][0]["creditText"] == "Jane Doe / Staff"
    for item in data["image"]:
        response = client.get(item["url"].removeprefix(settings.SITE_URL))
        assert response.status_code == HTTPStatus.OK


def test_a_story_page_with_a_picture_costs_one_query_more_at_most(
    client, commits, photo, django_assert_max_num_queries
):
    plain = live_story(commits)
    with_picture = live_story(commits, lead_image=photo)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without:
        client.get(plain.get_absolute_url())
    with django_assert_max_num_queries(len(without) + 1):
        client.get(with_picture.get_absolute_url())


def test_renditions_and_originals_are_served_with_a_years_caching_without_debug(
    client, commits, photo, settings
):
    settings.DEBUG = False
    rendition = photo.renditions(specs.WIDE)[0]

    for name, kind in [(rendition.name, "image/webp"), (photo.file.name, "image/jpeg")]:
        response = client.get(f"/media/{name}")
        assert response.status_code == HTTPStatus.OK, name
        assert response["Content-Type"] == kind
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "path",
    [
        "/media/../newsroom/settings.py",
        "/media/images/../../manage.py",
        "/media/images/renditions/nothing-here.jpg",
        "/media/lead/2020/01/old.jpg",  # only the library's folders are served
        "/media/images/",
    ],
)
def test_nothing_but_library_files_is_served_from_media(client, path):
    assert client.get(path).status_code == HTTPStatus.NOT_FOUND


def test_media_answers_only_reads(client, photo):
    response = client.post(f"/media/{photo.file.name}")

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize(
    ("rights", "expires", "reason"),
    [
        ("do_not_use", None, "its rights are “do not use”"),
        ("agency", -timedelta(minutes=1), "its usage rights expired on"),
    ],
)
def test_publishing_with_a_picture_that_may_not_be_used_is_refused_with_the_reason(
    photo, rights, expires, reason
):
    photo.rights = rights
    photo.rights_expire_at = timezone.now() + expires if expires else None
    photo.save()
    story = ArticleFactory(lead_image=photo, authors=[AuthorFactory()])

    with pytest.raises(publishing.PublishingError, match=reason):
        publishing.publish(story)

    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


def test_an_embargo_that_lifts_after_the_pictures_rights_end_is_refused(photo):
    photo.rights_expire_at = timezone.now() + timedelta(hours=2)
    photo.save()
    story = ArticleFactory(lead_image=photo, authors=[AuthorFactory()])

    with pytest.raises(publishing.PublishingError, match="expired"):
        publishing.publish(story, at=timezone.now() + timedelta(hours=3))

    publishing.publish(story, at=timezone.now() + timedelta(hours=1))
    assert story.is_scheduled


def test_the_desk_form_says_why_a_story_with_a_banned_picture_cannot_go_live(client, editor, photo):
    from tests.test_admin import article_form

    photo.rights = "do_not_use"
    photo.save()
    author = AuthorFactory()
    client.force_login(editor)
    section = ArticleFactory().section

    response = client.post(
        reverse("admin:articles_article_add"),
        article_form(section, [author], status="published", lead_image=photo.pk),
    )

    assert response.status_code == HTTPStatus.OK
    assert "The lead image cannot be used: its rights are “do not use”" in (
        response.content.decode()
    )
    assert not Article.objects.filter(headline="Council passes the budget").exists()


def test_when_rights_expire_the_picture_leaves_the_live_page_with_no_save(client, commits):
    with time_machine.travel(NOON - timedelta(minutes=2), tick=False):
        photo = pictures.library_image(
            pictures.jpeg_bytes(2400, 1600), rights="agency", rights_expire_at=NOON
        )
        story = live_story(commits, lead_image=photo)
        before = client.get(story.get_absolute_url())
        assert "<picture>" in before.content.decode()
        # Shared caches keep the page only until the picture must go.
        assert "s-maxage=120," in before["Cache-Control"]
        assert "Age" in client.get(story.get_absolute_url())  # cached

    with time_machine.travel(NOON, tick=False):
        after = client.get(story.get_absolute_url())
        front = client.get("/")

    assert after.status_code == HTTPStatus.OK
    markup = after.content.decode()
    assert "<picture>" not in markup
    assert "/media/images/" not in markup  # nor in the share cards or the JSON-LD
    assert story.headline in markup
    assert "/media/images/" not in front.content.decode()


def test_the_desk_lists_live_stories_needing_a_new_picture(client, editor, commits, photo):
    expired = pictures.library_image(
        pictures.jpeg_bytes(colour="red"),
        rights="agency",
        rights_expire_at=timezone.now() - timedelta(hours=1),
    )
    live_story(commits, lead_image=expired, headline="Story with an expired picture")
    live_story(commits, lead_image=photo, headline="Story with a good picture")
    ArticleFactory(lead_image=expired, headline="A draft with the expired picture")
    client.force_login(editor)

    listing = client.get(
        reverse("admin:articles_article_changelist"), {"picture": "needs-new"}
    ).content.decode()

    assert "Story with an expired picture" in listing
    assert "Story with a good picture" not in listing
    assert "A draft with the expired picture" not in listing


def test_a_picture_with_rights_running_out_warns_the_desk_before(client, editor, photo):
    photo.rights_expire_at = timezone.now() + timedelta(days=3)
    photo.save()
    story = ArticleFactory(lead_image=photo, authors=[AuthorFactory()])
    client.force_login(editor)

    page = client.get(reverse("admin:articles_article_change", args=[story.pk]))

    assert "The lead image's rights run until" in html.unescape(page.content.decode())


def test_the_json_ld_stays_valid_without_a_picture(client, commits):
    story = live_story(commits)

    page = read_tree(client.get(story.get_absolute_url()).content.decode())

    data = next(item for item in page.json_ld() if item.get("@type") == "NewsArticle")
    assert data["image"]["url"].endswith("share-default.png")
    json.dumps(data)
