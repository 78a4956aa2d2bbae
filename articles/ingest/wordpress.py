"""WordPress exports (WXR): reading them and turning each post into what its story will hold.

Everything here is pure — bytes in, `WxrPost` records out — so it can be tested without a
database; wordpress_stories.py finds or makes each post's section, author and story. The XML
itself is read in wordpress_xml.py, and a post's body converted in wordpress_body.py.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from django.utils.text import slugify

from articles.ingest import wordpress_media
from articles.ingest.pictures import PictureRef
from articles.ingest.wordpress_addresses import identity, last_part, old_paths, source_uri
from articles.ingest.wordpress_body import convert_body
from articles.ingest.wordpress_xml import WxrError, fields_of, parse_channel, plain, prefixed
from articles.models import Article

HEADLINE_MAX_LENGTH = 200  # Article.headline
# Article.slug is 200 long; this leaves room for a "-12" style suffix when the slug is taken.
SLUG_BASE_MAX_LENGTH = 190
TAG_MAX_LENGTH = 100  # taggit's Tag.name
_ZERO_DATE = "0000-00-00 00:00:00"
_LOGIN_JUNK = re.compile(r"[^\w .@-]")
# WordPress's placeholder category, not an editorial grouping: such posts get the default section.
UNCATEGORIZED = "uncategorized"

# Post statuses WordPress exports, and the story status each asks of the publishing door.
# "future" is a scheduled post: published at a time still to come (or already past, if the
# export is older).
PUBLISHED, UNPUBLISHED = Article.Status.PUBLISHED.value, Article.Status.UNPUBLISHED.value
DRAFT, REVIEW = Article.Status.DRAFT.value, Article.Status.REVIEW.value
_STATUSES = {"publish": PUBLISHED, "future": PUBLISHED, "draft": DRAFT, "pending": REVIEW}
_NOT_STORIES = {"trash", "auto-draft", "inherit"}


@dataclass(frozen=True)
class Category:
    nicename: str
    name: str
    description: str = ""


@dataclass
class WxrPost:
    """One WordPress post, mapped to what its story will hold."""

    source: str
    post_id: int | None  # None: an export without wp:post_id (found again by guid, link, title)
    headline: str
    slug_base: str
    dek: str
    body: str
    status: str  # the story status asked for: PUBLISHED, DRAFT, REVIEW or UNPUBLISHED
    date: datetime | None  # when it goes (or went) live, for a post to be published
    featured: bool
    author_name: str | None
    category: Category | None  # the section's category (top level); None: the default section
    tags: list[str]
    old_paths: list[str]  # the WordPress permalink path and /?p=<id>, as get_full_path() gives
    # `wordpress:<site>/?p=<id>` (or the guid, link or title when the export has no post ids):
    # finds the story again on a later run, even with several sites.
    source_uri: str = ""
    label: str = ""  # “post 12”, or “item 3” in an export without post ids
    wp_status: str = "publish"
    is_protected: bool = False
    stripped: Counter = field(default_factory=Counter)  # kind -> occurrences
    shortcodes: Counter = field(default_factory=Counter)  # name -> occurrences
    not_carried: Counter = field(default_factory=Counter)  # comments, featured images
    picture: PictureRef | None = None  # the featured image, for --fetch-images
    # The pictures the body shows, by the address its imgs give, for --fetch-images.
    body_pictures: dict[str, PictureRef] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class WxrExport:
    source: str
    item_count: int
    posts: list[WxrPost]
    skipped: Counter  # item type (or "post (trash)") -> count
    problems: list[str]  # items that cannot be imported, one line each


@dataclass(frozen=True)
class _Site:
    """What an export says about its whole site, for reading each of its posts."""

    source: str
    url: str
    authors: dict[str, str]  # login -> name
    categories: dict[str, Category]  # nicename -> category
    parents: dict[str, str]  # nicename -> parent's nicename
    tz: tzinfo
    name: str = ""  # the site's title: its pictures' credit
    media: dict[str, Element] = field(default_factory=dict)  # attachment items by post id
    files: dict[str, Element] = field(default_factory=dict)  # attachment items by file


def read_export(data: bytes, *, source: str, tz: tzinfo) -> WxrExport:
    """Parse a WXR file's bytes; raise WxrError when it is not a WordPress export with posts.

    Local post dates (used when an export lacks the GMT date) are read in `tz`.
    """
    channel = parse_channel(data)
    items = channel.findall("item")
    site = _site(channel, source, tz, items)
    posts, problems, skipped = [], [], Counter()
    keys: set[str] = set()  # each post's source id, for exports without post ids
    for number, item in enumerate(items, start=1):
        fields = fields_of(item)
        kind = fields.get("wp:post_type", "post").strip() or "post"
        wp_status = fields.get("wp:status", "publish").strip() or "publish"
        if kind != "post":
            skipped[kind] += 1
        elif wp_status in _NOT_STORIES:
            skipped[f"post ({wp_status})"] += 1
        else:
            try:
                posts.append(_read_post(item, fields, site, number=number, keys=keys))
            except WxrError as problem:
                title = plain(fields.get("title", ""))[:60]
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


def _site(channel: Element, source: str, tz: tzinfo, items: list[Element]) -> _Site:
    authors, categories, parents = {}, {}, {}
    for element in channel:
        tag = prefixed(element.tag)
        fields = fields_of(element) if tag in {"wp:author", "wp:category"} else {}
        login = fields.get("wp:author_login", "").strip()
        nicename = fields.get("wp:category_nicename", "").strip()
        if tag == "wp:author" and login:
            full_name = " ".join(
                part
                for part in (fields.get("wp:author_first_name"), fields.get("wp:author_last_name"))
                if part and part.strip()
            )
            authors[login] = (
                plain(fields.get("wp:author_display_name", "")) or plain(full_name) or login
            )
        elif tag == "wp:category" and nicename:
            categories[nicename] = Category(
                nicename,
                plain(fields.get("wp:cat_name", "")) or nicename,
                plain(fields.get("wp:category_description", "")),
            )
            parents[nicename] = fields.get("wp:category_parent", "").strip()
    url = (fields_of(channel).get("wp:base_blog_url") or channel.findtext("link") or "").strip()
    name = wordpress_media.site_name(channel.findtext("title") or "", url)
    media = wordpress_media.attachments(items)
    files = wordpress_media.attachment_files(media)
    return _Site(source, url, authors, categories, parents, tz, name, media, files)


def _read_post(item: Element, fields, site: _Site, *, number: int, keys: set[str]) -> WxrPost:
    notes: list[str] = []
    status, date = _state(fields, site.tz, notes)
    title, when = plain(fields.get("title", "")), post_date(fields, site.tz)
    post_id, key = identity(fields, site.url, title=title, date=when, keys=keys)
    keys.add(key)
    body, stripped, shortcodes = convert_body(fields.get("content:encoded", ""))
    headline, headline_note = make_headline(
        fields.get("title", ""), fields.get("wp:post_name", ""), body
    )
    if headline_note:
        notes.append(headline_note)
    author_name = _author_name(fields, site.authors, notes)
    section_category, tags = _categories_and_tags(item, site.categories, site.parents)
    link = fields.get("link", "")
    return WxrPost(
        source=site.source,
        post_id=post_id,
        headline=headline,
        slug_base=make_slug_base(
            fields.get("wp:post_name", "") or last_part(link), headline, post_id
        ),
        dek=plain(fields.get("excerpt:encoded", "")),
        body=body,
        status=status,
        date=date,
        featured=fields.get("wp:is_sticky", "0").strip() == "1",
        author_name=author_name,
        category=section_category,
        tags=tags,
        old_paths=old_paths(link, post_id, site_url=site.url, notes=notes),
        source_uri=source_uri(site.url, key),
        label=f"post {post_id}" if post_id is not None else f"item {number}",
        wp_status=fields.get("wp:status", "publish").strip(),
        is_protected=bool(fields.get("wp:post_password", "").strip()),
        stripped=stripped,
        shortcodes=shortcodes,
        not_carried=_not_carried(item),
        picture=wordpress_media.featured_picture(item, site.media, site.name),
        body_pictures=wordpress_media.body_pictures(body, site.files, site.name, site.url),
        notes=notes,
    )


def _state(fields: dict[str, str], tz: tzinfo, notes: list[str]) -> tuple[str, datetime | None]:
    """The story status the post asks for, and when a post to be published goes live."""
    wp_status = fields.get("wp:status", "publish").strip()
    status = _STATUSES.get(wp_status)
    if wp_status == "private" or (
        fields.get("wp:post_password", "").strip() and status == PUBLISHED
    ):
        # Private and password-protected posts were never public; they must not become so.
        return UNPUBLISHED, None
    if status is None:
        notes.append(f"unknown WordPress status {wp_status!r}: imported as a draft")
        return DRAFT, None
    if status != PUBLISHED:
        return status, None
    date = post_date(fields, tz)
    if date is None:
        raise WxrError(
            f"status {wp_status!r} but no usable date (wp:post_date_gmt, wp:post_date or pubDate)"
        )
    return status, date


def _author_name(fields: dict[str, str], authors: dict[str, str], notes: list[str]) -> str | None:
    login = fields.get("dc:creator", "").strip()
    if login not in authors:
        # Stray characters around a login (seen in real exports: ">themereviewteam") are not
        # part of it: WordPress logins are letters, digits, spaces and _ . - @ only.
        login = _LOGIN_JUNK.sub("", login).strip() or login
    if login and login not in authors:
        notes.append(f"author {login!r} is not among the export's authors: byline uses the login")
    elif not login:
        notes.append("no author (dc:creator): no byline")
    return authors.get(login) or login or None


def _not_carried(item: Element) -> Counter:
    """What the post has that its story will not: comments, a featured image."""
    not_carried = Counter()
    comments = sum(1 for child in item if prefixed(child.tag) == "wp:comment")
    if comments:
        not_carried["comment"] = comments
    meta_keys = {
        fields_of(child).get("wp:meta_key", "").strip()
        for child in item
        if prefixed(child.tag) == "wp:postmeta"
    }
    if "_thumbnail_id" in meta_keys:
        not_carried["featured image"] = 1
    return not_carried


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
        name = plain(element.text or "")
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
    headline = plain(title)
    note = None
    if not headline:
        words = unquote(post_name).replace("-", " ").strip()
        if words and not words.isdigit():
            headline = words[0].upper() + words[1:]
            note = "no title: headline made from the WordPress slug"
        else:
            headline = " ".join(plain(body).split()[:12]) or "Untitled"
            note = "no title: headline made from the first words of the body"
    if len(headline) > HEADLINE_MAX_LENGTH:
        cut = headline[: HEADLINE_MAX_LENGTH - 1]
        if " " in cut[HEADLINE_MAX_LENGTH // 2 :]:
            cut = cut.rsplit(" ", 1)[0]
        note = f"headline shortened from {len(headline)} characters"
        headline = cut.rstrip(" ,;:-–—") + "…"
    return headline, note


def make_slug_base(post_name: str, headline: str, post_id: int | None = None) -> str:
    """An ASCII slug from the WordPress slug (percent-encoded when not ASCII), else the
    headline, short enough to take a `-2` suffix."""
    for candidate in (unquote(post_name), headline):
        slug = slugify(candidate)
        if len(slug) > SLUG_BASE_MAX_LENGTH:
            slug = slug[:SLUG_BASE_MAX_LENGTH].rsplit("-", 1)[0]
        if slug.strip("-"):
            return slug.strip("-")
    return "post" if post_id is None else f"post-{post_id}"
