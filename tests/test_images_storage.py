"""Originals and renditions in object storage (MEDIA_STORAGE_URL, through django-storages),
against a real S3-compatible server (moto's, started here): what an upload stores there and
how, the addresses pages give readers (the store's, or its CDN's), `render_images`, deletion,
and the settings an operator can get wrong."""

import re
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from images import rendering
from images.models import Image
from newsroom.settings import _media_storage
from tests import pictures, s3
from tests.factories import ArticleFactory, AuthorFactory
from tests.markup import read_tree
from tests.services import require
from tests.test_images_uploads import ADD, upload_form

pytestmark = pytest.mark.django_db

PREFIX = "newsroom/pictures"
YEAR = "public, max-age=31536000, immutable"
TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    missing = s3.moto_server_missing()
    require(missing is None, f"object storage skipped: {missing}")
    started = s3.Server(tmp_path_factory.mktemp("moto") / "moto_server.log")
    yield started
    started.stop()


@pytest.fixture
def store(server, settings, monkeypatch, media):
    """The site's default storage pointed at a new bucket, as an operator's MEDIA_STORAGE_URL
    does; the bucket's name."""
    return use_store(server, settings, monkeypatch)


def use_store(server, settings, monkeypatch, **options) -> str:
    for name, value in s3.KEYS.items():
        monkeypatch.setenv(name, value)
    # Nothing of this machine's own AWS configuration (a profile, another region) counts.
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    bucket = server.new_bucket(readable=PREFIX)
    query = "&".join(
        f"{name}={value}"
        for name, value in {"endpoint_url": server.endpoint, "region_name": s3.REGION}.items()
    )
    query += "".join(f"&{name}={value}" for name, value in options.items())
    url = f"s3://{bucket}/{PREFIX}?{query}"
    settings.MEDIA_STORAGE_URL = url
    # Django's setting_changed handler drops the storage it had built: the next use builds this.
    settings.STORAGES = {**settings.STORAGES, "default": _media_storage(url)}
    return bucket


def uploaded(client, user, commits, data: bytes, **form) -> Image:
    """A picture uploaded through the desk's add form, rendered once the save committed."""
    client.force_login(user)
    with commits():
        response = client.post(ADD, upload_form(data, **form))
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    return Image.objects.latest("pk")


def stored(image: Image) -> set[str]:
    """The keys of a picture's original and of every rendition it needs."""
    names = [image.file.name, *(rendition.name for rendition in rendering.wanted(image))]
    return {f"{PREFIX}/{name}" for name in names}


def local_files(media) -> list[str]:
    return sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else []


