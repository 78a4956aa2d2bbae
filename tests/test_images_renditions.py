"""Renditions: each picture cut around its focal point into the widths and formats pages use,
stripped of its metadata but kept in sRGB, made once, in the background, never on a reader's
request."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from PIL import Image as PILImage
from PIL import ImageCms

from images import rendering, specs
from images.models import Image, Rendition
from tests import pictures
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def opened(rendition: specs.Rendition) -> PILImage.Image:
    from django.core.files.storage import default_storage

    with default_storage.open(rendition.name, "rb") as file:
        picture = PILImage.open(io.BytesIO(file.read()))
        picture.load()
    return picture


def all_renditions(image: Image) -> list[specs.Rendition]:
    return [r for ratio in specs.RATIOS.values() for r in image.renditions(ratio)]


def test_a_landscape_photo_gets_every_width_up_to_its_own_in_webp_and_jpeg():
    image = pictures.library_image(pictures.jpeg_bytes(1600, 900))

    free = image.renditions(specs.FREE)

    assert sorted({(r.width, r.height) for r in free}) == [
        (320, 180), (480, 270), (640, 360), (960, 540), (1280, 720), (1600, 900)
    ]  # fmt: skip
    assert {r.format for r in free} == {"webp", "jpeg"}
    assert len(free) == 12


def test_each_rendition_file_is_what_its_name_says():
    image = pictures.library_image(pictures.camera_jpeg(2400, 1800))

    for rendition in all_renditions(image):
        picture = opened(rendition)
        assert picture.size == (rendition.width, rendition.height), rendition.name
        assert picture.format == {"jpeg": "JPEG", "webp": "WEBP"}[rendition.format]
    stored = Rendition.objects.filter(image=image)
    assert stored.count() == len(all_renditions(image))
    assert all(row.file_size > 0 for row in stored)


def test_the_fixed_ratios_are_cut_to_their_shape():
    image = pictures.library_image(pictures.jpeg_bytes(2400, 1800))

    wide = image.renditions(specs.WIDE)
    standard = image.renditions(specs.STANDARD)
    square = image.renditions(specs.SQUARE)

    assert all(abs(r.width / r.height - 16 / 9) < 0.01 for r in wide)
    assert [(r.width, r.height, r.format) for r in standard] == [(1200, 900, "jpeg")]
    assert [(r.width, r.height, r.format) for r in square] == [(1200, 1200, "jpeg")]


def test_a_picture_is_never_enlarged():
    image = pictures.library_image(pictures.jpeg_bytes(700, 500))

    widths = {r.width for r in all_renditions(image)}

    assert max(widths) <= 700
    assert {r.width for r in image.renditions(specs.SQUARE)} == {500}


def red_share(picture: PILImage.Image) -> float:
    """How much of the picture is the red square (the subject the tests paint)."""
    pixels = picture.convert("RGB").get_flattened_data()
    red = sum(1 for r, g, b in pixels if r > 180 and g < 80 and b < 80)
    return red / (picture.width * picture.height)


def test_the_crops_keep_the_focal_point_in_view():
    # A wide photo with its subject near the right edge, where a centred square loses it.
    data = pictures.encoded(pictures.scene(3000, 1000, "navy", mark=(0.9, 0.5)), "JPEG")
    centred = pictures.library_image(data)
    assert red_share(opened(centred.renditions(specs.SQUARE)[0])) == 0

    centred.focal_x, centred.focal_y = 0.9, 0.5
    centred.save()
    rendering.render(centred)

    square = opened(centred.renditions(specs.SQUARE)[0])
    wide = opened(centred.renditions(specs.WIDE)[-1])
    assert red_share(square) > 0
    assert red_share(wide) > 0
    # Cut as near the point as the edge lets: the square's right edge is the photo's.
    left, top, right, bottom = specs.crop_box(3000, 1000, 0.9, 0.5, specs.SQUARE)
    assert (left, right) == (2000, 3000)


def test_the_crop_box_is_centred_on_the_point_away_from_the_edges():
    assert specs.crop_box(3000, 1000, 0.5, 0.5, specs.SQUARE) == (1000, 0, 2000, 1000)
    assert specs.crop_box(3000, 1000, 0.3, 0.5, specs.SQUARE) == (400, 0, 1400, 1000)
    assert specs.crop_box(3000, 1000, 0.0, 0.5, specs.SQUARE) == (0, 0, 1000, 1000)
    assert specs.crop_box(1000, 3000, 0.5, 0.1, specs.SQUARE) == (0, 0, 1000, 1000)
    assert specs.crop_box(1000, 3000, 0.5, 0.5, specs.SQUARE) == (0, 1000, 1000, 2000)
    assert specs.crop_box(1600, 900, 0.2, 0.2, specs.FREE) == (0, 0, 1600, 900)


def test_a_phones_heic_picture_is_offered_as_webp_and_jpeg_without_its_location():
    image = pictures.library_image(pictures.phone_heic(1600, 1200))
    assert pictures.GPS_IFD in PILImage.open(image.file.path).getexif()

    renditions = all_renditions(image)

    assert {r.format for r in renditions} == {"webp", "jpeg"}  # never HEIC: browsers lack it
    for rendition in renditions:
        picture = opened(rendition)
        assert not picture.getexif().get_ifd(pictures.GPS_IFD), rendition.name
        assert b"PhoneModel" not in opened_bytes(rendition)
    largest = max(image.renditions(specs.FREE), key=lambda r: r.width)
    assert (largest.width, largest.height) == (1600, 1200)


def test_renditions_lose_the_location_and_camera_but_keep_an_srgb_profile():
    image = pictures.library_image(pictures.camera_jpeg(1600, 1200))
    original = PILImage.open(image.file.path)
    assert pictures.GPS_IFD in original.getexif()  # the test's photo does carry them
    assert "xmp" in original.info

    for rendition in all_renditions(image):
        picture = opened(rendition)
        exif = picture.getexif()
        assert not exif.get_ifd(pictures.GPS_IFD), rendition.name
        assert 0x0110 not in exif and 0x010F not in exif  # camera model and make
        assert "xmp" not in picture.info and "comment" not in picture.info
        raw = opened_bytes(rendition)
        assert b"PhoneModel" not in raw and b"GPSLatitude" not in raw
        assert b"secret place" not in raw
        profile = ImageCms.ImageCmsProfile(io.BytesIO(picture.info["icc_profile"]))
        assert "sRGB" in ImageCms.getProfileDescription(profile)


def opened_bytes(rendition: specs.Rendition) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(rendition.name, "rb") as file:
        return file.read()


def test_a_phone_picture_is_turned_upright_before_its_orientation_tag_goes():
    # Stored on its side with the subject at the top; orientation 6: turn it clockwise.
    data = pictures.camera_jpeg(1600, 1200, orientation=6, mark=(0.5, 0.1))
    image = pictures.library_image(data)

    largest = max(image.renditions(specs.FREE), key=lambda r: (r.width, r.format == "jpeg"))
    picture = opened(largest)

    assert picture.width < picture.height  # portrait, as the phone showed it
    assert picture.getexif().get(pictures.ORIENTATION) in (None, 1)
    # The subject was at the top of the stored picture: upright, it is on the right.
    right = picture.crop((picture.width * 3 // 4, 0, picture.width, picture.height))
    left = picture.crop((0, 0, picture.width // 4, picture.height))
    assert red_share(right) > 0
    assert red_share(left) == 0


def test_a_cmyk_print_jpeg_becomes_rgb():
    image = pictures.library_image(pictures.cmyk_jpeg())

    for rendition in image.renditions(specs.FREE):
        assert opened(rendition).mode == "RGB"


def test_a_picture_in_another_colour_space_is_converted_to_srgb():
    image = pictures.library_image(pictures.adobe_rgb_jpeg())

    picture = opened(image.renditions(specs.FREE)[0])
    profile = ImageCms.ImageCmsProfile(io.BytesIO(picture.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)


def test_a_sixteen_bit_png_keeps_its_tones_in_eight_bits():
    image = pictures.library_image(pictures.sixteen_bit_png(640, 480))

    jpeg = next(r for r in image.renditions(specs.FREE) if r.format == "jpeg" and r.width == 640)
    picture = opened(jpeg).convert("L")

    # A left-to-right ramp from black to white: scaled, not clipped at the first 255 values.
    assert picture.getpixel((5, 240)) < 20
    assert 100 < picture.getpixel((320, 240)) < 156
    assert picture.getpixel((634, 240)) > 235


def test_transparency_is_kept_in_webp_and_flattened_on_white_in_jpeg():
    image = pictures.library_image(pictures.transparent_png())

    webp = next(r for r in image.renditions(specs.FREE) if r.format == "webp")
    jpeg = next(r for r in image.renditions(specs.FREE) if r.format == "jpeg")

    assert opened(webp).mode == "RGBA"
    assert opened(jpeg).getpixel((2, 2)) == pytest.approx((255, 255, 255), abs=3)


@override_settings(IMAGE_FORMATS=["avif", "webp"])
def test_avif_is_offered_first_when_configured():
    image = pictures.library_image(pictures.jpeg_bytes(1600, 900))

    formats = [r.format for r in image.renditions(specs.FREE) if r.width == 640]

    assert formats == ["avif", "webp", "jpeg"]
    avif = next(r for r in image.renditions(specs.FREE) if r.format == "avif")
    assert opened(avif).format == "AVIF"


def test_changing_the_formats_asks_for_new_renditions_and_pages_keep_the_old_until_made(
    settings,
):
    image = pictures.library_image(pictures.jpeg_bytes(1600, 900))
    before = {r.format for r in image.renditions(specs.FREE)}

    settings.IMAGE_FORMATS = ["avif", "webp"]
    image.refresh_from_db()

    assert {r.format for r in image.renditions(specs.FREE)} == before  # nothing named unmade
    assert image.rendered != image.render_key
    call_command("render_images", verbosity=0)
    image.refresh_from_db()
    assert {r.format for r in image.renditions(specs.FREE)} == {"avif", "webp", "jpeg"}


def test_a_rendition_is_made_once():
    image = pictures.library_image(pictures.jpeg_bytes(1600, 900))
    first = {row.file.name: row.created_at for row in Rendition.objects.all()}

    assert rendering.render(image) == 0
    call_command("render_images", verbosity=0)

    assert {row.file.name: row.created_at for row in Rendition.objects.all()} == first


def test_a_new_focal_point_remakes_only_the_crops():
    image = pictures.library_image(pictures.jpeg_bytes(1600, 900))
    free = {r.name for r in image.renditions(specs.FREE)}

    image.focal_x = 0.1
    image.save()
    made = rendering.render(image)

    assert {r.name for r in image.renditions(specs.FREE)} == free  # not cut: kept
    crops = [r for ratio in (specs.WIDE, specs.STANDARD, specs.SQUARE)
             for r in image.renditions(ratio)]  # fmt: skip
    assert made == len(crops)


def test_pages_keep_the_old_crops_until_the_new_ones_are_all_made():
    image = pictures.library_image(pictures.jpeg_bytes(1600, 900))
    old = [r.name for r in image.renditions(specs.WIDE)]

    Image.objects.filter(pk=image.pk).update(focal_x=0.9)  # saved, not rendered yet
    image.refresh_from_db()

    assert [r.name for r in image.renditions(specs.WIDE)] == old
    assert image.renditions(specs.WIDE, wanted=True) != image.renditions(specs.WIDE)


def test_an_upload_is_rendered_by_the_background_task_once_it_commits(commits):
    with commits():
        image = pictures.library_image(pictures.jpeg_bytes(), render=False)

    image.refresh_from_db()
    assert image.rendered == image.render_key


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
# The worker commits its claim and its result, as in production: no test transaction around.
@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_upload_waits_in_the_queue_until_db_worker_runs_it(commits):
    from django_tasks_db.models import DBTaskResult

    with commits():
        image = pictures.library_image(pictures.jpeg_bytes(), render=False)

    image.refresh_from_db()
    assert image.rendered == ""
    assert DBTaskResult.objects.filter(task_path="images.tasks.render_image").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    image.refresh_from_db()
    assert image.rendered == image.render_key
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_reader_never_makes_a_rendition(client):
    image = pictures.library_image(pictures.jpeg_bytes(), render=False)
    story = ArticleFactory(live=True, lead_image=image)

    page = client.get(story.get_absolute_url()).content.decode()

    assert not Rendition.objects.exists()
    assert "<picture>" not in page  # shown once made, never half-made
    assert image.file.url not in page


def test_render_images_makes_what_is_missing_and_says_so(capsys):
    first = pictures.library_image(pictures.jpeg_bytes(colour="red"), render=False)
    pictures.library_image(pictures.jpeg_bytes(colour="blue"))

    with pytest.raises(CommandError, match="1 picture"):
        call_command("render_images", "--check")
    call_command("render_images")

    out = capsys.readouterr().out
    assert f"{first.pk}: " in out
    assert "1 picture(s) rendered" in out
    first.refresh_from_db()
    assert first.rendered == first.render_key
    call_command("render_images", "--check")


def test_render_images_names_a_picture_it_does_not_know():
    with pytest.raises(CommandError, match="No picture with id 999"):
        call_command("render_images", "999")


def test_render_images_reports_a_missing_original_and_renders_the_rest(media):
    broken = pictures.library_image(pictures.jpeg_bytes(colour="red"), render=False)
    fine = pictures.library_image(pictures.jpeg_bytes(colour="blue"), render=False)
    (media / broken.file.name).unlink()

    with pytest.raises(CommandError, match=f"Could not render: {broken.pk} "):
        call_command("render_images", verbosity=0)

    fine.refresh_from_db()
    assert fine.rendered == fine.render_key
