from django.urls import path, register_converter

from articles import converters, views
from articles.outputs import api
from articles.outputs.feeds import (
    AuthorFeed,
    CorrectionsFeed,
    LatestStoriesAtomFeed,
    LatestStoriesFeed,
    SectionFeed,
    TagFeed,
)
from articles.outputs.robots import robots_txt
from articles.outputs.sitemaps import news_sitemap, sitemap, sitemap_section
from fronts import views as fronts_views

register_converter(converters.FourDigitYearConverter, "yyyy")
register_converter(converters.TwoDigitConverter, "mm")
register_converter(converters.TwoDigitConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("", views.front_page, name="front"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("front/<slug:slug>/", fronts_views.front_page, name="front-page"),
    path("tag/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("<yyyy:year>/<mm:month>/<dd:day>/<slug:slug>/", views.article_detail, name="detail"),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/<slug:slug>/history/",
        views.article_history,
        name="history",
    ),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("corrections/feed/", CorrectionsFeed(), name="corrections-feed"),
    path("search/", views.search_view, name="search"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("feed/", LatestStoriesFeed(), name="feed"),
    path("feed/atom/", LatestStoriesAtomFeed(), name="feed-atom"),
    path("section/<slug:slug>/feed/", SectionFeed(), name="section-feed"),
    path("tag/<str:slug>/feed/", TagFeed(), name="tag-feed"),
    path("author/<slug:slug>/feed/", AuthorFeed(), name="author-feed"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap_section, name="sitemap-section"),
    path("news-sitemap.xml", news_sitemap, name="news-sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    # What the API (newsroom/urls.py, before this URLconf) does not have: its JSON 404.
    path("api/<path:rest>", api.not_found, name="api-not-found"),
]
