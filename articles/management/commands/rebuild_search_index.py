from django.core.management.base import BaseCommand

from articles.search import index_articles
from caching import keys, purges


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of every story (after restoring a database from "
        "elsewhere, or loading stories outside the usual save paths)."
    )

    def handle(self, *args, **options):
        count = index_articles()
        purges.changed(keys.ALL_LISTS)  # search results, which are cached pages too
        if options["verbosity"]:
            self.stdout.write(f"Indexed {count} stories.")
