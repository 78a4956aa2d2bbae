"""The desk: the Django admin for stories, their revisions, sections, authors and tags."""

# Importing each module registers its ModelAdmins.
from articles.admin import logins, people, stories, tags  # noqa: F401
