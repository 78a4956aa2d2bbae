"""Uploading into the picture library through the admin: what gets in, what is refused (with a
reason, storing nothing), and who may do what."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from images.models import Image, Rendition
from tests import pictures
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:images_image_add")
CHANGELIST = reverse("admin:images_image_changelist")


def stored_files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def upload_form(data: bytes, name="photo.jpg", content_type="image/jpeg", **overrides):
    return {
        "file": SimpleUploadedFile(name, data, content_type=content_type),
        "alt_text": "Council members raise their hands",
        "caption": "The council votes on the budget",
        "credit": "Jane Doe / Staff",
        "source": "",
        "rights": "staff",
        "rights_expire_at_0": "",
        "rights_expire_at_1": "",
        "tags": "Budget, City Council",
        "focal_x": "0.5",
        "focal_y": "0.5",
        **overrides,
    }


def upload(client, user, data, commits, **form):
    client.force_login(user)
    with commits():
        return client.post(ADD, upload_form(data, **form))


@pytest.mark.parametrize(
    ("build", "name", "mime_type", "size"),
    [
        (lambda: pictures.camera_jpeg(1600, 1200), "IMG_0001.JPG", "image/jpeg", (1600, 1200)),
        (lambda: pictures.png_bytes(900, 600), "chart.png", "image/png", (900, 600)),
        (lambda: pictures.webp_bytes(800, 600), "web.webp", "image/webp", (800, 600)),
        (pictures.cmyk_jpeg, "print.jpg", "image/jpeg", (1200, 800)),
        (pictures.sixteen_bit_png, "scan.png", "image/png", (640, 480)),
        (pictures.phone_heic, "IMG_0002.HEIC", "image/heic", (1600, 1200)),
    ],
)
def test_an_editor_uploads_a_picture_with_its_texts_and_it_is_rendered(
    client, editor, media, commits, build, name, mime_type, size
):
    data = build()

    response = upload(client, editor, data, commits, name=name)

    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    image = Image.objects.get()
    assert (image.width, image.height) == size
    assert image.mime_type == mime_type
    assert image.file_size == len(data)
    assert image.caption == "The council votes on the budget"
    assert sorted(image.tags.names()) == ["Budget", "City Council"]
    assert image.uploaded_by == editor
    # Named by its content, not by what the upload was called.
    assert image.file.name.startswith(f"images/originals/{image.sha256[:2]}/{image.sha256}.")
    assert image.file.name.endswith(f".{name.rsplit('.', 1)[1].lower().replace('jpeg', 'jpg')}")
    assert name not in image.file.name
    # Rendered once the save committed (the embedded task backend): pages can show it.
    assert image.rendered == image.render_key
    assert Rendition.objects.filter(image=image).count() > 4


def test_the_library_page_shows_the_originals_size_and_type(client, editor, media, commits):
    upload(client, editor, pictures.camera_jpeg(1600, 1200), commits)
    image = Image.objects.get()

    page = client.get(reverse("admin:images_image_change", args=[image.pk])).content.decode()

    assert "1600 × 1200 px" in page
    assert "image/jpeg" in page
    assert f"{round(image.file_size / 1024)} KB" in page


def test_a_reporter_uploads_into_the_library_too(client, reporter, media, commits):
    response = upload(client, reporter, pictures.jpeg_bytes(), commits)

    assert response.status_code == HTTPStatus.FOUND
    assert Image.objects.get().uploaded_by == reporter


def test_the_texts_a_reader_sees_are_required(client, editor, media, commits):
    response = upload(
        client, editor, pictures.jpeg_bytes(), commits, alt_text="", caption="", credit=""
    )

    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"alt_text", "caption", "credit"}
    assert not Image.objects.exists()
    assert stored_files(media) == []


BAD_UPLOADS = [
    pytest.param(
        lambda: b"Minutes of the council meeting\n" * 100,
        "minutes.jpg",
        "not a picture the site takes",
        id="a text file renamed .jpg",
    ),
    pytest.param(
        pictures.truncated_jpeg, "cut.jpg", "may be truncated or damaged", id="a truncated JPEG"
    ),
    pytest.param(
        pictures.bomb_png,
        "small.png",
        "10000 × 10000 pixels (100 megapixels); pictures may have at most 50 megapixels",
        id="a decompression bomb",
    ),
    pytest.param(pictures.gif_pdf_polyglot, "report.pdf", "(GIF)", id="a GIF and PDF polyglot"),
    pytest.param(lambda: pictures.SVG, "logo.svg", "not a picture the site takes", id="an SVG"),
    pytest.param(pictures.animated_gif, "moving.gif", "(GIF)", id="an animated GIF"),
    pytest.param(pictures.animated_webp, "moving.webp", "animated", id="an animated WebP"),
    pytest.param(lambda: b"", "empty.jpg", "file is empty", id="an empty file"),
]


@pytest.mark.parametrize(("build", "name", "message"), BAD_UPLOADS)
def test_a_bad_upload_is_refused_with_its_reason_and_nothing_is_stored(
    client, editor, media, commits, build, name, message
):
    response = upload(client, editor, build(), commits, name=name)

    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["file"])
    assert not Image.objects.exists()
    assert stored_files(media) == []


def test_a_file_over_the_size_limit_is_refused(client, editor, media, commits, settings):
    data = pictures.jpeg_bytes(1600, 900)
    settings.IMAGE_MAX_UPLOAD_BYTES = len(data) - 1

    response = upload(client, editor, data, commits)

    errors = " ".join(response.context["adminform"].form.errors["file"])
    assert "pictures may be at most" in errors
    assert not Image.objects.exists()
    assert stored_files(media) == []


def test_a_file_at_the_size_limit_gets_in(client, editor, media, commits, settings):
    data = pictures.jpeg_bytes(1600, 900)
    settings.IMAGE_MAX_UPLOAD_BYTES = len(data)

    assert upload(client, editor, data, commits).status_code == HTTPStatus.FOUND


def test_a_picture_at_the_pixel_limit_gets_in_and_one_pixel_more_does_not(
    client, editor, media, commits, settings
):
    settings.IMAGE_MAX_PIXELS = 400 * 300
    assert upload(client, editor, pictures.jpeg_bytes(400, 300), commits).status_code == 302

    response = upload(client, editor, pictures.jpeg_bytes(401, 300), commits)

    assert "megapixels" in " ".join(response.context["adminform"].form.errors["file"])
    assert Image.objects.count() == 1


def test_the_same_picture_twice_points_at_the_one_already_in_the_library(
    client, editor, media, commits
):
    data = pictures.jpeg_bytes()
    upload(client, editor, data, commits)
    files = stored_files(media)

    response = upload(client, editor, data, commits, name="again.jpg")

    first = Image.objects.get()
    errors = " ".join(response.context["adminform"].form.errors["file"])
    assert "already in the library" in errors
    assert reverse("admin:images_image_change", args=[first.pk]) in errors
    assert stored_files(media) == files


def test_a_rotated_phone_picture_is_stored_upright_in_its_dimensions(
    client, editor, media, commits
):
    upload(client, editor, pictures.camera_jpeg(1600, 1200, orientation=6), commits)

    image = Image.objects.get()
    assert (image.width, image.height) == (1200, 1600)


def test_a_new_file_cannot_replace_a_pictures_original(client, editor, media, commits):
    image = pictures.library_image()
    original = image.file.name
    client.force_login(editor)

    with commits():
        client.post(
            reverse("admin:images_image_change", args=[image.pk]),
            upload_form(pictures.png_bytes(300, 200), name="other.png", content_type="image/png"),
        )

    image.refresh_from_db()
    assert image.file.name == original
    assert (image.width, image.height) == (1600, 900)


def test_a_reporter_cannot_change_or_delete_a_picture(client, reporter, media):
    image = pictures.library_image()
    client.force_login(reporter)

    change = client.post(
        reverse("admin:images_image_change", args=[image.pk]),
        upload_form(b"", caption="Changed", file=""),
    )
    delete = client.post(reverse("admin:images_image_delete", args=[image.pk]), {"post": "yes"})

    assert change.status_code == HTTPStatus.FORBIDDEN
    assert delete.status_code == HTTPStatus.FORBIDDEN
    image.refresh_from_db()
    assert image.caption == "The vote"


def test_an_editor_changes_the_texts_rights_and_focal_point(client, editor, media, commits):
    image = pictures.library_image()
    client.force_login(editor)
    form = upload_form(b"", caption="A new caption", rights="agency", source="Reuters")
    form.update(focal_x="0.2", focal_y="0.8")
    del form["file"]

    with commits():
        response = client.post(reverse("admin:images_image_change", args=[image.pk]), form)

    assert response.status_code == HTTPStatus.FOUND
    image.refresh_from_db()
    assert (image.caption, image.rights, image.source) == ("A new caption", "agency", "Reuters")
    assert (image.focal_x, image.focal_y) == (0.2, 0.8)
    assert image.rendered == image.render_key  # the new crops were made


def test_a_focal_point_outside_the_picture_is_refused(client, editor, media):
    image = pictures.library_image()
    client.force_login(editor)
    form = upload_form(b"", focal_x="1.5", focal_y="-0.1")
    del form["file"]

    response = client.post(reverse("admin:images_image_change", args=[image.pk]), form)

    assert response.status_code == HTTPStatus.OK
    assert {"focal_x", "focal_y"} <= set(response.context["adminform"].form.errors)
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.5, 0.5)


def test_a_picture_in_use_cannot_be_deleted_and_says_by_what(client, editor, media):
    image = pictures.library_image()
    ArticleFactory(lead_image=image, live=True, headline="Council passes the budget")
    client.force_login(editor)

    response = client.post(
        reverse("admin:images_image_delete", args=[image.pk]), {"post": "yes"}, follow=True
    )

    assert Image.objects.filter(pk=image.pk).exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("cannot be deleted: 1 story uses it" in m for m in messages)


def test_an_unused_picture_is_deleted_with_its_files(client, editor, media, commits):
    image = pictures.library_image()
    assert stored_files(media)
    client.force_login(editor)

    with commits():
        client.post(reverse("admin:images_image_delete", args=[image.pk]), {"post": "yes"})

    assert not Image.objects.exists()
    assert not Rendition.objects.exists()
    assert stored_files(media) == []


def test_each_picture_lists_the_stories_that_use_it(client, editor, media):
    image = pictures.library_image()
    ArticleFactory(lead_image=image, live=True, headline="Council passes the budget")
    ArticleFactory(lead_image=image, headline="Budget draft for Friday")
    ArticleFactory(headline="A story with no picture")
    client.force_login(editor)

    page = client.get(reverse("admin:images_image_change", args=[image.pk])).content.decode()
    listing = client.get(CHANGELIST).content.decode()

    assert "Council passes the budget" in page
    assert "Budget draft for Friday" in page
    assert "A story with no picture" not in page
    assert '<td class="field-use_count">2</td>' in listing


def test_the_free_to_use_filter_leaves_out_do_not_use_and_expired(client, editor, media):
    from datetime import timedelta

    from django.utils import timezone

    pictures.library_image(pictures.jpeg_bytes(colour="red"), caption="Free one")
    pictures.library_image(
        pictures.jpeg_bytes(colour="blue"), caption="Banned one", rights="do_not_use"
    )
    pictures.library_image(
        pictures.jpeg_bytes(colour="green"),
        caption="Expired one",
        rights="agency",
        rights_expire_at=timezone.now() - timedelta(minutes=1),
    )
    client.force_login(editor)

    free = client.get(CHANGELIST, {"usable": "yes"}).content.decode()
    not_free = client.get(CHANGELIST, {"usable": "no"}).content.decode()

    assert "Free one" in free
    assert "Banned one" not in free and "Expired one" not in free
    assert "Banned one" in not_free and "Expired one" in not_free
    assert "Free one" not in not_free
