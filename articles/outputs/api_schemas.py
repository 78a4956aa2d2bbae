"""The shapes of the JSON API (`articles.outputs.api`): what each endpoint answers and accepts.

Field descriptions are the API's documentation: they appear in `/api/v1/openapi.json` and on
`/api/v1/docs`.
"""

import re
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from articles.models import Article, Correction
from articles.outputs.links import absolute_url
from fronts.models import Collection
from images import body as body_pictures
from images import delivery

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


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
        return absolute_url(author.get_absolute_url())


class TagOut(Schema):
    name: str
    slug: str
    url: str = Field(description="The tag's page on the site.")

    @staticmethod
    def resolve_url(tag) -> str:
        return absolute_url(reverse("articles:tag", kwargs={"slug": tag.slug}))


class TagListItem(TagOut):
    story_count: int = Field(description="How many live stories carry the tag.")


class SectionOut(Schema):
    name: str
    slug: str
    url: str = Field(description="The section front on the site.")

    @staticmethod
    def resolve_url(section) -> str:
        return absolute_url(section.get_absolute_url())


class SectionListItem(SectionOut):
    description: str
    position: int = Field(description="Order in the site navigation; lower comes first.")
    story_count: int = Field(description="How many live stories the section holds.")


class RenditionOut(Schema):
    url: str
    width: int
    height: int
    type: str = Field(description="Its media type: image/jpeg, image/webp or image/avif.")
    ratio: Literal["free", "16x9", "4x3", "1x1"] = Field(
        description="Its crop: free keeps the picture's own shape; the others are cut around "
        "the picture's focal point."
    )


class ImageOut(Schema):
    url: str = Field(description="The share card's rendition (16:9, about 1200 px wide).")
    alt: str
    caption: str
    credit: str
    width: int | None
    height: int | None
    renditions: list[RenditionOut] = Field(description="Every rendition, by crop and width.")


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
        return absolute_url(article.get_absolute_url())

    @staticmethod
    def resolve_api_url(article) -> str:
        return absolute_url(reverse("api:article", kwargs={"uuid": article.uuid}))

    @staticmethod
    def resolve_authors(article) -> list:
        return article.byline_authors

    @staticmethod
    def resolve_tags(article) -> list:
        return article.sorted_tags

    @staticmethod
    def resolve_first_published_at(article) -> datetime:
        return article.date_published

    @staticmethod
    def resolve_image(article) -> dict | None:
        image = delivery.for_readers(article.lead_image) if article.lead_image_id else None
        share = delivery.share_file(image) if image else None
        if share is None:
            return None
        return {
            "url": absolute_url(share.url),
            "alt": image.alt_text,
            "caption": image.caption,
            "credit": image.credit,
            "width": share.width,
            "height": share.height,
            "renditions": [
                {
                    "url": absolute_url(file.url),
                    "width": file.width,
                    "height": file.height,
                    "type": file.mime_type,
                    "ratio": file.ratio,
                }
                for file in delivery.all_files(image)
            ],
        }


class ArticleDetail(ArticleSummary):
    ninjs_url: str = Field(description="This story as an IPTC ninjs document.")
    seo_title: str
    meta_description: str
    body: str = Field(
        description="Sanitized HTML: the site's body allow-list only; pictures from the library "
        "as a JPEG rendition with its width and height."
    )
    word_count: int
    corrections: list[CorrectionOut] = Field(description="Newest first.")

    @staticmethod
    def resolve_body(article) -> str:
        return body_pictures.for_partners(article.body)

    @staticmethod
    def resolve_ninjs_url(article) -> str:
        return absolute_url(reverse("api:article_ninjs", kwargs={"uuid": article.uuid}))

    @staticmethod
    def resolve_corrections(article) -> list:
        return list(article.corrections.all())


class FrontStory(ArticleSummary):
    front_headline: str = Field(
        description="The headline the front shows: the one editors gave it for this front, "
        "else the story's own."
    )
    front_dek: str = Field(
        description="The dek the front shows: the one editors gave it for this front, else "
        "the story's own."
    )
    pinned: bool = Field(
        description="Placed here by an editor; false: filled in from the newest live stories."
    )
    front_crop: str = Field(
        description="How the front shows the story's lead picture, as editors chose it for "
        "this front: `16x9`, `4x3`, `1x1`, `free` (uncropped) or `none` (no picture); empty: "
        "as the collection's style shows it."
    )


class CollectionOut(Schema):
    title: str
    style: Literal[tuple(Collection.Style.values)]  # type: ignore[valid-type]
    position: int = Field(description="Order on the front; lower comes first.")
    stories: list[FrontStory] = Field(description="In the order the front shows them.")


class FrontAddress(Schema):
    slug: str = Field(
        pattern=r"^[-a-zA-Z0-9_]+$",
        max_length=100,
        description="The front's slug: `home` for the front page, a section's slug for its page.",
    )


class ScheduledLayoutOut(Schema):
    name: str
    slug: str
    starts_at: datetime
    ends_at: datetime | None = Field(description="Null: it runs until editors end it.")


class FrontOut(Schema):
    name: str
    slug: str
    section: str | None = Field(
        description="The slug of the section whose page this front is; null for other fronts."
    )
    layout: ScheduledLayoutOut | None = Field(
        description="The scheduled layout that has taken over the front for its window, if "
        "one has; null while the front's own arrangement shows."
    )
    collections: list[CollectionOut] = Field(
        description="In order; each story appears once on the whole front."
    )


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


ISO_DATE_START = re.compile(r"\d{4}-\d\d-\d\d")


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

    @field_validator("updated_since", mode="before")
    @classmethod
    def not_a_timestamp(cls, value):
        # Pydantic would read "0", "1700000000" or "3e-95" as Unix time; the document promises
        # (and partners send) ISO 8601, so anything else is a mistake to report, not to guess.
        if isinstance(value, int | float) or (
            isinstance(value, str) and not ISO_DATE_START.match(value.strip())
        ):
            raise ValueError("Give an ISO 8601 time such as 2026-11-03T09:00, not a number.")
        return value

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
