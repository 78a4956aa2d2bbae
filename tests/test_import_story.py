"""`manage.py import_story`: wire text in, the right story out; bad input refused whole."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from taggit.models import Tag

from articles.models import Article, Revision
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.shared import shared_path

pytestmark = pytest.mark.django_db

SEED_FILE = shared_path("seed", "000_fac7519b6a4c0f10.txt")
SEED_UUID = "6f1e3c1a-2b7d-4e5f-9a10-fac7519b6a4c"
STORY = (
    "Council Approves Budget After Long Debate\n"
    "A Late Vote\n"
    "The city council approved the budget on Tuesday. The vote was 31 to 18.\n"
    "What Comes Next?\n"
    "The mayor is expected to sign it this week, aides said.\n"
)


def run(*args, stdin=None, **options):
    """Run import_story; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        options["stdin"] = io.BytesIO(stdin)
    call_command("import_story", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def refused(*args, **options) -> str:
    """Run import_story expecting a refusal; return its one-line message."""
    before = Article.objects.count(), Tag.objects.count()
    with pytest.raises(CommandError) as error:
        run(*args, **options)
    assert (Article.objects.count(), Tag.objects.count()) == before, "something was written"
    message = str(error.value)
    assert "\n" not in message
    return message


@pytest.fixture
def story_file(tmp_path):
    def write(text: str | bytes = STORY, name: str = "story.txt") -> str:
        path = tmp_path / name
        if isinstance(text, str):
            text = text.encode("utf-8")
        path.write_bytes(text)
        return str(path)

    return write


@pytest.fixture
def staff(db):
    return AuthorFactory(name="Newsroom Staff", slug="newsroom-staff")


def test_seed_file_imports_to_the_body_of_the_seed_fixture(seed):
    fixture = Article.objects.get(uuid=SEED_UUID)
    expected = fixture.headline, fixture.slug, fixture.dek, fixture.body
    fixture.delete()

    run(str(SEED_FILE), "--section", "new-york")

    article = Article.objects.get()
    assert (article.headline, article.slug, article.dek, article.body) == expected
    assert article.body.startswith("<h2>Mayor Takes Clear Stand on Sanctuary Policies</h2>\n<p>")
    assert article.body.count("<h2>") == article.body.count("<p>") == 8


def test_importing_the_seed_story_again_is_refused_naming_the_existing_story(seed):
    existing = Article.objects.get(uuid=SEED_UUID)

    message = refused(str(SEED_FILE))

    assert message.startswith(f"{SEED_FILE}: duplicate of the existing story")
    assert f"{settings.SITE_URL}{existing.get_absolute_url()}" in message
    assert "--update" in message


def test_story_with_a_new_headline_gets_tags_suggested_from_its_text(seed, story_file):
    text = SEED_FILE.read_text(encoding="utf-8").split("\n", 1)[1]
    path = story_file("Mayor Restates City’s Sanctuary Stance\n" + text)

    out, _ = run(path)

    article = Article.objects.get(headline="Mayor Restates City’s Sanctuary Stance")
    assert set(article.tags.names()) == {
        "Zohran Mamdani",
        "ICE",
        "NYPD",
        "Kristi Noem",
        "Donald Trump",
        "Minneapolis",
        "Operation Salvo",
        "National Guard",
        "Sanctuary cities",
        "Immigration",
    }
    assert "(suggested from the text)" in out
    assert [author.name for author in article.byline_authors] == ["Newsroom Staff"]
    assert article.section.slug == "new-york"  # first in the navigation


def test_new_story_is_a_draft_and_its_headline_status_and_urls_are_printed(
    section, staff, story_file
):
    out, err = run(story_file())

    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT and not article.is_live
    assert article.slug == "council-approves-budget-after-long-debate"
    assert article.dek == "The city council approved the budget on Tuesday."
    assert article.body == (
        "<h2>A Late Vote</h2>\n"
        "<p>The city council approved the budget on Tuesday. The vote was 31 to 18.</p>\n"
        "<h2>What Comes Next?</h2>\n"
        "<p>The mayor is expected to sign it this week, aides said.</p>"
    )
    admin_url = reverse("admin:articles_article_change", args=[article.pk])
    assert "Created: Council Approves Budget After Long Debate" in out
    assert "status:  draft" in out
    assert f"admin:   {settings.SITE_URL}{admin_url}" in out
    assert f"public:  {settings.SITE_URL}{article.get_absolute_url()}" in out
    assert out.rstrip().endswith("Imported 1 story.")
    assert err == ""


def test_text_is_kept_exactly_and_markup_characters_are_escaped(section, staff, story_file):
    path = story_file(
        "Q&A: “Why Now?” — The <Budget> Fight\n"
        "He said: “It’s 5 < 6 & 7 > 3 — isn’t it?” and left.\n"
        "<script>alert(1)</script> was printed in the agenda.\n"
    )
    run(path)

    article = Article.objects.get()
    assert article.headline == "Q&A: “Why Now?” — The <Budget> Fight"
    assert article.body == (
        "<p>He said: “It’s 5 &lt; 6 &amp; 7 &gt; 3 — isn’t it?” and left.</p>\n"
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; was printed in the agenda.</p>"
    )
    assert article.slug == "qa-why-now-the-budget-fight"


def test_crlf_bom_blank_lines_and_trailing_spaces_make_the_same_story(section, staff, story_file):
    messy = "\ufeff\r\n  " + STORY.replace("\n", "   \r\n\r\n \t\r\n")
    run(story_file(messy.encode("utf-8")), "--section", "new-york")
    clean = Article.objects.get()
    clean_body, clean_headline = clean.body, clean.headline
    clean.delete()

    run(story_file(STORY))

    article = Article.objects.get()
    assert (article.headline, article.body) == (clean_headline, clean_body)


def test_dash_reads_the_story_from_standard_input(section, staff):
    out, _ = run("-", stdin=STORY.encode("utf-8"))

    assert Article.objects.get().headline == "Council Approves Budget After Long Debate"
    assert "Created: Council Approves Budget After Long Debate" in out


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"  \r\n\n\t\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        ("Café Owners Protest\nRents rose again.".encode("cp1252"), "not UTF-8 text"),
        (b"Only a Headline Here\n\n", "only a headline, no body"),
        (b"Headline\nJust a Subhead\n", "no paragraphs"),
    ],
    ids=["empty", "blank", "binary", "not-utf8", "headline-only", "no-paragraph"],
)
def test_bad_file_is_refused_with_one_line_naming_it(section, staff, story_file, content, problem):
    path = story_file(content)
    message = refused(path)
    assert message.startswith(f"{path}: ")
    assert problem in message


