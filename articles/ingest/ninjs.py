"""IPTC ninjs in: reading documents and mapping each one to what its story will hold.

Everything here is pure — bytes in, `NinjsStory` records out — so it is tested without a
database; the `import_ninjs` command finds the story, authors, section and tags and writes them.
It does its own structural checks, with messages an operator can act on, rather than relying on
the IPTC's JSON Schemas, which are not part of the product.

Three generations of ninjs name the same things differently, and all are read:
- 1.x: `headline`, `body_text` / `body_html`, `description_text` / `description_html`;
- 2.x: all-lowercase names and the `headlines`, `bodies` and `descriptions` lists;
- 3.x: camelCase names (`versionCreated`, `pubStatus`, `contentType`, `embargoedUntil`…).
The version comes from `standard` (or a `$schema`) when declared, else from the names used; each
name is looked up in both spellings, the document's own first, so a mixed document reads too.

The mapping is the reverse of `articles/ninjs.py`, so our own export comes back identical:
- headline: the `main` headline (else one without a role); `kicker` and `seo` roles too.
- body: an HTML/XHTML body, renamed to the allow-list's tags and sanitized, is preferred to a
  plain-text one, whose paragraphs (blank-line separated; each line when there are no blank
  lines) become escaped `<p>`s.
- dek: the `summary` description (or dek/standfirst/abstract/teaser; else an unroled one);
  `seo` is the meta description; `correction`, `clarification` and `update` are corrections.
- byline: `people` (or `persons`) with rel `author`, in order, else `by` split at commas, “and”
  and “&”. Tags: `subjects` with rel `about` or none, and people, organisations, places, events
  and objects with rel `about`. Section: a `subjects` entry with rel `section`.
- kind: the first `genres` entry naming one of our kinds, or the IPTC genre for it.
- dateline: `located`. Times: `firstcreated`, else `versioncreated`; `embargoed` holds it back.
- status: `pubstatus` usable, withheld or canceled (usable when absent).
- A document that declares `representationtype: full` is the whole story: a dek, dateline or
  tag list it lacks is emptied on update. Otherwise what it lacks is left alone (and a byline
  always is: a story without one could not stay published).
"""

import codecs
import html
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils.html import strip_tags
from django.utils.text import slugify

from articles.ingest.wiretext import escape_text
from articles.outputs.ninjs import IPTC_GENRES, NINJS_3_NAMES
from articles.sanitize import rename_to_allowed, sanitize_body

# Field sizes of the models the story goes into.
URI_MAX_LENGTH = 500  # Article.source_uri
HEADLINE_MAX_LENGTH = 200
KICKER_MAX_LENGTH = 80
SEO_TITLE_MAX_LENGTH = 70
META_DESCRIPTION_MAX_LENGTH = 200
DATELINE_MAX_LENGTH = 100
AUTHOR_NAME_MAX_LENGTH = 150
TAG_MAX_LENGTH = 100  # taggit's Tag.name
TAG_SLUG_MAX_LENGTH = 90  # taggit's Tag.slug is 100, and it may add "_12" to make one unique
# Dates far outside this range are typing mistakes, and overflow time-zone arithmetic.
YEAR_RANGE = range(1000, 9999)

KINDS = ("news", "analysis", "opinion", "explainer")  # Article.Kind
GENRE_KINDS = {uri.rsplit("/", 1)[-1].casefold(): kind for kind, uri in IPTC_GENRES.items()}
AUTHOR_RELS = {"author", "creator"}
DEK_ROLES = ("summary", "dek", "standfirst", "abstract", "teaser")
CORRECTION_ROLES = ("correction", "clarification", "update")
PUBSTATUSES = ("usable", "withheld", "canceled")
NOT_STORIES = {"picture", "video", "audio", "graphic"}
TAG_SOURCES = ("people", "organisations", "places", "events", "objects")

