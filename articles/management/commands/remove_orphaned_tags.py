"""Delete the tags nothing carries.

It replaces taggit's command of the same name (our app comes before taggit in
INSTALLED_APPS, so Django finds this one first): taggit's looks only at its own generic
TaggedItem table, so with our TaggedArticle through model it deleted every tag in use.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from taggit.models import ItemBase, Tag


def unused_tags():
    """Return the tags no story (nor any other tagged object) carries."""
    tags = Tag.objects.all()
    for relation in Tag._meta.related_objects:
        # Every table that tags things (TaggedArticle, taggit's own TaggedItem, any other).
        if issubclass(relation.related_model, ItemBase):
            tags = tags.filter(**{f"{relation.name}__isnull": True})
    return tags


class Command(BaseCommand):
    help = "Delete tags that no story carries; tags in use are never touched."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the unused tags, delete nothing."
        )

    @transaction.atomic
    def handle(self, *args, dry_run, **options):
        # Locked while they are listed and deleted: tagging a story with one of them waits.
        unused = unused_tags().select_for_update(of=("self",)).order_by("name")
        found = dict(unused.values_list("pk", "name"))
        for name in found.values():
            self.stdout.write(f"  {name}")
        if dry_run:
            self.stdout.write(f"{len(found)} unused tags would be deleted (dry run).")
            return
        # Checked again as they are deleted: a tag put on a story meanwhile stays.
        _, deleted = unused_tags().filter(pk__in=found).delete()
        count = deleted.get(Tag._meta.label, 0)
        self.stdout.write(self.style.SUCCESS(f"Deleted {count} unused tags."))
