"""Pictures an import fetches (`--fetch-images`): the lead picture a source names and those its
stories' bodies show (body_pictures.py), the texts that travel with them, and their way into
the library.

What a picture needs, and where each comes from when the source is silent:
- alt text: the source's own alt text, else its caption (which says what the picture shows),
  else the picture's own title. Never the story's headline, which says what the story is
  about, not what a reader who cannot see the picture is missing. A picture with none of
  these is not imported: the error says so, and an editor adds it with its texts.
- caption: the source's caption, else the picture's title, else its alt text.
- credit: an agency picture (ninjs) without a credit is not imported, since showing it
  uncredited breaks the licence it came under. A WordPress export carries no credits at all,
  and its pictures are the old site's own: credited to that site.
- rights: ninjs pictures come from an agency (`agency`, its copyright holder as the source);
  a WordPress site's media library is the newsroom's own archive (`staff`, the site as the
  source). The photo desk filters the library by source to review them.
A picture in a body gets the same rules: its alt text is its img's own and its caption its
figure's, the credit and rights those its source's lead pictures get.
A picture already in the library (the same bytes: its SHA-256) is reused as it is, its texts
and rights untouched; a picture that fails any check an upload must pass is not stored. A
picture that does not come in leaves its story as it was: no lead image from it, its img in
the body naming the address it had.

Each download happens before the import's transaction, into a temporary file, so a slow
server never holds the database; the pictures go into the library inside it, beside their
stories. A dry run downloads nothing and says which pictures would be fetched.
"""

import html
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage

from articles.ingest import body_pictures, downloads
from articles.ingest.markup import strip_markup
from images import uploads
from images.models import Image

ALT_TEXT_MAX_LENGTH = Image._meta.get_field("alt_text").max_length
CAPTION_MAX_LENGTH = Image._meta.get_field("caption").max_length
CREDIT_MAX_LENGTH = Image._meta.get_field("credit").max_length
SOURCE_MAX_LENGTH = Image._meta.get_field("source").max_length
URL_MAX_LENGTH = 2000
LEAD, BODY = "lead", "body"
SUMMARY_TITLES = {LEAD: "Lead images", BODY: "Body images"}
# Text that cannot be stored (NUL, lone surrogates) or is damaged (control characters).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class PictureRef:
    """A picture a story's source names: where it is, and what the library will say of it."""

    url: str
    alt_text: str
    caption: str
    credit: str
    source: str
    rights: str  # an Image.Rights value
    problem: str = ""  # why it cannot be imported, whatever the download brings


def picture_ref(
    url: str,
    *,
    alt: Iterable,
    captions: Iterable,
    titles: Iterable = (),
    credit: str = "",
    source: str = "",
    rights: str,
) -> PictureRef:
    """The picture at `url` with the first usable text of each kind, falling back as the
    module says; `problem` is set when it lacks a text the library requires."""
    alt, captions, titles = list(alt), list(captions), list(titles)
    alt_text = first_text(*alt, *captions, *titles)
    caption = first_text(*captions, *titles, *alt)
    credit, source = plain(credit), plain(source)
    problem = ""
    if not alt_text:
        problem = "it has no alt text, caption or title (add it in the admin with its texts)"
    elif not credit:
        problem = "it has no credit (no byline, copyright holder or notice) to show with it"
    return PictureRef(
        url=url,
        alt_text=cut(alt_text, ALT_TEXT_MAX_LENGTH),
        caption=cut(caption, CAPTION_MAX_LENGTH),
        credit=cut(credit, CREDIT_MAX_LENGTH),
        source=cut(source, SOURCE_MAX_LENGTH),
        rights=rights,
        problem=problem,
    )


def plain(value) -> str:
    """One line of plain text from a source's field (markup and entities read), or ""."""
    if not isinstance(value, str):
        return ""
    return " ".join(_UNSTORABLE.sub("", html.unescape(strip_markup(value))).split())


def first_text(*values) -> str:
    return next((text for text in map(plain, values) if text), "")