# ninjs 3.x camelCased the multi-word names; these are the ones read here beyond the export's.
CAMEL_NAMES = {**NINJS_3_NAMES, "embargoed": "embargoedUntil"}
_V3_ONLY = set(CAMEL_NAMES.values()) | {
    "edNote",
    "usageTerms",
    "altIds",
    "infoSources",
    "trustIndicators",
    "rightsInfo",
    "contentCreated",
    "digitalSourceType",
    "eventDetails",
    "plannedCoverage",
}
_LEGACY_NAMES = {"headline", "body_text", "body_html", "description_text", "description_html"}
_SCHEMA_VERSION = re.compile(r"ninjs-schema_(\d+(?:\.\d+)*)\.json")

# NUL and lone surrogates cannot be stored (PostgreSQL refuses both); other control characters
# mean the text is damaged. Tab, line feed, form feed and carriage return are fine.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff]")
# HTML whitespace only: a no-break space inside a headline is meant and kept.
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_LOOKS_LIKE_HTML = re.compile(
    r"<(?:p|div|br|h[1-6]|ul|ol|li|blockquote|a|strong|em|b|i|figure|img|span|section|article|"
    r"table)\b[^>]*>",
    re.IGNORECASE,
)
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


class NinjsError(ValueError):
    """Input that cannot become a story; the message says why in one line."""


@dataclass(frozen=True)
class AuthorHint:
    name: str
    slug: str | None = None  # a person's `literal`, which our export fills with the author slug


@dataclass(frozen=True)
class SectionHint:
    name: str
    slug: str | None = None


@dataclass(frozen=True)
class CorrectionNote:
    kind: str  # Correction.Kind
    text: str


@dataclass
class NinjsStory:
    """One ninjs document, mapped to what its story will hold. None: the document is silent."""

    uri: str
    standard: str  # "ninjs 2.2", "ninjs 3.x"…
    headline: str
    body: str  # sanitized HTML
    is_complete: bool = False  # representationtype "full"
    dek: str | None = None
    kicker: str | None = None
    seo_title: str | None = None
    meta_description: str | None = None
    authors: list[AuthorHint] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sections: list[SectionHint] = field(default_factory=list)
    kind: str | None = None
    dateline: str | None = None
    first_created: datetime | None = None
    version_created: datetime | None = None
    embargoed: datetime | None = None
    pubstatus: str = "usable"
    corrections: list[CorrectionNote] = field(default_factory=list)
    image_href: str | None = None
    web_urls: list[str] = field(default_factory=list)  # its text/html renditions
    notes: list[str] = field(default_factory=list)

    @property
    def uuid(self) -> uuid.UUID | None:
        """The id in a `urn:uuid:` uri (our own export's form), else None."""
        return uuid_from_uri(self.uri)

    @property
    def publish_time(self) -> datetime | None:
        """When the story first went out: first creation, else this version's creation."""
        return self.first_created or self.version_created


def uuid_from_uri(uri: str) -> uuid.UUID | None:
    prefix, _, rest = uri.partition(":uuid:")
    if prefix.casefold() != "urn" or not rest:
        return None
    try:
        return uuid.UUID(rest)
    except ValueError:
        return None


# -- Files -------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The text of a JSON file: UTF-8 (a byte-order mark is tolerated), or UTF-16 with a BOM."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise NinjsError("broken UTF-16 text (an odd number of bytes?)") from None
    else:
        if not data.strip():
            raise NinjsError("empty file: there is no ninjs document in it")
        if data.startswith(b"\x1f\x8b"):
            raise NinjsError("gzip-compressed: decompress it first (gunzip)")
        if data.startswith(b"PK\x03\x04"):
            raise NinjsError("a ZIP archive: unzip it and import the .json files inside")
        if b"\x00" in data:
            raise NinjsError("binary file (it contains NUL bytes), not JSON")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
            raise NinjsError(
                f"not UTF-8: byte 0x{data[error.start]:02x} at line {line}, column {column} "
                "(JSON is UTF-8; was the file saved in another encoding?)"
            ) from None
    if not text.strip():
        raise NinjsError("empty file: there is no ninjs document in it")
    return text


