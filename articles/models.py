import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from articles.addresses import story_path
from articles.fields import FullTextDocumentField  # noqa: F401  (migration 0006 names it here)
from articles.querysets import (
    ArticleQuerySet,
    BylineManager,
    TaggedArticleManager,
)
from articles.records import ArticleRedirect, Correction, Revision, SearchEntry  # noqa: F401
from articles.sanitize import sanitize_body
from articles.taxonomy import Author, Section

WORDS_PER_MINUTE = 230
# How long a story stays in the trash, restorable, before `purge_trash` deletes it for good.
TRASH_KEEPS_DAYS = 30


class TaggedArticle(TaggedItemBase):
    """A tag on a story: a real foreign key, so fixtures use natural keys and joins use indexes."""

    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    objects = TaggedArticleManager()

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="articles_taggedarticle_unique"
            )
        ]
        # Tag pages and related stories start from the tag.
        indexes = [models.Index(fields=["tag", "content_object"], name="taggedarticle_tag_idx")]

    def natural_key(self):
        return (*self.content_object.natural_key(), *self.tag.natural_key())

    natural_key.dependencies = ["articles.article", "taggit.tag"]


class Article(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        ANALYSIS = "analysis", _("Analysis")
        OPINION = "opinion", _("Opinion")
        EXPLAINER = "explainer", _("Explainer")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")
        # Set and cleared only by the publishing door's move_to_trash / restore_from_trash.
        TRASHED = "trashed", _("In the trash")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    headline = models.CharField(_("headline"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The last part of the story's address; filled in from the headline."),
    )
    kicker = models.CharField(
        _("kicker"),
        max_length=80,
        blank=True,
        help_text=_("A short label above the headline, e.g. “Immigration”."),
    )
    dek = models.TextField(
        _("dek"),
        blank=True,
        help_text=_("The standfirst: one or two sentences under the headline."),
    )
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "Paragraphs, h2/h3 subheads, lists, quotes and links; other markup is removed."
        ),
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles"
    )
    authors = models.ManyToManyField(
        Author,
        verbose_name=_("authors"),
        through="Byline",
        related_name="articles",
        blank=True,
    )
    tags = TaggableManager(_("tags"), through=TaggedArticle, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    dateline = models.CharField(
        _("dateline"),
        max_length=100,
        blank=True,
        help_text=_("Where the story was reported, e.g. “NEW YORK”."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep as a draft; a future time schedules the story."),
    )
    first_published_at = models.DateTimeField(
        _("first published at"), null=True, blank=True, editable=False
    )
    modified_at = models.DateTimeField(
        _("last substantive update"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The public “Updated” time; moved only by saves marked substantive."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    lead_image = models.ForeignKey(
        "images.Image",
        verbose_name=_("lead image"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stories",
        help_text=_("From the picture library: search by caption, credit or tag."),
    )
    seo_title = models.CharField(
        _("search headline"),
        max_length=70,
        blank=True,
        help_text=_("Headline for search engines and social cards; the headline if empty."),
    )
    meta_description = models.CharField(
        _("meta description"),
        max_length=200,
        blank=True,
        help_text=_("Summary for search results; the dek if empty."),
    )
    featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Lead the front page with this story.")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # The trash (articles.editorial.publishing.move_to_trash): the status is then "trashed",
    # so the live gate needs no column of its own. The address is freed for new stories (as
    # WordPress does) and given back on restore when it is still free.
    trashed_at = models.DateTimeField(_("moved to the trash at"), null=True, editable=False)
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, editable=False, related_name="+"
    )
    status_before_trash = models.CharField(
        max_length=20, choices=Status.choices, blank=True, editable=False
    )
    trashed_slug = models.SlugField(max_length=200, blank=True, db_index=False, editable=False)
    source_uri = models.CharField(
        _("source id"),
        max_length=500,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Where an imported story came from (its ninjs uri): re-imports update it."),
    )
    # PostgreSQL's full-text index (GIN-indexed in migration 0004); SQLite uses an FTS5 table.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        permissions = [("publish_article", _("Can publish, schedule and withdraw stories"))]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            # Live stories by time, with what sitemaps read of each (migration 0012).
            models.Index(
                fields=["status", "publish_at", "updated_at", "section"], name="article_live_idx"
            ),
            models.Index(fields=["section", "status", "publish_at"], name="article_section_idx"),
            models.Index(fields=["featured", "status", "publish_at"], name="article_featured_idx"),
            # A front's collection of one kind (fronts/resolve.py): its newest live stories.
            models.Index(fields=["kind", "status", "publish_at"], name="article_kind_idx"),
            models.Index(fields=["-updated_at"], name="article_updated_idx"),
            # The admin's list of every story, newest first, whatever its status.
            models.Index(fields=["-publish_at", "-id"], name="article_publish_idx"),
            models.Index(
                fields=["status", "first_published_at"], name="article_first_published_idx"
            ),
            # The trash list and purge_trash; partial, so the live archive never pays for it.
            models.Index(
                fields=["trashed_at"],
                name="article_trashed_idx",
                condition=Q(trashed_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="article_published_has_publish_at",
                violation_error_message=_("A published story needs a publish time."),
            ),
            models.CheckConstraint(
                condition=Q(status="trashed", trashed_at__isnull=False)
                | (~Q(status="trashed") & Q(trashed_at__isnull=True)),
                name="article_trashed_has_trashed_at",
                violation_error_message=_("A story in the trash has the time it went there."),
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        old_path = None
        if self.pk is not None and not self._state.adding:
            self.version += 1
            old_path = self._public_path_in_database()
        # A scheduled story goes live at publish_at with no one acting, so that is its first
        # publication; it stays fixed once that moment has passed.
        not_yet_public = (
            self.first_published_at is None or self.first_published_at > self.updated_at
        )
        if self.status == self.Status.PUBLISHED and self.publish_at and not_yet_public:
            self.first_published_at = self.publish_at
        if kwargs.get("update_fields") is not None:
            # What save() itself changes is saved too (the body is sanitized on pre_save).
            stamped = {"body", "updated_at", "first_published_at", "version"}
            kwargs["update_fields"] = {*kwargs["update_fields"], *stamped}
        super().save(*args, **kwargs)
        if self.is_trashed:
            # Its address answers 404 from now on; no redirect may lead readers to it.
            return
        if old_path and old_path != self.get_absolute_url():
            # Readers keep the old address (301); one that is another story's stays its own.
            ArticleRedirect.objects.get_or_create(old_path=old_path, defaults={"article": self})
        ArticleRedirect.objects.filter(old_path=self.get_absolute_url(), article=self).delete()

    def get_absolute_url(self):
        return story_path(self.slug, self.publish_at or self.created_at)

    def _public_path_in_database(self) -> str | None:
        """The address the stored story had, if readers could have seen it there."""
        row = (
            type(self)
            .objects.not_trashed()
            .filter(pk=self.pk, first_published_at__lte=timezone.now())
            .values_list("slug", "publish_at", "created_at")
            .first()
        )
        return story_path(row[0], row[1] or row[2]) if row else None

    def natural_key(self):
        return (str(self.uuid),)

    @property
    def is_trashed(self) -> bool:
        """Whether the story is in the trash: hidden everywhere, restorable until purged."""
        return self.status == self.Status.TRASHED

    @property
    def purge_due_at(self):
        """When `purge_trash` may delete the story for good (None outside the trash)."""
        return self.trashed_at + timedelta(days=TRASH_KEEPS_DAYS) if self.is_trashed else None

    @property
    def is_live(self) -> bool:
        """Whether readers may see the story now; the instance twin of `published()`."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def was_public(self) -> bool:
        """Whether readers have seen the story (it is, or was, live)."""
        return self.first_published_at is not None and self.first_published_at <= timezone.now()

    @property
    def is_withdrawn(self) -> bool:
        """A story that was live once and has been taken down: its URL answers 410 Gone.
        (A story in the trash answers 404: it is not there at all.)"""
        return self.status == self.Status.UNPUBLISHED and self.was_public

    def url_date(self):
        """The local date in the story's URL: its publish time, or its creation for drafts."""
        return timezone.localtime(self.publish_at or self.created_at).date()

    def replace_byline(self, authors) -> None:
        """Make `authors`, in this order, the story's whole byline."""
        self.attached_byline_authors = None
        self.bylines.all().delete()
        Byline.objects.bulk_create(
            Byline(article=self, author=author, position=position)
            for position, author in enumerate(authors)
        )

    @property
    def byline_authors(self) -> list[Author]:
        """The story's authors in byline order (attach_byline_authors's, prefetched, or read)."""
        attached = getattr(self, "attached_byline_authors", None)
        return attached if attached is not None else [b.author for b in self.bylines.all()]

    @property
    def sorted_tags(self) -> list:
        """The story's tags in alphabetical order, whatever their case (uses prefetched tags)."""
        return sorted(self.tags.all(), key=lambda tag: tag.name.casefold())

    @property
    def display_title(self) -> str:
        return self.seo_title or self.headline

    @property
    def summary(self) -> str:
        return self.meta_description or self.dek or Truncator(self.body_text).words(40)

    @property
    def body_text(self) -> str:
        # Worked out once per body: a story page asks for it three times (summary, word
        # count, structured data), and each is an HTML parse.
        memo = getattr(self, "_body_text_memo", None)
        if memo is None or memo[0] is not self.body:
            text = " ".join(strip_tags(self.body.replace("</", " </")).split())
            memo = self._body_text_memo = (self.body, text)
        return memo[1]

    @property
    def word_count(self) -> int:
        return len(self.body_text.split())

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    @property
    def date_published(self):
        return self.first_published_at or self.publish_at

    @property
    def date_modified(self):
        """The public modification time: the last substantive update, else first publication."""
        return self.modified_at or self.date_published

    @property
    def was_updated(self) -> bool:
        """Whether to show an “Updated” stamp: a substantive update after going live."""
        return self.modified_at is not None


@receiver(pre_save, sender=Article)
def sanitize_article_body(sender, instance, **kwargs):
    # A signal rather than save(): fixtures save raw, bypassing save(), and must be cleaned too.
    instance.body = sanitize_body(instance.body)


class TrashedArticle(Article):
    """The stories in the trash, as the desk's Trash list shows them (articles/admin/trash.py)."""

    class Meta:
        proxy = True
        verbose_name = _("story in the trash")
        verbose_name_plural = _("stories in the trash")


class Byline(models.Model):
    """An author's place in a story's byline."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = BylineManager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="articles_byline_unique")
        ]

    def __str__(self):
        return f"{self.author} on {self.article}"

    def natural_key(self):
        return (*self.article.natural_key(), *self.author.natural_key())

    natural_key.dependencies = ["articles.article", "articles.author"]
