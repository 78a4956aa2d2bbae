"""`manage.py import_ninjs`: IPTC ninjs documents become stories, matched again by their uri.

A document whose uri is `urn:uuid:<uuid>` of one of our stories (our own export) updates that
story; any other uri is kept in `Article.source_uri`, so importing a document again updates its
story rather than duplicating it, and an unchanged document changes nothing. The mapping itself
is in `articles/ninjs_import.py`.
"""

import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.text import slugify

from articles.editorial.publishing import PublishingError, publish, return_to_draft, unpublish
from articles.ingest import ninjs as ninjs_import
from articles.ingest import wiretext
from articles.ingest.options import find_section, parse_publish_time, saving_note
from articles.ingest.progress import ProgressBar
from articles.models import Article, Author, Byline, Correction, Section

COMMAND = "import_ninjs"
STDIN = "-"
# A wire service's day of stories is a few megabytes; a file this big is a mistake.
MAX_FILE_BYTES = 64 * 1024 * 1024
STATUS_WORDS = {
    "usable": "",
    "withheld": "withheld by the provider",
    "canceled": "canceled by the provider",
}


@dataclass
class Outcome:
    """What importing one document did (or, in a dry run, would do)."""

    where: str  # "story.json: document 3"
    story: ninjs_import.NinjsStory
    article: Article
    action: str  # "created", "updated" or "unchanged"
    authors: list[Author]
    tags: list[str]
    notes: list[str] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Import IPTC ninjs documents (1.x, 2.x and 3.x; a file holds one document or a JSON "
        "array of them; - reads stdin). A document updates the story it came from (matched on "
        "its uri; our own export's urn:uuid uri finds our story) or creates one. “usable” "
        "stories go live at their firstcreated time (else versioncreated; an embargo holds "
        "them back), “withheld” ones are drafts, “canceled” ones are unpublished. Bad input is "
        "refused with one line naming the file and document, and nothing is written unless "
        "--skip-bad is given. Lead images are reported, not downloaded."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="ninjs JSON files (UTF-8); - reads stdin."
        )
        parser.add_argument(
            "--section",
            metavar="S",
            help="Section (slug or name) for stories whose document names no section of ours "
            "(a `subjects` entry with rel “section”). Default: an updated story keeps its "
            "section; a new one goes to the first section in the navigation order.",
        )
        parser.add_argument(
            "--publish",
            metavar="now|ISO",
            help="Publish “usable” stories now, or at an ISO 8601 time (without an offset it "
            f"is in {settings.TIME_ZONE}), instead of at their own time. Stories already live "
            "keep their time; withheld and canceled ones are not published.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do the whole import in a transaction that is rolled back: prints what would "
            "happen; writes nothing.",
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="Import the good documents and list the bad ones on stderr, instead of "
            "refusing the whole run.",
        )

    def handle(self, *args, files, section, publish, dry_run, skip_bad, verbosity, **options):
        started = time.monotonic()
        self.stdin = options.get("stdin") or getattr(sys.stdin, "buffer", sys.stdin)
        publish_at = parse_publish_time(publish, prefix=f"{COMMAND}: ")
        fallback = find_section(section, prefix=f"{COMMAND}: ") if section is not None else None

        stories, bad = self.read(files, verbosity)
        if bad and not (skip_bad and stories):
            raise CommandError(self.refusal(bad, len(stories), skip_bad))

        writer = StoryWriter(fallback_section=fallback, publish_at=publish_at)
        outcomes: list[Outcome] = []
        with transaction.atomic():
            with ProgressBar(
                len(stories),
                stream=self.stderr,
                verbosity=verbosity if len(stories) > 1 else 0,
                label="Importing",
            ) as bar:
                for where, story in stories:
                    try:
                        outcomes.append(writer.write(where, story))
                    except PublishingError as problem:  # checked before; a safety net
                        raise CommandError(
                            f"{COMMAND}: {where}: cannot publish: {problem}"
                        ) from None
                    bar.advance()
            # Built inside the transaction: a dry run's rows are gone after it.
            report = [describe(outcome, dry_run=dry_run) for outcome in outcomes]
            changed = sum(outcome.action != "unchanged" for outcome in outcomes)
            if dry_run:
                transaction.set_rollback(True)
            elif bar.enabled and changed:
                self.stderr.write(saving_note(changed), style_func=str)
        for line in bad:
            self.stderr.write(f"{COMMAND}: skipped {line}")
        if verbosity:
            for lines in report:
                self.stdout.write(lines)
            self.stdout.write(
                summary(
                    outcomes,
                    new_authors=writer.created_authors,
                    files=len(files),
                    bad=len(bad),
                    seconds=time.monotonic() - started,
                    dry_run=dry_run,
                )
            )

    def read(self, files: list[str], verbosity: int):
        """Every document of every file, mapped; and a line for each that cannot be."""
        stories: list[tuple[str, ninjs_import.NinjsStory]] = []
        bad: list[str] = []
        with ProgressBar(
            len(files),
            stream=self.stderr,
            verbosity=verbosity if len(files) > 1 else 0,
            label="Reading",
        ) as bar:
            for name in files:
                shown = "<stdin>" if name == STDIN else name
                try:
                    documents = ninjs_import.load(self.read_bytes(name))
                except ninjs_import.NinjsError as problem:
                    bad.append(f"{shown}: {problem}")
                    documents = []
                for number, document in documents:
                    where = shown if number is None else f"{shown}: document {number}"
                    try:
                        stories.append((where, ninjs_import.parse_document(document)))
                    except ninjs_import.NinjsError as problem:
                        bad.append(f"{where}: {problem}")
                bar.advance()
        return stories, bad

    def read_bytes(self, name: str) -> bytes:
        if name == STDIN:
            data = self.stdin.read(MAX_FILE_BYTES + 1)
            if isinstance(data, str):
                data = data.encode("utf-8", "surrogatepass")
        else:
            try:
                with Path(name).open("rb") as file:
                    data = file.read(MAX_FILE_BYTES + 1)
            except FileNotFoundError:
                raise ninjs_import.NinjsError("no such file") from None
            except IsADirectoryError:
                raise ninjs_import.NinjsError("is a directory, not a file") from None
            except OSError as error:
                raise ninjs_import.NinjsError(
                    f"cannot read it: {error.strerror or error}"
                ) from None
        if len(data) > MAX_FILE_BYTES:
            raise ninjs_import.NinjsError(
                f"more than {MAX_FILE_BYTES // 1024 // 1024} MB: split it into smaller files"
            )
        return data

    def refusal(self, bad: list[str], good: int, skip_bad: bool) -> str:
        """One line for one problem; with several, one line each and a last line saying so."""
        if good and not skip_bad:
            plural = "s" if good != 1 else ""
            advice = f"; nothing was imported (--skip-bad imports the {good} good document{plural})"
        elif len(bad) > 1 or skip_bad:
            advice = "; nothing could be imported"
        else:
            advice = ""
        if len(bad) == 1:
            return f"{COMMAND}: {bad[0]}{advice}"
        for line in bad:
            self.stderr.write(f"{COMMAND}: {line}")
        files = {line.split(": ", 1)[0] for line in bad}
        where = f"{files.pop()}: " if len(files) == 1 else ""
        return f"{COMMAND}: {where}{len(bad)} problems (listed above){advice}"


