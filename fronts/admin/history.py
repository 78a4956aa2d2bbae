"""A front's history on the desk: each save of its layout recorded as one revision, the list
of them with what each moved, one compared with the layout now, and restore (Editors)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from fronts import diffs, restoring, revisions
from fronts.models import Front, FrontRevision


class RecordsLayout:
    """One revision of each front a save touched, whatever it changed (the front, its
    collections, their pins), by the user who saved; a save that changed nothing, none."""

    def fronts_touched(self, obj, form=None) -> set[int]:
        raise NotImplementedError

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self.has_change_permission(request, obj):
            return fieldsets
        # Nothing to guard where nothing is saved.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "base_version"]})
            for name, options in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        # From the database: the form has already put the new values on `obj`.
        touched = self.fronts_touched(obj, form)
        form.layouts_before = {pk: revisions.snapshot(pk) for pk in touched}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = form.layouts_before
        for pk in sorted({*before, *self.fronts_touched(form.instance, form)}):
            revisions.record(pk, before=before.get(pk), by=request.user)

    def delete_model(self, request, obj):
        before = {pk: revisions.snapshot(pk) for pk in self.fronts_touched(obj)}
        super().delete_model(request, obj)
        for pk, data in before.items():
            revisions.record(pk, before=data, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            touched = set().union(*(self.fronts_touched(obj) for obj in queryset))
            before = {pk: revisions.snapshot(pk) for pk in touched}
            super().delete_queryset(request, queryset)
            for pk, data in before.items():
                revisions.record(pk, before=data, by=request.user)


class LayoutHistory:
    """The front's revisions: anyone who may see the front reads them; restoring one is
    changing the front."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/revisions/",
                view(self.revisions_view),
                name="fronts_front_revisions",
            ),
            path(
                "<int:object_id>/revisions/<int:revision_id>/",
                view(self.revision_view),
                name="fronts_front_revision",
            ),
            *super().get_urls(),
        ]

    def get_front(self, request, object_id) -> Front:
        front = self.get_object(request, str(object_id))
        if front is None:
            raise Http404(_("No such front."))
        if not self.has_view_or_change_permission(request, front):
            raise PermissionDenied
        return front

    def history_context(self, request, front, title) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": front,
            "front": front,
            "title": title,
        }

    def revisions_view(self, request, object_id):
        front = self.get_front(request, object_id)
        title = _("Revisions of the front “%(name)s”") % {"name": front.name}
        return TemplateResponse(
            request,
            "admin/fronts/front/revisions.html",
            {
                **self.history_context(request, front, title),
                "revisions": front.revisions.select_related("created_by"),
            },
        )

    def revision_view(self, request, object_id, revision_id):
        front = self.get_front(request, object_id)
        revision = get_object_or_404(FrontRevision, pk=revision_id, front=front)
        if request.method not in {"GET", "HEAD", "POST"}:
            return HttpResponseNotAllowed(["GET", "POST"])
        if request.method == "POST":
            if not self.has_change_permission(request, front):
                raise PermissionDenied
            return self.restore(request, front, revision)
        title = _("Version %(version)d of the front “%(name)s”") % {
            "version": revision.version,
            "name": front.name,
        }
        return TemplateResponse(
            request,
            "admin/fronts/front/revision.html",
            {
                **self.history_context(request, front, title),
                "revision": revision,
                "since": diffs.changes(revision.data, revisions.snapshot(front.pk)),
                "can_restore": self.has_change_permission(request, front),
            },
        )

    def restore(self, request, front, revision):
        restored = restoring.restore(revision, by=request.user)
        version = {"version": revision.version}
        if restored.revision is None:
            self.message_user(
                request, _("The layout is already as in version %(version)d.") % version
            )
        else:
            level = messages.WARNING if restored.skipped or restored.notes else messages.SUCCESS
            self.message_user(
                request, _("Restored version %(version)d as a new revision.") % version, level
            )
        if restored.skipped:
            self.message_user(
                request,
                _("Not pinned again, as the stories have been deleted since: %(stories)s.")
                % {"stories": ", ".join(f"“{headline}”" for headline in restored.skipped)},
                messages.WARNING,
            )
        for note in restored.notes:
            self.message_user(request, note, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:fronts_front_change", args=[front.pk]))
