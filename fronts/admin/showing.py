"""What readers get from an arrangement, shown beside it: "Now showing"."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from articles.admin.display import short_time, time_tag
from fronts.admin.forms import NOT_PINNABLE
from fronts.models import Front

MEDIA_CSS = {"all": ["admin/newsroom.css", "fronts/admin.css"]}


def on_the_site(front, now) -> str:
    """Whether readers see this front now, and if not, why (a layout in its place, or off its
    window)."""
    if front.replaces_id:
        if front.starts_at > now:
            return _("Not yet: from %(time)s.") % {"time": short_time(front.starts_at)}
        if front.ends_at and front.ends_at <= now:
            return _("No longer: it ended %(time)s.") % {"time": short_time(front.ends_at)}
    current = Front.objects.layout_for(front.replaces.slug if front.replaces_id else front.slug)
    if current is None or current.pk == front.pk:
        upcoming = front.scheduled_layouts.filter(starts_at__gt=now).order_by("starts_at")
        if not front.replaces_id and (layout := upcoming.first()):
            return _("Yes, now; the scheduled layout “%(layout)s” takes over %(time)s.") % {
                "layout": layout,
                "time": short_time(layout.starts_at),
            }
        return _("Yes, now.")
    if front.replaces_id:  # a later layout for the same front has taken over
        return _("Not now: “%(layout)s” started later and shows instead.") % {"layout": current}
    until = short_time(current.ends_at) if current.ends_at else _("it is deleted")
    return _("Not now: the scheduled layout “%(layout)s” shows instead until %(until)s.") % {
        "layout": current,
        "until": until,
    }


def showing_list(items):
    """The stories of one collection as readers get them, the pinned ones marked."""
    if not items:
        return format_html('<p class="now-showing-empty">{}</p>', _("Nothing to show now."))
    marks = {True: ("pinned", _("Pinned")), False: ("backfill", _("Backfill"))}
    return format_html(
        '<ol class="now-showing">{}</ol>',
        format_html_join(
            "",
            '<li class="now-showing-{}"><span class="now-showing-mark">{}</span> '
            '<a href="{}">{}</a> <span class="now-showing-when">{}</span></li>',
            (
                (
                    *marks[item.pinned],
                    reverse("admin:articles_article_change", args=[item.article.pk]),
                    item.headline,
                    time_tag(item.article.publish_at),
                )
                for item in items
            ),
        ),
    )


def unshown_pins(collection, shown):
    """The collection's pins that readers do not get now, each with the reason."""
    now = timezone.now()
    where = {item.article.pk: s.collection for s in shown for item in s.items}
    reasons = []
    for slot in collection.slots.select_related("article").order_by("position", "pk"):
        story = slot.article
        if where.get(story.pk) == collection:
            continue
        if story.pk in where:
            reason = _("shown higher up, in “%(title)s”") % {"title": where[story.pk].title}
        elif slot.expires_at and slot.expires_at <= now:
            reason = _("its pin expired %(time)s") % {"time": short_time(slot.expires_at)}
        elif story.is_scheduled:
            reason = _("scheduled: it shows from %(time)s") % {"time": short_time(story.publish_at)}
        elif not story.is_live:
            reason = _("not live: %(state)s") % {"state": NOT_PINNABLE[story.status]}
        else:
            reason = _("the collection is full (at most %(count)d)") % {
                "count": collection.max_stories
            }
        reasons.append((story.headline, reason))
    if not reasons:
        return ""
    return format_html(
        '<p class="now-showing-note">{}</p><ul class="now-showing-unshown">{}</ul>',
        _("Pinned but not shown:"),
        format_html_join("", "<li>“{}”: {}</li>", reasons),
    )
