from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from articles.models import Article, Author, Byline, Correction, Section, TaggedArticle


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "story_count"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

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


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    verbose_name = _("author")
    verbose_name_plural = _("byline (in order)")


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["kind", "text", "created_at"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "headline",
        "section",
        "status_badge",
        "publish_at",
        "byline",
        "updated_at",
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
    readonly_fields = [
        "live_link",
        "uuid",
        "first_published_at",
        "created_at",
        "updated_at",
        "version",
    ]
    fieldsets = [
        (_("Story"), {"fields": ["kicker", "headline", "dek", "body", "dateline"]}),
        (_("Section and tags"), {"fields": ["section", "kind", "tags"]}),
        (_("Publishing"), {"fields": ["status", "publish_at", "featured", "live_link"]}),
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
                    "created_at",
                    "updated_at",
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

    def view_on_site(self, article):
        return article.get_absolute_url() if article.is_live else None

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, article):
        if article.is_scheduled:
            label = _("Scheduled")
            state = "scheduled"
        elif article.is_live:
            label, state = _("Live"), "live"
        else:
            label, state = article.get_status_display(), article.status
        return format_html('<span class="status-badge status-{}">{}</span>', state, label)

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
