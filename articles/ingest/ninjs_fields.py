"""A ninjs document's other fields: its id, people, subjects, genre, place, times and status.

- byline: `people` (or `persons`) with rel `author`, in order, else `by` split at commas, “and”
  and “&”. Tags: `subjects` with rel `about` or none, and people, organisations, places, events
  and objects with rel `about`. Section: a `subjects` entry with rel `section`.
- kind: the first `genres` entry naming one of our kinds, or the IPTC genre for it.
- dateline: `located`. Times: `firstcreated`, else `versioncreated`; `embargoed` holds it back.
- status: `pubstatus` usable, withheld or canceled (usable when absent).
"""

import re
from datetime import UTC, datetime

from django.utils.text import slugify

from articles.ingest.ninjs_document import (
    FORBIDDEN,
    AuthorHint,
    Document,
    NinjsError,
    SectionHint,
    checked_text,
    html_line,
    quote,
    unique,
)
from articles.ingest.wiretext import is_visible
from articles.outputs.ninjs import IPTC_GENRES

# Field sizes of the models the story goes into.
URI_MAX_LENGTH = 494  # Article.source_uri holds 500, with "ninjs:" before the uri
DATELINE_MAX_LENGTH = 100
AUTHOR_NAME_MAX_LENGTH = 150
TAG_MAX_LENGTH = 100  # taggit's Tag.name
TAG_SLUG_MAX_LENGTH = 90  # taggit's Tag.slug is 100, and it may add "_12" to make one unique
# Dates far outside this range are typing mistakes, and overflow time-zone arithmetic.
YEAR_RANGE = range(1000, 9999)

