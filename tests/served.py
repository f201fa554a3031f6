"""A served app for concurrency tests: a real WSGI server in a thread, answering each request
in its own thread and database connection, and small HTTP clients that keep their cookies.
The test client runs one request at a time and never shows a race; this does."""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.cookiejar import CookieJar

from werkzeug.serving import make_server

from config import TestingConfig


def on_file(tmp_path) -> type:
    """The suite's configuration, but on a database file when on SQLite: an in-memory database
    is one connection shared by every thread, which would hide what concurrency does."""

    class OnFile(TestingConfig):
        if not os.environ.get("TEST_DATABASE_URL"):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'app.db'}"

    return OnFile


@contextmanager
def served(app) -> Iterator[str]:
    """The app on a free local port (threaded); yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser: its own cookies; redirects are not followed, so a status is the page's."""

    def __init__(self, base: str, cookies: CookieJar | None = None):
        self.base = base
        self.cookies = cookies if cookies is not None else CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        """(status, body) of a GET, or of a form POST when ``data`` is given."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self._opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str) -> int:
        return self.request(path)[0]

    def post(self, path: str, data: dict | None = None, headers: dict | None = None) -> int:
        return self.request(path, data or {}, headers)[0]


def at_once(calls) -> list:
    """Run the zero-argument ``calls`` in parallel threads, released together by a barrier;
    returns their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
