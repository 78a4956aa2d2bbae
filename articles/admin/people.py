"""Sections and authors: the desk's lists of where stories go and who writes them."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from articles.admin.actions import RefusedActions
from articles.models import Article, Author, Section


class KeptWhileStoriesUseIt(RefusedActions):
    """Refuse, with a message saying why, to delete what stories use (the database refuses
    too: PROTECT). A story in the trash counts: it can still be restored."""

    def stories_using(self, obj):
        raise NotImplementedError

    def refusal(self, obj) -> str | None:
        counts = self.stories_using(obj).aggregate(
            total=Count("pk"), trashed=Count("pk", filter=Q(status=Article.Status.TRASHED))
        )
        if not counts["total"]:
            return None
        used = ngettext(
            "“%(name)s” cannot be deleted: %(total)d story uses it",
            "“%(name)s” cannot be deleted: %(total)d stories use it",
            counts["total"],
        ) % {"name": obj, "total": counts["total"]}
        if counts["trashed"]:
            used += ngettext(
                " (%(trashed)d of them in the trash, which counts until it is purged, since "
                "it can still be restored)",
                " (%(trashed)d of them in the trash, which count until they are purged, since "
                "they can still be restored)",
                counts["trashed"],
            ) % {"trashed": counts["trashed"]}
        return f"{used}. {self.what_to_do}"

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        refusal = obj and self.has_delete_permission(request, obj) and self.refusal(obj)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            info = (self.opts.app_label, self.opts.model_name)
            return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    @admin.action(
        description=gettext_lazy("Delete selected %(verbose_name_plural)s"), permissions=["delete"]
    )
    def delete_selected(self, request, queryset):
        """Django's bulk delete, refused as a whole when stories use any of the selection."""
        refusals = [refusal for obj in queryset if (refusal := self.refusal(obj))]
        if refusals:
            for refusal in refusals:
                self.message_user(request, refusal, messages.ERROR)
            self.message_user(request, _("Nothing was deleted."), messages.ERROR)
            return None
        return delete_selected(self, request, queryset)


@admin.register(Section)
class SectionAdmin(KeptWhileStoriesUseIt, admin.ModelAdmin):
    list_display = ["name", "slug", "position", "story_count"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    # The count annotation makes Meta.ordering ignored: the story form's autocomplete needs it.
    ordering = ["position", "name"]
    actions = ["delete_selected"]
    what_to_do = gettext_lazy("Move its stories to another section first.")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("articles"))

    def stories_using(self, section):
        return Article.objects.filter(section=section)

    @admin.display(description=gettext_lazy("stories"), ordering="story_count")
    def story_count(self, section):
        return section.story_count


@admin.register(Author)
class AuthorAdmin(KeptWhileStoriesUseIt, admin.ModelAdmin):
    list_display = ["name", "title", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "title"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    actions = ["delete_selected"]
    what_to_do = gettext_lazy("Take the author off those stories' bylines first.")

    def stories_using(self, author):
        return Article.objects.filter(bylines__author=author)
