"""Admin pages for a story's revisions: the list, a diff against the current text, restore."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from articles.editorial import publishing, revisions
from articles.models import Article, Revision


class RevisionAdminMixin:
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/revisions/",
                view(self.revisions_view),
                name="articles_article_revisions",
            ),
            path(
                "<int:object_id>/revisions/<int:revision_id>/",
                view(self.revision_view),
                name="articles_article_revision",
            ),
            *super().get_urls(),
        ]

    def get_article(self, request, object_id) -> Article:
        article = self.get_object(request, str(object_id))
        if article is None:
            raise Http404(_("No such story."))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def revisions_view(self, request, object_id):
        article = self.get_article(request, object_id)
        history = article.revisions.select_related("created_by")
        return TemplateResponse(
            request,
            "admin/articles/article/revisions.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": article,
                "article": article,
                "revisions": history,
                "title": _("Revisions of “%(headline)s”") % {"headline": article.headline},
            },
        )

    def revision_view(self, request, object_id, revision_id):
        article = self.get_article(request, object_id)
        revision = get_object_or_404(Revision, pk=revision_id, article=article)
        if request.method not in {"GET", "HEAD", "POST"}:
            return HttpResponseNotAllowed(["GET", "POST"])
        if request.method == "POST":
            if not self.has_change_permission(request, article):
                raise PermissionDenied
            return self.restore(request, article, revision)
        current = revisions.snapshot(article)
        return TemplateResponse(
            request,
            "admin/articles/article/revision.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": article,
                "article": article,
                "revision": revision,
                "changes": revisions.diff(revision.data, current),
                "can_restore": self.has_change_permission(request, article),
                "title": _("Version %(version)d of “%(headline)s”")
                % {"version": revision.version, "headline": article.headline},
            },
        )

    def restore(self, request, article, revision):
        try:
            restored = publishing.restore(revision, by=request.user)
        except publishing.PublishingError as error:
            self.message_user(
                request,
                _(
                    "Version %(version)d was not restored: the story is live or scheduled, "
                    "and this version would leave it incomplete. %(why)s"
                )
                % {"version": revision.version, "why": error},
                messages.ERROR,
            )
            return HttpResponseRedirect(
                reverse("admin:articles_article_revision", args=[article.pk, revision.pk])
            )
        self.message_user(
            request,
            _("Restored version %(version)d as a new revision.") % {"version": revision.version},
            messages.WARNING if restored.notes else messages.SUCCESS,
        )
        for note in restored.notes:
            self.message_user(request, note, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
