"""What follows a change to a story: its revision and its search index entry.

Every save path (admin, commands, shell, API, fixtures) goes through Article.save() and the
tag and byline tables, so signals catch them all. The work runs when the transaction commits,
once per story, so that an admin save (story, then tags, then bylines) makes one revision
holding all three; outside a transaction it runs at once. Fixture loads (raw saves) are
indexed but make no revision: they are not an editor's change.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles import search
from articles.editorial import revisions
from articles.models import Article, Byline, TaggedArticle


def story_changed(article: Article, *, raw: bool = False) -> None:
    """Record a revision and refresh the search index for `article` when the transaction commits."""
    intent = {
        "revision": not raw,
        "user": getattr(article, "_revision_user", None),
        "note": getattr(article, "_revision_note", ""),
        "substantive": getattr(article, "_revision_substantive", False),
    }
    connection = transaction.get_connection()
    # Stories changed in this connection's transaction, and the one callback that will handle
    # them all on commit. A callback no longer queued belongs to a transaction (or savepoint)
    # that rolled back, and its stories with it.
    state = connection.__dict__.setdefault("newsroom_changes", {"stories": {}, "commit": None})
    queued = {callback for _, callback, _ in connection.run_on_commit}
    if state["commit"] not in queued:
        state["stories"] = {}
        state["commit"] = None
    waiting = state["stories"].get(article.pk)
    if waiting is not None:
        # A later save in the same transaction may carry the editor's intent; keep it.
        for key, value in intent.items():
            waiting[key] = waiting[key] or value
        return
    state["stories"][article.pk] = intent
    if state["commit"] is None:

        def commit():
            stories, state["stories"], state["commit"] = state["stories"], {}, None
            revisions.record_many({pk: i for pk, i in stories.items() if i["revision"]})
            search.index_articles(list(stories))

        state["commit"] = commit
        transaction.on_commit(commit)


@receiver(post_save, sender=Article)
def article_saved(sender, instance, raw, **kwargs):
    story_changed(instance, raw=raw)


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance, **kwargs):
    search.remove_articles([instance.pk])


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
