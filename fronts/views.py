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
    shown = [collection for collection in resolve(layout) if collection.items]
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
    shown = [collection for collection in resolve(layout) if collection.items]
    return _render(request, layout, shown, title=front.name)


def _render(request, layout: Front, shown: list, *, title: str = ""):
    """The page of `layout` showing `shown`, tagged with what it shows: the front and the
    layout showing, every story on it, and the list of all stories (a story published
    anywhere may backfill it)."""
    from articles.views import attach_sections

    stories = [item.article for collection in shown for item in collection.items]
    if stories:
        attach_sections(request, stories)
        Article.objects.attach_byline_authors(stories)  # their pictures came with resolve()
    keys.add(
        request,
        keys.named(Front, layout.pk),
        keys.named(Front, layout.replaces_id) if layout.replaces_id else "",
        keys.ALL_LISTS,
        *(keys.of(story) for story in stories),
    )
    return render(
        request, "fronts/front.html", {"front": layout, "collections": shown, "title": title}
    )


def section_collections(request, section) -> list:
    """The collections of `section`'s front with stories to show (none if not arranged),
    their stories' sections and bylines attached, the page tagged with the front."""
    from articles.views import attach_sections

    layout = Front.objects.layout_for(section=section)
    if layout is None or not layout.arranged:
        return []
    shown = [collection for collection in resolve(layout) if collection.items]
    stories = [item.article for collection in shown for item in collection.items]
    if stories:
        attach_sections(request, stories)
        Article.objects.attach_byline_authors(stories)
    keys.add(
        request,
        keys.named(Front, layout.pk),
        keys.named(Front, layout.replaces_id) if layout.replaces_id else "",
        *(keys.of(story) for story in stories),
    )
    return shown
