"""What follows a change to a story: its revision and its search index entry.

Every save path (admin, commands, shell, API, fixtures) goes through Article.save() and the
tag and byline tables, so signals catch them all. The work runs when the transaction commits,
once per story, so that an admin save (story, then tags, then bylines) makes one revision
holding all three; outside a transaction it runs at once. Fixture loads (raw saves) are
indexed but make no revision: they are not an editor's change.

Who made a change, why, and whether it is substantive travel one way only: the
`recording()` block around the saves. The publishing door (articles/editorial/publishing.py)
opens one for every action; the admin opens one around each form it saves. A block is a
transaction of its own, and its stories' revisions are written once, when it commits; if it
fails, nothing of it is recorded. Saves outside any block (a shell, a factory, a fixture) are
recorded without a name or a note, one revision per story and transaction.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from articles import search
from articles.editorial import revisions
from articles.models import (
    Article,
    ArticleRedirect,
    Author,
    Byline,
    Correction,
    Section,
    TaggedArticle,
)
from caching import generation, keys, purges


@dataclass(frozen=True)
class Intent:
    """Who changed a story and why, as its revision will say."""

    user: object = None
    notes: tuple[str, ...] = ()
    substantive: bool = False
    revision: bool = True  # False for fixture loads: indexed, not an editor's change
    version: int = 0  # the story's version at its latest change, to tell a rolled-back one

    @property
    def note(self) -> str:
        return "; ".join(self.notes)

    def merge(self, later: "Intent") -> "Intent":
        """Combine two changes of one story: the first name given wins; notes add up."""
        return Intent(
            user=self.user or later.user,
            notes=tuple(dict.fromkeys(self.notes + later.notes)),
            substantive=self.substantive or later.substantive,
            revision=self.revision or later.revision,
            version=later.version,
        )


class Batch(dict):
    """Stories changed and not yet recorded, by primary key, with their merged intent."""

    def add(self, pk: int, intent: Intent) -> None:
        self[pk] = self[pk].merge(intent) if pk in self else intent


# The innermost recording() block of this thread (or async task) and the intent it gives.
_block: ContextVar[tuple[Batch, Intent] | None] = ContextVar("newsroom_recording", default=None)
# Changes outside any block, per thread: each queues its own on-commit callback, and the
# first of them to run records the lot.
_loose = threading.local()


@contextmanager
def recording(*, by=None, note: str = "", substantive: bool = False) -> Iterator[None]:
    """Attribute every story change inside the block to `by`, with `note`.

    The block is atomic. Blocks nest: an inner block's saves join the outer one's revision,
    whose note lists each block's in order ("Adds the mayor's response; Published").
    """
    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    outer = _block.get()
    batch = outer[0] if outer else Batch()
    intent = Intent(user=user, notes=(note,) if note else (), substantive=substantive)
    if outer:
        intent = outer[1].merge(intent)
    before = dict(batch)
    token = _block.set((batch, intent))
    try:
        with transaction.atomic():
            yield
    except BaseException:
        # The block rolled back: its changes never happened.
        batch.clear()
        batch.update(before)
        raise
    finally:
        _block.reset(token)
    if outer is None and batch:
        transaction.on_commit(lambda: _flush(batch))


def story_changed(article: Article, *, raw: bool = False) -> None:
    """Queue the revision and search entry of `article` for when the transaction commits."""
    block = _block.get()
    if block is not None:
        batch, intent = block
    else:
        batch, intent = _loose_batch(), Intent()
    batch.add(article.pk, replace(intent, revision=not raw, version=article.version))
    # This process's next page (in this transaction too) shows the change; other processes
    # learn of it when it commits (_flush).
    generation.bump()
    if block is None:
        transaction.on_commit(lambda: _flush(batch))


def _loose_batch() -> Batch:
    if not hasattr(_loose, "batch"):
        _loose.batch = Batch()
    return _loose.batch


def _flush(batch: Batch) -> None:
    if not batch:
        return  # An earlier callback of the same commit recorded these stories.
    stories = dict(batch)
    batch.clear()
    loose = _loose_batch()
    for pk in stories:
        # Recorded now, as the database holds it: a loose change queued for it is covered.
        loose.pop(pk, None)
    current = dict(Article.objects.filter(pk__in=stories).values_list("pk", "version"))
    # A loose change whose transaction rolled back left its entry behind (nothing tells a
    # callback that it was dropped): a story saved since carries a newer version than the
    # database holds, and one created since is gone.
    live = {pk: intent for pk, intent in stories.items() if current.get(pk, -1) >= intent.version}
    revisions.record_many({pk: intent for pk, intent in live.items() if intent.revision})
    search.index_articles(list(live))
    purges.changed(*story_keys(list(live)))


def story_keys(pks: list[int]) -> list[str]:
    """What to purge when these stories change: their pages, every list of stories, and the
    story pages whose related stories come from the same tags."""
    tag_ids = TaggedArticle.objects.filter(content_object_id__in=pks).values_list("tag_id")
    return [
        keys.ALL_LISTS,
        *(keys.named(Article, pk) for pk in pks),
        *(keys.listing(Tag, tag_id) for (tag_id,) in tag_ids.distinct()),
    ]


@receiver(post_save, sender=Article)
def article_saved(sender, instance, raw, **kwargs):
    story_changed(instance, raw=raw)


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance, **kwargs):
    search.remove_articles([instance.pk])
    purges.changed(keys.of(instance), keys.ALL_LISTS)


@receiver([post_save, post_delete], sender=Correction)
@receiver([post_save, post_delete], sender=ArticleRedirect)
def story_record_changed(sender, instance, **kwargs):
    purges.changed(keys.named(Article, instance.article_id), keys.ALL_LISTS)


@receiver([post_save, post_delete], sender=Section)
def section_changed(sender, instance, **kwargs):
    # Every page's navigation names the sections.
    purges.changed(keys.SITE)


@receiver([post_save, post_delete], sender=Author)
@receiver([post_save, post_delete], sender=Tag)
def name_changed(sender, instance, **kwargs):
    purges.changed(keys.of(instance), keys.ALL_LISTS)


@receiver(m2m_changed, sender=TaggedArticle)
def tags_changed(sender, instance, action, reverse, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and not reverse:
        story_changed(instance)


@receiver(post_save, sender=TaggedArticle)
def tag_row_saved(sender, instance, raw, **kwargs):
    # Fixtures write the tag table directly; m2m_changed covers every other path.
    if raw:
        story_changed(instance.content_object, raw=True)


@receiver([post_save, post_delete], sender=Byline)
def byline_changed(sender, instance, raw=False, **kwargs):
    try:
        story_changed(instance.article, raw=raw)
    except Article.DoesNotExist:
        pass  # The story itself is being deleted.
