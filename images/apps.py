from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "images"
    verbose_name = "Picture library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from caching import generation
        from images import changes  # noqa: F401  (connects the cache and rendering signals)
        from images.models import Image

        # A picture whose rights run out leaves its stories' pages at that moment, with no
        # save to purge them: cached pages stop counting then.
        generation.register_horizon(Image.objects.next_expiry)
