"""What the readers of HTML bodies (ninjs, WordPress) share: text left loose between blocks.

Removing markup that is not on the allow-list (a `<div>`, a table, block-editor comments)
leaves its text at the top level of the body, outside any paragraph; it is wrapped here.
"""

import re
from collections.abc import Iterator

from django.core.exceptions import SuspiciousOperation
from django.utils.html import strip_tags

# Removing these tags would glue neighbouring words together ("a<br>b" → "ab"): a line break
# or a space keeps them apart. Each reader adds its own block elements, which a blank line
# (a paragraph break) replaces.
WORD_BREAKS = [
    (re.compile(r"<br\s*/?>", re.IGNORECASE), "\n"),
    (re.compile(r"</t[dh]\s*>", re.IGNORECASE), " "),
]
BLOCK_TAGS = frozenset({"p", "h2", "h3", "blockquote", "ul", "ol", "li", "figure", "figcaption"})
_TOKEN = re.compile(r"<(/?)([a-z0-9]+)\b[^<>]*>|[^<]+|<", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n\s*\n")
_ANY_TAG = re.compile(r"<[^<>]*>?")


def strip_markup(value: str) -> str:
    """The text of `value` without its tags, as Django's strip_tags() gives it; markup that
    strip_tags() refuses as hostile (SuspiciousOperation: an unfinished tag holding fifty
    `<`) loses everything from each `<` to the next `>` or `<` instead."""
    try:
        return strip_tags(value)
    except SuspiciousOperation:
        return _ANY_TAG.sub("", value)


def wrap_loose_text(body: str, *, block_end: str = "") -> str:
    """Wrap text and inline markup left at the top level of sanitized HTML in paragraphs, split
    at blank lines; `block_end` follows each top-level block. Well-formed bodies (ours among
    them) come back unchanged."""
    out = []
    for is_block, piece in _top_level(body):
        if is_block:
            out.append(piece + block_end)
        elif piece.strip():
            paragraphs = [part.strip() for part in _BLANK_LINE.split(piece)]
            out.append("\n".join(f"<p>{part}</p>" for part in paragraphs if part) + block_end)
        else:
            out.append(piece)
    return "".join(out)


def _top_level(body: str) -> Iterator[tuple[bool, str]]:
    """The body's top-level pieces in order: `(True, a block element)` or `(False, the text
    and inline markup between two blocks)`."""
    loose: list[str] = []
    block: list[str] = []
    depth = 0
    for match in _TOKEN.finditer(body):
        token, closing, tag = match.group(), match[1], (match[2] or "").lower()
        if tag in BLOCK_TAGS:
            if not closing and depth == 0 and loose:
                yield False, "".join(loose)
                loose = []
            depth = max(depth - 1, 0) if closing else depth + 1
            block.append(token)
            if depth == 0:
                yield True, "".join(block)
                block = []
        elif depth == 0:
            loose.append(token)
        else:
            block.append(token)
    if loose:
        yield False, "".join(loose)
    if block:
        yield True, "".join(block)  # an element left open at the end
