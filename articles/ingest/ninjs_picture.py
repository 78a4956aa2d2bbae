"""A ninjs document's lead picture, as `--fetch-images` fetches it (see pictures.py).

The picture is the `featuremedia` association, else the first `picture` one (as
`ninjs_fields.image_href` reports it). Its file is its best rendition: one the site takes
(JPEG, PNG or WebP, or a rendition that does not say), the `original` first, else the
largest declared, else the first listed; the association's own `uri` only when it is a web
address and no rendition is. Its texts are its own fields, in every ninjs generation's names:
- alt text: a description with role `alt` (our own export's);
- caption: a headline with role `caption` (our export's), else `description_text` (1.x) or
  a description that is not the alt text;
- title: its `headline` or main headline;
- credit: its `by` (1.x `byline`) with its copyright holder (“Jane Doe / Reuters”), else
  either alone, else its copyright notice, else the story's copyright holder or notice
  (a wire item's rights cover its pictures).
A picture the provider withheld or canceled is not fetched. Nothing here refuses the story:
a picture field that cannot be read only leaves the story without its picture.

A picture in the body (`body_html`'s `<img>`) has its img's alt and title and its figure's
caption; when a picture association names the same file (a rendition's href, or its uri),
that association's texts fill what the body leaves out and its credit is the picture's, else
the credit is the story's copyright holder or notice, as for a lead picture naming no one.
"""

from dataclasses import replace
from typing import Any

from articles.ingest import body_pictures as body
from articles.ingest.ninjs_document import Document
from articles.ingest.pictures import PictureRef, first_text, picture_ref, plain, web_address
from images.models import Image

ACCEPTED_TYPES = {"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/webp"}
ALT_ROLES = {"alt", "alttext", "alt-text", "alternative", "accessibility"}
ORIGINAL_NAMES = {"original", "highres", "baseimage"}


def lead_picture(doc: Document) -> PictureRef | None:
    """The document's lead picture, with its texts; None when it names none to fetch."""
    for item in _pictures(doc):
        url = _best_file(doc, item)
        if url is None:
            continue
        ref = _described(doc, item, url)
        status = plain(_field(doc, item, "pubstatus")).casefold()
        if status in {"withheld", "canceled", "cancelled"}:
            return replace(ref, problem=f"the provider marked it {status}")
        return ref
    return None


def body_pictures(doc: Document, html: str) -> dict[str, PictureRef]:
    """The pictures the story's body shows, by the address its imgs give, with their texts."""
    found = {}
    associations = _pictures(doc)
    for picture in body.found_in(html):
        url = web_address(picture.src) or picture.src
        item = next((item for item in associations if url in _files(item)), None)
        known = _described(doc, item or {}, url)
        found[picture.src] = picture_ref(
            url,
            alt=[picture.alt, known.alt_text],
            captions=[picture.caption, known.caption],
            titles=[picture.title],
            credit=known.credit,
            source=known.source,
            rights=Image.Rights.AGENCY,
        )
        status = plain(_field(doc, item, "pubstatus")).casefold() if item else ""
        if status in {"withheld", "canceled", "cancelled"}:
            found[picture.src] = replace(
                found[picture.src], problem=f"the provider marked it {status}"
            )
    return found


def _files(item: dict) -> set[str]:
    """The addresses an association's files are at: its renditions' and its uri."""
    renditions = item.get("renditions")
    if isinstance(renditions, dict):  # 1.x
        renditions = list(renditions.values())
    listed = renditions if isinstance(renditions, list) else []
    hrefs = {r.get("href") for r in listed if isinstance(r, dict)}
    return {url for url in (*hrefs, item.get("uri")) if isinstance(url, str)}


def _pictures(doc: Document) -> list[dict]:
    _, value = doc.get(doc.document, "associations")
    if isinstance(value, dict):  # ninjs 1.x: an object keyed by name
        value = [{"name": name, **item} for name, item in value.items() if isinstance(item, dict)]
    if not isinstance(value, list):
        return []
    pictures = [
        item
        for item in value
        if isinstance(item, dict)
        and (item.get("name") == "featuremedia" or item.get("type") == "picture")
    ]
    return sorted(pictures, key=lambda item: item.get("name") != "featuremedia")


def _best_file(doc: Document, item: dict) -> str | None:
    renditions = item.get("renditions")
    if isinstance(renditions, dict):  # 1.x
        renditions = [{"name": name, **r} for name, r in renditions.items() if isinstance(r, dict)]
    candidates = []
    for index, rendition in enumerate(renditions if isinstance(renditions, list) else []):
        if not isinstance(rendition, dict):
            continue
        url = web_address(rendition.get("href"))
        kind = plain(_field(doc, rendition, "contenttype") or rendition.get("mimetype"))
        if url is None or (kind and kind.split(";")[0].strip().casefold() not in ACCEPTED_TYPES):
            continue
        name = plain(rendition.get("name")).casefold()
        width, height = _number(rendition.get("width")), _number(rendition.get("height"))
        area = width * height or max(width, height) ** 2  # one side declared: a square's
        candidates.append((name in ORIGINAL_NAMES, area, -index, url))
    if candidates:
        return max(candidates)[3]
    uri = web_address(item.get("uri"))
    return uri if uri and uri.casefold().startswith(("http://", "https://")) else None


def _described(doc: Document, item: dict, url: str) -> PictureRef:
    descriptions = [d for d in _list(doc, item, "descriptions") if isinstance(d, dict)]
    alt = [d.get("value") for d in descriptions if _role(d) in ALT_ROLES]
    other = [d.get("value") for d in descriptions if _role(d) not in ALT_ROLES]
    headlines = [h for h in _list(doc, item, "headlines") if isinstance(h, dict)]
    captions = [
        *(h.get("value") for h in headlines if _role(h) == "caption"),
        _field(doc, item, "description_text"),
        *other,
    ]
    titles = [
        _field(doc, item, "headline"),
        *(h.get("value") for h in headlines if _role(h) in {"main", ""}),
    ]
    holder = first_text(_field(doc, item, "copyrightholder"))
    story_holder = first_text(_field(doc, doc.document, "copyrightholder"))
    by = first_text(_field(doc, item, "by"), item.get("byline"))
    if by and holder and holder.casefold() not in by.casefold():
        credit = f"{by} / {holder}"
    else:
        credit = first_text(
            by,
            holder,
            _field(doc, item, "copyrightnotice"),
            story_holder,
            _field(doc, doc.document, "copyrightnotice"),
        )
    return picture_ref(
        url,
        alt=alt,
        captions=captions,
        titles=titles,
        credit=credit,
        source=holder or story_holder,
        rights=Image.Rights.AGENCY,
    )


def _field(doc: Document, obj: dict, name: str) -> Any:
    """A field in either spelling (3.x camelCase or 2.x), unchecked: pictures never refuse."""
    return doc.get(obj, name)[1]


def _list(doc: Document, obj: dict, name: str) -> list:
    value = _field(doc, obj, name)
    return value if isinstance(value, list) else []


def _role(text: dict) -> str:
    return plain(text.get("role")).casefold()


def _number(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return 0
    return min(int(value), 10**6)
