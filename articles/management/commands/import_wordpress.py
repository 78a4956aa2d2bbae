"""`manage.py import_wordpress`: a WordPress export (WXR) becomes stories; old links keep working.

A post's story is found again on a later run through its source id, `wordpress:<site>/?p=<post
id>` (Article.source_uri, unique), so re-running an import updates stories instead of
duplicating them, and two WordPress sites can be imported side by side.
"""

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from taggit.models import Tag

from articles.ingest import wordpress
from articles.ingest.options import find_section, saving_note
from articles.ingest.progress import ProgressBar
from articles.models import Article, ArticleRedirect, Author, Byline, Section

COMMAND = "import_wordpress"
DEFAULT_SECTION_SLUG, DEFAULT_SECTION_NAME = "news", "News"
NOTES_SHOWN = 10
ACTIONS = ("created", "updated", "unchanged")

STRIPPED_LABELS = {
    "gallery": "galleries (removed)",
    "embed": "embeds and players (replaced by a link)",
    "script": "scripts (removed)",
    "table": "tables (kept as text)",
    "page break": "page breaks (pages joined into one)",
}
SHORTCODE_NOTES = {"caption": " (kept as a figure caption)", "gallery": " (removed)"}
NOT_CARRIED_LABELS = {
    "comment": "comments",
    "featured image": "featured images (add a lead image in the admin)",
}


@dataclass
class Outcome:
    post: wordpress.WxrPost
    article: Article
    action: str  # "created", "updated" or "unchanged"


class Command(BaseCommand):
    help = (
        "Import posts from WordPress export files (WXR: Tools → Export → All content). Posts "
        "become stories (categories → sections, tags, authors, dates, status; sticky posts are "
        "featured); pages, attachments and menu items are skipped and counted; shortcodes, "
        "galleries, embeds and scripts are stripped and reported. Each post's old permalink and "
        "/?p=<id> answer a 301 to its story. Running it again updates the stories (the export's "
        "version wins; unchanged stories are left alone). A bad file "
        "is refused with one line naming it, and nothing is written unless --skip-bad is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", metavar="export.xml", help="WordPress export (WXR) files."
        )
        parser.add_argument(
            "--section-default",
            metavar="S",
            help="Section (slug or name) for posts with no category, or only WordPress's "
            f"“Uncategorized”. Default: “{DEFAULT_SECTION_NAME}”, created when first needed.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do the whole import inside a transaction that is rolled back: prints what "
            "would happen; writes nothing.",
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="Import the good files (and posts) and list the bad ones, instead of refusing "
            "the whole run.",
        )

    def handle(self, *args, files, section_default, dry_run, skip_bad, verbosity, **options):
        started = time.monotonic()
        default_section = (
            find_section(section_default, option="--section-default", prefix=f"{COMMAND}: ")
            if section_default
            else None
        )
        zone = ZoneInfo(settings.TIME_ZONE)
        exports, bad = [], []
        for name in files:
            try:
                data = read_file(name)
                exports.append(wordpress.read_export(data, source=name, tz=zone))
            except wordpress.WxrError as problem:
                bad.append(f"{name}: {problem}")
        bad += [f"{export.source}: {problem}" for export in exports for problem in export.problems]
        posts = [post for export in exports for post in export.posts]
        if bad and not (skip_bad and posts):
            raise CommandError(self.refusal(bad, len(posts), skip_bad))

        writer = StoryWriter(default_section=default_section)
        outcomes: list[Outcome] = []
        tags_before = Tag.objects.count()
        with transaction.atomic():
            with ProgressBar(
                len(posts),
                stream=self.stderr,
                # At -v 2 the per-story lines are the progress.
                verbosity=1 if verbosity == 1 else 0,
                label="Importing",
            ) as bar:
                for post in posts:
                    outcome = writer.write(post)
                    outcomes.append(outcome)
                    if verbosity >= 2:
                        self.stdout.write(describe(outcome, dry_run=dry_run))
                    bar.advance()
            writer.created["tag"] = Tag.objects.count() - tags_before
            changed = sum(outcome.action != "unchanged" for outcome in outcomes)
            if dry_run:
                transaction.set_rollback(True)
            elif bar.enabled and changed:
                self.stderr.write(saving_note(changed), style_func=str)
        for line in bad:
            self.stderr.write(f"{COMMAND}: skipped {line}")
        if verbosity:
            self.stdout.write(
                summary(
                    exports,
                    outcomes,
                    writer.created,
                    bad,
                    seconds=time.monotonic() - started,
                    dry_run=dry_run,
                    verbosity=verbosity,
                )
            )

    def refusal(self, bad: list[str], good_posts: int, skip_bad: bool) -> str:
        """One line for one problem; with several, one line each and a last line saying so."""
        if good_posts and not skip_bad:
            plural = "s" if good_posts != 1 else ""
            advice = (
                f"; nothing was imported (--skip-bad imports the {good_posts} good post{plural})"
            )
        elif len(bad) > 1 or skip_bad:
            advice = "; nothing could be imported"
        else:
            advice = ""
        if len(bad) == 1:
            return f"{COMMAND}: {bad[0]}{advice}"
        for line in bad:
            self.stderr.write(f"{COMMAND}: {line}")
        return f"{COMMAND}: {len(bad)} problems (listed above){advice}"


