"""What renditions a picture has: their crops, widths and formats, and their file names.

Everything here is arithmetic on an `Image` row (its size, its focal point, when it was last
rendered), so a page works out every rendition's address and size without a query; the
renditions themselves are made once, off the reader's request (images/rendering.py).

A rendition's name carries the focal point its crop was cut around: after the point moves,
the old crops no longer count (pages name the new ones as soon as they are all made) and are
deleted with the picture.
"""

from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings

# Bumped when the way renditions are cut or encoded changes: every picture is rendered again.
SPEC_VERSION = 1

# The widths the templates ask for, in CSS pixels times the usual device pixel ratios.
WIDTHS = (320, 480, 640, 960, 1280, 1600, 2048)
# Structured data: Google asks for images at least 1200 px wide in 16:9, 4:3 and 1:1.
SHARE_WIDTH = 1200


@dataclass(frozen=True)
class Ratio:
    name: str  # in file names and the API: "free", "16x9", "4x3", "1x1"
    value: Fraction | None  # width / height; None keeps the picture's own shape
    widths: tuple[int, ...]
    formats: tuple[str, ...] | None  # None: IMAGE_FORMATS (every format pages offer)


FREE = Ratio("free", None, WIDTHS, None)  # the lead picture on its story, pictures in the body
WIDE = Ratio("16x9", Fraction(16, 9), WIDTHS, None)  # cards on fronts and lists, social cards
STANDARD = Ratio("4x3", Fraction(4, 3), (SHARE_WIDTH,), ("jpeg",))
SQUARE = Ratio("1x1", Fraction(1, 1), (SHARE_WIDTH,), ("jpeg",))
RATIOS = {ratio.name: ratio for ratio in (FREE, WIDE, STANDARD, SQUARE)}

EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg"}
MIME_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg"}


def offered() -> tuple[str, ...]:
    """The formats pages offer besides JPEG (IMAGE_FORMATS), best first."""
    return tuple(name for name in settings.IMAGE_FORMATS if name != "jpeg")


def formats(ratio: Ratio, besides_jpeg: tuple[str, ...]) -> tuple[str, ...]:
    """The formats of `ratio`'s renditions, best first; JPEG, which every reader takes, last."""
    if ratio.formats is not None:
        return ratio.formats
    return (*besides_jpeg, "jpeg")


def focal_key(focal_x: float, focal_y: float) -> str:
    """The focal point in a file name: thousandths from the left and the top."""
    return f"{round(focal_x * 1000):04d}{round(focal_y * 1000):04d}"


def render_key(focal_x: float, focal_y: float) -> str:
    """What a set of renditions is made for: "1:05000500:webp" (spec version, focal point,
    formats besides JPEG). Changing IMAGE_FORMATS or the focal point asks for a new set."""
    return f"{SPEC_VERSION}:{focal_key(focal_x, focal_y)}:{','.join(offered())}"


def parse_key(key: str) -> tuple[float, float, tuple[str, ...]] | None:
    """The focal point and formats a set was made for; None if made by another spec version."""
    version, point, *rest = key.split(":")
    if int(version) != SPEC_VERSION:
        return None
    made = tuple(name for name in (rest[0] if rest else "").split(",") if name)
    return int(point[:4]) / 1000, int(point[4:]) / 1000, made


def crop_box(
    width: int, height: int, focal_x: float, focal_y: float, ratio: Ratio
) -> tuple[int, int, int, int]:
    """The largest box of `ratio` inside a `width` x `height` picture, as near the focal point's
    middle as the picture's edges let it be (left, top, right, bottom)."""
    if ratio.value is None:
        return (0, 0, width, height)
    if Fraction(width, height) > ratio.value:  # too wide: cut the sides
        box_width, box_height = max(1, round(height * ratio.value)), height
    else:  # too tall: cut the top and bottom
        box_width, box_height = width, max(1, round(width / ratio.value))
    left = _place(focal_x * width, box_width, width)
    top = _place(focal_y * height, box_height, height)
    return (left, top, left + box_width, top + box_height)


def _place(centre: float, size: int, limit: int) -> int:
    return int(min(max(round(centre - size / 2), 0), limit - size))


@dataclass(frozen=True)
class Rendition:
    """One derived file: where it lives and what it is."""

    name: str  # its name in the storage
    ratio: Ratio
    format: str
    width: int
    height: int

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]


def widths_for(crop_width: int, ratio: Ratio) -> list[int]:
    """The widths of `ratio` a crop `crop_width` wide yields: never wider than the crop (no
    upscaling); a crop narrower than the first width gives itself, once."""
    widths = [width for width in ratio.widths if width <= crop_width]
    return widths or [crop_width]


def renditions(
    sha256: str,
    width: int,
    height: int,
    focal_x: float,
    focal_y: float,
    ratio: Ratio,
    besides_jpeg: tuple[str, ...],
) -> list[Rendition]:
    """Every rendition of `ratio` for a picture of this content, size and focal point, in
    JPEG and the formats `besides_jpeg`."""
    left, top, right, bottom = crop_box(width, height, focal_x, focal_y, ratio)
    crop_width, crop_height = right - left, bottom - top
    point = "" if ratio.value is None else f"-{focal_key(focal_x, focal_y)}"
    folder = f"images/renditions/{sha256[:2]}/{sha256[:20]}"
    found = []
    for target in widths_for(crop_width, ratio):
        target_height = max(1, round(crop_height * target / crop_width))
        for name in formats(ratio, besides_jpeg):
            found.append(
                Rendition(
                    name=f"{folder}/v{SPEC_VERSION}-{ratio.name}{point}-{target}.{EXTENSIONS[name]}",
                    ratio=ratio,
                    format=name,
                    width=target,
                    height=target_height,
                )
            )
    return found
