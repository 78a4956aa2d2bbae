"""Nothing one change breaks elsewhere: restoring a revision goes through the publishing
door's checks and says what it could not bring back; saving a story never removes another
story's old address (nor may a new story take one); cleaning up the tag vocabulary removes
only tags nothing carries."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.urls import reverse
from taggit.models import Tag

from articles.management.commands.remove_orphaned_tags import Command as RemoveOrphanedTags
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, staff_user
from tests.test_admin import ADD, article_form
from tests.test_security_privileges import publish_fields

pytestmark = pytest.mark.django_db


def revision_url(article, revision):
    return reverse("admin:articles_article_revision", args=[article.pk, revision.pk])


def restore(client, article, revision, commits):
    with commits():
        response = client.post(revision_url(article, revision), follow=True)
    article.refresh_from_db()
    return response


def first_revision(article):
    return article.revisions.order_by("pk").first()


def then_live(article, commits, **changes):
    """Change the story after its first revision and take it live: a second revision."""
    with commits():
        for name, value in changes.pop("fields", {}).items():
            setattr(article, name, value)
        article.status = Article.Status.PUBLISHED  # a fixture, not a desk action
        article.publish_at = article.created_at
        article.save()
        if "authors" in changes:
            article.replace_byline(changes["authors"])
    article.refresh_from_db()
    return article


@pytest.mark.parametrize(
    ("first_version", "missing"),
    [
        ({"body": "", "authors": [AuthorFactory]}, "no body text"),
        ({"authors": []}, "no author in its byline"),
    ],
    ids=["without body", "without byline"],
)
def test_a_live_story_is_never_restored_to_an_incomplete_version(
    admin_client, section, commits, first_version, missing
):
    early = [make() for make in first_version["authors"]]
    with commits():
        article = ArticleFactory(body=first_version.get("body", "<p>Draft.</p>"), authors=early)
    then_live(
        article, commits, fields={"body": "<p>The full story.</p>"}, authors=[AuthorFactory()]
    )
    revisions_before = article.revisions.count()
    response = restore(admin_client, article, first_revision(article), commits)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert f"Version {first_revision(article).version} was not restored" in page
    assert missing in page
    assert article.is_live and article.body == "<p>The full story.</p>"
    assert article.bylines.count() == 1
    assert article.revisions.count() == revisions_before


def test_a_draft_may_go_back_to_a_version_without_body_or_byline(admin_client, section, commits):
    with commits():
        article = ArticleFactory(body="")
    with commits():
        article.body = "<p>Written since.</p>"
        article.save()
        article.replace_byline([AuthorFactory()])
    restore(admin_client, article, first_revision(article), commits)
    assert article.body == "" and not article.bylines.exists()


def test_a_revision_whose_section_was_deleted_restores_in_the_current_section(
    admin_client, commits
):
    politics = SectionFactory(name="Politics", slug="politics")
    with commits():
        article = ArticleFactory(section=politics, headline="First headline")
    new_york = SectionFactory(name="New York", slug="new-york")
    with commits():
        article.section = new_york
        article.headline = "Second headline"
        article.save()
    politics.delete()
    revision = first_revision(article)
    assert admin_client.get(revision_url(article, revision)).status_code == HTTPStatus.OK
    response = restore(admin_client, article, revision, commits)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Section “Politics” no longer exists, so the story stays in “New York”." in page
    assert article.headline == "First headline" and article.section == new_york


def test_a_revision_whose_author_was_deleted_restores_the_rest_of_its_byline(
    admin_client, section, commits
):
    gone, stays = AuthorFactory(name="Gone Reporter"), AuthorFactory(name="Stays Reporter")
    with commits():
        article = ArticleFactory(authors=[gone, stays], headline="First headline")
    then_live(article, commits, fields={"headline": "Live headline"}, authors=[stays])
    gone.delete()
    response = restore(admin_client, article, first_revision(article), commits)
    page = response.content.decode()
    assert "Author “Gone Reporter” no longer exists and was left off the byline." in page
    assert article.is_live and article.headline == "First headline"
    assert article.byline_authors == [stays]


def test_a_live_story_whose_whole_old_byline_was_deleted_is_not_restored(
    admin_client, section, commits
):
    gone = AuthorFactory(name="Gone Reporter")
    with commits():
        article = ArticleFactory(authors=[gone])
    then_live(article, commits, authors=[AuthorFactory()])
    gone.delete()
    response = restore(admin_client, article, first_revision(article), commits)
    assert "was not restored" in response.content.decode()
    assert article.is_live and article.bylines.count() == 1


def test_a_revision_the_rules_now_refuse_restores_what_still_fits(admin_client, section, commits):
    with commits():
        article = ArticleFactory(headline="First headline", authors=[AuthorFactory()])
    then_live(article, commits, fields={"headline": "Live headline"})
    revision = first_revision(article)
    # Written before a shorter limit, a retired kind and a renamed section key.
    revision.data = {**revision.data, "seo_title": "S" * 200, "kind": "gossip", "section": "?"}
    revision.save()
    response = restore(admin_client, article, revision, commits)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "The saved search headline no longer fits the rules" in page
    assert "The saved kind no longer fits the rules" in page
    assert article.headline == "First headline"
    assert (article.seo_title, article.kind, article.section) == ("", "news", section)


def moved_story():
    """A live story whose slug changed: its first address answers 301 to the new one."""
    moved = ArticleFactory(
        live=True, slug="council-budget", headline="Council budget", authors=[AuthorFactory()]
    )
    old_address = moved.get_absolute_url()
    moved.slug = "council-budget-passes"
    moved.save()
    return moved, old_address


def test_saving_a_story_never_deletes_another_storys_old_address(client, section):
    moved, old_address = moved_story()
    newcomer = ArticleFactory(slug="council-budget", created_at=moved.publish_at)
    assert newcomer.get_absolute_url() == old_address
    newcomer.headline = "Saved again"
    newcomer.save()
    assert moved.redirects.filter(old_path=old_address).exists()
    response = client.get(old_address)
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == moved.get_absolute_url()


def test_a_new_story_may_not_take_another_storys_old_address(client, section, author):
    moved, old_address = moved_story()
    client.force_login(staff_user("rita", "Reporter"))
    response = client.post(ADD, article_form(section, [author], slug="council-budget"))
    assert response.status_code == HTTPStatus.OK
    assert "This slug is taken by an old address of “Council budget”" in response.content.decode()
    assert Article.objects.count() == 1
    assert moved.redirects.filter(old_path=old_address).exists()


def test_a_story_may_go_back_to_its_own_old_address(client, section):
    moved, old_address = moved_story()
    client.force_login(staff_user("ed", "Editor"))
    fields = {**publish_fields(moved.publish_at), "slug": "council-budget"}
    url = reverse("admin:articles_article_change", args=[moved.pk])
    response = client.post(url, article_form(moved.section, article=moved, **fields))
    assert response.status_code == HTTPStatus.FOUND
    moved.refresh_from_db()
    assert moved.get_absolute_url() == old_address
    assert client.get(old_address).status_code == HTTPStatus.OK


def remove_orphaned_tags(*args):
    out = StringIO()
    call_command(RemoveOrphanedTags(), *args, stdout=out)
    return out.getvalue()


def test_removing_orphaned_tags_keeps_every_tag_a_story_carries(section):
    ArticleFactory(live=True, tags=["Immigration", "ICE"])
    ArticleFactory(tags=["Embargoed subject"])  # a draft's tags are in use too
    Tag.objects.create(name="Nobody's tag", slug="nobodys-tag")
    output = remove_orphaned_tags()
    assert "Deleted 1 unused tags." in output and "Nobody's tag" in output
    assert sorted(Tag.objects.values_list("name", flat=True)) == [
        "Embargoed subject",
        "ICE",
        "Immigration",
    ]


def test_removing_orphaned_tags_as_a_dry_run_deletes_nothing(section):
    ArticleFactory(tags=["Immigration"])
    Tag.objects.create(name="Nobody's tag", slug="nobodys-tag")
    output = remove_orphaned_tags("--dry-run")
    assert "Nobody's tag" in output and "1 unused tags would be deleted" in output
    assert Tag.objects.count() == 2


def test_manage_py_remove_orphaned_tags_runs_ours_not_taggits():
    assert get_commands()["remove_orphaned_tags"] == "articles"
