"""`manage.py import_story`: wire copy in the seed's plain-text format becomes stories."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.ingest import writer
from articles.ingest.files import standard_input
from articles.ingest.progress import ProgressBar
from articles.ingest.wiretext_stories import (
    WireImport,
    clean_tag_names,
    find_authors,
    refusal,
)


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
            "--update",
            "--update-own",
            dest="update",
            action="store_true",
            help="When a story with the same headline exists, replace its text (body and dek) "
            "instead of refusing or creating another; --section, --author, --tag and "
            "--publish then change it too (a live story keeps its publication time).",
        )
        writer.add_run_arguments(
            parser, files="Wire-text files (UTF-8); - reads stdin.", items="files"
        )

    def handle(self, *args, files, section, tags, authors, publish, verbosity, **options):
        live_at = writer.parse_publish_time(publish)
        wire = WireImport(
            section=(
                writer.section_option(section) if section is not None else writer.first_section()
            ),
            section_given=section is not None,
            byline=find_authors(authors),
            byline_given=bool(authors),
            tags=clean_tag_names(tags),
            publish=publish is not None,
            live_at=live_at,
            update=options["update"],
            stdin=standard_input(options.get("stdin")),
        )
        reading = ProgressBar(
            len(files),
            stream=self.stderr,
            verbosity=verbosity if len(files) > 1 else 0,
            label="Reading",
        )
        plans, refused = wire.plan_all(files, bar=reading)
        if refused and not (options["skip_bad"] and plans):
            raise CommandError(
                refusal(refused, total=len(files), skip_bad=options["skip_bad"], stderr=self.stderr)
            )
        dry_run = options["dry_run"]
        report: list[str] = []
        outcomes = writer.write_all(
            plans,
            wire.write,
            dry_run=dry_run,
            bar=ProgressBar(len(plans), stream=self.stderr, verbosity=0),
            stderr=self.stderr,
            each=lambda outcome: report.append(describe(outcome, dry_run, verbosity)),
        )
        for line in refused:
            self.stderr.write(line)
        if verbosity:
            for lines in report:
                self.stdout.write(lines)
            self.stdout.write(summary(outcomes, refused, dry_run=dry_run))


def describe(outcome: writer.Outcome, dry_run: bool, verbosity: int) -> str:
    plan, article = outcome.record, outcome.article
    byline = ", ".join(author.name for author in outcome.byline) or "(none)"
    details = [f"  section: {article.section.name} · byline: {byline}"]
    if plan.tags or outcome.action == writer.CREATED:
        how = " (suggested from the text)" if plan.tags_suggested else ""
        details.append(f"  tags:    {', '.join(plan.tags) or '(none)'}{how}")
    if dry_run or verbosity > 1:
        details.append(f"  dek:     {article.dek}")
    status = writer.status_label(article)
    return writer.describe(outcome, dry_run=dry_run, status=status, details=details)


def summary(outcomes: list[writer.Outcome], refused: list[str], *, dry_run: bool) -> str:
    changed = sum(outcome.action != writer.UNCHANGED for outcome in outcomes)
    stories = writer.counted(changed, "story", "stories")
    skipped = f"; skipped {writer.counted(len(refused), 'bad file')}" if refused else ""
    if dry_run:
        return f"Dry run: {stories} would be imported{skipped}; nothing was written."
    return f"Imported {stories}{skipped}."
