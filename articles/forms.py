from datetime import date, datetime, time, timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import search
from articles.models import Section

# Dates a search may name: far enough for any archive, near enough that a day either side
# (the end of the range, a time zone) is still a date.
EARLIEST, LATEST = date(1800, 1, 1), date(2999, 12, 31)
DATE_RANGE = _("Enter a date between the years 1800 and 2999.")


def date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput({"type": "date"}),
        validators=[
            MinValueValidator(EARLIEST, message=DATE_RANGE),
            MaxValueValidator(LATEST, message=DATE_RANGE),
        ],
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), required=False, strip=True)
    section = forms.ChoiceField(label=_("Section"), required=False)
    since = date_field(_("From"))
    until = date_field(_("To"))

    def __init__(self, *args, sections=None, **kwargs):
        """`sections`: the site's sections, as the page's navigation has already read them
        (read here when not given). The choice of section is checked against them, so the
        form asks the database nothing more."""
        super().__init__(*args, **kwargs)
        self.sections = {
            section.slug: section
            for section in (Section.objects.all() if sections is None else sections)
        }
        self.fields["section"].choices = [
            ("", _("All sections")),
            *((slug, section.name) for slug, section in self.sections.items()),
        ]

    def clean_section(self):
        slug = self.cleaned_data["section"]
        return self.sections[slug] if slug else None

    def clean(self):
        cleaned = super().clean()
        # Shown above the form: the query is too long to search in bounded time.
        if problem := search.query_problem(cleaned.get("q", "")):
            self.add_error(None, problem)
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
