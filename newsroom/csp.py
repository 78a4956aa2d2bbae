"""The Content-Security-Policy and Permissions-Policy every response carries.

Readers' pages load CSS, images and scripts from this site only and carry no inline script or
style (the story's JSON-LD is a data block, which script-src does not govern).

The admin gets a policy of its own. Django's admin has no inline script, but the rich-text
editor's widget (django-prose-editor, through django-js-asset) writes an inline
`<script type="importmap">`, which script-src governs like any inline script. Each request gets
a fresh nonce (`request.csp_nonce`); the admin's policy allows scripts from this site and
scripts carrying that nonce, never 'unsafe-inline', and this middleware hands the nonce to the
form media of every admin page it renders, so the import map goes out as
`<script type="importmap" nonce="...">`. A template that needs an inline script of its own
writes `<script nonce="{{ request.csp_nonce }}">`. The nonce is never stored: admin pages
are never kept by the page cache (PAGE_CACHE_NEVER_PATHS), and readers' pages, which are,
do not allow nonces at all.

Inline styles: none anywhere, with one exception in the admin. The editor (Tiptap, inside
django-prose-editor) adds its base stylesheet to the page as a `<style>` element; without it
the editor collapses the spaces an editor types (white-space: pre-wrap). Its text is fixed
for a given release of the package, so the admin's style-src allows exactly that text by its
hash (TIPTAP_STYLE_HASH), not 'unsafe-inline'. Style attributes stay forbidden: Django's admin,
select2 and the editor set styles through the DOM (element.style), which CSP allows, and write
no style="..." attributes (tests/test_security_headers.py drives them in Chromium and fails on
any violation, and on a package upgrade that changes the stylesheet).

No page may be framed (frame-ancestors 'none'; older browsers read X-Frame-Options: DENY):
the admin's related-object pop-ups and a story's preview are windows, not frames. One page is
framed, by this site only: the preview of a front's arrangement, shown beside the arrangement
on the front's admin page (PREVIEW_POLICY: readers' policy, framed by 'self').
"""

import secrets

from django.conf import settings
from js_asset import Media

# The directives both policies share.
COMMON = [
    "default-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]

POLICY = "; ".join(["script-src 'self'", "style-src 'self'", *COMMON])

# A front's preview (fronts/admin/arrangement.py): a reader's page, inside the admin's page.
PREVIEW_POLICY = POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")

# The hash of the stylesheet django-prose-editor 0.28's editor.js injects (Tiptap's `injectCSS`,
# the template literal that starts `.ProseMirror {`). A new release may change it: the tests
# recompute it from the installed file.
TIPTAP_STYLE_HASH = "sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA="


def admin_policy(nonce: str) -> str:
    """The admin's policy: this site's scripts and those carrying this request's nonce."""
    return "; ".join(
        [
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' '{TIPTAP_STYLE_HASH}'",
            *COMMON,
        ]
    )


# Powerful features no page of ours uses, switched off for the page and anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Set each response's Content-Security-Policy and Permissions-Policy.

    Listed right after the page cache, before Django's SecurityMiddleware, so that every
    answer the app makes passes through it: redirects, 400s, 404s and 500s, the database
    outage's 503 (newsroom.faults), static files (WhiteNoise) and whatever else middleware
    further in answers early. Pages the page cache stores keep the headers they had.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin = f"/{settings.ADMIN_PATH}"

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if request.path.startswith(self.admin):
            policy = admin_policy(request.csp_nonce)
        else:
            policy = POLICY
        response.setdefault("Content-Security-Policy", policy)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    def process_template_response(self, request, response):
        """Give the nonce to the form media (import maps) a page is about to render."""
        context = response.context_data
        if isinstance(context, dict):
            for name, value in context.items():
                if isinstance(value, Media):
                    context[name] = value.with_nonce(request.csp_nonce)
        return response
