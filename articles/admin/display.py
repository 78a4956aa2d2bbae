"""How the desk shows times: short, local, in a <time> element."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html


def short_time(moment) -> str:
    """Format a time as "Nov. 27, 7:48 a.m.", with the year only when it is not this year."""
    local = timezone.localtime(moment)
    same_year = local.year == timezone.localtime().year
    return date_format(local, "N j, P" if same_year else "N j, Y, P")


def time_tag(moment):
    if moment is None:
        return "—"
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), short_time(moment))