def load(data: bytes) -> list[tuple[int | None, Any]]:
    """The file's documents: `[(None, document)]` for one, numbered from 1 for a JSON array."""
    text = decode(data)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        hint = ""
        if error.msg == "Extra data":
            hint = " (a file holds one document, or a JSON array of documents)"
        raise NinjsError(
            f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}{hint}"
        ) from None
    except RecursionError:
        raise NinjsError("malformed JSON: nested too deeply to be a ninjs document") from None
    except ValueError as error:  # e.g. an integer longer than Python will convert
        raise NinjsError(f"unreadable JSON: {_one_line(str(error))}") from None
    if isinstance(value, list):
        if not value:
            raise NinjsError("an empty JSON array: there is no ninjs document in it")
        return list(enumerate(value, start=1))
    return [(None, value)]


# -- One document ------------------------------------------------------------------------------


def parse_document(document: Any) -> NinjsStory:
    """Map one decoded ninjs document; raise NinjsError when it cannot become a story."""
    if not isinstance(document, dict):
        raise NinjsError(
            f"not a ninjs document: {_describe(document)}, where a JSON object belongs"
        )
    reader = _Reader(document)
    return reader.story()


class _Reader:
    """Reads one document, naming the place of any problem (`bodies[1].value`) in its message."""

    def __init__(self, document: dict):
        self.document = document
        self.standard = detect_standard(document)
        self.camel_first = self.standard.startswith("ninjs 3")
        self.notes: list[str] = []

    # Lookups and types.

    def get(self, obj: dict, name: str) -> tuple[str, Any]:
        """`(the key used, value)` for a 2.x `name`, in the document's own spelling first."""
        camel = CAMEL_NAMES.get(name, name)
        for key in (camel, name) if self.camel_first else (name, camel):
            if obj.get(key) is not None:
                return key, obj[key]
        return name, None

    def text(self, obj: dict, name: str, where: str = "") -> str | None:
        key, value = self.get(obj, name)
        return None if value is None else _string(value, f"{where}{key}")

    def objects(self, name: str) -> list[tuple[str, dict]]:
        """The items of a top-level list of objects, each with its place."""
        key, value = self.get(self.document, name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise NinjsError(f"{key}: {_describe(value)}, where a list belongs")
        items = []
        for number, item in enumerate(value):
            if not isinstance(item, dict):
                raise NinjsError(f"{key}[{number}]: {_describe(item)}, where an object belongs")
            items.append((f"{key}[{number}].", item))
        return items

    def texts(self, name: str) -> list["_Text"]:
        """A `headlines`, `bodies` or `descriptions` list: value, role and content type."""
        texts = []
        for where, item in self.objects(name):
            value = self.text(item, "value", where)
            if value is None:
                raise NinjsError(f"{where}value: missing (each of {name} needs one)")
            role = (self.text(item, "role", where) or "").strip().casefold()
            contenttype = (self.text(item, "contenttype", where) or "").strip().casefold()
            texts.append(_Text(value, role, contenttype, where.rstrip(".")))
        return texts

    # The story.

    def story(self) -> NinjsStory:
        kind = self.text(self.document, "type")
        if kind is not None and kind.strip().casefold() in NOT_STORIES:
            raise NinjsError(f"a {kind.strip()} item, not a text story: only stories are imported")
        uri = self.uri()
        headline, kicker, seo_title = self.headlines()
        body = self.body()
        missing = [
            name
            for name, value in (("uri", uri), ("headline", headline), ("body", body))
            if value is None
        ]
        if missing == ["body"]:
            raise NinjsError("only a headline, no body: a story needs body text (`bodies`)")
        if len(missing) == 3:
            raise NinjsError(
                "not a ninjs document: no uri, no headline and no body (`uri`, `headlines`, "
                "`bodies`)"
            )
        if missing:
            what = " and ".join(f"no {name}" for name in missing)
            advice = " (ninjs requires a uri: the story's permanent id)" if "uri" in missing else ""
            raise NinjsError(f"{what}{advice}")
        dek, meta_description, corrections = self.descriptions()
        representation = (self.text(self.document, "representationtype") or "").strip()
        return NinjsStory(
            uri=uri,
            standard=self.standard,
            headline=headline,
            body=body,
            is_complete=representation.casefold() == "full",
            dek=dek,
            kicker=kicker,
            seo_title=seo_title,
            meta_description=meta_description,
            authors=self.authors(),
            tags=self.tags(),
            sections=self.sections(),
            kind=self.kind(),
            dateline=self.dateline(),
            first_created=self.moment("firstcreated"),
            version_created=self.moment("versioncreated"),
            embargoed=self.moment("embargoed"),
            pubstatus=self.pubstatus(),
            corrections=corrections,
            image_href=self.image_href(),
            web_urls=self.web_urls(),
            notes=self.notes,
        )

    def uri(self) -> str | None:
        value = self.text(self.document, "uri")
        if value is None or not value.strip():
            return None
        uri = value.strip()
        if any(char.isspace() for char in uri):
            raise NinjsError(f"uri {_quote(uri)}: a uri has no spaces")
        if len(uri) > URI_MAX_LENGTH:
            raise NinjsError(f"uri is {len(uri)} characters long (at most {URI_MAX_LENGTH})")
        return uri

    def headlines(self) -> tuple[str | None, str | None, str | None]:
        texts = self.texts("headlines")
        legacy = self.text(self.document, "headline")
        if legacy is not None:
            texts.append(_Text(legacy, "", "", "headline"))
        main = _pick(texts, ("main", ""), exclude=("kicker", "seo", "subtitle", "caption"))
        headline = _line(main.plain) if main else ""
        if not _is_visible(headline):
            headline = ""
        if len(headline) > HEADLINE_MAX_LENGTH:
            raise NinjsError(
                f"{main.where}: the headline is {len(headline)} characters long "
                f"(at most {HEADLINE_MAX_LENGTH})"
            )
        kicker = self.optional_line(texts, "kicker", "kicker", KICKER_MAX_LENGTH)
        seo_title = self.optional_line(texts, "seo", "search headline", SEO_TITLE_MAX_LENGTH)
        return headline or None, kicker, seo_title

    def optional_line(self, texts, role: str, label: str, max_length: int) -> str | None:
        found = next((text for text in texts if text.role == role), None)
        if found is None:
            return None
        value = _line(found.plain)
        if len(value) > max_length:
            self.notes.append(
                f"{label} left out: {len(value)} characters (at most {max_length}) in {found.where}"
            )
            return None
        return value

    def body(self) -> str | None:
        candidates = []
        for text in self.texts("bodies"):
            if text.is_markup:
                candidates.append((0, text))
            elif text.is_plain:
                candidates.append((1, text))
        for name, markup in (("body_html", True), ("body_xhtml", True), ("body_text", False)):
            value = self.text(self.document, name)
            if value is not None:
                candidates.append((0 if markup else 1, _Text(value, "", "", name, markup)))
        role_rank = {"main": 0, "": 1, "richtext": 2}
        candidates.sort(key=lambda pair: (pair[0], role_rank.get(pair[1].role, 3)))
        for _, text in candidates:
            body = html_body(text.value) if text.is_markup else plain_body(text.value)
            if _has_text(body):
                return body
        return None

    def descriptions(self) -> tuple[str | None, str | None, list[CorrectionNote]]:
        texts = self.texts("descriptions")
        for name, markup in (("description_text", False), ("description_html", True)):
            value = self.text(self.document, name)
            if value is not None:
                texts.append(_Text(value, "", "", name, markup))
        dek_item = _pick(texts, DEK_ROLES) or _pick(texts, ("",))
        dek = dek_item.plain.strip() if dek_item else None
        meta = self.optional_line(texts, "seo", "meta description", META_DESCRIPTION_MAX_LENGTH)
        corrections = []
        for text in texts:
            if text.role in CORRECTION_ROLES and text.plain.strip():
                corrections.append(CorrectionNote(text.role, text.plain.strip()))
        return dek, meta, corrections

    def people(self) -> list[tuple[str, dict]]:
        return self.objects("people") or self.objects("persons")

    def authors(self) -> list[AuthorHint]:
        authors: list[AuthorHint] = []
        for where, person in self.people():
            rel = (self.text(person, "rel", where) or "").strip().casefold()
            if rel not in AUTHOR_RELS:
                continue
            name = _line(self.text(person, "name", where) or "")
            if not _is_visible(name):
                self.notes.append(f"{where.rstrip('.')}: an author without a name, left out")
                continue
            literal = (self.text(person, "literal", where) or "").strip()
            slug = literal if _SLUG.match(literal) and len(literal) <= 150 else None
            authors.append(self.author(name, slug, f"{where}name"))
        if authors:
            return _unique(authors, key=lambda author: author.name.casefold())
        by = self.text(self.document, "by")
        return _unique(
            [self.author(name, None, "by") for name in split_byline(by or "") if _is_visible(name)],
            key=lambda author: author.name.casefold(),
        )

    def author(self, name: str, slug: str | None, where: str) -> AuthorHint:
        if len(name) > AUTHOR_NAME_MAX_LENGTH:
            raise NinjsError(
                f"{where}: the author name is {len(name)} characters long "
                f"(at most {AUTHOR_NAME_MAX_LENGTH}); is it a name?"
            )
        return AuthorHint(name, slug)

    def tags(self) -> list[str]:
        names: list[str] = []
        for where, subject in self.objects("subjects"):
            rel = (self.text(subject, "rel", where) or "").strip().casefold()
            if rel in {"", "about"}:
                names.append(self.tag_name(subject, where))
        for source in TAG_SOURCES:
            for where, entity in self.objects(source):
                rel = (self.text(entity, "rel", where) or "").strip().casefold()
                if rel == "about":
                    names.append(self.tag_name(entity, where))
        tags = []
        for name in _unique([name for name in names if name], key=str.casefold):
            if len(name) > TAG_MAX_LENGTH:
                self.notes.append(f"tag left out: {len(name)} characters (at most 100): {name!r}")
            elif not 0 < len(slugify(name, allow_unicode=True)) <= TAG_SLUG_MAX_LENGTH:
                self.notes.append(f"tag left out: {name!r} makes no usable address (slug)")
            else:
                tags.append(name)
        return tags

    def tag_name(self, subject: dict, where: str) -> str:
        return _line(
            self.text(subject, "name", where) or self.text(subject, "literal", where) or ""
        )

    def sections(self) -> list[SectionHint]:
        sections = []
        for where, subject in self.objects("subjects"):
            rel = (self.text(subject, "rel", where) or "").strip().casefold()
            if rel != "section":
                continue
            name = _line(self.text(subject, "name", where) or "")
            literal = (self.text(subject, "literal", where) or "").strip() or None
            if name or literal:
                sections.append(SectionHint(name or literal, literal))
        return sections

    def kind(self) -> str | None:
        unknown = []
        for where, genre in self.objects("genres"):
            literal = (self.text(genre, "literal", where) or "").strip()
            name = _line(self.text(genre, "name", where) or "")
            uri = (self.text(genre, "uri", where) or "").strip()
            code = re.split(r"[/:]", uri.rstrip("/"))[-1] if uri else ""
            for candidate in (literal, name):
                if candidate.casefold() in KINDS:
                    return candidate.casefold()
            if code.casefold() in GENRE_KINDS:
                return GENRE_KINDS[code.casefold()]
            unknown.append(name or literal or code or "?")
        if unknown:
            names = ", ".join(f"“{name}”" for name in unknown)
            self.notes.append(f"genre {names}: no kind of ours matches")
        return None

    def dateline(self) -> str | None:
        value = self.text(self.document, "located")
        if value is None:
            return None
        dateline = _line(value)
        if len(dateline) > DATELINE_MAX_LENGTH:
            raise NinjsError(
                f"located: {len(dateline)} characters long (at most {DATELINE_MAX_LENGTH} for a "
                "dateline)"
            )
        return dateline

    def moment(self, name: str) -> datetime | None:
        key, value = self.get(self.document, name)
        if value is None:
            return None
        text = _string(value, key).strip()
        try:
            moment = datetime.fromisoformat(text.upper())
        except ValueError:
            raise NinjsError(
                f"{key} {_quote(text)}: not a date and time (RFC 3339, e.g. 2013-07-09T10:37:00Z)"
            ) from None
        if moment.year not in YEAR_RANGE:
            raise NinjsError(f"{key} {_quote(text)}: the year {moment.year} is out of range")
        if moment.tzinfo is None:
            self.notes.append(f"{key} {text} has no UTC offset: read as UTC")
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)

    def pubstatus(self) -> str:
        key, value = self.get(self.document, "pubstatus")
        if value is None:
            return "usable"
        status = _string(value, key).strip().casefold()
        if status == "cancelled":
            return "canceled"
        if status not in PUBSTATUSES:
            raise NinjsError(f"{key} {_quote(value)}: expected one of {', '.join(PUBSTATUSES)}")
        return status

    def image_href(self) -> str | None:
        """The lead image's address: the `featuremedia` association, else the first picture."""
        key, value = self.get(self.document, "associations")
        if isinstance(value, dict):  # ninjs 1.x: an object keyed by name
            value = [
                {"name": name, **item} for name, item in value.items() if isinstance(item, dict)
            ]
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
                    if _FORBIDDEN.search(href):
                        continue
                    return href.strip()
        return None

    def web_urls(self) -> list[str]:
        """Addresses of the story as a web page; only a hint, so a malformed one is ignored."""
        _, renditions = self.get(self.document, "renditions")
        urls = []
        for rendition in renditions if isinstance(renditions, list) else []:
            if not isinstance(rendition, dict):
                continue
            _, contenttype = self.get(rendition, "contenttype")
            href = rendition.get("href")
            if isinstance(contenttype, str) and "html" in contenttype.casefold():
                if isinstance(href, str) and not _FORBIDDEN.search(href):
                    urls.append(href.strip())
        return urls


