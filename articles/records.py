"""What the desk keeps about each story: corrections, revisions, old addresses, search entries.

Declared apart from the stories themselves (articles/models.py, which imports them so Django
and every caller find them there); each refers to its story by the model's name only.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.fields import FullTextDocumentField
from articles.querysets import RevisionQuerySet


class Correction(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(
        _("text"), help_text=_("What was wrong and what is right, in a sentence or two.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        indexes = [models.Index(fields=["-created_at"], name="correction_created_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.article}"


class Revision(models.Model):
    """A restorable snapshot of a story, taken on every save: who, when, what."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    was_live = models.BooleanField(_("was live"), default=False)
    is_substantive = models.BooleanField(_("substantive update"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    data = models.JSONField(_("snapshot"))

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        indexes = [models.Index(fields=["article", "-created_at"], name="revision_article_idx")]

    def __str__(self):
        return f"{self.article} v{self.version}"


class ArticleRedirect(models.Model):
    """An old address of a story (changed slug or date, or a migrated site's permalink)."""

    old_path = models.CharField(_("old path"), max_length=500, unique=True)
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="redirects"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self):
        return f"{self.old_path} → {self.article}"


class SearchEntry(models.Model):
    """A story's row in SQLite's FTS5 full-text table (PostgreSQL uses Article.search_vector).

    Not managed by migrations' model operations: migration 0004 creates the virtual table.
    `document` is FTS5's hidden column named after the table, the target of MATCH; `rank` is
    the bm25 relevance configured in migration 0006 (lower is better).
    """

    article = models.OneToOneField(
        "articles.Article",
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_entry",
    )
    document = FullTextDocumentField(db_column="articles_search")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "articles_search"

    def __str__(self):
        return f"Search entry of story {self.article_id}"
