"""The app's managers and querysets. They know their models only through `self.model`, so
articles/models.py imports this module and nothing here imports it back.
"""

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone


class SlugKeyedManager(models.Manager):
    """Fixtures refer to sections and authors by slug (their natural key)."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class TaggedArticleManager(models.Manager):
    def get_by_natural_key(self, article_uuid, tag_name):
        return self.get(content_object__uuid=article_uuid, tag__name=tag_name)


class BylineManager(models.Manager):
    def get_by_natural_key(self, article_uuid, author_slug):
        return self.get(article__uuid=article_uuid, author__slug=author_slug)


class RevisionQuerySet(models.QuerySet):
    def public(self):
        """Return revisions saved while their story was live: the versions readers saw."""
        return self.filter(was_live=True)


class ArticleQuerySet(models.QuerySet):
    def get_by_natural_key(self, uuid):
        return self.get(uuid=uuid)

    def published(self):
        """Return stories readers may see: published, with a publish time that has come."""
        return self.filter(status="published", publish_at__lte=timezone.now())

    def next_scheduled_at(self):
        """Return when the next scheduled story goes live (None if none is scheduled)."""
        upcoming = self.filter(status="published", publish_at__gt=timezone.now())
        return upcoming.order_by("publish_at").values_list("publish_at", flat=True).first()

    def in_section(self, section):
        """Return stories in `section`."""
        return self.filter(section=section)

    def tagged(self, slug):
        """Return stories carrying the tag with `slug`."""
        return self.filter(tags__slug=slug)

    def by_author(self, author):
        """Return stories with `author` in the byline."""
        return self.filter(bylines__author=author)

    def for_listing(self):
        """Fetch what a story card shows (section and byline) in a fixed number of queries."""
        bylines = self.model.bylines.rel.related_model.objects.select_related("author")
        return self.select_related("section").prefetch_related(
            Prefetch("bylines", queryset=bylines)
        )

    def related_to(self, article, tag_ids, limit=5):
        """Return up to `limit` stories sharing the most of `tag_ids` with `article`, newest
        first on ties."""
        # Counted per candidate from the (story, tag) index rather than by GROUP BY over a
        # join: grouping would carry every selected column (the body too) through a temporary
        # table, 5x slower on a 100,000-story archive.
        tagged = self.model.tagged_items.rel.related_model.objects.filter(tag_id__in=tag_ids)
        shared = (
            tagged.filter(content_object=OuterRef("pk"))
            .order_by()
            .values("content_object")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            self.exclude(pk=article.pk)
            .filter(pk__in=tagged.values("content_object_id"))
            .annotate(shared_tags=Subquery(shared, output_field=IntegerField()))
            .order_by("-shared_tags", "-publish_at", "-pk")[:limit]
        )

    def latest_per_section(self, per_section, section_ids):
        """Return the newest `per_section` stories of each of the sections, in one query.

        Each section's newest stories come from the (section, status, publish_at) index; the
        per-section selections are joined with UNION ALL in SQL, which Django's union() cannot
        express with a LIMIT in each part on SQLite. A window function over all stories would
        read every live story instead.
        """
        parts, params = [], []
        for index, section_id in enumerate(section_ids):
            newest = self.filter(section_id=section_id).order_by("-publish_at", "-pk")
            sql, part_params = newest.values("pk")[:per_section].query.sql_with_params()
            parts.append(f"SELECT * FROM ({sql}) AS rail_{index}")
            params.extend(part_params)
        if not parts:
            return self.none()
        return self.filter(pk__in=RawSQL(" UNION ALL ".join(parts), params))
