"""The writer every importer shares: a story read from outside becomes rows, through the door.

Each format's reader turns its input into plain records (wiretext.py, ninjs.py, wordpress.py)
and its `*_stories` module works out what each record asks of its story. The writing is here,
once: sections and authors found (or made), unique slugs, the byline and tags, and the story's
state changed only through the publishing door (articles/editorial/publishing.py), all in one
`recording()` block per story, so that its revision says which import made it and the door's
own note ("Published", "Scheduled for …", "Withdrawn") follows. So are the words the import
commands share with the operator: their common options, refusals, status labels and blocks.
"""

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.text import slugify

from articles.addresses import story_path
from articles.editorial import publishing
from articles.editorial.changes import recording
from articles.ingest.wiretext import unique_slug
from articles.models import Article, ArticleRedirect, Author, Section
from articles.outputs.links import absolute_url

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# New copy of these in a story readers have seen is a substantive update: it moves the public
# "Updated" time and shows in the story's history.
TEXT_FIELDS = frozenset({"headline", "dek", "body"})
SLUG_ROOM = 10  # left at the end of a long slug for a "-12" when it is taken
AUTHOR_NAME_MAX_LENGTH = Author._meta.get_field("name").max_length
# WordPress's plain permalink, /?p=<id> (under the blog's folder, if any): the one address with
# a query string an import may take (the old-address middleware answers it on the front page).
_POST_ID_PATH = re.compile(r"(?:/[^?#]*)?/\?p=\d{1,18}")


# -- The commands' shared options ---------------------------------------------------------------


def add_run_arguments(parser, *, files: str, metavar: str = "FILE", items: str) -> None:
    """The input files (described by `files`), `--dry-run` and `--skip-bad`: what every import
    command takes."""
    parser.add_argument("files", nargs="+", metavar=metavar, help=files)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="Do the whole import in a transaction that is rolled back: prints what would "
        "happen; writes nothing.",
    )
    parser.add_argument(
        "--skip-bad",
        action="store_true",
        help=f"Import the good {items} and list the bad ones on stderr, instead of refusing "
        "the whole run; the exit status is 0 when anything could be imported.",
    )


def add_update_own_argument(parser, *, matched: str) -> None:
    """`--update-own`: let the import update our own stories (`matched` says how it finds
    them), not only those it made itself."""
    parser.add_argument(
        "--update-own",
        action="store_true",
        help=f"Also update a story of this site's own when {matched}. Without it an import "
        "updates only the stories it made from the same source, never one of ours.",
    )


def add_fetch_images_argument(parser, *, names: str) -> None:
    """`--fetch-images`: download the lead picture each story's source names (`names` says
    which) and the pictures its body shows into the picture library
    (articles/ingest/pictures.py)."""
    parser.add_argument(
        "--fetch-images",
        action="store_true",
        help=f"Download {names} and the pictures each body shows into the picture library "
        "(http and https only, public addresses only, IMAGE_FETCH_TIMEOUT seconds and "
        "IMAGE_MAX_UPLOAD_MB each, checked as an upload is): the first becomes the story's "
        "lead image, and each body picture's <img> names the library's picture; a picture "
        "already in the library is reused. A picture that fails (or lacks its alt text, "
        "caption or credit) gets a line on stderr and the story is imported without it, its "
        "body's <img> as it was. A dry run downloads nothing.",
    )


