from django.apps import AppConfig


class FrontsConfig(AppConfig):
    name = "fronts"
    verbose_name = "Fronts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from caching import generation
        from fronts import changes  # noqa: F401  (connects the purges)
        from fronts.models import Front, Slot

        # A pin's expiry and a scheduled layout's start and end change a front with no save:
        # cached pages stop counting then.
        generation.register_horizon(Front.objects.next_change)
        generation.register_horizon(Slot.objects.next_expiry)
