"""A ninjs document's texts: its headlines, its body and its descriptions.

- headline: the `main` headline (else one without a role); `kicker` and `seo` roles too.
- body: an HTML/XHTML body, renamed to the allow-list's tags and sanitized, is preferred to a
  plain-text one, whose paragraphs (blank-line separated; each line when there are no blank
  lines) become escaped `<p>`s.
- dek: the `summary` description (or dek/standfirst/abstract/teaser; else an unroled one);
  `seo` is the meta description; `correction`, `clarification` and `update` are corrections.
"""

import re

from articles.ingest.markup import WORD_BREAKS, wrap_loose_text
from articles.ingest.ninjs_document import CorrectionNote, Document, NinjsError, Text, html_line
from articles.ingest.wiretext import escape_text, is_visible
from articles.sanitize import rename_to_allowed, sanitize_body

# Field sizes of the models the story goes into.
HEADLINE_MAX_LENGTH = 200
KICKER_MAX_LENGTH = 80
SEO_TITLE_MAX_LENGTH = 70
META_DESCRIPTION_MAX_LENGTH = 200
_TAG = re.compile(r"<[^<>]*>")
DEK_ROLES = ("summary", "dek", "standfirst", "abstract", "teaser")
CORRECTION_ROLES = ("correction", "clarification", "update")
# A document's <head> is no part of its text; around the block elements the allow-list drops,
# a blank line keeps words apart and, outside an element, starts a new paragraph.
_BREAKS = [
    # Each scan stops at the next <head (or <): a body of 10,000 unclosed ones stays linear.
    (re.compile(r"<head\b(?:(?!<head\b).)*?</head\s*>", re.IGNORECASE | re.DOTALL), ""),
    *WORD_BREAKS,
    (
        re.compile(
            r"(</?(?:div|section|article|header|footer|aside|tr|table|pre|dl|dd|dt|address)\b[^<>]*>"
            r"|<hr\b[^<>]*>)",
            re.IGNORECASE,
        ),
        r"\n\n\1\n\n",
    ),
]


def headlines(doc: Document) -> tuple[str | None, str | None, str | None]:
    """The headline, kicker and search headline (None: the document has none)."""
    texts = doc.texts("headlines")
    legacy = doc.text(doc.document, "headline")
    if legacy is not None:
        texts.append(Text(legacy, "", "", "headline"))
    main = _pick(texts, ("main", ""), exclude=("kicker", "seo", "subtitle", "caption"))
    headline = html_line(main.plain) if main else ""
    if not is_visible(headline):
        headline = ""
    if len(headline) > HEADLINE_MAX_LENGTH:
        raise NinjsError(
            f"{main.where}: the headline is {len(headline)} characters long "
            f"(at most {HEADLINE_MAX_LENGTH})"
        )
    kicker = _optional_line(doc, texts, "kicker", "kicker", KICKER_MAX_LENGTH)
    seo_title = _optional_line(doc, texts, "seo", "search headline", SEO_TITLE_MAX_LENGTH)
    return headline or None, kicker, seo_title


def _optional_line(doc: Document, texts, role: str, label: str, max_length: int) -> str | None:
    found = next((text for text in texts if text.role == role), None)
    if found is None:
        return None
    value = html_line(found.plain)
    if len(value) > max_length:
        doc.notes.append(
            f"{label} left out: {len(value)} characters (at most {max_length}) in {found.where}"
        )
        return None
    return value


def body(doc: Document) -> str | None:
    """The first body with text, markup preferred, as sanitized HTML."""
    candidates = []
    for text in doc.texts("bodies"):
        if text.is_markup:
            candidates.append((0, text))
        elif text.is_plain:
            candidates.append((1, text))
    for name, markup in (("body_html", True), ("body_xhtml", True), ("body_text", False)):
        value = doc.text(doc.document, name)
        if value is not None:
            candidates.append((0 if markup else 1, Text(value, "", "", name, markup)))
    role_rank = {"main": 0, "": 1, "richtext": 2}
    candidates.sort(key=lambda pair: (pair[0], role_rank.get(pair[1].role, 3)))
    for _, text in candidates:
        found = html_body(text.value) if text.is_markup else plain_body(text.value)
        if _has_text(found):
            return found
    return None


def descriptions(doc: Document) -> tuple[str | None, str | None, list[CorrectionNote]]:
    """The dek, the meta description and the corrections."""
    texts = doc.texts("descriptions")
    for name, markup in (("description_text", False), ("description_html", True)):
        value = doc.text(doc.document, name)
        if value is not None:
            texts.append(Text(value, "", "", name, markup))
    dek_item = _pick(texts, DEK_ROLES) or _pick(texts, ("",))
    dek = dek_item.plain.strip() if dek_item else None
    meta = _optional_line(doc, texts, "seo", "meta description", META_DESCRIPTION_MAX_LENGTH)
    corrections = []
    for text in texts:
        if text.role in CORRECTION_ROLES and text.plain.strip():
            corrections.append(CorrectionNote(text.role, text.plain.strip()))
    return dek, meta, corrections


def _pick(texts: list[Text], roles, exclude=()) -> Text | None:
    """The first text with the first of `roles`; else, given `exclude`, any other role."""
    for role in roles:
        for text in texts:
            if text.role == role and text.plain.strip():
                return text
    if exclude:
        for text in texts:
            if text.role not in exclude and text.plain.strip():
                return text
    return None


def html_body(markup: str) -> str:
    """An HTML or XHTML body on the allow-list, loose text wrapped in paragraphs."""
    markup = rename_to_allowed(markup)
    for pattern, replacement in _BREAKS:
        markup = pattern.sub(replacement, markup)
    return sanitize_body(wrap_loose_text(sanitize_body(markup)))


def plain_body(text: str) -> str:
    """Paragraphs of plain text as escaped `<p>`s: split at blank lines when it has them (a
    hard-wrapped paragraph is one paragraph), else one paragraph per line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n[ \t]*\n", text.strip()):
        paragraphs = [
            " ".join(line.strip(" \t") for line in part.split("\n") if line.strip(" \t"))
            for part in re.split(r"\n[ \t]*\n", text)
        ]
    else:
        paragraphs = [line.strip(" \t") for line in text.split("\n")]
    return "\n".join(f"<p>{escape_text(part)}</p>" for part in paragraphs if part.strip())


def _has_text(body: str) -> bool:
    # `body` is sanitized: its tags are whole, so removing them is one linear scan (strip_tags'
    # parser takes half a second over 100,000 entities).
    return bool(_TAG.sub("", body).strip())
