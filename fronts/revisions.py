"""A front's revisions: the whole layout after each change, who made it and what it moved.

The desk's admins take a snapshot before they write and call record() after (one revision
per save, however many collections and pins it touched); restoring one is in
fronts/restoring.py. A save that changes nothing records nothing.
"""

from dataclasses import dataclass

from django.db.models import F, Prefetch
from django.utils.translation import gettext as _

from fronts import diffs
from fronts.models import Collection, Front, FrontRevision, Slot

COLLECTION_SETTINGS = ["title", "style", "max_stories", "backfill", "backfill_tag", "backfill_kind"]
SLOT_TEXTS = ["headline", "dek", "crop"]


def named(obj) -> dict | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def moment(value) -> str | None:
    return value.isoformat() if value else None


def slot_data(slot: Slot) -> dict:
    return {
        "article": slot.article_id,
        "story": slot.article.headline,  # to read the revision by, even once the story is gone
        "position": slot.position,
        "expires_at": moment(slot.expires_at),
        **{name: getattr(slot, name) for name in SLOT_TEXTS},
    }


def collection_data(collection: Collection) -> dict:
    return {
        "id": collection.pk,
        "position": collection.position,
        **{name: getattr(collection, name) for name in COLLECTION_SETTINGS},
        "backfill_section": named(collection.backfill_section),
        "slots": [slot_data(slot) for slot in collection.slots.all()],
    }


def snapshot(front_pk: int) -> dict | None:
    """The front's layout as the database holds it now, JSON-ready (None: no such front)."""
    front = Front.objects.select_related("section", "replaces").filter(pk=front_pk).first()
    if front is None:
        return None
    slots = Slot.objects.select_related("article").only(
        "collection_id", "article__headline", "position", "expires_at", *SLOT_TEXTS
    )
    collections = (
        front.collections.select_related("backfill_section")
        .prefetch_related(Prefetch("slots", queryset=slots.order_by("position", "pk")))
        .order_by("position", "pk")
    )
    return {
        "name": front.name,
        "slug": front.slug,
        "section": named(front.section),
        "replaces": named(front.replaces),
        "starts_at": moment(front.starts_at),
        "ends_at": moment(front.ends_at),
        "collections": [collection_data(collection) for collection in collections],
    }


def record(front_pk: int, *, before: dict | None, by=None, note: str = "") -> FrontRevision | None:
    """Store a revision of the front as it is now, summed up against `before` (its snapshot
    before the change; None: the change made it). None if nothing changed.

    The first recorded change of a front made before revisions were kept stores the layout
    it found too, so that one can be read and restored like the others.
    """
    after = snapshot(front_pk)
    if after is None or after == before:
        return None
    current = Front.objects.filter(pk=front_pk)
    if before is not None and not FrontRevision.objects.filter(front_id=front_pk).exists():
        FrontRevision.objects.create(
            front_id=front_pk,
            version=current.values_list("layout_version", flat=True).get(),
            data=before,
            note=_("As it was before its first recorded change"),
        )
    current.update(layout_version=F("layout_version") + 1)
    return FrontRevision.objects.create(
        front_id=front_pk,
        version=current.values_list("layout_version", flat=True).get(),
        created_by=by,
        data=after,
        summary=diffs.summary(before, after),
        note=note[:300],
    )


@dataclass
class Conflict:
    who: object
    when: object
    changes: list[str]


def conflict(front_pk: int, opened_version: int) -> Conflict:
    """Who changed the front since it was opened at `opened_version`, and what is different
    now from the layout opened."""
    latest = FrontRevision.objects.filter(front_id=front_pk).select_related("created_by").first()
    opened = FrontRevision.objects.filter(front_id=front_pk, version__lte=opened_version).first()
    who = latest.created_by if latest and latest.created_by else _("someone else")
    now = snapshot(front_pk)
    return Conflict(
        who=who,
        when=latest.created_at if latest else None,
        changes=diffs.changes(opened.data, now) if opened and now else [],
    )
