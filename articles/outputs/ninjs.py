"""A live story as IPTC ninjs ("News in JSON"), so wire services and partners can take our copy.

Two shapes from one mapping: ninjs 2.2 (all-lowercase property names, the 2.x line newsroom
systems use) and ninjs 3.x (camelCase names, per the 3.1 schema). Specification and schemas:
https://iptc.org/standards/ninjs/ and https://github.com/iptc/newsinjson.

Choices the standard leaves to the provider:
- `uri` is `urn:uuid:<article uuid>`: a registered URN namespace (RFC 9562), the same id our
  feeds use as the item guid, and stable across edits, slug changes and re-publication. The
  story's address on the site is given separately as its `text/html` rendition.
- `version` is the story's own edit counter; `firstcreated` its first publication and
  `versioncreated` its last change (never earlier than first publication).
- The byline is `by` (“Ana Reyes and Ben Ortiz”) and each author is one of `people` with
  `rel: "author"`: neither schema has an authors property.
- The section and the tags are `subjects`, told apart by `rel` (`section` or `about`), each with
  the absolute address of its page as `uri` and its slug as `literal`. The story's kind is a
  `genres` entry, with an IPTC genre NewsCode where one fits.
- Corrections, clarifications and updates are `descriptions` with the kind as `role`, because
  partners who ran the story must see them.
- Bodies come twice with role `main`: the sanitized HTML (`text/html`) and a plain-text version
  (`text/plain`, paragraphs separated by blank lines). Both carry the counts of the plain text;
  figure captions are left out of the plain text and the counts, as the standard asks.
- The lead image is the one association, named `featuremedia` (the name ninjs 1.x and
  Superdesk use): alt text as its description, caption as its headline, credit as its
  copyright notice, the file as its `original` rendition.
"""

from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.text import get_text_list

from articles.models import Article
from articles.outputs.links import absolute_url
from images import body as body_pictures
from images import delivery

NINJS_2_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json#"
NINJS_3_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"

# http://cv.iptc.org/newscodes/genre/ has no code for plain news; an explainer is Background.
IPTC_GENRES = {
    Article.Kind.ANALYSIS: "http://cv.iptc.org/newscodes/genre/Analysis",
    Article.Kind.OPINION: "http://cv.iptc.org/newscodes/genre/Opinion",
    Article.Kind.EXPLAINER: "http://cv.iptc.org/newscodes/genre/Background",
}

# ninjs 3.0 renamed multi-word properties to camelCase; everything else kept its name.
NINJS_3_NAMES = {
    "representationtype": "representationType",
    "firstcreated": "firstCreated",
    "versioncreated": "versionCreated",
    "pubstatus": "pubStatus",
    "copyrightholder": "copyrightHolder",
    "copyrightnotice": "copyrightNotice",
    "contenttype": "contentType",
    "charcount": "charCount",
    "wordcount": "wordCount",
}


def article_uri(article: Article) -> str:
    """Return the story's permanent ninjs identifier."""
    return f"urn:uuid:{article.uuid}"


def to_ninjs_2(article: Article) -> dict[str, Any]:
    """Return the story as a ninjs 2.2 document.

    Expects `bylines__author`, `tags`, `corrections` and `section` loaded with the article (see
    `api.detail_queryset`) to stay within a fixed number of queries.
    """
    return _document(article, standard_version="2.2", schema=NINJS_2_SCHEMA)


def to_ninjs_3(article: Article) -> dict[str, Any]:
    """Return the story as a ninjs 3.x document (the 3.1 schema's camelCase names)."""
    document = _document(article, standard_version="3.1", schema=NINJS_3_SCHEMA)
    return _rename_keys(document, NINJS_3_NAMES)


def _document(article: Article, *, standard_version: str, schema: str) -> dict[str, Any]:
    first_published = article.date_published
    document: dict[str, Any] = {
        "uri": article_uri(article),
        "standard": {"name": "ninjs", "version": standard_version, "schema": schema},
        "type": "text",
        "representationtype": "full",
        "version": str(article.version),
        "firstcreated": _timestamp(first_published),
        "versioncreated": _timestamp(max(article.updated_at, first_published)),
        "pubstatus": "usable",
        "language": settings.SITE_LANGUAGE,
        "copyrightholder": settings.SITE_NAME,
        "headlines": _headlines(article),
        "bodies": _bodies(article),
        "subjects": _subjects(article),
        "genres": [_genre(article)],
        "renditions": [
            {
                "name": "web",
                "href": absolute_url(article.get_absolute_url()),
                "contenttype": "text/html",
                "title": article.headline,
            }
        ],
    }
    if descriptions := _descriptions(article):
        document["descriptions"] = descriptions
    if authors := article.byline_authors:
        document["by"] = get_text_list([author.name for author in authors], "and")
        document["people"] = [
            {
                "name": author.name,
                "rel": "author",
                "uri": absolute_url(author.get_absolute_url()),
                "literal": author.slug,
            }
            for author in authors
        ]
    if article.dateline:
        document["located"] = article.dateline
    image = delivery.for_readers(article.lead_image) if article.lead_image_id else None
    if image is not None and image.rendered:
        document["associations"] = [_lead_image(image)]
    return document