class StoryWriter:
    """Creates or updates each document's story, finding or creating its authors."""

    def __init__(self, *, fallback_section: Section | None, publish_at: datetime | None):
        self.fallback_section = fallback_section
        self.publish_at = publish_at
        self.authors: dict[str, Author] = {}
        self.created_authors = 0
        self.matched_section_id: int | None = None

    def write(self, where: str, story: ninjs_import.NinjsStory) -> Outcome:
        article = find_story(story)
        is_new = article is None
        notes = list(story.notes)
        if is_new:
            article = Article(
                uuid=story.uuid or uuid.uuid4(),
                source_uri=story.uri,
                slug=new_slug(story),
                section=self.default_section(),
            )
        values = self.values(story, article, is_new, notes)
        changed = is_new or any(getattr(article, key) != value for key, value in values.items())
        text_changed = not is_new and any(
            getattr(article, key) != values.get(key, getattr(article, key))
            for key in ("headline", "dek", "body")
        )
        for key, value in values.items():
            setattr(article, key, value)
        if story.sections and values.get("section_id") != self.matched_section_id:
            names = ", ".join(f"“{hint.name}”" for hint in story.sections)
            notes.append(f"section {names} is not one of ours: filed in “{article.section.name}”")

        authors = [self.author_for(hint) for hint in story.authors]
        current_authors = [] if is_new else [b.author_id for b in article.bylines.all()]
        if not authors:
            # No byline in the document: an updated story keeps its own.
            authors = [] if is_new else [byline.author for byline in article.bylines.all()]
        byline_changed = [author.pk for author in authors] != current_authors
        current_tags = [] if is_new else sorted(article.tags.names(), key=str.casefold)
        tags = current_tags
        if story.tags or (story.is_complete and not is_new):
            tags = story.tags
        tags_changed = {name.casefold() for name in tags} != {
            name.casefold() for name in current_tags
        }
        known = set() if is_new else set(article.corrections.values_list("kind", "text"))
        corrections = [c for c in story.corrections if (c.kind, c.text) not in known]
        status_change = self.status_change(story, article, is_new, bool(authors), notes)

        action = "created" if is_new else "updated"
        if not (changed or byline_changed or tags_changed or corrections or status_change):
            return Outcome(where, story, article, "unchanged", authors, tags, notes)

        article._revision_note = f"Imported from ninjs ({where})"
        if text_changed and article.was_public:
            # New copy of a story readers have seen is a substantive update: it moves the
            # public "Updated" time and shows in the story's history.
            article.modified_at = timezone.now()
            article._revision_substantive = True
        if changed:
            # Saved before any change of status, so the revision is noted as this import.
            article.save()
        if byline_changed:
            article.bylines.all().delete()
            Byline.objects.bulk_create(
                Byline(article=article, author=author, position=position)
                for position, author in enumerate(authors)
            )
        if tags_changed:
            article.tags.set(tags)
        # The provider's time of the version that carries them, which is when they were made.
        made_at = min(story.version_created or timezone.now(), timezone.now())
        Correction.objects.bulk_create(
            Correction(article=article, kind=c.kind, text=c.text, created_at=made_at)
            for c in corrections
        )
        if status_change is not None:
            status_change(article)
        return Outcome(where, story, article, action, authors, tags, notes)

    def values(self, story, article: Article, is_new: bool, notes: list[str]) -> dict:
        """The story's fields the document sets (what it is silent about is left alone)."""
        values = {"headline": story.headline, "body": story.body}
        empty_if_absent = is_new or story.is_complete
        for name in ("dek", "dateline"):
            value = getattr(story, name)
            if value is not None or empty_if_absent:
                values[name] = value or ""
        for name in ("kicker", "seo_title", "meta_description"):
            if getattr(story, name) is not None:
                values[name] = getattr(story, name)
        if story.kind is not None:
            values["kind"] = story.kind
        section = self.section_for(story)
        if section is not None:
            values["section_id"] = section.pk
        return values

    def section_for(self, story) -> Section | None:
        """The document's section when it is one of ours, else --section (None: neither)."""
        self.matched_section_id = None
        for hint in story.sections:
            section = (
                (Section.objects.filter(slug=hint.slug).first() if hint.slug else None)
                or Section.objects.filter(name__iexact=hint.name).first()
                or Section.objects.filter(slug=slugify(hint.name)).first()
            )
            if section is not None:
                self.matched_section_id = section.pk
                return section
        return self.fallback_section

    def default_section(self) -> Section:
        section = self.fallback_section or Section.objects.order_by("position", "name").first()
        if section is None:
            raise CommandError(
                f"{COMMAND}: there are no sections yet: create one in the admin (or load the "
                "seed with `manage.py loaddata seed`); nothing was imported"
            )
        return section

    def author_for(self, hint: ninjs_import.AuthorHint) -> Author:
        key = hint.name.casefold()
        if key not in self.authors:
            same_name = list(Author.objects.filter(name__iexact=hint.name).order_by("pk"))
            author = next((a for a in same_name if a.slug == hint.slug), None) or next(
                iter(same_name), None
            )
            if author is None:
                base = hint.slug or slugify(hint.name) or "author"
                taken = set(
                    Author.objects.filter(slug__startswith=base[:140]).values_list(
                        "slug", flat=True
                    )
                )
                slug = wiretext.unique_slug(base[:140], taken, max_length=150)
                author = Author.objects.create(name=hint.name, slug=slug)
                self.created_authors += 1
            self.authors[key] = author
        return self.authors[key]

    def status_change(self, story, article: Article, is_new: bool, has_byline: bool, notes):
        """What the provider's `pubstatus` asks of the story: a function, or None for nothing."""
        if story.pubstatus == "canceled":
            if article.status != Article.Status.UNPUBLISHED:
                return lambda article: unpublish(article)
            return None
        if story.pubstatus == "withheld":
            if self.publish_at is not None:
                notes.append("--publish does not apply: the provider withheld the story")
            if article.status != Article.Status.PUBLISHED:
                return None
            if article.was_public:
                # Readers have seen it: it is withdrawn (410 Gone), not silently a draft.
                return lambda article: unpublish(article)
            return return_to_draft
        at = self.publish_time(story, article)
        if story.embargoed and story.embargoed > at:
            notes.append(f"embargoed until {local(story.embargoed)}: scheduled for then")
            at = story.embargoed
        if not has_byline:
            notes.append(
                "not published: the document names no author (add a byline in the admin, "
                "then publish)"
            )
            return None
        current = article.publish_at
        if (
            not is_new
            and article.status == Article.Status.PUBLISHED
            and current is not None
            and current.replace(microsecond=0) == at.replace(microsecond=0)
        ):
            return None
        return lambda article: publish(article, at=at)

    def publish_time(self, story, article: Article) -> datetime:
        if self.publish_at is not None:
            # --publish times going live; a story already live keeps its time (and address).
            return article.publish_at if article.is_live else self.publish_at
        if story.publish_time is not None:
            return story.publish_time
        if article.status == Article.Status.PUBLISHED and article.publish_at is not None:
            return article.publish_at
        return timezone.now()


