"""Datasette's full-text search of a table: its count and first page read the cheap way.

For ``?_search=`` Datasette 0.65 filters the table with ``rowid in (select rowid from <fts>
where <fts> match escape_fts(:search))`` and runs two queries over it: the page (``order by
<sort> limit <size + 1>``) and ``select count(*)``. SQLite answers both by looking up every
matching row in the table (~1.5 µs a match: 100,000 matches cost ~150 ms each) and sorting them
all for the page.

- ``rewrite_count`` counts the full-text index instead (no table lookup: ~0.1 µs a match) when
  it is the table's own, kept in step by its triggers (``kept_in_step``): it then holds exactly
  one entry per row. The page's plan counts first, and Datasette's count query right after reads
  that number (``SearchCounts``, per database state).
- ``rewrite_page`` walks the sort order and stops at the page's last row when the matches are
  common (``plan_page``). It needs an index on ``coalesce(<sort>, NULL)`` (``SEARCH_ORDER``):
  its entries are in the order of Datasette's page (the sort column, then rowid for ties, as
  SQLite gives them when it sorts the matches), and the table's own listing does not use it
  (that one keeps ties in primary-key order, as its next pages do). Rare terms keep Datasette's
  query: few lookups.

Any other query -- another sort, a filter beside the search (whose order among ties depends on
SQLite's plan), a next page, several search columns -- is left as Datasette wrote it.
``install(db)`` puts this in front of a Datasette database's ``execute``.
"""
from __future__ import annotations

import collections
import re
import sqlite3

from datasette.database import QueryInterrupted
from datasette.utils import sqlite_timelimit

# table -> (the sort column whose first page can be walked, the index on coalesce(column, NULL))
SEARCH_ORDER = {"recommendations": ("char_start", "idx_recs_search_order")}

# Walk the sort order when at least 1 row in WALK_FRACTION matches. Datasette's query costs ~2 µs
# a match (a table lookup, then the sort); the walk ~0.35 µs a match (the set of matching rowids)
# plus ~0.15 µs an index entry until the page is full: ~50 x WALK_FRACTION entries when the
# matches are spread evenly over the sort order, the whole index at worst (measured at 300,000
# rows: bench/bench.py). The even case breaks even near 1 in 300, the worst case near 1 in 12.
WALK_FRACTION = 32

_NAME = r"(?:\[[^\]]+\]|[A-Za-z_][A-Za-z0-9_]*)"
_MATCH = rf"(?P<match>(?P<column>{_NAME}) match (?:escape_fts\(:(?P<param>search(?:_0)?)\)|:(?P<raw>search(?:_0)?)))"
_FILTER = rf"rowid in \(select rowid from (?P<fts>{_NAME}) where {_MATCH}\)"
_COUNT = re.compile(rf"select count\(\*\) from (?P<table>{_NAME}) where {_FILTER} ?")
_PAGE = re.compile(rf"select (?P<columns>.+) from (?P<table>{_NAME}) where {_FILTER} "
                   rf"order by (?P<sort>{_NAME}) limit (?P<limit>\d+)", re.S)


def _bare(name: str) -> str:
    return name[1:-1] if name.startswith("[") else name


def _search(m) -> str | None:
    """The match condition of a matched query, or None when the query does not search the table's
    own full-text index (``<table>_fts``; whether it is kept in step is ``kept_in_step``'s question)."""
    if _bare(m.group("fts")) != f"{_bare(m.group('table'))}_fts":
        return None
    return m.group("match")


def rewrite_count(sql: str) -> str | None:
    """Datasette's count of a search's rows, counted in the full-text index; None for any other SQL."""
    m = _COUNT.fullmatch(sql)
    if m is None or _search(m) is None:
        return None
    return f"select count(*) from {m.group('fts')} where {m.group('match')}"


def page_query(sql: str):
    """The match (groups ``columns``, ``table``, ``fts``, ``match``, ``sort``, ``limit``) of
    Datasette's first page of a search sorted by its table's ``SEARCH_ORDER`` column, else None."""
    m = _PAGE.fullmatch(sql)
    if m is None or _search(m) is None:
        return None
    table = _bare(m.group("table"))
    if SEARCH_ORDER.get(table, (None,))[0] != _bare(m.group("sort")):
        return None
    return m


def rewrite_page(sql: str) -> str | None:
    """The same page found by walking ``SEARCH_ORDER``'s index in order, each entry's rowid looked
    up among the matches (built once), stopping after the page's rows; None for any other SQL."""
    m = page_query(sql)
    if m is None:
        return None
    sort = m.group("sort")
    return (f"select {m.group('columns')} from {m.group('table')} where +rowid in (select rowid from "
            f"{m.group('fts')} where {m.group('match')}) order by coalesce({sort}, NULL), rowid "
            f"limit {m.group('limit')}")


def kept_in_step(conn, table: str, fts: str) -> bool:
    """Whether ``fts`` is ``table``'s external-content full-text index kept by the insert, delete
    and update triggers sqlite-utils installs (``<table>_ai``, ``_ad``, ``_au``): then it holds
    exactly one entry per row, and counting it counts the rows."""
    row = conn.execute("select sql from sqlite_master where type = 'table' and name = ?", (fts,)).fetchone()
    if row is None or not re.search(rf"content\s*=\s*['\"\[]?{re.escape(table)}['\"\]]?\s*[,)]", row[0] or "", re.I):
        return False
    names = tuple(f"{table}_{suffix}" for suffix in ("ai", "ad", "au"))
    found = conn.execute("select count(*) from sqlite_master where type = 'trigger' and tbl_name = ? "
                         "and name in (?, ?, ?)", (table, *names)).fetchone()[0]
    return found == 3


