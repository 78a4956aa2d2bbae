"""`/robots.txt`: where the sitemaps are, and what crawlers should leave alone."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from articles.outputs.links import absolute_url


@require_safe
def robots_txt(request):
    """Name both sitemaps and keep crawlers out of the desk, previews and search results."""
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
