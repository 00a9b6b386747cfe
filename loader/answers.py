"""Answers computed once per database state.

summary.json and the dashboard aggregate every recommendation, and dashboards poll them; between
two writes the answer cannot change. ``StateTokens.token(path)`` is a cheap token of the
database's state: ``PRAGMA data_version`` read on a connection kept open only for that (read
only, it never writes), which SQLite changes whenever any other connection -- in this process or
another one: a tracking edit, ``rectrack load``, SQL typed by hand -- commits. ``AnswerCache``
keeps encoded answers under (question, token) and computes each one once per state, however many
requests ask for it at the same time. ``AnswerCache.get_or_previous`` keeps a slow answer
(summary, dashboard at archive scale) from holding readers up after a write: it serves the
previous state's answer, marked, while the new state's is computed in the background.
"""
from __future__ import annotations

import asyncio
import collections
import dataclasses
import datetime
import logging
import sqlite3
import threading
import time
import urllib.parse

from .errors import RectrackError

LOG = logging.getLogger(__name__)

# The plugin config's keys for slow answers (see AnswerCache.get_or_previous), in milliseconds.
TIMING_KEYS = ("previous_answer_after_ms", "recompute_every_ms", "previous_answer_wait_ms")


def check_timing_config(config: dict) -> None:
    """Raise RectrackError naming the first of ``TIMING_KEYS`` in the rectrack plugin config
    that is not a number of milliseconds >= 0."""
    for key in TIMING_KEYS:
        value = (config or {}).get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise RectrackError(f"metadata.yml: plugins.rectrack.{key} must be a number of milliseconds "
                                f">= 0, not {value!r}")


class StateTokens:
    """A state token per database file (None for a database without a file: nothing cached)."""

    def __init__(self):
        self._conns: dict[str, sqlite3.Connection] = {}
        self._lock = threading.Lock()

    def token(self, path) -> tuple | None:
        if not path:
            return None
        path = str(path)
        value = self.value(path, "PRAGMA data_version", reopen_on_error=True)
        return None if value is None else (path, value)

    def value(self, path, sql: str, reopen_on_error: bool = False):
        """The first column of the first row of ``sql``, read on the connection kept for ``path``
        (None without a file, a row or a value, or when ``sql`` fails; with ``reopen_on_error`` the
        connection is then opened again next time)."""
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
                row = conn.execute(sql).fetchone()
            except sqlite3.Error:
                if reopen_on_error:
                    self._conns.pop(path, None).close()
                return None
            return row[0] if row else None

    def close(self) -> None:
        with self._lock:
            for conn in self._conns.values():
                conn.close()
            self._conns.clear()


def state_fields(token) -> dict:
    """What an answer says about the state it reflects: ``data_version`` (the server's counter of
    database states, larger for a later state; None without a file), ``as_of`` (UTC, when it was
    computed) and ``stale`` (False; ``marked_stale`` makes it True when it is served after a
    newer state exists)."""
    as_of = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"data_version": token[1] if token else None, "as_of": as_of, "stale": False}


STALE_FALSE, STALE_TRUE = b'"stale": false}', b'"stale": true}'


def marked_stale(body: bytes) -> bytes:
    """A JSON body ending with ``state_fields``' ``"stale": false}``, saying ``true`` instead."""
    if not body.endswith(STALE_FALSE):
        raise ValueError("the answer does not end with its state fields")
    return body[: -len(STALE_FALSE)] + STALE_TRUE


def state_headers(state: dict, fresh: bool) -> dict:
    """The state an answer reflects, as response headers (no version for a database without a file)."""
    headers = {"X-Rectrack-As-Of": state["as_of"], "X-Rectrack-Stale": "0" if fresh else "1"}
    if state["data_version"] is not None:
        headers["X-Rectrack-Data-Version"] = str(state["data_version"])
    return headers


def cpu_costed(fn):
    """``fn(conn)`` returning ``(its value, the CPU seconds it took)`` (its thread's own time:
    neighbours on a shared machine do not count)."""
    def costed(conn):
        t0 = time.thread_time()
        value = fn(conn)
        return value, time.thread_time() - t0

    return costed


@dataclasses.dataclass
class Latest:
    """The newest answer computed for a question: the state it answers, what it cost, the order
    its computation started in, and when it finished (the cache's clock)."""

    answer: object
    token: object
    cost: float
    started: int
    finished: float


