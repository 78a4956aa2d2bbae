"""`--fetch-images`: the pictures imports name come into the library, once each, checked as
uploads are, from a real HTTP server; a picture that fails costs its story nothing."""

import hashlib
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import connection

from articles.ingest import downloads
from articles.models import Article
from images.models import Image
from tests import pictures
from tests.shared import shared_path

pytestmark = pytest.mark.django_db

NINJS_EXAMPLE = shared_path("ninjs", "examples", "2.2_005_complex_text_article.json")
NINJS_PLAIN_EXAMPLE = shared_path("ninjs", "examples", "2.2_004_simple_text_article.json")
THEME_UNIT_TEST = shared_path("wordpress", "themeunittestdata.wordpress.xml")
THEME_MEDIA = "https://wpthemetestdata.files.wordpress.com/"
# The Theme Unit Test posts with a featured image, and the file of each.
FEATURED = {
    "WP 6.1 Theme block category": "2008/06/dsc20050102_192118_51.jpg",
    "Template: Featured Image (Horizontal)": "2013/03/featured-image-horizontal.jpg",
    "Template: Featured Image (Vertical)": "2013/03/featured-image-vertical.jpg",
    "Post Format: Image (Caption)": "2010/08/triforce-wallpaper.jpg",
    "Markup: Image Alignment": "2013/03/soworthloving-wallpaper.jpg",
    "Block: Gallery": "2008/06/img_8399.jpg",
}
TIMEOUT = 0.5  # seconds, IMAGE_FETCH_TIMEOUT in these tests
CAP = 20_000  # bytes, IMAGE_MAX_UPLOAD_BYTES in these tests


class PictureServer(ThreadingHTTPServer):
    """A picture server on 127.0.0.1: `files` by path, and the ways a server goes wrong."""

    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), PictureHandler)
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.released = threading.Event()  # ends the slow answers when the test is done

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def handle_error(self, request, client_address):
        pass  # a client that gave up on a slow answer is what some tests are about


class PictureHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        server.requests.append(self.path)
        if self.path == "/slow.jpg":  # no answer until well past the timeout
            server.released.wait(TIMEOUT * 20)
            return self.send_file(pictures.jpeg_bytes(400, 300))
        if self.path == "/dribble.jpg":  # answers at once, then a byte every 50 ms for 10 s
            self.send_response(200)
            self.send_header("Content-Length", "200")
            self.end_headers()
            for _ in range(200):
                if server.released.wait(0.05):
                    break
                self.wfile.write(b"\xff")
                self.wfile.flush()
            return None
        if self.path == "/endless.jpg":  # a picture's bytes, then 64 MB more, never declared
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.end_headers()
            self.wfile.write(pictures.jpeg_bytes(400, 300))
            for _ in range(1024):
                if server.released.is_set():
                    break
                self.wfile.write(b"\x00" * 65536)
            return None
        if self.path == "/loop":
            return self.redirect("/loop")
        if self.path == "/moved.jpg":
            return self.redirect("/pictures/council.jpg")
        if self.path == "/to-file":
            return self.redirect("file:///etc/passwd")
        if self.path in server.files:
            return self.send_file(server.files[self.path])
        self.send_error(404)
        return None

    def send_file(self, data: bytes):
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location: str):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAGE_FETCH_ALLOW_PRIVATE = True  # the server is on loopback
    settings.IMAGE_FETCH_TIMEOUT = TIMEOUT
    server = PictureServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.released.set()
    server.shutdown()
    server.server_close()


def run(command, *files, **options):
    """Run an import command; return what it printed on stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *map(str, files), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def ninjs_with_picture(tmp_path, picture: dict, *, example=NINJS_EXAMPLE, name="story.json"):
    """The IPTC's own example story, with `picture` as its featuremedia association."""
    document = json.loads(example.read_text())
    document["associations"] = [{"name": "featuremedia", "type": "picture", **picture}]
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def agency_picture(href: str, **fields) -> dict:
    return {
        "uri": "urn:newsml:tna.org:20130709:photo-1",
        "renditions": [{"name": "original", "href": href, "contenttype": "image/jpeg"}],
        "headlines": [{"role": "caption", "value": "Francesco Schettino arrives at the court."}],
        "descriptions": [{"role": "alt", "value": "A man in sunglasses walks past reporters."}],
        "by": "Gianni Rossi",
        "copyrightholder": "The News Agency",
        **fields,
    }


