"""The picture library at /admin/images/image/: upload, describe, set the focal point, see
where each picture is used; pictures in use cannot be deleted."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.admin.people import KeptWhileStoriesUseIt
from images import uploads
from images.display import picture_thumbnail
from images.models import Image
from images.widgets import FocalPointWidget


class ImageAdminForm(forms.ModelForm):
    # A plain file field: uploads.check says what is wrong with a file (Django's image field
    # would only say "not an image or a corrupted image").
    file = forms.FileField(label=gettext_lazy("picture"), max_length=255)

    class Meta:
        model = Image
        fields = [
            "file",
            "alt_text",
            "caption",
            "credit",
            "source",
            "rights",
            "rights_expire_at",
            "tags",
            "focal_x",
            "focal_y",
        ]
        widgets = {"focal_x": forms.HiddenInput, "focal_y": FocalPointWidget}
        # The widget sets both numbers: its row is the point, not the second number.
        labels = {"focal_y": gettext_lazy("Focal point")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload: uploads.Upload | None = None
        if self.instance.pk:
            self.fields.pop("file", None)  # another file is another picture: upload it
        else:
            # Types, and HEIC's file names, which desktop systems often give no type.
            accepted = [*uploads.ACCEPTED.values(), ".heic", ".heif"]
            self.fields["file"].widget.attrs["accept"] = ",".join(accepted)
            self.fields["file"].help_text = _(
                "JPEG, PNG, WebP or HEIC, still, complete, at most %(mp).0f megapixels."
            ) % {"mp": uploads.settings.IMAGE_MAX_PIXELS / 1e6}

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file is None or not hasattr(file, "content_type"):  # no new upload
            return file
        upload = uploads.check(file)
        duplicate = Image.objects.filter(sha256=upload.sha256).exclude(pk=self.instance.pk).first()
        if duplicate is not None:
            url = reverse("admin:images_image_change", args=[duplicate.pk])
            raise ValidationError(
                format_html(
                    _('This picture is already in the library: <a href="{}">{}</a>.'),
                    url,
                    duplicate,
                ),
                code="duplicate",
            )
        self.upload = upload
        return file


class FreeToUseFilter(admin.SimpleListFilter):
    title = gettext_lazy("free to use")
    parameter_name = "usable"

    def lookups(self, request, model_admin):
        return [("yes", _("Free to use now")), ("no", _("Do not use, or expired"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.usable()
        if self.value() == "no":
            return queryset.unusable()
        return queryset


@admin.register(Image)
class ImageAdmin(KeptWhileStoriesUseIt, admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ["thumbnail", "caption", "credit", "rights", "rights_expire_at", "use_count"]
    list_display_links = ["thumbnail", "caption"]
    list_filter = [FreeToUseFilter, "rights", "source", "uploaded_at"]
    search_fields = ["caption", "credit", "alt_text", "source", "tags__name"]
    # Newest first, in the list and in a story's lead-image chooser (whose pages need an order).
    ordering = ["-uploaded_at", "-pk"]
    list_per_page = 40
    actions = ["delete_selected"]
    what_to_do = gettext_lazy("Give those stories another lead image first.")
    readonly_fields = ["original", "used_by", "uploaded"]
    fieldsets = [
        (None, {"fields": ["file", "original", "focal_x", "focal_y"]}),
        (gettext_lazy("Texts"), {"fields": ["alt_text", "caption", "credit", "tags"]}),
        (
            gettext_lazy("Source and rights"),
            {"fields": ["source", "rights", "rights_expire_at"]},
        ),
        (gettext_lazy("Where it is used"), {"fields": ["used_by", "uploaded"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(use_count=Count("stories", distinct=True))

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            # Picking a story's lead image: only pictures it may show.
            results = results.usable()
        return results, may_have_duplicates

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["focal_y"].widget.image = obj
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("file")  # another file is another picture: upload it
        return fields

    def stories_using(self, image):
        return image.stories_using()

    def save_model(self, request, obj, form, change):
        upload = form.upload
        if upload is not None:
            obj.take(upload)
        if not change:
            obj.uploaded_by = request.user
            obj.uploaded_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("picture"))
    def thumbnail(self, image):
        return picture_thumbnail(image, 120)

    @admin.display(description=gettext_lazy("stories"), ordering="use_count")
    def use_count(self, image):
        return image.use_count

    @admin.display(description=gettext_lazy("original"))
    def original(self, image):
        if not image.pk:
            return "—"
        return format_html(
            "{} × {} px · {} · {} KB<br><code>{}</code>",
            image.width,
            image.height,
            image.mime_type,
            round(image.file_size / 1024),
            image.sha256 or "",
        )

    @admin.display(description=gettext_lazy("used by"))
    def used_by(self, image):
        if not image.pk:
            return "—"
        stories = image.stories_using().order_by("-updated_at")[:50]
        if not stories:
            return _("No story uses this picture.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({})</li>',
                (
                    (
                        reverse("admin:articles_article_change", args=[story.pk]),
                        story.headline,
                        story.get_status_display(),
                    )
                    for story in stories
                ),
            ),
        )

    @admin.display(description=gettext_lazy("uploaded"))
    def uploaded(self, image):
        if not image.pk:
            return "—"
        who = image.uploaded_by.get_username() if image.uploaded_by else _("an import")
        return f"{timezone.localtime(image.uploaded_at):%Y-%m-%d %H:%M} · {who}"