def parse_publish_time(value: str | None, *, prefix: str = "") -> datetime | None:
    """`now`, or an ISO 8601 time; a time without an offset is in the site's time zone."""
    if value is None:
        return None
    if value.strip().lower() == "now":
        return timezone.now()
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"{prefix}--publish {value!r}: give `now` or an ISO 8601 time such as "
            f"2026-01-10T09:00 ({settings.TIME_ZONE}) or 2026-01-10T14:00Z; nothing was imported"
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def section_option(value: str, *, option: str = "--section", prefix: str = "") -> Section:
    """The section an option names by slug or name (in any case); an error naming the others."""
    section = find_section(slug=value, name=value.strip())
    if section is None:
        known = ", ".join(Section.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(
            f"{prefix}{option} {value!r}: no such section (sections: {known}); nothing was imported"
        )
    return section


def first_section(*, prefix: str = "") -> Section:
    """The first section in navigation order: where stories go when nothing says otherwise."""
    section = Section.objects.order_by("position", "name").first()
    if section is None:
        raise CommandError(
            f"{prefix}there are no sections yet: create one in the admin (or load the seed with "
            "`manage.py loaddata seed`); nothing was imported"
        )
    return section


# -- Sections, authors, slugs -------------------------------------------------------------------


def find_section(*, slug: str | None = None, name: str | None = None) -> Section | None:
    """The section with this slug, else the one with this name (in any case)."""
    return (
        (Section.objects.filter(slug=slug).first() if slug else None)
        or (Section.objects.filter(name__iexact=name).first() if name else None)
        or None
    )


def story_slug(base: str, *, dates: Iterable[datetime | None], taken: Collection[str] = ()):
    """A new story's slug: no story has it, and at none of the `dates` it could be published
    on does it make an address that is another story's old address (saving the story there
    would end that story's redirect)."""
    tried = set(taken)
    while True:
        slug = new_slug(Article, base, taken=tried)
        paths = {story_path(slug, when) for when in dates if when is not None}
        if not ArticleRedirect.objects.filter(old_path__in=paths).exists():
            return slug
        tried.add(slug)


def address_in_use(path: str, article: Article) -> str | None:
    """Why an import may not make `path` an old address of `article`: it is one of this site's
    own addresses (the front page, a listing, a feed, the admin, another story's); None when
    it is free to take. Which paths may be a source's permalinks is each reader's to say."""
    if "?" in path or "#" in path:
        return None if _POST_ID_PATH.fullmatch(path) else "it has a query string"
    own = (settings.ADMIN_PATH, settings.STATIC_URL, settings.MEDIA_URL, "api/")
    # `/admin` too: the site answers it with a redirect to `/admin/`.
    slashed = path if path.endswith("/") else f"{path}/"
    if slashed.startswith(tuple(f"/{prefix.strip('/')}/" for prefix in own)):
        return "it is one of this site's own addresses"
    match = None
    for candidate in dict.fromkeys([path, slashed]):
        try:
            match = resolve(candidate)
            break
        except Resolver404:
            continue
    if match is None:
        return None
    if match.view_name != "articles:detail":
        return "it is one of this site's own addresses"
    stories = Article.objects.filter(slug=match.kwargs["slug"]).exclude(pk=article.pk)
    if any(story.get_absolute_url() == path for story in stories):
        return "it is another story's address"
    return None


def new_slug(model, base: str, *, taken: Collection[str] = (), cut: bool = False) -> str:
    """A slug no `model` row has (nor any in `taken`): `base`, else `base-2`, `base-3`…

    `cut` first shortens `base` to leave room for the number (for names, which run long).
    """
    max_length = model._meta.get_field("slug").max_length
    if cut:
        base = base[: max_length - SLUG_ROOM].strip("-")
    prefix = base[: max_length - SLUG_ROOM]
    stored = model.objects.filter(slug__startswith=prefix).values_list("slug", flat=True)
    return unique_slug(base, {*taken, *stored}, max_length)


class Authors:
    """One run's authors by name: found in any case (the one with `slug` first), else made once."""

    def __init__(self) -> None:
        self.by_name: dict[str, Author] = {}
        self.created = 0

    def get(self, name: str, slug: str | None = None) -> Author:
        name = name[:AUTHOR_NAME_MAX_LENGTH]
        key = name.casefold()
        if key not in self.by_name:
            same_name = list(Author.objects.filter(name__iexact=name).order_by("pk"))
            author = next((a for a in same_name if a.slug == slug), None) or next(
                iter(same_name), None
            )
            if author is None:
                base = slug or slugify(name) or "author"
                author = Author.objects.create(name=name, slug=new_slug(Author, base, cut=True))
                self.created += 1
            self.by_name[key] = author
        return self.by_name[key]


# -- Writing one story --------------------------------------------------------------------------


@dataclass
class Change:
    """What an import asks of one story; None leaves that part as it is."""

    article: Article  # found or new, with the import's field values set (see set_fields)
    where: str  # the input, for messages: "import_ninjs: story.json: document 3"
    note: str  # the revision's note: "Imported from ninjs (story.json)"
    fields: set[str] = field(default_factory=set)  # those set_fields() changed
    byline: list[Author] | None = None
    tags: list[str] | None = None
    adds_tags: bool = False  # add `tags` to the story's own rather than replace them
    state: str | None = None  # the status to move the story to, through the door
    live_at: datetime | None = None  # with state "published": when it goes live
    marks_updates: bool = True  # new text of a story readers have seen is a substantive update


def set_fields(article: Article, values: dict[str, Any]) -> set[str]:
    """Set `values` on the story; return the names of those that differ from what it had."""
    changed = {name for name, value in values.items() if getattr(article, name) != value}
    for name, value in values.items():
        setattr(article, name, value)
    return changed


def write(change: Change) -> str:
    """Write what changes of the story: CREATED, UPDATED, or UNCHANGED (nothing is written)."""
    article = change.article
    is_new = article.pk is None
    byline = change.byline if change.byline is not None and _byline_differs(change) else None
    tags = change.tags if change.tags is not None and _tags_differ(change) else None
    moves = change.state is not None and _state_differs(article, change.state, change.live_at)
    if not (is_new or change.fields or byline is not None or tags is not None or moves):
        return UNCHANGED
    substantive = change.marks_updates and bool(change.fields & TEXT_FIELDS) and article.was_public
    try:
        with recording(note=change.note):
            if is_new or change.fields:
                publishing.save(article, substantive=substantive)
            if byline is not None:
                article.replace_byline(byline)
            if tags is not None and change.adds_tags:
                article.tags.add(*tags)
            elif tags is not None:
                article.tags.set(tags)
            if moves:
                publishing.move_to(article, change.state, publish_at=change.live_at)
    except publishing.PublishingError as problem:  # each importer checks first; a safety net
        raise CommandError(f"{change.where}: cannot publish: {problem}") from None
    return CREATED if is_new else UPDATED


def _byline_differs(change: Change) -> bool:
    article = change.article
    current = list(article.bylines.values_list("author_id", flat=True)) if article.pk else []
    return current != [author.pk for author in change.byline]


def _tags_differ(change: Change) -> bool:
    article = change.article
    current = {name.casefold() for name in article.tags.names()} if article.pk else set()
    wanted = {name.casefold() for name in change.tags}
    return not wanted <= current if change.adds_tags else wanted != current


def _state_differs(article: Article, state: str, live_at: datetime | None) -> bool:
    # As publishing.move_to() decides: a published story moves when its time changes too.
    published = state == Article.Status.PUBLISHED
    return article.status != state or (published and article.publish_at != live_at)


def held_back(article: Article, byline: list[Author], *, no_byline: str) -> str | None:
    """The note for a story the import asks to publish that publish() would refuse with this
    byline (`no_byline` says in the format's words why it has none); None when it would not."""
    problems = publishing.problems(article, author_count=len(byline))
    if not problems:
        return None
    if not byline and not publishing.problems(article, author_count=1):
        return f"not published: {no_byline} (add a byline in the admin, then publish)"
    return f"not published: {' '.join(problems)} Put it right in the admin, then publish."


# -- A whole run --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What importing one record did (in a dry run, would do)."""

    where: str
    record: Any  # what the reader made of the input: a NinjsStory, a WxrPost, a wire Plan
    article: Article
    action: str  # CREATED, UPDATED or UNCHANGED
    byline: list[Author]
    tags: list[str]
    notes: list[str] = field(default_factory=list)


def write_all(
    records: Iterable,
    write_one: Callable[[Any], Outcome],
    *,
    dry_run: bool,
    bar,
    stderr,
    each: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Write every record in one transaction, rolled back in a dry run, advancing `bar`.

    `each` sees every outcome inside the transaction (a dry run's rows are gone after it).
    """
    outcomes: list[Outcome] = []
    with transaction.atomic():
        with bar:
            for record in records:
                outcomes.append(write_one(record))
                if each is not None:
                    each(outcomes[-1])
                bar.advance()
        changed = sum(outcome.action != UNCHANGED for outcome in outcomes)
        if dry_run:
            transaction.set_rollback(True)
        elif bar.enabled and changed:
            stderr.write(saving_note(changed), style_func=str)
    return outcomes


def saving_note(changed: int) -> str:
    # Revisions and search entries are written as the transaction commits
    # (articles/editorial/changes.py), after a progress bar is full: say why the wait goes on.
    return f"Saving revisions and the search index for {changed} stories…"


# -- Words to the operator ----------------------------------------------------------------------


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """`1 document`, `3 documents`; `plural` where adding an s will not do."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def refuse(problems: list[str], *, good: int, unit: str, skip_bad: bool, prefix: str, stderr):
    """Refuse the run when an input is bad, unless --skip-bad leaves `good` ones to import."""
    if problems and not (skip_bad and good):
        raise CommandError(
            _refusal(
                problems, good=good, unit=unit, skip_bad=skip_bad, prefix=prefix, stderr=stderr
            )
        )


def _refusal(problems: list[str], *, good: int, unit: str, skip_bad: bool, prefix: str, stderr):
    """The one line a refused run ends with; several problems are listed on stderr first."""
    if good and not skip_bad:
        advice = f"; nothing was imported (--skip-bad imports the {counted(good, 'good ' + unit)})"
    elif len(problems) > 1 or skip_bad:
        advice = "; nothing could be imported"
    else:
        advice = ""
    if len(problems) == 1:
        return f"{prefix}{problems[0]}{advice}"
    for line in problems:
        stderr.write(f"{prefix}{line}")
    files = {line.split(": ", 1)[0] for line in problems}
    where = f"{files.pop()}: " if len(files) == 1 else ""
    return f"{prefix}{where}{len(problems)} problems (listed above){advice}"


def local_time(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}"


def status_label(article: Article, *, brief: bool = False, why: str = "") -> str:
    """`live (published …)`, `scheduled for …`, `draft`…; `brief` leaves out the times (for a
    table), `why` is added in brackets."""
    if article.is_scheduled:
        label = "scheduled" if brief else f"scheduled for {local_time(article.publish_at)}"
    elif article.is_live:
        label = "live" if brief else f"live (published {local_time(article.publish_at)})"
    else:
        label = article.get_status_display().lower()
    return f"{label} ({why})" if why else label


def action_verb(action: str, *, dry_run: bool) -> str:
    """`Created`, `Updated`, `Unchanged`; in a dry run `Would create`, `Would update`."""
    if dry_run and action != UNCHANGED:
        return {CREATED: "Would create", UPDATED: "Would update"}[action]
    return action.capitalize()


def admin_url(article: Article) -> str:
    return absolute_url(reverse("admin:articles_article_change", args=[article.pk]))


def story_url(article: Article) -> str:
    """The address to show for an existing story: public when live, the admin's otherwise."""
    return absolute_url(article.get_absolute_url()) if article.is_live else admin_url(article)


def describe(
    outcome: Outcome, *, dry_run: bool, status: str, details: list[str], extra: Iterable[str] = ()
) -> str:
    """A story's block of output: what happened, its status, `details`, where to find it,
    `extra`, and the import's notes on it."""
    article = outcome.article
    lines = [
        f"{action_verb(outcome.action, dry_run=dry_run)}: {article.headline}",
        f"  status:  {status}",
        *details,
    ]
    if dry_run and outcome.action == CREATED:
        lines.append("  admin:   (given on import)")
    else:
        lines.append(f"  admin:   {admin_url(article)}")
    waiting = "" if article.is_live else " (answers once the story is live)"
    lines.append(f"  public:  {absolute_url(article.get_absolute_url())}{waiting}")
    lines += extra
    lines += [f"  note:    {note}" for note in outcome.notes]
    return "\n".join(lines)
