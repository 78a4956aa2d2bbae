"""The trash: deleting a story on the desk moves it here, and an editor can restore it.

Nothing a reader could see is deleted by a click: the story leaves every public page at once
and stays restorable, with its revisions, corrections, tags and byline, for
TRASH_KEEPS_DAYS days; `manage.py purge_trash` deletes it for good after that. Those who
may delete stories (Editors, superusers) see the Trash list and restore; Reporters do
neither, and a forged post is refused on the server.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from articles.admin.actions import RefusedActions
from articles.admin.display import short_time, time_tag
from articles.editorial import publishing
from articles.models import TRASH_KEEPS_DAYS, Article, TrashedArticle

TRASH_LIST = "admin:articles_trashedarticle_changelist"


class DeletingMovesToTrash:
    """The story desk's delete page and "delete selected" action move stories to the trash."""

    delete_confirmation_template = "admin/articles/article/trash_confirmation.html"

    def get_queryset(self, request):
        return super().get_queryset(request).not_trashed()

    def get_deleted_objects(self, objs, request):
        # Only the stories move; their revisions, corrections, tags and bylines stay with
        # them, so there is nothing else to list, nor a permission to check for.
        return [str(obj) for obj in objs], {}, set(), []

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "keeps_days": TRASH_KEEPS_DAYS}
        return super().delete_view(request, object_id, extra_context)

    def log_deletions(self, request, queryset):
        for article in queryset:
            self.log_change(request, article, _("Moved to the trash."))

    def delete_model(self, request, obj):
        publishing.move_to_trash(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            publishing.move_to_trash(article, by=request.user)

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(request, trashed_message(request, 1, obj_display), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_changelist"))

    @admin.action(
        description=gettext_lazy("Move selected stories to the trash"), permissions=["delete"]
    )
    def delete_selected(self, request, queryset):
        """In place of Django's bulk delete: the same confirmation step, then the trash."""
        stories = list(queryset)
        if request.POST.get("post"):
            self.log_deletions(request, stories)
            self.delete_queryset(request, stories)
            message = trashed_message(request, len(stories), str(stories[0]))
            self.message_user(request, message, messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/articles/article/trash_selected_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Move stories to the trash"),
                "objects_name": model_ngettext(self.opts, len(stories)),
                "queryset": stories,
                "keeps_days": TRASH_KEEPS_DAYS,
                "opts": self.opts,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
            },
        )


def trashed_message(request, count: int, headline: str) -> str:
    message = ngettext(
        "“%(headline)s” is in the trash: readers no longer see it.",
        "%(count)d stories are in the trash: readers no longer see them.",
        count,
    ) % {"headline": headline, "count": count}
    restore = ngettext(
        "An editor can restore it from the trash within %(days)d days.",
        "An editor can restore them from the trash within %(days)d days.",
        count,
    ) % {"days": TRASH_KEEPS_DAYS}
    if not request.user.has_perm("articles.delete_article"):
        return f"{message} {restore}"
    return format_html(
        '{} {} <a href="{}">{}</a>', message, restore, reverse(TRASH_LIST), _("Open the trash")
    )


@admin.register(TrashedArticle)
class TrashAdmin(RefusedActions, admin.ModelAdmin):
    """The stories in the trash, newest first, with when each will be purged."""

    list_display = [
        "headline",
        "section",
        "state_before",
        "trashed_time",
        "trashed_by",
        "purge_time",
    ]
    list_display_links = None
    list_filter = ["section", "kind"]
    list_select_related = ["section", "trashed_by"]
    search_fields = ["headline", "trashed_slug"]
    ordering = ["-trashed_at", "-pk"]
    show_full_result_count = False
    actions = ["restore"]

    def get_queryset(self, request):
        return super().get_queryset(request).trashed().defer("body", "search_vector")

    # Who may move a story to the trash may see the trash and take it out again.
    def may_trash(self, request) -> bool:
        return request.user.has_perm("articles.delete_article") and request.user.has_perm(
            "articles.change_article"
        )

    def has_module_permission(self, request):
        return self.may_trash(request)

    def has_view_permission(self, request, obj=None):
        # The list only: a story's own page is the story desk's, once it is restored.
        return obj is None and self.may_trash(request)

    def has_restore_permission(self, request):
        return self.may_trash(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting for good is purge_trash's job, after the days the trash promises.
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.may_trash(request):
            raise PermissionDenied
        extra_context = {
            **(extra_context or {}),
            "title": _("Trash"),
            "subtitle": ngettext(
                "Stories stay here for %(days)d day, then are deleted for good.",
                "Stories stay here for %(days)d days, then are deleted for good.",
                TRASH_KEEPS_DAYS,
            )
            % {"days": TRASH_KEEPS_DAYS},
        }
        return super().changelist_view(request, extra_context)

    @admin.action(
        description=gettext_lazy("Restore selected stories (as drafts)"), permissions=["restore"]
    )
    def restore(self, request, queryset):
        restored = []
        for article in queryset:
            untrashed = publishing.restore_from_trash(article, by=request.user)
            restored.append(untrashed.article)
            if untrashed.slug_taken:
                self.message_user(
                    request,
                    _(
                        "Another story has taken the address of “%(headline)s” since; "
                        "it was restored at “%(slug)s”."
                    )
                    % {"headline": untrashed.article.headline, "slug": untrashed.article.slug},
                    messages.WARNING,
                )
        message = ngettext(
            "%(count)d story restored as a draft: publish it again when it is ready.",
            "%(count)d stories restored as drafts: publish them again when they are ready.",
            len(restored),
        ) % {"count": len(restored)}
        if len(restored) == 1:
            link = reverse("admin:articles_article_change", args=[restored[0].pk])
            message = format_html('{} <a href="{}">{}</a>', message, link, restored[0].headline)
        self.message_user(request, message, messages.SUCCESS if restored else messages.WARNING)

    @admin.display(description=gettext_lazy("before the trash"), ordering="status_before_trash")
    def state_before(self, article):
        status = article.status_before_trash
        if status == Article.Status.PUBLISHED:
            if article.publish_at and article.publish_at > article.trashed_at:
                return _("Scheduled for %(time)s") % {"time": short_time(article.publish_at)}
            return _("Live")
        if status == Article.Status.UNPUBLISHED and article.first_published_at:
            return _("Withdrawn")
        return article.get_status_before_trash_display()

    @admin.display(description=gettext_lazy("moved to the trash"), ordering="trashed_at")
    def trashed_time(self, article):
        return time_tag(article.trashed_at)

    @admin.display(description=gettext_lazy("deleted for good after"), ordering="trashed_at")
    def purge_time(self, article):
        return time_tag(article.purge_due_at)
