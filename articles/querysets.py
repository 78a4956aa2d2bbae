"""The app's managers and querysets. They know their models only through `self.model`, so
articles/models.py imports this module and nothing here imports it back.
"""

from django.db import models
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from articles import prepared


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


# Up to this many stories, a tag's or author's page reads their own rows (see _through).
SMALL_LINK_SET = 2000
# Related stories are drawn from the newest stories of each of the story's tags.
RELATED_CANDIDATES_PER_TAG = 40
NO_ID = -1  # a placeholder no row's id can be (see union_for_each)


class ArticleQuerySet(models.QuerySet):
    def get_by_natural_key(self, uuid):
        return self.get(uuid=uuid)

    def published(self, at=None):
        """Return stories readers may see: published, with a publish time that has come (by
        `at`, now unless given). A story in the trash has the status "trashed"."""
        return self.filter(status="published", publish_at__lte=at or timezone.now())

    def trashed(self):
        """Return stories in the trash."""
        return self.filter(status="trashed")

    def not_trashed(self):
        """Return stories outside the trash (the desk's story list)."""
        return self.exclude(status="trashed")

    def trashed_before(self, moment):
        """Return stories moved to the trash before `moment`: those `purge_trash` deletes."""
        return self.filter(trashed_at__lt=moment)

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

    def tagged_with(self, tag):
        """Return stories carrying `tag`, read the cheap way for its size (see _through)."""
        rows = self.model.tagged_items.rel.related_model.objects.filter(tag=tag)
        return self._through(rows, "content_object_id", tagged_items__tag=tag)

    def written_by(self, author):
        """Return stories with `author` in the byline, read the cheap way for their number."""
        rows = self.model.bylines.rel.related_model.objects.filter(author=author)
        return self._through(rows, "article_id", bylines__author=author)

    def _through(self, rows, column: str, **join):
        """Stories named by `rows` of a link table, for a newest-first page.

        A small tag's or author's stories are read from its own rows and sorted; a large
        one's by walking the stories in publication order until a page is full (fast, as
        most of them match). Either way the work is bounded, where one plan for both would
        read a whole archive for a tag with a single story, or sort one with 30,000.
        """
        if rows[:SMALL_LINK_SET].count() < SMALL_LINK_SET:
            return self.filter(pk__in=rows.values(column))
        return self.filter(**join)

    def for_listing(self):
        """Fetch what a story card shows (section and byline) in a fixed number of queries."""
        bylines = self.model.bylines.rel.related_model.objects.select_related("author")
        return self.select_related("section").prefetch_related(
            Prefetch("bylines", queryset=bylines)
        )

    def for_cards(self):
        """Fetch what a story card shows, leaving out the body (most of a row's bytes)."""
        return self.for_listing().defer("body", "search_vector")

    def card_columns(self):
        """The story's own columns a card shows: all but the body (most of a row's bytes).
        The page attaches sections and bylines to the stories it shows, for all of them at
        once (sections_of, attach_byline_authors)."""
        return self.defer("body", "search_vector")

    def related_to(self, article, tag_ids, limit=5):
        """Return up to `limit` stories sharing the most of `tag_ids` with `article`, newest
        first on ties."""
        # Bounded work whatever a tag's size: the candidates are the newest few stories of
        # each tag, read from the (tag, story) index, not every story sharing a popular tag.
        # Shared tags are then counted per candidate from the (story, tag) index rather than
        # by GROUP BY over a join, which would carry every column (the body too) through a
        # temporary table.
        others = self.exclude(pk=article.pk)
        tagged = self.model.tagged_items.rel.related_model.objects.filter(tag_id__in=tag_ids)
        # From the tag's rows, newest story first, checking each story by its key: starting
        # from the stories instead would read every live one.
        if not tag_ids:
            return self.none()
        candidate = Exists(others.filter(pk=OuterRef("content_object_id")))
        newest = (
            tagged.filter(candidate, tag_id=NO_ID)
            .order_by("-content_object_id")
            .values("content_object_id")[:RELATED_CANDIDATES_PER_TAG]
        )
        shared = (
            tagged.filter(content_object=OuterRef("pk"))
            .order_by()
            .values("content_object")
            .annotate(count=Count("pk"))
            .values("count")
        )
        # The candidates passed `others` (live, not this story) already: filtering by it again
        # would make the database read every live story to intersect.
        return (
            self.model.objects.filter(pk__in=union_for_each(newest, NO_ID, tag_ids, "tag"))
            .annotate(shared_tags=Subquery(shared, output_field=IntegerField()))
            .order_by("-shared_tags", "-publish_at", "-pk")[:limit]
        )

    def live_related(self, article, tag_ids, limit=5) -> list:
        """The live stories `related_to` the story, without their bodies, as a list: its SQL
        is compiled once per number of tags (articles/prepared.py), not on every page."""
        if not tag_ids:
            return []

        def build(now, story, tags):
            live = self.model._default_manager.published(at=now)
            related = live.related_to(self.model(pk=story), tags, limit)
            return related.defer("body", "search_vector")

        values = {"now": timezone.now(), "story": article.pk, "tags": list(tag_ids)}
        shape = ("related", len(tag_ids), limit, RELATED_CANDIDATES_PER_TAG)
        return prepared.run(shape, build, values, using=self.db)

    def story_page_parts(self, **lookup):
        """(story, its tags, its corrections) for the story page, the story found by one
        `lookup` (slug= or pk=) among all stories outside the trash, or (None, [], []).
        Compiled once each.

        The story's section is not joined: the page takes it from the navigation's sections.
        """
        ((field, value),) = lookup.items()
        found = prepared.run(
            ("story", field),
            # A story in the trash is not at any address, nor behind a preview link.
            lambda value: self.model._default_manager.filter(**{field: value}).not_trashed(),
            {"value": value},
            using=self.db,
        )
        if not found:
            return None, [], []
        story = found[0]
        tag_model = self.model.tags.through._meta.get_field("tag").related_model
        tag_link = f"{self.model.tags.through._meta.get_field('tag').related_query_name()}"

        def tags_of(story):
            tags = tag_model._default_manager.filter(**{f"{tag_link}__content_object": story})
            # In the order they were given, as the desk entered them.
            return tags.order_by(f"{tag_link}__id")

        def corrections_of(story):
            return self.model.corrections.rel.related_model._default_manager.filter(article=story)

        values = {"story": story.pk}
        tags = prepared.run(("story-tags",), tags_of, values, using=self.db)
        corrections = prepared.run(("story-corrections",), corrections_of, values, using=self.db)
        return story, tags, corrections

    def attach_byline_authors(self, articles) -> None:
        """Give each story its byline's authors (`byline_authors`) in one query for all of
        them, compiled once per number of stories."""
        if not articles:
            return
        author_model = self.model.bylines.rel.related_model._meta.get_field("author").related_model

        def authors_of(stories):
            authors = author_model._default_manager.filter(bylines__article__in=stories)
            return authors.annotate(byline_of=F("bylines__article")).order_by(
                "bylines__position", "bylines__pk"
            )

        values = {"stories": [article.pk for article in articles]}
        authors = prepared.run(("bylines", len(articles)), authors_of, values, using=self.db)
        by_story = {article.pk: [] for article in articles}
        for author in authors:
            by_story[author.byline_of].append(author)
        for article in articles:
            article.attached_byline_authors = by_story[article.pk]

    def latest_per_section(self, per_section, section_ids):
        """Return the newest `per_section` stories of each of the sections, in one query.

        Each section's newest stories come from the (section, status, publish_at) index; the
        per-section selections are joined with UNION ALL in SQL, which Django's union() cannot
        express with a LIMIT in each part on SQLite. A window function over all stories would
        read every live story instead.
        """
        if not section_ids:
            return self.none()
        newest = (
            self.filter(section_id=NO_ID).order_by("-publish_at", "-pk").values("pk")[:per_section]
        )
        # The parts carry this queryset's filters already: repeated outside, they would make
        # SQLite walk every live story and test it against the list.
        return self._fetching_like_this(pk__in=union_for_each(newest, NO_ID, section_ids, "rail"))

    def _fetching_like_this(self, **lookups):
        """The rows matching `lookups` alone, fetched as this queryset fetches its own (its
        select_related, deferred fields and prefetches), without its filters."""
        rows = self.model._default_manager.filter(**lookups)
        rows.query.select_related = self.query.select_related
        rows.query.deferred_loading = self.query.deferred_loading
        rows._prefetch_related_lookups = self._prefetch_related_lookups
        return rows


def union_for_each(queryset, placeholder, values, alias: str) -> RawSQL:
    """`queryset` once for each of `values` in place of its `placeholder` parameter, as one
    UNION ALL in which each part keeps its own ORDER BY and LIMIT (which Django's union()
    cannot express on SQLite). Compiled once: compiling one query per value cost more than
    running them."""
    sql, params = queryset.query.sql_with_params()
    assert params.count(placeholder) == 1, "the placeholder must be one parameter"
    at = params.index(placeholder)
    parts, all_params = [], []
    for index, value in enumerate(values):
        parts.append(f"SELECT * FROM ({sql}) AS {alias}_{index}")
        all_params.extend([*params[:at], value, *params[at + 1 :]])
    return RawSQL(" UNION ALL ".join(parts), all_params)
