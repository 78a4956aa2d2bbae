"""A collection's page: its stories pinned in order, its backfill, what it shows now.

Adding and deleting collections are guarded as changing one is (forms.py, GuardsLayout): the
add page opened for a front and the delete confirmations (of one collection, or of those
selected in the list) carry the version of each front they touch, and a save or a deletion
confirmed after someone else's save of that front is refused, nothing written, with what is
different now shown.
"""

import copy
from http import HTTPStatus

from django.contrib import admin
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.helpers import AdminForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest
from django.db import router, transaction
from django.db.models import Count
from django.http import QueryDict
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.admin.actions import RefusedActions
from articles.admin.stories import PickOnly
from fronts.admin.choosers import PinnableStories, PinnableStoryWidget
from fronts.admin.forms import (
    CollectionPageForm,
    GuardsCollectionsFront,
    OrderedFormSet,
    SlotForm,
)
from fronts.admin.history import RecordsLayout
from fronts.admin.showing import MEDIA_CSS, showing_list, unshown_pins
from fronts.models import Collection, Slot
from fronts.resolve import resolve


class DeletionGuard(GuardsCollectionsFront):
    """A delete confirmation: the version of the collection's front it was opened at.

    A confirmation posted without a version (a page opened before confirmations carried one,
    a script) is accepted, as a change page's save without one is: there is no version to
    find stale, and refusing would refuse every deletion such a client makes.
    """

    refusal = gettext_lazy(
        "The front “%(front)s” was changed by %(who)s since you opened this page, so nothing "
        "was deleted. Review what is different below, then confirm again to delete."
    )

    class Meta:
        model = Collection
        fields = []


def deletion_guards(collections, data=None, *, prefixed: bool) -> list[DeletionGuard]:
    """A guard for each front the collections are on, by front: checked in that order, two
    deletions lock the fronts they share in one order and take turns rather than deadlock.
    `prefixed`: named after their front, for a page that carries several."""
    first_on = {}
    for collection in collections:
        first_on.setdefault(collection.front_id, collection)
    return [
        DeletionGuard(data, instance=collection, prefix=f"front-{pk}" if prefixed else None)
        for pk, collection in sorted(first_on.items())
    ]


def refused(guards: list[DeletionGuard]) -> list[DeletionGuard]:
    """The guards whose front was changed since the page was opened (each front locked until
    the transaction ends)."""
    stale = [guard for guard in guards if not guard.is_valid()]
    if any(guard.conflict is None for guard in stale):
        raise BadRequest("A layout version that is not a number.")
    return stale


def reopened(request):
    """The request as if it opened its confirmation page again: the admin then shows the page
    (carrying each front's version now) rather than deleting."""
    again = copy.copy(request)
    again.method, again.POST = "GET", QueryDict()
    return again


class SlotInline(PickOnly, admin.TabularInline):
    model = Slot
    form = SlotForm
    formset = OrderedFormSet
    extra = 1
    pick_only = {"article": {"can_view_related"}}
    verbose_name = gettext_lazy("pinned story")
    verbose_name_plural = gettext_lazy("pinned stories (in order; backfill follows them)")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            kwargs["widget"] = PinnableStoryWidget(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")


@admin.register(Collection)
class CollectionAdmin(PickOnly, RefusedActions, RecordsLayout, admin.ModelAdmin):
    form = CollectionPageForm
    actions = ["delete_selected"]  # Django's, guarded (below)
    list_display = ["title", "front", "position", "style", "max_stories", "pin_count"]
    list_filter = ["front", "style"]
    list_select_related = ["front"]
    search_fields = ["title", "front__name"]
    ordering = ["front__name", "position", "pk"]
    autocomplete_fields = ["front"]
    pick_only = {"front": {"can_view_related"}, "backfill_section": set()}
    inlines = [SlotInline]
    readonly_fields = ["now_showing"]
    fieldsets = [
        (
            None,
            {"fields": ["front", "title", "position", "style", "max_stories", "base_version"]},
        ),
        (
            gettext_lazy("Backfill"),
            {
                "fields": ["backfill", "backfill_section", "backfill_tag", "backfill_kind"],
                "description": gettext_lazy(
                    "After the pinned stories, the newest live stories these filters pick "
                    "fill the collection; no filter: any live story."
                ),
            },
        ),
        (gettext_lazy("Now showing"), {"fields": ["now_showing"]}),
    ]

    class Media:
        css = MEDIA_CSS

    def get_urls(self):
        pinnable = PinnableStories.as_view(admin_site=self.admin_site)
        return [
            path(
                "pinnable-stories/",
                self.admin_site.admin_view(pinnable),
                name="fronts_slot_pinnable",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pin_count=Count("slots"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None or not self.has_add_permission(request):
            return fieldsets
        # RecordsLayout carries the version on change pages; the add page is guarded too.
        (name, options), *rest = fieldsets
        fields = [*options["fields"], "base_version", "base_front"]
        return [(name, {**options, "fields": fields}), *rest]

    def delete_view(self, request, object_id, extra_context=None):
        if request.method != "POST":
            return super().delete_view(request, object_id, extra_context)
        # One transaction from the check to the deletion: the front stays locked in between.
        with transaction.atomic(using=router.db_for_write(self.model)):
            collection = self.get_object(request, unquote(object_id))
            refusals = []
            if collection is not None and self.has_delete_permission(request, collection):
                refusals = refused(deletion_guards([collection], request.POST, prefixed=False))
            if not refusals:
                return super().delete_view(request, object_id, extra_context)
            response = super().delete_view(reopened(request), object_id, extra_context)
            return self.refusing(response, refusals)

    def render_delete_form(self, request, context):
        context["layout_guards"] = deletion_guards([context["object"]], prefixed=False)
        return super().render_delete_form(request, context)

    @admin.action(
        permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s")
    )
    def delete_selected(self, request, queryset):
        """Django's own action, guarded as the delete page is: its confirmation carries the
        version of each front the selected collections are on."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            refusals = []
            if request.POST.get("post"):
                refusals = refused(deletion_guards(queryset, request.POST, prefixed=True))
            response = django_delete_selected(
                self, reopened(request) if refusals else request, queryset
            )
            if response is None:  # deleted
                return None
            response.context_data["layout_guards"] = deletion_guards(queryset, prefixed=True)
            return self.refusing(response, refusals) if refusals else response

    def refusing(self, response, refusals):
        """The confirmation page as it opens now, with why the deletion was refused and what
        is different on each front. 409, not 200: the page is the one an opening shows, but
        the deletion asked for conflicts with the layout now, and a log or a script can tell."""
        response.context_data["layout_refusals"] = [AdminForm(guard, [], {}) for guard in refusals]
        response.status_code = HTTPStatus.CONFLICT
        return response

    def fronts_touched(self, collection, form=None) -> set[int]:
        # Moved to another front: both fronts' layouts changed.
        opened = getattr(form, "guarded_front", None)
        return {pk for pk in (collection.front_id, opened.pk if opened else None) if pk}

    @admin.display(description=gettext_lazy("pins"), ordering="pin_count")
    def pin_count(self, collection):
        return collection.pin_count

    @admin.display(description=gettext_lazy("what readers get"))
    def now_showing(self, collection):
        if not collection.pk:
            return _("Save the collection to see what it shows.")
        shown = resolve(collection.front)
        showing = next(s for s in shown if s.collection.pk == collection.pk)
        return format_html("{}{}", showing_list(showing.items), unshown_pins(collection, shown))