def test_missing_file_and_directory_are_refused(section, staff, tmp_path):
    assert refused(str(tmp_path / "nope.txt")) == f"{tmp_path / 'nope.txt'}: no such file"
    assert refused(str(tmp_path)) == f"{tmp_path}: is a directory, not a file"


def test_bad_standard_input_is_refused_naming_stdin(section, staff):
    assert refused("-", stdin=b"") == "<stdin>: empty file: there is no story in it"


def test_unknown_section_or_author_is_refused(section, staff, story_file):
    path = story_file()
    assert "--section 'sports': no such section (sections: new-york)" in refused(
        path, "--section", "sports"
    )
    assert "--author 'nobody': no author has that slug or name" in refused(
        path, "--author", "nobody"
    )


def test_import_with_no_sections_at_all_is_refused(staff, story_file):
    assert "there are no sections yet" in refused(story_file())


def test_batch_with_one_bad_file_writes_none_of_them(section, staff, story_file):
    good = story_file(name="good.txt")
    other = story_file(STORY.replace("Council", "Board"), name="other.txt")
    bad = story_file(b"", name="bad.txt")

    message = refused(good, bad, other)

    assert message == (
        f"{bad}: empty file: there is no story in it; nothing was imported "
        "(--skip-bad imports the other 2)"
    )


