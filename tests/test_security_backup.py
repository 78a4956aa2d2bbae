"""Nothing lost: `export_site` and `import_site` carry the whole newsroom (stories in every
state, revisions, corrections, tags, bylines, old addresses, people, roles, passwords, the
admin log, media files) into an empty database, where every public page is byte for byte what
it was. An import that cannot be whole (a database in use, a damaged or foreign file) is
refused and changes nothing.

The clock is frozen and the page cache off, so two renderings of one page can differ only by
what the database and the media directory hold."""

import json
import shutil
import stat
import zipfile
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from importlib import import_module
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.backup import FORMAT_VERSION
from articles.editorial import publishing
from articles.models import Article, ArticleRedirect, Author, Byline, Correction, Revision, Section
from caching.models import PendingPurge
from fronts import revisions as front_revisions
from fronts.models import Collection, Front, FrontRevision, Slot
from images.models import Rendition
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    SectionFactory,
    staff_user,
)
from tests.pictures import library_image, png_bytes

pytestmark = pytest.mark.django_db
roles = import_module("articles.migrations.0003_create_roles")

NOON = datetime(2026, 3, 10, 17, 0, 0, 123456, tzinfo=UTC)  # microseconds must survive
PASSWORDS = {"eddie": "copy desk 1987 ferry", "rita": "night shift lighthouse 42"}
LOGIN = reverse("admin:login")
STORY_LIST = reverse("admin:articles_article_changelist")


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def hours_ago(hours):
    return NOON - timedelta(hours=hours)


def build_newsroom(commits):
    """Sections, authors, tags, people in their roles, and stories in every state."""
    editor, reporter = (
        staff_user("eddie", "Editor", password=PASSWORDS["eddie"]),
        staff_user("rita", "Reporter", password=PASSWORDS["rita"]),
    )
    User.objects.create_superuser("chief", password="masthead 1851 nyc")
    intern = User.objects.create_user("ivan", password="intern summer 2026")
    intern.user_permissions.add(Permission.objects.get(codename="view_article"))
    Group.objects.create(name="Archivists").permissions.add(
        Permission.objects.get(codename="view_revision")
    )
    city = SectionFactory(name="New York", slug="new-york", description="The five boroughs.")
    politics, world = SectionFactory(name="Politics"), SectionFactory(name="World")
    ana = AuthorFactory(name="Ana Reyes", slug="ana-reyes", user=reporter, bio="City Hall.")
    ben = AuthorFactory(name="Ben Okafor", slug="ben-okafor")

    def story(section, authors, tags, **fields):
        with commits():
            article = ArticleFactory(section=section, authors=authors, tags=tags, **fields)
        return article

    with commits():
        lead = story(city, [ana, ben], ["Budget", "City Hall"], featured=True)
        lead.lead_image = library_image(
            png_bytes(640, 360), alt_text="The council", credit="Staff", tags=["Budget"]
        )
        publishing.save(lead, by=reporter)
        publishing.publish(lead, at=hours_ago(5), by=editor)
    with commits():
        lead.body += "<p>The vote was 38 to 13.</p>"
        publishing.save(lead, by=editor, note="Adds the vote count", substantive=True)
    CorrectionFactory(article=lead, created_at=hours_ago(2))
    CorrectionFactory(article=lead, kind="clarification", text="The budget is for 2027.")
    renamed = story(politics, [ben], ["Budget", "Albany"], headline="Albany weighs tolls")
    with commits():
        publishing.publish(renamed, at=hours_ago(30), by=editor)
    with commits():
        renamed.slug = "albany-weighs-congestion-tolls"
        publishing.save(renamed, by=editor)
    withdrawn = story(world, [ana], ["Ferries"], headline="Ferry strike ends")
    with commits():
        publishing.publish(withdrawn, at=hours_ago(8), by=editor)
    with commits():
        publishing.unpublish(withdrawn, by=editor)
    scheduled = story(city, [ana], ["Budget"], headline="Budget hearings begin")
    with commits():
        publishing.publish(scheduled, at=NOON + timedelta(days=1), by=editor)
    in_review = story(world, [ben], [], headline="Port talks resume")
    with commits():
        publishing.submit_for_review(in_review, by=reporter)
    story(city, [], ["Albany"], headline="A draft nobody saw")
    trashed = story(politics, [ben], ["Albany"], live=True, publish_at=hours_ago(40))
    with commits():
        publishing.move_to_trash(trashed, by=editor)
    for hours in range(3, 6):
        story(world, [ben], ["Ferries"], live=True, publish_at=hours_ago(hours * 7))
    LogEntry.objects.log_actions(
        editor.pk, [lead], CHANGE, change_message="Changed headline.", single_object=True
    )
    arrange_home(lead, editor)


