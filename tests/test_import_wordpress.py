"""`manage.py import_wordpress`: a WordPress export (WXR) becomes stories, old links keep working,
and a bad file is refused whole."""

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from http import HTTPStatus
from io import StringIO
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from taggit.models import Tag

from articles.ingest import wordpress
from articles.models import Article, ArticleRedirect, Author, Byline, Section, TaggedArticle
from articles.sanitize import sanitize_body
from tests.factories import ArticleFactory, SectionFactory
from tests.shared import shared_path

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "wordpress"
# WordPress's own Theme Unit Test export stays beside the repository, where it is published.
THEME_UNIT_TEST = shared_path("wordpress", "themeunittestdata.wordpress.xml")
FIXED_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SHORTCODE = re.compile(r"\[/?(?:gallery|caption|audio|video|embed|playlist)\b[^\]]*\]")


class TTY(StringIO):
    def isatty(self):
        return True


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FIXED_NOW)
    return FIXED_NOW


def run(*files, stdout=None, stderr=None, **options):
    """Run the command; return what it printed on stdout and stderr."""
    out, err = stdout or StringIO(), stderr or StringIO()
    call_command("import_wordpress", *map(str, files), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def refusal(*files, **options) -> str:
    with pytest.raises(CommandError) as refused:
        run(*files, **options)
    return str(refused.value)


def counts():
    models = [Article, Section, Author, Byline, Tag, TaggedArticle, ArticleRedirect]
    return {model.__name__: model.objects.count() for model in models}


def row(output: str, label: str) -> list[str]:
    """The numbers on the summary line labelled `label`: a count, then the stories if shown."""
    found = re.search(rf"^ *{re.escape(label)} +(\d+(?: +\d+)?)$", output, re.MULTILINE)
    assert found, f"no summary line {label!r} in:\n{output}"
    return found[1].split()


def story(post_id: int) -> Article:
    return ArticleRedirect.objects.get(old_path=f"/?p={post_id}").article


# -- WordPress's Theme Unit Test export ---------------------------------------------------------


def test_theme_unit_test_posts_become_stories_and_the_rest_is_counted(fixed_now):
    started = time.monotonic()
    out, err = run(THEME_UNIT_TEST)
    elapsed = time.monotonic() - started

    assert err == ""
    assert Article.objects.count() == 58
    assert row(out, "created") == ["58"]
    assert row(out, "Skipped items, by type") == ["128"]
    assert row(out, "nav_menu_item") == ["70"]
    assert row(out, "attachment") == ["37"]
    assert row(out, "page") == ["21"]
    # Two posts have no body text ("Post Format: Image" is only a picture, "Edge Case: No
    # Content" nothing): publish() refuses them, so they stay drafts, and the summary says so.
    assert row(out, "live") == ["53"]
    assert row(out, "draft (not publishable)") == ["2"]
    for post_id in (1158, 1170):
        assert story(post_id).status == Article.Status.DRAFT
        assert f"post {post_id}: not published: The story has no body text." in out
    # "Scheduled" (post 1153) is dated 2030; the draft stays a draft.
    assert row(out, "scheduled") == ["1"]
    assert story(1153).is_scheduled
    assert story(1164).status == Article.Status.DRAFT
    # The password-protected post is imported but never goes live.
    protected = story(1168)
    assert protected.status == Article.Status.UNPUBLISHED
    assert not protected.is_live
    assert row(out, "unpublished (password)") == ["1"]
    # Sticky → featured, and only the sticky post.
    assert list(Article.objects.filter(featured=True)) == [story(1241)]
    assert story(1241).headline == "Template: Sticky"
    # Shortcodes, galleries and embeds are stripped and reported: total, then stories.
    assert row(out, "[gallery] (removed)") == ["12", "3"]
    assert row(out, "[caption] (kept as a figure caption)") == ["7", "3"]
    assert row(out, "[audio] (replaced by a link)") == ["1", "1"]
    assert row(out, "galleries (removed)") == ["22", "6"]
    assert row(out, "embeds and players (replaced by a link)") == ["18", "8"]
    assert row(out, "Errors") == ["0"]
    # Categories became sections; the export's two authors are the bylines.
    assert set(Section.objects.values_list("name", flat=True)) == {
        "6.1",
        "Block",
        "Classic",
        "Unpublished",
        "News",
    }
    assert set(Author.objects.values_list("name", flat=True)) == {"Theme Buster", "Theme Reviewer"}
    assert not Article.objects.filter(bylines__isnull=True).exists()
    assert story(1169).headline == "Edge case no title"
    assert story(1173).headline == "Markup: Title With Markup"
    assert elapsed < 30, f"importing the Theme Unit Test took {elapsed:.1f} s"


def test_theme_unit_test_bodies_are_clean_and_old_permalinks_answer_301(client, fixed_now):
    run(THEME_UNIT_TEST)
    export = wordpress.read_export(
        THEME_UNIT_TEST.read_bytes(), source="theme", tz=ZoneInfo("America/New_York")
    )

    for article in Article.objects.all():
        assert not SHORTCODE.search(article.body), article.headline
        assert sanitize_body(article.body) == article.body, article.headline
        assert not re.search(r"<(script|iframe|div|table|video|audio)\b|<!--", article.body)

    answered = {HTTPStatus.MOVED_PERMANENTLY: 0, HTTPStatus.OK: 0}
    for post in export.posts:
        article = story(post.post_id)
        permalink, plain = post.old_paths[0], f"/?p={post.post_id}"
        if not article.is_live:
            # Scheduled, draft and password-protected posts: the permalink finds nothing and
            # /?p=<id> is just the front page, as on WordPress for a reader not logged in.
            assert client.get(permalink).status_code in {HTTPStatus.NOT_FOUND, HTTPStatus.OK}
            assert "Location" not in client.get(plain)
            continue
        for path in (permalink, plain):
            response = client.get(path)
            if path == article.get_absolute_url():
                # WordPress's /yyyy/mm/dd/slug/ permalink is already the story's address.
                assert response.status_code == HTTPStatus.OK, path
            else:
                assert response.status_code == HTTPStatus.MOVED_PERMANENTLY, path
                assert response["Location"] == article.get_absolute_url()
            answered[response.status_code] += 1
    # 53 live posts (two have no body text, so they cannot be published): 37 permalinks already
    # are the story's address; 16 more and 53 /?p= redirect.
    assert answered == {HTTPStatus.MOVED_PERMANENTLY: 69, HTTPStatus.OK: 37}


def test_theme_unit_test_second_run_updates_nothing(fixed_now):
    run(THEME_UNIT_TEST)
    before = counts()

    out, _ = run(THEME_UNIT_TEST)

    assert counts() == before
    assert row(out, "created") == ["0"]
    assert row(out, "updated") == ["0"]
    assert row(out, "unchanged") == ["58"]


# -- Small exports, one edge case each ---------------------------------------------------------


def test_a_post_becomes_a_story_with_section_byline_tags_and_dek(client):
    out, _ = run(DATA / "minimal.xml")

    article = Article.objects.get()
    assert article.headline == "Council approves the river park budget"
    assert article.slug == "river-park-budget"
    assert article.dek == "The vote ends months of debate."
    assert article.body == (
        "<p>The council voted 7-2 on Wednesday night to pay for the <strong>river park</strong>."
        "</p>\n<p>Construction starts in May &amp; ends next year.\nIt will cost $4 million.</p>"
        "\n<h2>What comes next</h2>\n<p>The mayor signs the budget on Friday.</p>"
    )
    assert article.section.name == "City Hall"
    assert article.section.description == "Council, mayor and budget."
    assert [author.name for author in article.byline_authors] == ["Marta Ruiz"]
    assert set(article.tags.names()) == {"Budget", "Parks"}
    assert article.publish_at == datetime(2019, 3, 14, 15, 30, tzinfo=UTC)
    assert article.is_live
    assert row(out, "page") == ["1"]
    # The WordPress permalink is the story's own address; /?p=101 redirects to it.
    assert article.get_absolute_url() == "/2019/03/14/river-park-budget/"
    assert client.get("/2019/03/14/river-park-budget/").status_code == HTTPStatus.OK
    response = client.get("/?p=101")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == article.get_absolute_url()


def test_a_blog_in_a_folder_keeps_its_folder_permalinks(client):
    run(DATA / "subfolder.xml")  # WordPress at https://example.org/ledger/

    article = Article.objects.get()
    for path in ("/ledger/2019/03/14/river-park-budget/", "/ledger/?p=101", "/?p=101"):
        response = client.get(path)
        assert response.status_code == HTTPStatus.MOVED_PERMANENTLY, path
        assert response["Location"] == article.get_absolute_url()


def test_importing_again_updates_the_story_instead_of_duplicating_it():
    run(DATA / "minimal.xml")
    article = Article.objects.get()
    before = counts()

    out, _ = run(DATA / "minimal.xml")
    assert counts() == before
    assert row(out, "unchanged") == ["1"]

    out, _ = run(DATA / "minimal-updated.xml")
    assert row(out, "updated") == ["1"]
    assert row(out, "created") == ["0"]
    updated = Article.objects.get()
    assert updated.pk == article.pk
    assert updated.headline == "Council approves the river park budget, 7-2"
    assert updated.version == article.version + 1
    assert set(updated.tags.names()) == {"Budget", "River"}


def test_authors_are_matched_by_display_name_and_unknown_ones_are_reported(author):
    out, _ = run(DATA / "authors.xml")  # a WXR 1.1 export

    def byline(post_id):
        return [author.name for author in story(post_id).byline_authors]

    assert story(201).byline_authors == [author]  # the existing "Ana Reyes"
    assert byline(202) == ["Jae Kim"]  # no display name: first and last name
    assert byline(203) == ["guest-writer"]  # not among the export's authors: the login
    assert byline(204) == []
    assert Author.objects.filter(name="Ana Reyes").count() == 1
    assert "post 203: author 'guest-writer' is not among the export's authors" in out
    assert "post 204: no author (dc:creator): no byline" in out


def test_private_protected_draft_and_future_posts_keep_their_status(client, tmp_path):
    out, _ = run(DATA / "statuses.xml")

    private, protected, sticky, draft, pending, future = map(story, range(401, 407))
    assert private.status == protected.status == Article.Status.UNPUBLISHED
    assert not private.is_live and not protected.is_live
    for path in ("/2022/02/01/staff-memo/", "/2022/02/02/budget-detail/"):
        assert client.get(path).status_code == HTTPStatus.NOT_FOUND
    for path in ("/?p=401", "/?p=402"):
        assert client.get(path).status_code == HTTPStatus.OK  # the front page, no redirect
    assert sticky.featured and sticky.is_live
    assert (draft.status, draft.publish_at) == (Article.Status.DRAFT, None)
    assert (pending.status, pending.publish_at) == (Article.Status.REVIEW, None)
    assert future.is_scheduled
    assert future.publish_at == datetime(2099, 1, 1, 14, 0, tzinfo=UTC)
    assert row(out, "post (trash)") == ["1"]
    assert row(out, "attachment") == ["1"]
    assert row(out, "nav_menu_item") == ["1"]
    # Posts without a category go to the default section, created when first needed.
    assert set(Section.objects.values_list("slug", flat=True)) == {"news"}


def test_a_post_without_an_author_stays_a_draft_and_the_output_says_so():
    out, _ = run(DATA / "authors.xml", verbosity=2)

    notice = story(204)  # published on WordPress, with no dc:creator
    assert notice.status == Article.Status.DRAFT and not notice.is_live
    assert notice.byline_authors == []
    assert all(story(post_id).is_live for post_id in (201, 202, 203))
    line = next(line for line in out.splitlines() if " post 204 " in line)
    assert "draft (not publishable)" in line
    advice = "the post has no author (add a byline in the admin, then publish)"
    assert f"note: not published: {advice}" in out

    out, _ = run(DATA / "authors.xml")  # and in the summary, run after run

    assert row(out, "draft (not publishable)") == ["1"]
    assert row(out, "unchanged") == ["4"]
    assert f"Not published (1)\n  post 204: not published: {advice}" in out


def test_missing_and_very_long_titles_make_sensible_headlines():
    out, _ = run(DATA / "statuses.xml")

    assert story(410).headline == "Untitled market report"
    long = story(411).headline
    assert len(long) <= 200
    assert long.endswith(" will…")
    assert "post 411: headline shortened from 242 characters" in out
    assert "post 410: no title: headline made from the WordPress slug" in out


def test_shortcodes_galleries_embeds_and_scripts_are_stripped_and_counted():
    out, _ = run(DATA / "shortcodes.xml")

    body = story(301).body
    assert (
        '<figure><a href="https://ledger.example.org/wp-content/uploads/bridge.jpg">'
        '<img src="https://ledger.example.org/wp-content/uploads/bridge.jpg" '
        'alt="Water over the old bridge"></a>'
        "<figcaption>The old bridge at 6 a.m.</figcaption></figure>"
    ) in body
    assert '"It was like the sea [sic]," one said.' in body  # not a shortcode
    for url in (
        "https://www.youtube.com/watch?v=flood2021",
        "https://vimeo.com/123456",
        "https://maps.example.com/embed?flood",
    ):
        assert f'<p><a href="{url}">{url}</a></p>' in body
    assert "<p>We lost everything in the basement.</p>" in body
    assert "[" not in body.replace("[sic]", "")
    assert "script" not in body and "tracking pixel" not in body
    assert row(out, "galleries (removed)") == ["1", "1"]
    assert row(out, "embeds and players (replaced by a link)") == ["3", "1"]
    assert row(out, "scripts (removed)") == ["1", "1"]
    assert row(out, "[caption] (kept as a figure caption)") == ["1", "1"]
    assert row(out, "[gallery] (removed)") == ["1", "1"]
    assert row(out, "[embed] (replaced by a link)") == ["1", "1"]
    for name in ("contact-form", "contact-field", "pullquote"):
        assert row(out, f"[{name}]") == ["1", "1"]


def test_nested_categories_file_posts_under_their_top_level_section():
    SectionFactory(name="Sports & leisure", slug="sport")
    SectionFactory(name="Opinion", slug="opinion")

    run(DATA / "categories.xml", section_default="opinion")

    school, regatta, letters = story(501), story(502), story(503)
    assert school.section.name == "News"
    assert set(school.tags.names()) == {"Schools", "Education"}
    assert regatta.section.slug == "sport"  # the existing section, matched by name
    assert set(regatta.tags.names()) == {"Local"}  # its second category
    assert letters.section.slug == "opinion"  # only "Uncategorized": --section-default
    assert Section.objects.count() == 3


def test_an_unknown_default_section_is_refused():
    before = counts()

    message = refusal(DATA / "minimal.xml", section_default="nowhere")

    assert message.startswith("import_wordpress: --section-default 'nowhere': no such section")
    assert counts() == before


def test_a_taken_slug_gets_a_suffix_and_the_post_id_still_redirects(client, tmp_path):
    ArticleFactory(slug="council-approves-budget", live=True)

    run(DATA / "collision.xml")

    imported = story(601)
    assert imported.slug == "council-approves-budget-2"
    response = client.get("/?p=601")
    assert response["Location"] == imported.get_absolute_url()
    # A non-ASCII WordPress slug: the old address is stored as a request spells it.
    sister_city = story(602)
    assert sister_city.slug == "post-602"
    response = client.get("/2017/06/02/%E5%A7%89%E5%A6%B9%E9%83%BD%E5%B8%82/")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == sister_city.get_absolute_url()


def test_the_old_permalink_of_a_post_whose_slug_was_taken_reaches_the_imported_story(
    client, tmp_path
):
    ArticleFactory(slug="council-approves-budget", live=True)
    run(DATA / "collision.xml")

    response = client.get("/2017/06/01/council-approves-budget/")

    assert response["Location"] == story(601).get_absolute_url()


# -- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("binary.xml", "binary data (NUL bytes), not an XML export"),
        ("latin1.xml", "not UTF-8: byte 0xe9 at line 33, column 22"),
        ("malformed.xml", "malformed XML at line 9, column 4: mismatched tag"),
        ("not-wxr.xml", "not a WordPress export (WXR): an RSS feed without WordPress's wp:"),
        ("no-items.xml", "no posts to import (the export has no items)"),
        ("pages-only.xml", "no posts to import (the export has 1 page, 1 attachment)"),
        ("entities.xml", "refused unsafe XML (EntitiesForbidden)"),
        ("does-not-exist.xml", "no such file"),
    ],
)
def test_a_bad_file_is_refused_with_one_line_and_nothing_written(name, problem):
    before = counts()

    message = refusal(DATA / name)

    assert message.startswith(f"import_wordpress: {DATA / name}: {problem}")
    assert "\n" not in message
    assert counts() == before


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"  \n\n", "empty file"),
        (b"<html><body>Not an export</body></html>", "not a WordPress export (WXR): the document "),
        (b"\x1f\x8b\x08\x00compressed", "gzip-compressed: decompress it first"),
        (b'<?xml version="1.0"?>\n<rss><item>', "malformed XML at line 2, column 12: no element"),
    ],
)
def test_empty_html_and_compressed_files_are_refused(tmp_path, content, problem):
    path = tmp_path / "export.xml"
    path.write_bytes(content)

    assert refusal(path).startswith(f"import_wordpress: {path}: {problem}")