KINDS = ("news", "analysis", "opinion", "explainer")  # Article.Kind
GENRE_KINDS = {uri.rsplit("/", 1)[-1].casefold(): kind for kind, uri in IPTC_GENRES.items()}
AUTHOR_RELS = {"author", "creator"}
PUBSTATUSES = ("usable", "withheld", "canceled")
TAG_SOURCES = ("people", "organisations", "places", "events", "objects")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_BY_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)
_BY_SEPARATORS = re.compile(r"\s*(?:,|;|&)\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)


def uri(doc: Document) -> str | None:
    """The document's permanent id (None: it has none)."""
    value = doc.text(doc.document, "uri")
    if value is None or not value.strip():
        return None
    uri = value.strip()
    if any(char.isspace() for char in uri):
        raise NinjsError(f"uri {quote(uri)}: a uri has no spaces")
    if len(uri) > URI_MAX_LENGTH:
        raise NinjsError(f"uri is {len(uri)} characters long (at most {URI_MAX_LENGTH})")
    return uri


def authors(doc: Document) -> list[AuthorHint]:
    """The byline's names, in order, each once."""
    authors: list[AuthorHint] = []
    for where, person in _people(doc):
        rel = (doc.text(person, "rel", where) or "").strip().casefold()
        if rel not in AUTHOR_RELS:
            continue
        name = html_line(doc.text(person, "name", where) or "")
        if not is_visible(name):
            doc.notes.append(f"{where.rstrip('.')}: an author without a name, left out")
            continue
        literal = (doc.text(person, "literal", where) or "").strip()
        slug = literal if _SLUG.match(literal) and len(literal) <= 150 else None
        authors.append(_author(name, slug, f"{where}name"))
    if authors:
        return unique(authors, key=lambda author: author.name.casefold())
    by = doc.text(doc.document, "by")
    return unique(
        [_author(name, None, "by") for name in split_byline(by or "") if is_visible(name)],
        key=lambda author: author.name.casefold(),
    )


def _people(doc: Document) -> list[tuple[str, dict]]:
    return doc.objects("people") or doc.objects("persons")


def _author(name: str, slug: str | None, where: str) -> AuthorHint:
    if len(name) > AUTHOR_NAME_MAX_LENGTH:
        raise NinjsError(
            f"{where}: the author name is {len(name)} characters long "
            f"(at most {AUTHOR_NAME_MAX_LENGTH}); is it a name?"
        )
    return AuthorHint(name, slug)


def tags(doc: Document) -> list[str]:
    """The names of what the story is about, each once; unusable ones are noted."""
    names: list[str] = []
    for where, subject in doc.objects("subjects"):
        rel = (doc.text(subject, "rel", where) or "").strip().casefold()
        if rel in {"", "about"}:
            names.append(_tag_name(doc, subject, where))
    for source in TAG_SOURCES:
        for where, entity in doc.objects(source):
            rel = (doc.text(entity, "rel", where) or "").strip().casefold()
            if rel == "about":
                names.append(_tag_name(doc, entity, where))
    tags = []
    for name in unique([name for name in names if name], key=str.casefold):
        if len(name) > TAG_MAX_LENGTH:
            doc.notes.append(f"tag left out: {len(name)} characters (at most 100): {name!r}")
        elif not 0 < len(slugify(name, allow_unicode=True)) <= TAG_SLUG_MAX_LENGTH:
            doc.notes.append(f"tag left out: {name!r} makes no usable address (slug)")
        else:
            tags.append(name)
    return tags


def _tag_name(doc: Document, subject: dict, where: str) -> str:
    return html_line(doc.text(subject, "name", where) or doc.text(subject, "literal", where) or "")


def sections(doc: Document) -> list[SectionHint]:
    """The sections the document names, in order."""
    sections = []
    for where, subject in doc.objects("subjects"):
        rel = (doc.text(subject, "rel", where) or "").strip().casefold()
        if rel != "section":
            continue
        name = html_line(doc.text(subject, "name", where) or "")
        literal = (doc.text(subject, "literal", where) or "").strip() or None
        if name or literal:
            sections.append(SectionHint(name or literal, literal))
    return sections


def kind(doc: Document) -> str | None:
    """The first of our kinds a genre names (None: none does, which is noted)."""
    unknown = []
    for where, genre in doc.objects("genres"):
        literal = (doc.text(genre, "literal", where) or "").strip()
        name = html_line(doc.text(genre, "name", where) or "")
        uri = (doc.text(genre, "uri", where) or "").strip()
        code = re.split(r"[/:]", uri.rstrip("/"))[-1] if uri else ""
        for candidate in (literal, name):
            if candidate.casefold() in KINDS:
                return candidate.casefold()
        if code.casefold() in GENRE_KINDS:
            return GENRE_KINDS[code.casefold()]
        unknown.append(name or literal or code or "?")
    if unknown:
        names = ", ".join(f"“{name}”" for name in unknown)
        doc.notes.append(f"genre {names}: no kind of ours matches")
    return None


def dateline(doc: Document) -> str | None:
    """Where the story was reported."""
    value = doc.text(doc.document, "located")
    if value is None:
        return None
    dateline = html_line(value)
    if len(dateline) > DATELINE_MAX_LENGTH:
        raise NinjsError(
            f"located: {len(dateline)} characters long (at most {DATELINE_MAX_LENGTH} for a "
            "dateline)"
        )
    return dateline


def moment(doc: Document, name: str) -> datetime | None:
    """The time field `name`, in UTC (one without an offset is read as UTC, and noted)."""
    key, value = doc.get(doc.document, name)
    if value is None:
        return None
    text = checked_text(value, key).strip()
    try:
        moment = datetime.fromisoformat(text.upper())
    except ValueError:
        raise NinjsError(
            f"{key} {quote(text)}: not a date and time (RFC 3339, e.g. 2013-07-09T10:37:00Z)"
        ) from None
    if moment.year not in YEAR_RANGE:
        raise NinjsError(f"{key} {quote(text)}: the year {moment.year} is out of range")
    if moment.tzinfo is None:
        doc.notes.append(f"{key} {text} has no UTC offset: read as UTC")
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def pubstatus(doc: Document) -> str:
    """usable, withheld or canceled."""
    key, value = doc.get(doc.document, "pubstatus")
    if value is None:
        return "usable"
    status = checked_text(value, key).strip().casefold()
    if status == "cancelled":
        return "canceled"
    if status not in PUBSTATUSES:
        raise NinjsError(f"{key} {quote(value)}: expected one of {', '.join(PUBSTATUSES)}")
    return status


def image_href(doc: Document) -> str | None:
    """The lead image's address: the `featuremedia` association, else the first picture."""
    key, value = doc.get(doc.document, "associations")
    if isinstance(value, dict):  # ninjs 1.x: an object keyed by name
        value = [{"name": name, **item} for name, item in value.items() if isinstance(item, dict)]
    if not isinstance(value, list):
        return None
    pictures = [
        item
        for item in value
        if isinstance(item, dict)
        and (item.get("name") == "featuremedia" or item.get("type") == "picture")
    ]
    pictures.sort(key=lambda item: item.get("name") != "featuremedia")
    for item in pictures:
        renditions = item.get("renditions")
        if isinstance(renditions, dict):  # 1.x
            renditions = list(renditions.values())
        hrefs = [
            rendition.get("href")
            for rendition in sorted(
                (r for r in renditions or [] if isinstance(r, dict)),
                key=lambda r: r.get("name") != "original",
            )
        ]
        for href in [*hrefs, item.get("uri")]:
            if isinstance(href, str) and 0 < len(href.strip()) <= 2000:
                if FORBIDDEN.search(href):
                    continue
                return href.strip()
    return None


def web_urls(doc: Document) -> list[str]:
    """Addresses of the story as a web page; only a hint, so a malformed one is ignored."""
    _, renditions = doc.get(doc.document, "renditions")
    urls = []
    for rendition in renditions if isinstance(renditions, list) else []:
        if not isinstance(rendition, dict):
            continue
        _, contenttype = doc.get(rendition, "contenttype")
        href = rendition.get("href")
        if isinstance(contenttype, str) and "html" in contenttype.casefold():
            if isinstance(href, str) and not FORBIDDEN.search(href):
                urls.append(href.strip())
    return urls


def split_byline(by: str) -> list[str]:
    """“By Ana Reyes, Ben Ortiz and Zoe Adams” → the three names, in order."""
    by = _BY_PREFIX.sub("", html_line(by))
    return [name for name in (html_line(part) for part in _BY_SEPARATORS.split(by)) if name]
