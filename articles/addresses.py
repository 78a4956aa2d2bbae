"""Public addresses of stories, sections and authors, made without a reverse() for each.

A page links to dozens of stories, sections and authors, and reverse() costs tens of
microseconds each. tests/test_pages.py checks both against reverse().
"""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone


def story_path(slug: str, when) -> str:
    """The story URL for `slug` published at `when` (its local date in TIME_ZONE): the
    pattern of "articles:detail", written out."""
    day = timezone.localtime(when).date()
    return f"{get_script_prefix()}{day.year:04d}/{day.month:02d}/{day.day:02d}/{slug}/"


def slug_path(name: str, slug: str) -> str:
    """reverse(name, kwargs={"slug": slug}), remembered: a page names the same few sections
    and authors many times (navigation, cards, bylines)."""
    return _slug_path(get_urlconf(), get_script_prefix(), name, slug)


@functools.lru_cache(maxsize=4096)
def _slug_path(urlconf, prefix: str, name: str, slug: str) -> str:
    return reverse(name, urlconf=urlconf, kwargs={"slug": slug})
