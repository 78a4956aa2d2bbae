"""Real pictures built by the tests, and library images made from them (rendered at once).

Each builder returns a file's bytes as a camera, a phone or an attacker would make it."""

import random
import struct
import zlib
from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageCms, ImageDraw, ImageFilter

from images import rendering, uploads
from images.models import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def scene(width=1600, height=900, colour="navy", mark=None, mode="RGB") -> PILImage.Image:
    """A plain picture; `mark` (x, y as fractions) paints a red square there, the subject."""
    picture = PILImage.new("RGB", (width, height), colour)
    if mark is not None:
        x, y = round(mark[0] * width), round(mark[1] * height)
        size = max(4, min(width, height) // 20)
        ImageDraw.Draw(picture).rectangle((x - size, y - size, x + size, y + size), fill="red")
    return picture.convert(mode) if mode != "RGB" else picture


def encoded(picture: PILImage.Image, format: str, **save) -> bytes:
    buffer = BytesIO()
    picture.save(buffer, format, **save)
    return buffer.getvalue()


def jpeg_bytes(width=1600, height=900, colour="navy", **save) -> bytes:
    return encoded(scene(width, height, colour), "JPEG", **save)


def png_bytes(width=64, height=48, colour="navy") -> bytes:
    return encoded(scene(width, height, colour), "PNG")


def webp_bytes(width=800, height=600, colour="teal") -> bytes:
    return encoded(scene(width, height, colour), "WEBP", quality=80)


def camera_jpeg(width=1600, height=1200, orientation=1, mark=None) -> bytes:
    """A phone's JPEG: its GPS position and camera model in the EXIF, an orientation tag, an
    XMP packet and a comment."""
    exif = PILImage.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (40.0, 42.0, 46.0), 3: "W", 4: (74.0, 0.0, 21.0)}  # New York City Hall
    )
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        b'exif:GPSLatitude="40,42.77N"/></rdf:RDF></x:xmpmeta>'
    )
    return encoded(
        scene(width, height, "navy", mark), "JPEG", exif=exif, xmp=xmp, comment=b"secret place"
    )


def phone_heic(width=1600, height=1200, mark=None) -> bytes:
    """An iPhone's HEIC: its GPS position and camera model in the EXIF (pillow-heif writes it)."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    exif = PILImage.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (40.0, 42.0, 46.0), 3: "W", 4: (74.0, 0.0, 21.0)})
    return encoded(scene(width, height, "navy", mark), "HEIF", quality=80, exif=exif)


def photo_jpeg(width=4000, height=3000, seed=1) -> bytes:
    """A typical news photo, as a 12-megapixel camera saves it (about 2.5 MB): a street of lit
    windows, people in front, light and texture at several scales and the sensor's grain.
    Not a flat colour, which would compress to almost nothing: its renditions weigh what a
    real photo's do (960 px wide: about 90 KB of WebP, 130 KB of JPEG)."""
    rng = random.Random(seed)
    ramp = PILImage.linear_gradient("L").resize((width, height))
    picture = PILImage.merge(
        "RGB",
        [
            ramp.point(lambda v: 90 + v // 3),
            ramp.point(lambda v: 130 + v // 4),
            ramp.point(lambda v: 200 - v // 2),
        ],
    )
    draw = ImageDraw.Draw(picture)
    x = 0
    while x < width:  # buildings, each with rows of windows, some lit
        across = rng.randint(width // 14, width // 6)
        top = rng.randint(height // 12, height * 2 // 5)
        shade = tuple(rng.randint(60, 200) for _ in range(3))
        draw.rectangle((x, top, x + across, height), fill=shade)
        step = max(8, rng.randint(width // 100, width // 44))
        for wy in range(top + step // 2, height * 3 // 4, step):
            for wx in range(x + step // 3, x + across - step // 2, step):
                lit = rng.random() < 0.4
                window = (240, 220, 150) if lit else tuple(c // 2 for c in shade)
                draw.rectangle((wx, wy, wx + step // 2, wy + step * 2 // 3), fill=window)
        x += across
    for _ in range(120):  # people and cars in the street
        cx, cy = rng.randint(0, width), rng.randint(height * 3 // 5, height)
        r = rng.randint(width // 200, width // 33)
        draw.ellipse(
            (cx - r, cy - 2 * r, cx + r, cy), fill=tuple(rng.randint(0, 255) for _ in "rgb")
        )
    picture = picture.filter(ImageFilter.GaussianBlur(1.2))  # a lens, not a vector drawing
    for scale, amount in ((64, 0.25), (8, 0.12), (2, 0.06), (1, 0.05)):
        size = (max(1, width // scale), max(1, height // scale))
        noise = PILImage.effect_noise(size, 64).resize((width, height), PILImage.BICUBIC)
        picture = PILImage.blend(picture, PILImage.merge("RGB", [noise] * 3), amount)
    return encoded(picture, "JPEG", quality=90)


def cmyk_jpeg(width=1200, height=800) -> bytes:
    return encoded(scene(width, height, "navy", mode="CMYK"), "JPEG", quality=90)


def adobe_rgb_jpeg(width=1200, height=800) -> bytes:
    """A JPEG tagged with a wide-gamut profile (not sRGB): renditions are converted."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
    return encoded(scene(width, height, "green"), "JPEG", icc_profile=profile.tobytes())


def sixteen_bit_png(width=640, height=480) -> bytes:
    picture = PILImage.new("I;16", (width, height))
    picture.putdata([(x * 65535 // width) for _ in range(height) for x in range(width)])
    return encoded(picture, "PNG")


def transparent_png(width=600, height=400) -> bytes:
    picture = PILImage.new("RGBA", (width, height), (0, 128, 0, 0))
    ImageDraw.Draw(picture).ellipse((100, 100, 300, 300), fill=(200, 0, 0, 255))
    return encoded(picture, "PNG")


def animated_gif() -> bytes:
    frames = [scene(200, 100, colour) for colour in ("red", "blue", "green")]
    buffer = BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def animated_webp() -> bytes:
    frames = [scene(200, 100, colour) for colour in ("red", "blue")]
    buffer = BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def bomb_png(width=10_000, height=10_000) -> bytes:
    """A small PNG (about 100 KB) that declares 100 megapixels of grey: a decompression bomb."""
    raw = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width
    data = b"".join(raw.compress(row) for _ in range(height)) + raw.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    whole = camera_jpeg(1600, 1200)
    return whole[: len(whole) * 2 // 3]


def gif_pdf_polyglot() -> bytes:
    """A file that is both a GIF and a PDF, as a `.pdf` upload would carry."""
    gif = encoded(scene(16, 16, "red"), "GIF")
    return gif + b"\n%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<script>alert(document.cookie)</script><rect width="100" height="100"/></svg>'
)


def library_image(data: bytes | None = None, *, render=True, **fields) -> Image:
    """A picture in the library, as an upload makes it: checked, stored, rendered."""
    data = data if data is not None else jpeg_bytes()
    upload = uploads.check(ContentFile(data, name="upload"))
    texts = {"alt_text": "Council members vote", "caption": "The vote", "credit": "Jane Doe"}
    tags = fields.pop("tags", [])
    image = Image(**{**texts, **fields})
    image.take(upload)
    image.file.save("upload", ContentFile(data), save=False)
    image.save()
    if tags:
        image.tags.add(*tags)
    if render:
        rendering.render(image)
    return image