def test_a_directory_is_refused(tmp_path):
    assert refusal(tmp_path) == f"import_wordpress: {tmp_path}: is a directory, not an export file"


def test_a_file_declaring_its_encoding_imports():
    run(DATA / "latin1-declared.xml")

    assert Article.objects.get().headline == "Café owners cheer the river park budget"


def test_one_bad_file_refuses_the_whole_batch():
    before = counts()

    message = refusal(DATA / "minimal.xml", DATA / "malformed.xml")

    assert message == (
        f"import_wordpress: {DATA / 'malformed.xml'}: malformed XML at line 9, column 4: "
        "mismatched tag; nothing was imported (--skip-bad imports the 1 good post)"
    )
    assert counts() == before


def test_skip_bad_imports_the_good_files_and_lists_the_bad():
    out, err = run(
        DATA / "minimal.xml",
        DATA / "malformed.xml",
        DATA / "binary.xml",
        DATA / "missing-id.xml",
        skip_bad=True,
    )

    # A post without wp:post_id is no longer a bad post: it is found by its title and date.
    assert {article.headline for article in Article.objects.all()} == {
        "Council approves the river park budget",
        "Hand-edited post without an id",
        "Market day moves to Sunday",
    }
    assert err.splitlines() == [
        f"import_wordpress: skipped {DATA / 'malformed.xml'}: malformed XML at line 9, "
        "column 4: mismatched tag",
        f"import_wordpress: skipped {DATA / 'binary.xml'}: binary data (NUL bytes), not an "
        "XML export",
    ]
    assert row(out, "Errors (skipped with --skip-bad)") == ["2"]


