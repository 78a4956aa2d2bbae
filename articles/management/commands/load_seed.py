from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.models import Article, Section


class Command(BaseCommand):
    help = (
        "Load the seed fixture (sections, the Newsroom Staff author, tags and the seed story) "
        "into an empty site. A site that already has sections or stories is left alone, so "
        "running `make run` again never overwrites what editors changed; use "
        "`manage.py loaddata seed` to reload it on purpose."
    )

    def handle(self, *args, **options):
        if Section.objects.exists() or Article.objects.exists():
            if options["verbosity"]:
                self.stdout.write("The site already has content: the seed was not loaded again.")
            return
        call_command("loaddata", "seed", verbosity=options["verbosity"])
