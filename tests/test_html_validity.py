"""Every public page type is valid HTML, and the templates are ready for a strict CSP.

Validity is judged by the W3C Nu HTML Checker, the engine behind validator.w3.org/nu, from
npm's `vnu-jar` (`npm ci` at the repository root installs it; it needs Java 17+).
"""

import json
import re
import shutil
import subprocess
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import loader
from django.utils import timezone

from articles.editorial.preview import preview_url
from articles.models import Article
from fronts.models import Collection, Front, Slot
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory
from tests.pictures import jpeg_bytes, library_image
from tests.services import require

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
TEMPLATES = ROOT / "templates"
SEED_UUID = "6f1e3c1a-2b7d-4e5f-9a10-fac7519b6a4c"

BODY = (
    "<p>The council voted late on Tuesday, <a href='https://example.com/vote'>the record shows</a>."
    "</p><h2>What changes</h2><p>Fares drop at night.</p>"
    "<h3>For riders</h3><ul><li>Cheaper rides</li><li>More buses</li></ul>"
    "<blockquote><p>“We did what we said,” the speaker said.</p></blockquote>"
    "<figure><img src='/static/img/share-default.png' alt='The Newsroom card'>"
    "<figcaption>The card readers share.</figcaption></figure>"
    "<ol><li>First</li><li>Second</li></ol><p><strong>Bold</strong> and <em>italic</em>.</p>"
)


def vnu_missing_reason() -> str | None:
    if shutil.which("java") is None:
        return (
            "the Nu HTML Checker needs Java, which is not installed (apt-get install default-jre)"
        )
    if not VNU_JAR.exists():
        return f"the Nu HTML Checker is not installed at {VNU_JAR} (run `npm ci`)"
    return None


VNU_MISSING = vnu_missing_reason()


@pytest.fixture
def pages(client, settings, tmp_path):
    """Each public page type rendered as a reader gets it, keyed by a short name."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("loaddata", "seed", verbosity=0)
    seed_story = Article.objects.get(uuid=SEED_UUID)
    CorrectionFactory(article=seed_story)
    reporter = AuthorFactory(name="Ana Reyes", slug="ana-reyes", bio="Covers City Hall.")
    politics = SectionFactory(name="Politics", slug="politics")
    now = timezone.now()
    lead = ArticleFactory(
        live=True,
        featured=True,
        headline="Subway fares drop at night",
        section=politics,
        kind=Article.Kind.ANALYSIS,
        body=BODY,
        authors=[reporter, seed_story.authors.first()],
        tags=["Transit", "Immigration"],
        lead_image=library_image(
            jpeg_bytes(1200, 800, (40, 90, 120)),
            alt_text="A subway platform at night",
            caption="The Fulton Street station.",
            credit="Jane Doe",
        ),
    )
    for number in range(settings.ARTICLES_PER_PAGE + 1):
        ArticleFactory(
            live=True,
            publish_at=now - timedelta(hours=number + 2),
            kind=[*Article.Kind][number % 4],
            authors=[reporter],
            tags=["Transit"],
        )
    # Arranged fronts: one of its own in every style, a pin with the front's own words and
    # crop, and a section's front above its list.
    elections = Front.objects.create(name="Elections 2026", slug="elections-2026")
    for position, style in enumerate(["lead", "grid", "list", "rail"]):
        collection = Collection.objects.create(
            front=elections, title=style.title(), style=style, position=position, max_stories=3
        )
        if style == "lead":
            Slot.objects.create(
                collection=collection, article=lead, crop="1x1", dek="What the night decided."
            )
    Collection.objects.create(
        front=Front.objects.for_section(politics), title="Politics now", style="grid"
    )
    withdrawn = ArticleFactory(live=True, headline="A story we took down")
    withdrawn.status = Article.Status.UNPUBLISHED
    withdrawn.save()

    urls = {
        "front": ("/", HTTPStatus.OK),
        "section": ("/section/new-york/", HTTPStatus.OK),
        "arranged-section": ("/section/politics/", HTTPStatus.OK),
        "front-of-its-own": ("/front/elections-2026/", HTTPStatus.OK),
        "section-page-2": ("/section/new-york/?page=2", HTTPStatus.OK),
        "tag": ("/tag/immigration/", HTTPStatus.OK),
        "author": ("/author/ana-reyes/", HTTPStatus.OK),
        "empty-section": ("/section/world/", HTTPStatus.OK),
        "seed-article": (seed_story.get_absolute_url(), HTTPStatus.OK),
        "article-with-image": (lead.get_absolute_url(), HTTPStatus.OK),
        "not-found": ("/no-such-page/", HTTPStatus.NOT_FOUND),
        "gone": (withdrawn.get_absolute_url(), HTTPStatus.GONE),
        "history": (seed_story.get_absolute_url() + "history/", HTTPStatus.OK),
        "corrections": ("/corrections/", HTTPStatus.OK),
        "search": ("/search/?q=mayor", HTTPStatus.OK),
        "search-empty": ("/search/", HTTPStatus.OK),
        "preview": (preview_url(ArticleFactory(headline="Draft for preview")), HTTPStatus.OK),
    }
    rendered = {}
    for name, (url, status) in urls.items():
        response = client.get(url)
        assert response.status_code == status, url
        rendered[name] = response.content.decode()
    rendered["server-error"] = loader.render_to_string("500.html", {"site_name": "Newsroom"})
    return rendered


def html_errors(pages: dict[str, str], directory: Path) -> list[str]:
    """What the Nu HTML Checker finds wrong in `pages` ({name: html}), one line each (the
    caller skips first when the checker is missing: VNU_MISSING)."""
    files = []
    for name, html in pages.items():
        path = directory / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))

    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )

    return [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()}]"
        for m in json.loads(result.stdout)["messages"]
    ]


@pytest.mark.django_db
def test_public_pages_are_valid_html(pages, tmp_path):
    require(VNU_MISSING is None, f"HTML validation skipped: {VNU_MISSING}")
    errors = html_errors(pages, tmp_path)
    assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(errors)


@pytest.mark.django_db
def test_rendered_pages_carry_no_inline_style_or_script(pages):
    for name, html in pages.items():
        assert not re.search(r"\sstyle\s*=", html), name
        for script in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
            assert "src=" in script or "application/ld+json" in script, (name, script)


# A strict Content-Security-Policy (no 'unsafe-inline') blocks inline styles, inline event
# handlers and inline scripts. Structured data (JSON-LD) will carry a nonce, so it may stay.
INLINE_STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
JSON_LD = re.compile(r"""\btype\s*=\s*["']application/ld\+json["']""", re.IGNORECASE)


def template_files():
    return sorted(TEMPLATES.rglob("*.html"))


def test_templates_are_ready_for_a_strict_content_security_policy():
    problems = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        if INLINE_STYLE_ATTRIBUTE.search(text):
            problems.append(f"{where}: style= attribute (move it to static/css/site.css)")
        if STYLE_ELEMENT.search(text):
            problems.append(f"{where}: <style> element (move it to static/css/site.css)")
        if EVENT_HANDLER.search(text):
            problems.append(f"{where}: inline event handler (use a static script)")
        for attributes in SCRIPT_TAG.findall(text):
            if "src=" not in attributes and not JSON_LD.search(attributes):
                problems.append(f"{where}: inline <script{attributes}> (use a static file)")
    assert template_files(), "no templates found"
    assert not problems, "\n".join(problems)
