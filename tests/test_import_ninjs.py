"""`manage.py import_ninjs`: ninjs in, the right story out; our own export comes back identical."""

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from taggit.models import Tag

from articles.editorial.publishing import unpublish
from articles.ingest import ninjs as ninjs_import
from articles.models import Article, Author, Byline, Correction, Revision
from articles.outputs.ninjs import to_ninjs_2, to_ninjs_3
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory
from tests.ninjs_schemas import assert_valid
from tests.shared import shared_path

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "ninjs"
EXAMPLES = shared_path("ninjs", "examples")


class TTY(io.StringIO):
    def isatty(self):
        return True


def run(*files, stdin=None, stderr=None, **options):
    """Run import_ninjs; return (stdout, stderr)."""
    out, err = io.StringIO(), stderr or io.StringIO()
    if stdin is not None:
        options["stdin"] = io.BytesIO(stdin)
    call_command("import_ninjs", *map(str, files), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def counts():
    return tuple(model.objects.count() for model in (Article, Author, Byline, Correction, Tag))


def refused(*files, **options) -> str:
    """Run import_ninjs expecting a refusal; return its one-line message."""
    before = counts()
    with pytest.raises(CommandError) as error:
        run(*files, **options)
    assert counts() == before, "something was written"
    message = str(error.value)
    assert "\n" not in message
    return message


@pytest.fixture
def write(tmp_path):
    def write(content, name="story.json"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def politics(db):
    return SectionFactory(name="Politics", slug="politics", position=5)


@pytest.fixture
def story(section):
    """A live story with everything the round trip must carry."""
    authors = [
        AuthorFactory(name="Zoe Adams", slug="zoe-adams"),
        AuthorFactory(name="Ana Reyes", slug="ana-reyes"),
        AuthorFactory(name="Ben Ortiz", slug="ben-ortiz"),
    ]
    article = ArticleFactory(
        live=True,
        headline="Council’s “historic” vote, explained",
        dek="What the budget means for schools & parks.",
        body=(
            "<h2>The vote</h2><p>Tom &amp; Jerry voted “yes” on Tuesday.</p>"
            '<figure><img src="https://example.com/a.jpg" alt="Chamber">'
            "<figcaption>The council chamber</figcaption></figure>"
            "<ul><li>First point</li><li>Second point</li></ul>"
        ),
        kind=Article.Kind.EXPLAINER,
        dateline="NEW YORK",
        authors=authors,
        tags=["City budget", "Schools", "Eric Adams"],
    )
    CorrectionFactory(article=article, text="An earlier version misstated the vote count.")
    return Article.objects.get(pk=article.pk)


def state(article: Article) -> dict:
    """What readers see of a story, as the round trip must keep it."""
    article = Article.objects.get(pk=article.pk)
    return {
        "uuid": article.uuid,
        "headline": article.headline,
        "dek": article.dek,
        "body": article.body,
        "section": article.section.slug,
        "kind": article.kind,
        "dateline": article.dateline,
        "authors": [author.slug for author in article.byline_authors],
        "tags": sorted(article.tags.names()),
        "publish_at": article.publish_at.replace(microsecond=0),
        "status": article.status,
        "is_live": article.is_live,
        "corrections": [(c.kind, c.text) for c in article.corrections.order_by("pk")],
    }


# -- Round trip: our own export comes back identical -------------------------------------------

EXPORTS = pytest.mark.parametrize(
    ("export", "version"), [(to_ninjs_2, "2"), (to_ninjs_3, "3")], ids=["ninjs-2", "ninjs-3"]
)


@EXPORTS
def test_deleted_story_comes_back_identical_from_its_export(
    story, write, validators, export, version
):
    document = export(story)
    assert_valid(validators[version], document)
    before = state(story)
    story.delete()

    out, _ = run(write(document))

    article = Article.objects.get()
    assert state(article) == before
    assert article.source_uri == f"ninjs:urn:uuid:{story.uuid}"
    # The story's address comes back too: the export names it as its web rendition.
    assert article.slug == story.slug
    assert out.startswith(f"Created: {story.headline}\n")


@EXPORTS
def test_changed_story_is_restored_from_its_export(story, politics, write, export, version):
    document = export(story)
    before = state(story)
    story.headline, story.dek, story.body = "Changed", "", "<p>Rewritten.</p>"
    story.kind, story.dateline, story.section = Article.Kind.NEWS, "", politics
    story.save()
    story.bylines.exclude(author__slug="ben-ortiz").delete()
    story.tags.set(["Something else"])
    story.corrections.all().delete()
    unpublish(story)

    # Our own story, which no import made: updated only when the editor asks.
    out, _ = run(write(document), update_own=True)

    assert Article.objects.count() == 1
    assert state(story) == before
    assert out.startswith(f"Updated: {before['headline']}\n")


@EXPORTS
def test_reimporting_an_unchanged_story_changes_nothing(story, write, export, version):
    version_before, before = story.version, state(story)
    path = write(export(story))

    out, _ = run(path, update_own=True)
    run(path, update_own=True)

    story.refresh_from_db()
    assert (story.version, state(story)) == (version_before, before)
    assert out.startswith(f"Unchanged: {story.headline}\n")


def test_same_document_twice_updates_and_never_duplicates(section, politics):
    first, _ = run(DATA / "agency-2.2.json")
    article = Article.objects.get()
    version = article.version
    second, _ = run(DATA / "agency-2.2.json")

    article.refresh_from_db()
    assert Article.objects.count() == 1
    assert article.version == version
    assert first.startswith("Created: ")
    assert second.startswith("Unchanged: ")
    assert "0 created, 0 updated, 1 unchanged" in second


def test_new_version_of_a_document_updates_its_story(section, politics, write):
    run(DATA / "agency-2.2.json")
    document = json.loads((DATA / "agency-2.2.json").read_text())
    document["headlines"][0]["value"] = "Council passes the budget"
    document["descriptions"].append({"role": "clarification", "value": "The vote was late."})

    out, _ = run(write(document))

    article = Article.objects.get()
    assert article.headline == "Council passes the budget"
    assert article.corrections.count() == 2
    assert out.startswith("Updated: Council passes the budget\n")
    # A story readers have seen gets a public “Updated” time for new copy.
    assert article.modified_at is not None


# -- Real documents written elsewhere -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.json")))
def test_iptc_examples_are_valid_and_import(section, validators, name):
    assert_valid(validators["2"], json.loads((EXAMPLES / name).read_text()))
    run(EXAMPLES / name)

    article = Article.objects.get(
        source_uri__startswith="ninjs:http://ninjs.example.com/newsitems/"
    )
    assert article.headline == "Captain of wrecked cruise ship on trial in Italy"
    assert [a.name for a in article.byline_authors] == ["Paulo Santalucia", "Frances d'Emilio"]
    assert article.publish_at == datetime(2013, 7, 9, 10, 37, tzinfo=UTC)
    assert article.is_live
    assert article.body.startswith("<p>GROSSETO, Italy (AP) -- The trial of the captain")
    assert article.body.endswith("Schettino has denied wrongdoing.</p>")


def test_iptc_plain_text_body_becomes_one_paragraph(section):
    run(EXAMPLES / "2.2_001_simple_example.json")

    article = Article.objects.get()
    assert article.body.count("<p>") == 1
    assert "lawyers' strike" in article.body
    assert article.section == section  # no section in the document: the first one
    assert article.dateline == ""


def test_iptc_xhtml_body_is_sanitized_and_updates_the_story_with_the_same_uri(section):
    run(EXAMPLES / "2.2_001_simple_example.json")
    out, _ = run(EXAMPLES / "2.2_004_simple_text_article.json")

    article = Article.objects.get()  # both examples carry the same uri
    assert article.body.count("<p>") == 4
    assert "capsized.  Schettino" in article.body  # the XHTML's text, kept exactly
    assert out.startswith("Updated: Captain of wrecked cruise ship on trial in Italy\n")


def test_iptc_complex_example_brings_dateline_and_the_person_it_is_about(section):
    run(EXAMPLES / "2.2_005_complex_text_article.json")

    article = Article.objects.get()
    assert article.dateline == "Grossetto, Italy"
    assert list(article.tags.names()) == ["Francesco Schettino"]  # rel about; not mentions
    assert article.body.count("<p>") == 4


# -- Our own test documents -----------------------------------------------------------------------

VALID = [
    ("agency-2.2.json", "2"),
    ("agency-3.1.json", "3"),
    ("batch.json", "2"),
    ("batch-one-bad.json", "2"),
    ("headline-only.json", "2"),
]


@pytest.mark.parametrize(("name", "version"), VALID)
def test_test_documents_are_valid_ninjs(validators, name, version):
    # A valid document can still be refused: the schema requires only a uri.
    documents = json.loads((DATA / name).read_text())
    for document in documents if isinstance(documents, list) else [documents]:
        assert_valid(validators[version], document)


def test_ninjs_2_document_maps_to_every_field(section, politics):
    existing = AuthorFactory(name="ANA REYES", slug="ana")

    out, _ = run(DATA / "agency-2.2.json")

    article = Article.objects.get()
    assert article.source_uri == "ninjs:urn:newsml:wire.example.com:20250314:council-budget"
    assert article.headline == "Council’s “historic” budget passes 31 to 18"
    assert article.slug == "councils-historic-budget-passes-31-to-18"
    assert article.dek == "The vote ends weeks of negotiation over schools & parks."
    assert article.body == (
        "<p>The city council approved the budget on Tuesday, after a debate that ran past "
        "midnight.</p>\n<p>Members voted 31 to 18. “It’s a &lt;start&gt;,” said one &amp; "
        "all.</p>\n<p>The mayor is expected to sign it this week.</p>"
    )
    assert article.section == politics
    assert article.kind == Article.Kind.ANALYSIS
    assert article.dateline == "NEW YORK"
    assert article.byline_authors[0] == existing  # matched by name, in any case
    assert article.byline_authors[1].slug == "ben-ortiz"  # created
    assert sorted(article.tags.names()) == ["City budget", "Eric Adams", "Schools"]
    assert article.publish_at == datetime(2025, 3, 14, 14, 30, tzinfo=UTC)
    assert article.is_live
    assert [(c.kind, c.text) for c in article.corrections.all()] == [
        ("correction", "An earlier version misstated the vote count.")
    ]
    assert "https://wire.example.com/photos/council-full.jpg (lead image not downloaded" in out
    assert "Lead images are not downloaded: 1 story names one" in out


def test_ninjs_3_document_is_sanitized_split_and_held_by_its_embargo(section):
    out, _ = run(DATA / "agency-3.1.json")

    article = Article.objects.get()
    assert article.body == (
        "<h2>Open again</h2><p>Traffic crossed the <strong>bridge</strong> at dawn.\n"
        "Drivers cheered.</p><p>Repairs cost <a>$40 million</a>, "
        '<a href="https://example.com/report">the report</a> says.</p>'
        "<p>Text left outside a paragraph.</p>"
    )
    assert article.dek == "Commuters get their crossing back."
    assert [author.name for author in article.byline_authors] == ["Zoe Adams", "Chris Lee"]
    assert sorted(article.tags.names()) == ["Bridges", "Transport"]
    assert article.kind == Article.Kind.NEWS  # “Feature” is no kind of ours
    assert article.is_scheduled
    assert article.publish_at == datetime(2099, 1, 1, 12, tzinfo=UTC)
    assert "ninjs 3.1" in out
    assert "note:    embargoed until 2099-01-01 07:00 EST: scheduled for then" in out
    assert "note:    genre “Feature”: no kind of ours matches" in out


def test_pubstatus_usable_withheld_and_canceled(section):
    out, _ = run(DATA / "batch.json")

    status = {article.source_uri.rsplit("/", 1)[1]: article for article in Article.objects.all()}
    assert status["usable"].is_live
    assert status["withheld"].status == Article.Status.DRAFT
    assert status["canceled"].status == Article.Status.UNPUBLISHED
    assert "status:  draft (withheld by the provider)" in out
    assert "status:  unpublished (canceled by the provider)" in out


def test_withheld_update_withdraws_a_story_readers_have_seen(section, write):
    document = json.loads((DATA / "batch.json").read_text())[0]
    run(write(document))
    document["pubstatus"] = "withheld"

    run(write(document))

    article = Article.objects.get()
    assert article.status == Article.Status.UNPUBLISHED
    assert article.is_withdrawn


def test_ninjs_1_names_are_read_too(section):
    out, _ = run(DATA / "legacy-1.x.json")

    article = Article.objects.get()
    assert article.headline == "Snowstorm closes schools"
    assert article.dek == "Classes resume on Monday."
    assert article.body == "<p>Schools closed on Friday.</p><p>Buses <em>did not</em> run.</p>"
    assert "(ninjs 1.x, " in out


def test_section_option_is_used_when_the_document_names_none_of_ours(section, politics, write):
    document = json.loads((DATA / "agency-2.2.json").read_text())
    document["subjects"][0]["name"] = "Sports"

    out, _ = run(write(document), section="politics")

    assert Article.objects.get().section == politics
    assert "section “Sports” is not one of ours" in out


def test_update_leaves_alone_what_the_document_does_not_carry(section, write):
    document = {
        "uri": "http://wire.example.com/items/partial",
        "headlines": [{"value": "Storm hits the coast"}],
        "descriptions": [{"value": "Thousands lose power."}],
        "bodies": [{"value": "Winds reached 80 mph."}],
        "by": "Ana Reyes",
        "located": "MIAMI",
    }
    run(write(document))
    article = Article.objects.get()
    article.tags.add("Weather")
    del document["descriptions"], document["located"], document["by"]

    run(write(document))
    article.refresh_from_db()
    assert (article.dek, article.dateline) == ("Thousands lose power.", "MIAMI")
    assert [a.name for a in article.byline_authors] == ["Ana Reyes"]
    assert list(article.tags.names()) == ["Weather"]

    # A document that says it is the whole story empties what it lacks.
    document["representationtype"] = "full"
    run(write(document))
    article.refresh_from_db()
    assert (article.dek, article.dateline, list(article.tags.names())) == ("", "", [])


def test_story_without_author_stays_a_draft(section, write):
    document = json.loads((DATA / "batch.json").read_text())[0]
    del document["by"]

    out, _ = run(write(document))

    assert Article.objects.get().status == Article.Status.DRAFT
    assert "note:    not published: the document names no author" in out


def test_publish_option_sets_the_time_of_new_stories_only(section, write):
    document = json.loads((DATA / "batch.json").read_text())[0]
    run(write(document), publish="2025-12-01T09:00")
    article = Article.objects.get()
    assert article.publish_at == datetime(2025, 12, 1, 14, tzinfo=UTC)

    out, _ = run(write(document), publish="now")  # live already: it keeps its time

    article.refresh_from_db()
    assert article.publish_at == datetime(2025, 12, 1, 14, tzinfo=UTC)
    assert out.startswith("Unchanged: ")


def test_new_author_gets_a_unique_slug(section, write):
    AuthorFactory(name="Someone Else", slug="ana-reyes")
    document = json.loads((DATA / "batch.json").read_text())[0]

    run(write(document))

    assert Article.objects.get().byline_authors[0].slug == "ana-reyes-2"


def test_import_is_recorded_as_a_revision(section, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(DATA / "legacy-1.x.json")

    # The import's note, then the publishing door's own for the state change it made.
    assert Revision.objects.get().note == (
        f"Imported from ninjs ({DATA / 'legacy-1.x.json'}); Published"
    )


def test_utf16_file_with_a_byte_order_mark_is_read(section, write):
    text = (DATA / "legacy-1.x.json").read_text(encoding="utf-8")

    run(write(text.encode("utf-16")))

    assert Article.objects.get().headline == "Snowstorm closes schools"


def test_dash_reads_standard_input(section):
    out, _ = run("-", stdin=(DATA / "legacy-1.x.json").read_bytes())

    assert Article.objects.get().headline == "Snowstorm closes schools"
    assert "(ninjs 1.x, <stdin>)" in out


# -- Output -------------------------------------------------------------------------------------


def test_output_names_each_story_its_status_and_its_addresses(section):
    out, _ = run(DATA / "batch.json")

    article = Article.objects.get(source_uri__endswith="/usable")
    admin = reverse("admin:articles_article_change", args=[article.pk])
    assert out.startswith("Created: Ferry service expands to the Bronx\n")
    assert "  status:  live (published 2025-05-01 04:00 EDT)\n" in out
    assert f"  admin:   {settings.SITE_URL}{admin}\n" in out
    assert f"  public:  {settings.SITE_URL}{article.get_absolute_url()}\n" in out
    assert "(answers once the story is live)" in out  # the withheld one
    assert out.splitlines()[-1].startswith("Imported 3 documents from 1 file in ")
    assert out.splitlines()[-1].endswith(": 3 created, 0 updated, 0 unchanged; 1 new author")


def test_dry_run_prints_what_would_happen_and_writes_nothing(section, politics):
    before = counts()

    out, _ = run(DATA / "agency-2.2.json", DATA / "batch.json", dry_run=True)

    assert counts() == before
    assert out.startswith("Would create: Council’s “historic” budget passes 31 to 18\n")
    assert "  admin:   (given on import)\n" in out
    assert "Dry run, nothing was written: 4 documents from 2 files" in out
    assert "4 would be created, 0 would be updated, 0 unchanged; 2 new authors\n" in out


def test_quiet_at_verbosity_zero(section):
    assert run(DATA / "batch.json", verbosity=0) == ("", "")


def test_a_progress_bar_on_a_terminal_only(section):
    _, piped = run(DATA / "batch.json")
    _, quiet = run(DATA / "batch.json", stderr=TTY(), verbosity=0)
    Article.objects.all().delete()
    _, terminal = run(DATA / "batch.json", stderr=TTY())

    assert piped == quiet == ""
    assert terminal.startswith("\rImporting [")
    assert "3/3" in terminal
    assert terminal.endswith("\nSaving revisions and the search index for 3 stories…\n")


# -- Bad input: one line naming the file, nothing written ---------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file: there is no ninjs document in it"),
        (b" \n\t\n", "empty file: there is no ninjs document in it"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (it contains NUL bytes), not JSON"),
        (
            '{"uri": "x", "headlines": [{"value": "Café"}]}'.encode("cp1252"),
            "not UTF-8: byte 0xe9 at line 1, column 42",
        ),
        (b"[]", "an empty JSON array: there is no ninjs document in it"),
        (b'"just text"', "not a ninjs document: the text 'just text', where a JSON object belongs"),
        (b'{"uri": 7}', "uri: the number 7, where text belongs"),
        (b'{"uri": "a b", "headlines": []}', "uri 'a b': a uri has no spaces"),
        (
            b'{"uri": "x", "type": "picture", "headlines": [{"value": "A photo"}]}',
            "a picture item, not a text story: only stories are imported",
        ),
        (
            b'{"uri": "x", "headlines": [{"value": "H"}], "bodies": [{"value": "B"}], '
            b'"pubstatus": "gone"}',
            "pubstatus 'gone': expected one of usable, withheld, canceled",
        ),
        (
            b'{"uri": "x", "headlines": [{"value": "H"}], "bodies": [{"value": "B"}], '
            b'"firstcreated": "yesterday"}',
            "firstcreated 'yesterday': not a date and time (RFC 3339",
        ),
        (
            b'{"uri": "x", "headlines": [{"value": "H\\u0000"}], "bodies": [{"value": "B"}]}',
            "headlines[0].value: a NUL character in the text",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "not-utf8",
        "empty-array",
        "not-an-object",
        "uri-not-text",
        "uri-with-space",
        "picture",
        "pubstatus",
        "date",
        "nul-character",
    ],
)
def test_bad_file_is_refused_with_one_line_naming_it(section, write, content, problem):
    path = write(content)
    message = refused(path)
    assert message.startswith(f"import_ninjs: {path}: {problem}")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("malformed.json", "malformed JSON at line 4, column 3: Expecting ',' delimiter"),
        ("not-ninjs.json", "not a ninjs document: no uri, no headline and no body"),
        ("no-uri.json", "no uri (ninjs requires a uri: the story's permanent id)"),
        ("headline-only.json", "only a headline, no body"),
        ("batch-one-bad.json", "document 3: no headline"),
    ],
)
def test_bad_document_is_refused_naming_file_and_problem(section, name, problem):
    message = refused(DATA / name)
    assert message.startswith(f"import_ninjs: {DATA / name}: {problem}")


def test_bad_document_in_an_array_refuses_the_whole_file(section):
    message = refused(DATA / "batch-one-bad.json")
    assert message.endswith(
        "document 3: no headline; nothing was imported (--skip-bad imports the 2 good documents)"
    )


def test_missing_file_and_directory_are_refused(section, tmp_path):
    assert (
        refused(tmp_path / "nope.json") == f"import_ninjs: {tmp_path / 'nope.json'}: no such file"
    )
    assert refused(tmp_path) == f"import_ninjs: {tmp_path}: is a directory, not a file"


def test_bad_standard_input_is_refused_naming_stdin(section):
    assert refused("-", stdin=b"{") == (
        "import_ninjs: <stdin>: malformed JSON at line 1, column 2: Expecting property name "
        "enclosed in double quotes"
    )


def test_unknown_section_and_bad_publish_time_are_refused(section):
    assert refused(DATA / "batch.json", section="sports") == (
        "import_ninjs: --section 'sports': no such section (sections: new-york); "
        "nothing was imported"
    )
    assert refused(DATA / "batch.json", publish="soon").startswith("import_ninjs: --publish 'soon'")


def test_no_sections_at_all_is_refused(db):
    assert refused(DATA / "batch.json").startswith("import_ninjs: there are no sections yet")


def test_batch_with_one_bad_file_writes_none_of_them(section):
    with pytest.raises(CommandError) as error:
        run(DATA / "batch.json", DATA / "headline-only.json")

    assert Article.objects.count() == 0
    assert str(error.value) == (
        f"import_ninjs: {DATA / 'headline-only.json'}: only a headline, no body: a story needs "
        "body text (`bodies`); nothing was imported (--skip-bad imports the 3 good documents)"
    )


def test_skip_bad_imports_the_good_documents_and_lists_the_bad(section):
    out, err = run(
        DATA / "batch-one-bad.json",
        DATA / "malformed.json",
        DATA / "legacy-1.x.json",
        skip_bad=True,
    )

    assert Article.objects.count() == 3
    assert err.splitlines() == [
        f"import_ninjs: skipped {DATA / 'batch-one-bad.json'}: document 3: no headline",
        f"import_ninjs: skipped {DATA / 'malformed.json'}: malformed JSON at line 4, column 3: "
        "Expecting ',' delimiter",
    ]
    assert "3 created, 0 updated, 0 unchanged; 2 new authors; skipped 2 bad (listed on " in out


def test_skip_bad_fails_when_nothing_could_be_imported(section):
    message = refused(DATA / "malformed.json", skip_bad=True)
    assert message.endswith("; nothing could be imported")


# -- Anything at all: imported or refused, never a crash ----------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec=None), max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
texts = st.lists(
    st.fixed_dictionaries(
        {"value": st.text(max_size=40) | json_values},
        optional={
            "role": st.sampled_from(["main", "summary", "correction", "kicker", "seo", ""]),
            "contenttype": st.sampled_from(["text/plain", "text/html", "body_xhtml", "image/png"]),
        },
    ),
    max_size=3,
)
entities = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "name": st.text(max_size=20) | json_values,
            "rel": st.sampled_from(["author", "about", "section", "mentions"]),
            "literal": st.text(max_size=12),
        },
    ),
    max_size=3,
)
ninjs_like = st.fixed_dictionaries(
    {},
    optional={
        "uri": st.sampled_from(["urn:uuid:6f1e3c1a-2b7d-4e5f-9a10-fac7519b6a4c", "http://x/1"])
        | st.text(max_size=20),
        "type": st.sampled_from(["text", "picture", "composite"]),
        "headlines": texts,
        "headline": st.text(max_size=30),
        "bodies": texts,
        "body_text": st.text(max_size=60),
        "descriptions": texts,
        "by": st.text(max_size=30),
        "people": entities,
        "subjects": entities,
        "genres": entities,
        "located": st.text(max_size=30),
        "firstcreated": st.sampled_from(["2025-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00"])
        | st.text(max_size=25),
        "pubstatus": st.sampled_from(["usable", "withheld", "canceled", "other"]),
        "representationtype": st.sampled_from(["full", "partial"]),
        "associations": json_values,
    },
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(document=json_values | ninjs_like)
def test_any_json_maps_to_a_story_or_a_message(document):
    try:
        story = ninjs_import.parse_document(document)
    except ninjs_import.NinjsError as problem:
        assert str(problem) and "\n" not in str(problem)
    else:
        assert story.uri and story.headline and story.body


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=json_values | ninjs_like | st.lists(ninjs_like, max_size=2))
def test_any_json_file_is_imported_or_refused_never_a_crash(section, write, document):
    path = write(json.dumps(document))
    before = Article.objects.count()
    try:
        run(path, verbosity=0)
    except CommandError as error:
        assert str(error).startswith(f"import_ninjs: {path}: ")
        assert "\n" not in str(error)
        assert Article.objects.count() == before
    else:
        assert before <= Article.objects.count() <= before + 2


def test_timestamps_are_read_in_utc(section, write):
    document = json.loads((DATA / "batch.json").read_text())[0]
    document["firstcreated"] = "2025-05-01T08:00:00"

    out, _ = run(write(document))

    assert Article.objects.get().publish_at == datetime(2025, 5, 1, 8, tzinfo=UTC)
    assert "firstcreated 2025-05-01T08:00:00 has no UTC offset: read as UTC" in out
    assert timezone.now() - Article.objects.get().created_at < timedelta(minutes=5)
