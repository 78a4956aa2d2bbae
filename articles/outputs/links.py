"""Absolute links on the public site, for everything read away from it (feeds, sitemaps,
structured data, share tags, ninjs, the API, the commands' summaries).

Built from settings.SITE_URL, never from the request's host: behind a CDN or a proxy the
host a request names is not the public one, and a command has no request at all.
"""

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """Return a site path (or a storage URL, which may already be absolute) as an absolute URL."""
    if urlsplit(path).scheme:
        return path
    if path.startswith("//"):
        return f"{urlsplit(settings.SITE_URL).scheme}:{path}"
    return settings.SITE_URL + path