@dataclass
class _Text:
    value: str
    role: str
    contenttype: str
    where: str
    markup: bool | None = None  # None: decided by the content type, else by a look

    @property
    def is_markup(self) -> bool:
        if self.markup is not None:
            return self.markup
        if self.contenttype:
            return "html" in self.contenttype or "xml" in self.contenttype
        return bool(_LOOKS_LIKE_HTML.search(self.value))

    @property
    def is_plain(self) -> bool:
        return not self.is_markup and (not self.contenttype or self.contenttype.startswith("text/"))

    @property
    def plain(self) -> str:
        if self.is_markup:
            return _line(html.unescape(strip_tags(self.value)))
        return self.value


def detect_standard(document: dict) -> str:
    """“ninjs 2.2” as declared in `standard` or `$schema`, else a guess from the names used."""
    declared = document.get("standard")
    if isinstance(declared, dict):
        version = declared.get("version")
        if isinstance(version, str) and re.fullmatch(r"\d+(\.\d+)*", version.strip()):
            return f"ninjs {version.strip()}"
        schema = declared.get("schema")
    else:
        schema = None
    for value in (schema, document.get("$schema")):
        if isinstance(value, str) and (match := _SCHEMA_VERSION.search(value)):
            return f"ninjs {match.group(1)}"
    if _V3_ONLY & document.keys() or any(
        isinstance(item, dict) and "contentType" in item
        for name in ("headlines", "bodies", "descriptions")
        for item in (document.get(name) if isinstance(document.get(name), list) else [])
    ):
        return "ninjs 3.x"
    if _LEGACY_NAMES & document.keys() and not {"headlines", "bodies"} & document.keys():
        return "ninjs 1.x"
    return "ninjs 2.x"


