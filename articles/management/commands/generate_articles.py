"""`manage.py generate_articles N`: synthetic live stories for demos and benchmarks, in bulk.

The stories are invented and written by articles/ingest/demo.py.
"""

import random

from django.core.management.base import BaseCommand, CommandError

from articles.ingest.demo import BATCH_SIZE, Generator, UnknownSection
from articles.ingest.progress import ProgressBar


def non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Create N live demo stories in bulk: varied sections, 1–15 tags, 1–4 authors, "
        "400–1,500 words with subheadings, publication dates spread over the past years. "
        "The same --seed gives the same stories. Creates the usual sections when there are none "
        "and a pool of demo authors and tags; shows a progress bar on a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=non_negative, metavar="N", help="How many stories.")
        parser.add_argument(
            "--seed",
            type=int,
            help="Random seed; the same seed gives the same stories (default: a random one, "
            "printed at the end).",
        )
        parser.add_argument(
            "--section",
            action="append",
            dest="sections",
            metavar="S",
            help="Put the stories only in this section (slug or name); repeat for more. "
            "Default: every section.",
        )
        parser.add_argument(
            "--years",
            type=int,
            default=5,
            help="Spread publication dates over this many past years (default: 5).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Stories written per transaction (default: {BATCH_SIZE}).",
        )

    def handle(self, *args, count, seed, sections, years, batch_size, verbosity, **options):
        if years < 1 or batch_size < 1:
            raise CommandError("--years and --batch-size must be at least 1.")
        if seed is None:
            seed = random.SystemRandom().randrange(1_000_000)
        try:
            generator = Generator(seed=seed, years=years, sections=sections)
        except UnknownSection as problem:
            raise CommandError(str(problem)) from None
        progress = ProgressBar(count, stream=self.stderr, verbosity=verbosity, label="Stories")
        with progress as bar:
            seconds = generator.run(count, batch_size=batch_size, advance=bar.advance)
        if verbosity:
            rate = f", {count / seconds:,.0f} a second" if seconds and count else ""
            self.stdout.write(
                f"Created {count:,} live {'story' if count == 1 else 'stories'} in "
                f"{seconds:.1f}s{rate} (seed {seed}; pass --seed {seed} to repeat them)."
            )
