from datetime import date

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.template.response import TemplateResponse
from django.views.generic import ListView
from taggit.models import Tag

from articles.models import Article, Author, Section

LATEST_COUNT = 12
RAIL_COUNT = 4


def front_page(request):
    live = Article.objects.published().for_listing()
    # The newest featured story leads; without one, the newest story.
    lead = live.order_by("-featured", "-publish_at", "-pk").first()
    latest = list(live.exclude(pk=getattr(lead, "pk", None))[:LATEST_COUNT])
    sections = list(Section.objects.all())
    rails = {section.pk: [] for section in sections}
    for article in live.latest_per_section(RAIL_COUNT).order_by("-publish_at", "-pk"):
        rails[article.section_id].append(article)
    section_rails = [(section, rails[section.pk]) for section in sections if rails[section.pk]]
    return render(
        request,
        "articles/front_page.html",
        {"lead": lead, "latest": latest, "section_rails": section_rails},
    )


def article_detail(request, year, month, day, slug):
    article = get_object_or_404(
        Article.objects.select_related("section").prefetch_related("tags", "corrections"),
        slug=slug,
    )
    if not article.is_live:
        if article.is_withdrawn:
            return TemplateResponse(
                request, "articles/article_gone.html", {"article": article}, status=410
            )
        raise Http404("No live story at this address.")
    try:
        requested = date(year, month, day)
    except ValueError:
        raise Http404("No such date.") from None
    if requested != article.url_date():
        return HttpResponsePermanentRedirect(article.get_absolute_url())
    bylines = article.bylines.select_related("author")
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "authors": [b.author for b in bylines],
            "current_section_slug": article.section.slug,
        },
    )


class StoryListView(ListView):
    """A paginated list of live stories belonging to one section, tag or author."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    listing_kind = ""

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_owner(self):
        raise NotImplementedError

    def filter_stories(self, stories):
        raise NotImplementedError

    def get_queryset(self):
        self.owner = self.get_owner()
        return self.filter_stories(Article.objects.published()).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(owner=self.owner, listing_kind=self.listing_kind, **kwargs)


class SectionView(StoryListView):
    listing_kind = "section"

    def get_owner(self):
        return get_object_or_404(Section, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.in_section(self.owner)

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_section_slug=self.owner.slug, **kwargs)


class TagView(StoryListView):
    listing_kind = "tag"

    def get_owner(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.tagged(self.owner.slug)


class AuthorView(StoryListView):
    listing_kind = "author"

    def get_owner(self):
        return get_object_or_404(Author, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.by_author(self.owner)


def server_error(request):
    """The 500 page, rendered without context processors: the database may be what failed."""
    html = loader.get_template("500.html").render({"site_name": settings.SITE_NAME})
    return HttpResponseServerError(html)
