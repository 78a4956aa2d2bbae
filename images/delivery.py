"""What pages, feeds and the API say about a picture: its renditions' addresses and sizes.

All of it is worked out from the `Image` row (images/specs.py), so a page with pictures costs
no query beyond loading the rows themselves. Only a picture that may be shown gets here:
`for_readers` drops a picture whose rights are "do not use" or expired, and one whose
renditions are not made yet (the page is valid without it; it appears once they are).
"""

from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone

from images import specs
from images.models import Image


def _full_width(slot: str = "100vw - 2rem") -> str:
    """A picture as wide as the screen's text column, fetched for at most two device pixels
    per CSS pixel: on denser screens (most phones are 3x) `sizes` names a slot two thirds as
    wide. A 390 px iPhone then takes the 960 px rendition, not the 1,280 px one, about a third
    fewer bytes and no difference a reader sees at arm's length (Twitter measured it:
    https://blog.twitter.com/engineering/en_us/topics/infrastructure/2019/capping-image-fidelity-on-ultra-high-resolution-devices).
    Layout does not move: the width and height attributes and the CSS size the picture."""
    return f"(min-resolution: 2.5dppx) calc(({slot}) * 2 / 3), calc({slot})"


# How wide a picture is shown at each viewport: templates/jinja2 and static/site.css agree.
SIZES = {
    "lead": f"(min-width: 60rem) 46rem, {_full_width()}",
    "card": f"(min-width: 60rem) 22rem, (min-width: 40rem) 45vw, {_full_width()}",
    "body": f"(min-width: 60rem) 42rem, {_full_width()}",
    # A list's thumbnail beside the text (11rem; 8rem among related stories; 6.5rem on phones).
    "thumb": "(max-width: 40rem) 6.5rem, 11rem",
}
# The width a browser without srcset support gets, and the share cards'.
FALLBACK_WIDTH = 960
SHARE_RATIO = specs.WIDE


def for_readers(image: Image | None, at=None) -> Image | None:
    """`image` if readers may see it now: usable rights, renditions made."""
    if image is None or not image.rendered or not image.is_usable(at or timezone.now()):
        return None
    return image


def picture_of(article, ratio: str = "free", role: str = "lead") -> "Picture | None":
    """The `<picture>` of a story's lead image, if readers may see it (templates call this)."""
    image = for_readers(getattr(article, "lead_image", None) if article.lead_image_id else None)
    if image is None:
        return None
    return picture(image, specs.RATIOS[ratio], role=role)


def attach(articles) -> None:
    """Load the lead images of `articles` (cards on a page) in one query, none if none has one."""
    wanted = {article.lead_image_id for article in articles if article.lead_image_id}
    if not wanted:
        return
    found = Image.objects.in_bulk(wanted)
    for article in articles:
        if article.lead_image_id:
            article.lead_image = found.get(article.lead_image_id)


def url(name: str) -> str:
    return default_storage.url(name)


@dataclass(frozen=True)
class Source:
    mime_type: str
    srcset: str


@dataclass(frozen=True)
class Picture:
    """Everything a `<picture>` element needs."""

    sources: list[Source]  # best format first; the last is JPEG, also the <img>'s srcset
    src: str
    width: int
    height: int
    alt: str
    sizes: str
    caption: str
    credit: str


def picture(image: Image, ratio: specs.Ratio = specs.FREE, *, role: str = "lead") -> Picture | None:
    renditions = image.renditions(ratio)
    if not renditions:
        return None
    by_format: dict[str, list[specs.Rendition]] = {}
    for rendition in renditions:
        by_format.setdefault(rendition.format, []).append(rendition)
    sources = [
        Source(
            specs.MIME_TYPES[name],
            ", ".join(f"{url(r.name)} {r.width}w" for r in sorted(items, key=lambda r: r.width)),
        )
        for name, items in by_format.items()
    ]
    jpegs = sorted(by_format["jpeg"], key=lambda r: r.width)
    fallback = next((r for r in jpegs if r.width >= FALLBACK_WIDTH), jpegs[-1])
    return Picture(
        sources=sources,
        src=url(fallback.name),
        width=fallback.width,
        height=fallback.height,
        alt=image.alt_text,
        sizes=SIZES[role],
        caption=image.caption,
        credit=image.credit,
    )


@dataclass(frozen=True)
class File:
    url: str
    width: int
    height: int
    mime_type: str
    ratio: str


def best(image: Image, ratio: specs.Ratio, *, at_least: int = 1200) -> File | None:
    """The JPEG rendition of `ratio` nearest above `at_least` px wide (else the widest)."""
    jpegs = sorted(
        (r for r in image.renditions(ratio) if r.format == "jpeg"), key=lambda r: r.width
    )
    if not jpegs:
        return None
    chosen = next((r for r in jpegs if r.width >= at_least), jpegs[-1])
    return File(url(chosen.name), chosen.width, chosen.height, chosen.mime_type, ratio.name)


def share_rendition(image: Image) -> specs.Rendition | None:
    """The share card's rendition itself (feeds look up its byte size)."""
    jpegs = sorted(
        (r for r in image.renditions(SHARE_RATIO) if r.format == "jpeg"), key=lambda r: r.width
    )
    return next((r for r in jpegs if r.width >= 1200), jpegs[-1]) if jpegs else None


def share_file(image: Image) -> File | None:
    """Open Graph, Twitter's large card, feeds: the 16:9 crop, about 1200 px wide."""
    return best(image, SHARE_RATIO)


def structured_files(image: Image) -> list[File]:
    """NewsArticle JSON-LD: 16:9, 4:3 and 1:1, as Google asks."""
    found = [best(image, ratio) for ratio in (specs.WIDE, specs.STANDARD, specs.SQUARE)]
    return [file for file in found if file is not None]


def all_files(image: Image) -> list[File]:
    """Every rendition (the API and ninjs list them)."""
    return [
        File(url(r.name), r.width, r.height, r.mime_type, r.ratio.name)
        for ratio in specs.RATIOS.values()
        for r in image.renditions(ratio)
    ]
