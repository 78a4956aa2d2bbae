"""The arranged home front: `/` as editors arrange it, measured beside the time-ordered page.

The rows `front` and `front, cold` are `/` as it is without a home front: the newest stories
(articles/views.py). The arranged rows are the same address with a `home` front in place
(fronts/): 8 collections, every style, at most 40 stories between them, about half of them
pinned to live stories of the benchmark's database and the rest backfilled, some collections
by section, kind or tag. Each round measures the time-ordered pages first, then creates the
front, measures it cold and warm, and deletes it again; the front is also deleted at the
start, should an earlier run have stopped with it in place.

The benchmark's own process writes the front, so its purges move the page cache's generation
file the servers share; with Redis the servers' generation is a key there, which this process
(its cache a dummy one) moves itself (`tell_servers`).
"""

import random
import time
from contextlib import contextmanager
from datetime import timedelta

from bench.report import say

NAME = "Benchmark home front"
PIN_POOL = 200  # pins are drawn from this many of a collection's newest matching stories

# (title, style, at most, pinned, backfill filters): 8 collections, 40 slots, 20 pinned. A
# section or tag filter is an index into the busiest sections or tags of the database.
PLAN = (
    ("Top stories", "lead", 5, 3, {}),
    ("{section0}", "grid", 6, 3, {"section": 0}),
    ("Latest", "list", 8, 2, {}),
    ("{section1}: news", "grid", 6, 3, {"section": 1, "kind": "news"}),
    ("Analysis", "rail", 4, 2, {"kind": "analysis"}),
    ("{tag0}", "list", 4, 2, {"tag": 0}),
    ("Opinion", "rail", 4, 2, {"kind": "opinion"}),
    ("Explainers", "grid", 3, 3, {"kind": "explainer"}),
)
COLLECTIONS = len(PLAN)
SLOTS = sum(most for _, _, most, _, _ in PLAN)
PINS = sum(pinned for _, _, _, pinned, _ in PLAN)
LABEL = f"front (arranged, {COLLECTIONS} collections, {SLOTS} slots)"


def remove() -> int:
    """Delete the home front and any layout scheduled to replace it; how many fronts went."""
    from django.db.models import Q

    from fronts.models import HOME, Front

    fronts = Front.objects.filter(Q(slug=HOME) | Q(replaces__slug=HOME))
    count = fronts.count()
    if count:
        fronts.delete()  # its collections and slots with it
    return count


def remove_leftovers() -> None:
    if removed := remove():
        say(f"Removed a home front an earlier run left ({removed} front{'s' * (removed > 1)}).")


def busiest():
    """The sections and tags with the most live stories, busiest first."""
    from django.db.models import Count, Q
    from taggit.models import Tag

    from articles.models import Article, Section

    live = Q(articles__status=Article.Status.PUBLISHED)
    sections = list(
        Section.objects.annotate(n=Count("articles", filter=live)).order_by("-n", "slug")
    )
    tags = list(
        Tag.objects.annotate(n=Count("articles_taggedarticle_items")).order_by("-n", "slug")[:3]
    )
    return sections, tags


def create(seed: int):
    """The home front of PLAN; its pins drawn (seeded) from each collection's newest matching
    live stories, a few with the front's own headline or an expiry. Checked: it shows SLOTS
    stories, PINS of them pinned."""
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article
    from fronts.models import HOME, Collection, Front, Slot
    from fronts.resolve import backfill_of, resolve

    rng = random.Random(seed)
    sections, tags = busiest()
    live = Article.objects.published()
    pinned: set[int] = set()
    with transaction.atomic():
        front = Front.objects.create(name=NAME, slug=HOME)
        for position, (title, style, most, pins, filters) in enumerate(PLAN):
            section = sections[filters["section"]] if "section" in filters else None
            tag = tags[filters["tag"]] if "tag" in filters else None
            named = title.format(
                section0=sections[0].name, section1=sections[1].name, tag0=tags[0].name
            )
            collection = Collection.objects.create(
                front=front,
                title=named,
                position=position,
                style=style,
                max_stories=most,
                backfill_section=section,
                backfill_kind=filters.get("kind", ""),
                backfill_tag=tag.slug if tag else "",
            )
            pool = [
                pk
                for pk in backfill_of(collection, live).values_list("pk", flat=True)[:PIN_POOL]
                if pk not in pinned
            ]
            for number, pk in enumerate(rng.sample(pool, pins)):
                pinned.add(pk)
                Slot.objects.create(
                    collection=collection,
                    article_id=pk,
                    position=number,
                    headline=f"{named}: the front's own headline" if number == 1 else "",
                    expires_at=timezone.now() + timedelta(days=30) if number == 2 else None,
                )
    shown = resolve(front)
    stories = sum(len(collection.items) for collection in shown)
    pins_shown = sum(item.pinned for collection in shown for item in collection.items)
    if (stories, pins_shown) != (SLOTS, PINS):
        remove()
        raise SystemExit(
            f"The bench home front shows {stories} stories ({pins_shown} pinned), not "
            f"{SLOTS} ({PINS}): too few stories match its backfill filters?"
        )
    return front


