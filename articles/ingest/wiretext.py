"""Wire text: the plain-text story format agencies send and the seed story is written in.

The first visible line is the headline. Each later visible line is a block: a subheading when
it is short (at most 12 words) and does not end like a sentence, otherwise a paragraph. Blank
lines, CRLF or CR line endings, a UTF-8 byte-order mark and spaces around lines are tolerated;
the words themselves are kept exactly (curly quotes, dashes, non-breaking spaces).

Everything here is pure: text in, story out; wiretext_stories.py finds or makes its story.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.text import slugify

HEADLINE_MAX_LENGTH = 200  # Article.headline
SLUG_MAX_LENGTH = 200  # Article.slug
SUBHEADING_MAX_WORDS = 12
MAX_SUGGESTED_TAGS = 15

# A line ending in one of these (before any closing quotes or brackets) reads as a sentence,
# so it is a paragraph however short. A question mark is allowed: subheads ask questions.
_SENTENCE_ENDINGS = frozenset(".!:;,…")
_CLOSERS = "\"'”’»)]}"
# Control characters other than tab, line feed, form feed and carriage return mean the file
# is not text; so do lone surrogates, which no database can store.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class WireTextError(ValueError):
    """Input that cannot become a story; the message says why, in an editor's words."""


class BlockKind(StrEnum):
    SUBHEADING = "subheading"
    PARAGRAPH = "paragraph"


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str

    @property
    def html(self) -> str:
        tag = "h2" if self.kind is BlockKind.SUBHEADING else "p"
        return f"<{tag}>{escape_text(self.text)}</{tag}>"


@dataclass(frozen=True)
class WireStory:
    headline: str
    blocks: tuple[Block, ...]

    @property
    def paragraphs(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind is BlockKind.PARAGRAPH]

    @property
    def dek(self) -> str:
        """The standfirst: the first sentence of the first paragraph."""
        return first_sentence(self.paragraphs[0])

    @property
    def body_html(self) -> str:
        """`<h2>` subheadings and `<p>` paragraphs, one per line, as the seed fixture has them."""
        return "\n".join(block.html for block in self.blocks)

    @property
    def text(self) -> str:
        """Headline and blocks as plain text, for finding tags."""
        return "\n".join([self.headline, *(block.text for block in self.blocks)])


