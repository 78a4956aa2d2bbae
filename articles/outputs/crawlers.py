"""What search engines read besides the pages: robots.txt, the sitemaps, the Google News sitemap.

Every URL here is built from settings.SITE_URL, never from the request's host: behind a CDN or a
proxy the host an app server sees is not the address readers and crawlers use.
"""

from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import F
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from articles.models import Article
from articles.outputs.sitemaps import SITEMAPS

# Google News takes stories published in the last two days, at most 1,000 per sitemap:
# https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
NEWS_SITEMAP_WINDOW = timedelta(hours=48)
NEWS_SITEMAP_LIMIT = 1000


def absolute_url(path: str) -> str:
    """Return `path` (or a storage URL) as an absolute URL on the public site."""
    if path.startswith(("http://", "https://")):
        return path
    if path.startswith("//"):
        return f"{urlsplit(settings.SITE_URL).scheme}:{path}"
    return settings.SITE_URL + path


def cached_for_crawlers(view):
    """Serve the view from the cache (Redis in production) for SITEMAP_CACHE_SECONDS.

    A sitemap of a large archive is an aggregate over every live story (about 2 s for 100,000
    stories on SQLite), and crawlers come back often: a few minutes' staleness costs nothing.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.SITEMAP_CACHE_SECONDS
        if not seconds:
            return view(request, *args, **kwargs)
        return cache_page(seconds, key_prefix="sitemaps")(view)(request, *args, **kwargs)

    return wrapped


def _sitemaps():
    # Fresh instances per request: each caches its page count for the length of one response.
    return {name: sitemap_class() for name, sitemap_class in SITEMAPS.items()}


@require_safe
@cached_for_crawlers
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
    site = urlsplit(settings.SITE_URL)
    for entry in response.context_data["sitemaps"]:
        parts = urlsplit(entry.location)
        entry.location = urlunsplit((site.scheme, site.netloc, parts.path, parts.query, ""))
    return response


@require_safe
@cached_for_crawlers
def sitemap_section(request, section):
    """One kind of page (`stories`, `sections`, …), paginated with `?p=` as the index lists it."""
    return sitemap_views.sitemap(
        request, _sitemaps(), section=section, template_name="sitemaps/sitemap.xml"
    )


@require_safe
@cached_for_crawlers
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


@require_safe
def robots_txt(request):
    """`/robots.txt`: where the sitemaps are, and what crawlers should leave alone."""
    return render(
        request,
        "robots.txt",
        {
            "disallow": ["/admin/", "/preview/", "/search/"],
            "sitemap_urls": [
                absolute_url(reverse("articles:sitemap")),
                absolute_url(reverse("articles:news-sitemap")),
            ],
        },
        content_type="text/plain; charset=utf-8",
    )
