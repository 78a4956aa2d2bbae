from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin.actions import PublishingActions, RefusedActions
from articles.admin.display import short_time, time_tag
from articles.admin.forms import REPORTER_STATUSES, ArticleAdminForm, BylineFormSet, can_publish
from articles.admin.listing import (
    NeedsPictureFilter,
    PublishedYearFilter,
    StatusFilter,
    StoryChangeList,
)
from articles.admin.revisions import RevisionAdminMixin
from articles.admin.trash import DeletingMovesToTrash
from articles.editorial import copydesk, publishing
from articles.editorial.changes import recording
from articles.editorial.preview import preview_url
from articles.models import Article, Byline, Correction
from images.display import picture_thumbnail

RELATED_LINKS = {"can_add_related", "can_change_related", "can_delete_related", "can_view_related"}


class PickOnly:
    """Choose a section or author on the story; editing or deleting one has its own page."""

    pick_only = {"section": {"can_add_related"}, "author": {"can_add_related"}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.pick_only and field is not None:
            for flag in RELATED_LINKS - self.pick_only[db_field.name]:
                setattr(field.widget, flag, False)
        return field


class BylineInline(PickOnly, admin.TabularInline):
    model = Byline
    formset = BylineFormSet
    extra = 1
    autocomplete_fields = ["author"]
    verbose_name = _("author")
    verbose_name_plural = _("byline (in order)")


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["kind", "text", "created_at"]


# Who and when, shown read-only at the foot of the form.
AUDIT_FIELDS = [
    "uuid",
    "first_published_at",
    "modified_at",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
]


@admin.register(Article)
class ArticleAdmin(
    PickOnly, DeletingMovesToTrash, PublishingActions, RevisionAdminMixin, admin.ModelAdmin
):
    form = ArticleAdminForm
    actions = [*PublishingActions.actions, "delete_selected"]
    list_display = [
        "headline",
        "section",
        "status_badge",
        "publish_time",
        "byline",
        "updated_time",
        "live_link",
    ]
    list_display_links = ["headline"]
    list_filter = [
        ("status", StatusFilter),
        "section",
        "kind",
        "featured",
        "publish_at",
        PublishedYearFilter,
        NeedsPictureFilter,
    ]
    list_select_related = ["section"]
    list_per_page = 50
    search_fields = ["headline", "dek", "body"]
    show_full_result_count = False
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section", "lead_image"]
    inlines = [BylineInline, CorrectionInline]
    save_on_top = True
    readonly_fields = [
        "lead_image_preview",
        "live_link",
        "preview_link",
        "readiness",
        *AUDIT_FIELDS,
    ]
    fieldsets = [
        (_("Story"), {"fields": ["kicker", "headline", "dek", "body", "dateline"]}),
        (_("Section and tags"), {"fields": ["section", "kind", "tags"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    "publish_at",
                    "featured",
                    ("substantive_update", "update_reason"),
                    "live_link",
                    "preview_link",
                    "readiness",
                    "base_version",
                ]
            },
        ),
        (
            _("Lead image"),
            {"fields": ["lead_image", "lead_image_preview"]},
        ),
        (_("Search and social"), {"fields": ["seo_title", "meta_description"]}),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": ["slug", *AUDIT_FIELDS],
            },
        ),
    ]

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class FormForUser(form):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, user=request.user, **form_kwargs)

        return FormForUser

    def get_fieldsets(self, request, obj=None):
        """Show only the publishing controls that apply to this story and this role."""
        hidden = set()
        if obj is None or not obj.is_live:
            hidden.add("live_link")
        if obj is None or obj.is_live or not self.has_change_permission(request, obj):
            # A preview link lets anyone read the story: only those who may edit it share it.
            hidden.add("preview_link")
        if obj is None or not obj.was_public or not can_publish(request.user):
            hidden.add(("substantive_update", "update_reason"))
        if not can_publish(request.user):
            hidden.update({"publish_at", "featured"})
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_inlines(self, request, obj):
        # Corrections are an editor's job: a reporter sees them only on a story that has some.
        if request.user.has_perm("articles.add_correction") or (
            obj is not None and obj.corrections.exists()
        ):
            return self.inlines
        return [BylineInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not can_publish(request.user):
            fields += ["publish_at", "featured"]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        # A live story's slug is its address: it changes only on purpose (old URLs redirect).
        return (
            {}
            if obj is not None and obj.first_published_at
            else super().get_prepopulated_fields(request, obj)
        )

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or can_publish(request.user):
            return True
        # Reporters edit their own stories, and only until an editor takes them live.
        return obj.status in REPORTER_STATUSES and self.is_own(request.user, obj)

    @staticmethod
    def is_own(user, article):
        """A reporter's own story: one they created, or one whose byline carries their author
        profile (an editor who puts them on a byline hands them the story)."""
        return article.created_by_id == user.pk or any(
            byline.author.user_id == user.pk for byline in article.bylines.all()
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # One save of the form (story, tags, byline, corrections) is one revision, by this user.
        with recording(by=request.user):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Save the story's text; its status and publish time change in save_related()."""
        if not can_publish(request.user) and obj.status not in REPORTER_STATUSES:
            raise PermissionDenied("Only editors can publish, schedule or withdraw stories.")
        if not change:
            obj.created_by = request.user
        # The publishing door checks the byline, which the inlines save after this.
        form.requested_state = publishing.take_requested_state(obj)
        substantive = bool(form.cleaned_data.get("substantive_update"))
        note = form.cleaned_data.get("update_reason", "") if substantive else ""
        publishing.save(obj, by=request.user, note=note, substantive=substantive)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        status, publish_at = form.requested_state
        publishing.move_to(form.instance, status, publish_at=publish_at, by=request.user)

    def view_on_site(self, article):
        return article.get_absolute_url() if article.is_live else None

    @admin.display(description=_("the picture"))
    def lead_image_preview(self, article):
        image = article.lead_image if article.lead_image_id else None
        if image is None:
            return _("No lead image.")
        reason = image.unusable_reason()
        status = (
            format_html('<strong class="errornote">{}</strong>', _("Not shown: %s.") % reason)
            if reason
            else ""
        )
        return format_html(
            '{}<p>{} <span class="credit">{}</span></p>{} <a href="{}">{}</a>',
            picture_thumbnail(image, 240),
            image.caption,
            image.credit,
            status,
            reverse("admin:images_image_change", args=[image.pk]),
            _("Edit the picture (texts, rights, focal point)"),
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, article):
        if article.is_scheduled:
            label = _("Scheduled for %(time)s") % {"time": short_time(article.publish_at)}
            state = "scheduled"
        elif article.is_live:
            label, state = _("Live"), "live"
        elif article.status == Article.Status.UNPUBLISHED:
            label, state = _("Withdrawn"), "withdrawn"
        else:
            label, state = article.get_status_display(), article.status
        return format_html('<span class="status-badge status-{}">{}</span>', state, label)

    @admin.display(description=_("publish at"), ordering="publish_at")
    def publish_time(self, article):
        return time_tag(article.publish_at)

    @admin.display(description=_("updated at"), ordering="updated_at")
    def updated_time(self, article):
        return time_tag(article.updated_at)

    @admin.display(description=_("authors"))
    def byline(self, article):
        return ", ".join(author.name for author in article.byline_authors)

    @admin.display(description=_("page"))
    def live_link(self, article):
        if article.pk and article.is_live:
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                article.get_absolute_url(),
                _("View live"),
            )
        return "—"

    @admin.display(description=_("preview"))
    def preview_link(self, article):
        if not article.pk or article.is_live:
            return "—"
        days = settings.PREVIEW_MAX_AGE // 86400
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a><div class="help">{}</div>',
            preview_url(article),
            _("Open the preview"),
            ngettext(
                "Anyone with this link can read the story for %(days)d day, without logging in.",
                "Anyone with this link can read the story for %(days)d days, without logging in.",
                days,
            )
            % {"days": days},
        )

    @admin.display(description=_("copy-desk checks"))
    def readiness(self, article):
        if not article.pk:
            return _("Save the story to see the copy-desk checks.")
        checks = copydesk.review(
            article, author_count=len(article.byline_authors), tag_count=article.tags.count()
        )
        return format_html(
            '<ul class="copydesk">{}</ul>',
            format_html_join(
                "", '<li class="copydesk-{}">{}</li>', ((c.level, c.message) for c in checks)
            ),
        )


@admin.register(Correction)
class CorrectionAdmin(RefusedActions, admin.ModelAdmin):
    list_display = ["article", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["article"]
    search_fields = ["text", "article__headline"]
    autocomplete_fields = ["article"]
    date_hierarchy = "created_at"
