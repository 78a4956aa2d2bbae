from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from articles.outputs.api import api

admin.site.site_header = f"{settings.SITE_NAME} desk"
admin.site.site_title = f"{settings.SITE_NAME} desk"
# The desk works on wide tables and long forms; breadcrumbs and the index already navigate.
admin.site.enable_nav_sidebar = False
admin.site.index_title = "Stories, sections and people"
admin.site.site_url = "/"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "articles.views.server_error"
