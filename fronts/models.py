"""Fronts: the home page and section pages as editors arrange them (DESIGN.md, "Fronts").

A front is an ordered list of collections; a collection shows up to `max_stories` stories:
its pinned slots first, in their order, then the newest live stories its backfill filters
pick. What a reader sees is worked out at request time (fronts/resolve.py), so a pin's
expiry, a pinned story's publish time and a scheduled layout's start and end need no job.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.addresses import slug_path
from articles.models import Article, Section

HOME = "home"


class FrontQuerySet(models.QuerySet):
    def layout_for(self, slug: str | None = None, at=None, *, section=None):
        """The front readers get at `slug` (or the front of `section`) now: a scheduled
        layout that replaces it and whose window holds `at`, else the front itself (None if
        there is none). One query."""
        at = at or timezone.now()
        own = {"slug": slug} if section is None else {"section": section}
        replaced = {f"replaces__{name}": value for name, value in own.items()}
        fronts = list(
            self.filter(
                Q(**own, replaces__isnull=True)
                | Q(**replaced, starts_at__lte=at) & (Q(ends_at__isnull=True) | Q(ends_at__gt=at))
            )
            # An empty front (a section's, not yet arranged) costs its page no more queries.
            .annotate(arranged=Exists(Collection.objects.filter(front=OuterRef("pk"))))
            .order_by(F("replaces").asc(nulls_first=True), "-starts_at", "-pk")
        )
        scheduled = [front for front in fronts if front.replaces_id]
        return scheduled[0] if scheduled else (fronts[0] if fronts else None)

    def for_section(self, section):
        """The front of `section`, made (empty) if it has none: named and addressed like it,
        or `<slug>-section` when another front has its slug."""
        front = self.filter(section=section, replaces__isnull=True).first()
        if front is None:
            taken = self.filter(slug=section.slug).exists()
            slug = f"{section.slug}-section" if taken else section.slug
            front = self.create(name=section.name, slug=slug[:100], section=section)
        return front

    def next_change(self, at=None):
        """When a scheduled layout next starts or ends (None if none will)."""
        at = at or timezone.now()
        moments = [
            moment
            for field in ("starts_at", "ends_at")
            if (
                moment := self.filter(replaces__isnull=False, **{f"{field}__gt": at})
                .order_by(field)
                .values_list(field, flat=True)
                .first()
            )
        ]
        return min(moments) if moments else None


class Front(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("“home” is the front page at /; a section's front is its page."),
    )
    section = models.OneToOneField(
        Section,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="front",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scheduled_layouts",
        help_text=_("A scheduled layout: it takes over this front while it runs."),
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # One more at each recorded change of the layout (fronts/revisions.py): the desk's forms
    # carry the number they were opened at, so a save over someone else's is refused.
    layout_version = models.PositiveIntegerField(_("layout version"), default=0, editable=False)

    objects = FrontQuerySet.as_manager()

    class Meta:
        verbose_name = _("front")
        verbose_name_plural = _("fronts")
        ordering = ["replaces_id", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | Q(starts_at__isnull=False),
                name="front_scheduled_layout_starts",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__gt=F("starts_at")),
                name="front_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """Where readers see this front: / for home, a section's page for its front, its
        own /front/<slug>/ otherwise; a scheduled layout shows at its front's address."""
        if self.replaces_id:
            return self.replaces.get_absolute_url()
        if self.section_id:
            return self.section.get_absolute_url()
        if self.slug == HOME:
            return reverse("articles:front")
        return slug_path("articles:front-page", self.slug)

    def clean(self):
        if self.replaces_id and self.replaces_id == self.pk:
            raise ValidationError({"replaces": _("A front cannot replace itself.")})
        if self.replaces_id and not self.starts_at:
            raise ValidationError({"starts_at": _("A scheduled layout needs a start.")})
        if self.ends_at and (not self.starts_at or self.ends_at <= self.starts_at):
            raise ValidationError({"ends_at": _("The end must come after the start.")})
        if self.replaces and self.replaces.replaces_id:
            raise ValidationError(
                {"replaces": _("Replace the front itself, not another scheduled layout.")}
            )


class Collection(models.Model):
    class Style(models.TextChoices):
        LEAD = "lead", _("Lead")
        GRID = "grid", _("Grid")
        LIST = "list", _("List")
        RAIL = "rail", _("Rail")

    front = models.ForeignKey(Front, on_delete=models.CASCADE, related_name="collections")
    title = models.CharField(_("title"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    style = models.CharField(_("style"), max_length=10, choices=Style, default=Style.GRID)
    max_stories = models.PositiveIntegerField(
        _("at most"), default=6, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    backfill_section = models.ForeignKey(
        Section,
        verbose_name=_("backfill from section"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    backfill_tag = models.SlugField(_("backfill from tag"), max_length=100, blank=True)
    backfill_kind = models.CharField(
        _("backfill kind"), max_length=20, choices=Article.Kind, blank=True
    )
    backfill = models.BooleanField(
        _("backfill"),
        default=True,
        help_text=_("Fill the slots no pin takes with the newest live stories."),
    )

    class Meta:
        verbose_name = _("collection")
        ordering = ["front", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_stories__gte=1, max_stories__lte=50),
                name="collection_max_stories_range",
            )
        ]

    def __str__(self):
        return self.title


class SlotQuerySet(models.QuerySet):
    def next_expiry(self, at=None):
        """When the next pin stops counting (None if none will)."""
        upcoming = self.filter(expires_at__gt=at or timezone.now()).order_by("expires_at")
        return upcoming.values_list("expires_at", flat=True).first()


class Crop(models.TextChoices):
    """How a pinned story's lead picture shows on a front: the crops the picture library makes
    of every picture (images/specs.py), or none. Empty: as the collection's style shows it."""

    WIDE = "16x9", _("wide (16:9)")
    STANDARD = "4x3", _("standard (4:3)")
    SQUARE = "1x1", _("square")
    WHOLE = "free", _("the whole picture, uncropped")
    NONE = "none", _("no picture on this front")

    __empty__ = _("as the collection shows it")


class Slot(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="slots")
    article = models.ForeignKey(
        Article, verbose_name=_("story"), on_delete=models.CASCADE, related_name="front_slots"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    expires_at = models.DateTimeField(
        _("pinned until"), null=True, blank=True, help_text=_("Empty: pinned until unpinned.")
    )
    headline = models.CharField(
        _("front headline"),
        max_length=200,
        blank=True,
        help_text=_("On this front only; the story's own headline is unchanged."),
    )
    dek = models.TextField(_("front dek"), blank=True)
    crop = models.CharField(
        _("front picture"),
        max_length=8,
        choices=Crop,
        blank=True,
        help_text=_(
            "Where the collection shows pictures (lead, grid); on this front only, the "
            "story's own picture is unchanged."
        ),
    )

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("slot")
        ordering = ["collection", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "article"], name="slot_story_once_per_collection"
            )
        ]

    def __str__(self):
        return f"{self.collection}: {self.article}"


class FrontRevision(models.Model):
    """The whole layout of a front after one change (its fields, its collections in order
    with their settings and their pins in order), who made it and what it moved."""

    front = models.ForeignKey(Front, on_delete=models.CASCADE, related_name="revisions")
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
    summary = models.TextField(_("what changed"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    data = models.JSONField(_("layout"))

    class Meta:
        verbose_name = _("front revision")
        verbose_name_plural = _("front revisions")
        ordering = ["front", "-version", "-pk"]
        get_latest_by = ["version", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["front", "version"], name="front_revision_once")
        ]

    def __str__(self):
        return f"{self.front} v{self.version}"
