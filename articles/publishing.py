"""The one door for changing a story's state: admin, commands and the API all call these.

Publishing spans more than the row (first-publication stamp today; revisions, cache purges
and the search index as they arrive), so the flow lives here rather than in each caller.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from articles.models import Article


@transaction.atomic
def publish(article: Article, *, at: datetime | None = None) -> Article:
    """Make the story live now, or at `at` (a future time schedules it: an embargo)."""
    article.status = Article.Status.PUBLISHED
    article.publish_at = at or timezone.now()
    article.save()
    return article


@transaction.atomic
def unpublish(article: Article) -> Article:
    """Withdraw the story: a story that was live answers 410 Gone from then on."""
    article.status = Article.Status.UNPUBLISHED
    article.save()
    return article


@transaction.atomic
def submit_for_review(article: Article) -> Article:
    """Hand a draft to the editors."""
    article.status = Article.Status.REVIEW
    article.save()
    return article