def _bodies(article: Article) -> list[dict[str, Any]]:
    text = PlainText.from_html(article.body)
    return [
        {
            "role": "main",
            "contenttype": contenttype,
            "value": value,
            "charcount": text.charcount,
            "wordcount": text.wordcount,
        }
        for contenttype, value in (
            ("text/html", body_pictures.for_partners(article.body)),
            ("text/plain", text.value),
        )
    ]


def _subjects(article: Article) -> list[dict[str, str]]:
    section = article.section
    tags = article.sorted_tags
    return [
        {
            "name": section.name,
            "rel": "section",
            "uri": absolute_url(section.get_absolute_url()),
            "literal": section.slug,
        },
        *(
            {
                "name": tag.name,
                "rel": "about",
                "uri": absolute_url(reverse("articles:tag", kwargs={"slug": tag.slug})),
                "literal": tag.slug,
            }
            for tag in tags
        ),
    ]


def _headlines(article: Article) -> list[dict[str, str]]:
    headlines = [{"role": "main", "contenttype": "text/plain", "value": article.headline}]
    if article.seo_title and article.seo_title != article.headline:
        headlines.append({"role": "seo", "contenttype": "text/plain", "value": article.seo_title})
    if article.kicker:
        headlines.append({"role": "kicker", "contenttype": "text/plain", "value": article.kicker})
    return headlines


def _descriptions(article: Article) -> list[dict[str, str]]:
    descriptions = []
    if article.dek:
        descriptions.append({"role": "summary", "contenttype": "text/plain", "value": article.dek})
    if article.meta_description and article.meta_description != article.dek:
        descriptions.append(
            {"role": "seo", "contenttype": "text/plain", "value": article.meta_description}
        )
    for correction in sorted(article.corrections.all(), key=lambda c: (c.created_at, c.pk)):
        descriptions.append(
            {"role": correction.kind, "contenttype": "text/plain", "value": correction.text}
        )
    return descriptions


def _genre(article: Article) -> dict[str, str]:
    genre = {"name": str(Article.Kind(article.kind).label), "literal": article.kind}
    if uri := IPTC_GENRES.get(article.kind):
        genre["uri"] = uri
    return genre


def _lead_image(picture) -> dict[str, Any]:
    files = delivery.all_files(picture)
    renditions = [
        {
            "name": f"{file.ratio}-{file.width}-{file.mime_type.split('/')[1]}",
            "href": absolute_url(file.url),
            "contenttype": file.mime_type,
            "width": file.width,
            "height": file.height,
        }
        for file in files
    ]
    largest = max(
        (file for file in files if file.ratio == "free" and file.mime_type == "image/jpeg"),
        key=lambda file: file.width,
    )
    image: dict[str, Any] = {
        "name": "featuremedia",
        "uri": absolute_url(largest.url),
        "type": "picture",
        "pubstatus": "usable",
        "renditions": renditions,
    }
    if picture.caption:
        image["headlines"] = [{"role": "caption", "value": picture.caption}]
    if picture.alt_text:
        image["descriptions"] = [{"role": "alt", "value": picture.alt_text}]
    if picture.credit:
        image["copyrightnotice"] = picture.credit
        image["by"] = picture.credit
    return image


def _timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC to the second, as in the IPTC's examples: 2013-07-09T10:37:00Z."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _rename_keys(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {names.get(key, key): _rename_keys(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_rename_keys(item, names) for item in value]
    return value


class PlainText(HTMLParser):
    """The story body as plain text: one paragraph per block, figure captions left out."""

    BLOCKS = {"p", "h2", "h3", "blockquote", "li", "figure", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.in_caption = 0

    @classmethod
    def from_html(cls, html: str) -> "PlainText":
        parser = cls()
        parser.feed(html)
        parser.close()
        parser.end_paragraph()
        return parser

    def handle_starttag(self, tag, attrs):
        if tag == "figcaption":
            self.in_caption += 1
        elif tag in self.BLOCKS:
            self.end_paragraph()

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self.in_caption = max(0, self.in_caption - 1)
        elif tag in self.BLOCKS:
            self.end_paragraph()

    def handle_data(self, data):
        if not self.in_caption:
            self.current.append(data)

    def end_paragraph(self):
        paragraph = " ".join("".join(self.current).split())
        if paragraph:
            self.paragraphs.append(paragraph)
        self.current = []

    @property
    def value(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def charcount(self) -> int:
        return len(self.value)

    @property
    def wordcount(self) -> int:
        return len(self.value.split())
