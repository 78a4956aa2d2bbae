"""`manage.py import_wordpress`: a WordPress export (WXR) becomes stories; old links keep working.

The reading is articles/ingest/wordpress.py; which story each post is, wordpress_stories.py.
"""

import time
from collections import Counter

from django.core.management.base import BaseCommand

from articles.ingest import writer
from articles.ingest.pictures import StoryPictures
from articles.ingest.progress import ProgressBar
from articles.ingest.wordpress_report import describe, summary
from articles.ingest.wordpress_stories import (
    DEFAULT_SECTION_NAME,
    PREFIX,
    WordPressImport,
    post_key,
    read_exports,
)


class Command(BaseCommand):
    help = (
        "Import posts from WordPress export files (WXR: Tools → Export → All content). Posts "
        "become stories (categories → sections, tags, authors, dates, status; sticky posts are "
        "featured); pages, attachments and menu items are skipped and counted; shortcodes, "
        "galleries, embeds and scripts are stripped and reported. Each post's old permalink and "
        "/?p=<id> answer a 301 to its story (never an address of this site's own, nor another "
        "story's old address). Running it again updates the stories it made (the export's "
        "version wins; unchanged stories are left alone); a story it did not make is never "
        "updated without --update-own. A post without an author or body text "
        "cannot be published and stays a draft. Featured images are counted, not downloaded, "
        "unless --fetch-images is given. A bad file is refused with one line naming it, "
        "and nothing is written unless --skip-bad is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--section-default",
            metavar="S",
            help="Section (slug or name) for posts with no category, or only WordPress's "
            f"“Uncategorized”. Default: “{DEFAULT_SECTION_NAME}”, created when first needed.",
        )
        writer.add_update_own_argument(
            parser, matched="a post's slug is its slug (a story no import made)"
        )
        writer.add_fetch_images_argument(
            parser, names="each post's featured image (its attachment's file)"
        )
        writer.add_run_arguments(
            parser,
            files="WordPress export (WXR) files.",
            metavar="export.xml",
            items="files (and posts)",
        )

    def fetch(self, posts, fetch_images: bool, dry_run: bool, verbosity: int) -> StoryPictures:
        """The posts' featured pictures, downloaded before the import's transaction opens (a
        slow server holds no database)."""
        pictures = StoryPictures(
            enabled=fetch_images, dry_run=dry_run, prefix=PREFIX, stderr=self.stderr
        )
        if fetch_images:
            pictures.fetch_all(
                ((post_key(post), post.picture, post.body_pictures.values()) for post in posts),
                bar=ProgressBar(
                    len(posts), stream=self.stderr, verbosity=verbosity, label="Fetching pictures"
                ),
            )
        return pictures

    def handle(
        self,
        *args,
        files,
        section_default,
        update_own,
        fetch_images,
        dry_run,
        skip_bad,
        verbosity,
        **options,
    ):
        started = time.monotonic()
        default_section = None
        if section_default:
            default_section = writer.section_option(
                section_default, option="--section-default", prefix=PREFIX
            )
        exports, bad = read_exports(files)
        posts = [post for export in exports for post in export.posts]
        writer.refuse(
            bad, good=len(posts), unit="post", skip_bad=skip_bad, prefix=PREFIX, stderr=self.stderr
        )
        pictures = self.fetch(posts, fetch_images, dry_run, verbosity)
        importer = WordPressImport(
            default_section=default_section, update_own=update_own, pictures=pictures
        )

        def each(outcome):
            if verbosity >= 2:
                self.stdout.write(describe(outcome, dry_run=dry_run, pictures=pictures))

        # At -v 2 the per-story lines are the progress.
        bar = ProgressBar(
            len(posts), stream=self.stderr, verbosity=1 if verbosity == 1 else 0, label="Importing"
        )
        with pictures:
            outcomes = writer.write_all(
                posts, importer.write, dry_run=dry_run, bar=bar, stderr=self.stderr, each=each
            )
        for line in bad:
            self.stderr.write(f"{PREFIX}skipped {line}")
        if verbosity:
            created = Counter(importer.created, author=importer.authors.created)
            seconds = time.monotonic() - started
            report = summary(
                exports,
                outcomes,
                created,
                bad,
                seconds=seconds,
                dry_run=dry_run,
                verbosity=verbosity,
            )
            self.stdout.write(report)
            if pictures.summary():
                self.stdout.write(f"\n{pictures.summary()}")