@pytest.fixture
def wordpress_export(server, tmp_path):
    """A temporary copy of the Theme Unit Test export, its media on the local server, each
    featured image a picture of its own."""

    def make(files: dict[str, bytes] | None = None):
        for number, path in enumerate(FEATURED.values()):
            server.files[f"/wp/{path}"] = pictures.jpeg_bytes(300 + number * 10, 200)
        server.files.update({f"/wp/{path}": data for path, data in (files or {}).items()})
        text = THEME_UNIT_TEST.read_text(encoding="utf-8").replace(THEME_MEDIA, server.url("/wp/"))
        path = tmp_path / "themeunittestdata.xml"
        path.write_text(text, encoding="utf-8")
        return path

    return make


# -- Fetched into the library -------------------------------------------------------------------


def test_ninjs_picture_comes_into_the_library_with_its_texts_as_the_lead_image(
    server, section, settings, tmp_path
):
    large = pictures.jpeg_bytes(1200, 800)
    server.files["/pictures/council.jpg"] = large
    server.files["/pictures/council-thumb.jpg"] = pictures.jpeg_bytes(120, 80)
    picture = agency_picture(server.url("/pictures/council.jpg"))
    picture["renditions"] = [
        {"name": "thumbnail", "href": server.url("/pictures/council-thumb.jpg"), "width": 120},
        {"name": "large", "href": server.url("/pictures/council.jpg"), "width": 1200},
    ]
    path = ninjs_with_picture(tmp_path, picture)

    out, err = run("import_ninjs", path, fetch_images=True)

    article = Article.objects.get()
    image = article.lead_image
    assert image is not None
    assert image.sha256 == sha256(large)  # the largest rendition, not the thumbnail
    assert (image.width, image.height) == (1200, 800)
    assert image.alt_text == "A man in sunglasses walks past reporters."
    assert image.caption == "Francesco Schettino arrives at the court."
    assert image.credit == "Gianni Rossi / The News Agency"
    assert image.source == "The News Agency"
    assert image.rights == Image.Rights.AGENCY
    assert image.uploaded_by is None  # "an import" in the library
    assert [path.read_bytes() for path in stored_files(settings)] == [large]
    assert server.requests == ["/pictures/council.jpg"]
    assert f"image:   {server.url('/pictures/council.jpg')} (added to the library" in out
    assert "Lead images: 1 added to the library" in out
    assert err == ""


def test_ninjs_picture_texts_fall_back_to_its_caption_and_the_storys_copyright(
    server, section, tmp_path
):
    # The shared example's own copyright notice credits its pictures when they name no one.
    server.files["/pictures/council.jpg"] = pictures.jpeg_bytes(400, 300)
    picture = {
        "uri": server.url("/pictures/council.jpg"),  # no renditions: the uri is the file
        "headline": "Italy Ship Trial",
        "description_text": "Schettino arrives in <b>Grosseto</b> &amp; greets no one.",
    }
    path = ninjs_with_picture(tmp_path, picture)

    run("import_ninjs", path, fetch_images=True)

    image = Article.objects.get().lead_image
    assert image.alt_text == "Schettino arrives in Grosseto & greets no one."  # not the headline
    assert image.caption == "Schettino arrives in Grosseto & greets no one."
    assert image.credit == "Copyright 2013 The News Agency, www.tna.org - all rights reserved."


def test_an_uncredited_agency_picture_is_not_imported_and_its_story_is(server, section, tmp_path):
    server.files["/pictures/council.jpg"] = pictures.jpeg_bytes(400, 300)
    url = server.url("/pictures/council.jpg")
    picture = agency_picture(url, by=None, copyrightholder=None)
    path = ninjs_with_picture(tmp_path, picture, example=NINJS_PLAIN_EXAMPLE)

    _, err = run("import_ninjs", path, fetch_images=True)

    assert Article.objects.get().lead_image is None
    assert not Image.objects.exists()
    assert server.requests == []  # nothing fetched that could not be used
    assert f"{path}: picture {url} not imported: it has no credit" in err


def test_wordpress_featured_images_come_in_with_the_attachments_texts(
    wordpress_export, server, settings
):
    export = wordpress_export()

    out, err = run("import_wordpress", export, fetch_images=True, verbosity=2)

    stories = {
        article.headline: article
        for article in Article.objects.filter(headline__in=FEATURED).select_related("lead_image")
    }
    assert set(stories) == set(FEATURED)
    for headline, file in FEATURED.items():
        assert stories[headline].lead_image.sha256 == sha256(server.files[f"/wp/{file}"])
    wind_farm = stories["WP 6.1 Theme block category"].lead_image
    assert wind_farm.alt_text == "Wind Farm"
    assert wind_farm.caption == "Albany wind-farm against the sunset, Western Australia"
    assert wind_farm.credit == wind_farm.source == "Theme Unit Test Data"
    assert wind_farm.rights == Image.Rights.STAFF
    horizontal = stories["Template: Featured Image (Horizontal)"].lead_image
    assert horizontal.alt_text == horizontal.caption == "Horizontal Featured Image"  # its title
    triforce = stories["Post Format: Image (Caption)"].lead_image  # a title made of a file name
    assert triforce.alt_text == triforce.caption == "It’s dangerous to go alone! Take this."
    assert Image.objects.count() == len(FEATURED) == len(stored_files(settings))
    assert "picture: http://127.0.0.1" in out
    assert "Lead images: 6 added to the library" in out
    assert "featured images (add a lead image in the admin)" not in out
    # The only pictures missing are those in bodies that this server does not have.
    assert all(": body picture " in line and "answered 404" in line for line in err.splitlines())


