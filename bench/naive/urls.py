from django.urls import path

from bench.naive import views

urlpatterns = [path("<int:year>/<int:month>/<int:day>/<slug:slug>/", views.story)]