def tell_servers(cache_url: str, key_prefix: str) -> None:
    """Make the servers' cached pages stale. With the file generation (no Redis) the front's
    own purges did, in the file the servers share; with Redis their token is a key there."""
    if not cache_url.startswith(("redis://", "rediss://")):
        return
    from django.core.cache.backends.redis import RedisCache

    from caching import generation

    cache = RedisCache(cache_url, {"KEY_PREFIX": key_prefix})
    cache.set(generation.REDIS_HORIZON_KEY, "", timeout=None)  # "": worked out when needed
    cache.add(generation.REDIS_KEY, time.time_ns(), timeout=None)
    cache.incr(generation.REDIS_KEY)


@contextmanager
def arranged(seed: int, cache_url: str, key_prefix: str):
    """The home front in place for the block, then gone; the servers told both times."""
    remove()
    create(seed)
    tell_servers(cache_url, key_prefix)
    try:
        yield
    finally:
        remove()
        tell_servers(cache_url, key_prefix)


def describe() -> dict:
    """What the arranged rows measured, for the JSON and the line under the table."""
    styles: dict[str, int] = {}
    filters: dict[str, int] = {}
    for _, style, _, _, chosen in PLAN:
        styles[style] = styles.get(style, 0) + 1
        for name in chosen:
            filters[name] = filters.get(name, 0) + 1
    return {
        "label": LABEL,
        "collections": COLLECTIONS,
        "slots": SLOTS,
        "pinned": PINS,
        "styles": styles,
        "backfill_filters": filters,
        "plan": [
            {"title": title, "style": style, "max_stories": most, "pinned": pins, **chosen}
            for title, style, most, pins, chosen in PLAN
        ],
    }


def lines(front: dict, by_name: dict) -> list[str]:
    styles = ", ".join(f"{name} {count}" for name, count in front["styles"].items())
    filters = ", ".join(f"{name} {count}" for name, count in front["backfill_filters"].items())
    out = [
        f"{front['label']}: `/` with a home front of {front['collections']} collections "
        f"({styles}), {front['slots']} stories: {front['pinned']} pinned, "
        f"{front['slots'] - front['pinned']} backfilled (collections filtering by {filters}); "
        "measured after each round's other pages, then deleted"
    ]
    plain, arranged = by_name.get("front"), by_name.get(front["label"])
    if not (plain and arranged):
        return out
    rates = []
    for suffix, server in (("", "warm"), (", cold", "cold")):
        if ("front" + suffix) in by_name and (front["label"] + suffix) in by_name:
            ratio = by_name[front["label"] + suffix]["rps"] / by_name["front" + suffix]["rps"]
            rates.append(f"{server} {ratio:.2f}x the req/s")
    line = "  arranged ÷ time-ordered front: " + ", ".join(rates)
    mine, theirs = arranged.get("inprocess"), plain.get("inprocess")
    if mine and theirs:
        line += (
            f"; in-process {mine['p50_ms']:.1f} ms against {theirs['p50_ms']:.1f} ms "
            f"({mine['p50_ms'] / theirs['p50_ms']:.2f}x), {mine['queries']} queries against "
            f"{theirs['queries']}"
        )
    out.append(line)
    return out
