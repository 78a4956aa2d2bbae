"""`manage.py import_story`: wire copy in the seed's plain-text format becomes stories."""

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.editorial.copydesk import blocking_problems
from articles.editorial.publishing import PublishingError, publish
from articles.ingest import wiretext
from articles.ingest.options import find_section, first_section, parse_publish_time
from articles.ingest.progress import ProgressBar
from articles.models import Article, Author, Byline
from articles.sanitize import sanitize_body

STDIN = "-"
DEFAULT_AUTHOR_SLUG = "newsroom-staff"
# A wire story is a few kilobytes; a file this big is a mistake, not a story.
MAX_FILE_BYTES = 2 * 1024 * 1024
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length


class Refused(Exception):
    """One input that cannot be imported; the message names the problem."""


@dataclass
class Plan:
    """What importing one input will do, worked out before anything is written."""

    source: str
    article: Article
    action: str  # "create", "update" or "unchanged"
    byline: list[Author] | None  # None leaves an updated story's byline alone
    tags: list[str]
    publish: bool = False
    tags_suggested: bool = False
    text_changed: bool = False
    same_headline: Article | None = None


class Command(BaseCommand):
    help = (
        "Import plain-text wire stories: the first line is the headline; each later line is a "
        "subheading (at most 12 words, not ending like a sentence) or a paragraph. Stories are "
        "drafts unless --publish is given. Bad input (missing, empty, binary or non-UTF-8 "
        "file, only a headline, duplicate story) is refused with one line naming the file, and "
        "nothing is written unless --skip-bad is given."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="Wire-text files (UTF-8); - reads stdin."
        )
        parser.add_argument(
            "--section",
            metavar="S",
            help="Section slug or name. Default: the first section in the navigation order.",
        )
        parser.add_argument(
            "--tag",
            action="append",
            dest="tags",
            metavar="T",
            help="Tag name, created if new; repeat for more. Without --tag, existing tags "
            "whose names occur in the text are added (at most 15).",
        )
        parser.add_argument(
            "--author",
            action="append",
            dest="authors",
            metavar="A",
            help="Author slug or name; repeat for more, in byline order. Default: "
            "“Newsroom Staff” if that author exists, otherwise no byline.",
        )
        parser.add_argument(
            "--publish",
            metavar="now|ISO",
            help="Publish now, or at an ISO 8601 time (without an offset it is in "
            f"{settings.TIME_ZONE}); a future time schedules the story.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be imported; write nothing."
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="When a story with the same headline exists, replace its text (body and dek) "
            "instead of refusing or creating another; --section, --author, --tag and "
            "--publish then change it too (a live story keeps its publication time).",
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="Import the good files and list the bad ones on stderr; the exit status is 0 "
            "when at least one story was imported.",
        )

    def handle(self, *args, **options):
        self.stdin = options.get("stdin") or getattr(sys.stdin, "buffer", sys.stdin)
        self.verbosity = options["verbosity"]
        files = options["files"]
        publish_at = parse_publish_time(options["publish"])
        section = (
            find_section(options["section"]) if options["section"] is not None else first_section()
        )
        byline = find_authors(options["authors"])
        tags = clean_tag_names(options["tags"])
        matcher = None if tags else wiretext.TagMatcher(Tag.objects.values_list("name", flat=True))
        self.options = options
        self.taken_slugs: set[str] = set()
        self.seen: dict[tuple[str, str], str] = {}

        plans: list[Plan] = []
        refused: list[str] = []
        with transaction.atomic():
            bar_verbosity = self.verbosity if len(files) > 1 else 0
            with ProgressBar(
                len(files), stream=self.stderr, verbosity=bar_verbosity, label="Reading"
            ) as bar:
                for name in files:
                    shown = "<stdin>" if name == STDIN else name
                    try:
                        plan = self.plan(name, shown, section, byline, tags, matcher)
                        if plan.publish:
                            check_publishable(plan)
                        plans.append(plan)
                    except Refused as problem:
                        refused.append(f"{shown}: {problem}")
                    bar.advance()
            if refused and not options["skip_bad"]:
                raise CommandError(self.refusal(refused, len(files)))
            if not plans:
                for line in refused[:-1]:
                    self.stderr.write(line)
                raise CommandError(f"{refused[-1]} (no file could be imported)")
            if not options["dry_run"]:
                for plan in plans:
                    self.apply(plan, publish_at)
        for line in refused:
            self.stderr.write(line)
        if self.verbosity:
            for plan in plans:
                self.stdout.write(self.describe(plan, publish_at))
            self.stdout.write(self.summary(plans, refused))

    def plan(self, name, shown, section, byline, tags, matcher) -> Plan:
        try:
            story = wiretext.parse(wiretext.decode(self.read(name)))
        except wiretext.WireTextError as problem:
            raise Refused(str(problem)) from None
        body = sanitize_body(story.body_html)
        text = Article(body=body).body_text
        key = (story.headline, text)
        if key in self.seen:
            raise Refused(f"same headline and text as {self.seen[key]}, earlier in this run")
        self.seen[key] = shown
        same_headline = list(
            Article.objects.filter(headline=story.headline)
            .select_related("section")
            .order_by("-created_at", "-pk")
        )
        duplicate = next((a for a in same_headline if a.body_text == text), None)
        explicit_section = self.options["section"] is not None

        if self.options["update"] and same_headline:
            if len(same_headline) > 1:
                urls = ", ".join(story_url(article) for article in same_headline)
                raise Refused(
                    f"--update: {len(same_headline)} stories have this headline ({urls}); "
                    "update the right one in the admin"
                )
            article = same_headline[0]
            action = "unchanged" if duplicate else "update"
            if duplicate is None:
                article.body, article.dek = body, story.dek
            if explicit_section and article.section_id != section.pk:
                article.section, action = section, "update"
            explicit_byline = byline if self.options["authors"] else None
            # A story already live keeps its publication time (and so its address).
            publish = self.options["publish"] is not None and not article.is_live
            if explicit_byline is not None or tags or publish:
                action = "update"
            return Plan(
                shown,
                article,
                action,
                explicit_byline,
                tags,
                publish=publish,
                text_changed=duplicate is None,
            )

        if duplicate is not None:
            raise Refused(
                f"duplicate of the existing story “{duplicate.headline}” at "
                f"{story_url(duplicate)} (same headline and text); use --update to replace "
                "its text"
            )
        base = wiretext.slug_base(story.headline)
        prefix = base[: wiretext.SLUG_MAX_LENGTH - 10]
        taken = self.taken_slugs | set(
            Article.objects.filter(slug__startswith=prefix).values_list("slug", flat=True)
        )
        slug = wiretext.unique_slug(base, taken)
        self.taken_slugs.add(slug)
        article = Article(
            headline=story.headline, slug=slug, dek=story.dek, body=body, section=section
        )
        suggested = not tags
        if suggested:
            tags = matcher.suggest(story.text)
        return Plan(
            shown,
            article,
            "create",
            byline,
            tags,
            publish=self.options["publish"] is not None,
            tags_suggested=suggested,
            same_headline=same_headline[0] if same_headline else None,
        )

    def read(self, name: str) -> bytes:
        if name == STDIN:
            data = self.stdin.read(MAX_FILE_BYTES + 1)
            if isinstance(data, str):
                data = data.encode("utf-8", "surrogatepass")
        else:
            try:
                with Path(name).open("rb") as file:
                    data = file.read(MAX_FILE_BYTES + 1)
            except FileNotFoundError:
                raise Refused("no such file") from None
            except IsADirectoryError:
                raise Refused("is a directory, not a file") from None
            except OSError as error:
                raise Refused(f"cannot read it: {error.strerror or error}") from None
        if len(data) > MAX_FILE_BYTES:
            raise Refused(f"more than {MAX_FILE_BYTES // 1024 // 1024} MB: too big to be one story")
        return data

    def apply(self, plan: Plan, publish_at: datetime | None) -> None:
        article = plan.article
        if plan.action == "unchanged":
            return
        verb = "Imported" if plan.action == "create" else "Updated"
        article._revision_note = f"{verb} from wire text ({plan.source})"
        if plan.text_changed and article.was_public:
            # New agency copy of a story readers have seen is a substantive update: it moves
            # the public "Updated" time and shows in the story's history.
            article.modified_at = timezone.now()
            article._revision_substantive = True
        article.save()
        if plan.byline is not None:
            if plan.action == "update":
                article.bylines.all().delete()
            Byline.objects.bulk_create(
                Byline(article=article, author=author, position=position)
                for position, author in enumerate(plan.byline)
            )
        if plan.tags:
            article.tags.add(*plan.tags)
        if plan.publish:
            try:
                publish(article, at=publish_at)
            except PublishingError as problem:
                raise CommandError(f"{plan.source}: cannot publish: {problem}") from None

    def refusal(self, refused: list[str], total: int) -> str:
        if total == 1:
            return refused[0]
        if len(refused) == 1:
            return f"{refused[0]}; nothing was imported (--skip-bad imports the other {total - 1})"
        for line in refused:
            self.stderr.write(line)
        good = total - len(refused)
        advice = f" (--skip-bad imports the other {good})" if good else ""
        return f"{len(refused)} of {total} files refused; nothing was imported{advice}"

    def describe(self, plan: Plan, publish_at: datetime | None) -> str:
        article = plan.article
        dry_run = self.options["dry_run"]
        if plan.publish and dry_run:
            # publish() sets these on import; a dry run shows the same result.
            article.status, article.publish_at = Article.Status.PUBLISHED, publish_at
        verb = {"create": "Created", "update": "Updated", "unchanged": "Unchanged"}[plan.action]
        if dry_run and plan.action != "unchanged":
            verb = {"create": "Would create", "update": "Would update"}[plan.action]
        names = [author.name for author in plan.byline] if plan.byline is not None else None
        if names is None:
            names = [author.name for author in article.byline_authors]
        lines = [
            f"{verb}: {article.headline}",
            f"  status:  {status_label(article)}",
            f"  section: {article.section.name} · byline: {', '.join(names) or '(none)'}",
        ]
        if plan.tags or plan.action == "create":
            how = " (suggested from the text)" if plan.tags_suggested else ""
            lines.append(f"  tags:    {', '.join(plan.tags) or '(none)'}{how}")
        if dry_run or self.verbosity > 1:
            lines.append(f"  dek:     {article.dek}")
        if article.pk:
            admin = reverse("admin:articles_article_change", args=[article.pk])
            lines.append(f"  admin:   {settings.SITE_URL}{admin}")
        else:
            lines.append("  admin:   (given on import)")
        note = "" if article.is_live else " (answers once the story is live)"
        lines.append(f"  public:  {settings.SITE_URL}{article.get_absolute_url()}{note}")
        if plan.same_headline is not None:
            lines.append(
                f"  note:    another story has this headline: {story_url(plan.same_headline)} "
                "(--update replaces its text instead)"
            )
        return "\n".join(lines)

    def summary(self, plans: list[Plan], refused: list[str]) -> str:
        changed = [plan for plan in plans if plan.action != "unchanged"]
        stories = f"{len(changed)} {'story' if len(changed) == 1 else 'stories'}"
        skipped = f"; skipped {len(refused)} bad file{'s' if len(refused) != 1 else ''}"
        skipped = skipped if refused else ""
        if self.options["dry_run"]:
            return f"Dry run: {stories} would be imported{skipped}; nothing was written."
        return f"Imported {stories}{skipped}."


