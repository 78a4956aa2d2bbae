"""What a front shows now: each collection's stories, in order, each story once per front.

A collection shows its pinned stories first (in their positions; a pin counts while its
story is live and until its expiry), then its backfill: the newest live stories its filters
pick, skipping every story the front pins anywhere and every story an earlier collection
shows. So a story is on a front at most once, pins win over backfill, and the higher
collection wins over the lower.

The cost is a constant number of queries whatever the number of collections and slots: the
collections, the pins, which pinned stories are live, every collection's backfill candidates'
ids in one UNION ALL (each part takes as many as the stories placed before it could hide,
plus its own), and the rows of the stories shown.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from articles.models import Article
from fronts.models import Collection, Front, Slot


@dataclass(frozen=True)
class Item:
    article: Article
    headline: str  # the front's, else the story's
    dek: str
    pinned: bool
    crop: str = ""  # the front's crop of the story's picture (Crop), else the collection's


@dataclass
class Shown:
    collection: Collection
    items: list[Item] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        return [item.article for item in self.items]


def resolve(front: Front, at=None) -> list[Shown]:
    """The collections of `front` with the stories readers see at `at` (now by default)."""
    at = at or timezone.now()
    collections = list(Collection.objects.filter(front=front).order_by("position", "pk"))
    if not collections:
        return []
    live = Article.objects.published(at)
    pins = list(
        Slot.objects.filter(collection__in=collections)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .order_by("position", "pk")
    )
    # Which pinned stories are live: the gate, asked of those few stories by their keys (a
    # join or a subquery on the gate, or an ORDER BY, would walk every live story).
    pinned_stories = live.filter(pk__in={s.article_id for s in pins}).order_by()
    live_pins = set(pinned_stories.values_list("pk", flat=True))
    placed: set[int] = set()
    pinned = _place_pins(collections, [s for s in pins if s.article_id in live_pins], placed)
    backfilled = _place_backfill(collections, pinned, live, placed)

    # The rows of what is shown, and nothing else: one query.
    rows = Article.objects.filter(pk__in=placed).order_by().card_columns()
    rows = rows.select_related("lead_image")
    by_pk = {article.pk: article for article in rows}
    shown = []
    for collection in collections:
        items = [
            Item(
                by_pk[slot.article_id],
                slot.headline or by_pk[slot.article_id].headline,
                slot.dek or by_pk[slot.article_id].dek,
                pinned=True,
                crop=slot.crop,
            )
            for slot in pinned[collection.pk]
        ]
        items += [
            Item(by_pk[pk], by_pk[pk].headline, by_pk[pk].dek, pinned=False)
            for pk in backfilled.get(collection.pk, [])
        ]
        shown.append(Shown(collection, items))
    return shown


def _place_pins(collections, live_pins: list[Slot], placed: set[int]) -> dict[int, list[Slot]]:
    """Each collection's live pins that count: a story pinned twice counts in the higher
    collection, and a full collection takes no more."""
    pinned: dict[int, list[Slot]] = {c.pk: [] for c in collections}
    for collection in collections:
        for slot in (s for s in live_pins if s.collection_id == collection.pk):
            full = len(pinned[collection.pk]) >= collection.max_stories
            if slot.article_id not in placed and not full:
                placed.add(slot.article_id)
                pinned[collection.pk].append(slot)
    return pinned


def _place_backfill(collections, pinned, live, placed: set[int]) -> dict[int, list[int]]:
    """The ids each collection's backfill shows, the higher collection first, none twice."""
    wanted, before, pinned_total = [], 0, len(placed)
    for collection in collections:
        room = collection.max_stories - len(pinned[collection.pk])
        if collection.backfill and room > 0:
            wanted.append((collection, room + pinned_total + before))
        before += collection.max_stories
    backfilled: dict[int, list[int]] = {}
    candidates = _candidates(live, wanted)
    for collection, _limit in wanted:
        room = collection.max_stories - len(pinned[collection.pk])
        chosen = backfilled[collection.pk] = []
        for pk in candidates[collection.pk]:
            if len(chosen) >= room:
                break
            if pk not in placed:
                placed.add(pk)
                chosen.append(pk)
    return backfilled


def backfill_of(collection: Collection, live):
    """The stories `collection`'s filters pick, newest first (all live stories without any)."""
    stories = live
    if collection.backfill_section_id:
        stories = stories.filter(section_id=collection.backfill_section_id)
    if collection.backfill_kind:
        stories = stories.filter(kind=collection.backfill_kind)
    if collection.backfill_tag:
        stories = stories.filter(tags__slug=collection.backfill_tag)
    return stories.order_by("-publish_at", "-pk")


def _candidates(live, wanted) -> dict[int, list[int]]:
    """The ids of each collection's newest `limit` backfill stories, newest first: one
    UNION ALL query, each part with its own ORDER BY and LIMIT."""
    if not wanted:
        return {}
    parts, params = [], []
    for index, (collection, limit) in enumerate(wanted):
        sql, part_params = (
            backfill_of(collection, live).values("pk")[:limit].query.sql_with_params()
        )
        parts.append(f"SELECT {index} AS part, pk FROM ({sql}) AS backfill_{index}")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    ordered: dict[int, list[int]] = {collection.pk: [] for collection, _ in wanted}
    for part, pk in rows:  # each part is in its own order: newest first
        ordered[wanted[part][0].pk].append(pk)
    return ordered
