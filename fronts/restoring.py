"""Putting a front's layout back as a revision has it, itself recorded as a revision.

The front's name and schedule come back, and its collections in order with their settings
and pins; its address (slug and section) stays as it is now, as a story's restore keeps its
slug. What cannot come back is left out and said: a pin whose story has since been deleted,
a backfill section that no longer exists, a schedule that would no longer hold.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from articles.models import Article, Section
from fronts import revisions
from fronts.models import Collection, Front, FrontRevision, Slot


@dataclass
class Restored:
    revision: FrontRevision | None  # None: the layout was already as the revision has it
    skipped: list[str] = field(default_factory=list)  # headlines of pins left out
    notes: list[str] = field(default_factory=list)


def when(value: str | None):
    return datetime.fromisoformat(value) if value else None


def restore_schedule(front: Front, data: dict, notes: list[str]) -> None:
    """The front's name, and its schedule unless it would no longer hold."""
    front.name = data["name"]
    kept = (front.replaces_id, front.starts_at, front.ends_at)
    replaces = data["replaces"]
    front.replaces_id = replaces["id"] if replaces else None
    front.starts_at, front.ends_at = when(data["starts_at"]), when(data["ends_at"])
    try:
        if replaces and not Front.objects.filter(pk=replaces["id"]).exists():
            raise ValidationError(_("the front it replaced no longer exists"))
        front.clean()
    except ValidationError as error:
        front.replaces_id, front.starts_at, front.ends_at = kept
        notes.append(
            _("The schedule was kept as it is: %(why)s.") % {"why": " ".join(error.messages)}
        )
    front.save()


def restore_collection(front: Front, row: dict, notes: list[str]) -> Collection:
    """The collection `row` describes, updated or made again (under its old number when no
    other collection has taken it, so later revisions still compare it with itself)."""
    collection = front.collections.filter(pk=row["id"]).first()
    if collection is None:
        collection = Collection(front=front)
        if not Collection.objects.filter(pk=row["id"]).exists():
            collection.pk = row["id"]
    for name in revisions.COLLECTION_SETTINGS:
        setattr(collection, name, row[name])
    collection.position = row["position"]
    section = row["backfill_section"]
    collection.backfill_section_id = None
    if section and Section.objects.filter(pk=section["id"]).exists():
        collection.backfill_section_id = section["id"]
    elif section:
        notes.append(
            _("The section “%(section)s” no longer exists: %(title)s backfills from any section.")
            % {"section": section["name"], "title": row["title"]}
        )
    collection.save(force_insert=collection._state.adding)
    return collection


def restore_pins(collection: Collection, slots: list[dict], existing: set[int]) -> list[str]:
    """Pin the stories again, in order; return the headlines of those deleted since."""
    collection.slots.all().delete()
    skipped = [slot["story"] for slot in slots if slot["article"] not in existing]
    for slot in slots:
        if slot["article"] in existing:
            Slot.objects.create(
                collection=collection,
                article_id=slot["article"],
                position=slot["position"],
                expires_at=when(slot["expires_at"]),
                # A revision made before a field existed: its default.
                **{name: slot.get(name, "") for name in revisions.SLOT_TEXTS},
            )
    return skipped


def restore(revision: FrontRevision, *, by=None) -> Restored:
    """Put the front's layout back as `revision` has it, and record that as a new revision."""
    with transaction.atomic():
        front = Front.objects.select_for_update().get(pk=revision.front_id)
        before = revisions.snapshot(front.pk)
        rows = revision.data["collections"]
        pinned = {slot["article"] for row in rows for slot in row["slots"]}
        existing = set(Article.objects.filter(pk__in=pinned).values_list("pk", flat=True))
        restored = Restored(revision=None)
        restore_schedule(front, revision.data, restored.notes)
        kept = []
        for row in rows:
            collection = restore_collection(front, row, restored.notes)
            restored.skipped += restore_pins(collection, row["slots"], existing)
            kept.append(collection.pk)
        front.collections.exclude(pk__in=kept).delete()
        note = _("Restored version %(version)d") % {"version": revision.version}
        restored.revision = revisions.record(front.pk, before=before, by=by, note=note)
    return restored
