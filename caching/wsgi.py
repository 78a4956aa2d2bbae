"""The page cache in front of Django: a stored page is answered before Django does any work.

No URL resolution, no middleware, no database connection: one stat() (or one Redis GET) for
the generation, one dictionary lookup, and the bytes. Anything else goes to Django, whose
PageCacheMiddleware stores what may be shared.
"""

import time

from caching import generation, pages


class PageCacheApplication:
    def __init__(self, application) -> None:
        self.application = application

    def __call__(self, environ, start_response):
        if pages.is_enabled():
            key = pages.request_key(environ)
            token = generation.current() if key is not None else None
            page = pages.get(token, key) if token is not None else None
            if page is not None:
                status, reason, headers, body = page.answer(
                    head=environ["REQUEST_METHOD"] == "HEAD",
                    if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
                    if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE", ""),
                    now=time.time(),
                    hit=True,
                )
                start_response(f"{status} {reason}", headers)
                return [body]
        return self.application(environ, start_response)
