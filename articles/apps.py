from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connect the signals that keep revisions and the search index in step.
        from articles.editorial import changes  # noqa: F401
