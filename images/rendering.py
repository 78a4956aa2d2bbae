"""Making a picture's renditions: cut around its focal point, sized, encoded, stripped.

Each rendition is made once and stored through Django's storage API (local disk, or object
storage with MEDIA_STORAGE_URL); `render` skips those already made, so the background task an
upload queues and `manage.py render_images` can run side by side. Readers' requests never
render: pages name only the renditions of a complete set (Image.rendered).

What a rendition keeps of the original: its pixels, turned upright (the EXIF orientation is
applied first), in sRGB with an embedded sRGB profile. What it loses: every other piece of
metadata (EXIF with its GPS position, XMP, IPTC, comments, thumbnails).
"""

import io
import logging
import math

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageCms, ImageOps

from images import specs
from images.models import Image, Rendition

logger = logging.getLogger(__name__)

SRGB = ImageCms.createProfile("sRGB")
SRGB_BYTES = ImageCms.ImageCmsProfile(SRGB).tobytes()
QUALITY = {"jpeg": 80, "webp": 78, "avif": 60}


def wanted(image: Image) -> list[specs.Rendition]:
    """Every rendition the picture as it stands needs."""
    return [
        rendition
        for ratio in specs.RATIOS.values()
        for rendition in image.renditions(ratio, wanted=True)
    ]


def render(image: Image) -> int:
    """Make the renditions `image` lacks, then let pages use them; return how many were made."""
    key = image.render_key
    needed = wanted(image)
    made = set(
        Rendition.objects.filter(file__in=[r.name for r in needed]).values_list("file", flat=True)
    )
    missing = [rendition for rendition in needed if rendition.name not in made]
    if missing:
        with default_storage.open(image.file.name, "rb") as original:
            source = _upright_srgb(original, _draft_size(image, missing))
        for ratio in {rendition.ratio for rendition in missing}:
            crop = _crop(source, image, ratio)
            for rendition in sorted(
                (r for r in missing if r.ratio == ratio), key=lambda r: -r.width
            ):
                data = encode(crop, rendition)
                _store(image, rendition, data)
    with transaction.atomic():
        # Only if the focal point is still the one these crops were cut for: a save meanwhile
        # queued another run, which finishes the job.
        switched = (
            Image.objects.filter(pk=image.pk, focal_x=image.focal_x, focal_y=image.focal_y)
            .exclude(rendered=key)
            .update(rendered=key)
        )
        if switched:
            # The earlier crops stay: a page a browser or the CDN still holds names them.
            image.rendered = key
            from images.changes import pictures_changed

            pictures_changed([image.pk])
    return len(missing)


def _draft_size(image: Image, missing: list[specs.Rendition]) -> tuple[int, int]:
    """The smallest decoded size that still yields every missing rendition at full detail
    (a JPEG decodes at 1/2, 1/4 or 1/8 scale several times faster)."""
    scale = 0.0
    for rendition in missing:
        left, top, right, bottom = specs.crop_box(
            image.width, image.height, image.focal_x, image.focal_y, rendition.ratio
        )
        scale = max(scale, rendition.width / (right - left))
    return math.ceil(image.width * scale), math.ceil(image.height * scale)


def _upright_srgb(file, size: tuple[int, int]) -> PILImage.Image:
    picture = PILImage.open(file)
    orientation = picture.getexif().get(0x0112, 1)
    if picture.format == "JPEG":
        # draft() takes the stored (not upright) size: turned a quarter, width is height.
        stored = size if orientation not in {5, 6, 7, 8} else (size[1], size[0])
        picture.draft(picture.mode if picture.mode in {"RGB", "L", "CMYK"} else None, stored)
    picture.load()
    icc = picture.info.get("icc_profile")
    picture = ImageOps.exif_transpose(picture)
    if picture.mode in {"I;16", "I;16B", "I;16L", "I;16N", "I"}:
        # 16-bit greys: scaled to 8 bits, not clipped at 255.
        picture = picture.point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = picture.mode in {"RGBA", "LA", "PA"} or (
        picture.mode == "P" and "transparency" in picture.info
    )
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if has_alpha and picture.mode != "CMYK" else "RGB"
            if picture.mode == "P":
                picture = picture.convert("RGBA" if has_alpha else "RGB")
            if picture.mode == "LA":
                picture = picture.convert("RGBA")
            picture = ImageCms.profileToProfile(picture, source, SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            logger.warning("Picture %s: its colour profile could not be applied", file)
    picture = picture.convert("RGBA" if has_alpha else "RGB")
    picture.info = {}
    return picture


def _crop(source: PILImage.Image, image: Image, ratio: specs.Ratio) -> PILImage.Image:
    # The box is worked out on the original's size, then scaled to the decoded one.
    left, top, right, bottom = specs.crop_box(
        image.width, image.height, image.focal_x, image.focal_y, ratio
    )
    sx, sy = source.width / image.width, source.height / image.height
    return source.crop((round(left * sx), round(top * sy), round(right * sx), round(bottom * sy)))


def encode(crop: PILImage.Image, rendition: specs.Rendition) -> bytes:
    picture = crop
    if crop.size != (rendition.width, rendition.height):
        picture = crop.resize(
            (rendition.width, rendition.height), PILImage.Resampling.LANCZOS, reducing_gap=3.0
        )
    if rendition.format == "jpeg" and picture.mode == "RGBA":
        flat = PILImage.new("RGB", picture.size, (255, 255, 255))
        flat.paste(picture, mask=picture.getchannel("A"))
        picture = flat
    picture.info = {}  # nothing of the original's metadata rides along
    out = io.BytesIO()
    options = {"quality": QUALITY[rendition.format], "icc_profile": SRGB_BYTES}
    if rendition.format == "jpeg":
        options.update(optimize=True, progressive=True)
        picture.save(out, "JPEG", **options)
    elif rendition.format == "webp":
        options.update(method=4)
        picture.save(out, "WEBP", **options)
    else:
        options.update(speed=8)
        picture.save(out, "AVIF", **options)
    return out.getvalue()


def _store(image: Image, rendition: specs.Rendition, data: bytes) -> None:
    if default_storage.exists(rendition.name):
        default_storage.delete(rendition.name)  # a run that stopped halfway: made again
    stored = default_storage.save(rendition.name, ContentFile(data))
    if stored != rendition.name:  # another run stored it meanwhile, under the same name
        default_storage.delete(stored)
    Rendition.objects.get_or_create(
        file=rendition.name,
        defaults={
            "image": image,
            "width": rendition.width,
            "height": rendition.height,
            "format": rendition.format,
            "file_size": len(data),
        },
    )
