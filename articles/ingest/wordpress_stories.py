"""WordPress posts to stories: each post's section, author and story, and its old addresses.

A post's story is found again on a later run through its source id, `wordpress:<site>/?p=<post
id>` (Article.source_uri, unique), so re-running an import updates stories instead of
duplicating them (the export's version wins), and two WordPress sites can be imported side by
side. Each post's old permalink and /?p=<id> answer a 301 to its story once it is live.

A post's WordPress status reaches the story through the publishing door: published and
scheduled posts are published at their date, pending ones submitted for review, private and
password-protected ones unpublished (never live). A post that publish() would refuse (no
author, so no byline; no body text) is kept a draft, and the report says so.
"""

from collections import Counter
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max
from django.utils.text import slugify
from taggit.models import Tag

from articles.ingest import wordpress, writer
from articles.ingest.files import read_input
from articles.models import Article, ArticleRedirect, Section

COMMAND = "import_wordpress"
PREFIX = f"{COMMAND}: "
DEFAULT_SECTION_SLUG, DEFAULT_SECTION_NAME = "news", "News"
SECTION_NAME_MAX_LENGTH = Section._meta.get_field("name").max_length


def read_exports(files: list[str]) -> tuple[list[wordpress.WxrExport], list[str]]:
    """Every file's export, and a line for each file (or post) that cannot be imported."""
    zone = ZoneInfo(settings.TIME_ZONE)
    exports, bad = [], []
    for name in files:
        try:
            data = read_input(name, error=wordpress.WxrError, kind="an export file")
            exports.append(wordpress.read_export(data, source=name, tz=zone))
        except wordpress.WxrError as problem:
            bad.append(f"{name}: {problem}")
    bad += [f"{export.source}: {problem}" for export in exports for problem in export.problems]
    return exports, bad


class WordPressImport:
    """Finds or makes each post's section, author and story, and hands them to the writer."""

    def __init__(self, *, default_section: Section | None):
        self.default_section = default_section
        self.sections: dict[str, Section] = {}
        self.authors = writer.Authors()
        self.created: Counter = Counter()  # sections, tags, old addresses made along the way

    def write(self, post: wordpress.WxrPost) -> writer.Outcome:
        found = Article.objects.filter(source_uri=post.source_uri).first()
        section = self.section_for(post.category)
        article = found or Article(
            slug=writer.new_slug(Article, post.slug_base), source_uri=post.source_uri
        )
        values = {
            "headline": post.headline,
            "dek": post.dek,
            "body": post.body,
            "section_id": section.pk,
            "featured": post.featured,
        }
        fields = writer.set_fields(article, values)
        byline = [self.authors.get(post.author_name)] if post.author_name else []
        state, live_at, notes = post.status, post.date, []
        if state == Article.Status.PUBLISHED:
            refused = writer.held_back(article, byline, no_byline="the post has no author")
            if refused:
                state, live_at, notes = None, None, [refused]
        tags_before = Tag.objects.count()
        change = writer.Change(
            article,
            where=f"{PREFIX}{post.source}: post {post.post_id}",
            note=f"Imported from WordPress ({post.source}, post {post.post_id})",
            fields=fields,
            byline=byline,
            tags=post.tags,
            state=state,
            live_at=live_at,
            marks_updates=False,
        )
        action = writer.write(change)
        self.created["tag"] += Tag.objects.count() - tags_before
        self.keep_old_paths(article, post)
        return writer.Outcome(
            f"post {post.post_id}", post, article, action, byline, post.tags, notes
        )

    def section_for(self, category: wordpress.Category | None) -> Section:
        if category is None:
            return self.fallback_section()
        if category.nicename not in self.sections:
            name = category.name[:SECTION_NAME_MAX_LENGTH]
            slug = slugify(unquote(category.nicename)) or slugify(name)
            section = writer.find_section(slug=slug, name=name)
            if section is None:
                section = self.create_section(name, slug or "section", category.description)
            self.sections[category.nicename] = section
        return self.sections[category.nicename]

    def fallback_section(self) -> Section:
        if self.default_section is None:
            self.default_section = writer.find_section(
                slug=DEFAULT_SECTION_SLUG, name=DEFAULT_SECTION_NAME
            ) or self.create_section(DEFAULT_SECTION_NAME, DEFAULT_SECTION_SLUG, "")
        return self.default_section

    def create_section(self, name: str, slug: str, description: str) -> Section:
        position = (Section.objects.aggregate(last=Max("position"))["last"] or 0) + 1
        self.created["section"] += 1
        return Section.objects.create(
            name=name,
            slug=writer.new_slug(Section, slug, cut=True),
            description=description,
            position=position,
        )

    def keep_old_paths(self, article: Article, post: wordpress.WxrPost) -> None:
        """Point the post's old addresses at its story (the story's own address needs none)."""
        url = article.get_absolute_url()
        for path in post.old_paths:
            if path == url:
                continue
            redirect, created = ArticleRedirect.objects.get_or_create(
                old_path=path, defaults={"article": article}
            )
            if created:
                self.created["old address"] += 1
            elif redirect.article_id != article.pk:
                redirect.article = article
                redirect.save(update_fields=["article"])


def status_label(outcome: writer.Outcome) -> str:
    """The story's status in a word or two, for a table: `live`, `unpublished (password)`…"""
    article, post = outcome.article, outcome.record
    why = ""
    if article.status == Article.Status.UNPUBLISHED:
        why = "password" if post.is_protected else post.wp_status
    elif post.status == Article.Status.PUBLISHED and article.status != post.status:
        why = "not publishable"
    return writer.status_label(article, brief=True, why=why)
