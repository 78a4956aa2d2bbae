"""`manage.py send_purges`: send the CDN purges that are due now (web workers do it anyway)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from caching.models import PendingPurge
from caching.purges import send_due


class Command(BaseCommand):
    help = (
        "Send queued CDN purges (POST Surrogate-Key to CDN_PURGE_URL) that are due. Every web "
        "worker does this in the background; run it from cron where no web worker runs."
    )

    def handle(self, *args, verbosity, **options):
        if not settings.CDN_PURGE_URL:
            raise CommandError("CDN_PURGE_URL is not set: there is no CDN to purge.")
        sent = 0
        while batch := send_due():
            sent += batch
        waiting = PendingPurge.objects.count()
        if verbosity:
            self.stdout.write(f"Sent {sent} purge(s); {waiting} waiting to be retried.")
