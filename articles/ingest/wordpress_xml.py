"""The WXR document itself: safe XML, WordPress's namespaces, and the fields of an element.

WXR is RSS 2.0 with WordPress's own elements (https://wordpress.org/export/1.2/ and the
1.0/1.1 namespaces of older exports, over http or https). The XML comes from outside, so it is
parsed with defusedxml: a document declaring entities (the "billion laughs" attack) or
pointing at external files is refused before anything is expanded.
"""

import functools
import html
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from articles.ingest.files import bad_utf8, refuse_archives
from articles.ingest.markup import strip_markup

_NAMESPACES = {
    "wp": re.compile(r"https?://wordpress\.org/export/1\.[0-2]/"),
    "excerpt": re.compile(r"https?://wordpress\.org/export/1\.[0-2]/excerpt/"),
    "content": re.compile(r"https?://purl\.org/rss/1\.0/modules/content/"),
    "dc": re.compile(r"https?://purl\.org/dc/elements/1\.1/"),
}
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class WxrError(ValueError):
    """A file that is not a usable WordPress export; the message says why in one line."""


def parse_channel(data: bytes) -> Element:
    """The export's `<channel>`; WxrError for anything that is not a WordPress export."""
    root = parse_xml(data)
    if local_name(root.tag) != "rss":
        raise WxrError(f"not a WordPress export (WXR): the document is <{local_name(root.tag)}>")
    channel = root.find("channel")
    if channel is None:
        raise WxrError("not a WordPress export (WXR): no <channel> in the <rss> document")
    if not any(prefixed(element.tag).startswith("wp:") for element in channel.iter()):
        raise WxrError(
            "not a WordPress export (WXR): an RSS feed without WordPress's wp: elements "
            "(export the site with Tools → Export in WordPress)"
        )
    return channel


def parse_xml(data: bytes) -> Element:
    """The document's root element; WxrError for anything that is not well-formed, safe XML."""
    if not data.strip():
        raise WxrError("empty file")
    refuse_archives(data, error=WxrError, inside="the .xml file")
    if b"\x00" in data and not data.startswith(_UTF16_BOMS):
        raise WxrError("binary data (NUL bytes), not an XML export")
    declared = _XML_DECLARATION.match(data)
    if not data.startswith(_UTF16_BOMS) and (
        declared is None or declared.group(1).lower() in {b"utf-8", b"utf8"}
    ):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise WxrError(
                f"not UTF-8: {bad_utf8(data, error)} "
                "(WordPress exports are UTF-8; was the file re-saved in another encoding?)"
            ) from None
    try:
        return fromstring(data)
    except ParseError as error:
        line, column = error.position
        message = re.sub(r":\s*line \d+, column \d+$", "", str(error))
        raise WxrError(f"malformed XML at line {line}, column {column + 1}: {message}") from None
    except DefusedXmlException as error:
        raise WxrError(
            f"refused unsafe XML ({type(error).__name__}): a WordPress export never declares "
            "entities or external references"
        ) from None


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@functools.cache
def prefixed(tag: str) -> str:
    """`{https://wordpress.org/export/1.2/}post_id` → `wp:post_id`, whatever the version."""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    for prefix, pattern in _NAMESPACES.items():
        if pattern.fullmatch(namespace):
            return f"{prefix}:{local}"
    return tag


def fields_of(element: Element) -> dict[str, str]:
    """The element's children as prefixed name → text (the first of each name)."""
    fields: dict[str, str] = {}
    for child in element:
        fields.setdefault(prefixed(child.tag), child.text or "")
    return fields


def plain(value: str) -> str:
    """Plain text from a WordPress field that may hold markup or entities."""
    return " ".join(html.unescape(strip_markup(value or "")).split())
