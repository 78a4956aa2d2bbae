"""Choosing the story a slot pins: live and scheduled stories only."""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from articles.admin.display import short_time
from articles.models import Article
from fronts.models import Slot


class PinnableStoryWidget(AutocompleteSelect):
    """The admin's story chooser, asking for live and scheduled stories only."""

    def get_url(self):
        return reverse("admin:fronts_slot_pinnable")


class PinnableStories(AutocompleteJsonView):
    """Search results for a slot's story: live or scheduled (published), newest first; no
    drafts, nothing withdrawn, nothing in the trash."""

    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        if source_field != Slot._meta.get_field("article"):
            raise PermissionDenied
        return term, model_admin, source_field, to_field_name

    def get_queryset(self):
        stories = super().get_queryset().filter(status=Article.Status.PUBLISHED)
        return stories.order_by("-publish_at", "-pk").defer("body", "search_vector")

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if obj.is_scheduled:
            when = short_time(obj.publish_at)
            result["text"] = _("%(headline)s (scheduled for %(time)s)") % {
                "headline": obj.headline,
                "time": when,
            }
        return result
