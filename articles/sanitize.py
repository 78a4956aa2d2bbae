"""The body allow-list: the only HTML a story body may carry (DESIGN.md)."""

import re

import nh3

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "figure",
    "figcaption",
    "img",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_body(html: str) -> str:
    """Return `html` with everything outside the allow-list removed."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        # Script and style contents are dropped, not kept as stray text.
        clean_content_tags={"script", "style"},
        link_rel=None,
        strip_comments=True,
    ).strip()


# Tags outside the allow-list whose meaning has an allowed twin, for imported HTML: renamed
# before sanitizing, so the sanitizer keeps their content in the right element.
_TWINS = [
    (re.compile(r"<(/?)h1\b", re.IGNORECASE), r"<\1h2"),
    (re.compile(r"<(/?)h[4-6]\b", re.IGNORECASE), r"<\1h3"),
    (re.compile(r"<(/?)b\b", re.IGNORECASE), r"<\1strong"),
    (re.compile(r"<(/?)i\b", re.IGNORECASE), r"<\1em"),
]


def rename_to_allowed(html: str) -> str:
    """h1 → h2, h4–h6 → h3, b → strong, i → em: imported markup keeps its meaning."""
    for pattern, replacement in _TWINS:
        html = pattern.sub(replacement, html)
    return html
