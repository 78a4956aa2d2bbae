"""A WordPress post's body: shortcodes, blocks and embeds, WordPress's autop, then the allow-list.

Galleries go, embeds and players become links, captions become figures, other shortcodes give
up the text they enclose; what was stripped is counted for the import's report.
"""

import html
import re
from bisect import bisect_left
from collections import Counter

from articles.ingest.markup import WORD_BREAKS, wrap_loose_text
from articles.sanitize import rename_to_allowed, sanitize_body

# Names WordPress core and the common plugins (Jetpack above all) register. An unknown
# `[word]` stays text — "[sic]", "[laughs]" — unless it has attributes or a closing tag.
EMBED_SHORTCODES = {
    "embed", "audio", "video", "playlist", "wpvideo", "youtube", "vimeo", "soundcloud",
    "spotify", "dailymotion", "ted", "twitter", "tweet", "instagram", "facebook", "flickr",
    "gist", "bandcamp", "slideshare", "scribd", "googlemaps", "vine", "mixcloud", "kickstarter",
    "pinterest", "twitch", "twitchtv", "tiktok", "reddit", "medium", "wistia", "jwplayer",
}  # fmt: skip
GALLERY_SHORTCODES = {"gallery", "slideshow", "tiled-gallery", "jetpack_slideshow"}
CAPTION_SHORTCODES = {"caption", "wp_caption"}
MAX_SHORTCODE_DEPTH = 10
KNOWN_SHORTCODES = (
    EMBED_SHORTCODES
    | GALLERY_SHORTCODES
    | CAPTION_SHORTCODES
    | {
        "archives", "contact-form", "contact-field", "polldaddy", "crowdsignal", "poll",
        "latex", "code", "sourcecode", "presentation", "slide", "recipe", "portfolio",
        "testimonials", "sitemap", "wufoo", "googleapps", "houzz", "recent-posts", "donate",
        "subscribe", "jetpack_subscription_form", "blog_subscription_form", "product",
        "products", "add_to_cart", "ad", "adsense", "fusion", "su",
    }
)  # fmt: skip
_SHORTCODE_OPEN = re.compile(
    r"\[(?P<escaped>\[?)(?P<name>[A-Za-z][\w-]*)(?![\w-])"
    r"(?P<attrs>[^\]\[]*?)(?P<selfclosing>/)?\](?P<escaped_end>\]?)"
)
_SHORTCODE_CLOSE = re.compile(r"\[/([A-Za-z][\w-]*)\]")
_SHORTCODE_ATTR = re.compile(r"""(?<![\w-])([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")
_URL = re.compile(r"""https?://[^\s<>"'\]\[]+""")
_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.MULTILINE)
# Every scan below stops where another match could start (the next block of its kind, the
# next comment or `<`, the next player), so no part of a body is read more than a few times:
# patterns that run on to the end of the text from each of 10,000 openers take quadratic time.
_BLOCK_GALLERY = re.compile(
    r"<!-- wp:gallery\b(?:(?!<!-- wp:gallery\b).)*?<!-- /wp:gallery -->", re.DOTALL
)
_BLOCK_EMBED = re.compile(
    r"<!-- wp:(?P<kind>core-embed/[\w-]+|embed)\s+(?P<json>\{(?:(?!-->|<!--).)*?\})\s*-->"
    r"(?:(?!<!-- wp:(?:core-embed/|embed\b)).)*?<!-- /wp:(?P=kind) -->",
    re.DOTALL,
)
_PLAYERS = r"iframe|video|audio|object"
_EMBED_ELEMENT = re.compile(
    rf"<(?P<tag>{_PLAYERS})\b(?P<attrs>[^<>]*)>(?P<inner>(?:(?!<(?:{_PLAYERS})\b).)*?)"
    r"</(?P=tag)\s*>"
    r"|<embed\b(?P<embed_attrs>[^<>]*)/?>",
    re.DOTALL | re.IGNORECASE,
)
_SRC = re.compile(r"""\b(?:src|data)\s*=\s*["']?(https?://[^"'\s>]+)""", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b", re.IGNORECASE)
_TABLE = re.compile(r"<table\b", re.IGNORECASE)
_NEXTPAGE = re.compile(r"<!--\s*nextpage\s*-->", re.IGNORECASE)
_MORE = re.compile(r"<!--\s*(?:more\b[^<>]*?|noteaser)\s*-->", re.IGNORECASE)
_CAPTION_IMAGE = re.compile(r"((?:<a [^<>]+>\s*)?<img [^<>]+>(?:\s*</a>)?)(.*)", re.DOTALL)
# After the block elements the allow-list drops, a blank line keeps words apart (and becomes
# a paragraph break).
_BREAKS = [
    *WORD_BREAKS,
    (
        re.compile(
            r"(</(?:div|tr|dt|dd|pre|address|section|article|header|footer|aside|nav|details|"
            r"summary|table|caption|dl|form|fieldset)\s*>|<hr\b[^<>]*>)",
            re.IGNORECASE,
        ),
        r"\1\n\n",
    ),
]


def convert_body(content: str) -> tuple[str, Counter, Counter]:
    """Turn a post's `content:encoded` into a story body on the allow-list.

    Returns the body, what was stripped or converted by kind (galleries, embeds, scripts,
    tables, page breaks) and the shortcodes removed by name.
    """
    stripped: Counter = Counter()
    shortcodes: Counter = Counter()
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    # The block editor writes finished HTML; WordPress skips autop for it, and so do we.
    is_blocks = "<!-- wp:" in text
    stripped["page break"] += len(_NEXTPAGE.findall(text))
    text = _MORE.sub("", _NEXTPAGE.sub("\n\n", text))

    def gallery_block(match):
        stripped["gallery"] += 1
        return "\n\n"

    def embed_block(match):
        stripped["embed"] += 1
        url = _URL.search(match["json"].replace("\\u0026", "&"))
        return f"\n\n{_link(url.group())}\n\n" if url else "\n\n"

    text = _BLOCK_EMBED.sub(embed_block, _BLOCK_GALLERY.sub(gallery_block, text))
    text = _shortcodes(text, stripped, shortcodes)

    def embed_line(match):
        stripped["embed"] += 1
        return f"\n{_link(html.unescape(match[1]))}\n"

    def embed_element(match):
        stripped["embed"] += 1
        url = _SRC.search(match["attrs"] or match["embed_attrs"] or "") or _SRC.search(
            match["inner"] or ""
        )
        return f" {_link(html.unescape(url[1]))} " if url else " "

    # WordPress turns a URL alone on its line into an embedded player (oEmbed); a story gets
    # a link to it instead.
    text = _URL_LINE.sub(embed_line, text)
    text = _EMBED_ELEMENT.sub(embed_element, text)
    stripped["script"] += len(_SCRIPT.findall(text))
    stripped["table"] += len(_TABLE.findall(text))
    text = rename_to_allowed(text)
    for pattern, replacement in _BREAKS:
        text = pattern.sub(replacement, text)
    if not is_blocks:
        text = autop(text)
    body = sanitize_body(_tidy(sanitize_body(text)))
    return body, +stripped, +shortcodes


def _link(url: str) -> str:
    url = html.escape(url)
    return f'<a href="{url}">{url}</a>'


def _shortcodes(text: str, stripped: Counter, shortcodes: Counter, depth: int = 0) -> str:
    """Replace shortcodes: captions become figures, embeds links, galleries nothing, and any
    other shortcode is removed keeping the text it encloses.

    Each level of nesting reads its text once (the closing tags are indexed first), and
    shortcodes nested deeper than MAX_SHORTCODE_DEPTH are left as text: a hostile body then
    costs a few passes, never one per shortcode.
    """
    if depth > MAX_SHORTCODE_DEPTH:
        return text
    closers: dict[str, list[int]] = {}
    for found in _SHORTCODE_CLOSE.finditer(text):
        closers.setdefault(found[1], []).append(found.start())
    out = []
    position = 0
    seen = set()
    while (match := _SHORTCODE_OPEN.search(text, position)) is not None:
        name, key = match["name"], match["name"].lower()
        attrs = (match["attrs"] or "").strip()
        closing = f"[/{name}]"
        end = -1
        if not match["selfclosing"] and not match["escaped_end"]:
            end = _next(closers.get(name, ()), match.end())
        is_shortcode = (
            key in KNOWN_SHORTCODES
            or end != -1
            or attrs.startswith("=")
            or _SHORTCODE_ATTR.search(attrs) is not None
        )
        if not is_shortcode:
            out.append(text[position : match.start() + 1])
            position = match.start() + 1
            continue
        out.append(text[position : match.start()])
        after = end + len(closing) if end != -1 else match.end()
        if match["escaped"] and (match["escaped_end"] or text[after : after + 1] == "]"):
            # `[[gallery]]` is how WordPress writes a shortcode as text.
            literal_end = match.end() - 1 if match["escaped_end"] else after
            out.append(text[match.start() + 1 : literal_end])
            position = literal_end + 1
            continue
        out.append(match["escaped"])
        position = after
        inner = text[match.end() : end] if end != -1 else ""
        shortcodes[key] += 1
        seen.add(name)
        out.append(_replacement(key, inner, attrs, stripped, shortcodes, depth))
        out.append(match["escaped_end"])
    out.append(text[position:])
    # Closing tags left without an opener (hand-edited posts) go too.
    return _SHORTCODE_CLOSE.sub(
        lambda match: "" if match[1] in seen or match[1].lower() in KNOWN_SHORTCODES else match[0],
        "".join(out),
    )


def _replacement(key: str, inner: str, attrs: str, stripped, shortcodes, depth: int) -> str:
    """What one shortcode becomes: nothing, a link, a figure, or the text it encloses."""
    if key in GALLERY_SHORTCODES:
        stripped["gallery"] += 1
        return "\n\n"
    if key in EMBED_SHORTCODES:
        stripped["embed"] += 1
        url = _URL.search(inner) or _URL.search(attrs)
        return f"\n\n{_link(html.unescape(url.group()))}\n\n" if url else "\n\n"
    if key in CAPTION_SHORTCODES:
        return _caption(_shortcodes(inner, stripped, shortcodes, depth + 1), attrs)
    return _shortcodes(inner, stripped, shortcodes, depth + 1)


def _next(positions, start: int) -> int:
    """The first of the sorted `positions` at or after `start`; -1 when there is none."""
    index = bisect_left(positions, start)
    return positions[index] if index < len(positions) else -1


def _caption(inner: str, attrs: str) -> str:
    """`[caption]<img> Text[/caption]` as a figure with its caption, the way WordPress shows it."""
    match = _CAPTION_IMAGE.match(inner.strip())
    image, caption = (match[1], match[2].strip()) if match else ("", inner.strip())
    for key, double, single, bare in _SHORTCODE_ATTR.findall(attrs):
        if key == "caption" and not caption:
            caption = double or single or bare
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"\n\n<figure>{image}{figcaption}</figure>\n\n"


_PRE_PLACEHOLDER = re.compile(r"<pre wp-pre-tag-\d+></pre>")
_ALLBLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
    r"map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|"
    r"hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)


def autop(text: str) -> str:
    """WordPress's `wpautop()`: blank-line-separated text becomes paragraphs, block elements
    stay as they are. A port of wp-includes/formatting.php without the `<br>` step (line breaks
    are not on the body allow-list)."""
    if not text.strip():
        return ""
    text += "\n"
    pre_tags = {}
    if "<pre" in text:
        parts = text.split("</pre>")
        last = parts.pop()
        text = ""
        for number, part in enumerate(parts):
            start = part.find("<pre")
            if start == -1:
                text += part
                continue
            key = f"<pre wp-pre-tag-{number}></pre>"
            pre_tags[key] = part[start:] + "</pre>"
            text += part[:start] + key
        text += last
    text = re.sub(rf"(<{_ALLBLOCKS}[\s/>])", r"\n\n\1", text)
    text = re.sub(rf"(</{_ALLBLOCKS}>)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    # Newlines inside a tag or comment are not paragraph breaks.
    text = re.sub(r"<[^<>]*>", lambda match: match.group().replace("\n", " "), text)
    if "<figcaption" in text:
        # (?<!\s): from the start of a run of spaces only, not from each space in it.
        text = re.sub(r"(?<!\s)\s*(<figcaption[^<>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [part for part in re.split(r"\n\s*\n", text) if part]
    text = "".join(f"<p>{part.strip(chr(10))}</p>\n" for part in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{_ALLBLOCKS}[^<>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^<>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{_ALLBLOCKS}[^<>]*>)", r"\1", text)
    text = re.sub(rf"(</?{_ALLBLOCKS}[^<>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    if pre_tags:  # one pass, however many blocks
        text = _PRE_PLACEHOLDER.sub(lambda match: pre_tags.get(match[0], match[0]), text)
    return text


_DROPPABLE = frozenset(
    {"p", "h2", "h3", "blockquote", "ul", "ol", "li", "figure", "figcaption", "strong", "em", "a"}
)
_TIDY_TOKEN = re.compile(r"<(/?)([a-z0-9]+)\b[^<>]*>|[^<]+|<", re.IGNORECASE)
_BLANK = re.compile(r"(?:\s|&nbsp;|&#160;|\u00a0)*")


def _tidy(body: str) -> str:
    """Wrap text left loose at the top level (from removed divs, tables, block markup) in
    paragraphs, split at blank lines; drop elements left empty. `body` is sanitized HTML."""
    result = _drop_empty(wrap_loose_text(body, block_end="\n"))
    result = re.sub(r"<p>\s+", "<p>", re.sub(r"(?<!\s)\s+</p>", "</p>", result))
    return "\n".join(line.strip() for line in result.splitlines() if line.strip())


def _drop_empty(body: str) -> str:
    """`body` without the elements that hold only spaces (or other such elements), in one
    pass: an element is dropped as it closes, so nested empty ones go with it."""
    out: list[str] = []
    open_elements: list[list] = []  # [name, where its start tag is in `out`, has content]
    for token in _TIDY_TOKEN.finditer(body):
        piece, closing, name = token[0], token[1], (token[2] or "").lower()
        if name and not closing and name in _DROPPABLE:
            open_elements.append([name, len(out), False])
        elif name and closing and open_elements and open_elements[-1][0] == name:
            _, start, has_content = open_elements.pop()
            if not has_content:
                del out[start:]
                continue
        elif not name and _BLANK.fullmatch(piece):
            out.append(piece)
            continue
        if open_elements and not (name and not closing and name in _DROPPABLE):
            open_elements[-1][2] = True
        out.append(piece)
    return "".join(out)