def arrange_home(lead, editor):
    """The home front arranged by an editor: a collection, a pin, the layout's revisions."""
    home, _ = Front.objects.get_or_create(slug="home", defaults={"name": "Home"})
    before = front_revisions.snapshot(home.pk)
    top = Collection.objects.create(front=home, title="Top stories", max_stories=2)
    Slot.objects.create(collection=top, article=lead, headline="Council passes the budget")
    assert front_revisions.record(home.pk, before=before, by=editor) is not None


def public_paths():
    """Every address a reader or a machine can ask for, old addresses and gone stories too."""
    paths = ["/", "/corrections/", "/corrections/feed/", "/feed/", "/feed/atom/", "/robots.txt"]
    paths += ["/sitemap.xml", "/news-sitemap.xml", "/search/?q=budget", "/search/?q=ferry"]
    paths += ["/api/v1/articles/", "/api/v1/sections/", "/api/v1/tags/", "/api/v1/openapi.json"]
    for section in Section.objects.all():
        url = section.get_absolute_url()
        paths += [url, f"{url}feed/", f"/sitemap-{section.slug}.xml"]
    for listing in [*Tag.objects.all(), *Author.objects.all()]:
        prefix = "tag" if isinstance(listing, Tag) else "author"
        paths += [f"/{prefix}/{listing.slug}/", f"/{prefix}/{listing.slug}/feed/"]
    for article in Article.objects.all():
        url, api = article.get_absolute_url(), f"/api/v1/articles/{article.uuid}/"
        paths += [url, f"{url}history/", api, f"{api}ninjs/"]
    paths += [redirect.old_path for redirect in ArticleRedirect.objects.all()]
    return paths


def pages(paths):
    client = Client()
    return {
        path: (response.status_code, sorted(response.items()), response.content)
        for path in paths
        for response in [client.get(path)]
    }


def people():
    return {
        user.username: (
            user.password,
            user.is_staff,
            user.is_superuser,
            sorted(user.groups.values_list("name", flat=True)),
            sorted(user.get_all_permissions()),
            user.date_joined,
        )
        for user in User.objects.all()
    }


def records():
    """What the desk sees beside the public pages."""
    return {
        "revisions": list(Revision.objects.order_by("pk").values()),
        "fronts": list(Front.objects.order_by("pk").values()),
        "front revisions": list(FrontRevision.objects.order_by("pk").values()),
        "corrections": list(Correction.objects.order_by("pk").values()),
        "bylines": list(Byline.objects.order_by("pk").values()),
        # Content types by name: their ids are this database's own.
        "log": list(
            LogEntry.objects.order_by("pk").values(
                "action_time", "user", "content_type__model", "object_id", "change_message"
            )
        ),
        "articles": list(Article.objects.order_by("pk").values()),
        "groups": {
            g.name: sorted(g.permissions.values_list("codename", flat=True))
            for g in Group.objects.all()
        },
    }


