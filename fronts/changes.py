"""What follows a change to a front's layout: the pages that show the front are purged.

A front's page is tagged with the front's key (and the key of the scheduled layout showing),
with every story it shows, and with the list of all stories (whose publications may
backfill it): so a story's change or a new story already purges it, and a layout's change
purges it here. Pins that expire and scheduled layouts that start or end need no save: they
are horizons of the page cache (fronts/apps.py).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Section
from caching import keys, purges
from fronts.models import Collection, Front, Slot


def front_changed(*front_pks: int) -> None:
    """Purge every page showing one of these fronts (a scheduled layout: its front's too)."""
    pks = {pk for pk in front_pks if pk}
    replaced = Front.objects.filter(pk__in=pks, replaces__isnull=False).values_list(
        "replaces_id", flat=True
    )
    # And the pages that list fronts (the sitemap), which a new front's first collection
    # changes before any page is tagged with its key.
    purges.changed(keys.ALL_FRONTS, *(keys.named(Front, pk) for pk in {*pks, *replaced}))


@receiver([post_save, post_delete], sender=Front)
def front_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        front_changed(instance.pk, instance.replaces_id)


@receiver([post_save, post_delete], sender=Collection)
def collection_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        front_changed(instance.front_id)


@receiver([post_save, post_delete], sender=Slot)
def slot_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    front = Collection.objects.filter(pk=instance.collection_id).values_list("front_id", flat=True)
    front_changed(*front)


@receiver(post_save, sender=Section)
def section_made(sender, instance, created, raw=False, **kwargs):
    """Each section has its front, empty (its page lists its stories) until arranged."""
    if created and not raw:
        Front.objects.for_section(instance)
