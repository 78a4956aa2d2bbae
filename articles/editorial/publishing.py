"""The one door for changing a story's state: the admin, the importers and restore call these.

The trash is a state too: `move_to_trash` hides a story everywhere and frees its address;
`restore_from_trash` brings it back as a draft, never straight to readers: going live again
is `publish`, with its checks, like any draft.

A change of `status` or `publish_at` spans more than the row (the rule a story must pass to
go live, the first-publication stamp, the revision and its note), so the flow lives here and
nowhere else; a test greps the source to keep it so. `generate_articles` (bulk demo data) is
the one documented exception: it writes live rows directly, for speed.

Each function saves inside a `recording()` block (articles/editorial/changes.py), which is how
who acted, why and whether a change is substantive reach the story's revision.
"""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import count

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.editorial import revisions
from articles.editorial.changes import recording
from articles.models import Article, ArticleRedirect, Author, Revision, Section


class PublishingError(Exception):
    """The story cannot be published as it stands; the message says why."""


def problems(
    article: Article, *, author_count: int | None = None, at: datetime | None = None
) -> list[str]:
    """Return what stops `article` from going live (now, or at `at`): the trash, no body text,
    section or byline, a lead image it may not show.

    `author_count` is the byline about to be saved (a form's, an importer's); without it the
    stored byline counts.
    """
    if author_count is None:
        author_count = article.bylines.count() if article.pk else 0
    found = []
    # Asked of the database too: an instance read before the story went to the trash.
    if article.is_trashed or (
        article.pk and Article.objects.trashed().filter(pk=article.pk).exists()
    ):
        found.append(_("The story is in the trash: restore it first."))
    if not article.body_text.strip():
        found.append(_("The story has no body text."))
    if not article.section_id:
        found.append(_("The story has no section."))
    if author_count < 1:
        found.append(_("The story has no author in its byline."))
    if article.lead_image_id is not None:
        moment = max(at or timezone.now(), timezone.now())
        if reason := article.lead_image.unusable_reason(moment):
            found.append(
                _("The lead image cannot be used: %(reason)s. Choose another or remove it.")
                % {"reason": reason}
            )
    return found


def check_publishable(
    article: Article, *, author_count: int | None = None, at: datetime | None = None
) -> None:
    """Raise PublishingError when the story cannot go live (problems() says why)."""
    found = problems(article, author_count=author_count, at=at)
    if found:
        raise PublishingError(" ".join(found))


def save(article: Article, *, by=None, note: str = "", substantive: bool = False) -> Article:
    """Save the story's text and metadata (its state is left to the functions below).

    A `substantive` save of a story readers have seen moves its public "Updated" time and
    shows in its change log with `note`; a typo fix is not substantive.
    """
    with recording(by=by, note=note, substantive=substantive):
        if substantive:
            article.modified_at = timezone.now()
        return _save(article, by)


def publish(article: Article, *, at: datetime | None = None, by=None) -> Article:
    """Make the story live now, or at `at` (a future time schedules it: an embargo)."""
    check_publishable(article, at=at)
    moment = at or timezone.now()
    if moment > timezone.now():
        note = _("Scheduled for %(time)s") % {
            "time": f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}"
        }
    else:
        note = _("Published")
    with recording(by=by, note=note):
        article.status = Article.Status.PUBLISHED
        article.publish_at = moment
        return _save(article, by)


def unpublish(article: Article, *, by=None) -> Article:
    """Withdraw the story: a story that was live answers 410 Gone from then on."""
    return _move(article, Article.Status.UNPUBLISHED, by, _("Withdrawn"))


def submit_for_review(article: Article, *, by=None) -> Article:
    """Hand a draft to the editors."""
    return _move(article, Article.Status.REVIEW, by, _("Submitted for review"))


def return_to_draft(article: Article, *, by=None) -> Article:
    """Take a story back to the drafts (a scheduled story comes off the schedule)."""
    return _move(article, Article.Status.DRAFT, by, _("Returned to draft"))


