from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Section


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), required=False, strip=True)
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=Section.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All sections"),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def filter(self, stories):
        """Narrow `stories` by the section and date range chosen."""
        data = self.cleaned_data
        if data.get("section"):
            stories = stories.in_section(data["section"])
        zone = timezone.get_current_timezone()
        if data.get("since"):
            stories = stories.filter(
                publish_at__gte=datetime.combine(data["since"], time.min, tzinfo=zone)
            )
        if data.get("until"):
            end = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=zone)
            stories = stories.filter(publish_at__lt=end)
        return stories
