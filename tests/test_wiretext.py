"""The wire-text parser: any text becomes a story with every line kept in order, or is refused
with a message; it never crashes."""

import html
import re
import string
import unicodedata

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from articles.ingest import wiretext
from articles.ingest.wiretext import BlockKind, WireTextError
from articles.sanitize import sanitize_body

VISIBLE = {"L", "N", "P", "S"}


def visible_lines(text: str) -> list[str]:
    """What a reader of the file sees: its non-blank lines, without surrounding spaces."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.strip() for line in text.split("\n")]
    return [
        line for line in lines if any(unicodedata.category(char)[0] in VISIBLE for char in line)
    ]


def block_texts(body_html: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r"<(?:h2|p)>(.*?)</(?:h2|p)>", body_html)]


# Arbitrary text; arbitrary text cut into lines; and lines of printable text, some ending
# like sentences, which more often make a story.
printable = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=120)
any_text = st.one_of(
    st.text(),
    st.lists(st.text(max_size=120), min_size=2, max_size=12).map("\n".join),
    st.lists(
        st.one_of(printable, printable.map(lambda line: line + "."), st.just("")),
        min_size=2,
        max_size=12,
    ).map("\n".join),
)


@given(any_text)
@example("")
@example("Headline only")
@example("Headline\n\nShort subhead\n")
@example("\ufeffHeadline\r\nA paragraph that ends.\r\n")
@example("Headline\nA < B & C > D\u00a0E.")
@example("Headline\nbad\x00byte.")
@example("Headline\nbell\x07 here.")
@example("x" * 201 + "\nA paragraph.")
def test_any_text_parses_with_every_line_in_order_or_is_refused_with_a_message(text):
    try:
        story = wiretext.parse(text)
    except WireTextError as refusal:
        assert str(refusal).strip()
        event("refused")
        return
    event("parsed")
    lines = visible_lines(text)
    assert story.headline == lines[0]
    assert [block.text for block in story.blocks] == lines[1:]
    assert block_texts(story.body_html) == lines[1:]
    assert story.paragraphs
    assert story.paragraphs[0].startswith(story.dek) and story.dek.strip()
    # The pre-save sanitizer leaves an imported body exactly as the parser wrote it.
    assert sanitize_body(story.body_html) == story.body_html


@given(st.binary())
@example(b"")
@example(b"\xff\xfe\x00H\x00i")
@example(b"\xef\xbb\xbfHeadline\nBody.")
def test_any_bytes_decode_to_text_or_are_refused_with_a_message(data):
    try:
        text = wiretext.decode(data)
    except WireTextError as refusal:
        assert str(refusal).strip()
        return
    assert text.encode("utf-8") in (data, data.removeprefix(b"\xef\xbb\xbf"))


words = st.text(alphabet=string.ascii_letters + "’“”—-é", min_size=1, max_size=12)
paragraphs = st.lists(words, min_size=13, max_size=40).map(" ".join).map(lambda s: s + ".")
subheadings = (
    st.lists(words, min_size=1, max_size=12).map(" ".join).filter(lambda s: s[-1].isalpha())
)
blocks = st.lists(
    st.one_of(
        paragraphs.map(lambda t: (BlockKind.PARAGRAPH, t)),
        subheadings.map(lambda t: (BlockKind.SUBHEADING, t)),
    ),
    min_size=1,
    max_size=12,
).filter(lambda bs: any(kind is BlockKind.PARAGRAPH for kind, _ in bs))


@given(
    headline=subheadings,
    body=blocks,
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    gaps=st.lists(st.sampled_from(["", " ", "\t", "  \u3000"]), min_size=1),
    trailing=st.sampled_from(["", " ", "  \t"]),
)
def test_wire_copy_in_any_layout_keeps_its_blocks_in_order(
    headline, body, newline, bom, gaps, trailing
):
    lines = [headline]
    for index, (_, text) in enumerate(body):
        lines.append(gaps[index % len(gaps)])
        lines.append(text + trailing)
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline

    story = wiretext.parse(wiretext.decode(text.encode("utf-8")))

    assert story.headline == headline
    assert [(block.kind, block.text) for block in story.blocks] == body


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("The Minneapolis Incident and Its Fallout", BlockKind.SUBHEADING),
        ("Who Pays for the New Bridge?", BlockKind.SUBHEADING),
        ("“What Comes Next?”", BlockKind.SUBHEADING),
        ("Officials said the plan would go ahead.", BlockKind.PARAGRAPH),
        ("He said: “We will not back down.”", BlockKind.PARAGRAPH),
        ("The measures included:", BlockKind.PARAGRAPH),
        ("First, the budget;", BlockKind.PARAGRAPH),
        ("Not now!", BlockKind.PARAGRAPH),
        ("And then…", BlockKind.PARAGRAPH),
        ("one two three four five six seven eight nine ten eleven twelve", BlockKind.SUBHEADING),
        (
            "one two three four five six seven eight nine ten eleven twelve thirteen",
            BlockKind.PARAGRAPH,
        ),
        ("***", BlockKind.PARAGRAPH),
        ("2025", BlockKind.PARAGRAPH),
    ],
)
def test_short_lines_that_do_not_end_like_a_sentence_are_subheadings(line, kind):
    story = wiretext.parse(f"Headline\n{line}\nA closing paragraph.")
    assert story.blocks[0].kind == kind


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        (" \n\t\n\u200b\n", "empty"),
        ("Just a headline\n\n", "only a headline"),
        ("Headline\nA Subhead\nAnother Subhead", "no paragraphs"),
        ("Headline\nA body with a NUL\x00 byte.", "binary"),
        ("Headline\nA body with an escape\x1b[0m code.", "control character U+001B on line 2"),
        ("H" * 201 + "\nA paragraph.", "201 characters"),
    ],
)
def test_text_that_is_no_story_is_refused_with_a_reason(text, problem):
    with pytest.raises(WireTextError, match=re.escape(problem)):
        wiretext.parse(text)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b"\n \r\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("Caf\u00e9 headline\nA paragraph.".encode("latin-1"), "not UTF-8 text (byte 0xe9"),
    ],
)
def test_bytes_that_are_not_utf8_text_are_refused_with_a_reason(data, problem):
    with pytest.raises(WireTextError, match=re.escape(problem)):
        wiretext.decode(data)


@pytest.mark.parametrize(
    ("paragraph", "dek"),
    [
        ("Mamdani spoke on Friday. He left.", "Mamdani spoke on Friday."),
        ("Sen. Chuck Schumer spoke. He left.", "Sen. Chuck Schumer spoke."),
        ("The U.S. Army withdrew. Others stayed.", "The U.S. Army withdrew."),
        (
            "Prices rose 5.5 percent in Sept. 2025. Analysts shrugged.",
            "Prices rose 5.5 percent in Sept. 2025.",
        ),
        ("He said “no.” Then he left.", "He said “no.”"),
        ("Why now? Because the vote is Tuesday.", "Why now?"),
        (
            "A wire paragraph of more than twelve words that never reaches a full stop",
            "A wire paragraph of more than twelve words that never reaches a full stop",
        ),
        ("J. Smith arrived. Then left.", "J. Smith arrived."),
        ("It was approved, e.g. by the board. Later more.", "It was approved, e.g. by the board."),
    ],
)
def test_dek_is_the_first_sentence_of_the_first_paragraph(paragraph, dek):
    assert wiretext.parse(f"Headline\nSubhead\n{paragraph}").dek == dek


@given(st.text(max_size=300))
def test_slug_base_is_a_short_ascii_slug(headline):
    slug = wiretext.slug_base(headline)
    assert re.fullmatch(r"[a-z0-9_]+(-[a-z0-9_]+)*", slug)
    assert len(slug) <= wiretext.SLUG_MAX_LENGTH


@given(base=st.from_regex(r"[a-z]{1,200}", fullmatch=True), count=st.integers(0, 30))
def test_unique_slug_numbers_taken_slugs_from_two(base, count):
    taken = {base, *(wiretext.numbered_slug(base, n) for n in range(2, count + 2))}
    slug = wiretext.unique_slug(base, taken)
    assert slug not in taken and len(slug) <= wiretext.SLUG_MAX_LENGTH
    assert slug.endswith(f"-{count + 2}")


def test_tags_are_found_by_whole_words_acronyms_in_capitals_only():
    matcher = wiretext.TagMatcher(["ICE", "NYPD", "Kristi Noem", "Sanctuary cities", "Iceland"])
    text = "Ice on the roads; ICE agents. Sanctuary Cities and NYPD. kristi noem. NYPDs."
    assert matcher.suggest(text) == ["ICE", "Sanctuary cities", "NYPD", "Kristi Noem"]
    assert matcher.suggest("The iced tea and the nypd") == []


def test_most_mentioned_tags_come_first_and_suggestions_are_capped():
    names = [f"Topic{n}" for n in range(30)]
    text = " ".join(names) + " Topic7 Topic7 Topic3"
    suggested = wiretext.TagMatcher(names).suggest(text)
    assert suggested[:3] == ["Topic7", "Topic3", "Topic0"]
    assert len(suggested) == wiretext.MAX_SUGGESTED_TAGS