def take_requested_state(article: Article) -> tuple[str, datetime | None]:
    """Return the status and publish time a form wrote onto `article`; put the stored ones back.

    A model form writes every field onto the story before its byline is saved, but going live
    depends on the byline: the form saves the text first, then asks move_to() for the state.
    """
    requested = (article.status, article.publish_at)
    stored = None
    if article.pk is not None:
        stored = Article.objects.filter(pk=article.pk).values_list("status", "publish_at").first()
    article.status, article.publish_at = stored or (Article.Status.DRAFT, None)
    return requested


def move_to(article: Article, status: str, *, publish_at: datetime | None = None, by=None):
    """Put the story in `status` (at `publish_at` when published) by the matching action.

    What a form or an import asks for: nothing happens when the story is already there.
    """
    if status == Article.Status.PUBLISHED:
        if article.status != status or article.publish_at != publish_at:
            publish(article, at=publish_at, by=by)
        return article
    actions = {
        Article.Status.UNPUBLISHED: unpublish,
        Article.Status.REVIEW: submit_for_review,
        Article.Status.DRAFT: return_to_draft,
    }
    if status not in actions:
        raise PublishingError(_("A story goes to the trash by being deleted, not by its status."))
    if article.status != status:
        actions[status](article, by=by)
    return article


@dataclass
class Restored:
    """A restored story, and what of its revision could not come back (in editors' words)."""

    article: Article
    notes: list[str] = field(default_factory=list)


@transaction.atomic
def restore(revision: Revision, *, by=None) -> Restored:
    """Put the story's text, section, byline and tags back as in `revision`: a new revision.

    Its state (status, publish time) and address stay as they are now. A section or author
    deleted since is left out and named in the notes; a story that is live or scheduled must
    still pass the publishing checks afterwards, or nothing is restored (PublishingError).
    """
    article = Article.objects.select_for_update().get(pk=revision.article_id)
    data = revision.data
    notes = _restore_fields(article, data)
    section = data.get("section") if isinstance(data.get("section"), dict) else {}
    if isinstance(section.get("id"), int) and section["id"] != article.section_id:
        if Section.objects.filter(pk=section["id"]).exists():
            article.section_id = section["id"]
        else:
            notes.append(
                _("Section “%(old)s” no longer exists, so the story stays in “%(current)s”.")
                % {"old": section.get("name", "?"), "current": article.section.name}
            )
    wanted = [author for author in data.get("authors", []) if isinstance(author, dict)]
    known = Author.objects.in_bulk([author.get("id") for author in wanted])
    notes.extend(
        _("Author “%(name)s” no longer exists and was left off the byline.")
        % {"name": author.get("name", "?")}
        for author in wanted
        if author.get("id") not in known
    )
    byline = list(dict.fromkeys(known[a["id"]] for a in wanted if a.get("id") in known))
    if article.status == Article.Status.PUBLISHED:
        # A live (or scheduled) story never goes out without body, section or byline.
        check_publishable(article, author_count=len(byline))
    with recording(by=by, note=_("Restored version %(version)d") % {"version": revision.version}):
        _save(article, by)
        article.tags.set(data.get("tags", []))
        article.replace_byline(byline)
    return Restored(article, notes)


TRASHED_SUFFIX = "__trashed-{pk}"


@transaction.atomic
def move_to_trash(article: Article, *, by=None) -> Article:
    """Put the story in the trash: off every public page, restorable until `purge_trash`.

    Its status becomes "trashed" (what it was is kept in `status_before_trash`); its text,
    revisions, corrections, tags and byline stay as they are; its address is freed for new
    stories (kept in `trashed_slug` for restore). A story in the trash already is left as it
    is.
    """
    # Read again as a story (the Trash list hands over its proxy, whose saves no signal
    # receiver hears) and locked, so two editors cannot trash or restore it at once.
    story = Article.objects.select_for_update().get(pk=article.pk)
    if story.is_trashed:
        return story
    suffix = TRASHED_SUFFIX.format(pk=story.pk)
    max_length = Article._meta.get_field("slug").max_length
    with recording(by=by, note=_("Moved to the trash")):
        story.trashed_slug = story.slug
        story.slug = story.slug[: max_length - len(suffix)] + suffix
        story.trashed_at = timezone.now()
        story.status_before_trash, story.status = story.status, Article.Status.TRASHED
        story.trashed_by = by if by is not None and by.is_authenticated else None
        _save(story, by)
    return _caught_up(article, story)


