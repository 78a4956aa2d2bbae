"""IPTC ninjs in: reading documents and mapping each one to what its story will hold.

Everything here is pure — bytes in, `NinjsStory` records out — so it is tested without a
database; ninjs_stories.py finds each document's story, authors, section and tags and hands
them to the writer. It does its own structural checks, with messages an operator can act on,
rather than relying on the IPTC's JSON Schemas, which are not part of the product.

Three generations of ninjs name the same things differently, and all are read:
- 1.x: `headline`, `body_text` / `body_html`, `description_text` / `description_html`;
- 2.x: all-lowercase names and the `headlines`, `bodies` and `descriptions` lists;
- 3.x: camelCase names (`versionCreated`, `pubStatus`, `contentType`, `embargoedUntil`…).
The version comes from `standard` (or a `$schema`) when declared, else from the names used; each
name is looked up in both spellings, the document's own first, so a mixed document reads too.

The mapping is the reverse of articles/outputs/ninjs.py, so our own export comes back
identical: the texts are read in ninjs_text.py, the other fields in ninjs_fields.py. A document
that declares `representationtype: full` is the whole story: a dek, dateline or tag list it
lacks is emptied on update. Otherwise what it lacks is left alone (and a byline always is: a
story without one could not stay published).
"""

import codecs
import json
import re
from typing import Any

from articles.ingest import ninjs_fields, ninjs_picture, ninjs_text
from articles.ingest.files import bad_utf8, refuse_archives
from articles.ingest.ninjs_document import (
    CAMEL_NAMES,
    Document,
    NinjsError,
    NinjsStory,
    describe_value,
    one_line,
)

NOT_STORIES = {"picture", "video", "audio", "graphic"}
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
        refuse_archives(data, error=NinjsError, inside="the .json files")
        if b"\x00" in data:
            raise NinjsError("binary file (it contains NUL bytes), not JSON")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise NinjsError(
                f"not UTF-8: {bad_utf8(data, error)} "
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
        raise NinjsError(f"unreadable JSON: {one_line(str(error))}") from None
    if isinstance(value, list):
        if not value:
            raise NinjsError("an empty JSON array: there is no ninjs document in it")
        return list(enumerate(value, start=1))
    return [(None, value)]


def parse_document(document: Any) -> NinjsStory:
    """Map one decoded ninjs document; raise NinjsError when it cannot become a story."""
    if not isinstance(document, dict):
        raise NinjsError(
            f"not a ninjs document: {describe_value(document)}, where a JSON object belongs"
        )
    doc = Document(document, detect_standard(document))
    kind = doc.text(document, "type")
    if kind is not None and kind.strip().casefold() in NOT_STORIES:
        raise NinjsError(f"a {kind.strip()} item, not a text story: only stories are imported")
    uri = ninjs_fields.uri(doc)
    headline, kicker, seo_title = ninjs_text.headlines(doc)
    body = ninjs_text.body(doc)
    _require(uri=uri, headline=headline, body=body)
    dek, meta_description, corrections = ninjs_text.descriptions(doc)
    representation = (doc.text(document, "representationtype") or "").strip()
    return NinjsStory(
        uri=uri,
        standard=doc.standard,
        headline=headline,
        body=body,
        is_complete=representation.casefold() == "full",
        dek=dek,
        kicker=kicker,
        seo_title=seo_title,
        meta_description=meta_description,
        authors=ninjs_fields.authors(doc),
        tags=ninjs_fields.tags(doc),
        sections=ninjs_fields.sections(doc),
        kind=ninjs_fields.kind(doc),
        dateline=ninjs_fields.dateline(doc),
        first_created=ninjs_fields.moment(doc, "firstcreated"),
        version_created=ninjs_fields.moment(doc, "versioncreated"),
        embargoed=ninjs_fields.moment(doc, "embargoed"),
        pubstatus=ninjs_fields.pubstatus(doc),
        corrections=corrections,
        image_href=ninjs_fields.image_href(doc),
        picture=ninjs_picture.lead_picture(doc),
        body_pictures=ninjs_picture.body_pictures(doc, body),
        web_urls=ninjs_fields.web_urls(doc),
        notes=doc.notes,
    )


def _require(**found) -> None:
    missing = [name for name, value in found.items() if value is None]
    if missing == ["body"]:
        raise NinjsError("only a headline, no body: a story needs body text (`bodies`)")
    if len(missing) == 3:
        raise NinjsError(
            "not a ninjs document: no uri, no headline and no body (`uri`, `headlines`, `bodies`)"
        )
    if missing:
        what = " and ".join(f"no {name}" for name in missing)
        advice = " (ninjs requires a uri: the story's permanent id)" if "uri" in missing else ""
        raise NinjsError(f"{what}{advice}")


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