class AnswerCache:
    """A small LRU of answers keyed by (question, state token), computed once per state.

    ``await get(key, token, compute)`` returns the stored answer, or awaits ``compute()`` -- one
    call for all the requests that ask for the same key and token meanwhile -- and stores it.
    Without a token nothing is stored. Read the token before computing: an answer filed under a
    token was then computed after that state, never from an older one.
    """

    def __init__(self, maxsize: int = 256, clock=time.monotonic):
        self.maxsize, self.clock = maxsize, clock  # clock: seconds, for ``every`` (tests give their own)
        self._data: collections.OrderedDict = collections.OrderedDict()
        self._running: dict = {}
        self._latest: collections.OrderedDict = collections.OrderedDict()  # key -> Latest
        self._background: dict = {}  # key -> the task computing its newest state
        self._started = 0
        self.computed = 0  # how many answers were computed (for tests and the benchmark)

    async def get_or_previous(self, key, token, compute, previous_after: float, every: float = 0.0,
                              wait: float | None = None):
        """``(answer, fresh)``. ``compute()`` returns ``(answer, cost)``: the seconds it cost.

        With ``wait`` (seconds), a request that would wait for the new state's answer while a
        previous state's answer exists gets that previous answer, ``fresh`` False, once it has
        waited that long (the computation goes on, and the requests after it get its answer):
        a busy machine never holds a reader longer than that.

        Like ``get``, except when the last answer computed for ``key`` cost more than
        ``previous_after`` seconds: then the new state's answer is computed in the background
        (one computation per key at a time) and the previous state's answer is returned at once
        with ``fresh`` False, until the new one is stored. With ``every`` (seconds), such a
        background computation starts at most that long after the previous one finished (the
        previous answer is served meanwhile), which bounds the CPU readers cost a busy writer; a
        cheaper answer is likewise computed (while its request waits) at most once per ``every``,
        the previous state's answer served with ``fresh`` False in between. A
        background computation that fails forgets the previous answer, so the next request
        computes in the foreground and sees the error.
        """
        if token is None:
            self.computed += 1
            return (await compute())[0], True
        entry = (key, token)
        if entry in self._data:
            self._data.move_to_end(entry)
            return self._data[entry], True
        latest = self._latest.get(key)
        if latest is not None and latest.token == token:  # pushed out of _data, still current
            return latest.answer, True
        if latest is not None and latest.cost > previous_after:
            if key not in self._background and self.clock() >= latest.finished + every:
                task = asyncio.ensure_future(self._compute(key, token, compute))
                self._background[key] = task
                task.add_done_callback(lambda t, key=key: self._background_done(key, t))
            return latest.answer, False
        if latest is not None and self.clock() < latest.finished + every and (key, token) not in self._running:
            return latest.answer, False  # a cheap answer too: at most one computation per ``every``
        running = self._running.get(entry)
        if running is None:
            running = asyncio.ensure_future(self._compute(key, token, compute))
            self._running[entry] = running
            running.add_done_callback(lambda t, entry=entry: self._running_done(entry, t))
        if latest is not None and wait is not None:
            done, _pending = await asyncio.wait({running}, timeout=wait)
            if not done:
                return latest.answer, False
        return await asyncio.shield(running), True

    async def _compute(self, key, token, compute):
        self._started += 1
        started = self._started
        answer, cost = await compute()
        self.computed += 1
        entry = (key, token)
        self._data[entry] = answer
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)
        latest = self._latest.get(key)
        if latest is None or latest.started < started:  # a slower, older computation never wins
            self._latest[key] = Latest(answer, token, cost, started, self.clock())
            self._latest.move_to_end(key)
            while len(self._latest) > self.maxsize:
                self._latest.popitem(last=False)
        return answer

    def _running_done(self, entry, task) -> None:
        self._running.pop(entry, None)
        if not task.cancelled():
            task.exception()  # retrieved: the requests awaiting it raise it

    def _background_done(self, key, task) -> None:
        self._background.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            if not task.cancelled():
                LOG.warning("recomputing %r failed: %r", key, task.exception())
            self._latest.pop(key, None)

    async def get(self, key, token, compute):
        """The answer to ``key`` in state ``token``; ``compute()`` returns it (always fresh)."""
        async def costed():
            return await compute(), 0.0

        return (await self.get_or_previous(key, token, costed, previous_after=float("inf")))[0]


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
