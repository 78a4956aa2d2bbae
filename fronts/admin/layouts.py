"""Fronts and their collections, top to bottom; scheduled layouts and their windows."""

from django.contrib import admin
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.admin.actions import RefusedActions
from articles.admin.display import time_tag
from articles.admin.stories import PickOnly
from fronts.admin.arrangement import ArrangedCollectionForm, Arrangement
from fronts.admin.forms import FrontForm, OrderedFormSet
from fronts.admin.history import LayoutHistory, RecordsLayout
from fronts.admin.showing import MEDIA_CSS, on_the_site, showing_list
from fronts.models import Collection, Front
from fronts.resolve import resolve


class CollectionInline(PickOnly, admin.TabularInline):
    model = Collection
    form = ArrangedCollectionForm
    formset = OrderedFormSet
    extra = 1
    show_change_link = True  # its own page: where its stories are pinned
    pick_only = {"backfill_section": set()}
    verbose_name_plural = gettext_lazy("collections (top to bottom)")


class ScheduleFilter(admin.SimpleListFilter):
    title = gettext_lazy("schedule")
    parameter_name = "schedule"

    def lookups(self, request, model_admin):
        return [
            ("fronts", _("Fronts")),
            ("running", _("Scheduled layouts running now")),
            ("upcoming", _("Scheduled layouts to come")),
            ("over", _("Scheduled layouts that are over")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        layouts = queryset.filter(replaces__isnull=False)
        ended = Q(ends_at__lte=now)
        return {
            "fronts": lambda: queryset.filter(replaces__isnull=True),
            "running": lambda: layouts.filter(starts_at__lte=now).exclude(ended),
            "upcoming": lambda: layouts.filter(starts_at__gt=now),
            "over": lambda: layouts.filter(ended),
        }.get(self.value(), lambda: queryset)()


@admin.register(Front)
class FrontAdmin(
    PickOnly, RefusedActions, Arrangement, RecordsLayout, LayoutHistory, admin.ModelAdmin
):
    form = FrontForm
    list_display = ["name", "slug", "section", "schedule", "collection_count"]
    list_filter = [ScheduleFilter, "section"]
    list_select_related = ["section", "replaces"]
    search_fields = ["name", "slug"]
    # The count annotation makes Meta.ordering ignored; fronts come before their layouts.
    ordering = [F("replaces_id").asc(nulls_first=True), "name"]
    prepopulated_fields = {"slug": ["name"]}
    pick_only = {"section": set(), "replaces": set()}
    inlines = [CollectionInline]
    readonly_fields = ["on_the_site", "now_showing", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "section", "on_the_site", "base_version"]}),
        (
            gettext_lazy("Scheduled layout"),
            {
                "fields": ["replaces", "starts_at", "ends_at"],
                "description": gettext_lazy(
                    "To take over another front for a while (an election night): choose it "
                    "and give the start, and the end unless it runs until it is deleted."
                ),
            },
        ),
        (gettext_lazy("Now showing"), {"fields": ["now_showing", "updated_at"]}),
    ]

    class Media:
        css = MEDIA_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(collection_count=Count("collections"))

    def fronts_touched(self, front, form=None) -> set[int]:
        return {front.pk} if front.pk else set()

    @admin.display(description=gettext_lazy("collections"), ordering="collection_count")
    def collection_count(self, front):
        return front.collection_count

    @admin.display(description=gettext_lazy("replaces (from – to)"))
    def schedule(self, front):
        if not front.replaces_id:
            return "—"
        return format_html(
            "{} · {} – {}",
            front.replaces,
            time_tag(front.starts_at),
            time_tag(front.ends_at) if front.ends_at else _("until deleted"),
        )

    @admin.display(description=gettext_lazy("on the site"))
    def on_the_site(self, front):
        if not front.pk:
            return "—"
        return on_the_site(front, timezone.now())

    @admin.display(description=gettext_lazy("what readers get"))
    def now_showing(self, front):
        if not front.pk:
            return _("Save the front, then add its collections.")
        shown = resolve(front)
        if not shown:
            return _("No collections yet: add them below.")
        return format_html_join(
            "",
            '<div class="now-showing-collection"><h3>{}</h3>{}</div>',
            ((s.collection.title, showing_list(s.items)) for s in shown),
        )
