"""Imports cannot hijack: an import file updates only the stories its own source made, takes
no address that is not an old story address, and reads hostile bodies in linear time."""

import io
import json
import re
from http import HTTPStatus
from xml.sax.saxutils import escape as xml_escape

import pytest
from django.core.management import CommandError, call_command

from articles.ingest.wordpress_body import convert_body
from articles.models import Article, ArticleRedirect
from articles.sanitize import MAX_NESTING, sanitize_body
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

SITE = "https://old.example.org"


def run(command, *files, **options):
    """Run an import command; return what it printed on stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *map(str, files), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def refusal(command, *files, **options) -> str:
    with pytest.raises(CommandError) as refused:
        run(command, *files, **options)
    return str(refused.value)


def snapshot(article: Article) -> tuple:
    article = Article.objects.get(pk=article.pk)
    return (
        article.headline,
        article.body,
        article.slug,
        article.status,
        article.publish_at,
        article.version,
        article.is_live,
    )


def wxr_item(
    *, title="Imported post", link="", guid="", post_id="", post_name="", body="Some text.",
    date_gmt="2020-01-02 15:00:00", date="", pub_date="", excerpt="",
):  # fmt: skip
    """One WXR <item>: each field left empty is left out, as other tools' exports do."""
    fields = {
        "title": title,
        "link": link,
        "guid": guid,
        "pubDate": pub_date,
        "dc:creator": "staff",
        "content:encoded": body,
        "excerpt:encoded": excerpt,
        "wp:post_id": post_id,
        "wp:post_date": date,
        "wp:post_date_gmt": date_gmt,
        "wp:post_name": post_name,
        "wp:status": "publish",
        "wp:post_type": "post",
    }
    return "<item>{}</item>".format(
        "".join(f"<{key}>{xml_escape(value)}</{key}>" for key, value in fields.items() if value)
    )


def wxr(tmp_path, *items, name="export.xml"):
    """A WXR file of `items` from the site at SITE."""
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Old site</title>'
        f"<link>{SITE}</link><wp:wxr_version>1.2</wp:wxr_version>"
        "<wp:author><wp:author_login>staff</wp:author_login>"
        "<wp:author_display_name>Old Staff</wp:author_display_name></wp:author>"
        f"{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )
    return path


def ninjs_file(tmp_path, *documents, name="story.json"):
    path = tmp_path / name
    path.write_text(json.dumps(list(documents)), encoding="utf-8")
    return path


