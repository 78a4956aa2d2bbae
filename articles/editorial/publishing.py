"""The one door for changing a story's state: admin, commands and the API all call these.

Publishing spans more than the row (the first-publication stamp, the revision, the checks an
editor must pass), so the flow lives here rather than in each caller.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from articles.editorial.copydesk import blocking_problems
from articles.models import Article


class PublishingError(Exception):
    """The story cannot be published as it stands; the message says why."""


def check_publishable(article: Article) -> None:
    """Raise PublishingError when the story lacks body, section or author."""
    problems = blocking_problems(
        body=article.body,
        section_id=article.section_id,
        author_count=article.bylines.count() if article.pk else 0,
    )
    if problems:
        raise PublishingError(" ".join(problems))


def _save(article: Article, by, note: str) -> Article:
    article._revision_user = by
    article._revision_note = note
    if by is not None and by.is_authenticated:
        article.updated_by = by
    article.save()
    return article


@transaction.atomic
def publish(article: Article, *, at: datetime | None = None, by=None) -> Article:
    """Make the story live now, or at `at` (a future time schedules it: an embargo)."""
    check_publishable(article)
    article.status = Article.Status.PUBLISHED
    article.publish_at = at or timezone.now()
    note = "Scheduled" if article.publish_at > timezone.now() else "Published"
    return _save(article, by, note)


@transaction.atomic
def unpublish(article: Article, *, by=None) -> Article:
    """Withdraw the story: a story that was live answers 410 Gone from then on."""
    article.status = Article.Status.UNPUBLISHED
    return _save(article, by, "Withdrawn")


@transaction.atomic
def submit_for_review(article: Article, *, by=None) -> Article:
    """Hand a draft to the editors."""
    article.status = Article.Status.REVIEW
    return _save(article, by, "Submitted for review")


@transaction.atomic
def return_to_draft(article: Article, *, by=None) -> Article:
    """Take a story back to the drafts (a scheduled story comes off the schedule)."""
    article.status = Article.Status.DRAFT
    return _save(article, by, "Returned to draft")
