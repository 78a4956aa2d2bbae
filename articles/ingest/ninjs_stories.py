"""ninjs documents to stories: which story each document is, and what it asks of it.

A document's uri is kept in `Article.source_uri` as `ninjs:<uri>`, so importing a document
again updates the story it made rather than duplicating it, and an unchanged document changes
nothing. A document updates no other story: a uri `urn:uuid:<uuid>` naming one of our stories
(our own export, or anyone who read the uuid in a feed) is refused, with a line saying so,
unless an editor asks for it with --update-own. Refused rather than made a second story: the
document claims to be that story, so a copy of it under another address would only confuse
readers and search engines, and the editor restoring our own export needs to hear about the
flag. A story deleted since comes back from its export with its uuid and address. The provider's
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
from articles.ingest.pictures import StoryPictures
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


SOURCE = "ninjs:"
# Source ids stored before they named their importer: a bare uri that names no other source.
_OTHER_SOURCES = ("ninjs:", "wordpress:")


def source_uri(story: NinjsStory) -> str:
    return f"{SOURCE}{story.uri}"


def claimed(stories: list[tuple[str, NinjsStory]], *, update_own: bool):
    """The documents that may be imported, and a line for each that would update a story the
    import did not make (refused without --update-own)."""
    allowed, refused = [], []
    for where, story in stories:
        own = None if update_own or story.uuid is None or from_source(story) else story.uuid
        found = Article.objects.filter(uuid=own).first() if own else None
        if found is None:
            allowed.append((where, story))
        else:
            refused.append(
                f"{where}: uri {story.uri} names our story “{found.headline}” "
                f"({writer.story_url(found)}), which no ninjs import made: refused (to update "
                "it from this document, import it again with --update-own)"
            )
    return allowed, refused


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

    def __init__(
        self,
        *,
        fallback_section: Section | None,
        live_at: datetime | None,
        update_own=False,
        pictures: StoryPictures | None = None,
    ):
        self.fallback_section = fallback_section
        self.live_at = live_at  # --publish
        self.update_own = update_own
        self.pictures = pictures  # --fetch-images: fetched before the transaction
        self.authors = writer.Authors()

    def write(self, item: tuple[str, NinjsStory]) -> writer.Outcome:
        where, story = item
        article = from_source(story) or self.own_story(story)
        is_new = article is None
        notes = list(story.notes)
        if is_new:
            taken = story.uuid is not None and Article.objects.filter(uuid=story.uuid).exists()
            article = Article(
                uuid=story.uuid if story.uuid and not taken else uuid.uuid4(),
                source_uri=source_uri(story),
                slug=self.new_slug(story),
                section=self.default_section(),
            )
        section, matched = self.section_for(story)
        found = values(story, article, is_new, section)
        if self.pictures is not None:
            image = self.pictures.image_for(where, story.picture)
            if image is not None:  # a picture that could not be fetched leaves the story's own
                found["lead_image_id"] = image.pk
            found["body"] = self.pictures.body_for(where, story.body, story.body_pictures)
        if article.source_uri and article.source_uri != source_uri(story):
            found["source_uri"] = source_uri(story)  # a bare uri stored before: named now
        fields = writer.set_fields(article, found)
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

    def own_story(self, story: NinjsStory) -> Article | None:
        """With --update-own, our story with the document's `urn:uuid:` id."""
        if not self.update_own or story.uuid is None:
            return None
        return Article.objects.select_related("section").filter(uuid=story.uuid).first()

    def new_slug(self, story: NinjsStory) -> str:
        dates = [timezone.now(), story.publish_time, story.embargoed, self.live_at]
        return writer.story_slug(slug_base(story), dates=dates)

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


def from_source(story: NinjsStory) -> Article | None:
    """The story an earlier import of this document made (found by its uri)."""
    ids = [source_uri(story)]
    if not story.uri.startswith(_OTHER_SOURCES):
        ids.append(story.uri)
    found = Article.objects.select_related("section").filter(source_uri__in=ids)
    return min(found, key=lambda article: article.source_uri != ids[0], default=None)


def slug_base(story: NinjsStory) -> str:
    """The slug of the story's address on this site when the document gives one (our export
    does, as its web rendition), else one from the headline; made unique by the caller."""
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
    return base or wiretext.slug_base(story.headline)


def status_label(outcome: writer.Outcome) -> str:
    return writer.status_label(outcome.article, why=STATUS_WORDS[outcome.record.pubstatus])
