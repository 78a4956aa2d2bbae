"""Which WordPress post an item is, and which of its addresses may keep answering here.

A post is found again on a later run by its source id, `wordpress:<site>/?p=<post id>`; an
export without post ids (written by another tool, or an old WordPress) falls back to what it
has. Its old addresses are its permalink's path and /?p=<id>, taken only where they can be a
post's address on the export's own site; wordpress_stories.py checks they are free here.
"""

import hashlib
import re
from urllib.parse import SplitResult, unquote, urlsplit

from django.utils.encoding import escape_uri_path
from django.utils.text import slugify

from articles.ingest.wordpress_xml import WxrError

OLD_PATH_MAX_LENGTH = 500  # ArticleRedirect.old_path
SOURCE_URI_MAX_LENGTH = 500  # Article.source_uri
# Addresses a WordPress site answers that are not a post's: its admin, files, API and listings
# (the first part of the path, under the blog's folder), and a post's feed or trackback (the
# last part). An item linking to one of them must not take it over here.
_NOT_POST_FOLDERS = frozenset(
    "wp-admin wp-content wp-includes wp-json wp-login.php xmlrpc.php feed category tag author "
    "page comments search type date".split()
)
_NOT_POST_ENDINGS = frozenset({"feed", "trackback", "embed", "amp", "wp-login.php"})
FORBIDDEN_IN_PATH = re.compile(r"[\x00-\x20\x7f]")


def _split(url: str) -> SplitResult:
    """The parts of `url`; none for one Python cannot split (`http://[oops`)."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


def post_id_path(post_id: int) -> str:
    return f"/?p={post_id}"


def identity(fields, site_url: str, *, title: str, date, keys: set[str]) -> tuple[int | None, str]:
    """The post's id and the key its story is found again by: `/?p=<wp:post_id>`.

    Exports written by other tools or older WordPress versions may have no wp:post_id: the
    id in a guid of WordPress's own `?p=<id>` form then, else the guid, the permalink, or the
    title and date, whichever no earlier post of the export has. The same file read again
    gives the same keys, so importing it again updates its stories.
    """
    raw_id = fields.get("wp:post_id", "").strip()
    if raw_id:
        if not raw_id.isdigit():
            raise WxrError(f"wp:post_id {raw_id!r} is not a number")
        return int(raw_id), post_id_path(int(raw_id))
    guid, link = fields.get("guid", "").strip(), fields.get("link", "").strip()
    candidates: list[tuple[int | None, str]] = []
    guid_id = _id_in(guid, site_url)
    if guid_id is not None:
        candidates.append((guid_id, post_id_path(guid_id)))
    if guid:
        candidates.append((None, f" guid:{guid}"))
    if link:
        candidates.append((None, f" link:{link}"))
    if title or date:
        when = date.isoformat() if date else ""
        candidates.append((None, f" title:{when}/{slugify(title) or title}"))
    for post_id, key in candidates:
        if key not in keys:
            return post_id, key
    if not candidates:
        raise WxrError("no wp:post_id, guid, link, title or date to know the post by")
    raise WxrError("no wp:post_id, and its guid, link and title are an earlier post's")


def _id_in(guid: str, site_url: str) -> int | None:
    """The post id in a guid of WordPress's own form, `https://<the site>/?p=<id>`."""
    parts = _split(guid)
    if parts.netloc and host(parts.netloc) != host(_split(site_url).netloc):
        return None
    found = re.fullmatch(r"p=(\d{1,18})", parts.query)
    return int(found[1]) if found else None


def source_uri(site_url: str, key: str) -> str:
    """`wordpress:<site><key>`; a digest of it when it would not fit the column."""
    uri = f"wordpress:{site_url.rstrip('/')}{key}"
    if len(uri) > SOURCE_URI_MAX_LENGTH:
        uri = f"wordpress:sha256:{hashlib.sha256(uri.encode()).hexdigest()}"
    return uri


def host(netloc: str) -> str:
    return netloc.rsplit("@", 1)[-1].split(":", 1)[0].lower().removeprefix("www.")


def last_part(link: str) -> str:
    """The last part of a permalink's path (a post's slug, in most permalink structures)."""
    parts = [part for part in _split(link.strip()).path.split("/") if part]
    return parts[-1] if parts and not parts[-1].isdigit() else ""


def old_paths(
    link: str, post_id: int | None, *, site_url: str = "", notes: list[str] | None = None
) -> list[str]:
    """The old addresses to keep answering: the permalink's path and `/?p=<id>` (also under the
    blog's folder, if any), written as a request's get_full_path() gives them.

    Only a path that can be a post's permalink on the export's own site is taken: a link to
    another host, with a query string or fragment, to the front page or to one of WordPress's
    listings, feeds or admin pages is not (and `notes` says so). Whether the path is free on
    this site is for the writer to check (wordpress_stories.py).
    """
    paths = []
    path, problem = permalink_path(link, site_url)
    if problem and notes is not None:
        notes.append(f"old address {link.strip()[:100]!r} not kept: {problem}")
    if path is not None:
        paths.append(path)
    if post_id is not None:
        base_path = _split(site_url).path.rstrip("/")
        plain = [post_id_path(post_id)]
        if base_path.startswith("/"):
            plain.append(escape_uri_path(unquote(base_path)) + post_id_path(post_id))
        paths += [path for path in plain if path not in paths and len(path) <= OLD_PATH_MAX_LENGTH]
    return paths


def permalink_path(link: str, site_url: str) -> tuple[str | None, str | None]:
    """`(the path of a post's permalink, None)`, or `(None, why it is not one)`; `(None, None)`
    for no link at all or WordPress's plain `?p=<id>`, which old_paths() adds itself."""
    link = link.strip()
    if not link:
        return None, None
    parts = _split(link)
    site = _split(site_url)
    base = [part for part in unquote(site.path).split("/") if part]
    if parts.scheme not in {"", "http", "https"}:
        return None, "not a web address"
    if parts.netloc and site.netloc and host(parts.netloc) != host(site.netloc):
        return None, f"on another site ({parts.netloc[:60]})"
    if re.fullmatch(r"p=\d{1,18}", parts.query) and not parts.fragment:
        return None, None
    if parts.query or parts.fragment or link.endswith(("?", "#")):
        return None, "an address with a query string or fragment is not a post's permalink"
    path = unquote(parts.path)
    segments = path.split("/")[1:]
    if not path.startswith("/") or "" in segments[:-1] or {".", ".."} & set(segments):
        return None, "not a plain absolute path"
    inside = [part for part in segments if part][len(base) :]
    if not inside:
        return None, "the site's front page, not a post"
    if inside[0].lower() in _NOT_POST_FOLDERS or inside[-1].lower() in _NOT_POST_ENDINGS:
        return None, "one of WordPress's listing, feed or admin addresses, not a post"
    path = escape_uri_path(path)
    if len(path) > OLD_PATH_MAX_LENGTH or FORBIDDEN_IN_PATH.search(path):
        return None, "too long or not printable"
    return path, None
