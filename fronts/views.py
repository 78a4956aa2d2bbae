"""Readers' pages of an arranged front: the home page at / once editors arrange it."""

from django.shortcuts import render

from articles.models import Article
from caching import keys
from fronts.models import HOME, Front
from fronts.resolve import resolve


def arranged(request, slug: str = HOME):
    """The page of the front at `slug` as editors arranged it, or None when it has no
    collections (the page then lists the newest stories, as before fronts)."""
    from articles.views import attach_sections

    layout = Front.objects.layout_for(slug)
    if layout is None or not layout.arranged:
        return None
    shown = [collection for collection in resolve(layout) if collection.items]
    if not shown:
        return None
    stories = [item.article for collection in shown for item in collection.items]
    attach_sections(request, stories)
    Article.objects.attach_byline_authors(stories)  # their pictures came with them (resolve)
    keys.add(
        request,
        keys.named(Front, layout.pk),
        keys.named(Front, layout.replaces_id) if layout.replaces_id else "",
        keys.ALL_LISTS,  # a story published anywhere may backfill it
        *(keys.of(story) for story in stories),
    )
    return render(request, "fronts/front.html", {"front": layout, "collections": shown})


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
