"""What a front shows now: each collection's stories, in order, each story once per front.

A collection shows its pinned stories first (in their positions; a pin counts while its
story is live and until its expiry), then its backfill: the newest live stories its filters
pick, skipping every story the front pins anywhere and every story an earlier collection
shows. So a story is on a front at most once, pins win over backfill, and the higher
collection wins over the lower.

The cost is a constant number of queries whatever the number of collections and slots: the
collections, the live pins, every collection's backfill candidates in one UNION ALL (each
part takes as many as the stories placed before it could hide, plus its own), and the
candidates' rows.
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
        Slot.objects.filter(collection__in=collections, article__in=live.values("pk"))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .order_by("position", "pk")
        .select_related("article", "article__lead_image")
        .defer("article__body", "article__search_vector")
    )
    pinned_by_collection: dict[int, list[Slot]] = {c.pk: [] for c in collections}
    placed: set[int] = set()
    for collection in collections:  # a story pinned twice counts in the higher collection
        for slot in (s for s in pins if s.collection_id == collection.pk):
            if slot.article_id not in placed:
                placed.add(slot.article_id)
                pinned_by_collection[collection.pk].append(slot)
    pinned_total = len(placed)

    wanted, before = [], 0
    for collection in collections:
        room = collection.max_stories - len(
            pinned_by_collection[collection.pk][: collection.max_stories]
        )
        if collection.backfill and room > 0:
            wanted.append((collection, room + pinned_total + before))
        before += collection.max_stories
    candidates = _candidates(live, wanted)

    shown = []
    for collection in collections:
        items = [
            Item(
                slot.article,
                slot.headline or slot.article.headline,
                slot.dek or slot.article.dek,
                pinned=True,
            )
            for slot in pinned_by_collection[collection.pk][: collection.max_stories]
        ]
        for article in candidates.get(collection.pk, []):
            if len(items) >= collection.max_stories:
                break
            if article.pk not in placed:
                placed.add(article.pk)
                items.append(Item(article, article.headline, article.dek, pinned=False))
        shown.append(Shown(collection, items))
    return shown


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


def _candidates(live, wanted) -> dict[int, list[Article]]:
    """Each collection's newest `limit` backfill stories, in one query for the ids and one
    for the rows."""
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
    found = Article.objects.filter(pk__in={pk for _, pk in rows}).card_columns()
    by_pk = {article.pk: article for article in found.select_related("lead_image")}
    ordered: dict[int, list[Article]] = {collection.pk: [] for collection, _ in wanted}
    for part, pk in rows:  # each part is in its own order: newest first
        if pk in by_pk:
            ordered[wanted[part][0].pk].append(by_pk[pk])
    return ordered
