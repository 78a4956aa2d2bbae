"""Every answer carries the security headers, and the desk works under its strict CSP.

The first half asks each kind of address through the test client (readers' pages, feeds,
sitemaps, robots.txt, the API, previews, static files, 404s and 500s, the admin and its login)
and reads the headers. The second half drives the desk in Chromium and listens for CSP
violations while an editor writes in the rich-text editor, filters a list and adds a section
through the related-object pop-up.

This module is its own URLconf for the 500 tests (`pytest.mark.urls`): the site's addresses
plus one that fails.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import uuid
from html.parser import HTMLParser
from http import HTTPStatus
from importlib import import_module
from pathlib import Path

import django_prose_editor
import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import path, reverse

from articles.editorial.preview import preview_url
from articles.models import Article, Section
from newsroom import urls as site_urls
from newsroom.csp import TIPTAP_STYLE_HASH
from tests.browser import DESKTOP
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.servers import collected_static

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 10_000


def boom(request):
    raise RuntimeError("a view failed")


urlpatterns = [path("boom/", boom), *site_urls.urlpatterns]
handler500 = site_urls.handler500

EDITOR_SCRIPT = "django_prose_editor/editor.js"

# Script types that are data, not code: script-src does not govern them.
DATA_BLOCKS = {"application/json", "application/ld+json"}


def csp(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy, directive name to its values."""
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: values for name, *values in directives}


class InlineScripts(HTMLParser):
    """Collect the attributes of each inline script (no src) that is code, not data."""

    def __init__(self):
        super().__init__()
        self.scripts = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            if attributes.get("type", "").lower() not in DATA_BLOCKS:
                self.scripts.append(attributes)


def inline_scripts(response) -> list[dict]:
    parser = InlineScripts()
    parser.feed(response.content.decode())
    return parser.scripts


def assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    features = response["Permissions-Policy"].split(", ")
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= set(features)
    policy = csp(response)
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "script-src-elem", "script-src-attr", "default-src"):
        assert "'unsafe-inline'" not in policy.get(directive, []), directive
        assert "'unsafe-eval'" not in policy.get(directive, []), directive
    return policy


def assert_readers_policy(response):
    policy = assert_common_headers(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]


def assert_admin_policy(response):
    """The admin's policy: this site's scripts, and inline ones only with this answer's nonce."""
    policy = assert_common_headers(response)
    sources = policy["script-src"]
    nonces = [source for source in sources if source.startswith("'nonce-")]
    assert sources == ["'self'", *nonces] and len(nonces) == 1
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    assert len(nonce) >= 22  # at least 128 random bits
    for script in inline_scripts(response):
        assert script.get("nonce") == nonce, script
    # Styles: this site's, and the editor's own stylesheet by its hash; no style attribute.
    assert policy["style-src"] == ["'self'", f"'{TIPTAP_STYLE_HASH}'"]
    assert not {"style-src-elem", "style-src-attr"} & policy.keys()
    return nonce


@pytest.fixture
def site(db):
    section = SectionFactory(name="New York", slug="new-york")
    author = AuthorFactory(name="Ana Reyes", slug="ana-reyes")
    story = ArticleFactory(live=True, section=section, authors=[author], tags=["Transit"])
    draft = ArticleFactory(headline="Fares, a draft", section=section)
    return {"section": section, "author": author, "story": story, "draft": draft}


