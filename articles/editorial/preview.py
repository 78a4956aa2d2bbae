"""Signed, expiring preview links for stories that are not live yet."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "articles.preview"  # Unchanged by the move: links already sent keep working.


def make_token(article) -> str:
    return signing.dumps({"article": article.pk}, salt=SALT, compress=True)


def preview_url(article) -> str:
    return reverse("articles:preview", kwargs={"token": make_token(article)})


def article_pk_from(token: str) -> int | None:
    """Return the story's primary key, or None for a tampered or expired token."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.PREVIEW_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too.
        return None
    pk = data.get("article") if isinstance(data, dict) else None
    # A bool is an int to Python, not to the database (PostgreSQL: bigint = boolean).
    return pk if isinstance(pk, int) and not isinstance(pk, bool) else None