def ninjs_document(uri, *, headline="Hijacked headline", body="<p>Hijacked.</p>", **extra):
    return {
        "uri": uri,
        "headlines": [{"role": "main", "value": headline}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": body}],
        "by": "Ana Reyes",
        **extra,
    }


@pytest.fixture
def live_story(section):
    return ArticleFactory(live=True, slug="council-vote", authors=[AuthorFactory()])


# -- ninjs: our own public uuid is not a licence to rewrite ------------------------------------


@pytest.mark.parametrize("pubstatus", ["usable", "canceled", "withheld"])
def test_ninjs_naming_a_live_storys_uuid_is_refused_and_the_story_untouched(
    live_story, tmp_path, client, pubstatus
):
    before = snapshot(live_story)
    hostile = ninjs_document(f"urn:uuid:{live_story.uuid}", pubstatus=pubstatus)

    message = refusal("import_ninjs", ninjs_file(tmp_path, hostile))

    assert f"uri urn:uuid:{live_story.uuid} names our story “{live_story.headline}”" in message
    assert "--update-own" in message
    assert snapshot(live_story) == before
    assert Article.objects.count() == 1
    response = client.get(live_story.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert "Hijacked" not in response.content.decode()


def test_skip_bad_imports_the_rest_and_names_the_refused_document(live_story, tmp_path):
    before = snapshot(live_story)
    hostile = ninjs_document(f"urn:uuid:{live_story.uuid}", pubstatus="canceled")
    good = ninjs_document("urn:newsml:wire.example:1", headline="Wire story")

    _, err = run("import_ninjs", ninjs_file(tmp_path, hostile, good), skip_bad=True)

    assert snapshot(live_story) == before
    assert Article.objects.filter(headline="Wire story").count() == 1
    assert "document 1: uri urn:uuid:" in err and "refused" in err


def test_update_own_lets_an_editor_update_our_story_from_a_document(live_story, tmp_path):
    document = ninjs_document(f"urn:uuid:{live_story.uuid}", headline="Council vote, updated")

    run("import_ninjs", ninjs_file(tmp_path, document), update_own=True)

    live_story.refresh_from_db()
    assert live_story.headline == "Council vote, updated"
    assert live_story.source_uri is None  # still ours: the next import needs the flag again
    assert Article.objects.count() == 1


def test_a_ninjs_uri_naming_another_importers_source_makes_a_story_of_its_own(section, tmp_path):
    wordpress_story = ArticleFactory(live=True, source_uri=f"wordpress:{SITE}/?p=7")
    before = snapshot(wordpress_story)

    run("import_ninjs", ninjs_file(tmp_path, ninjs_document(f"wordpress:{SITE}/?p=7")))

    assert snapshot(wordpress_story) == before
    assert Article.objects.get(headline="Hijacked headline").source_uri == (
        f"ninjs:wordpress:{SITE}/?p=7"
    )


def test_a_ninjs_document_imported_before_is_still_updated(section, tmp_path):
    run("import_ninjs", ninjs_file(tmp_path, ninjs_document("urn:newsml:wire.example:2")))
    document = ninjs_document("urn:newsml:wire.example:2", headline="Second version")

    run("import_ninjs", ninjs_file(tmp_path, document))

    assert Article.objects.get().headline == "Second version"


# -- WordPress: slugs, redirects and addresses ---------------------------------------------------


def test_a_wxr_post_with_a_live_storys_slug_and_address_makes_a_story_of_its_own(
    live_story, tmp_path, client
):
    before = snapshot(live_story)
    address = live_story.get_absolute_url()
    item = wxr_item(title="Hijack", post_id="5", post_name="council-vote", link=SITE + address)

    out, _ = run("import_wordpress", wxr(tmp_path, item))

    assert snapshot(live_story) == before
    imported = Article.objects.get(headline="Hijack")
    assert imported.slug != live_story.slug
    assert not ArticleRedirect.objects.filter(old_path=address).exists()
    assert f"old address {address} not kept: it is another story's address" in out
    response = client.get(address)
    assert response.status_code == HTTPStatus.OK
    assert live_story.headline in response.content.decode()


def test_update_own_lets_a_wxr_post_update_our_story_with_its_slug(live_story, tmp_path):
    item = wxr_item(title="Council vote, from the old site", post_id="5", post_name="council-vote")

    run("import_wordpress", wxr(tmp_path, item), update_own=True)

    live_story.refresh_from_db()
    assert live_story.headline == "Council vote, from the old site"
    assert Article.objects.count() == 1


def test_another_storys_old_address_is_neither_repointed_nor_deleted(live_story, tmp_path):
    ArticleRedirect.objects.create(old_path="/2015/03/01/old-permalink/", article=live_story)
    # A post whose permalink is that old address, and one whose own new address would be it.
    ArticleRedirect.objects.create(old_path="/2020/01/02/budget-talks/", article=live_story)
    items = [
        wxr_item(title="First", post_id="8", link=f"{SITE}/2015/03/01/old-permalink/"),
        wxr_item(title="Second", post_id="9", post_name="budget-talks"),
    ]

    out, _ = run("import_wordpress", wxr(tmp_path, *items))

    redirects = dict(ArticleRedirect.objects.values_list("old_path", "article_id"))
    assert redirects["/2015/03/01/old-permalink/"] == live_story.pk
    assert redirects["/2020/01/02/budget-talks/"] == live_story.pk
    assert Article.objects.get(headline="Second").slug != "budget-talks"
    assert "old address /2015/03/01/old-permalink/ not kept: it leads to another story" in out


HOSTILE_LINKS = [
    "/?utm_source=x",
    f"{SITE}/?utm_source=x",
    "/",
    SITE,
    "/section/new-york/",
    "/tag/budget/",
    "/author/ana-reyes/",
    "/search/",
    "/feed/",
    "/feed/atom/",
    "/sitemap.xml",
    "/news-sitemap.xml",
    "/robots.txt",
    "/corrections/",
    "/admin/",
    "/admin/articles/article/",
    "/admin",
    "/api/v1/articles/",
    "/static/site.css",
    "https://elsewhere.example/2020/01/02/a-post/",
    f"{SITE}/2020/01/02/a-post/#comments",
    f"{SITE}/2020/01/02/a-post/?replytocom=3",
    f"{SITE}/category/news/",
    f"{SITE}/wp-admin/post.php",
    f"{SITE}/2020/01/02/a-post/feed/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_a_wxr_link_that_is_no_story_permalink_claims_no_address(section, tmp_path, client, link):
    front = client.get("/")
    assert front.status_code == HTTPStatus.OK

    out, _ = run("import_wordpress", wxr(tmp_path, wxr_item(post_id="12", link=link)))

    assert set(ArticleRedirect.objects.values_list("old_path", flat=True)) == {"/?p=12"}
    assert "not kept" in out
    assert client.get("/").status_code == HTTPStatus.OK
    assert client.get("/?utm_source=x").status_code == HTTPStatus.OK


def test_a_wxr_permalink_of_the_old_site_still_answers_301(section, tmp_path, client):
    run("import_wordpress", wxr(tmp_path, wxr_item(post_id="12", link=f"{SITE}/old/a-post/")))

    response = client.get("/old/a-post/")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == Article.objects.get().get_absolute_url()


def test_an_old_post_id_address_never_turns_the_front_page_into_a_redirect(
    section, tmp_path, client
):
    run("import_wordpress", wxr(tmp_path, wxr_item(post_id="12")))

    assert client.get("/?p=12").status_code == HTTPStatus.MOVED_PERMANENTLY
    assert client.get("/").status_code == HTTPStatus.OK


# -- Real exports in the wild: no post ids, no slugs, no GMT dates --------------------------------

OTHER_TOOLS = [
    # WordPress's own ?p= guid, a local date only.
    wxr_item(title="Guid with an id", guid=f"{SITE}/?p=31", date_gmt="",
             date="2014-05-06 09:00:00"),
    # Another tool's guid and an RSS date; no local or GMT date at all.
    wxr_item(
        title="Guid of its own",
        guid="tag:old.example.org,2014:post-32",
        link=f"{SITE}/2014/05/07/guid-of-its-own/",
        date_gmt="",
        pub_date="Wed, 07 May 2014 10:00:00 +0000",
    ),
    # Two posts sharing a guid (copied content does): told apart by their links.
    wxr_item(title="Shared guid one", guid="urn:shared", link=f"{SITE}/one/", date_gmt="",
             date="2014-05-08 08:00:00"),
    wxr_item(title="Shared guid two", guid="urn:shared", link=f"{SITE}/two/", date_gmt="",
             date="2014-05-08 09:00:00"),
    # Nothing but a title and a date.
    wxr_item(title="Title and date only", date_gmt="0000-00-00 00:00:00",
             date="2014-05-08 12:00:00"),
]  # fmt: skip


def test_exports_without_post_ids_slugs_or_gmt_dates_import(section, tmp_path, client):
    path = wxr(tmp_path, *OTHER_TOOLS)

    run("import_wordpress", path)

    stories = {article.headline: article for article in Article.objects.all()}
    assert set(stories) == {
        "Guid with an id",
        "Guid of its own",
        "Shared guid one",
        "Shared guid two",
        "Title and date only",
    }
    assert all(article.is_live for article in stories.values())
    assert stories["Guid of its own"].slug == "guid-of-its-own"  # from the permalink
    assert stories["Title and date only"].get_absolute_url().startswith("/2014/05/08/")
    assert client.get("/?p=31")["Location"] == stories["Guid with an id"].get_absolute_url()
    assert client.get("/two/")["Location"] == stories["Shared guid two"].get_absolute_url()

    again, _ = run("import_wordpress", path)

    assert Article.objects.count() == 5
    assert {a.pk: a.version for a in Article.objects.all()} == {
        a.pk: a.version for a in stories.values()
    }
    assert re.search(r"^ +unchanged +5$", again, re.MULTILINE)


# -- Hostile bodies: linear work, or a clear refusal ----------------------------------------------

SIZE = 100_000


def repeated(piece: str) -> str:
    return (piece * (SIZE // len(piece) + 1))[:SIZE]


HOSTILE_BODIES = {
    "open brackets": repeated("[a "),
    "unfinished tags": repeated("<a "),
    "nested divs": "<div>" * (SIZE // 5),
    "nested quotes": "<blockquote>" * (SIZE // 12) + "deep",
    "ampersands": repeated("&"),
    "one long word": "x" * SIZE,
    "shortcodes": "[foo x=1]text[/foo] " * 10_000,
    "nested shortcodes": "".join(f"[s{n}]" for n in range(3_000))
    + "core"
    + "".join(f"[/s{n}]" for n in reversed(range(3_000))),
    "unclosed captions": repeated("[caption]"),
    "figcaptions": repeated("<figcaption "),
    "players": repeated("<iframe "),
    "block comments": repeated("<!-- wp:embed {"),
    "less-thans": repeated("<"),
    "preformatted": "<pre>x</pre>" * (SIZE // 12),
}


def depth(body: str) -> int:
    deepest = level = 0
    for piece in body.split("<")[1:]:
        level += -1 if piece.startswith("/") else 0 if piece.startswith(("img", "br")) else 1
        deepest = max(deepest, level)
    return deepest


def test_hostile_wordpress_bodies_import(section, tmp_path):
    items = [
        wxr_item(title=name, post_id=str(number), body=body, excerpt=repeated("<a "))
        for number, (name, body) in enumerate(HOSTILE_BODIES.items(), start=1)
    ]

    run("import_wordpress", wxr(tmp_path, *items), skip_bad=True)

    stories = {article.headline: article for article in Article.objects.all()}
    assert set(stories) == set(HOSTILE_BODIES)
    for article in stories.values():
        assert sanitize_body(article.body) == article.body
        assert depth(article.body) <= MAX_NESTING
    assert "x" * 1000 in stories["one long word"].body
    assert "core" in stories["nested shortcodes"].body
    assert "deep" in stories["nested quotes"].body


def test_hostile_ninjs_and_wire_bodies_import(section, author, tmp_path):
    documents = [
        ninjs_document(f"urn:test:{name.replace(' ', '-')}", headline=name, body=body)
        for name, body in HOSTILE_BODIES.items()
    ]
    _, err = run("import_ninjs", ninjs_file(tmp_path, *documents), skip_bad=True)
    wire = tmp_path / "wire.txt"
    wire.write_text("Wire headline\n" + repeated("A. ") + "\n" + repeated("…"), encoding="utf-8")
    run("import_story", wire, author=[author.slug])

    for article in Article.objects.all():
        assert sanitize_body(article.body) == article.body
        assert depth(article.body) <= MAX_NESTING
    # Each document is imported, or refused with its line (markup without text is no story).
    imported = set(Article.objects.values_list("headline", flat=True))
    for number, name in enumerate(HOSTILE_BODIES, start=1):
        assert name in imported or f"document {number}: only a headline, no body" in err, name
    assert {"open brackets", "one long word", "nested quotes", "shortcodes"} <= imported
    assert Article.objects.get(headline="Wire headline").dek


def test_nesting_is_bounded_however_deep_the_input(section):
    body, _, _ = convert_body("<blockquote>" * 20_000 + "deep")

    assert depth(body) <= MAX_NESTING
    assert "deep" in body
    assert depth(sanitize_body("<p><em>" * 30_000)) <= MAX_NESTING
    # Ordinary bodies are not touched: unclosed paragraphs and list items close themselves.
    sloppy = "<p>One<p>Two" * 500 + "<ul>" + "<li>item" * 500 + "</ul>"
    assert sanitize_body(sloppy).count("<p>") == 1000
    assert sanitize_body(sloppy).count("<li>") == 500
