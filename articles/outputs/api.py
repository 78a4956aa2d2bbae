"""The read-only JSON API (`/api/v1/`): live stories, their sections, tags and fronts, and ninjs.

Every story queryset here starts from `Article.objects.published()`. Each endpoint runs a fixed
number of queries whatever the page size, and answers conditional GETs (ETag, Last-Modified)
with 304 Not Modified. What each endpoint answers and accepts is in
`articles.outputs.api_schemas`.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.http import ConditionalGetMiddleware
from django.shortcuts import get_object_or_404
from django.utils.decorators import decorator_from_middleware
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Path, Query
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from taggit.models import Tag

from articles.models import Article, Byline, Section
from articles.outputs import ninjs
from articles.outputs.api_schemas import (
    ArticleDetail,
    ArticleFilters,
    ArticlePage,
    FrontAddress,
    FrontOut,
    Message,
    NinjsOptions,
    Paging,
    SectionListItem,
    TagPage,
    ValidationErrors,
)
from articles.outputs.links import absolute_url
from caching import keys
from fronts.models import Front
from fronts.resolve import resolve

api = NinjaAPI(
    title=f"{settings.SITE_NAME} API",
    version="1",
    description=(
        "Read-only access to the live stories of the site: lists, full stories, sections, tags,"
        " and each story as an IPTC ninjs document. Responses carry `ETag` and `Last-Modified`;"
        " send `If-None-Match` or `If-Modified-Since` to get `304 Not Modified` when nothing"
        " changed."
    ),
    urls_namespace="api",
)

# Django's own conditional-GET logic, applied to each operation's finished response: an ETag
# from the body (exact, so a renamed tag or a withdrawn story changes it) and the
# Last-Modified that the view set, then 304 when the client's copy is current.
conditional_get = decorate_view(decorator_from_middleware(ConditionalGetMiddleware))


# Querysets


def live_stories() -> QuerySet[Article]:
    """Live stories with what every API story carries: section, byline and tags."""
    return (
        Article.objects.published()
        .select_related("section", "lead_image")
        .prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            "tags",
        )
    )


def detail_queryset() -> QuerySet[Article]:
    """Live stories with everything the full story and its ninjs carry."""
    return live_stories().prefetch_related("corrections")


def last_modified(*moments: datetime | None) -> str:
    return http_date(max(moment for moment in moments if moment).timestamp())


def live_story(response: HttpResponse, uuid: UUID) -> Article:
    """The live story with this uuid (404 if none), its Last-Modified set on `response`.

    A story changes on save, on going live (a scheduled story) and with a new correction.
    """
    article = get_object_or_404(detail_queryset(), uuid=uuid)
    corrections = [correction.created_at for correction in article.corrections.all()]
    response["Last-Modified"] = last_modified(article.updated_at, article.publish_at, *corrections)
    return article


def paginate(request: HttpRequest, queryset: QuerySet, paging: Paging) -> dict[str, Any]:
    """One page of `queryset` with the count and the addresses of its neighbours."""
    count = queryset.count()
    start = (paging.page - 1) * paging.page_size
    if start >= count and paging.page > 1:
        raise HttpError(404, "No such page.")
    items = list(queryset[start : start + paging.page_size])

    def page_url(page):
        query = request.GET.copy()
        query["page"] = str(page)
        return absolute_url(f"{request.path}?{query.urlencode()}")

    return {
        "count": count,
        "next": page_url(paging.page + 1) if start + paging.page_size < count else None,
        "previous": page_url(paging.page - 1) if paging.page > 1 else None,
        "items": items,
    }


# Endpoints


@api.get(
    "/articles/",
    response={200: ArticlePage, 304: None, 404: Message, 422: ValidationErrors},
    url_name="articles",
    summary="List live stories",
    tags=["articles"],
)
@conditional_get
def list_articles(request, response: HttpResponse, filters: Query[ArticleFilters]):
    """Live stories, newest first, in pages of `page_size` (at most 100)."""
    stories = live_stories().order_by("-publish_at", "-pk")
    if filters.section:
        stories = stories.filter(section__slug=filters.section)
    if filters.tag:
        stories = stories.tagged(filters.tag)
    if filters.author:
        stories = stories.filter(bylines__author__slug=filters.author)
    if filters.updated_since:
        # A scheduled story goes live at publish_at without being saved again: a partner
        # polling by time must see it then, not only at its last edit.
        since = filters.updated_since
        stories = stories.filter(Q(updated_at__gte=since) | Q(publish_at__gte=since))
    page = paginate(request, stories, filters)
    if page["items"]:
        response["Last-Modified"] = last_modified(
            *(max(story.updated_at, story.publish_at) for story in page["items"])
        )
    return page


@api.get(
    "/articles/{uuid}/",
    response={200: ArticleDetail, 304: None, 404: Message, 422: ValidationErrors},
    url_name="article",
    summary="Get a live story",
    tags=["articles"],
)
@conditional_get
def get_article(request, response: HttpResponse, uuid: UUID):
    """The full story: body HTML, byline, tags, section, dates, lead image and corrections."""
    return live_story(response, uuid)


@api.get(
    "/articles/{uuid}/ninjs/",
    response={200: dict[str, Any], 304: None, 404: Message, 422: ValidationErrors},
    url_name="article_ninjs",
    summary="Get a live story as IPTC ninjs",
    tags=["articles"],
)
@conditional_get
def get_article_ninjs(request, response: HttpResponse, uuid: UUID, options: Query[NinjsOptions]):
    """The story as an IPTC ninjs 2.2 document, or ninjs 3.x with `?version=3`."""
    article = live_story(response, uuid)
    if options.version.startswith("3"):
        return ninjs.to_ninjs_3(article)
    return ninjs.to_ninjs_2(article)


@api.get(
    "/sections/",
    response={200: list[SectionListItem], 304: None},
    url_name="sections",
    summary="List sections",
    tags=["sections"],
)
@conditional_get
def list_sections(request):
    """Every section, in navigation order, with its count of live stories."""
    return Section.objects.annotate(
        story_count=Count("articles", filter=Q(articles__in=Article.objects.published()))
    ).order_by("position", "name")


@api.get(
    "/tags/",
    response={200: TagPage, 304: None, 404: Message, 422: ValidationErrors},
    url_name="tags",
    summary="List tags in use",
    tags=["tags"],
)
@conditional_get
def list_tags(request, paging: Query[Paging]):
    """Tags that live stories carry, by name, with how many live stories carry each."""
    tags = (
        Tag.objects.filter(
            articles_taggedarticle_items__content_object__in=Article.objects.published()
        )
        .annotate(story_count=Count("articles_taggedarticle_items"))
        .order_by("name", "pk")
    )
    return paginate(request, tags, paging)


@api.get(
    "/fronts/{slug}/",
    response={200: FrontOut, 304: None, 404: Message, 422: ValidationErrors},
    url_name="front",
    summary="Get a front's stories",
    tags=["fronts"],
)
@conditional_get
def get_front(request, address: Path[FrontAddress]):
    """A front as readers see it now (the scheduled layout that has taken it over, if one
    has): its collections in order, each with its stories in order, each story once."""
    layout = Front.objects.select_related("section", "replaces__section").layout_for(address.slug)
    if layout is None:
        raise HttpError(404, "No such front.")
    front = layout.replaces or layout
    shown = resolve(layout)
    stories = [item.article for collection in shown for item in collection.items]
    # Only the story's own columns come with resolve(); what the summary adds, for all at once.
    prefetch_related_objects(
        stories,
        "section",
        Prefetch("bylines", queryset=Byline.objects.select_related("author")),
        "tags",
    )
    for collection in shown:
        for item in collection.items:  # a story is on a front once: one item per article
            item.article.front_headline = item.headline
            item.article.front_dek = item.dek
            item.article.pinned = item.pinned
            item.article.front_crop = item.crop
    # Any story published may backfill a collection (the list of all stories); a change to
    # the front or the layout showing purges their keys (fronts/changes.py). No Last-Modified:
    # a pin's expiry changes the front with nothing modified, so only the ETag tells.
    keys.add(
        request,
        keys.ALL_LISTS,
        *{keys.of(front), keys.of(layout)},
        *(keys.of(story) for story in stories),
    )
    return {
        "name": front.name,
        "slug": front.slug,
        "section": front.section.slug if front.section_id else None,
        "layout": layout if layout.replaces_id else None,
        "collections": [
            {
                "title": collection.collection.title,
                "style": collection.collection.style,
                "position": collection.collection.position,
                "stories": collection.articles,
            }
            for collection in shown
        ],
    }


# The API's own 404, in JSON, for the addresses under it that it does not have (Django would
# answer the site's HTML page): its root, here, and the rest (`not_found`, at the end of the
# site's URLconf, so that no operation added later is shadowed). Not in the OpenAPI document.

NO_SUCH_ADDRESS = "No such address in the API: see /api/v1/docs."


@api.api_operation(
    ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"],
    "/",
    response={404: Message},
    url_name="index",
    include_in_schema=False,
)
def api_index(request):
    raise HttpError(404, NO_SUCH_ADDRESS)


@csrf_exempt  # it changes nothing, and answers every method alike
def not_found(request, rest):
    return JsonResponse({"detail": NO_SUCH_ADDRESS}, status=404)