def test_batch_with_several_bad_files_lists_each_on_stderr(section, staff, story_file, tmp_path):
    good = story_file(name="good.txt")
    bad = story_file(b"\x00\x01", name="bad.txt")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 of 3 files refused; nothing was imported"):
        call_command("import_story", good, bad, str(tmp_path / "gone.txt"), stderr=err)
    assert err.getvalue().splitlines() == [
        f"{bad}: binary file (it contains NUL bytes), not wire text",
        f"{tmp_path / 'gone.txt'}: no such file",
    ]
    assert not Article.objects.exists()


def test_skip_bad_imports_the_good_files_and_lists_the_bad(section, staff, story_file):
    good = story_file(name="good.txt")
    bad = story_file(b"Headline only", name="bad.txt")

    out, err = run(good, bad, "--skip-bad")

    assert Article.objects.get().headline == "Council Approves Budget After Long Debate"
    assert err.splitlines() == [
        f"{bad}: only a headline, no body: a story needs at least one paragraph"
    ]
    assert "Imported 1 story; skipped 1 bad file." in out


def test_skip_bad_fails_when_no_file_could_be_imported(section, staff, story_file):
    bad = story_file(b"", name="bad.txt")
    assert "(no file could be imported)" in refused(bad, "--skip-bad")


def test_dry_run_prints_what_would_be_created_and_writes_nothing(seed, story_file):
    text = SEED_FILE.read_text(encoding="utf-8").split("\n", 1)[1]
    path = story_file("A Different Headline\n" + text)
    before = Article.objects.count(), Tag.objects.count()

    out, _ = run(path, "--dry-run", "--tag", "Brand New Tag", "--publish", "now")

    assert (Article.objects.count(), Tag.objects.count()) == before
    assert "Would create: A Different Headline" in out
    assert "status:  live" in out
    assert "tags:    Brand New Tag" in out
    assert "dek:     New York City Mayor Zohran Mamdani renewed" in out
    assert "Dry run: 1 story would be imported; nothing was written." in out


def test_taken_slug_gets_a_numbered_one(section, staff, story_file):
    ArticleFactory(slug="council-approves-budget-after-long-debate")
    for n in range(2):
        run(story_file(STORY.replace("this week", f"within {n + 2} days")))

    slugs = set(Article.objects.values_list("slug", flat=True))
    assert {
        "council-approves-budget-after-long-debate-2",
        "council-approves-budget-after-long-debate-3",
    } <= slugs


def test_same_story_twice_in_one_run_is_refused(section, staff, story_file):
    path = story_file()
    message = refused(path, "-", stdin=STORY.encode("utf-8"))
    assert message.startswith(f"<stdin>: same headline and text as {path}, earlier in this run")


