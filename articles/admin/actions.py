"""The change lists' bulk actions: each story goes through the publishing door."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.editorial import publishing
from articles.models import Article


class RefusedActions:
    """Refuse, with a message, a posted bulk action this user is not offered.

    Every action declares its permissions (@admin.action(permissions=…)), so Django offers
    each user only theirs; but where it offers none, it ignores a forged post in silence.
    """

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and self.has_view_or_change_permission(request):
            allowed = self.get_actions(request)
            posted = request.POST.getlist("action")
            refused = [name for name in posted if name and name not in allowed]
            if refused and "_save" not in request.POST:
                self.message_user(
                    request,
                    _("You may not run “%(action)s” here; nothing was changed.")
                    % {"action": refused[0]},
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)


class PublishingActions(RefusedActions):
    """Submit, publish and withdraw the selected stories, and report how many moved."""

    actions = ["submit_for_review", "publish_now", "unpublish"]

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