def test_the_same_picture_twice_is_one_library_picture(wordpress_export, settings):
    same = pictures.jpeg_bytes(500, 300, "maroon")
    export = wordpress_export(
        {
            FEATURED["Template: Featured Image (Horizontal)"]: same,
            FEATURED["Template: Featured Image (Vertical)"]: same,
        }
    )

    out, _ = run("import_wordpress", export, fetch_images=True)
    again, _ = run("import_wordpress", export, fetch_images=True)

    horizontal, vertical = (
        Article.objects.get(headline=f"Template: Featured Image ({kind})").lead_image
        for kind in ("Horizontal", "Vertical")
    )
    assert horizontal == vertical
    assert horizontal.sha256 == sha256(same)
    assert Image.objects.count() == len(FEATURED) - 1 == len(stored_files(settings))
    assert "Lead images: 5 added to the library, 1 already in it" in out
    assert "Lead images: 6 already in it" in again


def test_a_picture_already_in_the_library_is_reused_with_its_own_texts(server, section, tmp_path):
    data = pictures.jpeg_bytes(640, 480, "olive")
    existing = pictures.library_image(data, render=False, credit="Desk photo", rights="staff")
    server.files["/pictures/council.jpg"] = data
    path = ninjs_with_picture(tmp_path, agency_picture(server.url("/pictures/council.jpg")))

    out, _ = run("import_ninjs", path, fetch_images=True)

    assert Article.objects.get().lead_image == existing
    existing.refresh_from_db()
    assert (existing.credit, existing.rights) == ("Desk photo", "staff")
    assert Image.objects.count() == 1
    assert f"(already in the library: picture {existing.pk})" in out


def test_a_redirect_to_the_picture_is_followed(server, section, tmp_path):
    data = pictures.jpeg_bytes(400, 300)
    server.files["/pictures/council.jpg"] = data
    path = ninjs_with_picture(tmp_path, agency_picture(server.url("/moved.jpg")))

    run("import_ninjs", path, fetch_images=True)

    assert Article.objects.get().lead_image.sha256 == sha256(data)
    assert server.requests == ["/moved.jpg", "/pictures/council.jpg"]


def test_pictures_are_fetched_before_the_import_opens_its_transaction(
    server, section, tmp_path, monkeypatch
):
    # A slow picture server must not hold the database: no transaction is open while it
    # answers (beyond the one each test runs in).
    server.files["/pictures/council.jpg"] = pictures.jpeg_bytes(400, 300)
    path = ninjs_with_picture(tmp_path, agency_picture(server.url("/pictures/council.jpg")))
    depth, real_fetch = [], downloads.fetch

    def fetch(*args, **kwargs):
        depth.append(len(connection.atomic_blocks))
        return real_fetch(*args, **kwargs)

    monkeypatch.setattr(downloads, "fetch", fetch)
    outside = len(connection.atomic_blocks)

    run("import_ninjs", path, fetch_images=True)

    assert depth == [outside]
    assert Article.objects.get().lead_image is not None


# -- Refused, and the story imported all the same -----------------------------------------------

FAILURES = {
    "not found": ("/missing.jpg", None, "the server answered 404"),
    "redirect loop": ("/loop", None, "more than 5 redirects"),
    "redirect to file:": ("/to-file", None, "only http and https addresses are fetched, not file:"),
    "not a picture": ("/page.jpg", b"<!doctype html><p>Not found</p>", "not a picture the site"),
    "svg": ("/drawing.jpg", pictures.SVG, "not a picture the site takes"),
    "truncated": ("/cut.jpg", pictures.truncated_jpeg(), "truncated or damaged"),
    "bomb": ("/bomb.jpg", pictures.bomb_png(), "megapixels"),
    "animated": ("/moving.jpg", pictures.animated_gif(), "not a picture the site takes (GIF)"),
    "too slow to answer": ("/slow.jpg", None, f"IMAGE_FETCH_TIMEOUT is {TIMEOUT:g} s"),
    "dribbling": ("/dribble.jpg", None, f"IMAGE_FETCH_TIMEOUT is {TIMEOUT:g} s"),
    "too large, declared": ("/big.jpg", pictures.camera_jpeg(), "KB; pictures may be at most"),
    "too large, undeclared": ("/endless.jpg", None, "larger than that: stopped reading"),
}


