from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Section
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def article_form(section, authors=(), article=None, **overrides):
    """The fields the admin's add/change form posts, with its inline management forms.

    With `article`, its current bylines are posted back as the form's initial rows.
    """
    bylines = list(article.bylines.all()) if article else []
    data = {
        "kicker": "City Hall",
        "headline": "Council passes the budget",
        "dek": "A late-night vote.",
        "body": "<h2>The vote</h2><p>It passed.</p>",
        "dateline": "NEW YORK",
        "section": section.pk,
        "kind": "news",
        "tags": "Budget, City Council",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "image_alt": "",
        "image_caption": "",
        "image_credit": "",
        "seo_title": "",
        "meta_description": "",
        "slug": "council-passes-the-budget",
        "bylines-TOTAL_FORMS": str(len(bylines) + len(authors)),
        "bylines-INITIAL_FORMS": str(len(bylines)),
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "1000",
    }
    for index, byline in enumerate(bylines):
        data[f"bylines-{index}-id"] = byline.pk
        data[f"bylines-{index}-article"] = article.pk
        data[f"bylines-{index}-author"] = byline.author_id
        data[f"bylines-{index}-position"] = byline.position
    for index, author in enumerate(authors, start=len(bylines)):
        data[f"bylines-{index}-author"] = author.pk
        data[f"bylines-{index}-position"] = index
    if article is not None:
        data["base_version"] = article.version
    data.update(overrides)
    return data


def test_editor_creates_a_story_with_byline_and_tags(admin_client, section):
    authors = [AuthorFactory(name="Ana Reyes"), AuthorFactory(name="Ben Okafor")]
    response = admin_client.post(ADD, article_form(section, authors))
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    article = Article.objects.get(slug="council-passes-the-budget")
    assert article.status == Article.Status.DRAFT
    assert [author.name for author in article.byline_authors] == ["Ana Reyes", "Ben Okafor"]
    assert set(article.tags.names()) == {"Budget", "City Council"}


def test_editor_publishes_a_story_and_readers_see_it(admin_client, client, section, author):
    form = article_form(
        section,
        [author],
        status="published",
        publish_at_0=timezone.localtime().strftime("%Y-%m-%d"),
        publish_at_1="00:00:00",
    )
    assert admin_client.post(ADD, form).status_code == HTTPStatus.FOUND
    article = Article.objects.get()
    assert article.is_live
    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.OK


def test_add_form_refuses_a_taken_slug_with_a_message(admin_client, section):
    ArticleFactory(slug="council-passes-the-budget")
    response = admin_client.post(ADD, article_form(section))
    assert response.status_code == HTTPStatus.OK
    assert "Article with this Slug already exists." in response.content.decode()
    assert Article.objects.count() == 1


def test_add_form_refuses_published_without_publish_time(admin_client, section):
    response = admin_client.post(ADD, article_form(section, status="published"))
    assert response.status_code == HTTPStatus.OK
    assert "A published story needs a publish time." in response.content.decode()
    assert not Article.objects.exists()


def test_change_form_groups_fields_prepopulates_slug_and_links_to_the_live_page(
    admin_client, section
):
    article = ArticleFactory(live=True)
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = page.content.decode()
    for legend in ["Story", "Section and tags", "Publishing", "Lead image", "Search and social"]:
        assert f">{legend}</h2>" in html
    assert (
        "prepopulated_fields" in html or "data-prepopulated-field" in html or "prepopulate" in html
    )
    assert f'href="{article.get_absolute_url()}"' in html
    assert 'class="admin-autocomplete' in html


def test_editor_edits_a_story(admin_client, section, author):
    article = ArticleFactory(
        live=True, headline="Old headline", slug="old-headline", authors=[author]
    )
    form = article_form(
        section,
        article=article,
        headline="New headline",
        slug="old-headline",
        status="published",
        publish_at_0=timezone.localtime(article.publish_at).strftime("%Y-%m-%d"),
        publish_at_1=timezone.localtime(article.publish_at).strftime("%H:%M:%S"),
    )
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert admin_client.post(url, form).status_code == HTTPStatus.FOUND
    article.refresh_from_db()
    assert article.headline == "New headline"


