from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def isotime(value):
    """An aware datetime as ISO 8601 to the second in local time, valid in <time datetime>."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""
