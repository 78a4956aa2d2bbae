"""The naive anchor: the story page as plain Django would first write it, on the same tables.

One view, one template, `get_object_or_404` and the obvious queries, no cache, a plain
project's middleware. `make bench` serves it with the same gunicorn settings as the site and
reports the site's story page throughput as a multiple of this one.
"""