def extension(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def live_story(commits, **fields):
    with commits():
        return ArticleFactory(live=True, authors=[AuthorFactory()], **fields)


def picture_urls(markup: str) -> list[str]:
    """Every picture address a story page gives: the lead's <img> and <source> srcsets, its
    src, the share cards, the structured data."""
    page = read_tree(markup)
    figure = page.select_one("figure", "lead-image")
    urls = []
    for element in [*figure.select("source"), figure.select_one("img")]:
        urls += [entry.split()[0] for entry in element["srcset"].split(", ")]
    urls.append(figure.select_one("img")["src"])
    urls += [page.meta("og:image"), page.meta("twitter:image")]
    article = next(item for item in page.json_ld() if item.get("@type") == "NewsArticle")
    urls += [item["url"] for item in article["image"]]
    return urls


def test_an_upload_stores_the_original_and_every_rendition_in_the_bucket_and_nothing_on_disk(
    client, editor, commits, server, store, media
):
    image = uploaded(client, editor, commits, pictures.camera_jpeg(1400, 900))

    assert image.rendered == image.render_key
    keys = server.keys(store)
    assert keys == stored(image)
    assert f"{PREFIX}/{image.file.name}" in keys
    assert len(keys) == 1 + 22  # 5 widths x 2 formats x 2 ratios, the 4:3 and 1:1 crops
    assert local_files(media) == []


def test_every_object_is_cached_for_a_year_and_typed_as_what_it_is(
    client, editor, commits, server, store
):
    uploaded(client, editor, commits, pictures.png_bytes(1400, 900), name="chart.png")

    keys = server.keys(store)
    assert {extension(key) for key in keys} == {"png", "jpg", "webp"}
    for key in keys:
        head = server.head(store, key)
        assert head["CacheControl"] == YEAR, key
        assert head["ContentType"] == TYPES[extension(key)], key


def test_the_stored_type_is_what_the_file_is_not_what_the_browser_said(
    client, editor, commits, server, store
):
    # A PNG the browser calls a JPEG, or a page: the store would serve it as that.
    uploaded(
        client, editor, commits, pictures.png_bytes(900, 600), name="p.html",
        content_type="text/html",
    )  # fmt: skip

    original = next(key for key in server.keys(store) if "/originals/" in key)
    assert original.endswith(".png")
    assert server.head(store, original)["ContentType"] == "image/png"


def test_the_stored_types_do_not_depend_on_the_machines_mime_types(
    client, editor, commits, server, store, monkeypatch
):
    # A slim container without /etc/mime.types: Python 3.11 alone does not know .webp.
    import mimetypes

    monkeypatch.setattr(mimetypes, "guess_type", lambda *args, **kwargs: (None, None))

    uploaded(client, editor, commits, pictures.jpeg_bytes(1400, 900))

    for key in server.keys(store):
        assert server.head(store, key)["ContentType"] == TYPES[extension(key)], key


def test_pages_name_the_stores_addresses_and_the_store_serves_them(
    client, editor, commits, server, store
):
    image = uploaded(client, editor, commits, pictures.jpeg_bytes(1400, 900))
    story = live_story(commits, lead_image=image)

    markup = client.get(story.get_absolute_url()).content.decode()

    urls = picture_urls(markup)
    assert len(set(urls)) > 10
    assert "/media/" not in markup
    for url in set(urls):
        assert url.startswith(f"{server.endpoint}/{store}/{PREFIX}/images/renditions/"), url
        assert "?" not in url  # unsigned: the same for every reader, never expiring
        answer = server.fetch(url)
        assert answer.status == HTTPStatus.OK, url
        assert answer.content_type == TYPES[extension(url)], url
        assert answer.cache_control == YEAR, url
        key = url.removeprefix(f"{server.endpoint}/{store}/")
        assert answer.body == server.body(store, key)
    front = read_tree(client.get("/").content.decode())
    on_front = [img["src"] for img in front.select("img")]
    assert on_front and all(url.startswith(f"{server.endpoint}/{store}/") for url in on_front)


def test_with_a_cdn_domain_pages_feeds_and_the_api_name_the_cdn(
    client, editor, commits, server, settings, monkeypatch, media
):
    bucket = use_store(server, settings, monkeypatch, custom_domain="cdn.example.com")
    image = uploaded(client, editor, commits, pictures.jpeg_bytes(1400, 900))
    story = live_story(commits, lead_image=image)
    cdn = f"https://cdn.example.com/{PREFIX}/images/renditions/"

    markup = client.get(story.get_absolute_url()).content.decode()
    feed = client.get(reverse("articles:feed")).content.decode()
    api = client.get(f"/api/v1/articles/{story.uuid}/").content.decode()

    urls = picture_urls(markup)
    assert all(url.startswith(cdn) for url in urls), urls
    # The CDN fetches from the bucket: each address is an object's key after the domain.
    keys = server.keys(bucket)
    assert {url.removeprefix("https://cdn.example.com/") for url in urls} <= keys
    enclosures = re.findall(r'<(?:enclosure|media:content) [^>]*\burl="([^"]+)"', feed)
    assert len(enclosures) == 2 and all(url.startswith(cdn) for url in enclosures)
    assert cdn in api and server.endpoint not in api
    assert server.endpoint not in markup and "/media/" not in markup


def test_render_images_makes_the_missing_renditions_in_the_store_once(
    server, store, media, commits
):
    image = pictures.library_image(pictures.jpeg_bytes(1400, 900), render=False)
    assert server.keys(store) == {f"{PREFIX}/{image.file.name}"}

    out = StringIO()
    with commits():
        call_command("render_images", stdout=out)

    image.refresh_from_db()
    assert image.rendered == image.render_key
    keys = server.keys(store)
    assert keys == stored(image) and len(keys) == 1 + 22
    assert f"{len(keys) - 1} rendition(s) made" in out.getvalue()
    writes = server.writes()
    assert local_files(media) == []

    again = StringIO()
    call_command("render_images", stdout=again)

    # A run that stopped after storing its renditions, before pages switched to them.
    Image.objects.filter(pk=image.pk).update(rendered="")
    call_command("render_images", stdout=again)

    assert "0 picture(s) rendered, 0 rendition(s) made" in again.getvalue()
    assert "1 picture(s) rendered, 0 rendition(s) made" in again.getvalue()
    image.refresh_from_db()
    assert image.rendered == image.render_key
    assert server.writes() == writes  # nothing stored again
    assert server.keys(store) == keys


def test_render_images_cuts_new_crops_in_the_store_after_the_focal_point_moves(
    server, store, media
):
    image = pictures.library_image(pictures.jpeg_bytes(1400, 900))
    first = server.keys(store)
    image.focal_x = 0.1
    image.save()

    call_command("render_images", stdout=StringIO())

    image.refresh_from_db()
    assert image.rendered == image.render_key
    keys = server.keys(store)
    new = keys - first
    assert new and all("-01000500-" in key for key in new)
    # The earlier crops stay (a cached page may still name them) until the picture goes.
    assert keys == first | stored(image)


def test_deleting_an_unused_picture_in_the_desk_removes_its_objects(
    client, editor, commits, server, store
):
    kept = uploaded(client, editor, commits, pictures.jpeg_bytes(1400, 900, colour="red"))
    gone = uploaded(client, editor, commits, pictures.jpeg_bytes(1400, 900))
    assert server.keys(store) == stored(kept) | stored(gone)
    keep = stored(kept)

    with commits():
        response = client.post(
            reverse("admin:images_image_delete", args=[gone.pk]), {"post": "yes"}
        )

    assert response.status_code == HTTPStatus.FOUND
    assert not Image.objects.filter(pk=gone.pk).exists()
    assert server.keys(store) == keep


def test_local_disk_is_the_default():
    assert _media_storage("") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_store_url_gives_django_storages_its_bucket_prefix_and_endpoint():
    config = _media_storage(
        "s3://pictures/site/media?endpoint_url=https://s3.example.net&region_name=eu-west-1"
        "&custom_domain=cdn.example.com"
    )

    assert config["BACKEND"] == "images.storage.MediaStorage"
    options = config["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("pictures", "site/media")
    assert options["endpoint_url"] == "https://s3.example.net"
    assert options["region_name"] == "eu-west-1"
    assert options["custom_domain"] == "cdn.example.com"
    assert options["querystring_auth"] is False  # public addresses, the same for every reader
    assert options["object_parameters"] == {"CacheControl": YEAR}


@pytest.mark.parametrize(
    "url", ["https://pictures.s3.amazonaws.com/", "gs://pictures", "s3:///media", "pictures"]
)
def test_a_store_url_of_another_kind_is_refused_showing_the_form_it_must_have(url):
    with pytest.raises(ImproperlyConfigured) as refused:
        _media_storage(url)

    assert str(refused.value) == (
        f"MEDIA_STORAGE_URL must look like s3://bucket?endpoint_url=…, not {url!r}."
    )


@pytest.mark.parametrize(
    ("query", "unknown"),
    [
        ("endpoint=https://s3.example.net", "endpoint"),
        ("x=1&default_acl=public-read", "default_acl, x"),
    ],
)
def test_an_unknown_store_option_is_refused_naming_it_and_those_known(query, unknown):
    with pytest.raises(ImproperlyConfigured) as refused:
        _media_storage(f"s3://pictures?{query}")

    assert str(refused.value) == (
        f"MEDIA_STORAGE_URL: unknown option(s) {unknown};"
        " known: custom_domain, endpoint_url, region_name, url_protocol."
    )
