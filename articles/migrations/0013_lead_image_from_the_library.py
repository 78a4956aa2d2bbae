"""A story's lead image comes from the picture library (images.Image): every picture stored
on a story moves there, with its alt text, caption and credit, and the story points at it.

A file is stored once: stories that carried the same file (by its content's hash) and the
same texts share one library picture; with other texts, each gets a picture of its own, of
that one stored file, so no story's words are lost. A file missing from the storage keeps
its texts in the library (without renditions, readers see no picture, as they saw none). Renditions are made after migrating by
`manage.py render_images` (`make run` runs it).

SQLite removes the old columns by rebuilding the stories table, which drops the index
migration 0009 made by hand: it is made again after, as in migration 0011.
"""

import hashlib
import importlib
import mimetypes

import django.db.models.deletion
from django.core.files.base import ContentFile
from django.db import migrations, models
from django.utils import timezone

search_filter_index = importlib.import_module("articles.migrations.0009_add_search_filter_index")
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def move_pictures_to_the_library(apps, schema_editor):
    from django.core.files.storage import default_storage
    from PIL import Image as PILImage

    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("images", "Image")
    stories = Article.objects.exclude(image="").exclude(image__isnull=True).order_by("pk")
    for story in stories.iterator():
        name = story.image.name
        texts = {
            "alt_text": story.image_alt,
            "caption": story.image_caption,
            "credit": story.image_credit,
        }
        data = None
        try:
            with default_storage.open(name, "rb") as file:
                data = file.read()
        except (OSError, ValueError):
            pass
        picture = None
        if data:
            digest = hashlib.sha256(data).hexdigest()
            # Stories that carried one file and told it alike share one picture; told
            # differently, each telling is a picture of its own (of the same stored file).
            picture = Image.objects.filter(sha256=digest, **texts).first()
            same_file = None if picture else Image.objects.filter(sha256=digest).first()
            if picture is None and same_file is not None:
                picture = Image.objects.create(
                    file=same_file.file.name,
                    sha256=digest,
                    width=same_file.width,
                    height=same_file.height,
                    file_size=same_file.file_size,
                    mime_type=same_file.mime_type,
                    uploaded_at=story.created_at or timezone.now(),
                    **texts,
                )
            elif picture is None:
                width, height = story.image_width or 0, story.image_height or 0
                mime_type = mimetypes.guess_type(name)[0] or "image/jpeg"
                try:
                    with PILImage.open(ContentFile(data)) as opened:
                        width, height = opened.size
                        if opened.getexif().get(0x0112, 1) in {5, 6, 7, 8}:
                            width, height = height, width
                        mime_type = MIME_TYPES.get(opened.format, mime_type)
                except (OSError, SyntaxError, ValueError):
                    pass
                extension = EXTENSIONS.get(mime_type, name.rsplit(".", 1)[-1].lower())
                stored = default_storage.save(
                    f"images/originals/{digest[:2]}/{digest}.{extension}", ContentFile(data)
                )
                picture = Image.objects.create(
                    file=stored,
                    sha256=digest,
                    width=width,
                    height=height,
                    file_size=len(data),
                    mime_type=mime_type,
                    uploaded_at=story.created_at or timezone.now(),
                    **texts,
                )
        if picture is None:
            # The file is gone from the storage: its texts are not.
            picture = Image.objects.create(
                file=name,
                sha256=None,
                width=story.image_width or 0,
                height=story.image_height or 0,
                file_size=0,
                mime_type=mimetypes.guess_type(name)[0] or "",
                uploaded_at=story.created_at or timezone.now(),
                **texts,
            )
        Article.objects.filter(pk=story.pk).update(lead_image=picture)


def move_pictures_back(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for story in Article.objects.exclude(lead_image=None).select_related("lead_image"):
        picture = story.lead_image
        Article.objects.filter(pk=story.pk).update(
            image=picture.file.name,
            image_width=picture.width or None,
            image_height=picture.height or None,
            image_alt=picture.alt_text[:250],
            image_caption=picture.caption[:300],
            image_credit=picture.credit[:150],
        )


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0012_live_index_covers_listings'),
        ('images', '0001_initial'),
    ]

    operations = [
        # Unapplying: adding the columns back (below) rebuilds the table; this runs last.
        migrations.RunPython(migrations.RunPython.noop, search_filter_index.create_index),
        migrations.AddField(
            model_name='article',
            name='lead_image',
            field=models.ForeignKey(blank=True, help_text='From the picture library: search by caption, credit or tag.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='stories', to='images.image', verbose_name='lead image'),
        ),
        migrations.RunPython(move_pictures_to_the_library, move_pictures_back),
        migrations.RemoveField(model_name='article', name='image'),
        migrations.RemoveField(model_name='article', name='image_alt'),
        migrations.RemoveField(model_name='article', name='image_caption'),
        migrations.RemoveField(model_name='article', name='image_credit'),
        migrations.RemoveField(model_name='article', name='image_height'),
        migrations.RemoveField(model_name='article', name='image_width'),
        migrations.RunPython(search_filter_index.create_index, migrations.RunPython.noop),
    ]
