"""`manage.py import_ninjs`: IPTC ninjs documents become stories, matched again by their uri.

The reading is articles/ingest/ninjs.py; which story each document is, ninjs_stories.py.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.ingest import writer
from articles.ingest.files import standard_input
from articles.ingest.ninjs_report import describe, summary
from articles.ingest.ninjs_stories import (
    PREFIX,
    NinjsImport,
    claimed,
    read_documents,
)
from articles.ingest.pictures import StoryPictures
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
        "--skip-bad is given. Lead images are reported, not downloaded, unless --fetch-images "
        "is given."
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
        writer.add_fetch_images_argument(
            parser, names="each document's lead picture (its featuremedia association)"
        )
        writer.add_run_arguments(
            parser, files="ninjs JSON files (UTF-8); - reads stdin.", items="documents"
        )

    def handle(
        self,
        *args,
        files,
        section,
        publish,
        update_own,
        fetch_images,
        dry_run,
        skip_bad,
        verbosity,
        **options,
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
        pictures = StoryPictures(
            enabled=fetch_images, dry_run=dry_run, prefix=PREFIX, stderr=self.stderr
        )
        if fetch_images:  # before the transaction: a slow server holds no database
            pictures.fetch_all(
                ((where, story.picture, story.body_pictures.values()) for where, story in stories),
                bar=self.bar(len(stories), "Fetching pictures", verbosity),
            )
        importer = NinjsImport(
            fallback_section=fallback, live_at=live_at, update_own=update_own, pictures=pictures
        )
        outcomes, report = self.write(stories, importer, pictures, dry_run, verbosity)
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
                    pictures=pictures,
                )
            )

    def write(self, stories, importer, pictures, dry_run, verbosity):
        report: list[str] = []
        with pictures:
            outcomes = writer.write_all(
                stories,
                importer.write,
                dry_run=dry_run,
                bar=self.bar(len(stories), "Importing", verbosity),
                stderr=self.stderr,
                each=lambda outcome: report.append(
                    describe(outcome, dry_run=dry_run, pictures=pictures)
                ),
            )
        return outcomes, report

    def bar(self, total: int, label: str, verbosity: int) -> ProgressBar:
        return ProgressBar(
            total, stream=self.stderr, verbosity=verbosity if total > 1 else 0, label=label
        )
