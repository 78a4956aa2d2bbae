"""The sitemaps: one per kind of public page, the views that serve them, and Google News's.

`/sitemap.xml` lists every URL in one file, and turns into an index of `/sitemap-<kind>.xml?p=N`
pages once the URLs outgrow one file (SITEMAP_PAGE_SIZE); each kind lists only what has live
stories (the fronts at /front/<slug>/: those with a collection). The stories the home front
shows carry a `<priority>` from their place on it; every other URL carries none, which
crawlers read as the default, 0.5. `/news-sitemap.xml` lists the stories of the last two days
and has no priority in its format. Every location is absolute on SITE_URL (see
`articles.outputs.links`), never on the request's host.

The urlsets and the index are written out as strings rather than through
django.contrib.sitemaps, whose dict per URL, reverse() per story and template loop cost seconds
for each page of a large archive: a page of stories is one query of three columns (two queries
past the first page) and `articles.addresses` for the paths, plus the home front's layout and,
once it is arranged, its stories (fronts.resolve: a constant few); a page of sections, tags or
authors one grouped query, of fronts one query; and the index one COUNT per kind and one look
at the newest change of each.
"""

import re
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from taggit.models import Tag

from articles.addresses import slug_path, story_path
from articles.models import Article, Author, Byline, Section, TaggedArticle
from articles.outputs.links import absolute_url
from articles.outputs.xmltext import xml_safe
from caching import keys
from fronts.models import HOME, Collection, Front, FrontRevision
from fronts.resolve import resolve
from fronts.views import layout_keys

# Google News takes stories published in the last two days, at most 1,000 per sitemap:
# https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
NEWS_SITEMAP_WINDOW = timedelta(hours=48)
NEWS_SITEMAP_LIMIT = 1000

XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWEST_FIRST = ("-publish_at", "-pk")
# The home front's first story ranks 1.0, each next one a tenth lower, down to 0.6: above the
# 0.5 of every URL without a priority.
TOP_PRIORITY_TENTHS, LOWEST_PRIORITY_TENTHS = 10, 6
# `?p=` as the index writes it; anything else (0, -1, 1.5, 01, abc, a number past any archive)
# is a page that does not exist.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,6}")

Url = tuple[str, datetime]  # an escaped absolute location, and when that page last changed


