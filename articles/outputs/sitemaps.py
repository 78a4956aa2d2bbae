"""The sitemaps: one per kind of public page, the views that serve them, and Google News's.

`/sitemap.xml` lists every URL in one file, and turns into an index of `/sitemap-<kind>.xml?p=N`
pages once the URLs outgrow one file; each kind lists only what has live stories.
`/news-sitemap.xml` lists the stories of the last two days. Every location is absolute on
SITE_URL (see `articles.outputs.links`), never on the request's host.
"""

from datetime import UTC, timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import F, Max
from django.db.models.functions import Greatest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from taggit.models import Tag

from articles.models import Article, Author, Section
from articles.outputs.links import absolute_url

# Google News takes stories published in the last two days, at most 1,000 per sitemap:
# https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
NEWS_SITEMAP_WINDOW = timedelta(hours=48)
NEWS_SITEMAP_LIMIT = 1000


def _changed_at(story_path=""):
    # When a page last changed for a crawler: a story's last edit, or its going live if later
    # (a story scheduled ahead goes live long after its last save).
    return Greatest(f"{story_path}updated_at", f"{story_path}publish_at")


class NewsroomSitemap(Sitemap):
    """Absolute URLs on SITE_URL (not the request's host), pages of SITEMAP_PAGE_SIZE URLs."""

    @property
    def limit(self):
        return settings.SITEMAP_PAGE_SIZE

    # Django writes each location as `<protocol>://<domain><path>`: the site's own root, split
    # in two, makes that absolute_url(path).
    @property
    def protocol(self):
        return absolute_url("").split("://", 1)[0]

    def get_domain(self, site=None):
        return absolute_url("").split("://", 1)[1]

    @cached_property
    def paginator(self):
        # Django builds a new paginator, and so counts again, on every access.
        return Paginator(self.items(), self.limit)

    def lastmod(self, item):
        # Whole seconds in UTC, so the template can print `.isoformat` as W3C Datetime: the
        # date filter costs seconds on a page of 50,000 URLs.
        return item.last_changed_at.astimezone(UTC).replace(microsecond=0)

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("last_changed_at"))["latest"]


class StorySitemap(NewsroomSitemap):
    def items(self):
        return (
            Article.objects.published()
            .annotate(last_changed_at=_changed_at())
            .only("slug", "publish_at", "created_at")
            .order_by("-publish_at", "-pk")
        )


class SectionSitemap(NewsroomSitemap):
    def items(self):
        return (
            Section.objects.filter(articles__in=Article.objects.published())
            .annotate(last_changed_at=Max(_changed_at("articles__")))
            .only("slug")
            .order_by("position", "slug")
        )


class TagSitemap(NewsroomSitemap):
    def items(self):
        return (
            Tag.objects.filter(
                articles_taggedarticle_items__content_object__in=Article.objects.published()
            )
            .annotate(
                last_changed_at=Max(_changed_at("articles_taggedarticle_items__content_object__"))
            )
            .only("slug")
            .order_by("slug")
        )

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})


class AuthorSitemap(NewsroomSitemap):
    def items(self):
        return (
            Author.objects.filter(bylines__article__in=Article.objects.published())
            .annotate(last_changed_at=Max(_changed_at("bylines__article__")))
            .only("slug")
            .order_by("slug")
        )


SITEMAPS = {
    "stories": StorySitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def _sitemaps():
    # Fresh instances per request: each caches its page count for the length of one response.
    return {name: sitemap_class() for name, sitemap_class in SITEMAPS.items()}


@require_safe
def sitemap(request):
    """`/sitemap.xml`: every URL in one file, or an index of pages once that grows too long."""
    sitemaps = _sitemaps()
    if sum(site.paginator.count for site in sitemaps.values()) <= settings.SITEMAP_PAGE_SIZE:
        return sitemap_views.sitemap(request, sitemaps, template_name="sitemaps/sitemap.xml")
    response = sitemap_views.index(
        request,
        {name: site for name, site in sitemaps.items() if site.paginator.count},
        template_name="sitemaps/sitemap_index.xml",
        sitemap_url_name="articles:sitemap-section",
    )
    # Django's index names its pages on the request's host (django.contrib.sites is not
    # installed); the response is not rendered yet, so point them at SITE_URL instead.
    for entry in response.context_data["sitemaps"]:
        parts = urlsplit(entry.location)
        entry.location = absolute_url(urlunsplit(("", "", parts.path, parts.query, "")))
    return response


@require_safe
def sitemap_section(request, section):
    """One kind of page (`stories`, `sections`, …), paginated with `?p=` as the index lists it."""
    return sitemap_views.sitemap(
        request, _sitemaps(), section=section, template_name="sitemaps/sitemap.xml"
    )


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
