"""The read-only JSON API (`/api/v1/`): live stories, their sections and tags, and ninjs.

Every story queryset here starts from `Article.objects.published()`. Each endpoint runs a fixed
number of queries whatever the page size, and answers conditional GETs (ETag, Last-Modified)
with 304 Not Modified.
"""

from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import decorator_from_middleware
from django.utils.http import http_date
from ninja import Field, NinjaAPI, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from pydantic import field_validator
from taggit.models import Tag

from articles.models import Article, Byline, Correction, Section
from articles.outputs import ninjs

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

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


# Schemas


class Message(Schema):
    detail: str


class ValidationErrors(Schema):
    detail: list[dict[str, Any]]


class AuthorOut(Schema):
    name: str
    slug: str
    title: str
    url: str = Field(description="The author's page on the site.")

    @staticmethod
    def resolve_url(author) -> str:
        return ninjs.absolute_url(author.get_absolute_url())


class TagOut(Schema):
    name: str
    slug: str
    url: str = Field(description="The tag's page on the site.")

    @staticmethod
    def resolve_url(tag) -> str:
        return ninjs.absolute_url(reverse("articles:tag", kwargs={"slug": tag.slug}))


class TagListItem(TagOut):
    story_count: int = Field(description="How many live stories carry the tag.")


class SectionOut(Schema):
    name: str
    slug: str
    url: str = Field(description="The section front on the site.")

    @staticmethod
    def resolve_url(section) -> str:
        return ninjs.absolute_url(section.get_absolute_url())


class SectionListItem(SectionOut):
    description: str
    position: int = Field(description="Order in the site navigation; lower comes first.")
    story_count: int = Field(description="How many live stories the section holds.")


class ImageOut(Schema):
    url: str
    alt: str
    caption: str
    credit: str
    width: int | None
    height: int | None


class CorrectionOut(Schema):
    kind: Literal[tuple(Correction.Kind.values)]  # type: ignore[valid-type]
    text: str
    created_at: datetime


class ArticleSummary(Schema):
    uuid: UUID
    url: str = Field(description="The story's canonical address on the site.")
    api_url: str = Field(description="This story in full from the API.")
    headline: str
    kicker: str
    dek: str
    kind: Literal[tuple(Article.Kind.values)]  # type: ignore[valid-type]
    dateline: str
    section: SectionOut
    authors: list[AuthorOut] = Field(description="In byline order.")
    tags: list[TagOut]
    image: ImageOut | None = Field(description="The lead image, if the story has one.")
    publish_at: datetime
    first_published_at: datetime
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_url(article) -> str:
        return ninjs.absolute_url(article.get_absolute_url())

    @staticmethod
    def resolve_api_url(article) -> str:
        return ninjs.absolute_url(reverse("api:article", kwargs={"uuid": article.uuid}))

    @staticmethod
    def resolve_authors(article) -> list:
        return article.byline_authors

    @staticmethod
    def resolve_tags(article) -> list:
        return sorted(article.tags.all(), key=lambda tag: tag.name.casefold())

    @staticmethod
    def resolve_first_published_at(article) -> datetime:
        return article.first_published_at or article.publish_at

    @staticmethod
    def resolve_image(article) -> dict | None:
        if not article.image:
            return None
        return {
            "url": ninjs.absolute_url(article.image.url),
            "alt": article.image_alt,
            "caption": article.image_caption,
            "credit": article.image_credit,
            "width": article.image_width,
            "height": article.image_height,
        }


class ArticleDetail(ArticleSummary):
    ninjs_url: str = Field(description="This story as an IPTC ninjs document.")
    seo_title: str
    meta_description: str
    body: str = Field(description="Sanitized HTML: the site's body allow-list only.")
    word_count: int
    corrections: list[CorrectionOut] = Field(description="Newest first.")

    @staticmethod
    def resolve_ninjs_url(article) -> str:
        return ninjs.absolute_url(reverse("api:article_ninjs", kwargs={"uuid": article.uuid}))

    @staticmethod
    def resolve_corrections(article) -> list:
        return list(article.corrections.all())


class Page(Schema):
    count: int = Field(description="Items on all pages.")
    next: str | None = Field(description="The next page, or null on the last.")
    previous: str | None = Field(description="The previous page, or null on the first.")


class ArticlePage(Page):
    items: list[ArticleSummary]


class TagPage(Page):
    items: list[TagListItem]


class Paging(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ArticleFilters(Paging):
    section: str | None = Field(None, description="Only stories in the section with this slug.")
    tag: str | None = Field(None, description="Only stories with the tag with this slug.")
    author: str | None = Field(None, description="Only stories by the author with this slug.")
    updated_since: datetime | None = Field(
        None,
        description=(
            "Only stories changed or gone live at or after this ISO 8601 time; without an offset"
            " it is read in the site's time zone."
        ),
    )

    @field_validator("updated_since")
    @classmethod
    def in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_default_timezone())
        try:
            # Databases store UTC; an offset that pushes the time outside the calendar fails
            # here (a 422) instead of in the database driver (a 500).
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError("Time out of range.") from None


class NinjsOptions(Schema):
    version: Literal["2", "2.2", "3", "3.1"] = Field(
        "2", description="ninjs 2.2 (the default) or 3.x (`3`)."
    )


# Querysets


def live_stories() -> QuerySet[Article]:
    """Live stories with what every API story carries: section, byline and tags."""
    return (
        Article.objects.published()
        .select_related("section")
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


def story_last_modified(article: Article) -> str:
    """A story changes on save, on going live (a scheduled story) and with a new correction."""
    corrections = [correction.created_at for correction in article.corrections.all()]
    return last_modified(article.updated_at, article.publish_at, *corrections)


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
        return ninjs.absolute_url(f"{request.path}?{query.urlencode()}")

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
    article = get_object_or_404(detail_queryset(), uuid=uuid)
    response["Last-Modified"] = story_last_modified(article)
    return article


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
    article = get_object_or_404(detail_queryset(), uuid=uuid)
    response["Last-Modified"] = story_last_modified(article)
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
