"""The Jinja2 environment for the readers' pages (templates/jinja2/).

Django's template engine costs several milliseconds a page on the story and front pages, most
of it in the story cards repeated down a listing; Jinja2 compiles templates to Python and its
macros are cheap to call in a loop. The admin, sitemaps and robots.txt stay on Django's engine.

The globals and filters below are the few Django tags and filters the templates use, with the
same output: dates are formatted in the site's time zone with Django's format strings, static
addresses come from the storage's manifest, strings go through Django's translations.
"""

import functools
from datetime import datetime

import jinja2
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import truncatewords
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, timezone, translation

from articles.templatetags.newsroom import absolute, isotime
from images import body as images_body
from images import delivery as images_delivery


def url(name: str, *args, **kwargs) -> str:
    """`{% url name arg %}`: the path of a named route."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(urlconf, get_script_prefix(), name, args, tuple(sorted(kwargs.items())))


# reverse() costs tens of microseconds and every page asks for the same few routes (the front
# page, the feeds, search, each tag) several times. Keyed by what reverse() reads, like
# articles/addresses.py, and by the root URLconf too, which tests may swap.
@functools.lru_cache(maxsize=4096)
def _reverse(urlconf, prefix: str, name: str, args: tuple, kwargs: tuple) -> str:
    return reverse(name, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)


def date(value, format_string: str) -> str:
    """Django's `|date:"N j, Y"`: a datetime in the current time zone, Django's format."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = timezone.template_localtime(value)
    return dateformat.format(value, format_string)


def now(format_string: str) -> str:
    """`{% now "Y" %}`: the current time in the current time zone, Django's format."""
    return dateformat.format(timezone.localtime(), format_string)


@jinja2.pass_context
def querystring(context, **changes) -> str:
    """`{% querystring page=2 %}`: the request's query string with `changes` (None removes)."""
    query = context["request"].GET
    params = query.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    if not params and not query:
        return ""
    return f"?{params.urlencode()}"


def environment(**options) -> jinja2.Environment:
    # Django's templates keep a file's last newline; so do these, for the same bytes out.
    options.setdefault("keep_trailing_newline", True)
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_translations(translation, newstyle=True)
    env.globals.update(
        url=url,
        static=static,
        now=now,
        querystring=querystring,
        picture_of=images_delivery.picture_of,
        body_with_pictures=images_body.for_page,
    )
    env.filters.update(
        absolute=absolute,
        isotime=isotime,
        date=date,
        intcomma=intcomma,
        truncatewords=truncatewords,
    )
    return env