def _w3c(moment: datetime) -> str:
    """W3C Datetime as sitemaps.org asks: whole seconds, in UTC."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _changed_at():
    # When a page last changed for a crawler: a story's last edit, or its going live if later
    # (a story scheduled ahead goes live long after its last save).
    return Greatest("updated_at", "publish_at")


def _newest_change(*having: Exists) -> datetime | None:
    """The newest `_changed_at()` among the live stories that match `having`, read without
    visiting every story."""
    # It is the newest publish time (an index reads it), unless a story was saved after that:
    # only the stories saved since (found on the updated_at index; usually a handful) are read.
    live = Article.objects.published().filter(*having).order_by("-publish_at")
    newest = Subquery(live.values("publish_at")[:1])
    saved_since = Article.objects.filter(*having, updated_at__gte=newest).values("pk")
    edited = Article.objects.published().filter(pk__in=saved_since).order_by("-updated_at")
    # One query: the newest story's publish time, beside the newest later edit if any.
    row = (
        live.annotate(edited_at=Subquery(edited.values("updated_at")[:1]))
        .values_list("edited_at", "publish_at")
        .first()
    )
    return row and (row[0] or row[1])


def _story_rows(start: int, size: int) -> list[tuple[str, datetime, datetime]]:
    """(slug, publish_at, updated_at) of the live stories from `start`, newest first."""
    live = Article.objects.published()
    skip = start
    if start:
        # OFFSET would read every story before `start` on PostgreSQL, sorted by (publish_at,
        # pk), which no index holds. The publish time at `start` and the number of stories
        # published after it come from the (status, publish_at) index alone; the page then
        # starts at that time and skips only the stories that share it.
        at = Subquery(live.order_by("-publish_at").values("publish_at")[start : start + 1])
        edge = live.filter(publish_at__gte=at).aggregate(
            at=Min("publish_at"), ahead=Count("publish_at", filter=Q(publish_at__gt=at))
        )
        if edge["at"] is None:
            return []
        live = live.filter(publish_at__lte=edge["at"])
        skip = start - edge["ahead"]
    rows = live.order_by(*NEWEST_FIRST).values_list("slug", "publish_at", "updated_at")
    return list(rows[skip : skip + size])


class StorySitemap:
    def count(self) -> int:
        return Article.objects.published().count()

    def latest(self) -> datetime | None:
        return _newest_change()

    def urls(self, start: int, size: int) -> list[Url]:
        return [
            (escape(absolute_url(story_path(slug, publish_at))), max(updated_at, publish_at))
            for slug, publish_at, updated_at in _story_rows(start, size)
        ]


class GroupSitemap:
    """A kind of listing (sections, tags, authors): those with live stories, in `order`."""

    link: str  # from a story to the listing
    order: tuple[str, ...]
    url_name: str
    same_latest_as: str | None = None  # a kind whose newest change is always this one's

    def groups(self) -> QuerySet:
        """The listings with a live story."""
        raise NotImplementedError

    def latest(self) -> datetime | None:
        """The newest change among the live stories in any of them."""
        raise NotImplementedError

    def count(self) -> int:
        return self.groups().count()

    def urls(self, start: int, size: int) -> list[Url]:
        # One pass over the live stories and their links, grouped: exact, but it reads every
        # live story's updated_at (the cost of this page grows with the archive).
        field = f"{self.link}__slug"
        rows = (
            Article.objects.published()
            .filter(**{f"{field}__isnull": False})
            .values(field)
            .annotate(changed_at=Max(_changed_at()))
            .order_by(*self.order)
            .values_list(field, "changed_at")[start : start + size]
        )
        return [
            (escape(absolute_url(slug_path(self.url_name, slug))), changed_at)
            for slug, changed_at in rows
        ]


class SectionSitemap(GroupSitemap):
    link = "section"
    order = ("section__position", "section__slug")
    url_name = "articles:section"

    def groups(self):
        return Section.objects.filter(
            Exists(Article.objects.published().filter(section=OuterRef("pk")))
        )

    # Every story has a section: the newest change of any story is the newest of a section
    # (and the index, which has just read the stories', uses theirs).
    same_latest_as = "stories"

    def latest(self):
        return _newest_change()


class TagSitemap(GroupSitemap):
    link = "tagged_items__tag"
    order = ("tagged_items__tag__slug",)
    url_name = "articles:tag"

    def groups(self):
        # From each tag's own links (an index) to its first live story: walking the live
        # stories until one has the tag would read most of them for a rarely used tag.
        live = Article.objects.published().filter(pk=OuterRef("content_object"))
        return Tag.objects.filter(
            Exists(TaggedArticle.objects.filter(Exists(live), tag=OuterRef("pk")))
        )

    def latest(self):
        tagged = TaggedArticle.objects.filter(content_object=OuterRef("pk"))
        return _newest_change(Exists(tagged))


class AuthorSitemap(GroupSitemap):
    link = "bylines__author"
    order = ("bylines__author__slug",)
    url_name = "articles:author"

    def groups(self):
        live = Article.objects.published().filter(pk=OuterRef("article"))
        return Author.objects.filter(
            Exists(Byline.objects.filter(Exists(live), author=OuterRef("pk")))
        )

    def latest(self):
        signed = Byline.objects.filter(article=OuterRef("pk"))
        return _newest_change(Exists(signed))


class FrontSitemap:
    """The fronts at their own address (/front/<slug>/): not home, not a section's, not a
    scheduled layout (which shows at its front's address); those with a collection."""

    def fronts(self) -> QuerySet:
        return Front.objects.filter(
            Exists(Collection.objects.filter(front=OuterRef("pk"))),
            section__isnull=True,
            replaces__isnull=True,
        ).exclude(slug=HOME)

    def with_changed_at(self) -> QuerySet:
        # What a front shows is worked out at each request: its page changed at the last
        # change of its layout, or when the newest story went live (it may backfill it).
        layout = FrontRevision.objects.filter(front=OuterRef("pk")).order_by("-version")
        story = Article.objects.published().order_by("-publish_at")
        return self.fronts().annotate(
            changed_at=Greatest(
                "updated_at",
                Coalesce(Subquery(layout.values("created_at")[:1]), "updated_at"),
                Coalesce(Subquery(story.values("publish_at")[:1]), "updated_at"),
            )
        )

    def count(self) -> int:
        return self.fronts().count()

    def latest(self) -> datetime | None:
        return self.with_changed_at().aggregate(latest=Max("changed_at"))["latest"]

    def urls(self, start: int, size: int) -> list[Url]:
        rows = self.with_changed_at().order_by("slug").values_list("slug", "changed_at")
        return [
            (escape(absolute_url(slug_path("articles:front-page", slug))), changed_at)
            for slug, changed_at in rows[start : start + size]
        ]


SITEMAPS = {
    "stories": StorySitemap,
    "sections": SectionSitemap,
    "fronts": FrontSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def _xml(document: str, last_modified: datetime | None) -> HttpResponse:
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    if last_modified is not None:
        # The page cache answers If-Modified-Since with it (caching.pages).
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    response.headers["X-Robots-Tag"] = "noindex, noarchive"
    return response


def _home_front_priorities(request) -> dict[str, str]:
    """{location: priority} of the stories the home front shows now, in its order (none
    while it is not arranged); the page is tagged with the front and the layout showing."""
    layout = Front.objects.layout_for(HOME)
    if layout is None:
        return {}
    keys.add(request, *layout_keys(layout))
    if not layout.arranged:
        return {}
    stories = [item.article for shown in resolve(layout) for item in shown.items]
    return {
        escape(absolute_url(story.get_absolute_url())): (
            f"{max(TOP_PRIORITY_TENTHS - place, LOWEST_PRIORITY_TENTHS) / 10:.1f}"
        )
        for place, story in enumerate(stories)
    }


def _tag(request) -> None:
    # Any story's change may change a sitemap, and any front's (the fronts listed, the home
    # front's order): without keys, a page is tagged with the list of all stories alone.
    keys.add(request, keys.ALL_LISTS, keys.ALL_FRONTS)


def _urlset(urls: list[Url], priorities: dict[str, str] | None = None) -> HttpResponse:
    priorities = priorities or {}
    entries = "".join(
        f"<url><loc>{loc}</loc><lastmod>{_w3c(changed_at)}</lastmod>"
        f"{f'<priority>{priorities[loc]}</priority>' if loc in priorities else ''}</url>\n"
        for loc, changed_at in urls
    )
    latest = max((changed_at for _, changed_at in urls), default=None)
    return _xml(f'{XML}<urlset xmlns="{SITEMAP_XMLNS}">\n{entries}</urlset>\n', latest)


def _index(sitemaps: dict, counts: dict[str, int]) -> HttpResponse:
    size = settings.SITEMAP_PAGE_SIZE
    entries = []
    newest = {}
    for name, site in sitemaps.items():
        if not counts[name]:
            continue  # a kind with nothing live has no page
        location = escape(absolute_url(reverse("articles:sitemap-section", args=[name])))
        # Django's convention, which crawlers already hold: each page carries its kind's
        # newest change.
        same_as = getattr(site, "same_latest_as", None)
        latest = newest[name] = newest[same_as] if same_as in newest else site.latest()
        lastmod = f"<lastmod>{_w3c(latest)}</lastmod>" if latest else ""
        pages = (counts[name] + size - 1) // size
        entries.extend(
            f"<sitemap><loc>{location}{f'?p={page}' if page > 1 else ''}</loc>{lastmod}</sitemap>\n"
            for page in range(1, pages + 1)
        )
    latest = max(filter(None, newest.values()), default=None)
    document = f'{XML}<sitemapindex xmlns="{SITEMAP_XMLNS}">\n{"".join(entries)}</sitemapindex>\n'
    return _xml(document, latest)


@require_safe
def sitemap(request):
    """`/sitemap.xml`: every URL in one file, or an index of pages once that grows too long."""
    _tag(request)
    sitemaps = {name: sitemap_class() for name, sitemap_class in SITEMAPS.items()}
    counts = {name: site.count() for name, site in sitemaps.items()}
    size = settings.SITEMAP_PAGE_SIZE
    if sum(counts.values()) > size:
        return _index(sitemaps, counts)
    return _urlset(
        [url for name, site in sitemaps.items() if counts[name] for url in site.urls(0, size)],
        _home_front_priorities(request) if counts["stories"] else {},
    )


@require_safe
def sitemap_section(request, section):
    """One kind of page (`stories`, `sections`, …), paginated with `?p=` as the index lists it."""
    if section not in SITEMAPS:
        raise Http404(f"No sitemap of {section}.")
    number = request.GET.get("p", "1")
    if not PAGE_NUMBER.fullmatch(number):
        raise Http404("No such sitemap page.")
    page = int(number)
    size = settings.SITEMAP_PAGE_SIZE
    urls = SITEMAPS[section]().urls((page - 1) * size, size)
    if not urls and page > 1:
        raise Http404("No such sitemap page.")
    _tag(request)
    return _urlset(urls, _home_front_priorities(request) if section == "stories" and urls else {})


@require_safe
def news_sitemap(request):
    """`/news-sitemap.xml`: live stories first published in the last 48 hours, newest first."""
    since = timezone.now() - NEWS_SITEMAP_WINDOW
    stories = (
        Article.objects.published()
        # Article.save() and the bulk writers stamp first_published_at on every published
        # story, so the (status, first_published_at) index answers this directly.
        .filter(first_published_at__gte=since)
        .annotate(first_live_at=F("first_published_at"))
        .only("headline", "slug", "publish_at", "created_at", "first_published_at")
        .order_by("-first_live_at", "-pk")[:NEWS_SITEMAP_LIMIT]
    )
    urls = [(absolute_url(story.get_absolute_url()), story) for story in stories]
    for _location, story in urls:
        story.headline = xml_safe(story.headline)  # see articles/outputs/xmltext.py
    response = render(
        request,
        "sitemaps/news.xml",
        {
            "urls": urls,
            "publication_name": settings.SITE_NAME,
            "publication_language": settings.SITE_LANGUAGE,
        },
        content_type="application/xml; charset=utf-8",
    )
    response.headers["X-Robots-Tag"] = "noindex, noarchive"
    return response
