import mimetypes

from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "images"
    verbose_name = "Picture library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pillow_heif import register_heif_opener

        from caching import generation
        from images import changes  # noqa: F401  (connects the cache and rendering signals)
        from images.models import Image

        # A picture whose rights run out leaves its stories' pages at that moment, with no
        # save to purge them: cached pages stop counting then.
        generation.register_horizon(Image.objects.next_expiry)
        # Phones' HEIC pictures open in Pillow like any other (uploads, renditions).
        register_heif_opener()
        # /media serves each file with its type, whatever the machine's mime.types knows
        # (Python alone knows neither HEIC nor, before 3.13, AVIF).
        from images import specs, uploads

        for name, kind in uploads.ACCEPTED.items():
            mimetypes.add_type(kind, f".{uploads.EXTENSIONS[name]}")
        for name, kind in specs.MIME_TYPES.items():
            mimetypes.add_type(kind, f".{specs.EXTENSIONS[name]}")