def cut(text: str, max_length: int) -> str:
    if len(text) <= max_length:
        return text
    return text[: max_length - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—") + "…"


def web_address(value) -> str | None:
    """`value` when it is an http(s) address to fetch (a scheme the fetch refuses is still
    given, for its error to say so), else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > URL_MAX_LENGTH or _UNSTORABLE.search(value) or " " in value:
        return None
    return value


@dataclass
class _Fetched:
    file: File
    upload: uploads.Upload


class StoryPictures:
    """One run's pictures: each story's lead image and the pictures its body shows
    (body_pictures.py). `fetch_all` before the import's transaction; `image_for` and
    `body_for` inside. An address is downloaded once, whichever stories (lead or body) name it.

    `where` names a story as the import's messages do ("story.json: document 2").
    """

    def __init__(self, *, enabled: bool, dry_run: bool, prefix: str, stderr):
        self.enabled = enabled
        self.dry_run = dry_run
        self.prefix = prefix
        self.stderr = stderr
        self.downloads: dict[str, _Fetched | str] = {}  # url -> the file, or why it failed
        self.results: dict[str, str] = {}  # where -> what became of its lead image
        self.body_results: dict[str, list[str]] = {}  # where -> what became of its body's
        # added, reused, failed, would fetch: for lead images, and for pictures in bodies
        self.counts: dict[str, Counter] = {LEAD: Counter(), BODY: Counter()}
        self.stored: list[str] = []  # files saved this run (deleted if the run rolls back)

    def __enter__(self) -> "StoryPictures":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """Around the import's transaction: a run that fails takes its pictures' files along."""
        if exc_type is not None:
            self.discard()
        self.close()

    def fetch_all(self, stories: Iterable[tuple[str, PictureRef | None, Iterable]], *, bar):
        """Download each story's `(where, lead picture, body pictures)`."""
        with bar:
            for where, lead, body in stories:
                if lead is not None:
                    self.fetch(where, lead)
                for ref in body:
                    self.fetch(where, ref, kind=BODY)
                bar.advance()

    def fetch(self, where: str, ref: PictureRef, *, kind: str = LEAD) -> None:
        if ref.problem:
            self.fail(where, ref, ref.problem, kind=kind)
        elif self.dry_run:
            text = f"{ref.url} (would be fetched; a dry run downloads nothing)"
            self.note(kind, where, "would fetch", text)
        else:
            if ref.url not in self.downloads:
                self.downloads[ref.url] = download(ref.url)
            found = self.downloads[ref.url]
            if isinstance(found, str):
                self.fail(where, ref, found, kind=kind)

    def fail(self, where: str, ref: PictureRef, reason: str, *, kind: str = LEAD) -> None:
        reason = reason.rstrip(".")
        self.note(kind, where, "failed", f"{ref.url} (not imported: {reason})")
        if kind == LEAD:
            what, kept = "picture", "the story is imported all the same"
        else:
            what, kept = "body picture", "the story is imported with its img as it was"
        self.stderr.write(f"{self.prefix}{where}: {what} {ref.url} not imported: {reason}; {kept}")

    def note(self, kind: str, where: str, count: str, text: str) -> None:
        self.counts[kind][count] += 1
        if kind == LEAD:
            self.results[where] = text
        else:
            self.body_results.setdefault(where, []).append(text)

    def image_for(self, where: str, ref: PictureRef | None) -> Image | None:
        """The library's picture for the story's `ref`, added now when new; None when there is
        none to give (not asked for, not fetched, refused)."""
        return self.library_image(where, ref, kind=LEAD)

    def body_for(self, where: str, html: str, refs: dict[str, PictureRef]) -> str:
        """The story's body with each img whose picture came in naming the library's picture
        (its original's address, as images/body.py reads it); every other img as it was.
        `refs` are the body's pictures by the address its imgs give."""
        addresses = {}
        for src, ref in refs.items():
            image = self.library_image(where, ref, kind=BODY)
            if image is not None:
                addresses[src] = image.file.url
        return body_pictures.rewrite(html, addresses) if addresses else html

    def library_image(self, where: str, ref: PictureRef | None, *, kind: str) -> Image | None:
        if ref is None or ref.problem or not self.enabled:
            return None
        found = self.downloads.get(ref.url)
        if not isinstance(found, _Fetched):
            return None
        image = Image.objects.filter(sha256=found.upload.sha256).first()
        if image is not None:
            self.note(
                kind, where, "reused", f"{ref.url} (already in the library: picture {image.pk})"
            )
            return image
        image = self.add(ref, found)
        self.note(kind, where, "added", f"{ref.url} (added to the library: picture {image.pk})")
        return image

    def add(self, ref: PictureRef, found: _Fetched) -> Image:
        upload = found.upload
        image = Image(
            alt_text=ref.alt_text,
            caption=ref.caption,
            credit=ref.credit,
            source=ref.source,
            rights=ref.rights,
        )
        image.take(upload)
        found.file.seek(0)
        image.file.save(f"import.{upload.extension}", found.file, save=False)
        self.stored.append(image.file.name)
        image.save()
        return image

    def result(self, where: str) -> str | None:
        return self.results.get(where)

    def body_result(self, where: str) -> list[str]:
        return self.body_results.get(where, [])

    def summary(self) -> str:
        """`Lead images: 2 added to the library, 1 already in it, 1 not imported (…)`, and a
        line `Body images: …` of the same."""
        if not self.enabled:
            return ""
        lines = []
        for kind, counts in self.counts.items():
            parts = []
            if counts["would fetch"]:
                parts.append(f"{counts['would fetch']} would be fetched")
            if counts["added"]:
                parts.append(f"{counts['added']} added to the library")
            if counts["reused"]:
                parts.append(f"{counts['reused']} already in it")
            if counts["failed"]:
                parts.append(f"{counts['failed']} not imported (listed on stderr)")
            if parts:
                lines.append(f"{SUMMARY_TITLES[kind]}: {', '.join(parts)}")
        return "\n".join(lines)

    def discard(self) -> None:
        """Delete the files this run stored: the run was rolled back, their rows with it."""
        self.delete_files(self.stored)
        self.stored = []

    def close(self) -> None:
        for found in self.downloads.values():
            if isinstance(found, _Fetched):
                found.file.close()

    @staticmethod
    def delete_files(names: list[str]) -> None:
        for name in names:
            default_storage.delete(name)


def download(url: str) -> _Fetched | str:
    """The checked picture at `url`, in a temporary file; or why there is none."""
    spool = tempfile.TemporaryFile()
    try:
        downloads.fetch(
            url,
            spool,
            max_bytes=settings.IMAGE_MAX_UPLOAD_BYTES,
            timeout=settings.IMAGE_FETCH_TIMEOUT,
            allow_private=settings.IMAGE_FETCH_ALLOW_PRIVATE,
        )
        spool.seek(0)
        file = File(spool, name="download")
        # The same checks as an upload: complete JPEG, PNG or WebP, within the limits.
        return _Fetched(file, uploads.check(file))
    except downloads.DownloadError as error:
        spool.close()
        return str(error)
    except ValidationError as error:
        spool.close()
        return " ".join(error.messages)