@dataclass
class Untrashed:
    """A story taken out of the trash, and whether it came back at another address."""

    article: Article
    slug_taken: bool = False


@transaction.atomic
def restore_from_trash(article: Article, *, by=None) -> Untrashed:
    """Take the story out of the trash as a draft, at its old address when that is free.

    A new story may have taken the address meanwhile: the restored one then gets the first
    free `<slug>-2`, `-3`… (`slug_taken`). A story outside the trash is left as it is.
    """
    story = Article.objects.select_for_update().get(pk=article.pk)
    if not story.is_trashed:
        return Untrashed(story)
    wanted = story.trashed_slug or story.slug
    slug = _free_slug(wanted, story.pk)
    with recording(by=by, note=_("Restored from the trash")):
        story.slug, story.trashed_slug = slug, ""
        story.trashed_at = story.trashed_by = None
        # Back in the drafts, whatever it was before: readers see it again only once an
        # editor publishes it, through the checks every draft passes.
        story.status, story.status_before_trash = Article.Status.DRAFT, ""
        _save(story, by)
    return Untrashed(_caught_up(article, story), slug_taken=slug != wanted)


def _caught_up(article: Article, story: Article) -> Article:
    """Bring the caller's instance up to date (saved later as it was, it would undo the
    move); return the story."""
    if article is not story:
        article.refresh_from_db()
    return story


@dataclass(frozen=True)
class Purged:
    """A story deleted for good from the trash (or, in a dry run, one that would be)."""

    pk: int
    headline: str
    trashed_at: datetime


def purge_trash(*, before: datetime, dry_run: bool = False) -> list[Purged]:
    """Delete for good the stories moved to the trash before `before`, oldest first.

    Each story goes in its own transaction, its row locked and checked again first, so a
    story an editor restores meanwhile stays, and a second run at once (cron overlapping
    itself) finds nothing left to do.
    """
    due = Article.objects.trashed().trashed_before(before).order_by("trashed_at", "pk")
    found = [Purged(*row) for row in due.values_list("pk", "headline", "trashed_at")]
    if dry_run:
        return found
    purged = []
    for story in found:
        with transaction.atomic():
            still_due = due.filter(pk=story.pk).select_for_update().first()
            if still_due is not None:
                # Its revisions, corrections, redirects, tags and byline go with it.
                still_due.delete()
                purged.append(story)
    return purged


def _free_slug(wanted: str, pk: int) -> str:
    """`wanted`, or the first `wanted-2`, `-3`… that is neither another story's address nor
    one of its old addresses (readers are still sent from those, as the story form says)."""
    max_length = Article._meta.get_field("slug").max_length
    for number in count(1):
        suffix = f"-{number}" if number > 1 else ""
        slug = wanted[: max_length - len(suffix)] + suffix
        others = Article.objects.exclude(pk=pk).filter(slug=slug)
        moved = ArticleRedirect.objects.exclude(article_id=pk).filter(
            old_path__endswith=f"/{slug}/"
        )
        if not others.exists() and not moved.exists():
            return slug
    raise AssertionError("unreachable")


def _restore_fields(article: Article, data: dict) -> list[str]:
    """Copy the revision's text fields onto the story; keep any the rules now refuse."""
    notes = []
    for name in revisions.RESTORABLE_FIELDS:
        if name not in data:
            continue
        model_field = Article._meta.get_field(name)
        try:
            # A rule made since the revision (a shorter limit, a retired kind) still holds.
            value = model_field.clean(data[name], article)
        except ValidationError:
            notes.append(
                _("The saved %(field)s no longer fits the rules, so the current one was kept.")
                % {"field": model_field.verbose_name}
            )
        else:
            setattr(article, model_field.attname, value)  # lead_image: its id
    return notes


def _move(article: Article, status: str, by, note: str) -> Article:
    with recording(by=by, note=note):
        article.status = status
        return _save(article, by)


def _save(article: Article, by) -> Article:
    if by is not None and by.is_authenticated:
        article.updated_by = by
    article.save()
    return article
