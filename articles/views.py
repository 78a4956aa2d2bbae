from datetime import date

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from django.views.generic import ListView
from taggit.models import Tag

from articles import search
from articles.context_processors import sections_of
from articles.editorial import revisions
from articles.editorial.preview import article_pk_from
from articles.forms import SearchForm
from articles.models import Article, ArticleRedirect, Author, Correction
from articles.outputs import structured_data
from articles.pagination import UncountedPaginator
from caching import keys
from images import delivery as images_delivery

LATEST_COUNT = 12
RAIL_COUNT = 4


@require_safe
def front_page(request):
    from fronts.views import arranged

    if (page := arranged(request)) is not None:
        return page
    # Not arranged yet: the featured story leads, then the newest, then a rail per section.
    # The sections and bylines of every story on the page come at the end, for all at once.
    live = Article.objects.published().card_columns()
    # The newest featured story leads; without one, the newest story. Two index lookups: one
    # ORDER BY featured, publish_at would sort the whole archive.
    lead = live.filter(featured=True).first() or live.first()
    others = live.exclude(pk=getattr(lead, "pk", None))
    latest = list(others[:LATEST_COUNT])
    sections = sections_of(request)
    rails = {section.pk: [] for section in sections}
    rail_stories = others.latest_per_section(RAIL_COUNT, [section.pk for section in sections])
    for article in rail_stories.order_by("-publish_at", "-pk"):
        rails[article.section_id].append(article)
    section_rails = [(section, rails[section.pk]) for section in sections if rails[section.pk]]
    shown = [*([lead] if lead else []), *latest, *(a for _, rail in section_rails for a in rail)]
    attach_sections(request, shown)
    Article.objects.attach_byline_authors(shown)
    images_delivery.attach(shown)
    return render(
        request,
        "articles/front_page.html",
        {"lead": lead, "latest": latest, "section_rails": section_rails},
    )


@require_safe
def article_detail(request, year, month, day, slug):
    article, tags, corrections = load_story(request, slug=slug)
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
        # Another story's old address (a migrated permalink) wins over this slug's other dates.
        moved = ArticleRedirect.objects.filter(old_path=request.path).select_related("article")
        target = next((r.article for r in moved if r.article.is_live), article)
        return HttpResponsePermanentRedirect(target.get_absolute_url())
    return render_story(request, article, tags, corrections)


def load_story(request, **lookup):
    """(story, tags, corrections) for the story page, or 404. Its section is one of the
    navigation's, read once for the page anyway; bylines come later, with the related
    stories' (render_story)."""
    article, tags, corrections = Article.objects.story_page_parts(**lookup)
    if article is None:
        raise Http404("No story at this address.")
    attach_sections(request, [article])
    return article, tags, corrections


def attach_sections(request, articles) -> None:
    sections = {section.pk: section for section in sections_of(request)}
    for article in articles:
        article.section = sections[article.section_id]


def render_story(request, article, tags, corrections, *, preview=False):
    related = Article.objects.live_related(article, [tag.pk for tag in tags])
    attach_sections(request, related)
    # The story's byline and its related stories' in one query; their pictures in another.
    Article.objects.attach_byline_authors([article, *related])
    images_delivery.attach([article, *related])
    authors = article.byline_authors
    # What the page shows, for purges: the story, its section, tags and authors, the related
    # stories, and the tags those come from (a new story sharing one may join them).
    keys.add(
        request,
        *map(keys.of, [article, article.section, *tags, *authors, *related]),
        *(keys.listing(Tag, tag.pk) for tag in tags),
    )
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "authors": authors,
            "tags": tags,
            "corrections": corrections,
            "related": related,
            "current_section_slug": article.section.slug,
            "preview": preview,
            "share_image": structured_data.share_image(article),
            "json_ld": [
                structured_data.to_script_json(
                    structured_data.news_article(article, authors, tags, corrections)
                ),
                structured_data.to_script_json(structured_data.breadcrumbs(article)),
            ],
        },
    )
    if preview:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def preview(request, token):
    """A story exactly as it will look, for anyone holding an unexpired signed link."""
    pk = article_pk_from(token)
    if pk is None:
        raise Http404("This preview link is not valid, or it has expired.")
    article, tags, corrections = load_story(request, pk=pk)
    if article.is_withdrawn:
        # Taken down: a link shared before stops working (a deleted story has no row at all).
        raise Http404("This story has been withdrawn.")
    return render_story(request, article, tags, corrections, preview=True)