@pytest.fixture
def editor(db):
    """An editor with the Editor role's permissions (the migration's groups are in the DB)."""
    user = User.objects.create_user("ed", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


OK, NOT_FOUND = HTTPStatus.OK, HTTPStatus.NOT_FOUND

# name: (address, the status it answers).
READER_PAGES = {
    "front page": (lambda site: "/", OK),
    "story": (lambda site: site["story"].get_absolute_url(), OK),
    "story history": (lambda site: site["story"].get_absolute_url() + "history/", OK),
    "section": (lambda site: "/section/new-york/", OK),
    "tag": (lambda site: "/tag/transit/", OK),
    "author": (lambda site: "/author/ana-reyes/", OK),
    "search": (lambda site: "/search/?q=council", OK),
    "corrections": (lambda site: "/corrections/", OK),
    "preview": (lambda site: preview_url(site["draft"]), OK),
    "not found": (lambda site: "/no-such-page/", NOT_FOUND),
    "NUL byte": (lambda site: "/search/%00/", NOT_FOUND),
    "API docs": (lambda site: "/api/v1/docs", OK),
}

MACHINE_ANSWERS = {
    "RSS feed": (lambda site: "/feed/", OK),
    "Atom feed": (lambda site: "/feed/atom/", OK),
    "section feed": (lambda site: "/section/new-york/feed/", OK),
    "sitemap": (lambda site: "/sitemap.xml", OK),
    "stories sitemap": (lambda site: "/sitemap-stories.xml", OK),
    "news sitemap": (lambda site: "/news-sitemap.xml", OK),
    "robots.txt": (lambda site: "/robots.txt", OK),
    "API list": (lambda site: "/api/v1/articles/", OK),
    "API story": (lambda site: f"/api/v1/articles/{site['story'].uuid}/", OK),
    "API not found": (lambda site: f"/api/v1/articles/{uuid.UUID(int=1)}/", NOT_FOUND),
    "API bad input": (
        lambda site: "/api/v1/articles/?page=zero",
        HTTPStatus.UNPROCESSABLE_ENTITY,
    ),
    "OpenAPI document": (lambda site: "/api/v1/openapi.json", OK),
    # Served by the app itself (WhiteNoise), as in production.
    "static file": (lambda site: "/static/css/site.css", OK),
    "admin static file": (lambda site: "/static/admin/css/base.css", OK),
    "editor's script": (lambda site: f"/static/{EDITOR_SCRIPT}", OK),
}


@pytest.mark.parametrize(("address", "status"), READER_PAGES.values(), ids=READER_PAGES.keys())
def test_readers_pages_carry_the_strict_policy_and_every_security_header(
    client, site, address, status
):
    response = client.get(address(site))
    assert response.status_code == status
    assert_readers_policy(response)
    assert inline_scripts(response) == []


@pytest.mark.parametrize(
    ("address", "status"), MACHINE_ANSWERS.values(), ids=MACHINE_ANSWERS.keys()
)
def test_feeds_sitemaps_api_and_static_files_carry_every_security_header(
    client, site, address, status
):
    response = client.get(address(site))
    assert response.status_code == status
    assert_readers_policy(response)


def test_a_page_answered_from_the_page_cache_keeps_its_security_headers(client, site):
    first = client.get("/")
    again = client.get("/")
    assert "Age" in again  # the stored copy, not a second rendering
    assert_readers_policy(again)
    for name in ("Content-Security-Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy"):
        assert again[name] == first[name]


def test_a_refused_method_and_an_unknown_host_carry_the_security_headers(client, site):
    assert_readers_policy(client.post("/robots.txt"))
    refused = client.get("/", headers={"host": "evil.example"})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert_readers_policy(refused)


@pytest.mark.urls(__name__)
def test_a_failing_page_is_the_sites_own_500_with_every_security_header(client, site):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert_readers_policy(response)
    assert inline_scripts(response) == []
    page = response.content.decode()
    assert "Traceback" not in page and "a view failed" not in page
    assert "RuntimeError" not in page


ADMIN_ADDRESSES = {
    "index": lambda site: reverse("admin:index"),
    "story list": lambda site: reverse("admin:articles_article_changelist"),
    "filtered story list": lambda site: (
        reverse("admin:articles_article_changelist") + "?status__exact=draft"
    ),
    "new story": lambda site: reverse("admin:articles_article_add"),
    "story": lambda site: reverse("admin:articles_article_change", args=[site["story"].pk]),
    "story revisions": lambda site: reverse(
        "admin:articles_article_revisions", args=[site["story"].pk]
    ),
    "story deletion": lambda site: reverse(
        "admin:articles_article_delete", args=[site["draft"].pk]
    ),
    "section pop-up": lambda site: reverse("admin:articles_section_add") + "?_to_field=id&_popup=1",
    "section autocomplete": lambda site: (
        reverse("admin:autocomplete")
        + "?app_label=articles&model_name=article&field_name=section&term=New"
    ),
    "password change": lambda site: reverse("admin:password_change"),
    "catalog of translations": lambda site: reverse("admin:jsi18n"),
    "admin not found": lambda site: "/admin/articles/article/999999/change/",
    "missing admin page": lambda site: "/admin/no-such-page/",
}


@pytest.mark.parametrize("address", ADMIN_ADDRESSES.values(), ids=ADMIN_ADDRESSES.keys())
def test_admin_pages_carry_a_nonce_policy_that_every_inline_script_matches(
    client, site, editor, address
):
    client.force_login(editor)
    response = client.get(address(site), follow=True)
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    assert response.redirect_chain == [] or response.redirect_chain[-1][0].startswith("/admin/")
    assert_admin_policy(response)


def test_the_story_form_sends_the_editors_import_map_with_this_answers_nonce(client, site, editor):
    client.force_login(editor)
    address = reverse("admin:articles_article_change", args=[site["story"].pk])
    first, second = client.get(address), client.get(address)
    nonce = assert_admin_policy(first)
    assert f'<script type="importmap" nonce="{nonce}">' in first.content.decode()
    assert assert_admin_policy(second) != nonce


def test_the_admin_policy_allows_the_stylesheet_the_installed_editor_injects(client, site, editor):
    """Tiptap's base stylesheet, as django-prose-editor's editor.js writes it into the page."""
    script = (Path(django_prose_editor.__file__).parent / "static" / EDITOR_SCRIPT).read_text()
    start = script.index("`.ProseMirror {") + 1
    stylesheet = script[start : script.index("`", start)]
    digest = base64.b64encode(hashlib.sha256(stylesheet.encode()).digest()).decode()
    client.force_login(editor)
    policy = csp(client.get(reverse("admin:articles_article_add")))
    assert f"'sha256-{digest}'" in policy["style-src"]


@pytest.mark.parametrize(
    "address",
    ["/admin/", "/admin/login/", "/admin/articles/article/"],
    ids=["index", "login", "story list"],
)
def test_the_admin_login_and_its_redirects_carry_the_admin_policy(client, site, address):
    response = client.get(address)
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND}
    assert_admin_policy(response)