def test_skip_bad_with_nothing_good_still_fails():
    message = refusal(DATA / "malformed.xml", DATA / "binary.xml", skip_bad=True)

    assert message == "import_wordpress: 2 problems (listed above); nothing could be imported"


def test_a_bad_file_prints_one_line_on_stderr_and_exits_non_zero(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "import_wordpress", str(DATA / "malformed.xml")],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"CommandError: import_wordpress: {DATA / 'malformed.xml'}: malformed XML at line 9, "
        "column 4: mismatched tag"
    ]


# -- Dry run, verbosity and progress ------------------------------------------------------------


def test_dry_run_writes_nothing_and_prints_what_would_happen():
    before = counts()

    out, _ = run(DATA / "minimal.xml", DATA / "statuses.xml", dry_run=True)

    assert counts() == before
    assert out.startswith("Dry run, nothing was written.")
    assert row(out, "would be created") == ["9"]
    assert row(out, "sections") == ["2"]


def test_verbosity_two_prints_a_line_per_story():
    out, _ = run(DATA / "minimal.xml", verbosity=2)

    assert out.splitlines()[0].split() == [
        "created",
        "post",
        "101",
        "live",
        "/2019/03/14/river-park-budget/",
        *"Council approves the river park budget".split(),
    ]


def test_quiet_at_verbosity_zero():
    assert run(DATA / "minimal.xml", verbosity=0) == ("", "")


