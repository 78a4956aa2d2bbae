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
        keep_query_parameters()


def keep_query_parameters():
    """Tell the page cache which query parameters change which pages: those the views read.
    Any other parameter is left out of the cache key (see caching.pages)."""
    from articles.forms import SearchForm
    from articles.outputs import api_schemas
    from caching import pages

    # /?p=123: a migrated WordPress site's plain permalinks, answered 301 by the old-address
    # middleware; without p in the key, that 301 would be stored as the front page.
    pages.keep_query_parameters(r"/", ["p"])
    pages.keep_query_parameters(r"/(section|tag|author)/[^/]+/|/corrections/", ["page"])
    pages.keep_query_parameters(r"/search/", [*SearchForm.base_fields, "page"])
    pages.keep_query_parameters(r"/sitemap-[\w-]+\.xml", ["p"])
    api = "/api/v1/"
    filters, paging = api_schemas.ArticleFilters, api_schemas.Paging
    pages.keep_query_parameters(rf"{api}articles/", filters.model_fields)
    pages.keep_query_parameters(
        rf"{api}articles/[^/]+/ninjs/", api_schemas.NinjsOptions.model_fields
    )
    pages.keep_query_parameters(rf"{api}tags/", paging.model_fields)
