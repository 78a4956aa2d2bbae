"""One sitemap per kind of public page, each listing only what has live stories.

Django's sitemap views (`articles.outputs.crawlers` wires them) call these; `/sitemap.xml`
turns into an index of `/sitemap-<kind>.xml?p=N` pages once the URLs outgrow one file.
"""

from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.functional import cached_property
from taggit.models import Tag

from articles.models import Article, Author, Section


def _changed_at(story_path=""):
    # When a page last changed for a crawler: a story's last edit, or its going live if later
    # (a story scheduled ahead goes live long after its last save).
    return Greatest(f"{story_path}updated_at", f"{story_path}publish_at")


class NewsroomSitemap(Sitemap):
    """Absolute URLs on SITE_URL (not the request's host), pages of SITEMAP_PAGE_SIZE URLs."""

    @property
    def limit(self):
        return settings.SITEMAP_PAGE_SIZE

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return settings.SITE_URL.split("://", 1)[1]

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