def test_a_progress_bar_on_a_terminal_only():
    _, piped = run(DATA / "statuses.xml")
    _, terminal = run(DATA / "categories.xml", stderr=TTY())
    _, quiet = run(DATA / "authors.xml", stderr=TTY(), verbosity=0)

    assert piped == quiet == ""
    assert terminal.startswith("\rImporting [")
    assert "3/3" in terminal
    assert terminal.endswith("\nSaving revisions and the search index for 3 stories…\n")


# -- Any bytes: imported or refused, never a crash ---------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_are_read_or_refused_never_a_crash(data):
    try:
        wordpress.read_export(data, source="x.xml", tz=ZoneInfo("UTC"))
    except wordpress.WxrError as problem:
        assert str(problem) and "\n" not in str(problem)


WXR_ITEM = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><item>'
    "<title>{}</title><link>{}</link><wp:post_id>{}</wp:post_id><wp:status>{}</wp:status>"
    "<wp:post_date_gmt>{}</wp:post_date_gmt><wp:post_name>{}</wp:post_name>"
    '<category domain="category" nicename="{}">{}</category>'
    "<content:encoded>{}</content:encoded></item></channel></rss>"
)
xml_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(
        xml_text,
        xml_text | st.just("https://old.example/2020/01/02/a-post/"),
        xml_text | st.integers(0, 10**12).map(str),
        xml_text | st.sampled_from(["publish", "future", "draft", "pending", "private", "trash"]),
        xml_text | st.just("2020-01-02 03:04:05") | st.just("0000-00-00 00:00:00"),
        xml_text,
        xml_text,
        xml_text,
        xml_text,
    )
)
def test_any_wxr_item_is_read_or_refused_never_a_crash(fields):
    data = WXR_ITEM.format(*(xml_escape(field, {'"': "&quot;"}) for field in fields))
    try:
        export = wordpress.read_export(data.encode(), source="x.xml", tz=ZoneInfo("UTC"))
    except wordpress.WxrError as problem:
        assert str(problem) and "\n" not in str(problem)
    else:
        for post in export.posts:
            assert 0 < len(post.headline) <= 200
            assert re.fullmatch(r"[-a-z0-9_]+", post.slug_base)
            assert all(path.startswith("/") and len(path) <= 500 for path in post.old_paths)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "text",
                "\n",
                "\n\n",
                "[gallery]",
                "[caption]",
                "[/caption]",
                "[embed]https://x.example/v[/embed]",
                "<img src='https://x.example/a.jpg'>",
                "<p>",
                "</p>",
                "<div>",
                "</div>",
                "<script>x</script>",
                "https://x.example/watch",
                "<!--nextpage-->",
                "<!-- wp:paragraph -->",
                "[sic]",
                "<table><tr><td>a</td></tr></table>",
                "<br>",
                "&amp;",
                "<",
            ]
        ),
        max_size=25,
    ).map("".join)
)
def test_any_post_content_becomes_an_allow_listed_body(content):
    body, _, _ = wordpress.convert_body(content)

    assert sanitize_body(body) == body
    assert not SHORTCODE.search(body)


def test_two_wordpress_sites_with_the_same_post_ids_import_side_by_side(tmp_path):
    other = tmp_path / "other-site.xml"
    other.write_text(
        (DATA / "minimal.xml")
        .read_text(encoding="utf-8")
        .replace("ledger.example.org", "gazette.example.net")
        .replace("river park", "harbor park"),
        encoding="utf-8",
    )
    run(DATA / "minimal.xml")
    first = set(Article.objects.values_list("pk", "source_uri"))
    run(other)
    run(DATA / "minimal.xml")  # a re-run of the first site still updates, never duplicates

    sources = dict(Article.objects.values_list("source_uri", "headline"))
    assert len(sources) == 2 * len(first)
    assert all(uri.startswith("wordpress:https://") for uri in sources)
    assert any("gazette.example.net" in uri for uri in sources)
    assert any("harbor park" in headline for headline in sources.values())
