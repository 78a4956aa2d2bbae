"""ninjs documents to stories: which story each document is, and what it asks of it.

A document whose uri is `urn:uuid:<uuid>` of one of our stories (our own export) updates that
story; any other uri is kept in `Article.source_uri`, so importing a document again updates its
story rather than duplicating it, and an unchanged document changes nothing. The provider's
`pubstatus` decides the story's state: “usable” stories go live at their own time (an embargo
holds them back), “withheld” ones are drafts, “canceled” ones are unpublished.
"""

import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.text import slugify

from articles.ingest import ninjs, wiretext, writer
from articles.ingest.files import read_input, shown_name
from articles.ingest.ninjs_document import NinjsError, NinjsStory
from articles.models import Article, Correction, Section
from articles.outputs.links import absolute_url

COMMAND = "import_ninjs"
PREFIX = f"{COMMAND}: "
# A wire service's day of stories is a few megabytes; a file this big is a mistake.
MAX_FILE_BYTES = 64 * 1024 * 1024
STATUS_WORDS = {
    "usable": "",
    "withheld": "withheld by the provider",
    "canceled": "canceled by the provider",
}


def read_documents(files: list[str], *, stdin, bar) -> tuple[list[tuple[str, NinjsStory]], list]:
    """Every document of every file, mapped, with its place; and a line for each that is not."""
    stories: list[tuple[str, NinjsStory]] = []
    bad: list[str] = []
    with bar:
        for name in files:
            shown = shown_name(name)
            try:
                data = read_input(
                    name,
                    error=NinjsError,
                    stdin=stdin,
                    max_bytes=MAX_FILE_BYTES,
                    too_big="split it into smaller files",
                )
                documents = ninjs.load(data)
            except NinjsError as problem:
                bad.append(f"{shown}: {problem}")
                documents = []
            for number, document in documents:
                where = shown if number is None else f"{shown}: document {number}"
                try:
                    stories.append((where, ninjs.parse_document(document)))
                except NinjsError as problem:
                    bad.append(f"{where}: {problem}")
            bar.advance()
    return stories, bad


