"""Reading public responses the way a browser, a feed reader or a crawler would, for the security
tests: is any markup in them not the site's own (tests/test_security_xss.py), and which
same-site addresses do they name (tests/test_security_crawl.py)?

The standard library's HTML tokenizer (html.parser) decodes entities in text and attribute
values as a browser does; it treats only <script> and <style> as raw text, so it is stricter
than a browser inside <title> (a "<script>" there is flagged, where a browser shows it as text).
"""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from defusedxml import ElementTree

# Everything the readers' templates write (templates/jinja2/) and the body allow-list
# (articles/sanitize.py) keeps. Anything else in a page came from a story's text.
PAGE_TAGS = frozenset(
    "html head meta title link body a header div nav ul ol li main footer p span time h1 h2 h3 "
    "article figure figcaption img section aside strong em blockquote form label input button "
    "fieldset legend select option mark del ins script br picture source".split()
)
PAGE_ATTRIBUTES = frozenset(
    "lang charset name content property rel type title href media class id tabindex role "
    "method action for value placeholder src alt width height loading decoding datetime "
    "selected hreflang sizes aria-label aria-labelledby aria-current aria-hidden aria-describedby "
    "aria-invalid required maxlength min max step autocomplete srcset fetchpriority".split()
)
URL_ATTRIBUTES = frozenset(
    "href src action formaction poster background data xlink:href srcset cite ping".split()
)
# What no address on the site may start with, whatever its case or the blanks before it.
LIVE_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
# Blanks and control characters that browsers drop from an address before reading its scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def url_scheme_is_live(value: str) -> bool:
    return _URL_NOISE.sub("", value).lower().startswith(LIVE_SCHEMES)


@dataclass
class Page:
    """What an HTML response holds: its elements, its script blocks, its text and its links."""

    elements: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    scripts: list[tuple[dict[str, str | None], str]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def find(self, tag: str, **attributes) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.elements
            if name == tag and all(attrs.get(k) == v for k, v in attributes.items())
        ]

    @property
    def all_text(self) -> str:
        """Every text node and attribute value, decoded: what a reader or a scraper sees."""
        values = [v or "" for _, attrs in self.elements for v in attrs.values()]
        return "\n".join([*self.text, *values, *(body for _, body in self.scripts)])

    def links(self) -> list[str]:
        """Every address an element names (a, link, img, form...), as written."""
        return [
            value
            for _, attrs in self.elements
            for name, value in attrs.items()
            if name in URL_ATTRIBUTES and value
        ]


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._script = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.page.elements.append((tag, attributes))
        if tag == "script":
            self._script = (attributes, [])

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            attributes, parts = self._script
            self.page.scripts.append((attributes, "".join(parts)))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)
        else:
            self.page.text.append(data)

    def handle_comment(self, data):
        self.page.elements.append(("!--", {"comment": data}))

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            self.page.elements.append(("!decl", {"decl": decl}))

    def unknown_decl(self, data):
        self.page.elements.append(("!decl", {"decl": data}))

    def handle_pi(self, data):
        self.page.elements.append(("?pi", {"pi": data}))


def read_html(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


def live_markup(page: Page, *, fragment: bool = False) -> list[str]:
    """What in `page` is not the site's own markup: each finding a short description.

    A `fragment` is HTML carried inside a feed or the API (a body, a description): it has no
    document of its own, so it may hold no script at all.
    """
    found = []
    for tag, attrs in page.elements:
        shown = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs.items())}>"
        if tag not in PAGE_TAGS:
            found.append(f"element not from the templates: {shown}")
            continue
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"event handler attribute: {shown}")
            elif name not in PAGE_ATTRIBUTES:
                found.append(f"attribute not from the templates ({name}): {shown}")
            elif name in URL_ATTRIBUTES and value and url_scheme_is_live(value):
                found.append(f"live address: {shown}")
        if tag == "meta" and "http-equiv" in attrs:
            found.append(f"meta http-equiv: {shown}")
    if fragment:
        found.extend(
            f"script in a fragment: {attrs!r} {body[:80]!r}" for attrs, body in page.scripts
        )
        return found
    for attrs, body in page.scripts:
        if attrs.get("type") != "application/ld+json" or set(attrs) != {"type"}:
            found.append(f"a script not the site's JSON-LD: {attrs!r} {body[:80]!r}")
            continue
        lowered = body.lower()
        if "<!--" in lowered or "<script" in lowered or "</script" in lowered:
            found.append(f"JSON-LD that can change the script's parsing: {body[:120]!r}")
        try:
            json.loads(body)
        except ValueError as error:
            found.append(f"JSON-LD that does not parse ({error}): {body[:120]!r}")
    titles = page.find("title")
    if len(titles) != 1:
        found.append(f"{len(titles)} <title> elements")
    return found


def parse_xml(content: bytes):
    """The XML document's root element; a document that is not well-formed raises."""
    return ElementTree.fromstring(content)


def xml_text(root) -> str:
    """Every text node and attribute value in the XML document, decoded."""
    parts = []
    for element in root.iter():
        parts.extend([element.text or "", element.tail or "", *element.attrib.values()])
    return "\n".join(parts)


def same_site_path(address: str, base: str, site_url: str) -> str | None:
    """`address` (relative to `base`) as a path with its query, when it is on this site."""
    absolute = urljoin(base, address.strip())
    parts = urlsplit(absolute)
    site = urlsplit(site_url)
    if parts.scheme not in {"http", "https"} or parts.netloc not in {site.netloc, "testserver"}:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


@dataclass
class Element:
    """One element of a page and what it holds, for tests that look at a page's structure."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list["Element | str"] = field(default_factory=list)

    def __getitem__(self, name: str) -> str | None:
        return self.attrs[name]

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def descendants(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.descendants()

    def select(self, tag: str, class_: str | None = None, **attributes) -> list["Element"]:
        """Every element below this one with the tag (and class and attribute values) given."""
        return [
            element
            for element in self.descendants()
            if element.tag == tag
            and (class_ is None or class_ in element.classes)
            and all(element.attrs.get(k) == v for k, v in attributes.items())
        ]

    def select_one(self, tag: str, class_: str | None = None, **attributes) -> "Element":
        found = self.select(tag, class_, **attributes)
        assert found, f"no <{tag}> {class_ or ''} {attributes or ''} in <{self.tag}>"
        return found[0]

    def text(self, separator: str = "") -> str:
        """The text inside, blanks collapsed, parts joined by the separator."""
        parts = []
        for child in self.children:
            part = child.text(separator) if isinstance(child, Element) else child
            if part.strip():
                parts.append(" ".join(part.split()))
        return separator.join(parts)

    def meta(self, name: str) -> str:
        """The one <meta> with this property or name, as a share card reader takes it."""
        values = [
            m["content"] for m in self.select("meta") if name in (m.get("property"), m.get("name"))
        ]
        assert len(values) == 1, (name, values)
        return values[0]

    def json_ld(self) -> list[dict]:
        return [
            json.loads(script.text())
            for script in self.select("script", type="application/ld+json")
        ]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self._open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self._open[-1].children.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self._open[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data):
        self._open[-1].children.append(data)


def read_tree(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
