"""The editing desk in a real browser: a reporter files, an editor previews and schedules.

One headless Chromium serves the whole module, as in test_browser.py (and for the same reason
the module allows synchronous ORM calls while it is up). The live server and the tests share
the database through real commits, so the tests are transactional: their flush also empties
the Reporter and Editor groups the migration made, and the `desk` fixture makes them again.
"""

import os
from datetime import datetime, time, timedelta
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.browser import DESKTOP
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, staff_user

pytestmark = pytest.mark.browser

ROLES = import_module("articles.migrations.0003_create_roles").ROLES
PASSWORD = "correct horse battery staple"
# Fail in seconds, not Playwright's default 30, when a control is not where it should be.
TIMEOUT_MS = 10_000

# The body allow-list of DESIGN.md: tags, and the attributes each tag may carry.
BODY_ALLOW_LIST = {
    **dict.fromkeys(
        ["p", "h2", "h3", "blockquote", "ul", "ol", "li", "strong", "em", "figure", "figcaption"],
        set(),
    ),
    "a": {"href"},
    "img": {"src", "alt"},
}


@pytest.fixture
def new_context(browser):
    """Open fresh browser contexts (separate cookies: separate people) at laptop width."""
    contexts = []

    def open_context(**options):
        context = browser.new_context(**{**DESKTOP, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def expect(target):
    """Playwright's retrying assertions, imported late: the module must load without it."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def make_roles():
    for name, dotted_names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in (dotted.split(".") for dotted in dotted_names)
            ]
        )


@pytest.fixture
def desk(transactional_db, live_server):
    """A reporter with an author profile, two editors and the sections they file to."""
    make_roles()
    reporter = staff_user("rita", "Reporter", password=PASSWORD)
    return {
        "url": live_server.url,
        "reporter": reporter,
        "reporter_author": AuthorFactory(name="Rita Ortiz", slug="rita-ortiz", user=reporter),
        "editor": staff_user("ed", "Editor", password=PASSWORD),
        "second_editor": staff_user("eve", "Editor", password=PASSWORD),
        "section": SectionFactory(name="New York", slug="new-york"),
        "other_section": SectionFactory(name="Politics", slug="politics"),
    }


def logged_in_page(new_context, desk, user):
    """A page in its own browser context, logged in through the admin's login form."""
    page = new_context().new_page()
    page.goto(f"{desk['url']}/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{desk['url']}/admin/")
    return page


def change_url(desk, article):
    return desk["url"] + reverse("admin:articles_article_change", args=[article.pk])


def pick_autocomplete(page, select_id, search, choice):
    """Choose `choice` in one of the admin's select2 autocompletes by typing `search`."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").press_sequentially(search)
    page.locator(".select2-container--open .select2-results__option", has_text=choice).click()
    assert page.locator(f"#{select_id} + .select2").inner_text().strip().endswith(choice)


def save(page):
    """Press Save and wait until the server has answered (and committed) the form."""
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.locator("input[name=_save]").last.click()
    page.wait_for_load_state()


class BodyMarkup(HTMLParser):
    """Collect each element of an HTML fragment with its attribute names."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name for name, _ in attrs}))


def markup_of(html):
    parser = BodyMarkup()
    parser.feed(html)
    return parser.elements


def test_reporter_writes_a_story_in_the_rich_text_editor_and_submits_it(desk, new_context):
    page = logged_in_page(new_context, desk, desk["reporter"])
    page.get_by_role("link", name="Articles").first.click()
    page.get_by_role("link", name="Add article").click()

    page.get_by_label("Kicker:", exact=True).fill("Transit")
    page.get_by_label("Headline:", exact=True).press_sequentially("Council cuts night fares")
    page.get_by_label("Dek:", exact=True).fill("Riders pay less after 10 p.m. from January.")
    assert page.locator("#id_slug").input_value() == "council-cuts-night-fares"

    editor = page.locator(".prose-editor [contenteditable=true]")
    editor.click()
    page.keyboard.type("The council voted on Tuesday to cut fares at night.")
    page.keyboard.press("Enter")
    page.locator(".prose-menubar__selected").click()
    page.locator(".prose-menubar__picker [data-name=heading2]").click()
    page.keyboard.type("What riders pay")
    page.keyboard.press("Enter")
    page.keyboard.type("A ride after ten will cost ")
    bold = page.locator(".prose-menubar button[data-name=bold]")
    bold.click()
    page.keyboard.type("two dollars")
    bold.click()
    page.keyboard.type(", down from three.")
    assert editor.locator("h2").inner_text() == "What riders pay"
    assert editor.locator("strong").inner_text() == "two dollars"

    pick_autocomplete(page, "id_section", "New", "New York")
    pick_autocomplete(page, "id_bylines-0-author", "Rita", "Rita Ortiz")
    status = page.get_by_label("Status:", exact=True)
    assert status.locator("option").all_inner_texts() == ["Draft", "In review"]
    status.select_option(label="In review")
    save(page)

    expect(page.locator(".messagelist .success")).to_be_visible()
    story = Article.objects.get()
    assert story.status == Article.Status.REVIEW
    assert story.created_by == desk["reporter"]
    assert story.slug == "council-cuts-night-fares"
    assert story.section == desk["section"]
    assert list(story.byline_authors) == [desk["reporter_author"]]
    assert "<h2>What riders pay</h2>" in story.body
    assert "<strong>two dollars</strong>" in story.body
    assert story.body.startswith("<p>The council voted on Tuesday")
    outside = [
        (tag, attributes)
        for tag, attributes in markup_of(story.body)
        if tag not in BODY_ALLOW_LIST or not attributes <= BODY_ALLOW_LIST[tag]
    ]
    assert not outside, story.body


def test_editor_previews_a_story_in_review_and_schedules_it(desk, new_context):
    story = ArticleFactory(
        headline="Council cuts night fares",
        slug="council-cuts-night-fares",
        status=Article.Status.REVIEW,
        section=desk["section"],
        authors=[desk["reporter_author"]],
        created_by=desk["reporter"],
    )
    page = logged_in_page(new_context, desk, desk["editor"])
    page.get_by_role("link", name="Articles").first.click()
    row = page.locator("#result_list tr", has_text=story.headline)
    assert row.locator(".status-badge").inner_text() == "In review"
    row.get_by_role("link", name=story.headline).click()

    with page.expect_popup() as popup:
        page.get_by_role("link", name="Open the preview").click()
    preview = popup.value
    preview.wait_for_load_state()
    assert preview.url.startswith(f"{desk['url']}/preview/")
    assert preview.locator("h1").inner_text() == story.headline
    assert preview.locator(".preview-banner").inner_text().startswith("Preview")
    robots = preview.locator("meta[name=robots]").get_attribute("content")
    assert robots.startswith("noindex")
    preview.close()

    when = timezone.localtime() + timedelta(days=2)
    page.get_by_label("Status:", exact=True).select_option(label="Published")
    page.locator("#id_publish_at_0").fill(when.strftime("%Y-%m-%d"))
    page.locator("#id_publish_at_1").fill("09:30:00")
    save(page)

    scheduled_for = timezone.make_aware(datetime.combine(when.date(), time(9, 30)))
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED
    assert story.publish_at == scheduled_for
    badge = page.locator("#result_list tr", has_text=story.headline).locator(".status-badge")
    assert badge.inner_text().startswith("Scheduled for")

    reader = new_context().new_page()
    response = reader.goto(desk["url"] + story.get_absolute_url())
    assert response.status == 404

    # The embargo lifts: move the clock's target, not the clock.
    past = timezone.now() - timedelta(minutes=1)
    Article.objects.filter(pk=story.pk).update(publish_at=past, first_published_at=past)
    story.refresh_from_db()
    response = reader.goto(desk["url"] + story.get_absolute_url())
    assert response.status == 200
    assert reader.locator("h1").inner_text() == story.headline


def test_second_editor_saving_a_stale_copy_sees_the_conflict_and_loses_nothing(desk, new_context):
    story = ArticleFactory(
        headline="Budget talks stall",
        dek="Negotiators left without a deal.",
        status=Article.Status.REVIEW,
        section=desk["section"],
        authors=[desk["reporter_author"]],
    )
    first = logged_in_page(new_context, desk, desk["editor"])
    second = logged_in_page(new_context, desk, desk["second_editor"])
    first.goto(change_url(desk, story))
    second.goto(change_url(desk, story))

    first.get_by_label("Headline:", exact=True).fill("Budget talks collapse")
    save(first)
    expect(first.locator(".messagelist .success")).to_be_visible()
    second.get_by_label("Dek:", exact=True).fill("Negotiators agreed on everything.")
    save(second)

    conflict = second.get_by_role("alert").filter(has_text="since you opened it")
    assert conflict.locator("h2").inner_text() == "Changed by ed since you opened it"
    assert conflict.locator(".revision-diff del").all_inner_texts() == ["stall"]
    assert conflict.locator(".revision-diff ins").all_inner_texts() == ["collapse"]
    refusal = second.locator(".errorlist.nonfield")
    assert "This story was changed by ed since you opened it" in refusal.inner_text()
    story.refresh_from_db()
    assert story.headline == "Budget talks collapse"
    assert story.dek == "Negotiators left without a deal."


def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $NEWSROOM_SCREENSHOTS, or pytest's own temporary directory."""
    chosen = os.environ.get("NEWSROOM_SCREENSHOTS")
    if not chosen:
        return tmp_path_factory.mktemp("admin-screenshots")
    Path(chosen).mkdir(parents=True, exist_ok=True)
    return Path(chosen)


def stories_in_every_state(desk):
    """One story per change-list badge; returns the reporter's draft and the one in review."""
    reporter, author = desk["reporter"], desk["reporter_author"]
    own_draft = ArticleFactory(
        headline="Subway riders wait longer for trains on weekends",
        created_by=reporter,
        authors=[author],
        tags=["Transit"],
    )
    in_review = ArticleFactory(
        headline="Council cuts night fares for riders across the five boroughs",
        status=Article.Status.REVIEW,
        created_by=reporter,
        authors=[author],
        tags=["Transit", "City Council"],
    )
    ArticleFactory(scheduled=True, headline="Mayor to name new police commissioner")
    ArticleFactory(live=True, headline="Budget passes after late-night vote", authors=[author])
    ArticleFactory(
        status=Article.Status.UNPUBLISHED,
        publish_at=timezone.now() - timedelta(days=2),
        headline="A story we took down",
    )
    return own_draft, in_review


def test_change_list_and_change_form_fit_a_laptop_screen_for_both_roles(
    desk, new_context, tmp_path_factory
):
    folder = screenshot_dir(tmp_path_factory)
    own_draft, in_review = stories_in_every_state(desk)
    shots = {
        "reporter": (desk["reporter"], own_draft),
        "editor": (desk["editor"], in_review),
    }
    too_wide = {}
    for role, (user, story) in shots.items():
        page = logged_in_page(new_context, desk, user)
        for view, url in [
            ("change-list", desk["url"] + reverse("admin:articles_article_changelist")),
            ("change-form", change_url(desk, story)),
        ]:
            page.goto(url)
            page.screenshot(path=folder / f"{role}-{view}.png", full_page=True)
            widths = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if widths[0] > widths[1]:
                too_wide[f"{role} {view}"] = widths
    assert not too_wide, f"admin pages wider than 1280px (scroll, client width): {too_wide}"


def test_change_list_shows_every_column_without_scrolling_sideways(desk, new_context):
    stories_in_every_state(desk)
    page = logged_in_page(new_context, desk, desk["editor"])
    page.goto(desk["url"] + reverse("admin:articles_article_changelist"))

    results = page.locator("#changelist .results")
    scroll_width, client_width = results.evaluate("r => [r.scrollWidth, r.clientWidth]")
    assert scroll_width <= client_width
    headline = page.locator("#result_list .field-headline").first.bounding_box()
    assert headline["width"] >= 200


def test_rich_text_editor_shows_subheads_as_text_not_as_admin_bars(desk, new_context):
    _, in_review = stories_in_every_state(desk)
    page = logged_in_page(new_context, desk, desk["editor"])
    page.goto(change_url(desk, in_review))

    editor = page.locator(".prose-editor [contenteditable=true]")
    subhead = editor.locator("h2")
    assert subhead.inner_text() == "The vote"
    background = "e => getComputedStyle(e).backgroundColor"
    assert subhead.evaluate(background) in {"rgba(0, 0, 0, 0)", editor.evaluate(background)}
