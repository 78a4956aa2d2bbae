"""What changed between two snapshots of a front's layout (fronts/revisions.py), in the desk's
words: "pinned “X” in Top stories at 1", "moved collection Opinion from 3 to 1",
"Top stories: at most 4 → 6".

Places are counted from 1 down the front or the collection, as editors see them. A move is
reported only for what left the order the others kept: pinning a story at the top moves
nothing else.
"""

import difflib
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.models import Article
from fronts.models import Collection, Crop

FRONT_FIELDS = {
    "name": gettext_lazy("name"),
    "slug": gettext_lazy("slug"),
    "section": gettext_lazy("section"),
    "replaces": gettext_lazy("replaces"),
    "starts_at": gettext_lazy("starts"),
    "ends_at": gettext_lazy("ends"),
}
COLLECTION_FIELDS = {
    "style": gettext_lazy("style"),
    "max_stories": gettext_lazy("at most"),
    "backfill": gettext_lazy("backfill"),
    "backfill_section": gettext_lazy("backfill from section"),
    "backfill_tag": gettext_lazy("backfill from tag"),
    "backfill_kind": gettext_lazy("backfill kind"),
}
SLOT_FIELDS = {
    "expires_at": gettext_lazy("pinned until"),
    "headline": gettext_lazy("front headline"),
    "dek": gettext_lazy("front dek"),
    "crop": gettext_lazy("front picture"),
}
LABELS = {"style": Collection.Style, "backfill_kind": Article.Kind, "crop": Crop}


def shown(field: str, value) -> str:
    """A snapshot's value as the desk reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("on") if value else _("off")
    if isinstance(value, dict):  # a section or a front: its name when the snapshot was taken
        return value["name"]
    if field.endswith("_at"):
        moment = timezone.localtime(datetime.fromisoformat(value))
        return date_format(moment, "DATETIME_FORMAT")
    if field in LABELS:
        return str(LABELS[field](value).label)
    return str(value)


def field_changes(owner: str, fields: dict, old: dict, new: dict) -> list[str]:
    """ "owner: field old → new" for each field that differs ("field old → new" without one)."""
    found = []
    for field, label in fields.items():
        if field not in old or field not in new:
            continue  # a revision from before the field existed: no change to tell
        if old[field] != new[field]:
            change = f"{label} {shown(field, old.get(field))} → {shown(field, new.get(field))}"
            found.append(f"{owner}: {change}" if owner else change)
    return found


def moved(old_order: list, new_order: list) -> list:
    """The keys, in their new order, that left the order the others kept."""
    common = set(old_order) & set(new_order)
    before = [key for key in old_order if key in common]
    after = [key for key in new_order if key in common]
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    kept = {
        key
        for block in matcher.get_matching_blocks()
        for key in after[block.b : block.b + block.size]
    }
    return [key for key in after if key not in kept]


def slot_changes(title: str, old: list[dict], new: list[dict]) -> list[str]:
    """Pins added, removed and moved in the collection `title`, and their texts changed."""
    before = {slot["article"]: slot for slot in old}
    after = {slot["article"]: slot for slot in new}
    old_order, new_order = [slot["article"] for slot in old], [slot["article"] for slot in new]
    found = [
        _("unpinned “%(story)s” from %(collection)s")
        % {"story": slot["story"], "collection": title}
        for slot in old
        if slot["article"] not in after
    ]
    found += [
        _("pinned “%(story)s” in %(collection)s at %(place)d")
        % {"story": slot["story"], "collection": title, "place": place}
        for place, slot in enumerate(new, 1)
        if slot["article"] not in before
    ]
    found += [
        _("moved “%(story)s” in %(collection)s from %(old)d to %(new)d")
        % {
            "story": after[key]["story"],
            "collection": title,
            "old": old_order.index(key) + 1,
            "new": new_order.index(key) + 1,
        }
        for key in moved(old_order, new_order)
    ]
    for slot in new:
        if slot["article"] in before:
            owner = _("“%(story)s” in %(collection)s") % {
                "story": slot["story"],
                "collection": title,
            }
            found += field_changes(owner, SLOT_FIELDS, before[slot["article"]], slot)
    return found


def collection_changes(old: list[dict], new: list[dict]) -> list[str]:
    """Collections removed, added, moved and changed, then the pins of each."""
    before = {collection["id"]: collection for collection in old}
    after = {collection["id"]: collection for collection in new}
    old_order, new_order = [c["id"] for c in old], [c["id"] for c in new]
    found = [
        _("removed collection %(title)s") % {"title": collection["title"]}
        for collection in old
        if collection["id"] not in after
    ]
    found += [
        _("moved collection %(title)s from %(old)d to %(new)d")
        % {
            "title": after[key]["title"],
            "old": old_order.index(key) + 1,
            "new": new_order.index(key) + 1,
        }
        for key in moved(old_order, new_order)
    ]
    for place, collection in enumerate(new, 1):
        title = collection["title"]
        if collection["id"] not in before:
            found.append(
                _("added collection %(title)s at %(place)d") % {"title": title, "place": place}
            )
            found += slot_changes(title, [], collection["slots"])
            continue
        previous = before[collection["id"]]
        if previous["title"] != title:
            found.append(
                _("renamed collection %(old)s to %(new)s")
                % {"old": previous["title"], "new": title}
            )
        found += field_changes(title, COLLECTION_FIELDS, previous, collection)
        found += slot_changes(title, previous["slots"], collection["slots"])
    return found


def changes(old: dict | None, new: dict) -> list[str]:
    """What turns the layout `old` (None: the front did not exist) into `new`, line by line."""
    if old is None:
        found = [_("created the front “%(name)s”") % {"name": new["name"]}]
        return found + collection_changes([], new["collections"])
    found = field_changes("", FRONT_FIELDS, old, new)
    return found + collection_changes(old["collections"], new["collections"])


def summary(old: dict | None, new: dict) -> str:
    """The changes as one line: "Pinned “X” in Top stories at 1; removed collection Opinion"."""
    text = "; ".join(changes(old, new))
    return text[:1].upper() + text[1:]
