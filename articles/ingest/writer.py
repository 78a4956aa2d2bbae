"""What the import commands share: their options' parsing and their words to the operator."""

from datetime import datetime

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from articles.models import Section


def parse_publish_time(value: str | None, *, prefix: str = "") -> datetime | None:
    """`now`, or an ISO 8601 time; a time without an offset is in the site's time zone."""
    if value is None:
        return None
    if value.strip().lower() == "now":
        return timezone.now()
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"{prefix}--publish {value!r}: give `now` or an ISO 8601 time such as "
            f"2026-01-10T09:00 ({settings.TIME_ZONE}) or 2026-01-10T14:00Z; nothing was imported"
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def find_section(value: str, *, option: str = "--section", prefix: str = "") -> Section:
    """The section whose slug or name (in any case) is `value`; an error naming the others."""
    section = (
        Section.objects.filter(slug=value).first()
        or Section.objects.filter(name__iexact=value.strip()).first()
    )
    if section is None:
        known = ", ".join(Section.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(
            f"{prefix}{option} {value!r}: no such section (sections: {known}); nothing was imported"
        )
    return section


def first_section() -> Section:
    """The first section in navigation order: where stories go when nothing says otherwise."""
    section = Section.objects.order_by("position", "name").first()
    if section is None:
        raise CommandError(
            "there are no sections yet: create one in the admin (or load the seed with "
            "`manage.py loaddata seed`); nothing was imported"
        )
    return section


def saving_note(changed: int) -> str:
    # Revisions and search entries are written as the transaction commits
    # (articles/changes.py), after a progress bar is full: say why the wait goes on.
    return f"Saving revisions and the search index for {changed} stories…"
