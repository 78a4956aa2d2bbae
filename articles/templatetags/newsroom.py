from django import template
from django.utils import timezone

from articles.outputs.links import absolute_url

register = template.Library()


@register.filter
def isotime(value):
    """An aware datetime as ISO 8601 to the second in local time, valid in <time datetime>."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


@register.filter
def absolute(path):
    """A site path as an absolute URL on the public site (canonical links, share tags, feeds)."""
    return absolute_url(str(path)) if path else ""