@require_safe
def article_history(request, year, month, day, slug):
    """The reader-visible change log: substantive updates and corrections, with diffs."""
    article = get_object_or_404(
        Article.objects.published().select_related("section").prefetch_related("corrections"),
        slug=slug,
    )
    try:
        requested = date(year, month, day)
    except ValueError:
        raise Http404("No such date.") from None
    if requested != article.url_date():
        return HttpResponsePermanentRedirect(article.get_absolute_url() + "history/")
    keys.add(request, keys.of(article), keys.of(article.section))
    return render(
        request,
        "articles/article_history.html",
        {"article": article, "entries": revisions.public_history(article)},
    )


@require_safe
def search_view(request):
    """Full-text search of live stories, with filters by section and date."""
    form = SearchForm(request.GET or None, sections=sections_of(request))
    query, page, results = "", None, []
    if form.is_valid():
        query = form.cleaned_data["q"]
        matches = search.search(query, form.filter(Article.objects.published()))
        paginator = search.ResultPaginator(matches, settings.ARTICLES_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        results = search.hits(page.object_list, query)
    response = render(
        request,
        "articles/search.html",
        {"form": form, "query": query, "page_obj": page, "results": results},
    )
    response["X-Robots-Tag"] = "noindex"
    return response


class CorrectionListView(ListView):
    """Every correction, clarification and update on live stories, newest first."""

    template_name = "articles/correction_list.html"
    context_object_name = "corrections"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Correction.objects.filter(article__in=Article.objects.published()).select_related(
            "article", "article__section"
        )


class StoryListView(ListView):
    """A paginated list of live stories belonging to one section, tag or author."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    listing_kind = ""
    paginator_class = UncountedPaginator
    public_without_stories = False  # see get_context_data

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_owner(self):
        raise NotImplementedError

    def filter_stories(self, stories):
        raise NotImplementedError

    def get_queryset(self):
        self.owner = self.get_owner()
        # Bylines are attached to the page's stories below, in one query compiled once.
        return self.filter_stories(Article.objects.published()).for_cards().prefetch_related(None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            owner=self.owner, listing_kind=self.listing_kind, **kwargs
        )
        stories = context["object_list"] = list(context["object_list"])
        if not stories and not self.public_without_stories:
            # A tag or an author is public only through a live story: a draft's must not leak.
            raise Http404("No live story carries this yet.")
        context[self.context_object_name] = stories
        attach_sections(self.request, stories)
        Article.objects.attach_byline_authors(stories)
        images_delivery.attach(stories)
        return context


class SectionView(StoryListView):
    listing_kind = "section"
    public_without_stories = True  # a section the desk made is public from the start

    def get_owner(self):
        # The navigation reads every section anyway: find this one among them.
        slug = self.kwargs["slug"]
        found = [section for section in sections_of(self.request) if section.slug == slug]
        if not found:
            raise Http404("No such section.")
        return found[0]

    def filter_stories(self, stories):
        from fronts.views import section_collections

        # The section's front, as its editors arranged it, heads the page; the list below
        # leaves out what it shows (on every page, so the pages do not shift).
        self.front_collections = section_collections(self.request, self.owner)
        shown = [story.pk for shown in self.front_collections for story in shown.articles]
        stories = stories.in_section(self.owner)
        return stories.exclude(pk__in=shown) if shown else stories

    def get_context_data(self, **kwargs):
        first_page = self.request.GET.get("page", "1") in ("", "1")
        return super().get_context_data(
            current_section_slug=self.owner.slug,
            front_collections_shown=self.front_collections if first_page else [],
            **kwargs,
        )


class TagView(StoryListView):
    listing_kind = "tag"

    def get_owner(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.tagged_with(self.owner)


class AuthorView(StoryListView):
    listing_kind = "author"

    def get_owner(self):
        return get_object_or_404(Author, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.written_by(self.owner)


def server_error(request):
    """The 500 page, rendered without context processors: the database may be what failed."""
    html = loader.get_template("500.html").render({"site_name": settings.SITE_NAME})
    return HttpResponseServerError(html)
