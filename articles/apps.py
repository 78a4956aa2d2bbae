from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connect the signals that keep revisions and the search index in step.
        from articles.editorial import changes  # noqa: F401
        from articles.models import Article
        from caching import generation

        # A scheduled story goes live with no save: cached pages end at its publish time.
        generation.register_horizon(Article.objects.next_scheduled_at)
