"""The one door for changing a story's state: the admin, the importers and restore call these.

A change of `status` or `publish_at` spans more than the row (the rule a story must pass to
go live, the first-publication stamp, the revision and its note), so the flow lives here and
nowhere else; a test greps the source to keep it so. `generate_articles` (bulk demo data) is
the one documented exception: it writes live rows directly, for speed.

Each function saves inside a `recording()` block (articles/editorial/changes.py), which is how
who acted, why and whether a change is substantive reach the story's revision.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.editorial import revisions
from articles.editorial.changes import recording
from articles.models import Article, Author, Revision, Section


class PublishingError(Exception):
    """The story cannot be published as it stands; the message says why."""


def problems(article: Article, *, author_count: int | None = None) -> list[str]:
    """Return what stops `article` from going live: no body text, section or byline.

    `author_count` is the byline about to be saved (a form's, an importer's); without it the
    stored byline counts.
    """
    if author_count is None:
        author_count = article.bylines.count() if article.pk else 0
    found = []
    if not article.body_text.strip():
        found.append(_("The story has no body text."))
    if not article.section_id:
        found.append(_("The story has no section."))
    if author_count < 1:
        found.append(_("The story has no author in its byline."))
    return found


def check_publishable(article: Article, *, author_count: int | None = None) -> None:
    """Raise PublishingError when the story lacks body, section or author."""
    found = problems(article, author_count=author_count)
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
    check_publishable(article)
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
            setattr(article, name, value)
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