def media_files(root):
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def empty_everything(media):
    """Every table emptied, then what `migrate` makes put back, numbered as a database
    migrated elsewhere might number it: content types, permissions, the newsroom's roles.
    The search index is emptied too, and the media directory removed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE waits for no deferred check of rows this test wrote.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as a new transaction has them
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM articles_search")
    ContentType.objects.clear_cache()
    ContentType.objects.create(app_label="elsewhere", model="first")  # every id one further
    emit_post_migrate_signal(0, False, connection.alias)
    for name, permissions in roles.ROLES.items():
        codenames = [dotted.split(".")[1] for dotted in permissions]
        Group.objects.create(name=name).permissions.set(
            Permission.objects.filter(codename__in=codenames)
        )
    shutil.rmtree(media)
    assert not Article.objects.exists() and not User.objects.exists()
    assert not Tag.objects.exists() and not Section.objects.exists()


def export(path):
    output = StringIO()
    call_command("export_site", str(path), stdout=output)
    return output.getvalue()


def import_file(path):
    output = StringIO()
    call_command("import_site", str(path), stdout=output)
    return output.getvalue()


def log_in(username, password):
    browser = Client()
    response = browser.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})
    return response, browser


def test_a_newsroom_exported_and_imported_into_an_empty_database_serves_identical_pages(
    clock, media, tmp_path, commits
):
    build_newsroom(commits)
    paths = public_paths()
    before = pages(paths)
    people_before, records_before, files_before = people(), records(), media_files(media)
    assert files_before, "the lead image is on disk"
    statuses = {status for status, _, _ in before.values()}
    assert {HTTPStatus.OK, HTTPStatus.MOVED_PERMANENTLY, HTTPStatus.GONE} <= statuses
    assert b"<mark>" in before["/search/?q=budget"][2]  # the index found stories
    last_id = Article.objects.latest("pk").pk

    summary = export(tmp_path / "site.zip")
    assert "articles.article: 10 rows" in summary
    assert "images.image.file: 1 file" in summary
    assert f"images.rendition.file: {Rendition.objects.count()} files" in summary
    empty_everything(media)
    summary = import_file(tmp_path / "site.zip")

    assert "articles.revision: " in summary and "Search index rebuilt: 10 stories." in summary
    after = pages(paths)
    assert [path for path in paths if after[path] != before[path]] == []
    assert media_files(media) == files_before
    assert people() == people_before
    assert records() == records_before
    with commits():
        assert ArticleFactory().pk == last_id + 1


def test_restored_people_log_in_with_their_passwords_and_keep_their_roles(
    clock, media, tmp_path, commits
):
    build_newsroom(commits)
    export(tmp_path / "site.zip")
    empty_everything(media)
    import_file(tmp_path / "site.zip")

    response, editor = log_in("eddie", PASSWORDS["eddie"])
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == "/admin/"
    assert editor.get(STORY_LIST).status_code == HTTPStatus.OK
    assert User.objects.get(username="eddie").has_perm("articles.publish_article")
    response, reporter = log_in("rita", PASSWORDS["rita"])
    assert response.status_code == HTTPStatus.FOUND
    assert not User.objects.get(username="rita").has_perm("articles.publish_article")
    assert Author.objects.get(slug="ana-reyes").user.username == "rita"
    wrong, _ = log_in("eddie", "not the password")
    assert wrong.status_code == HTTPStatus.OK  # the form again, with its error


def test_the_export_covers_every_table_and_field_but_leaves_out_logins_and_purges(
    clock, media, tmp_path, commits, settings, client
):
    settings.CDN_PURGE_URL = "http://cdn.invalid/purge"
    build_newsroom(commits)
    log_in("eddie", PASSWORDS["eddie"])
    log_in("rita", "a wrong guess")
    assert Session.objects.exists() and AccessAttempt.objects.exists()
    assert PendingPurge.objects.exists()
    export(tmp_path / "site.zip")

    with zipfile.ZipFile(tmp_path / "site.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        first_story = json.loads(archive.open("data/articles.article.jsonl").readline())
        names = archive.namelist()
    tables = {table["model"] for table in manifest["tables"]}
    assert {"articles.article", "articles.revision", "auth.user_groups", "admin.logentry"} <= tables
    assert not any(t.startswith(("sessions.", "axes.", "caching.")) for t in tables)
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["exported_at"] == NOON.isoformat()
    assert "0010_reporters_leave_tags_to_editors" in manifest["migrations"]["articles"]
    stored = {f.name for f in Article._meta.concrete_fields} - {"id", "search_vector"}
    assert set(first_story["fields"]) == stored
    assert any(name.startswith("media/images.image.file/images/originals/") for name in names)
    assert any(name.startswith("media/images.rendition.file/images/renditions/") for name in names)
    assert stat.S_IMODE((tmp_path / "site.zip").stat().st_mode) == 0o600  # password hashes


def test_export_keeps_an_existing_file_unless_told_to_overwrite(tmp_path, media):
    (tmp_path / "site.zip").write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="exists"):
        export(tmp_path / "site.zip")
    assert (tmp_path / "site.zip").read_bytes() == b"yesterday's backup"
    call_command("export_site", str(tmp_path / "site.zip"), "--overwrite", stdout=StringIO())
    assert zipfile.is_zipfile(tmp_path / "site.zip")


def test_import_refuses_a_database_that_is_not_empty(clock, media, tmp_path, commits):
    build_newsroom(commits)
    export(tmp_path / "site.zip")
    CorrectionFactory(article=Article.objects.first(), text="Added after the backup.")
    counts = {model: model.objects.count() for model in [Article, Correction, User, Revision]}

    with pytest.raises(CommandError, match="This database is not empty .*Nothing was imported"):
        import_file(tmp_path / "site.zip")
    assert {model: model.objects.count() for model in counts} == counts


def rewritten(source, target, change):
    """A copy of the archive `source` with `change(name, data)` applied to each member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = change(name, old.read(name))
            if data is not None:
                new.writestr(name, data)
    return target