def escape_text(text: str) -> str:
    """Escape text for an HTML text node exactly as the body sanitizer serializes it.

    Matching the sanitizer (nh3/html5ever: `&`, `<`, `>` and no-break space) keeps an imported
    body byte-identical after the pre-save clean, so re-imports compare equal.
    """
    return (
        text.replace("&", "&amp;")
        .replace("\u00a0", "&nbsp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def decode(data: bytes) -> str:
    """Return the text of a wire file: UTF-8, with or without a byte-order mark."""
    if not data.strip():
        raise WireTextError("empty file: there is no story in it")
    if b"\x00" in data:
        raise WireTextError("binary file (it contains NUL bytes), not wire text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise WireTextError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save the file as UTF-8"
        ) from None


def is_visible(text: str) -> bool:
    """Whether text shows anything: only format characters (zero-width spaces, stray marks)
    read as blank."""
    return any(unicodedata.category(char)[0] in "LNPS" for char in text)


def _check_characters(text: str) -> None:
    found = _FORBIDDEN.search(text)
    if found is None:
        return
    char, line = found.group(), text.count("\n", 0, found.start()) + 1
    if char == "\x00":
        raise WireTextError("binary file (it contains NUL bytes), not wire text")
    if "\ud800" <= char <= "\udfff":
        raise WireTextError(f"broken character (a lone surrogate) on line {line}")
    raise WireTextError(
        f"control character U+{ord(char):04X} on line {line}; this does not look like plain text"
    )


def is_subheading(line: str) -> bool:
    """Whether a body line is a subheading: a few words that do not end like a sentence."""
    if len(line.split()) > SUBHEADING_MAX_WORDS or not any(char.isalpha() for char in line):
        return False
    ending = line.rstrip(_CLOSERS).rstrip()
    return bool(ending) and ending[-1] not in _SENTENCE_ENDINGS


def parse(text: str) -> WireStory:
    """Split wire text into headline and blocks; raise `WireTextError` when it is no story."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    _check_characters(text)
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line and is_visible(line)]
    if not lines:
        raise WireTextError("empty file: there is no story in it")
    headline, *body = lines
    if len(headline) > HEADLINE_MAX_LENGTH:
        raise WireTextError(
            f"the first line, which becomes the headline, is {len(headline)} characters long "
            f"(at most {HEADLINE_MAX_LENGTH}); does the file start with its headline?"
        )
    if not body:
        raise WireTextError("only a headline, no body: a story needs at least one paragraph")
    blocks = tuple(
        Block(BlockKind.SUBHEADING if is_subheading(line) else BlockKind.PARAGRAPH, line)
        for line in body
    )
    if not any(block.kind is BlockKind.PARAGRAPH for block in blocks):
        raise WireTextError(
            "no paragraphs, only a headline and subheadings: a story needs at least one "
            "paragraph (a line of more than 12 words, or one that ends like a sentence)"
        )
    return WireStory(headline=headline, blocks=blocks)


# A period after these is not the end of a sentence ("Sen. Schumer", "Sept. 9", "No. 2").
_ABBREVIATIONS = frozenset(
    "Mr Mrs Ms Dr Prof Rev Hon Sen Rep Gov Gen Lt Col Maj Capt Cmdr Adm Sgt Supt Atty Pres "
    "St Mt Ft Ave Blvd Dept Jan Feb Aug Sept Sep Oct Nov Dec No vs approx".split()
)
# (?<!…): a run of stops is tried from its start only (from each of 100,000 dots, the search
# took quadratic time).
_SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]+[\"'”’»)\]]*(?=\s+(\S))")
# The word before a period is looked for this far back: enough for any abbreviation.
_WORD_BEFORE = 64


def first_sentence(paragraph: str) -> str:
    """Return the paragraph's first sentence (the whole paragraph if it has just one)."""
    for match in _SENTENCE_END.finditer(paragraph):
        following = match.group(1)
        if following.islower():
            continue
        if match.group().startswith("."):
            before = paragraph[max(match.start() - _WORD_BEFORE, 0) : match.start()].split()
            word = before[-1].lstrip("\"'“‘«([{") if before else ""
            # Initials and initialisms ("J. Smith", "U.S. officials") and titles.
            if len(word) <= 1 or "." in word or word in _ABBREVIATIONS:
                continue
        return paragraph[: match.end()]
    return paragraph


def slug_base(headline: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """The slug a headline asks for: ASCII words joined by hyphens, cut at a word."""
    slug = slugify(headline) or "story"
    if len(slug) > max_length:
        cut = slug[:max_length]
        if slug[max_length] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]
        slug = cut.strip("-")
    return slug


def unique_slug(base: str, taken: Collection[str], max_length: int = SLUG_MAX_LENGTH) -> str:
    """Return `base`, or the first of `base-2`, `base-3`, … that is not in `taken`."""
    if base not in taken:
        return base
    number = 2
    while (candidate := numbered_slug(base, number, max_length)) in taken:
        number += 1
    return candidate


def numbered_slug(base: str, number: int, max_length: int = SLUG_MAX_LENGTH) -> str:
    """`base-<number>`, shortening `base` to keep within `max_length`."""
    suffix = f"-{number}"
    return base[: max_length - len(suffix)].rstrip("-") + suffix


_WORD = re.compile(r"\w+")
_LONGEST_TAG_WORDS = 8


def _is_acronym(name: str) -> bool:
    # "ICE", "NYPD", "U.S.": matched only in capitals, so "ice" on the roads is no agency.
    return name.isupper() and not any(char.isspace() for char in name.strip())


class TagMatcher:
    """Finds which of a site's tags a story mentions, by whole words.

    Acronyms match case-sensitively, other names in any case. Build it once per run: it
    indexes every tag name.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self._names: dict[tuple[tuple[str, ...], bool], str] = {}
        self._lengths: set[int] = set()
        for name in names:
            words = tuple(_WORD.findall(name))
            if not words or len(words) > _LONGEST_TAG_WORDS:
                continue
            exact = _is_acronym(name)
            key = words if exact else tuple(word.casefold() for word in words)
            self._names.setdefault((key, exact), name)
            self._lengths.add(len(words))

    def suggest(self, text: str, *, limit: int = MAX_SUGGESTED_TAGS) -> list[str]:
        """Tag names found in `text`, the most frequent first (ties: first to appear)."""
        words = _WORD.findall(text)
        folded = [word.casefold() for word in words]
        counts: Counter[str] = Counter()
        first_seen: dict[str, int] = {}
        for length in sorted(self._lengths):
            for start in range(len(words) - length + 1):
                for exact, sequence in ((True, words), (False, folded)):
                    name = self._names.get((tuple(sequence[start : start + length]), exact))
                    if name is not None:
                        counts[name] += 1
                        first_seen.setdefault(name, start)
        ranked = sorted(counts, key=lambda name: (-counts[name], first_seen[name]))
        return ranked[:limit]