class StoryWriter:
    """Creates or updates each post's story, finding or creating its section and author."""

    def __init__(self, *, default_section: Section | None):
        self.default_section = default_section
        self.sections: dict[str, Section] = {}
        self.authors: dict[str, Author] = {}
        self.created: Counter = Counter()

    def write(self, post: wordpress.WxrPost) -> Outcome:
        found = Article.objects.filter(source_uri=post.source_uri).first()
        section = self.section_for(post.category)
        values = {
            "headline": post.headline,
            "dek": post.dek,
            "body": post.body,
            "section_id": section.pk,
            "status": post.status,
            "publish_at": post.publish_at,
            "featured": post.featured,
        }
        if found is None:
            article = Article(slug=unique_slug(Article, post.slug_base), source_uri=post.source_uri)
            action = "created"
        else:
            article = found
            changed = any(getattr(article, key) != value for key, value in values.items())
            action = "updated" if changed else "unchanged"
        for key, value in values.items():
            setattr(article, key, value)
        article._revision_note = f"Imported from WordPress ({post.source}, post {post.post_id})"
        if action != "unchanged":
            article.save()
        byline_changed = self.set_byline(article, post, is_new=found is None)
        tags_changed = self.set_tags(article, post, is_new=found is None)
        if action == "unchanged" and (byline_changed or tags_changed):
            action = "updated"
        self.keep_old_paths(article, post)
        return Outcome(post, article, action)

    def section_for(self, category: wordpress.Category | None) -> Section:
        if category is None:
            return self.fallback_section()
        if category.nicename not in self.sections:
            name = category.name[:100]
            slug = slugify(unquote(category.nicename)) or slugify(name)
            section = (
                Section.objects.filter(name__iexact=name).first()
                or Section.objects.filter(slug=slug).first()
            )
            if section is None:
                section = self.create_section(name, slug or "section", category.description)
            self.sections[category.nicename] = section
        return self.sections[category.nicename]

    def fallback_section(self) -> Section:
        if self.default_section is None:
            self.default_section = (
                Section.objects.filter(slug=DEFAULT_SECTION_SLUG).first()
                or Section.objects.filter(name__iexact=DEFAULT_SECTION_NAME).first()
                or self.create_section(DEFAULT_SECTION_NAME, DEFAULT_SECTION_SLUG, "")
            )
        return self.default_section

    def create_section(self, name: str, slug: str, description: str) -> Section:
        position = (Section.objects.aggregate(last=Max("position"))["last"] or 0) + 1
        self.created["section"] += 1
        return Section.objects.create(
            name=name,
            slug=unique_slug(Section, slug, max_length=100),
            description=description,
            position=position,
        )

    def author_for(self, name: str) -> Author:
        name = name[:150]
        key = name.casefold()
        if key not in self.authors:
            author = Author.objects.filter(name__iexact=name).order_by("pk").first()
            if author is None:
                self.created["author"] += 1
                author = Author.objects.create(
                    name=name,
                    slug=unique_slug(Author, slugify(name) or "author", max_length=150),
                )
            self.authors[key] = author
        return self.authors[key]

    def set_byline(self, article: Article, post: wordpress.WxrPost, *, is_new: bool) -> bool:
        wanted = [self.author_for(post.author_name)] if post.author_name else []
        current = [] if is_new else list(article.bylines.values_list("author_id", flat=True))
        if current == [author.pk for author in wanted]:
            return False
        article.bylines.all().delete()
        for position, author in enumerate(wanted):
            Byline.objects.create(article=article, author=author, position=position)
        return True

    def set_tags(self, article: Article, post: wordpress.WxrPost, *, is_new: bool) -> bool:
        current = set() if is_new else {name.casefold() for name in article.tags.names()}
        if current == {name.casefold() for name in post.tags}:
            return False
        article.tags.set(post.tags)
        return True

    def keep_old_paths(self, article: Article, post: wordpress.WxrPost) -> None:
        """Point the post's old addresses at its story (the story's own address needs none)."""
        url = article.get_absolute_url()
        for path in post.old_paths:
            if path == url:
                continue
            redirect, created = ArticleRedirect.objects.get_or_create(
                old_path=path, defaults={"article": article}
            )
            if created:
                self.created["old address"] += 1
            elif redirect.article_id != article.pk:
                redirect.article = article
                redirect.save(update_fields=["article"])