def test_changelist_shows_columns_filters_and_search(admin_client, section):
    author = AuthorFactory(name="Ana Reyes")
    ArticleFactory(live=True, headline="Budget passes", authors=[author])
    ArticleFactory(headline="Draft about parks", body="<p>Green space.</p>")
    SectionFactory(name="World", slug="world")
    page = admin_client.get(CHANGELIST).content.decode()
    assert "Budget passes" in page and "Ana Reyes" in page and "Live" in page
    for heading in ["Section", "Status", "Publish at", "Authors", "Updated at"]:
        assert heading in page
    for title in ["status", "section", "kind", "publish at"]:
        assert f'data-filter-title="{title}"' in page
    found = admin_client.get(CHANGELIST, {"q": "Green space"}).content.decode()
    assert "Draft about parks" in found and "Budget passes" not in found


def test_changelist_filters_by_the_local_year_of_publication(admin_client, section, settings):
    settings.TIME_ZONE = "America/New_York"
    # 03:00 UTC on New Year's Day 2026 is still 2025 in New York.
    new_years_eve = datetime(2026, 1, 1, 3, tzinfo=UTC)
    ArticleFactory(headline="Fireworks over the harbor", publish_at=new_years_eve)
    ArticleFactory(headline="Spring budget", publish_at=datetime(2024, 4, 1, 12, tzinfo=UTC))
    ArticleFactory(headline="An undated draft", publish_at=None)
    page = admin_client.get(CHANGELIST).content.decode()
    assert 'data-filter-title="year published"' in page
    assert all(f"?year={year}" in page for year in ("2025", "2024"))
    assert "?year=2026" not in page
    in_2025 = admin_client.get(CHANGELIST, {"year": "2025"}).content.decode()
    assert "Fireworks over the harbor" in in_2025 and "Spring budget" not in in_2025
    assert "An undated draft" not in in_2025
    for nonsense in ("20x5", "0", "99999"):
        response = admin_client.get(CHANGELIST, {"year": nonsense})
        assert response.status_code == HTTPStatus.OK
        assert "Spring budget" not in response.content.decode()


@pytest.mark.parametrize("rows", [1, 30])
def test_changelist_query_count_does_not_grow_with_rows(
    admin_client, section, django_assert_num_queries, rows
):
    for n in range(rows):
        ArticleFactory(live=True, authors=AuthorFactory.create_batch(2), tags=[f"t{n}"])
    with django_assert_num_queries(8):
        assert admin_client.get(CHANGELIST).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("url_name", "data", "model", "lookup"),
    [
        (
            "admin:articles_section_add",
            {"name": "Climate", "slug": "climate", "description": "", "position": 6},
            Section,
            {"slug": "climate"},
        ),
        (
            "admin:articles_author_add",
            {"name": "Ana Reyes", "slug": "ana-reyes", "title": "", "bio": ""},
            Author,
            {"slug": "ana-reyes"},
        ),
        ("admin:taggit_tag_add", {"name": "Housing", "slug": "housing"}, Tag, {"slug": "housing"}),
    ],
)
def test_editor_creates_sections_authors_and_tags(admin_client, url_name, data, model, lookup):
    assert admin_client.post(reverse(url_name), data).status_code == HTTPStatus.FOUND
    assert model.objects.filter(**lookup).exists()


def test_merging_tags_moves_their_stories_to_the_most_used_tag(admin_client, section):
    kept = ArticleFactory(live=True, tags=["Immigration"])
    ArticleFactory(live=True, tags=["Immigration"])
    both = ArticleFactory(live=True, tags=["Immigration", "immigration policy"])
    moved = ArticleFactory(live=True, tags=["immigration policy"])
    ids = list(Tag.objects.values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:taggit_tag_changelist"),
        {"action": "merge_tags", "_selected_action": ids},
        follow=True,
    )
    assert "into “Immigration”" in response.content.decode()
    assert list(Tag.objects.values_list("name", flat=True)) == ["Immigration"]
    for article in (kept, both, moved):
        assert list(article.tags.names()) == ["Immigration"]