def find_story(story: ninjs_import.NinjsStory) -> Article | None:
    """Our story with the document's `urn:uuid:` id, else the one imported from its uri."""
    article = None
    if story.uuid is not None:
        article = Article.objects.select_related("section").filter(uuid=story.uuid).first()
    return article or Article.objects.select_related("section").filter(source_uri=story.uri).first()


def new_slug(story: ninjs_import.NinjsStory) -> str:
    """The slug of the story's address on this site when the document gives one (our export
    does, as its web rendition), else one from the headline; unique either way."""
    base = None
    for url in story.web_urls:
        if not url.startswith(settings.SITE_URL + "/"):
            continue
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        if match.view_name == "articles:detail":
            base = match.kwargs["slug"]
            break
    base = base or wiretext.slug_base(story.headline)
    prefix = base[: wiretext.SLUG_MAX_LENGTH - 10]
    taken = set(Article.objects.filter(slug__startswith=prefix).values_list("slug", flat=True))
    return wiretext.unique_slug(base, taken)


def local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}"


def status_label(outcome: Outcome) -> str:
    article, story = outcome.article, outcome.story
    if article.is_scheduled:
        label = f"scheduled for {local(article.publish_at)}"
    elif article.is_live:
        label = f"live (published {local(article.publish_at)})"
    else:
        label = article.get_status_display().lower()
    why = STATUS_WORDS[story.pubstatus]
    return f"{label} ({why})" if why else label