# -- Bodies ------------------------------------------------------------------------------------

# Removing these tags would glue words together (“a<br>b” → “ab”); a blank line keeps them
# apart and, outside an element, starts a new paragraph.
_BREAKS = [
    (re.compile(r"<head\b.*?</head\s*>", re.IGNORECASE | re.DOTALL), ""),
    (re.compile(r"<br\s*/?>", re.IGNORECASE), "\n"),
    (re.compile(r"</t[dh]\s*>", re.IGNORECASE), " "),
    (
        re.compile(
            r"(</?(?:div|section|article|header|footer|aside|tr|table|pre|dl|dd|dt|address)\b[^>]*>"
            r"|<hr\b[^>]*>)",
            re.IGNORECASE,
        ),
        r"\n\n\1\n\n",
    ),
]
_BLOCK_TAGS = frozenset({"p", "h2", "h3", "blockquote", "ul", "ol", "li", "figure", "figcaption"})
_TOKEN = re.compile(r"<(/?)([a-z0-9]+)\b[^>]*>|[^<]+", re.IGNORECASE)


def html_body(markup: str) -> str:
    """An HTML or XHTML body on the allow-list, loose text wrapped in paragraphs."""
    markup = rename_to_allowed(markup)
    for pattern, replacement in _BREAKS:
        markup = pattern.sub(replacement, markup)
    return sanitize_body(_wrap_loose_text(sanitize_body(markup)))


