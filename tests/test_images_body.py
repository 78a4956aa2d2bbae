"""Pictures inside a story's body: a library picture the body names is shown like the lead
(every rendition, its size, lazy, caption and credit), never as its original; partners get a
rendition; a picture that may not be shown leaves with its figure."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from images import specs
from images.models import Image
from tests import pictures
from tests.factories import ArticleFactory, AuthorFactory
from tests.markup import read_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def photo():
    return pictures.library_image(
        pictures.jpeg_bytes(2400, 1600),
        alt_text="The mayor at the lectern",
        caption="The mayor announces the budget",
        credit="Jane Doe / Staff",
    )


def live_story(commits, body):
    with commits():
        return ArticleFactory(live=True, authors=[AuthorFactory()], body=body)


def story_page(client, story):
    response = client.get(story.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_a_library_picture_in_a_figure_is_shown_in_every_width_with_the_bodys_caption(
    client, commits, photo
):
    story = live_story(
        commits,
        f'<p>Before.</p><figure><img src="{photo.file.url}" alt="The mayor speaks">'
        "<figcaption>The mayor speaks to the council.</figcaption></figure><p>After.</p>",
    )

    markup = story_page(client, story)

    figure = read_tree(markup).select_one("figure", "body-image")
    image = figure.select_one("img")
    assert [s["type"] for s in figure.select("source")] == ["image/webp"]
    assert image["srcset"].count(".jpg ") == 7  # 320 … 2048
    assert (image["width"], image["height"]) == ("960", "640")
    assert image["loading"] == "lazy"
    assert image["alt"] == "The mayor speaks"  # the body's words, in this story
    assert figure.select_one("figcaption").text(" ") == (
        "The mayor speaks to the council. Jane Doe / Staff"
    )
    assert photo.file.url not in markup  # never the original, with its camera's metadata
    assert "<p>Before.</p>" in markup and "<p>After.</p>" in markup


def test_a_figure_without_a_caption_takes_the_librarys_and_its_alt_text(client, commits, photo):
    story = live_story(commits, f'<figure><img src="{photo.file.url}" alt=""></figure>')

    figure = read_tree(story_page(client, story)).select_one("figure", "body-image")

    assert figure.select_one("img")["alt"] == "The mayor at the lectern"
    assert figure.select_one("figcaption").text(" ") == (
        "The mayor announces the budget Jane Doe / Staff"
    )


def test_the_address_of_any_rendition_names_the_picture_too(client, commits, photo):
    rendition = photo.renditions(specs.SQUARE)[0]
    story = live_story(commits, f'<figure><img src="/media/{rendition.name}" alt="x"></figure>')

    figure = read_tree(story_page(client, story)).select_one("figure", "body-image")

    assert figure.select_one("img")["width"] == "960"  # the free crop, not the square asked


def test_a_picture_inside_a_paragraph_is_shown_without_a_caption(client, commits, photo):
    story = live_story(commits, f'<p>See <img src="{photo.file.url}" alt="the mayor">.</p>')

    page = read_tree(story_page(client, story))

    paragraph = next(p for p in page.select("p") if "See" in p.text())
    assert paragraph.select_one("img")["srcset"]
    assert not page.select("figure", "body-image")


@pytest.mark.parametrize(
    "change",
    [
        {"rights": "do_not_use"},
        {"rights": "agency", "rights_expire_at": timezone.now()},
    ],
)
def test_a_picture_that_may_not_be_shown_leaves_the_body_with_its_caption(
    client, commits, photo, change
):
    story = live_story(
        commits,
        f'<p>Before.</p><figure><img src="{photo.file.url}" alt="x">'
        "<figcaption>Secret caption.</figcaption></figure><p>After.</p>",
    )
    for name, value in change.items():
        setattr(photo, name, value)
    with commits():
        photo.save()

    markup = story_page(client, story)

    assert "Secret caption" not in markup
    assert "/media/images/" not in markup
    assert "<p>Before.</p>" in markup and "<p>After.</p>" in markup


def test_a_picture_from_elsewhere_is_kept_and_lazy(client, commits):
    story = live_story(
        commits, '<figure><img src="https://example.org/a.jpg" alt="A"><figcaption>C</figcaption>'
    )

    image = read_tree(story_page(client, story)).select_one("img", src="https://example.org/a.jpg")

    assert image["loading"] == "lazy"
    assert image["alt"] == "A"


def test_partners_get_a_rendition_with_its_size_never_the_original(
    client, commits, photo, settings
):
    story = live_story(
        commits, f'<figure><img src="{photo.file.url}" alt="The mayor"></figure><p>Text.</p>'
    )

    api = client.get(f"/api/v1/articles/{story.uuid}/").json()["body"]
    ninjs = client.get(f"/api/v1/articles/{story.uuid}/ninjs/").json()
    html = next(b["value"] for b in ninjs["bodies"] if b["contenttype"] == "text/html")

    for body in (api, html):
        image = read_tree(body).select_one("img")
        assert image["src"].startswith(f"{settings.SITE_URL}/media/images/renditions/")
        assert image["src"].endswith("-free-1280.jpg")  # the first width past 1200
        assert (image["width"], image["height"]) == ("1280", "853")
        assert image["alt"] == "The mayor"
        assert photo.file.url not in body
        assert client.get(image["src"].removeprefix(settings.SITE_URL)).status_code == 200


def test_a_body_with_pictures_costs_one_query_for_all_of_them(client, commits, photo):
    other = pictures.library_image(pictures.jpeg_bytes(colour="red"))
    plain = live_story(commits, "<p>Words.</p>")
    with_pictures = live_story(
        commits,
        f'<figure><img src="{photo.file.url}" alt="a"></figure>'
        f'<figure><img src="{other.file.url}" alt="b"></figure>',
    )

    with CaptureQueriesContext(connection) as without:
        story_page(client, plain)
    with CaptureQueriesContext(connection) as with_two:
        markup = story_page(client, with_pictures)

    assert markup.count('class="body-image"') == 2
    assert len(with_two) == len(without) + 1


def test_a_picture_a_body_shows_is_in_use_it_lists_the_story_and_is_kept(
    client, editor, commits, photo
):
    live_story(commits, f'<p>See <img src="{photo.file.url}" alt="x"></p>')
    rendition = photo.renditions(specs.WIDE)[0]
    ArticleFactory(headline="A draft naming a crop", body=f'<img src="/media/{rendition.name}">')
    client.force_login(editor)

    page = client.get(reverse("admin:images_image_change", args=[photo.pk])).content.decode()
    response = client.post(
        reverse("admin:images_image_delete", args=[photo.pk]), {"post": "yes"}, follow=True
    )

    assert "A draft naming a crop" in page
    assert Image.objects.filter(pk=photo.pk).exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("cannot be deleted: 2 stories use it" in m for m in messages)


def test_cached_pages_end_when_a_body_pictures_rights_do(client, commits):
    noon = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with time_machine.travel(noon - timedelta(minutes=2), tick=False):
        photo = pictures.library_image(
            pictures.jpeg_bytes(2400, 1600), rights="agency", rights_expire_at=noon
        )
        story = live_story(commits, f'<figure><img src="{photo.file.url}" alt="x"></figure>')

        response = client.get(story.get_absolute_url())

        assert "/media/images/" in response.content.decode()
        assert "s-maxage=120," in response["Cache-Control"]  # not PAGE_CACHE_SECONDS' 300
    with time_machine.travel(noon, tick=False):
        assert "/media/images/" not in client.get(story.get_absolute_url()).content.decode()
