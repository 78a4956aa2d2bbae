"""A collection's page: its stories pinned in order, its backfill, what it shows now."""

from django.contrib import admin
from django.db.models import Count
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.admin.actions import RefusedActions
from articles.admin.stories import PickOnly
from fronts.admin.choosers import PinnableStories, PinnableStoryWidget
from fronts.admin.forms import CollectionPageForm, OrderedFormSet, SlotForm
from fronts.admin.history import RecordsLayout
from fronts.admin.showing import MEDIA_CSS, showing_list, unshown_pins
from fronts.models import Collection, Slot
from fronts.resolve import resolve


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
