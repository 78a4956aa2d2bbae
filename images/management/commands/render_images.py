"""Make every picture's missing renditions: after a migration or an import, after IMAGE_FORMATS
or the spec version changes, or when a background task was lost. Renditions already made are
skipped, so it is safe to run at any time, beside the workers (`make run` runs it)."""

import time

from django.core.management.base import BaseCommand, CommandError

from images import rendering
from images.models import Image


class Command(BaseCommand):
    help = "Make the renditions pictures lack (those already made are skipped)."

    def add_arguments(self, parser):
        parser.add_argument(
            "ids", nargs="*", type=int, help="Only these pictures (their ids); all by default."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Make nothing: list the pictures lacking renditions, exit 1 if any does.",
        )

    def handle(self, *args, ids=(), check=False, verbosity=1, **options):
        pictures = Image.objects.exclude(sha256=None).order_by("pk")
        if ids:
            pictures = pictures.filter(pk__in=ids)
            if missing := set(ids) - set(pictures.values_list("pk", flat=True)):
                raise CommandError(
                    f"No picture with id {', '.join(map(str, sorted(missing)))} "
                    "(or its original is missing)."
                )
        lacking = [image for image in pictures.iterator() if image.rendered != image.render_key]
        if check:
            for image in lacking:
                self.stdout.write(f"{image.pk}: {image}")
            if lacking:
                raise CommandError(f"{len(lacking)} picture(s) lack renditions.")
            self.stdout.write("Every picture is rendered.")
            return
        started, made, failed = time.monotonic(), 0, []
        for image in lacking:
            try:
                count = rendering.render(image)
            except (OSError, ValueError) as error:  # a damaged or missing original
                failed.append(f"{image.pk} ({image.file.name}): {error}")
                continue
            made += count
            if verbosity > 1:
                self.stdout.write(f"{image.pk}: {count} rendition(s)")
        seconds = time.monotonic() - started
        if verbosity:
            self.stdout.write(
                f"{len(lacking) - len(failed)} picture(s) rendered, {made} rendition(s) made "
                f"in {seconds:.1f} s."
            )
        if failed:
            raise CommandError("Could not render: " + "; ".join(failed))
