import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

# Django first (it sets itself up), then the page cache in front of it.
django_application = get_wsgi_application()

from caching.wsgi import PageCacheApplication  # noqa: E402

application = PageCacheApplication(django_application)