def describe(outcome: Outcome, *, dry_run: bool) -> str:
    """The story's block of output: headline, what happened, status, where to find it."""
    article, story = outcome.article, outcome.story
    verb = outcome.action.capitalize()
    if dry_run and outcome.action != "unchanged":
        verb = {"created": "Would create", "updated": "Would update"}[outcome.action]
    byline = ", ".join(author.name for author in outcome.authors) or "(none)"
    lines = [
        f"{verb}: {article.headline}",
        f"  status:  {status_label(outcome)}",
        f"  section: {article.section.name} · kind: {article.kind} · byline: {byline}",
        f"  tags:    {', '.join(outcome.tags) or '(none)'}",
        f"  source:  {story.uri} ({story.standard}, {outcome.where})",
    ]
    if dry_run and outcome.action == "created":
        lines.append("  admin:   (given on import)")
    else:
        admin = reverse("admin:articles_article_change", args=[article.pk])
        lines.append(f"  admin:   {settings.SITE_URL}{admin}")
    note = "" if article.is_live else " (answers once the story is live)"
    lines.append(f"  public:  {settings.SITE_URL}{article.get_absolute_url()}{note}")
    if story.image_href:
        lines.append(
            f"  image:   {story.image_href} (lead image not downloaded: add it in the admin)"
        )
    lines += [f"  note:    {note}" for note in outcome.notes]
    return "\n".join(lines)


def summary(
    outcomes: list[Outcome],
    *,
    new_authors: int,
    files: int,
    bad: int,
    seconds: float,
    dry_run: bool,
) -> str:
    actions = Counter(outcome.action for outcome in outcomes)
    documents = f"{len(outcomes)} document{'s' if len(outcomes) != 1 else ''}"
    source = f"{files} file{'s' if files != 1 else ''}"
    if dry_run:
        counts = (
            f"{actions['created']} would be created, {actions['updated']} would be updated, "
            f"{actions['unchanged']} unchanged"
        )
        head = f"Dry run, nothing was written: {documents} from {source}"
    else:
        counts = (
            f"{actions['created']} created, {actions['updated']} updated, "
            f"{actions['unchanged']} unchanged"
        )
        head = f"Imported {documents} from {source}"
    if new_authors:
        counts += f"; {new_authors} new author{'s' if new_authors != 1 else ''}"
    lines = [f"{head} in {seconds:.1f} s: {counts}"]
    if bad:
        lines[0] += f"; skipped {bad} bad (listed on stderr)"
    images = sum(1 for outcome in outcomes if outcome.story.image_href)
    if images:
        names = "story names one" if images == 1 else "stories name one"
        lines.append(f"Lead images are not downloaded: {images} {names} (see “image:” above).")
    return "\n".join(lines)
