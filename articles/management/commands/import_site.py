"""`manage.py import_site FILE`: restore an export_site archive into an empty database."""

from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, import_site


class Command(BaseCommand):
    help = (
        "Restore an export_site archive into this database, which must be migrated and empty. "
        "All or nothing, in one transaction: ids, addresses and public ids stay as they were; "
        "then the search index is rebuilt and every cached page forgotten."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="An archive written by export_site.")

    def handle(self, *args, file, verbosity, **options):
        report = self.stdout.write if verbosity else (lambda line: None)
        try:
            manifest = import_site(file, report=report)
        except BackupError as error:
            raise CommandError(f"{error} Nothing was imported.") from None
        rows = sum(table["rows"] for table in manifest["tables"])
        report(f"Imported {rows} rows exported at {manifest['exported_at']} from {file}.")
