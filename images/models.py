"""The picture library: each picture once (by its content's hash), with the texts and rights
that travel with it, and the renditions made from it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from images import specs, uploads


class TaggedImage(TaggedItemBase):
    content_object = models.ForeignKey("Image", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("picture tag")


class ImageQuerySet(models.QuerySet):
    def usable(self, at=None):
        """Pictures that may appear on the site at `at` (now): rights neither "do not use"
        nor expired."""
        moment = at or timezone.now()
        return self.exclude(rights=Image.Rights.DO_NOT_USE).filter(
            Q(rights_expire_at__isnull=True) | Q(rights_expire_at__gt=moment)
        )

    def unusable(self, at=None):
        moment = at or timezone.now()
        return self.filter(Q(rights=Image.Rights.DO_NOT_USE) | Q(rights_expire_at__lte=moment))

    def next_expiry(self):
        """When the next picture loses its rights (None if none will)."""
        # Every picture, used or not: one a body names is not known without reading every
        # body, and an unused picture's expiry only ends cached pages a little early.
        upcoming = self.filter(rights_expire_at__gt=timezone.now())
        return (
            upcoming.order_by("rights_expire_at").values_list("rights_expire_at", flat=True).first()
        )


EXTENSIONS = {uploads.ACCEPTED[name]: extension for name, extension in uploads.EXTENSIONS.items()}


def original_name(image: "Image", filename: str) -> str:
    # Named by content, with the extension of what the file is (not what it was called): the
    # same picture has one address, and no address can be guessed.
    extension = EXTENSIONS.get(image.mime_type, "jpg")
    return f"images/originals/{image.sha256[:2]}/{image.sha256}.{extension}"


class Image(models.Model):
    class Rights(models.TextChoices):
        STAFF = "staff", _("Staff (ours)")
        AGENCY = "agency", _("Agency, under licence")
        HANDOUT = "handout", _("Handout")
        POOL = "pool", _("Pool")
        DO_NOT_USE = "do_not_use", _("Do not use")

    file = models.ImageField(_("picture"), upload_to=original_name, max_length=255)
    alt_text = models.CharField(
        _("alt text"),
        max_length=250,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=400)
    credit = models.CharField(
        _("credit"), max_length=150, help_text=_("e.g. “Jane Doe / Reuters”.")
    )
    source = models.CharField(
        _("source or agency"), max_length=150, blank=True, help_text=_("e.g. Reuters, AP.")
    )
    rights = models.CharField(
        _("rights"), max_length=20, choices=Rights.choices, default=Rights.STAFF
    )
    rights_expire_at = models.DateTimeField(
        _("usage rights expire"),
        null=True,
        blank=True,
        help_text=_(
            "From this moment the picture leaves every story that shows it, and stories "
            "with it cannot be published."
        ),
    )
    focal_x = models.FloatField(
        _("focal point, across"),
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    focal_y = models.FloatField(
        _("focal point, down"),
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    file_size = models.PositiveBigIntegerField(_("file size"), editable=False)
    mime_type = models.CharField(_("type"), max_length=30, editable=False)
    # An upload of a file already in the library points at that picture; only migrated
    # stories (articles 0013) made two pictures of one file, when they told it differently.
    sha256 = models.CharField(  # noqa: DJ001  (NULL: a migrated picture whose file is gone)
        _("SHA-256"), max_length=64, db_index=True, null=True, editable=False
    )
    # What the last complete set of renditions was made for (specs.render_key): pages use
    # those, so a picture whose crops are being remade keeps showing its previous ones.
    rendered = models.CharField(max_length=40, blank=True, editable=False)
    tags = TaggableManager(_("tags"), through=TaggedImage, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = ImageQuerySet.as_manager()

    class Meta:
        verbose_name = _("picture")
        verbose_name_plural = _("pictures")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="image_focal_point_inside",
            )
        ]
        indexes = [models.Index(fields=["rights_expire_at"], name="image_rights_expire_idx")]

    def __str__(self):
        # How the story form's chooser lists it: searched by caption, credit or tag, it shows
        # the first two (the desk tells agency pictures apart by their credit).
        name = self.caption[:80] or self.alt_text[:80] or f"Picture {self.pk}"
        return f"{name} ({self.credit[:40]})" if self.credit else name

    def is_usable(self, at=None) -> bool:
        moment = at or timezone.now()
        if self.rights == self.Rights.DO_NOT_USE:
            return False
        return self.rights_expire_at is None or self.rights_expire_at > moment

    def unusable_reason(self, at=None) -> str:
        """Why the picture may not appear at `at`, or ""."""
        moment = at or timezone.now()
        if self.rights == self.Rights.DO_NOT_USE:
            return str(_("its rights are “do not use”"))
        if self.rights_expire_at is not None and self.rights_expire_at <= moment:
            return str(
                _("its usage rights expired on %(date)s")
                % {"date": f"{timezone.localtime(self.rights_expire_at):%Y-%m-%d %H:%M %Z}"}
            )
        return ""

    @property
    def render_key(self) -> str:
        """What a complete set of renditions for the picture as it stands is made for: the
        spec version, the focal point, the formats offered besides JPEG."""
        return specs.render_key(self.focal_x, self.focal_y)

    def take(self, upload) -> None:
        """Describe the file `upload` (images/uploads.py's check of it) is: its hash, shown
        size, bytes and type. Every way into the library (the desk, imports) goes through here."""
        self.sha256 = upload.sha256
        self.width, self.height = upload.width, upload.height
        self.file_size = upload.size
        self.mime_type = upload.mime_type

    def stories_using(self):
        """The stories that show this picture: as their lead image, or in their body (which
        names it by the address of its original or of a rendition: images/body.py)."""
        from articles.models import Article

        shown = Q(lead_image=self)
        if self.sha256:
            shown |= Q(body__contains=f"/images/originals/{self.sha256[:2]}/{self.sha256}.")
            shown |= Q(body__contains=f"/images/renditions/{self.sha256[:2]}/{self.sha256[:20]}/")
        return Article.objects.filter(shown)

    @property
    def is_rendered(self) -> bool:
        return bool(self.rendered)

    def renditions(self, ratio: specs.Ratio, *, wanted: bool = False) -> list[specs.Rendition]:
        """The renditions pages name: those of the last complete set (`wanted`: those the
        picture as it stands needs, to be made)."""
        key = self.render_key if wanted else self.rendered
        if not key or not self.sha256:
            return []
        made_for = specs.parse_key(key)
        if made_for is None:  # made by an earlier spec version: none of them counts
            return []
        focal_x, focal_y, offered = made_for
        return specs.renditions(
            self.sha256, self.width, self.height, focal_x, focal_y, ratio, offered
        )


class Rendition(models.Model):
    """A derived file that exists in the storage (so `render_images` knows what is made, and
    deleting a picture deletes its files)."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="rendition_files")
    file = models.FileField(max_length=255, unique=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=10)
    file_size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rendition")

    def __str__(self):
        return self.file.name
