from django.apps import AppConfig


class CachingConfig(AppConfig):
    name = "caching"
    verbose_name = "Page cache and CDN"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from caching import generation

        generation.connect_settings_signal()