def read_file(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except FileNotFoundError:
        raise wordpress.WxrError("no such file") from None
    except IsADirectoryError:
        raise wordpress.WxrError("is a directory, not an export file") from None
    except OSError as error:
        raise wordpress.WxrError(f"cannot read it: {error.strerror or error}") from None


def unique_slug(model, base: str, *, max_length: int = wordpress.SLUG_MAX_LENGTH) -> str:
    """`base`, or `base-2`, `base-3`… whichever no `model` row has yet."""
    base = base[: max_length - 10].strip("-") or "item"
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def status_label(outcome: Outcome) -> str:
    article, post = outcome.article, outcome.post
    if article.is_scheduled:
        return "scheduled"
    if article.is_live:
        return "live"
    if article.status == Article.Status.UNPUBLISHED:
        return "unpublished (password)" if post.is_protected else f"unpublished ({post.wp_status})"
    return article.get_status_display().lower()


def describe(outcome: Outcome, *, dry_run: bool) -> str:
    """One line per story (verbosity 2), then its notes indented."""
    post, article = outcome.post, outcome.article
    verb = {"created": "would create", "updated": "would update"} if dry_run else {}
    status = status_label(outcome) + (", featured" if article.featured else "")
    lines = [
        f"{verb.get(outcome.action, outcome.action):<12} post {post.post_id:<6} {status:<24} "
        f"{article.get_absolute_url()}  {article.headline}"
    ]
    if post.stripped or post.shortcodes:
        parts = [f"{kind} ×{count}" for kind, count in post.stripped.items()]
        parts += [f"[{name}] ×{count}" for name, count in post.shortcodes.items()]
        lines.append(f"{'':13}stripped: {', '.join(parts)}")
    lines += [f"{'':13}note: {note}" for note in post.notes]
    return "\n".join(lines)


def summary(exports, outcomes, created, bad, *, seconds, dry_run, verbosity) -> str:
    """The end-of-run table: what was created, skipped, stripped and not carried."""
    posts = [outcome.post for outcome in outcomes]
    tables: list[Table] = []
    actions = Counter(outcome.action for outcome in outcomes)
    labels = {"created": "would be created", "updated": "would be updated"} if dry_run else {}
    tables.append(
        Table(
            "Stories",
            {labels.get(key, key): actions[key] for key in ACTIONS},
            total=len(outcomes),
        )
    )
    statuses = Counter(status_label(outcome) for outcome in outcomes)
    statuses["featured (sticky)"] = sum(outcome.article.featured for outcome in outcomes)
    tables.append(Table("Stories by status", dict(statuses.most_common())))
    skipped = sum((export.skipped for export in exports), Counter())
    tables.append(
        Table("Skipped items, by type", dict(skipped.most_common()), total=skipped.total())
    )
    for title, attribute, label in (
        ("Stripped content", "stripped", STRIPPED_LABELS.get),
        ("Shortcodes removed, by name", "shortcodes", shortcode_label),
        ("Not carried", "not_carried", NOT_CARRIED_LABELS.get),
    ):
        occurrences, stories = Counter(), Counter()
        for post in posts:
            occurrences.update(getattr(post, attribute))
            stories.update(getattr(post, attribute).keys())
        rows = {label(key) or key: count for key, count in occurrences.most_common()}
        tables.append(
            Table(
                title,
                rows,
                total=occurrences.total(),
                stories={label(key) or key: count for key, count in stories.items()},
            )
        )
    tables.append(
        Table(
            "Created along the way",
            {
                "sections": created["section"],
                "authors": created["author"],
                "tags": created["tag"],
                "old addresses (301 redirects)": created["old address"],
            },
        )
    )
    tables.append(
        Table("Errors (skipped with --skip-bad)" if bad else "Errors", {}, total=len(bad))
    )

    names = ", ".join(export.source for export in exports)
    if len(exports) > 3:
        names = f"{len(exports)} files"
    items = sum(export.item_count for export in exports)
    head = "Dry run, nothing was written. " if dry_run else ""
    lines = [f"{head}WordPress import of {names} ({items} items) in {seconds:.1f} s"]
    width = 2 + max(len(table.title) for table in tables)
    width = max([width] + [4 + len(label) for table in tables for label in table.rows])
    for table in tables:
        total = "" if table.total is None else table.total
        lines += ["", f"{table.title:<{width}}{total:>6}{'  stories' if table.stories else ''}"]
        for label, count in table.rows.items():
            stories = f"  {table.stories[label]:>7}" if table.stories else ""
            lines.append(f"  {label:<{width - 2}}{count:>6}{stories}")
    lines += [f"  {line}" for line in bad]

    notes = [f"post {post.post_id}: {note}" for post in posts for note in post.notes]
    if notes and verbosity < 2:
        lines += ["", f"Notes ({len(notes)})"]
        lines += [f"  {note}" for note in notes[:NOTES_SHOWN]]
        if len(notes) > NOTES_SHOWN:
            lines.append(f"  … and {len(notes) - NOTES_SHOWN} more (-v 2 lists them per story)")
    return "\n".join(line.rstrip() for line in lines)


@dataclass
class Table:
    title: str
    rows: dict[str, int]
    total: int | None = None
    stories: dict[str, int] | None = None  # how many stories each row occurs in


def shortcode_label(name: str) -> str:
    if name in wordpress.EMBED_SHORTCODES:
        return f"[{name}] (replaced by a link)"
    return f"[{name}]{SHORTCODE_NOTES.get(name, '')}"
