"""`manage.py export_site FILE`: the whole site (stories, people, roles, media) in one file."""

from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, export_site


class Command(BaseCommand):
    help = (
        "Write the whole site to FILE, a zip archive: every story in every state with its "
        "revisions, corrections, tags, bylines and old addresses; sections, authors, users "
        "with their roles and password hashes; the admin log; the media files. Restore it "
        "with import_site. The file holds password hashes: keep it private."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="Where to write the archive (.zip).")
        parser.add_argument("--overwrite", action="store_true", help="Replace FILE if it exists.")

    def handle(self, *args, file, overwrite, verbosity, **options):
        report = self.stdout.write if verbosity else (lambda line: None)
        try:
            manifest = export_site(file, overwrite=overwrite, report=report)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(table["rows"] for table in manifest["tables"])
        files = sum(entry["files"] for entry in manifest["media"])
        tables = len(manifest["tables"])
        report(f"Exported {rows} rows in {tables} tables and {files} media files to {file}.")
