"""Pictures inside a story's body, shown like the lead.

A body `<img>` that names a library picture — the address of its original or of any of its
renditions, as an editor pastes it from the library or an importer writes it — becomes, on
the story page, a `<picture>` with every rendition, its width and height, lazy, and the
library's caption and credit when its `<figure>` gives none. Partners (the API, ninjs) get a
plain `<img>` of a JPEG rendition with its size. Neither ever names the original, which may
carry the camera's metadata. A library picture readers may not see now (rights "do not use"
or expired, renditions not made yet) is left out, with its figure. Any other `<img>` (an
address elsewhere) is kept, lazy.

The body itself is stored as written (sanitized, articles/sanitize.py); this runs on output,
so a picture's rights, crops and texts are always today's. A body without a library picture
costs no query; one with any costs one, for all of them.
"""

import dataclasses
import re
from html import unescape

from django.template import engines
from django.utils.html import escape, format_html
from markupsafe import Markup

from images import delivery, specs
from images.models import Image

# The sanitizer writes `<img src="…" alt="…">` (attributes quoted, in that order or not).
# Importers read bodies with these too (articles/ingest/body_pictures.py).
FIGURE = re.compile(r"<figure>(?P<inner>.*?)</figure>", re.DOTALL)
IMG = re.compile(r"<img\b(?P<attrs>[^>]*)>")
_ATTR = re.compile(r'(?P<name>[a-z-]+)="(?P<value>[^"]*)"')
CAPTION = re.compile(r"<figcaption>(?P<text>.*?)</figcaption>", re.DOTALL)
# Where a library picture's files live (images/models.py and images/specs.py name them).
_LIBRARY_FILE = re.compile(
    r"/images/(?:originals/[0-9a-f]{2}/(?P<sha>[0-9a-f]{64})\.[a-z]+"
    r"|renditions/[0-9a-f]{2}/(?P<prefix>[0-9a-f]{20})/[^/]+)$"
)
PARTNER_WIDTH = 1200


def attributes(tag: str) -> dict[str, str]:
    """A sanitized tag's attributes, their entities read."""
    return {m["name"]: unescape(m["value"]) for m in _ATTR.finditer(tag)}


def library_key(src: str) -> str | None:
    """The content hash (or its first 20 digits) a library file's address carries."""
    path = src.split("?", 1)[0].split("#", 1)[0]
    match = _LIBRARY_FILE.search(path)
    if match is None:
        return None
    return match["sha"] or match["prefix"]


def _pictures(html: str) -> dict[str, Image]:
    """The library pictures `html` names, by the key their addresses carry: one query."""
    keys = {
        key for m in IMG.finditer(html) if (key := library_key(attributes(m[0]).get("src", "")))
    }
    if not keys:
        return {}
    full = {key for key in keys if len(key) == 64}
    prefixes = keys - full
    found = {}
    query = Image.objects.filter(sha256__in=full)
    for prefix in prefixes:
        query = query | Image.objects.filter(sha256__startswith=prefix)
    for image in query:
        found[image.sha256] = image
        found[image.sha256[:20]] = image
    return found


def _rewrite(html: str, image_html, other_html) -> str:
    pictures = _pictures(html)

    def image_for(tag: str) -> tuple[Image | None, dict[str, str], bool]:
        attrs = attributes(tag)
        key = library_key(attrs.get("src", ""))
        if key is None:
            return None, attrs, False
        return delivery.for_readers(pictures.get(key)), attrs, True

    def figure(match: re.Match) -> str:
        inner = match["inner"]
        images = list(IMG.finditer(inner))
        if len(images) != 1:
            return IMG.sub(lambda m: img(m), match[0])
        image, attrs, from_library = image_for(images[0][0])
        if not from_library:
            return match[0].replace(images[0][0], other_html(attrs), 1)
        if image is None:
            return ""  # not to be shown: nor its caption
        caption = CAPTION.search(inner)
        shown = image_html(image, attrs)
        if caption is None:
            text = format_html(
                "{}{}",
                image.caption,
                format_html(' <span class="credit">{}</span>', image.credit)
                if image.credit
                else "",
            )
        else:
            text = caption["text"]
            if image.credit and escape(image.credit) not in text:
                text += format_html(' <span class="credit">{}</span>', image.credit)
        return f'<figure class="body-image">{shown}<figcaption>{text}</figcaption></figure>'

    def img(match: re.Match) -> str:
        image, attrs, from_library = image_for(match[0])
        if not from_library:
            return other_html(attrs)
        return "" if image is None else image_html(image, attrs)

    html = FIGURE.sub(figure, html)
    # Pictures outside a figure (inside a paragraph, say): the picture alone, no caption.
    parts = re.split(r"(<figure[ >].*?</figure>)", html, flags=re.DOTALL)
    return "".join(part if part.startswith("<figure") else IMG.sub(img, part) for part in parts)


def _other_img(attrs: dict[str, str], *, lazy: bool) -> str:
    loading = ' loading="lazy" decoding="async"' if lazy else ""
    return format_html(
        '<img src="{}" alt="{}"{}>', attrs.get("src", ""), attrs.get("alt", ""), Markup(loading)
    )


def _macro():
    return engines["jinja2"].env.get_template("includes/picture.html").module.picture


def for_page(html: str) -> Markup:
    """The body as the story page shows it (`html` is the stored, sanitized body)."""
    if "<img" not in html:
        return Markup(html)
    macro = _macro()

    def shown(image: Image, attrs: dict[str, str]) -> str:
        picture = delivery.picture(image, specs.FREE, role="body")
        if picture is None:
            return ""
        if attrs.get("alt"):  # the body's own words for it, in this story
            picture = dataclasses.replace(picture, alt=attrs["alt"])
        return str(macro(picture))

    return Markup(_rewrite(html, shown, lambda attrs: _other_img(attrs, lazy=True)))


def for_partners(html: str) -> str:
    """The body as the API and ninjs give it: library pictures as a JPEG rendition, at its
    absolute address."""
    from articles.outputs.links import absolute_url

    if "<img" not in html:
        return html

    def shown(image: Image, attrs: dict[str, str]) -> str:
        file = delivery.best(image, specs.FREE, at_least=PARTNER_WIDTH)
        if file is None:
            return ""
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}">',
            absolute_url(file.url),
            attrs.get("alt") or image.alt_text,
            file.width,
            file.height,
        )

    return _rewrite(html, shown, lambda attrs: _other_img(attrs, lazy=False))
