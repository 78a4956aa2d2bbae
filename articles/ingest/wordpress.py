"""WordPress exports (WXR): reading them and turning each post into a story.

Everything here is pure — bytes in, `WxrPost` records out — so it can be tested without a
database; the `import_wordpress` command finds or creates sections, authors and stories.

WXR is RSS 2.0 with WordPress's own elements (https://wordpress.org/export/1.2/ and the
1.0/1.1 namespaces of older exports, over http or https). The XML comes from outside, so it is
parsed with defusedxml: a document declaring entities (the "billion laughs" attack) or
pointing at external files is refused before anything is expanded.
"""

import functools
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.html import strip_tags
from django.utils.text import slugify

from articles.models import Article
from articles.sanitize import rename_to_allowed, sanitize_body

HEADLINE_MAX_LENGTH = 200  # Article.headline
SLUG_MAX_LENGTH = 200  # Article.slug
# Room for a "-12" style suffix when the slug is taken.
SLUG_BASE_MAX_LENGTH = SLUG_MAX_LENGTH - 10
TAG_MAX_LENGTH = 100  # taggit's Tag.name
OLD_PATH_MAX_LENGTH = 500  # ArticleRedirect.old_path

_NAMESPACES = {
    "wp": re.compile(r"https?://wordpress\.org/export/1\.[0-2]/"),
    "excerpt": re.compile(r"https?://wordpress\.org/export/1\.[0-2]/excerpt/"),
    "content": re.compile(r"https?://purl\.org/rss/1\.0/modules/content/"),
    "dc": re.compile(r"https?://purl\.org/dc/elements/1\.1/"),
}
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ZERO_DATE = "0000-00-00 00:00:00"
_LOGIN_JUNK = re.compile(r"[^\w .@-]")
# WordPress's placeholder category, not an editorial grouping: such posts get the default section.
UNCATEGORIZED = "uncategorized"

# Post statuses WordPress exports, and the story status each becomes. "future" is a scheduled
# post: published with a publish time still to come (or already past, if the export is older).
PUBLISHED, UNPUBLISHED = Article.Status.PUBLISHED.value, Article.Status.UNPUBLISHED.value
DRAFT, REVIEW = Article.Status.DRAFT.value, Article.Status.REVIEW.value
_STATUSES = {"publish": PUBLISHED, "future": PUBLISHED, "draft": DRAFT, "pending": REVIEW}
_NOT_STORIES = {"trash", "auto-draft", "inherit"}


class WxrError(ValueError):
    """A file that is not a usable WordPress export; the message says why in one line."""


@dataclass(frozen=True)
class Category:
    nicename: str
    name: str
    description: str = ""


@dataclass
class WxrPost:
    """One WordPress post, mapped to what its story will hold."""

    source: str
    post_id: int
    headline: str
    slug_base: str
    dek: str
    body: str
    status: str  # PUBLISHED, DRAFT, REVIEW or UNPUBLISHED
    publish_at: datetime | None
    featured: bool
    author_name: str | None
    category: Category | None  # the section's category (top level); None: the default section
    tags: list[str]
    old_paths: list[str]  # the WordPress permalink path and /?p=<id>, as get_full_path() gives
    # `wordpress:<site>/?p=<id>`: finds the story again on a later run, even with several sites.
    source_uri: str = ""
    wp_status: str = "publish"
    is_protected: bool = False
    stripped: Counter = field(default_factory=Counter)  # kind -> occurrences
    shortcodes: Counter = field(default_factory=Counter)  # name -> occurrences
    not_carried: Counter = field(default_factory=Counter)  # comments, featured images
    notes: list[str] = field(default_factory=list)

    @property
    def id_path(self) -> str:
        """The plain permalink `/?p=<id>`: also the key that finds this post's story again."""
        return post_id_path(self.post_id)


@dataclass
class WxrExport:
    source: str
    item_count: int
    posts: list[WxrPost]
    skipped: Counter  # item type (or "post (trash)") -> count
    problems: list[str]  # items that cannot be imported, one line each


def post_id_path(post_id: int) -> str:
    return f"/?p={post_id}"


