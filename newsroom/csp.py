"""A strict Content-Security-Policy for readers' pages.

Readers' pages load CSS, images and scripts from this site only and carry no inline script or
style (the story's JSON-LD is a data block, which script-src does not govern). The admin is
left to Django's own defaults: its widgets (the rich-text editor's import map) use inline
scripts.
"""

from django.conf import settings

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = f"/{settings.ADMIN_PATH}"

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.exempt):
            response.setdefault("Content-Security-Policy", POLICY)
        return response
