from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.models import Section


def sections_of(request) -> list[Section]:
    """Every section, in navigation order: read once per request by whoever needs it first
    (the navigation, the front page's rails, a section front finding its section)."""
    if not hasattr(request, "_newsroom_sections"):
        request._newsroom_sections = list(Section.objects.all())
    return request._newsroom_sections


def site(request):
    """The site's name and its navigation, on every page."""
    return {
        "site_name": settings.SITE_NAME,
        "twitter_site": settings.SITE_TWITTER,
        # Lazy: read only by templates that render the navigation.
        "nav_sections": SimpleLazyObject(lambda: sections_of(request)),
    }
