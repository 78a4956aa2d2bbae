"""The desk: the Django admin for stories, their revisions, sections, authors and tags."""

from articles.admin import stories  # noqa: F401  (registers the ModelAdmins)
