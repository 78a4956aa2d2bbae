from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from articles.outputs.api import api
from images.views import media

admin.site.site_header = f"{settings.SITE_NAME} desk"
admin.site.site_title = f"{settings.SITE_NAME} desk"
# The desk works on wide tables and long forms; breadcrumbs and the index already navigate.
admin.site.enable_nav_sidebar = False
admin.site.index_title = "Stories, sections and people"
admin.site.site_url = "/"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("api/v1/", api.urls),
]

if not settings.MEDIA_STORAGE_URL:
    urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media, name="media"))
urlpatterns.append(path("", include("articles.urls")))

handler500 = "articles.views.server_error"
