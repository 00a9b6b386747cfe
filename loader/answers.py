"""Answers computed once per database state.

summary.json and the dashboard aggregate every recommendation, and dashboards poll them; between
two writes the answer cannot change. ``StateTokens.token(path)`` is a cheap token of the
database's state: ``PRAGMA data_version`` read on a connection kept open only for that (read
only, it never writes), which SQLite changes whenever any other connection -- in this process or
another one: a tracking edit, ``rectrack load``, SQL typed by hand -- commits. ``AnswerCache``
keeps encoded answers under (question, token) and computes each one once per state, however many
requests ask for it at the same time.
"""
from __future__ import annotations

import asyncio
import collections
import sqlite3
import threading
import urllib.parse


class StateTokens:
    """A state token per database file (None for a database without a file: nothing cached)."""

    def __init__(self):
        self._conns: dict[str, sqlite3.Connection] = {}
        self._lock = threading.Lock()

    def token(self, path) -> tuple | None:
        if not path:
            return None
        path = str(path)
        with self._lock:
            conn = self._conns.get(path)
            if conn is None:
                uri = "file:" + urllib.parse.quote(path) + "?mode=ro"
                conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
                self._conns[path] = conn
            try:
                return path, conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                self._conns.pop(path, None).close()
                return None

    def close(self) -> None:
        with self._lock:
            for conn in self._conns.values():
                conn.close()
            self._conns.clear()


class AnswerCache:
    """A small LRU of answers keyed by (question, state token), computed once per state.

    ``await get(key, token, compute)`` returns the stored answer, or awaits ``compute()`` -- one
    call for all the requests that ask for the same key and token meanwhile -- and stores it.
    Without a token nothing is stored. Read the token before computing: an answer filed under a
    token was then computed after that state, never from an older one.
    """

    def __init__(self, maxsize: int = 256):
        self.maxsize = maxsize
        self._data: collections.OrderedDict = collections.OrderedDict()
        self._running: dict = {}
        self.computed = 0  # how many answers were computed (for tests and the benchmark)

    async def get(self, key, token, compute):
        if token is None:
            self.computed += 1
            return await compute()
        entry = (key, token)
        if entry in self._data:
            self._data.move_to_end(entry)
            return self._data[entry]
        running = self._running.get(entry)
        if running is not None:
            return await asyncio.shield(running)
        future = asyncio.get_running_loop().create_future()
        self._running[entry] = future
        try:
            value = await compute()
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waits
            raise
        else:
            future.set_result(value)
            self.computed += 1
            self._data[entry] = value
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
            return value
        finally:
            del self._running[entry]


class ResponseCache:
    """Whole responses of Datasette's table JSON (``/<database>/<table>.json?...``), kept per
    database state: the rows, the count and the facets of one URL cannot change between two
    commits, so a dashboard polling the same URL is answered without running the count and the
    facet queries again. Keyed by the URL and the request's credentials (cookie and
    authorization headers: what one actor may see is never served to another); responses that
    set cookies, are not 200 or are large are not kept."""

    def __init__(self, maxsize: int = 128, max_bytes: int = 2_000_000):
        self.maxsize, self.max_bytes = maxsize, max_bytes
        self._data: collections.OrderedDict = collections.OrderedDict()
        self.hits = 0

    def get(self, key, token):
        if token is None:
            return None
        hit = self._data.get((key, token))
        if hit is not None:
            self._data.move_to_end((key, token))
            self.hits += 1
        return hit

    def put(self, key, token, status: int, headers: list, body: bytes) -> None:
        if token is None or status != 200 or len(body) > self.max_bytes:
            return
        if any(name.lower() == b"set-cookie" for name, _ in headers):
            return
        self._data[(key, token)] = (status, headers, body)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)
