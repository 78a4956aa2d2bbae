"""The story list's parts that must stay cheap on a large archive."""

from datetime import datetime

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class PublishedYearFilter(admin.SimpleListFilter):
    """Stories by the year of their publish time, newest year first.

    In place of Django's date hierarchy, which lists the years and months with a DISTINCT
    over a date function of every story (three seconds at 100,000 stories on SQLite): the
    years run from the first to the last publish time, two lookups in the publish-time index.
    """

    title = _("year published")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        # Two queries: SQLite reads MIN() or MAX() from an index only when it is alone.
        times = model_admin.model.objects.filter(publish_at__isnull=False)
        first = times.order_by("publish_at").values_list("publish_at", flat=True).first()
        if first is None:
            return []
        last = times.order_by("-publish_at").values_list("publish_at", flat=True).first()
        first, last = timezone.localtime(first).year, timezone.localtime(last).year
        return [(str(year), str(year)) for year in range(last, first - 1, -1)]

    def queryset(self, request, queryset):
        year = self.value()
        if not year:
            return queryset
        if not (year.isdigit() and 1 <= int(year) < 9999):
            return queryset.none()
        start, end = (local_new_year(int(year) + offset) for offset in (0, 1))
        return queryset.filter(publish_at__gte=start, publish_at__lt=end)


def local_new_year(year: int) -> datetime:
    return timezone.make_aware(datetime(year, 1, 1))


class StoryChangeList(ChangeList):
    """The story list, without the stories' bodies (most of each row's bytes)."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.defer("body", "search_vector")


class StatusFilter(admin.ChoicesFieldListFilter):
    """The story list's statuses, without "In the trash": those stories have a list of
    their own (articles/admin/trash.py)."""

    def choices(self, changelist):
        trashed = str(Article.Status.TRASHED.label)
        for choice in super().choices(changelist):
            if str(choice["display"]) != trashed:
                yield choice


class NeedsPictureFilter(admin.SimpleListFilter):
    """The desk's list of stories needing a new picture: live or scheduled, with a lead image
    whose rights are "do not use" or have expired (readers see the story without it)."""

    title = _("picture")
    parameter_name = "picture"

    def lookups(self, request, model_admin):
        return [
            ("needs-new", _("Needs a new picture")),
            ("none", _("No lead image")),
        ]

    def queryset(self, request, queryset):
        from images.models import Image

        if self.value() == "needs-new":
            return queryset.filter(
                status=Article.Status.PUBLISHED, lead_image__in=Image.objects.unusable()
            )
        if self.value() == "none":
            return queryset.filter(lead_image=None)
        return queryset
