"""Delete for good the stories that have been in the trash longer than the trash keeps them.

Safe to run from cron (daily, say): it deletes only stories still in the trash and older
than the cut-off, each checked again under a lock, and a run with nothing due changes nothing.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.editorial import publishing
from articles.models import TRASH_KEEPS_DAYS


def stories_count(count: int) -> str:
    return f"{count} story" if count == 1 else f"{count} stories"


class Command(BaseCommand):
    help = (
        f"Delete for good the stories moved to the trash more than {TRASH_KEEPS_DAYS} days "
        "ago (--days to change); stories still within the period stay restorable."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=TRASH_KEEPS_DAYS,
            help=f"Purge stories in the trash for more than this many days "
            f"(default {TRASH_KEEPS_DAYS}; at least 1).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the stories due, delete nothing."
        )

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError(
                f"--days must be at least 1 (got {days}): the trash keeps a story restorable "
                "for at least a day. Nothing was deleted."
            )
        before = timezone.now() - timedelta(days=days)
        stories = publishing.purge_trash(before=before, dry_run=dry_run)
        for story in stories:
            trashed = timezone.localtime(story.trashed_at)
            self.stdout.write(
                f"  “{story.headline}” (id {story.pk}, trashed {trashed:%Y-%m-%d %H:%M %Z})"
            )
        cutoff = f"{timezone.localtime(before):%Y-%m-%d %H:%M %Z}"
        if dry_run:
            self.stdout.write(
                f"{stories_count(len(stories))} moved to the trash before {cutoff} would be purged "
                "(dry run; nothing was deleted)."
            )
        elif stories:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Purged {stories_count(len(stories))} moved to the trash before {cutoff}."
                )
            )
        else:
            self.stdout.write(f"Nothing to purge: no story was moved to the trash before {cutoff}.")
