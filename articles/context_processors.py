from django.conf import settings

from articles.models import Section


def site(request):
    """The site's name and its navigation, on every page."""
    return {
        "site_name": settings.SITE_NAME,
        "twitter_site": settings.SITE_TWITTER,
        # Lazy: evaluated only by templates that render the navigation.
        "nav_sections": Section.objects.only("name", "slug"),
    }
