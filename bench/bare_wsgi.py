"""The bare-WSGI limit: a WSGI app that answers with a page's recorded bytes and headers.

gunicorn serves it with the site's settings (workers, worker class), so its requests per second
are what the server, the sockets and wrk cost for that many bytes, with no Django at all: the
ceiling a page could reach. `BENCH_BARE_PAGES` names a directory written by `record()`:
`index.json` maps each path (with its query) to a body file, a status and the headers; a path
not in it gets the page named `default`.
"""

import json
import os
from pathlib import Path

# gunicorn writes these itself.
SERVER_HEADERS = {"date", "server", "connection", "transfer-encoding", "keep-alive"}


def record(directory: Path, pages: dict[str, tuple[int, list, bytes]], default: str) -> None:
    """Write `pages` ({path: (status, headers, body)}) where the app will read them."""
    directory.mkdir(parents=True, exist_ok=True)
    index = {"default": default, "pages": {}}
    for number, (path, (status, headers, body)) in enumerate(pages.items()):
        name = f"page-{number}.bin"
        (directory / name).write_bytes(body)
        kept = [[key, value] for key, value in headers if key.lower() not in SERVER_HEADERS]
        index["pages"][path] = {"status": status, "headers": kept, "body": name}
    (directory / "index.json").write_text(json.dumps(index, indent=1))


def load(directory: Path) -> tuple[dict, str]:
    index = json.loads((directory / "index.json").read_text())
    pages = {}
    for path, page in index["pages"].items():
        body = (directory / page["body"]).read_bytes()
        headers = [(key, value) for key, value in page["headers"]]
        if not any(key.lower() == "content-length" for key, _ in headers):
            headers.append(("Content-Length", str(len(body))))
        pages[path] = (f"{page['status']} OK", headers, body)
    return pages, index["default"]


PAGES, DEFAULT = (
    load(Path(os.environ["BENCH_BARE_PAGES"])) if "BENCH_BARE_PAGES" in os.environ else ({}, "")
)


def application(environ, start_response):
    query = environ.get("QUERY_STRING", "")
    path = environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
    status, headers, body = PAGES.get(path) or PAGES[DEFAULT]
    start_response(status, headers)
    return [body]