class NinjsImport:
    """Finds or makes each document's story and hands what it asks to the writer."""

    def __init__(self, *, fallback_section: Section | None, live_at: datetime | None):
        self.fallback_section = fallback_section
        self.live_at = live_at  # --publish
        self.authors = writer.Authors()

    def write(self, item: tuple[str, NinjsStory]) -> writer.Outcome:
        where, story = item
        article = find_story(story)
        is_new = article is None
        notes = list(story.notes)
        if is_new:
            article = Article(
                uuid=story.uuid or uuid.uuid4(),
                source_uri=story.uri,
                slug=new_slug(story),
                section=self.default_section(),
            )
        section, matched = self.section_for(story)
        fields = writer.set_fields(article, values(story, article, is_new, section))
        if story.sections and section is not None and not matched:
            names = ", ".join(f"“{hint.name}”" for hint in story.sections)
            notes.append(f"section {names} is not one of ours: filed in “{article.section.name}”")
        # No byline in the document: an updated story keeps its own.
        byline = [self.authors.get(hint.name, hint.slug) for hint in story.authors]
        if not byline and not is_new:
            byline = article.byline_authors
        tags = [] if is_new else sorted(article.tags.names(), key=str.casefold)
        if story.tags or (story.is_complete and not is_new):
            tags = story.tags
        known = set() if is_new else set(article.corrections.values_list("kind", "text"))
        corrections = [c for c in story.corrections if (c.kind, c.text) not in known]
        state, live_at = self.state_for(story, article, byline, notes)
        change = writer.Change(
            article,
            where=f"{PREFIX}{where}",
            note=f"Imported from ninjs ({where})",
            fields=fields,
            byline=byline,
            tags=tags,
            state=state,
            live_at=live_at,
        )
        action = writer.write(change)
        if corrections:
            # The provider's time of the version that carries them, which is when they were made.
            made_at = min(story.version_created or timezone.now(), timezone.now())
            Correction.objects.bulk_create(
                Correction(article=article, kind=c.kind, text=c.text, created_at=made_at)
                for c in corrections
            )
            action = writer.UPDATED if action == writer.UNCHANGED else action
        return writer.Outcome(where, story, article, action, byline, tags, notes)

    def section_for(self, story: NinjsStory) -> tuple[Section | None, bool]:
        """The document's section when it is one of ours (True), else --section (None: neither)."""
        for hint in story.sections:
            section = writer.find_section(slug=hint.slug, name=hint.name) or writer.find_section(
                slug=slugify(hint.name)
            )
            if section is not None:
                return section, True
        return self.fallback_section, False

    def default_section(self) -> Section:
        return self.fallback_section or writer.first_section(prefix=PREFIX)

    def state_for(self, story: NinjsStory, article: Article, byline, notes: list[str]):
        """What the provider's `pubstatus` asks of the story: `(status, publish time)`, or
        `(None, None)` to leave it as it is."""
        if story.pubstatus == "canceled":
            return Article.Status.UNPUBLISHED, None
        if story.pubstatus == "withheld":
            if self.live_at is not None:
                notes.append("--publish does not apply: the provider withheld the story")
            if article.status != Article.Status.PUBLISHED:
                return None, None
            # Readers have seen it: it is withdrawn (410 Gone), not silently a draft.
            withdrawn = article.was_public
            return Article.Status.UNPUBLISHED if withdrawn else Article.Status.DRAFT, None
        at = self.publish_time(story, article)
        if story.embargoed and story.embargoed > at:
            notes.append(
                f"embargoed until {writer.local_time(story.embargoed)}: scheduled for then"
            )
            at = story.embargoed
        refused = writer.held_back(article, byline, no_byline="the document names no author")
        if refused:
            notes.append(refused)
            return None, None
        current = article.publish_at
        if (
            article.status == Article.Status.PUBLISHED
            and current is not None
            and current.replace(microsecond=0) == at.replace(microsecond=0)
        ):
            return None, None
        return Article.Status.PUBLISHED, at

    def publish_time(self, story: NinjsStory, article: Article) -> datetime:
        if self.live_at is not None:
            # --publish times going live; a story already live keeps its time (and address).
            return article.publish_at if article.is_live else self.live_at
        if story.publish_time is not None:
            return story.publish_time
        if article.status == Article.Status.PUBLISHED and article.publish_at is not None:
            return article.publish_at
        return timezone.now()


def values(story: NinjsStory, article: Article, is_new: bool, section: Section | None) -> dict:
    """The story's fields the document sets (what it is silent about is left alone)."""
    found = {"headline": story.headline, "body": story.body}
    empty_if_absent = is_new or story.is_complete
    for name in ("dek", "dateline"):
        value = getattr(story, name)
        if value is not None or empty_if_absent:
            found[name] = value or ""
    for name in ("kicker", "seo_title", "meta_description"):
        if getattr(story, name) is not None:
            found[name] = getattr(story, name)
    if story.kind is not None:
        found["kind"] = story.kind
    if section is not None:
        found["section_id"] = section.pk
    return found


def find_story(story: NinjsStory) -> Article | None:
    """Our story with the document's `urn:uuid:` id, else the one imported from its uri."""
    article = None
    if story.uuid is not None:
        article = Article.objects.select_related("section").filter(uuid=story.uuid).first()
    return article or Article.objects.select_related("section").filter(source_uri=story.uri).first()


def new_slug(story: NinjsStory) -> str:
    """The slug of the story's address on this site when the document gives one (our export
    does, as its web rendition), else one from the headline; unique either way."""
    base = None
    for url in story.web_urls:
        if not url.startswith(absolute_url("/")):
            continue
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        if match.view_name == "articles:detail":
            base = match.kwargs["slug"]
            break
    return writer.new_slug(Article, base or wiretext.slug_base(story.headline))


def status_label(outcome: writer.Outcome) -> str:
    return writer.status_label(outcome.article, why=STATUS_WORDS[outcome.record.pubstatus])