def test_update_replaces_the_text_of_the_story_with_that_headline_as_a_revision(
    section, staff, story_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run(story_file(), "--publish", "now")
    article = Article.objects.get()
    url, revisions = article.get_absolute_url(), article.revisions.count()
    changed = STORY.replace("31 to 18", "32 to 17").replace("The city", "The full city")

    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run(story_file(changed), "--update")

    article.refresh_from_db()
    assert Article.objects.count() == 1
    assert "32 to 17" in article.body
    assert article.dek == "The full city council approved the budget on Tuesday."
    assert article.get_absolute_url() == url and article.is_live
    assert article.revisions.count() == revisions + 1
    assert Revision.objects.filter(article=article, is_substantive=True).exists()
    assert article.was_updated
    assert "Updated: Council Approves Budget After Long Debate" in out


def test_update_keeps_the_publication_time_of_a_live_story(section, staff, story_file):
    run(story_file(), "--publish", "2025-03-04T09:30")
    published = Article.objects.get().publish_at

    run(story_file(STORY.replace("31 to 18", "32 to 17")), "--update", "--publish", "now")

    article = Article.objects.get()
    assert article.publish_at == published and "32 to 17" in article.body


def test_update_can_publish_a_draft(section, staff, story_file):
    run(story_file())

    out, _ = run(story_file(), "--update", "--publish", "now")

    assert Article.objects.get().is_live
    assert "Updated: Council Approves Budget After Long Debate" in out


def test_update_with_the_same_text_changes_nothing(section, staff, story_file):
    run(story_file())
    version = Article.objects.get().version

    out, _ = run(story_file(), "--update")

    assert Article.objects.get().version == version
    assert "Unchanged: Council Approves Budget After Long Debate" in out


def test_publish_now_makes_the_story_live(section, staff, story_file):
    out, _ = run(story_file(), "--publish", "now")

    article = Article.objects.get()
    assert article.is_live and Article.objects.published().filter(pk=article.pk).exists()
    assert "status:  live" in out
    assert "(answers once" not in out


def test_publish_time_without_offset_is_in_the_site_time_zone(section, staff, story_file):
    run(story_file(), "--publish", "2025-03-04T09:30")

    article = Article.objects.get()
    assert article.publish_at == datetime(2025, 3, 4, 9, 30, tzinfo=ZoneInfo(settings.TIME_ZONE))
    assert article.is_live
    assert article.get_absolute_url().startswith("/2025/03/04/")


def test_future_publish_time_schedules_the_story(section, staff, story_file):
    when = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    out, _ = run(story_file(), "--publish", when.isoformat())

    article = Article.objects.get()
    assert article.is_scheduled and article.publish_at == when
    assert not Article.objects.published().exists()
    assert "status:  scheduled for " in out


def test_unreadable_publish_time_is_refused(section, staff, story_file):
    assert "--publish 'tomorrow': give `now` or an ISO 8601 time" in refused(
        story_file(), "--publish", "tomorrow"
    )


def test_publishing_without_a_byline_is_refused(section, story_file):
    path = story_file()
    message = refused(path, "--publish", "now")
    assert message.startswith(f"{path}: cannot publish: ")
    assert "Give --author." in message


def test_tags_and_authors_given_are_used_in_order(section, story_file):
    AuthorFactory(name="Ana Reyes", slug="ana-reyes")
    AuthorFactory(name="Bo Chen", slug="bo-chen")
    Tag.objects.create(name="Budget", slug="budget")

    out, _ = run(
        story_file(),
        "--author",
        "bo-chen",
        "--author",
        "Ana Reyes",
        "--tag",
        "budget",
        "--tag",
        "City Council",
    )

    article = Article.objects.get()
    assert [author.slug for author in article.byline_authors] == ["bo-chen", "ana-reyes"]
    assert sorted(article.tags.names()) == ["Budget", "City Council"]
    assert Tag.objects.filter(name__iexact="budget").count() == 1
    assert "(suggested" not in out


def test_section_may_be_given_by_name(section, staff, story_file):
    SectionFactory(name="Politics", slug="politics")
    run(story_file(), "--section", "politics")
    run(story_file(STORY.replace("Council", "Board")), "--section", "Politics")
    assert set(Article.objects.values_list("section__slug", flat=True)) == {"politics"}


def test_verbosity_zero_prints_nothing(section, staff, story_file):
    assert run(story_file(), verbosity=0) == ("", "")


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_any_file_is_imported_or_refused_never_a_crash(section, staff, story_file, data):
    path = story_file(data)
    before = Article.objects.count()
    try:
        run(path, verbosity=0)
    except CommandError as error:
        assert str(error).startswith(f"{path}: ")
        assert Article.objects.count() == before
    else:
        assert Article.objects.count() == before + 1
