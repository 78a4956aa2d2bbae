"""Revisions: a snapshot of a story after every save, and the diffs editors and readers read.

articles/editorial/changes.py calls record_many() once per transaction, on commit; restoring
one is a state change, so it lives in the publishing door.
"""

import difflib
import re
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from articles.models import Article, Byline, Revision

SNAPSHOT_FIELDS = [
    "headline",
    "slug",
    "kicker",
    "dek",
    "body",
    "dateline",
    "kind",
    "status",
    "featured",
    "lead_image",
    "seo_title",
    "meta_description",
]
RESTORABLE_FIELDS = [name for name in SNAPSHOT_FIELDS if name not in {"status", "slug", "featured"}]


def snapshot(article: Article) -> dict:
    """Return the story's restorable state as JSON-ready data."""
    # attname: the lead image's id, not the picture (no query per revision).
    data = {
        name: getattr(article, Article._meta.get_field(name).attname) for name in SNAPSHOT_FIELDS
    }
    data["section"] = {"id": article.section_id, "name": article.section.name}
    data["publish_at"] = article.publish_at.isoformat() if article.publish_at else None
    data["authors"] = [
        {"id": byline.author_id, "name": byline.author.name}
        for byline in sorted(article.bylines.all(), key=lambda b: (b.position, b.pk))
    ]
    data["tags"] = [tag.name for tag in article.sorted_tags]
    return data


def record_many(intents: dict) -> list[Revision]:
    """Store a revision of each story, as it is in the database now, in a few queries.

    `intents` maps a story's primary key to an `Intent` (articles/editorial/changes.py): who
    saved it (`user`), why (`note`) and whether the change was `substantive`.
    """
    stories = (
        Article.objects.filter(pk__in=intents)
        .select_related("section")
        .prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")), "tags"
        )
    )
    revisions = [
        Revision(
            article=article,
            version=article.version,
            created_by=intents[article.pk].user,
            was_live=article.is_live,
            is_substantive=intents[article.pk].substantive,
            note=intents[article.pk].note[:300],
            data=snapshot(article),
        )
        for article in stories
    ]
    return Revision.objects.bulk_create(revisions, batch_size=500)


def text_of(data: dict) -> list[str]:
    """The story's readable text as a list of blocks, for diffs."""
    body = re.sub(r"</(p|h2|h3|li|blockquote|figcaption)>", "\n", data.get("body", ""))
    blocks = [" ".join(strip_tags(block).split()) for block in body.split("\n")]
    return [
        f"Headline: {data.get('headline', '')}",
        f"Dek: {data.get('dek', '')}",
        *[block for block in blocks if block],
    ]


@dataclass
class Change:
    kind: str  # "same", "added", "removed", "changed"
    html: str


def diff(old: dict, new: dict) -> list[Change]:
    """Compare two snapshots block by block, marking changed words with <del> and <ins>."""
    before, after = text_of(old), text_of(new)
    changes = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            changes.extend(Change("same", escape(block)) for block in before[a1:a2])
        elif op == "delete":
            changes.extend(
                Change("removed", f"<del>{escape(block)}</del>") for block in before[a1:a2]
            )
        elif op == "insert":
            changes.extend(Change("added", f"<ins>{escape(block)}</ins>") for block in after[b1:b2])
        else:
            old_blocks, new_blocks = before[a1:a2], after[b1:b2]
            for index in range(max(len(old_blocks), len(new_blocks))):
                old_block = old_blocks[index] if index < len(old_blocks) else ""
                new_block = new_blocks[index] if index < len(new_blocks) else ""
                changes.append(Change("changed", word_diff(old_block, new_block)))
    return [Change(change.kind, mark_safe(change.html)) for change in changes]


TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def word_diff(old: str, new: str) -> str:
    """Return escaped HTML of `new` with removed words in <del> and added words in <ins>."""
    old_tokens, new_tokens = TOKENS.findall(old), TOKENS.findall(new)
    out = []
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(old_tokens[a1:a2])))
            continue
        if a2 > a1:
            out.append(f"<del>{escape(''.join(old_tokens[a1:a2]))}</del>")
        if b2 > b1:
            out.append(f"<ins>{escape(''.join(new_tokens[b1:b2]))}</ins>")
    return "".join(out)


@dataclass
class HistoryEntry:
    kind: str  # "published", "update" or a Correction kind
    at: object
    text: str
    changes: list[Change]


def public_history(article: Article) -> list[HistoryEntry]:
    """The reader-visible change log, newest first: the versions readers saw, and corrections.

    Only revisions saved while the story was live count, so drafts saved between two public
    versions never show; each substantive update is compared with the public version before it.
    """
    entries = []
    previous = None
    for revision in article.revisions.public().order_by("created_at", "pk"):
        if previous is None:
            entries.append(HistoryEntry("published", article.date_published, "", []))
        elif revision.is_substantive:
            changes = [c for c in diff(previous.data, revision.data) if c.kind != "same"]
            entries.append(HistoryEntry("update", revision.created_at, revision.note, changes))
        previous = revision
    entries.extend(
        HistoryEntry(correction.kind, correction.created_at, correction.text, [])
        for correction in article.corrections.all()
    )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