def test_logging_in_and_out_answers_carry_the_admin_policy(client, editor):
    login = client.post("/admin/login/", {"username": "ed", "password": PASSWORD})
    assert login.status_code == HTTPStatus.FOUND
    assert_admin_policy(login)
    logout = client.post("/admin/logout/")
    assert logout.status_code == HTTPStatus.OK
    assert_admin_policy(logout)


def test_without_tls_no_strict_transport_security_is_sent(client, site):
    assert "Strict-Transport-Security" not in client.get("/", secure=True)


# Runs with the production settings (newsroom.settings, no DJANGO_DEBUG), in a process of its
# own: DJANGO_TLS is read once, at start-up.
HSTS_PROBE = """
import json, django
from django.core.management import call_command
django.setup()
call_command("migrate", verbosity=0)
from django.test import Client
client = Client(raise_request_exception=False)
secure = {"secure": True} if MODE == "direct" else {"headers": {"x-forwarded-proto": "https"}}
answers = {
    "https page": client.get("/", **secure),
    "https 404": client.get("/no-such-page/", **secure),
    "https admin login": client.get("/admin/login/", **secure),
    "http page": client.get("/"),
}
print(json.dumps({
    name: {"status": r.status_code, "headers": dict(r.items()), "body": r.content.decode()}
    for name, r in answers.items()
}))
"""