def check_publishable(plan: Plan) -> None:
    """Refuse, before anything is written, a story that `publish()` would refuse."""
    article = plan.article
    if plan.byline is not None:
        author_count = len(plan.byline)
    else:
        author_count = article.bylines.count()
    problems = blocking_problems(
        body=article.body, section_id=article.section_id, author_count=author_count
    )
    if problems:
        advice = " Give --author." if not author_count else ""
        raise Refused(f"cannot publish: {' '.join(problems)}{advice}")


def find_authors(values: list[str] | None) -> list[Author]:
    if not values:
        return list(Author.objects.filter(slug=DEFAULT_AUTHOR_SLUG))
    authors: list[Author] = []
    for value in values:
        matches = list(Author.objects.filter(slug=value)) or list(
            Author.objects.filter(name__iexact=value.strip())
        )
        if not matches:
            raise CommandError(
                f"--author {value!r}: no author has that slug or name; nothing was imported"
            )
        if len(matches) > 1:
            slugs = ", ".join(author.slug for author in matches)
            raise CommandError(
                f"--author {value!r}: {len(matches)} authors have that name ({slugs}); "
                "give the slug; nothing was imported"
            )
        if matches[0] not in authors:
            authors.append(matches[0])
    return authors


def clean_tag_names(values: list[str] | None) -> list[str]:
    names: list[str] = []
    for value in values or []:
        name = " ".join(value.split())
        if not name or len(name) > TAG_MAX_LENGTH:
            raise CommandError(
                f"--tag {value!r}: a tag name is 1 to {TAG_MAX_LENGTH} characters; "
                "nothing was imported"
            )
        if name.casefold() not in {known.casefold() for known in names}:
            names.append(name)
    return names


def story_url(article: Article) -> str:
    """The address to show for an existing story: public when live, the admin's otherwise."""
    if article.is_live:
        return f"{settings.SITE_URL}{article.get_absolute_url()}"
    return f"{settings.SITE_URL}{reverse('admin:articles_article_change', args=[article.pk])}"


def status_label(article: Article) -> str:
    if article.is_scheduled:
        moment = timezone.localtime(article.publish_at)
        return f"scheduled for {moment:%Y-%m-%d %H:%M %Z}"
    if article.is_live:
        return "live"
    return article.get_status_display().lower()
