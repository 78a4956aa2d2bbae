"""A WordPress post's featured image, as `--fetch-images` fetches it (see pictures.py).

WordPress keeps it as the post's `_thumbnail_id` postmeta: the post id of an attachment item
in the same export, whose `wp:attachment_url` is the file as uploaded (the largest there is).
Its texts are the attachment's own: the `_wp_attachment_image_alt` postmeta is the alt text,
the excerpt the caption, the content the description; the title only when it is words, since
WordPress makes one from the file name ("dsc20050102_192118_51") that no reader could use.
An export carries no credits, and the media library is the old site's own: its pictures are
credited to that site (its title, else its host) with `staff` rights, the site as the source.

A picture in a post's body (a `[caption]` figure, a `wp:image` block, a bare `<img>`) is
credited the same way. Its texts are its img's alt and title and its figure's caption, else
its attachment's when the address is one of the export's files: as uploaded, or one of the
sizes WordPress made of it (`name-300x200.jpg`, `name.jpg?w=604`), in which case the file as
uploaded is the one fetched. An address relative to the site is read against it.
"""

import re
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element

from articles.ingest import body_pictures as body
from articles.ingest.pictures import PictureRef, picture_ref, plain, web_address
from articles.ingest.wordpress_xml import fields_of, prefixed
from images.models import Image


def postmeta(item: Element) -> dict[str, str]:
    """The item's postmeta as key → value (the first of each key)."""
    meta: dict[str, str] = {}
    for child in item:
        if prefixed(child.tag) == "wp:postmeta":
            fields = fields_of(child)
            meta.setdefault(fields.get("wp:meta_key", "").strip(), fields.get("wp:meta_value", ""))
    return meta


def attachments(items: list[Element]) -> dict[str, Element]:
    """The export's attachment items by post id."""
    found = {}
    for item in items:
        fields = fields_of(item)
        if fields.get("wp:post_type", "").strip() == "attachment":
            found.setdefault(fields.get("wp:post_id", "").strip(), item)
    return found


def attachment_files(media: dict[str, Element]) -> dict[str, Element]:
    """The export's attachment items by the address of their file."""
    found = {}
    for attachment in media.values():
        url = web_address(fields_of(attachment).get("wp:attachment_url"))
        if url:
            found.setdefault(url, attachment)
    return found


def site_name(title: str, url: str) -> str:
    return plain(title) or urlsplit(url).hostname or "the WordPress site"


def featured_picture(item: Element, media: dict[str, Element], site: str) -> PictureRef | None:
    """The post's featured image, with its texts; None when it has none."""
    wanted = postmeta(item).get("_thumbnail_id", "").strip()
    if not wanted or wanted == "0":
        return None
    attachment = media.get(wanted)
    url = web_address(fields_of(attachment).get("wp:attachment_url")) if attachment else None
    if url is None:
        return PictureRef(
            url=f"(attachment {wanted})",
            alt_text="",
            caption="",
            credit="",
            source="",
            rights=Image.Rights.STAFF,
            problem="its attachment item, with the file's address, is not in the export",
        )
    fields = fields_of(attachment)
    title = plain(fields.get("title", ""))
    return picture_ref(
        url,
        alt=[postmeta(attachment).get("_wp_attachment_image_alt")],
        captions=[fields.get("excerpt:encoded")],
        titles=[title if " " in title else "", fields.get("content:encoded")],
        credit=site,
        source=site,
        rights=Image.Rights.STAFF,
    )


# The size suffix WordPress gives the copies it makes of an upload: `-300x200` before the dot.
_SIZE = re.compile(r"-\d+x\d+(?=\.\w+$)")


def body_pictures(
    html: str, files: dict[str, Element], site: str, site_url: str
) -> dict[str, PictureRef]:
    """The pictures the post's body shows, by the address its imgs give, with their texts."""
    found = {}
    for picture in body.found_in(html):
        url = web_address(urljoin(site_url, picture.src)) or picture.src
        file = url.split("?", 1)[0].split("#", 1)[0]
        original = file if file in files else _SIZE.sub("", file)
        fields, meta = {}, {}
        if original in files:  # one of the export's files: the upload itself is fetched
            url, fields, meta = original, fields_of(files[original]), postmeta(files[original])
        titles = [plain(picture.title), plain(fields.get("title", ""))]
        found[picture.src] = picture_ref(
            url,
            alt=[picture.alt, meta.get("_wp_attachment_image_alt")],
            captions=[picture.caption, fields.get("excerpt:encoded")],
            titles=[
                *(title if " " in title else "" for title in titles),
                fields.get("content:encoded"),
            ],
            credit=site,
            source=site,
            rights=Image.Rights.STAFF,
        )
    return found
