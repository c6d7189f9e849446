"""What a reader's browser downloads: a built site served with gzip, as static hosts serve it, read by Chromium."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import threading
from pathlib import Path

# Types that static hosts (nginx's gzip_types, GitHub Pages, Netlify) compress; fonts in woff2 are compressed already.
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
GZIP_LEVEL = 6  # nginx's and Apache's usual setting


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed when the browser accepts it and the type is compressible."""

    cache: dict[Path, bytes]
    sent: list[dict]  # every response: what the server itself put on the wire

    def log_message(self, format, *args):
        pass

    def end_headers(self):
        self.sent.append(
            {
                "url": self.path,
                "type": _header(self._headers_buffer, b"Content-Type"),
                "encoding": _header(self._headers_buffer, b"Content-Encoding"),
                "bytes": int(_header(self._headers_buffer, b"Content-Length") or 0),
                "headers": sum(len(line) for line in self._headers_buffer) + 2,
            }
        )
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's address, as the plain server does
            path = path / "index.html"
        content_type = self.guess_type(str(path))
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and wants_gzip and content_type.startswith(COMPRESSED_TYPES)):
            return super().send_head()
        body = self.cache.get(path)
        if body is None:
            body = self.cache[path] = gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        self.wfile.write(body)
        return None


def _header(buffer: list[bytes], name: bytes) -> str:
    for line in buffer:
        if line.lower().startswith(name.lower() + b":"):
            return line.split(b":", 1)[1].strip().decode("latin-1")
    return ""


@contextlib.contextmanager
def serve_gzip(directory: Path):
    """Serve a folder on 127.0.0.1 at a free port, gzip-compressed, until the block ends; yield (address, log)."""
    sent: list[dict] = []
    handler = functools.partial(type("Handler", (GzipHandler,), {"cache": {}, "sent": sent}), directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", sent
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def first_load(browser, url: str, sent: list[dict]) -> dict:
    """Every response of a first visit (empty cache) as the server sent it, and when the search index came."""
    context = browser.new_context()
    page = context.new_page()
    sent.clear()
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(1500)  # a web worker may start fetching a moment after the page is idle
    loaded = list(sent)
    searched = None
    results = 0
    search = page.locator("input[data-md-component=search-query]")
    if search.count():
        page.keyboard.press("s")  # Material's key for opening search
        page.wait_for_timeout(200)
        search.first.fill("Geneva")
        page.wait_for_timeout(2500)
        searched = any("search_index.json" in item["url"] for item in sent)
        results = page.locator(".md-search-result__item").count()
    context.close()
    return {
        "url": url,
        "requests": len(loaded),
        "kilobytes": sum(item["bytes"] for item in loaded) / 1000,
        "kilobytes_with_headers": sum(item["bytes"] + item["headers"] for item in loaded) / 1000,
        "search_index_on_load": any("search_index.json" in item["url"] for item in loaded),
        "search_index_after_search": searched,
        "search_results": results,
        "responses": loaded,
    }
