"""WordPress posts to stories: each post's section, author and story, and its old addresses.

A post's story is found again on a later run through its source id, `wordpress:<site>/?p=<post
id>` (Article.source_uri, unique), so re-running an import updates stories instead of
duplicating them (the export's version wins), and two WordPress sites can be imported side by
side. A story the import did not make is never updated, even one with the post's slug (the
post gets a story of its own, with a free slug), unless an editor asks with --update-own.
Slugs are shared by chance (“hello-world”) far more often than by intent, which is why a new
story, not a refusal, is right here.

Each post's old permalink and /?p=<id> answer a 301 to its story once it is live, when they
are free: an address of this site's own (the front page, a listing, a feed, the admin,
another story's) is never taken, nor another story's old address (it keeps leading there).

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
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles.ingest import wordpress, writer
from articles.ingest.files import read_input
from articles.ingest.pictures import StoryPictures
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

    def __init__(
        self,
        *,
        default_section: Section | None,
        update_own: bool = False,
        pictures: StoryPictures | None = None,
    ):
        self.default_section = default_section
        self.update_own = update_own
        self.pictures = pictures  # --fetch-images: fetched before the transaction
        self.sections: dict[str, Section] = {}
        self.authors = writer.Authors()
        self.created: Counter = Counter()  # sections, tags, old addresses made along the way

    def write(self, post: wordpress.WxrPost) -> writer.Outcome:
        section = self.section_for(post.category)
        article = self.find(post) or Article(
            slug=writer.story_slug(post.slug_base, dates=[post.date, timezone.now()]),
            source_uri=post.source_uri,
        )
        values = {
            "headline": post.headline,
            "dek": post.dek,
            "body": post.body,
            "section_id": section.pk,
            "featured": post.featured,
        }
        if self.pictures is not None:
            image = self.pictures.image_for(post_key(post), post.picture)
            if image is not None:  # a picture that could not be fetched leaves the story's own
                values["lead_image_id"] = image.pk
                post.not_carried.pop("featured image", None)
            values["body"] = self.pictures.body_for(post_key(post), post.body, post.body_pictures)
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
            where=f"{PREFIX}{post.source}: {post.label}",
            note=f"Imported from WordPress ({post.source}, {post.label})",
            fields=fields,
            byline=byline,
            tags=post.tags,
            state=state,
            live_at=live_at,
            marks_updates=False,
        )
        action = writer.write(change)
        self.created["tag"] += Tag.objects.count() - tags_before
        notes += self.keep_old_paths(article, post)
        return writer.Outcome(post.label, post, article, action, byline, post.tags, notes)

    def find(self, post: wordpress.WxrPost) -> Article | None:
        """The story this post made on an earlier run; with --update-own, else our own story
        (one no import made) with the post's slug."""
        found = Article.objects.filter(source_uri=post.source_uri).first()
        if found is None and self.update_own:
            found = Article.objects.filter(slug=post.slug_base, source_uri__isnull=True).first()
        return found

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

    def keep_old_paths(self, article: Article, post: wordpress.WxrPost) -> list[str]:
        """Point the post's old addresses at its story (the story's own address needs none)
        where they are free; a note for each that is not."""
        url, notes = article.get_absolute_url(), []
        for path in post.old_paths:
            if path == url:
                continue
            taken = writer.address_in_use(path, article)
            if taken is None:
                redirect, created = ArticleRedirect.objects.get_or_create(
                    old_path=path, defaults={"article": article}
                )
                self.created["old address"] += created
                if redirect.article_id != article.pk:
                    taken = f"it leads to another story ({writer.story_url(redirect.article)})"
            if taken is not None:
                notes.append(f"old address {path} not kept: {taken}")
        return notes


def post_key(post: wordpress.WxrPost) -> str:
    """How messages name a post across files: `export.xml: post 12`."""
    return f"{post.source}: {post.label}"


def status_label(outcome: writer.Outcome) -> str:
    """The story's status in a word or two, for a table: `live`, `unpublished (password)`…"""
    article, post = outcome.article, outcome.record
    why = ""
    if article.status == Article.Status.UNPUBLISHED:
        why = "password" if post.is_protected else post.wp_status
    elif post.status == Article.Status.PUBLISHED and article.status != post.status:
        why = "not publishable"
    return writer.status_label(article, brief=True, why=why)