@pytest.mark.parametrize("mode", ["proxy", "direct"])
def test_with_tls_every_https_answer_carries_hsts_and_plain_http_is_redirected(tmp_path, mode):
    collected_static()  # the production settings serve hashed files from STATIC_ROOT
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_SECRET_KEY": "hsts-test-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "SITE_URL": "https://testserver",
        "DJANGO_TLS": mode,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_URL": "locmem://",
        "PAGE_CACHE_GENERATION_FILE": str(tmp_path / "generation"),
    }
    for name in ("DJANGO_DEBUG", "DJANGO_PROXY_COUNT", "DJANGO_HSTS_SECONDS"):
        environment.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", f"MODE = {mode!r}\n{HSTS_PROBE}"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("https page", "https 404", "https admin login"):
        headers = answers[name]["headers"]
        assert answers[name]["status"] in {HTTPStatus.OK, HTTPStatus.NOT_FOUND}, name
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    # Debug is off unless asked for: the 404 is the site's own page, not Django's debug page.
    assert answers["https 404"]["status"] == HTTPStatus.NOT_FOUND
    assert "URLconf" not in answers["https 404"]["body"]
    assert "DEBUG = True" not in answers["https 404"]["body"]
    plain = answers["http page"]
    assert plain["status"] == HTTPStatus.MOVED_PERMANENTLY
    assert plain["headers"]["Location"] == "https://testserver/"
    assert "Content-Security-Policy" in plain["headers"]
    assert "Strict-Transport-Security" not in plain["headers"]


# The desk in Chromium. Records every CSP violation into the page, whichever page it is.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile,
    line: event.lineNumber,
    page: location.href,
  });
});
"""


class Watch:
    """One browser context's pages, with the CSP violations and console errors they report."""

    def __init__(self, context):
        self.context = context
        self.violations = []
        self.console = []
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("page", self.watch)

    def watch(self, page):
        # Chromium also logs each violation to the console: that catches one on a page that
        # closed before collect() read it (the pop-up's last answer).
        page.on("console", self.log)
        page.on("pageerror", lambda error: self.console.append(("pageerror", str(error))))

    def log(self, message):
        # The admin's pages name no icon, so Chromium asks for /favicon.ico and logs its 404.
        if not message.location.get("url", "").endswith("/favicon.ico"):
            self.console.append((message.type, message.text))

    def collect(self, page):
        """Move the violations a page has recorded so far into this watch (before it leaves)."""
        if not page.is_closed():
            self.violations += page.evaluate("window.__cspViolations.splice(0)")

    def problems(self):
        errors = [text for kind, text in self.console if kind in {"error", "pageerror"}]
        return self.violations, errors


@pytest.fixture
def desk(transactional_db, live_server):
    """An editor, a section and a live story, committed for the live server to see."""
    # The flush after each transactional test empties the groups the migration made.
    roles = import_module("articles.migrations.0003_create_roles").ROLES
    group, _ = Group.objects.get_or_create(name="Editor")
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in (dotted.split(".") for dotted in roles["Editor"])
        ]
    )
    editor = User.objects.create_user("ed", password=PASSWORD, is_staff=True)
    editor.groups.add(group)
    section = SectionFactory(name="New York", slug="new-york")
    author = AuthorFactory(name="Ana Reyes", slug="ana-reyes")
    story = ArticleFactory(
        live=True,
        headline="Council cuts night fares",
        section=section,
        authors=[author],
        tags=["Transit"],
    )
    return {"url": live_server.url, "editor": editor, "story": story}


@pytest.fixture
def watch(browser):
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    yield Watch(context)
    context.close()


def visit(watch, page, address):
    watch.collect(page)
    response = page.goto(address)
    assert response.ok, (address, response.status)


