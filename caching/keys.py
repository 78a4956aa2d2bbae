"""Surrogate keys: what a page shows, named so that a change can find every page showing it.

A page is tagged with a key per object it displays (`article:12`, `section:3`, `tag:7`,
`author:5`) and per list it shows (`list:all` for the front page, feeds, sitemaps, search and
the API's lists; `list:section:3` for a section's stories; `list:fronts` for the sitemap,
which lists fronts and ranks the home front's stories…). Every page also carries `site`,
which purges everything at once. Keys go out in the `Surrogate-Key` header (Fastly's name;
deploy/varnish/newsroom.vcl hands them to xkey) and come back in purges.
"""

from django.db import models

SITE = "site"
ALL_LISTS = "list:all"
ALL_FRONTS = "list:fronts"  # purged with every change of a front's layout (fronts/changes.py)


def of(instance: models.Model) -> str:
    """The key naming one object: its model's name and primary key."""
    return named(type(instance), instance.pk)


def named(model: type[models.Model], pk) -> str:
    return f"{model._meta.model_name}:{pk}"


def listing(model: type[models.Model], pk) -> str:
    """The key of the stories listed under one object (a tag's stories, say)."""
    return f"list:{named(model, pk)}"


def add(request, *names: str) -> None:
    """Tag the page being rendered for `request` with `names`."""
    if not hasattr(request, "surrogate_keys"):
        request.surrogate_keys = set()
    request.surrogate_keys.update(name for name in names if name)


def header(request) -> str:
    """The page's keys; a page that named none lists stories (feeds, sitemaps, the API...):
    any change of a story may change it."""
    return " ".join([SITE, *sorted(getattr(request, "surrogate_keys", None) or {ALL_LISTS})])