def _names(sql: str, pattern) -> tuple[str, str] | None:
    m = pattern.fullmatch(sql)
    return None if m is None else (_bare(m.group("table")), _bare(m.group("fts")))


def count_sql_of_page(sql: str) -> str | None:
    """For a ``page_query``: the full-text count of its search (``rewrite_count``'s SQL for its count)."""
    m = page_query(sql)
    return None if m is None else f"select count(*) from {m.group('fts')} where {m.group('match')}"


def plan_page(conn, sql: str, params) -> tuple[bool, int | None]:
    """``(walk, matches)`` for the first page of a search (a ``page_query``): whether it is cheaper
    walked in sort order -- its index exists and at least one row in ``WALK_FRACTION`` matches (the
    rows estimated by the largest rowid) -- and gives the same rows in the same order
    (``sorts_matches_in_rowid_order``), and the number of matches (None when the full-text index
    is not ``kept_in_step``: then Datasette's own queries run)."""
    m = page_query(sql)
    if m is None or not isinstance(params, dict):
        return False, None
    table, fts = _bare(m.group("table")), _bare(m.group("fts"))
    if not kept_in_step(conn, table, fts):
        return False, None
    matches = conn.execute(count_sql_of_page(sql), params).fetchone()[0]
    index = SEARCH_ORDER[table][1]
    if conn.execute("select 1 from sqlite_master where type = 'index' and name = ?", (index,)).fetchone() is None:
        return False, matches
    rows = conn.execute(f"select max(rowid) from {m.group('table')}").fetchone()[0] or 0
    if matches * WALK_FRACTION < rows:
        return False, matches
    return sorts_matches_in_rowid_order(conn, table, sql, params), matches


def sorts_matches_in_rowid_order(conn, table: str, sql: str, params) -> bool:
    """Whether SQLite answers Datasette's page by visiting the matches in rowid order (the set of
    matching rowids) and sorting them: its rows tied in the sort column then come in rowid order,
    which is the walk's. Any other plan (one a later SQLite, or statistics, could choose) keeps
    Datasette's query."""
    plan = [row[3] for row in conn.execute(f"explain query plan {sql}", params)]
    return bool(plan) and plan[0].startswith(f"SEARCH {table} USING INTEGER PRIMARY KEY (rowid=?)") and \
        any(step == "USE TEMP B-TREE FOR ORDER BY" for step in plan)


class SearchCounts:
    """The match counts of searches under (state token, count SQL, parameters), at most ``maxsize``:
    the page's plan counts the matches, and Datasette's count query right after reads that number."""

    def __init__(self, maxsize: int = 256):
        self.maxsize = maxsize
        self._data: collections.OrderedDict = collections.OrderedDict()

    @staticmethod
    def key(token, sql, params):
        return None if token is None else (token, sql, tuple(sorted((params or {}).items())))

    def get(self, key):
        return None if key is None else self._data.get(key)

    def put(self, key, n: int) -> None:
        if key is None or n is None:
            return
        self._data[key] = n
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)


def _plan_within_limit(db, conn, sql, params):
    """``plan_page`` within Datasette's ``sql_time_limit_ms``; a search SQLite rejects or that
    runs out of time is planned as Datasette's own query, which then fails the same way itself."""
    with sqlite_timelimit(conn, db.ds.setting("sql_time_limit_ms")):
        try:
            return plan_page(conn, sql, params)
        except sqlite3.OperationalError:
            return False, None


def install(db, token=None, counts: SearchCounts | None = None) -> None:
    """Route a Datasette ``Database``'s ``execute`` through the rewrites above (once). ``token()``:
    the database's state token (``loader.answers.StateTokens``), read before a count is made, under
    which ``counts`` keeps it; without them every count is counted."""
    if getattr(db.execute, "rectrack_search", False):
        return
    original = db.execute
    counts = counts if counts is not None else SearchCounts()

    async def execute(sql, params=None, *args, **kwargs):
        if not isinstance(sql, str) or not isinstance(params, (dict, type(None))):
            return await original(sql, params, *args, **kwargs)
        counted = rewrite_count(sql)
        if counted is not None:
            n = counts.get(SearchCounts.key(token() if token else None, counted, params))
            if n is not None:
                return await original(f"select {int(n)}", None, *args, **kwargs)
            if await db.execute_fn(lambda conn: kept_in_step(conn, *_names(sql, _COUNT))):
                try:
                    return await original(counted, params, *args, **kwargs)
                except QueryInterrupted as e:
                    raise QueryInterrupted(e.e, sql, params) from e
        if page_query(sql) is not None:
            key = SearchCounts.key(token() if token else None, count_sql_of_page(sql), params)
            walk, n = await db.execute_fn(lambda conn: _plan_within_limit(db, conn, sql, params))
            counts.put(key, n)
            if walk:
                try:
                    return await original(rewrite_page(sql), params, *args, **kwargs)
                except QueryInterrupted as e:  # the error names the query Datasette wrote
                    raise QueryInterrupted(e.e, sql, params) from e
        return await original(sql, params, *args, **kwargs)

    execute.rectrack_search = True
    db.execute = execute
