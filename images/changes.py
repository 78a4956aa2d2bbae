"""What follows a change to a picture: its renditions queued, the pages that show it purged,
its files deleted with it."""

import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from caching import keys, purges
from images.models import Image, Rendition

logger = logging.getLogger(__name__)


def pictures_changed(pks: list[int]) -> None:
    """Purge every page that shows one of these pictures: their stories and every list."""
    from articles.models import Article

    shown = Q(lead_image__in=pks)
    for image in Image.objects.filter(pk__in=pks, sha256__isnull=False):
        shown |= Q(pk__in=image.stories_using().values("pk"))
    stories = Article.objects.filter(shown).values_list("pk", flat=True)
    purges.changed(keys.ALL_LISTS, *(keys.named(Article, pk) for pk in stories))


def queue_rendering(image: Image) -> None:
    from images.tasks import render_image

    pk = image.pk
    transaction.on_commit(lambda: _enqueue(render_image, pk))


def _enqueue(task, pk: int) -> None:
    try:
        task.enqueue(pk)
    except Exception:  # a save never fails for its renditions: render_images makes them
        logger.exception("Rendering picture %s failed; `manage.py render_images` retries", pk)


@receiver(post_save, sender=Image)
def image_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.rendered != instance.render_key:
        queue_rendering(instance)
    pictures_changed([instance.pk])


@receiver(pre_delete, sender=Image)
def image_deleting(sender, instance, **kwargs):
    # A picture of the same file (made by the stories migration) keeps the files they share.
    twin = (
        Image.objects.filter(sha256=instance.sha256).exclude(pk=instance.pk).first()
        if instance.sha256
        else None
    )
    instance._twin = twin
    if twin is not None:
        Rendition.objects.filter(image=instance).update(image=twin)


@receiver(post_delete, sender=Image)
def image_deleted(sender, instance, **kwargs):
    if getattr(instance, "_twin", None) is not None:
        return
    names = [instance.file.name] if instance.file else []
    transaction.on_commit(lambda: _delete_files(names))


@receiver(post_delete, sender=Rendition)
def rendition_deleted(sender, instance, **kwargs):
    name = instance.file.name
    transaction.on_commit(lambda: _delete_files([name]))


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError as error:
            logger.warning("Could not delete %s: %s", name, error)
