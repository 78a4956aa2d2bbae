"""Lead images an import fetches (`--fetch-images`): the picture a source names, the texts that
travel with it, and its way into the library.

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
A picture already in the library (the same bytes: its SHA-256) is reused as it is, its texts
and rights untouched; a picture that fails any check an upload must pass is not stored.

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
from django.db import IntegrityError, transaction

from articles.ingest import downloads
from articles.ingest.markup import strip_markup
from images import uploads
from images.models import Image

ALT_TEXT_MAX_LENGTH = Image._meta.get_field("alt_text").max_length
CAPTION_MAX_LENGTH = Image._meta.get_field("caption").max_length
CREDIT_MAX_LENGTH = Image._meta.get_field("credit").max_length
SOURCE_MAX_LENGTH = Image._meta.get_field("source").max_length
URL_MAX_LENGTH = 2000
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


class LeadImages:
    """One run's lead images: `fetch_all` before the import's transaction, `image_for` inside.

    `where` names a story as the import's messages do ("story.json: document 2").
    """

    def __init__(self, *, enabled: bool, dry_run: bool, prefix: str, stderr):
        self.enabled = enabled
        self.dry_run = dry_run
        self.prefix = prefix
        self.stderr = stderr
        self.downloads: dict[str, _Fetched | str] = {}  # url -> the file, or why it failed
        self.results: dict[str, str] = {}  # where -> what became of its picture
        self.counts: Counter = Counter()  # added, reused, failed, would fetch
        self.stored: list[str] = []  # files saved this run (deleted if the run rolls back)

    def __enter__(self) -> "LeadImages":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """Around the import's transaction: a run that fails takes its pictures' files along."""
        if exc_type is not None:
            self.discard()
        self.close()

    def fetch_all(self, stories: Iterable[tuple[str, PictureRef | None]], *, bar) -> None:
        with bar:
            for where, ref in stories:
                if ref is not None:
                    self.fetch(where, ref)
                bar.advance()

    def fetch(self, where: str, ref: PictureRef) -> None:
        if ref.problem:
            self.fail(where, ref, ref.problem)
        elif self.dry_run:
            self.results[where] = f"{ref.url} (would be fetched; a dry run downloads nothing)"
            self.counts["would fetch"] += 1
        else:
            if ref.url not in self.downloads:
                self.downloads[ref.url] = download(ref.url)
            found = self.downloads[ref.url]
            if isinstance(found, str):
                self.fail(where, ref, found)

    def fail(self, where: str, ref: PictureRef, reason: str) -> None:
        reason = reason.rstrip(".")
        self.results[where] = f"{ref.url} (not imported: {reason})"
        self.counts["failed"] += 1
        self.stderr.write(
            f"{self.prefix}{where}: picture {ref.url} not imported: {reason}; "
            "the story is imported all the same"
        )

    def image_for(self, where: str, ref: PictureRef | None) -> Image | None:
        """The library's picture for the story's `ref`, added now when new; None when there is
        none to give (not asked for, not fetched, refused)."""
        found = self.downloads.get(ref.url) if ref is not None and self.enabled else None
        if not isinstance(found, _Fetched):
            return None
        image = Image.objects.filter(sha256=found.upload.sha256).first()
        if image is not None:
            self.counts["reused"] += 1
            self.results[where] = f"{ref.url} (already in the library: picture {image.pk})"
            return image
        image = self.add(ref, found)
        self.counts["added"] += 1
        self.results[where] = f"{ref.url} (added to the library: picture {image.pk})"
        return image

    def add(self, ref: PictureRef, found: _Fetched) -> Image:
        upload = found.upload
        image = Image(
            alt_text=ref.alt_text,
            caption=ref.caption,
            credit=ref.credit,
            source=ref.source,
            rights=ref.rights,
            sha256=upload.sha256,
            width=upload.width,
            height=upload.height,
            file_size=upload.size,
            mime_type=upload.mime_type,
        )
        found.file.seek(0)
        image.file.save(f"import.{upload.extension}", found.file, save=False)
        self.stored.append(image.file.name)
        try:
            with transaction.atomic():
                image.save()
        except IntegrityError:  # another process added the same picture meanwhile
            self.delete_files([self.stored.pop()])
            return Image.objects.get(sha256=upload.sha256)
        return image

    def result(self, where: str) -> str | None:
        return self.results.get(where)

    def summary(self) -> str:
        """`Lead images: 2 added to the library, 1 already there, 1 not imported (…)`."""
        counts = self.counts
        if not self.enabled or not counts:
            return ""
        parts = []
        if counts["would fetch"]:
            parts.append(f"{counts['would fetch']} would be fetched")
        if counts["added"]:
            parts.append(f"{counts['added']} added to the library")
        if counts["reused"]:
            parts.append(f"{counts['reused']} already in it")
        if counts["failed"]:
            parts.append(f"{counts['failed']} not imported (listed on stderr)")
        return f"Lead images: {', '.join(parts)}"

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
