"""Readers' pages of an arranged front: the home page at / once editors arrange it, and
every other front (not a section's) at /front/<slug>/."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles.models import Article
from caching import keys
from fronts.models import HOME, Front
from fronts.resolve import resolve


def arranged(request, slug: str = HOME):
    """The page of the front at `slug` as editors arranged it, or None when it has no
    collections (the page then lists the newest stories, as before fronts)."""
    layout = Front.objects.layout_for(slug)
    if layout is None or not layout.arranged:
        return None
    shown = showing(layout)
    if not shown:
        return None
    return _render(request, layout, shown)


@require_safe
def front_page(request, slug: str):
    """A front of its own at /front/<slug>/ (an election, a series), as editors arranged it;
    a scheduled layout that replaces it shows here in its window.

    Home and section fronts have their own pages, to which their /front/ address redirects;
    a scheduled layout has no address of its own. A front with no collections is not
    published yet (404, like an unknown slug); one whose collections have nothing live now
    is: it says so (200), and fills as stories go live."""
    if slug == HOME:
        return HttpResponsePermanentRedirect(Front(slug=HOME).get_absolute_url())
    layout = Front.objects.select_related("replaces__section", "section").layout_for(slug)
    if layout is None:
        raise Http404("No such front.")
    front = layout.replaces or layout
    if front.section_id:
        return HttpResponsePermanentRedirect(front.get_absolute_url())
    if not layout.arranged:
        raise Http404("This front has nothing arranged yet.")
    return _render(request, layout, showing(layout), title=heading(layout))


def _render(request, layout: Front, shown: list, *, title: str = ""):
    """The page of `layout` showing `shown`, tagged with what it shows: the front and the
    layout showing, every story on it, and the list of all stories (a story published
    anywhere may backfill it)."""
    stories = attached(request, shown)
    keys.add(request, *layout_keys(layout), keys.ALL_LISTS, *(keys.of(s) for s in stories))
    return render(
        request, "fronts/front.html", {"front": layout, "collections": shown, "title": title}
    )


def showing(layout: Front) -> list:
    """The collections of `layout` that have stories to show now (fronts/resolve.py)."""
    return [collection for collection in resolve(layout) if collection.items]


def attached(request, shown: list) -> list[Article]:
    """The stories of `shown` (showing()'s collections), with the sections and bylines their
    cards name attached (their pictures came with resolve())."""
    from articles.views import attach_sections

    stories = [item.article for collection in shown for item in collection.items]
    if stories:
        attach_sections(request, stories)
        Article.objects.attach_byline_authors(stories)
    return stories


def layout_keys(layout: Front) -> list[str]:
    """The keys of a page showing `layout`: its front's and, for a scheduled layout, the
    front's it replaces (fronts/changes.py purges both)."""
    return [
        keys.named(Front, layout.pk),
        keys.named(Front, layout.replaces_id) if layout.replaces_id else "",
    ]


def heading(layout: Front) -> str:
    """The h1 of the page showing `layout`: the name of the front at its own address, the
    site's (unseen) on the home page and a section's page."""
    shown_at = layout.replaces if layout.replaces_id else layout
    return "" if shown_at.slug == HOME or shown_at.section_id else shown_at.name


def section_collections(request, section) -> list:
    """The collections of `section`'s front with stories to show (none if not arranged),
    their stories' sections and bylines attached, the page tagged with the front."""
    layout = Front.objects.layout_for(section=section)
    if layout is None or not layout.arranged:
        return []
    shown = showing(layout)
    stories = attached(request, shown)
    keys.add(request, *layout_keys(layout), *(keys.of(story) for story in stories))
    return shown