def plain_body(text: str) -> str:
    """Paragraphs of plain text as escaped `<p>`s: split at blank lines when it has them (a
    hard-wrapped paragraph is one paragraph), else one paragraph per line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n[ \t]*\n", text.strip()):
        paragraphs = [
            " ".join(line.strip(" \t") for line in part.split("\n") if line.strip(" \t"))
            for part in re.split(r"\n[ \t]*\n", text)
        ]
    else:
        paragraphs = [line.strip(" \t") for line in text.split("\n")]
    return "\n".join(f"<p>{escape_text(part)}</p>" for part in paragraphs if part.strip())


def _wrap_loose_text(body: str) -> str:
    """Wrap text and inline markup left at the top level of sanitized HTML in paragraphs, split
    at blank lines. Well-formed bodies (ours among them) come back unchanged."""
    out: list[str] = []
    loose: list[str] = []
    depth = 0

    def flush():
        run = "".join(loose)
        loose.clear()
        if not run.strip():
            out.append(run)
            return
        parts = [part.strip() for part in re.split(r"\n\s*\n", run)]
        out.append("\n".join(f"<p>{part}</p>" for part in parts if part))

    for match in _TOKEN.finditer(body):
        token, closing, tag = match.group(), match[1], (match[2] or "").lower()
        if tag in _BLOCK_TAGS:
            if not closing and depth == 0:
                flush()
            depth = max(depth - 1, 0) if closing else depth + 1
            out.append(token)
        elif depth == 0:
            loose.append(token)
        else:
            out.append(token)
    flush()
    return "".join(out)


def _is_visible(text: str) -> bool:
    # Text of only format characters (zero-width spaces, stray marks) reads as empty.
    return any(unicodedata.category(char)[0] in "LNPS" for char in text)


def _has_text(body: str) -> bool:
    return bool(strip_tags(body).strip())


# -- Bylines -----------------------------------------------------------------------------------

_BY_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)
_BY_SEPARATORS = re.compile(r"\s*(?:,|;|&)\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)


def split_byline(by: str) -> list[str]:
    """“By Ana Reyes, Ben Ortiz and Zoe Adams” → the three names, in order."""
    by = _BY_PREFIX.sub("", _line(by))
    return [name for name in (_line(part) for part in _BY_SEPARATORS.split(by)) if name]


# -- Small helpers -----------------------------------------------------------------------------


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise NinjsError(f"{where}: {_describe(value)}, where text belongs")
    found = _FORBIDDEN.search(value)
    if found is not None:
        char = found.group()
        if char == "\x00":
            problem = "a NUL character"
        elif "\ud800" <= char <= "\udfff":
            problem = "a broken character (a lone surrogate)"
        else:
            problem = f"the control character U+{ord(char):04X}"
        raise NinjsError(f"{where}: {problem} in the text")
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}" if abs(value) < 10**15 else "a large number"
    if isinstance(value, str):
        return f"the text {_quote(value)}"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _quote(value: str) -> str:
    value = _one_line(value)
    return repr(value if len(value) <= 40 else value[:39] + "…")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _line(text: str) -> str:
    """One line of text: runs of HTML whitespace become one space (no-break spaces are kept)."""
    return _SPACES.sub(" ", text).strip(" ")


def _pick(texts: list[_Text], roles, exclude=()) -> _Text | None:
    """The first text with the first of `roles`; else, given `exclude`, any other role."""
    for role in roles:
        for text in texts:
            if text.role == role and text.plain.strip():
                return text
    if exclude:
        for text in texts:
            if text.role not in exclude and text.plain.strip():
                return text
    return None


def _unique(items: list, *, key) -> list:
    seen, unique = set(), []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            unique.append(item)
    return unique
