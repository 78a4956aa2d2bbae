"""What reading a ninjs document is made of: the records it becomes and the lookups it needs.

ninjs.py reads a document with these; ninjs_text.py and ninjs_fields.py read its parts.
"""

import html
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from articles.ingest.markup import strip_markup
from articles.ingest.pictures import PictureRef
from articles.outputs.ninjs import NINJS_3_NAMES

# ninjs 3.x camelCased the multi-word names; these are the ones read here beyond the export's.
CAMEL_NAMES = {**NINJS_3_NAMES, "embargoed": "embargoedUntil"}
# NUL and lone surrogates cannot be stored (PostgreSQL refuses both); other control characters
# mean the text is damaged. Tab, line feed, form feed and carriage return are fine.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff]")
# HTML whitespace only: a no-break space inside a headline is meant and kept.
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_LOOKS_LIKE_HTML = re.compile(
    r"<(?:p|div|br|h[1-6]|ul|ol|li|blockquote|a|strong|em|b|i|figure|img|span|section|article|"
    r"table)\b[^<>]*>",
    re.IGNORECASE,
)


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
    picture: PictureRef | None = None  # the lead picture to fetch, with its texts
    # The pictures the body shows, by the address its imgs give, with their texts.
    body_pictures: dict[str, PictureRef] = field(default_factory=dict)
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


@dataclass
class Text:
    """One of a document's `headlines`, `bodies` or `descriptions`, or a legacy field."""

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
            return html_line(html.unescape(strip_markup(self.value)))
        return self.value


class Document:
    """One ninjs document, read name by name: a problem names its place (`bodies[1].value`),
    and what is left out is noted in `notes`."""

    def __init__(self, document: dict, standard: str):
        self.document = document
        self.standard = standard
        self.camel_first = standard.startswith("ninjs 3")
        self.notes: list[str] = []

    def get(self, obj: dict, name: str) -> tuple[str, Any]:
        """`(the key used, value)` for a 2.x `name`, in the document's own spelling first."""
        camel = CAMEL_NAMES.get(name, name)
        for key in (camel, name) if self.camel_first else (name, camel):
            if obj.get(key) is not None:
                return key, obj[key]
        return name, None

    def text(self, obj: dict, name: str, where: str = "") -> str | None:
        key, value = self.get(obj, name)
        return None if value is None else checked_text(value, f"{where}{key}")

    def objects(self, name: str) -> list[tuple[str, dict]]:
        """The items of a top-level list of objects, each with its place."""
        key, value = self.get(self.document, name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise NinjsError(f"{key}: {describe_value(value)}, where a list belongs")
        items = []
        for number, item in enumerate(value):
            if not isinstance(item, dict):
                raise NinjsError(
                    f"{key}[{number}]: {describe_value(item)}, where an object belongs"
                )
            items.append((f"{key}[{number}].", item))
        return items

    def texts(self, name: str) -> list[Text]:
        """A `headlines`, `bodies` or `descriptions` list: value, role and content type."""
        texts = []
        for where, item in self.objects(name):
            value = self.text(item, "value", where)
            if value is None:
                raise NinjsError(f"{where}value: missing (each of {name} needs one)")
            role = (self.text(item, "role", where) or "").strip().casefold()
            contenttype = (self.text(item, "contenttype", where) or "").strip().casefold()
            texts.append(Text(value, role, contenttype, where.rstrip(".")))
        return texts


def checked_text(value: Any, where: str) -> str:
    """`value` when it is text that can be stored, else NinjsError naming `where`."""
    if not isinstance(value, str):
        raise NinjsError(f"{where}: {describe_value(value)}, where text belongs")
    found = FORBIDDEN.search(value)
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


def describe_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}" if abs(value) < 10**15 else "a large number"
    if isinstance(value, str):
        return f"the text {quote(value)}"
    if isinstance(value, list):
        return "a list"
    return "an object"


def quote(value: str) -> str:
    value = one_line(value)
    return repr(value if len(value) <= 40 else value[:39] + "…")


def one_line(text: str) -> str:
    return " ".join(text.split())


def html_line(text: str) -> str:
    """One line of text: runs of HTML whitespace become one space (no-break spaces are kept)."""
    return _SPACES.sub(" ", text).strip(" ")


def unique(items: list, *, key) -> list:
    """`items` without the repeats, by `key`, in order."""
    seen, kept = set(), []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            kept.append(item)
    return kept
