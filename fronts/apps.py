from django.apps import AppConfig


class FrontsConfig(AppConfig):
    name = "fronts"
    verbose_name = "Fronts"
    default_auto_field = "django.db.models.BigAutoField"