@pytest.mark.browser
def test_editor_writes_saves_filters_and_adds_a_section_with_no_csp_violation(desk, watch):
    from playwright.sync_api import expect

    url = desk["url"]
    page = watch.context.new_page()
    visit(watch, page, f"{url}/admin/")
    page.get_by_label("Username").fill("ed")
    page.get_by_label("Password").fill(PASSWORD)
    watch.collect(page)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/admin/")

    # A list, filtered.
    watch.collect(page)
    page.get_by_role("link", name="Articles").first.click()
    page.wait_for_url("**/admin/articles/article/")
    watch.collect(page)
    page.locator("#changelist-filter").get_by_role("link", name="Published").first.click()
    page.wait_for_url("**status__exact=published**")
    expect(page.locator("#result_list")).to_contain_text("Council cuts night fares")
    watch.collect(page)
    page.locator("#searchbar").fill("fares")
    page.locator("#searchbar").press("Enter")
    page.wait_for_url("**q=fares**")

    # A new story, written in the rich-text editor.
    visit(watch, page, url + reverse("admin:articles_article_add"))
    page.get_by_label("Headline:", exact=True).fill("Night buses return")
    editor = page.locator(".prose-editor [contenteditable=true]")
    editor.click()
    page.keyboard.type("Night buses run ")
    bold = page.locator(".prose-menubar button[data-name=bold]")
    bold.click()
    page.keyboard.type("from Monday")
    bold.click()
    page.keyboard.type(".")
    page.keyboard.press("Enter")
    page.locator(".prose-menubar__selected").click()
    page.locator(".prose-menubar__picker [data-name=heading2]").click()
    page.keyboard.type("Routes")
    page.keyboard.press("Enter")
    page.keyboard.type("The timetable: see it")
    for _ in "see it":
        page.keyboard.press("Shift+ArrowLeft")
    page.locator(".prose-menubar button[data-name=link]").click()
    dialog = page.locator("dialog.prose-editor-dialog[open]")
    dialog.get_by_label("URL").fill("https://example.org/timetable")
    dialog.get_by_role("button", name="Update").click()
    expect(editor.locator("strong")).to_have_text("from Monday")
    expect(editor.locator("a")).to_have_text("see it")
    expect(editor.locator("h2")).to_have_text("Routes")

    # The admin's own widgets: the calendar and the clock, another byline row, select2.
    page.locator("#calendarlink0").click()
    expect(page.locator("#calendarbox0")).to_be_visible()
    page.locator("#calendarbox0").get_by_role("link", name="Cancel").click()
    page.locator("#clocklink0").click()
    expect(page.locator("#clockbox0")).to_be_visible()
    page.locator("#clockbox0").get_by_role("link", name="Cancel").click()
    add_row = page.locator("#bylines-group .add-row a")
    expect(add_row).to_be_visible()  # inlines.js has set the rows up: they can be counted
    rows = page.locator("#bylines-group .dynamic-bylines")
    before = rows.count()
    add_row.click()
    expect(rows).to_have_count(before + 1)
    rows.last.locator(".inline-deletelink").click()
    expect(rows).to_have_count(before)

    # A section added through the related-object pop-up (a window, not a frame).
    with page.expect_popup() as popup_info:
        page.locator("#add_id_section").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert "_popup=1" in popup.url
    popup.get_by_label("Name:", exact=True).fill("Transit")
    popup.get_by_label("Slug:", exact=True).fill("transit")
    watch.collect(popup)
    with popup.expect_event("close"):
        popup.locator("input[name=_save]").click()
    expect(page.locator("#id_section + .select2")).to_contain_text("Transit")

    watch.collect(page)
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.locator("input[name=_save]").last.click()
    page.wait_for_load_state()
    expect(page.locator(".messagelist .success")).to_be_visible()

    saved = Article.objects.get(headline="Night buses return")
    # The space before the bold words survived: the editor's own stylesheet applied.
    assert "run <strong>from Monday</strong>" in saved.body
    assert "<h2>Routes</h2>" in saved.body
    assert '<a href="https://example.org/timetable"' in saved.body
    assert ">see it</a>" in saved.body
    assert saved.section == Section.objects.get(name="Transit")

    # The saved story's form, and readers' pages in the same browser.
    visit(watch, page, url + reverse("admin:articles_article_change", args=[saved.pk]))
    expect(page.locator(".prose-editor [contenteditable=true] strong")).to_have_text("from Monday")
    readers = ["/", desk["story"].get_absolute_url(), "/section/new-york/", "/tag/transit/"]
    for address in readers:
        visit(watch, page, url + address)
    # The API's Swagger UI, built in the page by this site's scripts.
    visit(watch, page, url + "/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    watch.collect(page)

    violations, errors = watch.problems()
    assert violations == [], json.dumps(violations, indent=1)
    assert errors == []
