"""`manage.py import_ninjs`: IPTC ninjs documents become stories, matched again by their uri.

The reading is articles/ingest/ninjs.py; which story each document is, ninjs_stories.py.
"""

import time
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.ingest import writer
from articles.ingest.files import standard_input
from articles.ingest.ninjs_stories import (
    PREFIX,
    NinjsImport,
    claimed,
    read_documents,
    status_label,
)
from articles.ingest.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Import IPTC ninjs documents (1.x, 2.x and 3.x; a file holds one document or a JSON "
        "array of them; - reads stdin). A document updates the story an earlier import of it "
        "made (matched on its uri) or creates one; a document naming one of our own stories "
        "(a urn:uuid uri, as our own export has) is refused unless --update-own is given. “usable” "
        "stories go live at their firstcreated time (else versioncreated; an embargo holds "
        "them back), “withheld” ones are drafts, “canceled” ones are unpublished. Bad input is "
        "refused with one line naming the file and document, and nothing is written unless "
        "--skip-bad is given. Lead images are reported, not downloaded."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
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
        writer.add_update_own_argument(
            parser, matched="a document's uri is its urn:uuid (as our own ninjs export has)"
        )
        writer.add_run_arguments(
            parser, files="ninjs JSON files (UTF-8); - reads stdin.", items="documents"
        )

    def handle(
        self, *args, files, section, publish, update_own, dry_run, skip_bad, verbosity, **options
    ):
        started = time.monotonic()
        stdin = standard_input(options.get("stdin"))
        live_at = writer.parse_publish_time(publish, prefix=PREFIX)
        fallback = writer.section_option(section, prefix=PREFIX) if section is not None else None

        stories, bad = read_documents(
            files, stdin=stdin, bar=self.bar(len(files), "Reading", verbosity)
        )
        stories, refused = claimed(stories, update_own=update_own)
        bad += refused
        writer.refuse(
            bad,
            good=len(stories),
            unit="document",
            skip_bad=skip_bad,
            prefix=PREFIX,
            stderr=self.stderr,
        )
        importer = NinjsImport(fallback_section=fallback, live_at=live_at, update_own=update_own)
        report: list[str] = []
        outcomes = writer.write_all(
            stories,
            importer.write,
            dry_run=dry_run,
            bar=self.bar(len(stories), "Importing", verbosity),
            stderr=self.stderr,
            each=lambda outcome: report.append(describe(outcome, dry_run=dry_run)),
        )
        for line in bad:
            self.stderr.write(f"{PREFIX}skipped {line}")
        if verbosity:
            for lines in report:
                self.stdout.write(lines)
            self.stdout.write(
                summary(
                    outcomes,
                    new_authors=importer.authors.created,
                    files=len(files),
                    bad=len(bad),
                    seconds=time.monotonic() - started,
                    dry_run=dry_run,
                )
            )

    def bar(self, total: int, label: str, verbosity: int) -> ProgressBar:
        return ProgressBar(
            total, stream=self.stderr, verbosity=verbosity if total > 1 else 0, label=label
        )


def describe(outcome: writer.Outcome, *, dry_run: bool) -> str:
    article, story = outcome.article, outcome.record
    byline = ", ".join(author.name for author in outcome.byline) or "(none)"
    details = [
        f"  section: {article.section.name} · kind: {article.kind} · byline: {byline}",
        f"  tags:    {', '.join(outcome.tags) or '(none)'}",
        f"  source:  {story.uri} ({story.standard}, {outcome.where})",
    ]
    extra = []
    if story.image_href:
        extra.append(
            f"  image:   {story.image_href} (lead image not downloaded: add it in the admin)"
        )
    status = status_label(outcome)
    return writer.describe(outcome, dry_run=dry_run, status=status, details=details, extra=extra)


def summary(outcomes, *, new_authors: int, files: int, bad: int, seconds: float, dry_run: bool):
    actions = Counter(outcome.action for outcome in outcomes)
    documents = writer.counted(len(outcomes), "document")
    would = "would be " if dry_run else ""
    counts = (
        f"{actions[writer.CREATED]} {would}created, {actions[writer.UPDATED]} {would}updated, "
        f"{actions[writer.UNCHANGED]} unchanged"
    )
    head = "Dry run, nothing was written: " if dry_run else "Imported "
    if new_authors:
        counts += f"; {writer.counted(new_authors, 'new author')}"
    line = f"{head}{documents} from {writer.counted(files, 'file')} in {seconds:.1f} s: {counts}"
    if bad:
        line += f"; skipped {bad} bad (listed on stderr)"
    images = sum(1 for outcome in outcomes if outcome.record.image_href)
    if images:
        names = "story names one" if images == 1 else "stories name one"
        line += f"\nLead images are not downloaded: {images} {names} (see “image:” above)."
    return line