def last_line_broken(name, data):
    return data[:-20] + b"\n" if name == "data/articles.byline.jsonl" else data


def byline_of_a_missing_story(name, data):
    if name != "data/articles.byline.jsonl":
        return data
    first, rest = data.split(b"\n", 1)
    row = json.loads(first)
    row["fields"]["article"] = 999_999
    return json.dumps(row).encode() + b"\n" + rest


def with_header(**changes):
    def change(name, data):
        return json.dumps(json.loads(data) | changes).encode() if name == "manifest.json" else data

    return change


def with_migration(name, data):
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["migrations"]["articles"].append("0099_from_the_future")
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (last_line_broken, "articles.byline.jsonl, line \\d+: not a row"),
        (byline_of_a_missing_story, "rows do not fit together"),
        (lambda name, data: None if name == "data/articles.article.jsonl" else data, "lacks"),
        (with_header(format_version=FORMAT_VERSION + 1), "newer version of Newsroom"),
        (with_header(format="wordpress"), "not a site export"),
        (with_migration, "newer version of the site"),
    ],
    ids=["broken row", "dangling byline", "missing table", "newer format", "foreign", "newer"],
)
def test_a_damaged_or_foreign_file_is_refused_and_changes_nothing(
    clock, media, tmp_path, commits, damage, message
):
    build_newsroom(commits)
    export(tmp_path / "site.zip")
    bad = rewritten(tmp_path / "site.zip", tmp_path / "bad.zip", damage)
    empty_everything(media)

    with pytest.raises(CommandError, match=message):
        import_file(bad)
    assert not Article.objects.exists() and not User.objects.exists()
    assert not Section.objects.exists() and not LogEntry.objects.exists()
    assert sorted(Group.objects.values_list("name", flat=True)) == ["Editor", "Reporter"]
    assert not media.exists() or media_files(media) == {}
    import_file(tmp_path / "site.zip")  # the good file still goes in whole
    assert Article.objects.count() == 10


def test_a_truncated_file_is_refused(clock, media, tmp_path, commits):
    build_newsroom(commits)
    export(tmp_path / "site.zip")
    data = (tmp_path / "site.zip").read_bytes()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])
    empty_everything(media)

    with pytest.raises(CommandError, match="not a readable zip"):
        import_file(tmp_path / "cut.zip")
    assert not Article.objects.exists()


def from_older_code(name, data):
    """As if exported before the latest articles migration, when stories had no `dek`."""
    if name == "manifest.json":
        manifest = json.loads(data)
        manifest["migrations"]["articles"].pop()
        return json.dumps(manifest).encode()
    if name == "data/articles.article.jsonl":
        rows = [json.loads(line) for line in data.splitlines()]
        for row in rows:
            del row["fields"]["dek"]
        return b"".join(json.dumps(row).encode() + b"\n" for row in rows)
    return data


def test_a_file_from_older_code_imports_with_defaults_for_what_came_since(
    clock, media, tmp_path, commits
):
    build_newsroom(commits)
    export(tmp_path / "site.zip")
    older = rewritten(tmp_path / "site.zip", tmp_path / "older.zip", from_older_code)
    empty_everything(media)

    summary = import_file(older)
    assert "Applied here but not in the file" in summary
    assert Article.objects.count() == 10
    assert set(Article.objects.values_list("dek", flat=True)) == {""}


def test_a_media_file_named_outside_the_media_directory_is_refused(clock, media, tmp_path, commits):
    build_newsroom(commits)
    export(tmp_path / "site.zip")
    with zipfile.ZipFile(tmp_path / "site.zip", "a") as archive:
        archive.writestr("media/images.image.file/../../escaped.txt", b"planted")
    empty_everything(media)

    with pytest.raises(CommandError, match="unsafe name"):
        import_file(tmp_path / "site.zip")
    assert not (tmp_path / "escaped.txt").exists() and not Article.objects.exists()
