from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from articles.admin.forms import REPORTER_STATUSES, ArticleAdminForm, BylineFormSet, can_publish
from articles.admin.revisions import RevisionAdminMixin
from articles.editorial import copydesk, publishing
from articles.editorial.preview import preview_url
from articles.models import Article, Author, Byline, Correction, Section, TaggedArticle


def short_time(moment) -> str:
    """Format a time as "Nov. 27, 7:48 a.m.", with the year only when it is not this year."""
    local = timezone.localtime(moment)
    same_year = local.year == timezone.localtime().year
    return date_format(local, "N j, P" if same_year else "N j, Y, P")


def time_tag(moment):
    if moment is None:
        return "—"
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), short_time(moment))


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "story_count"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    # The count annotation makes Meta.ordering ignored: the story form's autocomplete needs it.
    ordering = ["position", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("articles"))

    @admin.display(description=_("stories"), ordering="story_count")
    def story_count(self, section):
        return section.story_count


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "title"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


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


@admin.register(Article)
class ArticleAdmin(PickOnly, RevisionAdminMixin, admin.ModelAdmin):
    form = ArticleAdminForm
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
    list_filter = ["status", "section", "kind", "featured", "publish_at"]
    list_select_related = ["section"]
    list_per_page = 50
    search_fields = ["headline", "dek", "body"]
    date_hierarchy = "publish_at"
    show_full_result_count = False
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section"]
    inlines = [BylineInline, CorrectionInline]
    save_on_top = True
    actions = ["submit_for_review", "publish_now", "unpublish"]
    readonly_fields = [
        "live_link",
        "preview_link",
        "readiness",
        "uuid",
        "first_published_at",
        "modified_at",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "version",
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
            {"fields": ["image", "image_alt", "image_caption", "image_credit"]},
        ),
        (_("Search and social"), {"fields": ["seo_title", "meta_description"]}),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": [
                    "slug",
                    "uuid",
                    "first_published_at",
                    "modified_at",
                    "created_at",
                    "created_by",
                    "updated_at",
                    "updated_by",
                    "version",
                ],
            },
        ),
    ]

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
        if obj is None or obj.is_live:
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
        return article.created_by_id == user.pk or any(
            byline.author.user_id == user.pk for byline in article.bylines.all()
        )

    def save_model(self, request, obj, form, change):
        if not can_publish(request.user) and obj.status not in REPORTER_STATUSES:
            raise PermissionDenied("Only editors can publish, schedule or withdraw stories.")
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        obj._revision_user = request.user
        if form.cleaned_data.get("substantive_update"):
            obj.modified_at = timezone.now()
            obj._revision_substantive = True
            obj._revision_note = form.cleaned_data["update_reason"]
        super().save_model(request, obj, form, change)

    def view_on_site(self, article):
        return article.get_absolute_url() if article.is_live else None

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

    @admin.action(description=_("Submit selected stories for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        done = 0
        for article in queryset.filter(status=Article.Status.DRAFT):
            if self.has_change_permission(request, article):
                publishing.submit_for_review(article, by=request.user)
                done += 1
        self.report(request, done, queryset.count(), _("submitted for review"))

    @admin.action(description=_("Publish selected stories now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        done = 0
        already_live = Article.objects.published().values("pk")
        for article in queryset.exclude(pk__in=already_live):
            try:
                publishing.publish(article, by=request.user)
            except publishing.PublishingError as error:
                self.message_user(request, f"“{article}”: {error}", messages.ERROR)
            else:
                done += 1
        self.report(request, done, queryset.count(), _("published"))

    @admin.action(description=_("Withdraw (unpublish) selected stories"), permissions=["publish"])
    def unpublish(self, request, queryset):
        done = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            publishing.unpublish(article, by=request.user)
            done += 1
        self.report(request, done, queryset.count(), _("withdrawn"))

    def report(self, request, done, selected, verb):
        message = ngettext(
            "%(done)d of %(selected)d selected story %(verb)s.",
            "%(done)d of %(selected)d selected stories %(verb)s.",
            selected,
        ) % {"done": done, "selected": selected, "verb": verb}
        self.message_user(request, message, messages.SUCCESS if done else messages.WARNING)


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["article", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["article"]
    search_fields = ["text", "article__headline"]
    autocomplete_fields = ["article"]
    date_hierarchy = "created_at"


# Taggit's own TagAdmin assumes its generic TaggedItem: with our TaggedArticle through model
# its inline would show nothing and its merge would move no stories, so we replace it.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "story_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]
    actions = ["merge_tags"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(story_count=Count("articles_taggedarticle_items"))
        )

    @admin.display(description=_("stories"), ordering="story_count")
    def story_count(self, tag):
        return tag.story_count

    @admin.action(description=_("Merge selected tags into the most used one"))
    def merge_tags(self, request, queryset):
        tags = sorted(queryset, key=lambda tag: (-tag.story_count, tag.name.lower()))
        if len(tags) < 2:
            self.message_user(request, _("Select at least two tags to merge."), messages.WARNING)
            return
        keep, merged = tags[0], tags[1:]
        with transaction.atomic():
            already = TaggedArticle.objects.filter(tag=keep).values("content_object_id")
            moving = TaggedArticle.objects.filter(tag__in=merged)
            moved = moving.exclude(content_object_id__in=already).update(tag=keep)
            Tag.objects.filter(pk__in=[tag.pk for tag in merged]).delete()
        self.message_user(
            request,
            ngettext(
                "Merged %(count)d tag into “%(tag)s”; %(moved)d stories moved.",
                "Merged %(count)d tags into “%(tag)s”; %(moved)d stories moved.",
                len(merged),
            )
            % {"count": len(merged), "tag": keep.name, "moved": moved},
            messages.SUCCESS,
        )
