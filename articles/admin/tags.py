"""The tag vocabulary: list, rename, merge."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit import admin as taggit_admin  # noqa: F401  (registers the TagAdmin replaced below)
from taggit.models import Tag

from articles.admin.actions import RefusedActions
from articles.models import TaggedArticle

# Taggit's own TagAdmin assumes its generic TaggedItem: with our TaggedArticle through model
# its inline would show nothing and its merge would move no stories, so we replace it (taggit's
# admin is imported above: this app comes before taggit in INSTALLED_APPS).
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(RefusedActions, admin.ModelAdmin):
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

    def has_merge_permission(self, request):
        # A merge deletes the merged tags and retags their stories.
        return self.has_delete_permission(request) and request.user.has_perm(
            "articles.change_article"
        )

    @admin.action(
        description=_("Merge selected tags into the most used one"), permissions=["merge"]
    )
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