@pytest.mark.parametrize("kind", FAILURES)
def test_a_picture_that_fails_is_named_with_its_story_and_the_story_imported(
    kind, server, section, settings, tmp_path
):
    path_on_server, data, reason = FAILURES[kind]
    if kind.startswith("too large"):
        settings.IMAGE_MAX_UPLOAD_BYTES = CAP
        assert data is None or len(data) > CAP
    if data is not None:
        server.files[path_on_server] = data
    url = server.url(path_on_server)
    path = ninjs_with_picture(tmp_path, agency_picture(url))

    out, err = run("import_ninjs", path, fetch_images=True)

    article = Article.objects.get()
    assert article.headline == "Captain of wrecked cruise ship on trial in Italy"
    assert article.lead_image is None
    assert not Image.objects.exists()
    assert stored_files(settings) == []
    line = f"import_ninjs: {path}: picture {url} not imported: "
    assert line in err, err
    assert reason in err.split(line, 1)[1].splitlines()[0]
    assert "the story is imported all the same" in err
    assert "Lead images: 1 not imported (listed on stderr)" in out


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/picture.jpg",
        "data:image/png;base64,iVBORw0KGgo=",
        "//127.0.0.1/picture.jpg",
    ],
)
def test_only_http_and_https_addresses_are_fetched(url, server, section, tmp_path):
    path = ninjs_with_picture(tmp_path, agency_picture(url))

    _, err = run("import_ninjs", path, fetch_images=True)

    assert Article.objects.get().lead_image is None
    assert "not imported: only http and https addresses are fetched" in err


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:{port}",
        "localhost:{port}",
        "[::ffff:127.0.0.1]:{port}",
        "[::1]:{port}",
        "10.0.0.7",
        "192.168.1.20",
        "169.254.169.254",  # a cloud's metadata service
        "0.0.0.0:{port}",
    ],
)
def test_private_and_loopback_addresses_are_refused_by_default(
    host, server, section, settings, tmp_path
):
    settings.IMAGE_FETCH_ALLOW_PRIVATE = False
    server.files["/pictures/council.jpg"] = pictures.jpeg_bytes(400, 300)
    url = f"http://{host.format(port=server.server_address[1])}/pictures/council.jpg"
    path = ninjs_with_picture(tmp_path, agency_picture(url))

    _, err = run("import_ninjs", path, fetch_images=True)

    assert Article.objects.get().lead_image is None
    assert server.requests == []  # refused before connecting
    assert f"picture {url} not imported: " in err
    assert "private, loopback or reserved address" in err
    assert "IMAGE_FETCH_ALLOW_PRIVATE" in err


# -- Not asked, or a dry run --------------------------------------------------------------------


def test_without_fetch_images_nothing_is_fetched(wordpress_export, server, section, tmp_path):
    server.files["/pictures/council.jpg"] = pictures.jpeg_bytes(400, 300)
    path = ninjs_with_picture(tmp_path, agency_picture(server.url("/pictures/council.jpg")))

    ninjs_out, ninjs_err = run("import_ninjs", path)
    wordpress_out, _ = run("import_wordpress", wordpress_export())

    assert server.requests == []
    assert not Image.objects.exists()
    assert not Article.objects.exclude(lead_image=None).exists()
    assert "(lead image not downloaded: add it in the admin)" in ninjs_out
    assert "featured images (add a lead image in the admin)" in wordpress_out


def test_a_dry_run_downloads_nothing_and_says_what_it_would_fetch(server, section, tmp_path):
    url = server.url("/pictures/council.jpg")
    server.files["/pictures/council.jpg"] = pictures.jpeg_bytes(400, 300)
    path = ninjs_with_picture(tmp_path, agency_picture(url))

    out, err = run("import_ninjs", path, fetch_images=True, dry_run=True)

    assert server.requests == []
    assert not Article.objects.exists() and not Image.objects.exists()
    assert f"image:   {url} (would be fetched; a dry run downloads nothing)" in out
    assert "Lead images: 1 would be fetched" in out


def test_a_story_keeps_its_lead_image_when_its_picture_later_fails(server, section, tmp_path):
    server.files["/pictures/council.jpg"] = pictures.jpeg_bytes(400, 300)
    path = ninjs_with_picture(tmp_path, agency_picture(server.url("/pictures/council.jpg")))
    run("import_ninjs", path, fetch_images=True)
    first = Article.objects.get().lead_image
    del server.files["/pictures/council.jpg"]

    _, err = run("import_ninjs", path, fetch_images=True)

    assert Article.objects.get().lead_image == first
    assert "answered 404" in err
