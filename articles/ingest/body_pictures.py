"""The pictures a story's body shows, as `--fetch-images` brings them into the library.

Each `<img>` of the (sanitized) body is one picture, once per address: its alt text is the
img's own, its caption the figcaption of the figure it stands alone in, its title the img's
title. Each reader (wordpress_media.py, ninjs_picture.py) adds the credit and rights its
source's lead images get, and pictures.py fetches them as it fetches those. An img that already
names a library picture (our own export, re-imported) is the library's already: it is left
alone.

Once a picture is in the library, its img names the library's original (`image.file.url`),
which images/body.py recognises: pages show it as a `<picture>` of its renditions, partners
get a rendition, and the picture counts as in use (Image.stories_using). An img whose picture
did not come in keeps its address, and the story is imported all the same.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape

from images import body

_SRC = re.compile(r'\bsrc="[^"]*"')


@dataclass(frozen=True)
class BodyPicture:
    src: str  # the img's address, as the body gives it
    alt: str
    caption: str  # the caption of the figure it stands alone in, markup and all; or ""
    title: str


def found_in(html: str) -> list[BodyPicture]:
    """The pictures `html` (a sanitized body) shows from elsewhere, each address once, in the
    order they come."""
    captions = {}  # where an img alone in a captioned figure starts -> the caption
    for figure in body.FIGURE.finditer(html):
        images = list(body.IMG.finditer(figure["inner"]))
        caption = body.CAPTION.search(figure["inner"])
        if len(images) == 1 and caption is not None:
            captions[figure.start("inner") + images[0].start()] = caption["text"]
    found: dict[str, BodyPicture] = {}
    for match in body.IMG.finditer(html):
        attrs = body.attributes(match[0])
        src = attrs.get("src", "").strip()
        if not src or body.library_key(src) is not None:
            continue
        picture = BodyPicture(
            src, attrs.get("alt", ""), captions.get(match.start(), ""), attrs.get("title", "")
        )
        if src in found:  # shown again: what it said first, and what it leaves out said now
            first = found[src]
            picture = BodyPicture(
                src, first.alt or picture.alt, first.caption or picture.caption, first.title
            )
        found[src] = picture
    return list(found.values())


def rewrite(html: str, addresses: dict[str, str]) -> str:
    """`html` with each img whose address is a key of `addresses` naming its value instead."""

    def img(match: re.Match) -> str:
        src = body.attributes(match[0]).get("src", "").strip()
        if src not in addresses:
            return match[0]
        return _SRC.sub(lambda _: f'src="{escape(addresses[src])}"', match[0], count=1)

    return body.IMG.sub(img, html)
