"""Copy-desk checks: what an editor should see before a story goes out."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.editorial import publishing
from articles.models import Article

HEADLINE_MAX = 70
META_DESCRIPTION_MIN = 50
META_DESCRIPTION_MAX = 160

BLOCKING = "blocking"
WARNING = "warning"
OK = "ok"
INFO = "info"


@dataclass(frozen=True)
class Check:
    level: str
    message: str


def review(article: Article, *, author_count: int, tag_count: int) -> list[Check]:
    """Return the readiness checks for `article`, blocking problems first."""
    checks = [
        Check(BLOCKING, message)
        for message in publishing.problems(article, author_count=author_count)
    ]
    headline_length = len(article.display_title)
    if headline_length > HEADLINE_MAX:
        checks.append(
            Check(
                WARNING,
                _(
                    "The headline for search and social is %(length)d characters; "
                    "search engines cut it after about %(max)d."
                )
                % {"length": headline_length, "max": HEADLINE_MAX},
            )
        )
    else:
        checks.append(
            Check(OK, _("Headline length: %(length)d characters.") % {"length": headline_length})
        )
    if not article.dek.strip():
        checks.append(Check(WARNING, _("No dek: add a one- or two-sentence standfirst.")))
    if tag_count == 0:
        checks.append(Check(WARNING, _("No tags: readers and related stories rely on them.")))
    checks.extend(_picture_checks(article))
    description = article.meta_description or article.dek
    if not META_DESCRIPTION_MIN <= len(description) <= META_DESCRIPTION_MAX:
        checks.append(
            Check(
                WARNING,
                _(
                    "The search description (meta description, or the dek) is %(length)d "
                    "characters; aim for %(min)d–%(max)d."
                )
                % {
                    "length": len(description),
                    "min": META_DESCRIPTION_MIN,
                    "max": META_DESCRIPTION_MAX,
                },
            )
        )
    words = article.word_count
    minutes = article.reading_minutes
    checks.append(
        Check(
            INFO,
            _("%(words)s, about %(minutes)s to read.")
            % {
                "words": ngettext("%(count)d word", "%(count)d words", words) % {"count": words},
                "minutes": ngettext("%(count)d minute", "%(count)d minutes", minutes)
                % {"count": minutes},
            },
        )
    )
    return checks


def _picture_checks(article: Article) -> list[Check]:
    if article.lead_image_id is None:
        return [Check(WARNING, _("No lead image: the story's cards and share cards show none."))]
    expires = article.lead_image.rights_expire_at
    if expires is not None and article.lead_image.is_usable():
        return [
            Check(
                INFO,
                _("The lead image's rights run until %(date)s; it leaves the story then.")
                % {"date": f"{timezone.localtime(expires):%Y-%m-%d %H:%M %Z}"},
            )
        ]
    return []
