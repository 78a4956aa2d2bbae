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
        limit_nesting(html or ""),
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


# -- Nesting: the sanitizer's parser (html5ever) checks the stack of open elements for each
# block tag, so its time grows with the square of the nesting depth (100 KB of `<div>` took
# over two seconds). No story nests this deep; past it, start tags are dropped (their text
# stays) before parsing. The count follows the parser's own rules where depth is decided: end
# tags close what they name within the same scope, and the tags that close an open p, li,
# dd/dt, cell, row, link or button on their own do so here too. (Formatting elements the parser
# reopens after a block are not counted: a body built for that costs a few tenths of a second.)
MAX_NESTING = 200
_VOID = frozenset(
    "area base br col embed hr img image input keygen link meta param source track wbr "
    "frame basefont bgsound html head body".split()
)
_SCOPE = frozenset("table td th caption object applet marquee template button".split())
_CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p pre "
    "section summary table ul dd dt".split()
)
_LISTS = frozenset("ul ol menu dir dl".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_SECTIONS = frozenset("thead tbody tfoot".split())
# Groups of names whose nearest open element is looked up: (group, the boundary group).
# A start tag closes an open element of its group unless a boundary opened after it.
_GROUPS = {
    "p": {"p"},
    "scope": _SCOPE,
    "lists": _SCOPE | _LISTS,
    "li": {"li"},
    "dd": {"dd", "dt"},
    "cell": {"td", "th"},
    "row": {"tr", "td", "th"},
    "section": {*_SECTIONS, "tr", "td", "th"},
    "table": {"table"},
    "caption": {"td", "th", "caption"},
    "a": {"a"},
    "button": {"button"},
    "unbutton": _SCOPE - {"button"},
    "option": {"option"},
    "select": {"select"},
}
_CLOSES = {  # start tag -> (the group it closes, that group's boundary)
    "li": ("li", "lists"),
    "dd": ("dd", "lists"),
    "dt": ("dd", "lists"),
    "td": ("cell", "table"),
    "th": ("cell", "table"),
    "tr": ("row", "table"),
    **dict.fromkeys(_SECTIONS, ("section", "table")),
    "a": ("a", "scope"),
    "button": ("button", "unbutton"),
    "option": ("option", "select"),
    "table": ("table", "caption"),
}
_MEMBERSHIP = {
    name: tuple(group for group, names in _GROUPS.items() if name in names)
    for name in set().union(*_GROUPS.values())
}
_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")


class _OpenElements:
    """The parser's stack of open elements, as far as depth goes: the names, and for each
    group the positions of its open elements, so that every lookup is constant time."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.groups: dict[str, list[int]] = {group: [] for group in _GROUPS}
        self.named: dict[str, list[int]] = {}

    def nearest(self, group: str) -> int:
        found = self.groups[group]
        return found[-1] if found else -1

    def close_to(self, index: int) -> None:
        while len(self.names) > index:
            name = self.names.pop()
            self.named[name].pop()
            for group in _MEMBERSHIP.get(name, ()):
                self.groups[group].pop()

    def start(self, name: str) -> None:
        if self.groups["p"] and name in _CLOSES_P and self.nearest("p") > self.nearest("scope"):
            self.close_to(self.nearest("p"))
        if name in _HEADINGS and self.names and self.names[-1] in _HEADINGS:
            self.close_to(len(self.names) - 1)
        if name in _CLOSES:
            group, boundary = _CLOSES[name]
            if self.nearest(group) > self.nearest(boundary):
                self.close_to(self.nearest(group))
        index = len(self.names)
        self.names.append(name)
        self.named.setdefault(name, []).append(index)
        for group in _MEMBERSHIP.get(name, ()):
            self.groups[group].append(index)

    def end(self, name: str) -> None:
        if self.names and self.names[-1] == name:  # the usual case: it closes the last one
            self.close_to(len(self.names) - 1)
            return
        found = self.named.get(name)
        boundary = self.nearest("unbutton" if name == "button" else "scope")
        if found and (found[-1] >= boundary):
            self.close_to(found[-1])


def limit_nesting(html: str, max_depth: int = MAX_NESTING) -> str:
    """`html` without the start tags that would open elements deeper than `max_depth`."""
    if html.count("<") <= max_depth:
        return html
    stack = _OpenElements()
    names, find = stack.names, html.find
    kept: list[str] = []
    copied = 0  # html[:copied] is in `kept`
    tag_end = -1  # the `>` that ends the tag last read: a `<` before it is inside that tag
    for match in _TAG_START.finditer(html):
        start = match.start()
        if start < tag_end:
            continue
        tag_end = find(">", start)
        if tag_end == -1:
            break  # no tag from here on: the parser drops an unfinished one
        closing, name = match.group(1, 2)
        name = name.lower()
        if closing:
            stack.end(name)
        elif name not in _VOID:
            if len(names) >= max_depth:
                kept.append(html[copied:start])
                copied = tag_end + 1
                continue
            stack.start(name)
    if not kept:
        return html
    kept.append(html[copied:])
    return "".join(kept)
