"""`--fetch-images` and the pictures a story's body shows: each comes into the library once, its
img then names the library's picture (so pages show its renditions and it counts as in use);
one that fails or lacks its texts costs its story nothing and keeps its address."""

import json
from http import HTTPStatus

import pytest

from articles.models import Article
from images import rendering
from images.models import Image
from tests import pictures
from tests import test_import_images as lead
from tests.markup import read_tree

pytestmark = pytest.mark.django_db

# The local picture server and the Theme Unit Test export on it (test_import_images.py).
server = lead.server
wordpress_export = lead.wordpress_export
run, sha256 = lead.run, lead.sha256

# "Post Format: Image (Caption)": a [caption] figure of a 604-pixel copy of an upload.
CAPTIONED = "Post Format: Image (Caption)"
BELL_FILE = "2008/06/100_5478.jpg"
BELL_SRC = f"/wp/{BELL_FILE}?w=604"
# The same upload in the bodies of three posts (a paragraph's img and wp:image blocks).
SHARED_FILE = "2013/03/image-alignment-150x150.jpg"
SHARED_BY = ("Markup: Image Alignment", "Block category: Common", "Block: Image")


def ninjs_with_body_picture(tmp_path, figure: str, *, picture: dict | None = None):
    """The IPTC's own example story, `figure` at the end of its body (and `picture` as its
    featuremedia association)."""
    document = json.loads(lead.NINJS_EXAMPLE.read_text())
    document["bodies"][1]["value"] += figure
    if picture is not None:
        document["associations"] = [{"name": "featuremedia", "type": "picture", **picture}]
    path = tmp_path / "story.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_wordpress_body_picture_comes_in_and_the_page_shows_it_with_its_caption(
    wordpress_export, server, client
):
    bell = pictures.jpeg_bytes(800, 600, "teal")
    export = wordpress_export({BELL_FILE: bell})

    out, err = run("import_wordpress", export, fetch_images=True, verbosity=2)

    story = Article.objects.get(headline=CAPTIONED)
    image = Image.objects.get(sha256=sha256(bell))
    assert (image.alt_text, image.caption) == ("Bell on Wharf", "Bell on wharf in San Francisco")
    assert image.credit == image.source == "Theme Unit Test Data"
    assert image.rights == Image.Rights.STAFF
    assert f'<img src="{image.file.url}" alt="Bell on Wharf">' in story.body
    assert "<figcaption>Bell on wharf in San Francisco</figcaption>" in story.body
    assert BELL_SRC not in story.body
    assert server.requests.count(f"/wp/{BELL_FILE}") == 1  # the upload itself, not its copy
    assert list(image.stories_using()) == [story]
    assert f"in body: {server.url(f'/wp/{BELL_FILE}')} (added to the library" in out
    assert "Body images: 1 added to the library" in out
    assert "post 1163: body picture" not in err

    rendering.render(image)
    response = client.get(story.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    figure = read_tree(response.content.decode()).select_one("figure", "body-image")
    assert figure.select_one("picture") is not None
    assert figure.select_one("img")["alt"] == "Bell on Wharf"
    assert figure.select_one("figcaption").text(" ").startswith("Bell on wharf in San Francisco")
    assert image.file.url not in response.content.decode()  # renditions only, never the original


def test_a_picture_both_lead_and_in_the_body_is_one_library_picture(server, section, tmp_path):
    data = pictures.jpeg_bytes(640, 480, "olive")
    server.files["/pictures/council.jpg"] = data
    url = server.url("/pictures/council.jpg")
    path = ninjs_with_body_picture(
        tmp_path,
        f'<figure><img src="{url}" alt="Schettino at the court"><figcaption>Schettino '
        "arrives.</figcaption></figure>",
        picture=lead.agency_picture(url),
    )

    out, err = run("import_ninjs", path, fetch_images=True)

    story = Article.objects.get()
    image = Image.objects.get()
    assert story.lead_image == image
    assert f'<img src="{image.file.url}" alt="Schettino at the court">' in story.body
    assert server.requests == ["/pictures/council.jpg"]  # fetched once, for both
    assert image.credit == "Gianni Rossi / The News Agency"  # the association's, as the lead's
    assert "Lead images: 1 added to the library\nBody images: 1 already in it" in out
    assert err == ""


def test_a_body_picture_in_the_same_bytes_as_the_lead_is_one_library_picture(wordpress_export):
    same = pictures.jpeg_bytes(500, 300, "maroon")
    export = wordpress_export({lead.FEATURED[CAPTIONED]: same, BELL_FILE: same})

    run("import_wordpress", export, fetch_images=True)

    story = Article.objects.get(headline=CAPTIONED)
    assert story.lead_image.sha256 == sha256(same)
    assert f'src="{story.lead_image.file.url}"' in story.body
    assert Image.objects.filter(sha256=sha256(same)).count() == 1


def test_a_body_picture_that_fails_is_named_and_its_story_keeps_the_img(wordpress_export, server):
    export = wordpress_export()  # the server has no file for the body's picture

    out, err = run("import_wordpress", export, fetch_images=True)

    story = Article.objects.get(headline=CAPTIONED)
    src = server.url(BELL_SRC)
    assert f'<img src="{src}" alt="Bell on Wharf">' in story.body
    assert story.lead_image is not None  # its featured image came in all the same
    line = (
        f"import_wordpress: {export}: post 1163: body picture {server.url(f'/wp/{BELL_FILE}')} "
        "not imported: the server answered 404 Not Found; the story is imported with its img "
        "as it was"
    )
    assert line in err.splitlines()
    assert "not imported (listed on stderr)" in out.split("Body images:", 1)[1]


def test_a_body_picture_without_an_alt_text_or_caption_is_not_fetched(server, section, tmp_path):
    server.files["/pictures/court.jpg"] = pictures.jpeg_bytes(400, 300)
    url = server.url("/pictures/court.jpg")
    path = ninjs_with_body_picture(tmp_path, f'<p><img src="{url}" alt=""></p>')

    _, err = run("import_ninjs", path, fetch_images=True)

    assert f'<img src="{url}" alt="">' in Article.objects.get().body
    assert not Image.objects.exists()
    assert server.requests == []
    assert f"{path}: body picture {url} not imported: it has no alt text, caption or title" in err


def test_a_body_picture_lacking_its_texts_keeps_its_img_though_another_story_brings_it_in(
    server, section, tmp_path
):
    server.files["/pictures/court.jpg"] = pictures.jpeg_bytes(400, 300)
    url = server.url("/pictures/court.jpg")
    untold = ninjs_with_body_picture(tmp_path, f'<p><img src="{url}" alt=""></p>')
    told = lead.ninjs_with_picture(tmp_path, lead.agency_picture(url), name="told.json")
    document = json.loads(told.read_text())
    document["uri"] += "-told"
    told.write_text(json.dumps(document), encoding="utf-8")

    _, err = run("import_ninjs", untold, told, fetch_images=True)

    assert Article.objects.get(source_uri__endswith="-told").lead_image == Image.objects.get()
    assert f'<img src="{url}" alt="">' in Article.objects.get(source_uri__endswith="med123").body
    assert f"{untold}: body picture {url} not imported: it has no alt text" in err


def test_a_ninjs_body_picture_is_credited_as_the_storys_copyright_says(server, section, tmp_path):
    server.files["/pictures/court.jpg"] = pictures.jpeg_bytes(400, 300)
    url = server.url("/pictures/court.jpg")
    path = ninjs_with_body_picture(
        tmp_path,
        f'<figure><img src="{url}" alt="The court"><figcaption>The court in '
        "<em>Grosseto</em>.</figcaption></figure>",
    )

    run("import_ninjs", path, fetch_images=True)

    image = Image.objects.get()
    assert (image.alt_text, image.caption) == ("The court", "The court in Grosseto.")
    assert image.credit == "Copyright 2013 The News Agency, www.tna.org - all rights reserved."
    assert image.rights == Image.Rights.AGENCY
    assert f'src="{image.file.url}"' in Article.objects.get().body


def test_a_picture_in_several_bodies_is_fetched_once_and_is_one_library_picture(
    wordpress_export, server
):
    data = pictures.jpeg_bytes(150, 150, "purple")
    export = wordpress_export({SHARED_FILE: data})

    out, _ = run("import_wordpress", export, fetch_images=True, verbosity=2)
    again, _ = run("import_wordpress", export, fetch_images=True, verbosity=2)

    image = Image.objects.get(sha256=sha256(data))
    stories = Article.objects.filter(headline__in=SHARED_BY)
    assert len(stories) == len(SHARED_BY)
    assert all(f'src="{image.file.url}"' in story.body for story in stories)
    assert set(image.stories_using()) == set(stories)
    assert server.requests.count(f"/wp/{SHARED_FILE}") == 2  # once a run
    shown = f"in body: {server.url(f'/wp/{SHARED_FILE}')} "
    assert (out.count(f"{shown}(added"), out.count(f"{shown}(already")) == (1, 2)
    assert again.count(f"{shown}(already in the library: picture {image.pk})") == 3


def test_without_fetch_images_or_in_a_dry_run_bodies_keep_their_imgs(wordpress_export, server):
    export = wordpress_export({BELL_FILE: pictures.jpeg_bytes(400, 300)})

    dry, _ = run("import_wordpress", export, fetch_images=True, dry_run=True, verbosity=2)
    run("import_wordpress", export)

    assert server.requests == []
    assert not Image.objects.exists()
    body = Article.objects.get(headline=CAPTIONED).body
    assert f'<img src="{server.url(BELL_SRC)}" alt="Bell on Wharf">' in body
    assert f"in body: {server.url(f'/wp/{BELL_FILE}')} (would be fetched" in dry
    assert "Body images:" in dry


def test_body_pictures_are_fetched_before_the_import_opens_its_transaction(
    server, section, tmp_path, monkeypatch
):
    server.files["/pictures/court.jpg"] = pictures.jpeg_bytes(400, 300)
    url = server.url("/pictures/court.jpg")
    path = ninjs_with_body_picture(tmp_path, f'<p><img src="{url}" alt="The court"></p>')
    depth, real_fetch = [], lead.downloads.fetch

    def fetch(*args, **kwargs):
        depth.append(len(lead.connection.atomic_blocks))
        return real_fetch(*args, **kwargs)

    monkeypatch.setattr(lead.downloads, "fetch", fetch)
    outside = len(lead.connection.atomic_blocks)

    run("import_ninjs", path, fetch_images=True)

    assert depth == [outside]
    assert Image.objects.exists()