def read_export(data: bytes, *, source: str, tz: tzinfo) -> WxrExport:
    """Parse a WXR file's bytes; raise WxrError when it is not a WordPress export with posts.

    Local post dates (used when an export lacks the GMT date) are read in `tz`.
    """
    root = parse_xml(data)
    if _local(root.tag) != "rss":
        raise WxrError(f"not a WordPress export (WXR): the document is <{_local(root.tag)}>")
    channel = root.find("channel")
    if channel is None:
        raise WxrError("not a WordPress export (WXR): no <channel> in the <rss> document")
    if not any(_prefixed(element.tag).startswith("wp:") for element in channel.iter()):
        raise WxrError(
            "not a WordPress export (WXR): an RSS feed without WordPress's wp: elements "
            "(export the site with Tools → Export in WordPress)"
        )
    authors = {}
    categories = {}
    parents = {}
    for element in channel:
        tag = _prefixed(element.tag)
        if tag == "wp:author":
            fields = _fields(element)
            login = fields.get("wp:author_login", "").strip()
            full_name = " ".join(
                part
                for part in (fields.get("wp:author_first_name"), fields.get("wp:author_last_name"))
                if part and part.strip()
            )
            name = _plain(fields.get("wp:author_display_name", "")) or _plain(full_name) or login
            if login:
                authors[login] = name
        elif tag == "wp:category":
            fields = _fields(element)
            nicename = fields.get("wp:category_nicename", "").strip()
            if nicename:
                categories[nicename] = Category(
                    nicename,
                    _plain(fields.get("wp:cat_name", "")) or nicename,
                    _plain(fields.get("wp:category_description", "")),
                )
                parents[nicename] = fields.get("wp:category_parent", "").strip()

    site_url = (_fields(channel).get("wp:base_blog_url") or channel.findtext("link") or "").strip()
    # A blog installed in a folder (https://example.org/blog/) answers /blog/?p=<id> too.
    base_path = urlsplit(site_url).path.rstrip("/")
    items = channel.findall("item")
    posts, problems, skipped = [], [], Counter()
    for number, item in enumerate(items, start=1):
        fields = _fields(item)
        kind = fields.get("wp:post_type", "post").strip() or "post"
        wp_status = fields.get("wp:status", "publish").strip() or "publish"
        if kind != "post":
            skipped[kind] += 1
        elif wp_status in _NOT_STORIES:
            skipped[f"post ({wp_status})"] += 1
        else:
            try:
                posts.append(
                    _read_post(
                        item, fields, source, authors, categories, parents, tz, base_path, site_url
                    )
                )
            except WxrError as problem:
                title = _plain(fields.get("title", ""))[:60]
                label = f"post {fields['wp:post_id']}" if fields.get("wp:post_id") else "a post"
                label = f"{label} “{title}”" if title else f"{label} (item {number})"
                problems.append(f"{label}: {problem}")
    if not posts and not problems:
        what = ", ".join(f"{count} {kind}" for kind, count in skipped.most_common())
        raise WxrError(f"no posts to import (the export has {what or 'no items'})")
    return WxrExport(
        source=source,
        item_count=len(items),
        posts=posts,
        skipped=skipped,
        problems=problems,
    )


