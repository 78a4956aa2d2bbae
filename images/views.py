"""Originals and renditions from local disk, when no object storage is set: the app serves
MEDIA_URL itself, in production too (debug or not), with a year's caching; a CDN or Varnish
in front keeps them after the first request. With MEDIA_STORAGE_URL, pages name the store's
(or its CDN's) URLs and this view is not routed."""

from django.conf import settings
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve


@require_safe
def media(request, path: str):
    parts = path.split("/")
    if parts[0] != "images" or not parts[-1] or any(part in ("", ".", "..") for part in parts):
        raise Http404("Not a picture")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = settings.MEDIA_CACHE_CONTROL
    response["Cross-Origin-Resource-Policy"] = "same-site"
    return response