def parse_xml(data: bytes) -> Element:
    """The document's root element; WxrError for anything that is not well-formed, safe XML."""
    if not data.strip():
        raise WxrError("empty file")
    if data.startswith(b"\x1f\x8b"):
        raise WxrError("gzip-compressed: decompress it first (gunzip)")
    if data.startswith(b"PK\x03\x04"):
        raise WxrError("a ZIP archive: unzip it and import the .xml file inside")
    if b"\x00" in data and not data.startswith(_UTF16_BOMS):
        raise WxrError("binary data (NUL bytes), not an XML export")
    declared = _XML_DECLARATION.match(data)
    if not data.startswith(_UTF16_BOMS) and (
        declared is None or declared.group(1).lower() in {b"utf-8", b"utf8"}
    ):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
            raise WxrError(
                f"not UTF-8: byte 0x{data[error.start]:02x} at line {line}, column {column} "
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


def _read_post(
    item, fields, source, authors, categories, parents, tz, base_path, site_url
) -> WxrPost:
    raw_id = fields.get("wp:post_id", "").strip()
    if not raw_id.isdigit():
        raise WxrError("no wp:post_id" if not raw_id else f"wp:post_id {raw_id!r} is not a number")
    post_id = int(raw_id)
    notes: list[str] = []
    wp_status = fields.get("wp:status", "publish").strip()
    is_protected = bool(fields.get("wp:post_password", "").strip())
    status = _STATUSES.get(wp_status)
    if wp_status == "private" or (is_protected and status == PUBLISHED):
        # Private and password-protected posts were never public; they must not become so.
        status = UNPUBLISHED
    elif status is None:
        notes.append(f"unknown WordPress status {wp_status!r}: imported as a draft")
        status = DRAFT
    publish_at = None
    if status in {PUBLISHED, UNPUBLISHED}:
        publish_at = post_date(fields, tz)
        if publish_at is None:
            raise WxrError(f"status {wp_status!r} but no usable date (wp:post_date_gmt)")

    body, stripped, shortcodes = convert_body(fields.get("content:encoded", ""))
    headline, headline_note = make_headline(
        fields.get("title", ""), fields.get("wp:post_name", ""), body
    )
    if headline_note:
        notes.append(headline_note)

    login = fields.get("dc:creator", "").strip()
    if login not in authors:
        # Stray characters around a login (seen in real exports: ">themereviewteam") are not
        # part of it: WordPress logins are letters, digits, spaces and _ . - @ only.
        login = _LOGIN_JUNK.sub("", login).strip() or login
    author_name = authors.get(login) or login or None
    if login and login not in authors:
        notes.append(f"author {login!r} is not among the export's authors: byline uses the login")
    elif not login:
        notes.append("no author (dc:creator): no byline")

    section_category, tags = _categories_and_tags(item, categories, parents)
    meta_keys = {
        _fields(child).get("wp:meta_key", "").strip()
        for child in item
        if _prefixed(child.tag) == "wp:postmeta"
    }
    not_carried = Counter()
    comments = sum(1 for child in item if _prefixed(child.tag) == "wp:comment")
    if comments:
        not_carried["comment"] = comments
    if "_thumbnail_id" in meta_keys:
        not_carried["featured image"] = 1
    return WxrPost(
        source=source,
        post_id=post_id,
        headline=headline,
        slug_base=make_slug_base(fields.get("wp:post_name", ""), headline, post_id),
        dek=_plain(fields.get("excerpt:encoded", "")),
        body=body,
        status=status,
        publish_at=publish_at,
        featured=fields.get("wp:is_sticky", "0").strip() == "1",
        author_name=author_name,
        category=section_category,
        tags=tags,
        old_paths=old_paths(fields.get("link", ""), post_id, base_path=base_path),
        source_uri=f"wordpress:{site_url.rstrip('/')}{post_id_path(post_id)}",
        wp_status=wp_status,
        is_protected=is_protected,
        stripped=stripped,
        shortcodes=shortcodes,
        not_carried=not_carried,
        notes=notes,
    )


def post_date(fields: dict[str, str], tz: tzinfo) -> datetime | None:
    """The post's date: GMT when exported, else the local date in `tz`, else the RSS pubDate."""
    for key, zone in (("wp:post_date_gmt", UTC), ("wp:post_date", tz)):
        value = fields.get(key, "").strip()
        if value and value != _ZERO_DATE:
            try:
                return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
            except ValueError:
                continue
    try:
        moment = parsedate_to_datetime(fields.get("pubDate", "").strip())
    except (TypeError, ValueError, IndexError):
        return None
    # Unpublished posts carry the Unix epoch (or year -1) as a placeholder pubDate.
    return moment if moment.year > 1970 and moment.tzinfo is not None else None


def _categories_and_tags(item, categories, parents) -> tuple[Category | None, list[str]]:
    """The post's section category and its tags.

    The first category chosen for the post becomes its section; a nested category files the
    post under its top-level ancestor, since sections are one level. Every category keeps
    being a grouping readers can browse: like Ghost's WordPress importer, categories other than
    the section's become tags too (the section's own nested category included).
    """
    section = None
    names: list[str] = []
    for element in item.findall("category"):
        domain = element.get("domain", "")
        name = _plain(element.text or "")
        if domain == "post_tag":
            names.append(name)
        elif domain == "category":
            nicename = (element.get("nicename") or slugify(name)).strip()
            if nicename == UNCATEGORIZED:
                continue
            top = _top_level(nicename, parents)
            if section is None:
                section = categories.get(top) or Category(top, name if top == nicename else top)
                if top != nicename:
                    names.append(name)
            elif top != section.nicename or nicename != top:
                names.append(name)
    tags, seen = [], set()
    for name in names:
        key = name.casefold()
        if name and len(name) <= TAG_MAX_LENGTH and key not in seen:
            if section is None or key != section.name.casefold():
                tags.append(name)
            seen.add(key)
    return section, tags


def _top_level(nicename: str, parents: dict[str, str]) -> str:
    seen = {nicename}
    while parents.get(nicename) and parents[nicename] not in seen:
        nicename = parents[nicename]
        seen.add(nicename)
    return nicename


def make_headline(title: str, post_name: str, body: str) -> tuple[str, str | None]:
    """Plain-text headline from a WordPress title (which may hold markup and entities), with a
    note when it had to be shortened or invented."""
    headline = _plain(title)
    note = None
    if not headline:
        words = unquote(post_name).replace("-", " ").strip()
        if words and not words.isdigit():
            headline = words[0].upper() + words[1:]
            note = "no title: headline made from the WordPress slug"
        else:
            headline = " ".join(_plain(body).split()[:12]) or "Untitled"
            note = "no title: headline made from the first words of the body"
    if len(headline) > HEADLINE_MAX_LENGTH:
        cut = headline[: HEADLINE_MAX_LENGTH - 1]
        if " " in cut[HEADLINE_MAX_LENGTH // 2 :]:
            cut = cut.rsplit(" ", 1)[0]
        note = f"headline shortened from {len(headline)} characters"
        headline = cut.rstrip(" ,;:-–—") + "…"
    return headline, note


def make_slug_base(post_name: str, headline: str, post_id: int) -> str:
    """An ASCII slug from the WordPress slug (percent-encoded when not ASCII), else the
    headline, short enough to take a `-2` suffix."""
    for candidate in (unquote(post_name), headline):
        slug = slugify(candidate)
        if len(slug) > SLUG_BASE_MAX_LENGTH:
            slug = slug[:SLUG_BASE_MAX_LENGTH].rsplit("-", 1)[0]
        if slug.strip("-"):
            return slug.strip("-")
    return f"post-{post_id}"


def old_paths(link: str, post_id: int, *, base_path: str = "") -> list[str]:
    """The old addresses to keep answering: the permalink's path and `/?p=<id>` (also under the
    blog's folder, if any), written as a request's get_full_path() gives them."""
    paths = []
    parts = urlsplit(link.strip())
    # An absolute URL, or at least an absolute path; anything else is not an address.
    if parts.path.startswith("/") or (parts.netloc and (parts.path or parts.query)):
        path = escape_uri_path(unquote(parts.path or "/"))
        if parts.query:
            path = f"{path}?{iri_to_uri(parts.query)}"
        if path != "/" and len(path) <= OLD_PATH_MAX_LENGTH:
            paths.append(path)
    plain = [post_id_path(post_id)]
    if base_path.startswith("/"):
        plain.append(escape_uri_path(unquote(base_path)) + post_id_path(post_id))
    paths += [path for path in plain if path not in paths and len(path) <= OLD_PATH_MAX_LENGTH]
    return paths


# -- The body: shortcodes, blocks and embeds, WordPress's autop, then the allow-list ------------

# Names WordPress core and the common plugins (Jetpack above all) register. An unknown
# `[word]` stays text — "[sic]", "[laughs]" — unless it has attributes or a closing tag.
EMBED_SHORTCODES = {
    "embed", "audio", "video", "playlist", "wpvideo", "youtube", "vimeo", "soundcloud",
    "spotify", "dailymotion", "ted", "twitter", "tweet", "instagram", "facebook", "flickr",
    "gist", "bandcamp", "slideshare", "scribd", "googlemaps", "vine", "mixcloud", "kickstarter",
    "pinterest", "twitch", "twitchtv", "tiktok", "reddit", "medium", "wistia", "jwplayer",
}  # fmt: skip
GALLERY_SHORTCODES = {"gallery", "slideshow", "tiled-gallery", "jetpack_slideshow"}
CAPTION_SHORTCODES = {"caption", "wp_caption"}
KNOWN_SHORTCODES = (
    EMBED_SHORTCODES
    | GALLERY_SHORTCODES
    | CAPTION_SHORTCODES
    | {
        "archives", "contact-form", "contact-field", "polldaddy", "crowdsignal", "poll",
        "latex", "code", "sourcecode", "presentation", "slide", "recipe", "portfolio",
        "testimonials", "sitemap", "wufoo", "googleapps", "houzz", "recent-posts", "donate",
        "subscribe", "jetpack_subscription_form", "blog_subscription_form", "product",
        "products", "add_to_cart", "ad", "adsense", "fusion", "su",
    }
)  # fmt: skip
_SHORTCODE_OPEN = re.compile(
    r"\[(?P<escaped>\[?)(?P<name>[A-Za-z][\w-]*)(?![\w-])"
    r"(?P<attrs>[^\]]*?)(?P<selfclosing>/)?\](?P<escaped_end>\]?)"
)
_SHORTCODE_CLOSE = re.compile(r"\[/([A-Za-z][\w-]*)\]")
_SHORTCODE_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")
_URL = re.compile(r"""https?://[^\s<>"'\]\[]+""")
_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.MULTILINE)
_BLOCK_GALLERY = re.compile(r"<!-- wp:gallery\b.*?<!-- /wp:gallery -->", re.DOTALL)
_BLOCK_EMBED = re.compile(
    r"<!-- wp:(?P<kind>core-embed/[\w-]+|embed)\s+(?P<json>\{.*?\})\s*-->.*?<!-- /wp:(?P=kind) -->",
    re.DOTALL,
)
_EMBED_ELEMENT = re.compile(
    r"<(?P<tag>iframe|video|audio|object)\b(?P<attrs>[^>]*)>(?P<inner>.*?)</(?P=tag)\s*>"
    r"|<embed\b(?P<embed_attrs>[^>]*)/?>",
    re.DOTALL | re.IGNORECASE,
)
_SRC = re.compile(r"""\b(?:src|data)\s*=\s*["']?(https?://[^"'\s>]+)""", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b", re.IGNORECASE)
_TABLE = re.compile(r"<table\b", re.IGNORECASE)
_NEXTPAGE = re.compile(r"<!--\s*nextpage\s*-->", re.IGNORECASE)
_MORE = re.compile(r"<!--\s*(?:more\b[^>]*|noteaser)\s*-->", re.IGNORECASE)
_CAPTION_IMAGE = re.compile(r"((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)", re.DOTALL)
# Dropping these tags would glue neighbouring words together ("a<br>b" → "ab"); a break or a
# blank line keeps them apart (a blank line becomes a paragraph break).
_BREAKS = [
    (re.compile(r"<br\s*/?>", re.IGNORECASE), "\n"),
    (re.compile(r"</t[dh]\s*>", re.IGNORECASE), " "),
    (
        re.compile(
            r"(</(?:div|tr|dt|dd|pre|address|section|article|header|footer|aside|nav|details|"
            r"summary|table|caption|dl|form|fieldset)\s*>|<hr\b[^>]*>)",
            re.IGNORECASE,
        ),
        r"\1\n\n",
    ),
]


def convert_body(content: str) -> tuple[str, Counter, Counter]:
    """Turn a post's `content:encoded` into a story body on the allow-list.

    Returns the body, what was stripped or converted by kind (galleries, embeds, scripts,
    tables, page breaks) and the shortcodes removed by name.
    """
    stripped: Counter = Counter()
    shortcodes: Counter = Counter()
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    # The block editor writes finished HTML; WordPress skips autop for it, and so do we.
    is_blocks = "<!-- wp:" in text
    stripped["page break"] += len(_NEXTPAGE.findall(text))
    text = _MORE.sub("", _NEXTPAGE.sub("\n\n", text))

    def gallery_block(match):
        stripped["gallery"] += 1
        return "\n\n"

    def embed_block(match):
        stripped["embed"] += 1
        url = _URL.search(match["json"].replace("\\u0026", "&"))
        return f"\n\n{_link(url.group())}\n\n" if url else "\n\n"

    text = _BLOCK_EMBED.sub(embed_block, _BLOCK_GALLERY.sub(gallery_block, text))
    text = _shortcodes(text, stripped, shortcodes)

    def embed_line(match):
        stripped["embed"] += 1
        return f"\n{_link(html.unescape(match[1]))}\n"

    def embed_element(match):
        stripped["embed"] += 1
        url = _SRC.search(match["attrs"] or match["embed_attrs"] or "") or _SRC.search(
            match["inner"] or ""
        )
        return f" {_link(html.unescape(url[1]))} " if url else " "

    # WordPress turns a URL alone on its line into an embedded player (oEmbed); a story gets
    # a link to it instead.
    text = _URL_LINE.sub(embed_line, text)
    text = _EMBED_ELEMENT.sub(embed_element, text)
    stripped["script"] += len(_SCRIPT.findall(text))
    stripped["table"] += len(_TABLE.findall(text))
    text = rename_to_allowed(text)
    for pattern, replacement in _BREAKS:
        text = pattern.sub(replacement, text)
    if not is_blocks:
        text = autop(text)
    body = sanitize_body(_tidy(sanitize_body(text)))
    return body, +stripped, +shortcodes


def _link(url: str) -> str:
    url = html.escape(url)
    return f'<a href="{url}">{url}</a>'


def _shortcodes(text: str, stripped: Counter, shortcodes: Counter) -> str:
    """Replace shortcodes: captions become figures, embeds links, galleries nothing, and any
    other shortcode is removed keeping the text it encloses."""
    out = []
    position = 0
    seen = set()
    while (match := _SHORTCODE_OPEN.search(text, position)) is not None:
        name, key = match["name"], match["name"].lower()
        attrs = (match["attrs"] or "").strip()
        closing = f"[/{name}]"
        end = -1
        if not match["selfclosing"] and not match["escaped_end"]:
            end = text.find(closing, match.end())
        is_shortcode = (
            key in KNOWN_SHORTCODES
            or end != -1
            or attrs.startswith("=")
            or _SHORTCODE_ATTR.search(attrs) is not None
        )
        if not is_shortcode:
            out.append(text[position : match.start() + 1])
            position = match.start() + 1
            continue
        out.append(text[position : match.start()])
        after = end + len(closing) if end != -1 else match.end()
        if match["escaped"] and (match["escaped_end"] or text[after : after + 1] == "]"):
            # `[[gallery]]` is how WordPress writes a shortcode as text.
            literal_end = match.end() - 1 if match["escaped_end"] else after
            out.append(text[match.start() + 1 : literal_end])
            position = literal_end + 1
            continue
        out.append(match["escaped"])
        position = after
        inner = text[match.end() : end] if end != -1 else ""
        shortcodes[key] += 1
        seen.add(name)
        if key in GALLERY_SHORTCODES:
            stripped["gallery"] += 1
            out.append("\n\n")
        elif key in EMBED_SHORTCODES:
            stripped["embed"] += 1
            url = _URL.search(inner) or _URL.search(attrs)
            out.append(f"\n\n{_link(html.unescape(url.group()))}\n\n" if url else "\n\n")
        elif key in CAPTION_SHORTCODES:
            out.append(_caption(_shortcodes(inner, stripped, shortcodes), attrs))
        else:
            out.append(_shortcodes(inner, stripped, shortcodes))
        out.append(match["escaped_end"])
    out.append(text[position:])
    # Closing tags left without an opener (hand-edited posts) go too.
    return _SHORTCODE_CLOSE.sub(
        lambda match: "" if match[1] in seen or match[1].lower() in KNOWN_SHORTCODES else match[0],
        "".join(out),
    )


def _caption(inner: str, attrs: str) -> str:
    """`[caption]<img> Text[/caption]` as a figure with its caption, the way WordPress shows it."""
    match = _CAPTION_IMAGE.match(inner.strip())
    image, caption = (match[1], match[2].strip()) if match else ("", inner.strip())
    for key, double, single, bare in _SHORTCODE_ATTR.findall(attrs):
        if key == "caption" and not caption:
            caption = double or single or bare
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"\n\n<figure>{image}{figcaption}</figure>\n\n"


_ALLBLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
    r"map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|"
    r"hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)


def autop(text: str) -> str:
    """WordPress's `wpautop()`: blank-line-separated text becomes paragraphs, block elements
    stay as they are. A port of wp-includes/formatting.php without the `<br>` step (line breaks
    are not on the body allow-list)."""
    if not text.strip():
        return ""
    text += "\n"
    pre_tags = {}
    if "<pre" in text:
        parts = text.split("</pre>")
        last = parts.pop()
        text = ""
        for number, part in enumerate(parts):
            start = part.find("<pre")
            if start == -1:
                text += part
                continue
            key = f"<pre wp-pre-tag-{number}></pre>"
            pre_tags[key] = part[start:] + "</pre>"
            text += part[:start] + key
        text += last
    text = re.sub(rf"(<{_ALLBLOCKS}[\s/>])", r"\n\n\1", text)
    text = re.sub(rf"(</{_ALLBLOCKS}>)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    # Newlines inside a tag or comment are not paragraph breaks.
    text = re.sub(r"<[^>]*>", lambda match: match.group().replace("\n", " "), text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [part for part in re.split(r"\n\s*\n", text) if part]
    text = "".join(f"<p>{part.strip(chr(10))}</p>\n" for part in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{_ALLBLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{_ALLBLOCKS}[^>]*>)", r"\1", text)
    text = re.sub(rf"(</?{_ALLBLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for key, value in pre_tags.items():
        text = text.replace(key, value)
    return text


_BLOCK_TAGS = frozenset({"p", "h2", "h3", "blockquote", "ul", "ol", "li", "figure", "figcaption"})
_TOKEN = re.compile(r"<(/?)([a-z0-9]+)\b[^>]*>|[^<]+", re.IGNORECASE)
_EMPTY_ELEMENT = re.compile(
    r"<(p|h2|h3|blockquote|ul|ol|li|figure|figcaption|strong|em|a)\b[^>]*>"
    r"(?:\s|&nbsp;|&#160;|\u00a0)*</\1>"
)


def _tidy(body: str) -> str:
    """Wrap text left loose at the top level (from removed divs, tables, block markup) in
    paragraphs, split at blank lines; drop elements left empty. `body` is sanitized HTML."""
    blocks: list[str] = []
    loose: list[str] = []
    depth = 0

    def flush():
        run = "".join(loose)
        loose.clear()
        for part in re.split(r"\n\s*\n", run):
            if part.strip():
                blocks.append(f"<p>{part.strip()}</p>\n")

    for match in _TOKEN.finditer(body):
        token, tag = match.group(), (match[2] or "").lower()
        if tag in _BLOCK_TAGS and match[1]:
            depth = max(depth - 1, 0)
            blocks.append(token)
            if depth == 0:
                blocks.append("\n")
        elif tag in _BLOCK_TAGS:
            if depth == 0:
                flush()
            depth += 1
            blocks.append(token)
        elif depth == 0:
            loose.append(token)
        else:
            blocks.append(token)
    flush()
    result = "".join(blocks)
    previous = None
    while previous != result:
        previous, result = result, _EMPTY_ELEMENT.sub("", result)
    result = re.sub(r"<p>\s+", "<p>", re.sub(r"\s+</p>", "</p>", result))
    return "\n".join(line.strip() for line in result.splitlines() if line.strip())


# -- XML helpers -------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@functools.cache
def _prefixed(tag: str) -> str:
    """`{https://wordpress.org/export/1.2/}post_id` → `wp:post_id`, whatever the version."""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    for prefix, pattern in _NAMESPACES.items():
        if pattern.fullmatch(namespace):
            return f"{prefix}:{local}"
    return tag


def _fields(element: Element) -> dict[str, str]:
    """The element's children as prefixed name → text (the first of each name)."""
    fields: dict[str, str] = {}
    for child in element:
        fields.setdefault(_prefixed(child.tag), child.text or "")
    return fields


def _plain(value: str) -> str:
    """Plain text from a WordPress field that may hold markup or entities."""
    return " ".join(html.unescape(strip_tags(value or "")).split())
