"""Datasette's full-text search of a table, its count and first page read the cheap way.

For ``?_search=`` Datasette 0.65 filters the table with ``rowid in (select rowid from <fts>
where <fts> match escape_fts(:search))`` and runs two queries over it: the page (``order by
<sort> limit <size + 1>``) and ``select count(*)``. SQLite answers both by looking up every
matching row in the table (~1.5 µs a match: 100,000 matches cost ~150 ms each) and sorting them
all for the page. ``rewrite_count`` counts the full-text index instead (no table lookup: ~0.1 µs
a match); the index is the table's own (external content, kept by its triggers), so it holds
exactly one entry per row. ``rewrite_page`` walks the sort order and stops at the page's last
row when the matches are common (``walk_sort_order``): it needs an index on
``coalesce(<sort>, NULL)`` (``SEARCH_ORDER``), whose entries are in the order Datasette's page
has (the sort column, then rowid for ties, as SQLite gives them when it sorts the matches), and
which the table's own listing does not use (that one keeps ties in primary-key order, as its next
pages). Rare terms keep Datasette's query: few lookups. Any other query -- another sort, a filter
beside the search, a next page, several search columns -- is left as Datasette wrote it.
``install(db)`` puts this in front of a Datasette database's ``execute``.
"""
from __future__ import annotations

import re

# table -> (the sort column whose first page can be walked, the index on coalesce(column, NULL))
SEARCH_ORDER = {"recommendations": ("char_start", "idx_recs_search_order")}

# Walk the sort order when at least 1 row in WALK_FRACTION matches: then the page's rows are
# found in the first ~50 x WALK_FRACTION index entries, against one table lookup per match.
WALK_FRACTION = 20

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
    own full-text index (``<table>_fts``, kept by rectrack's triggers)."""
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
    """``(table, sort column, fts, match, its parameter)`` of Datasette's first page of a search
    sorted by a column of ``SEARCH_ORDER``, else None."""
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


def walk_sort_order(conn, sql: str, params) -> bool:
    """Whether the first page of this search (a ``page_query``) is cheaper walked in sort order:
    its index exists and more than one row in ``WALK_FRACTION`` matches (the rows estimated by the
    largest rowid; the matches counted up to that bound)."""
    m = page_query(sql)
    if m is None or not isinstance(params, dict):
        return False
    index = SEARCH_ORDER[_bare(m.group("table"))][1]
    if conn.execute("select 1 from sqlite_master where type = 'index' and name = ?", (index,)).fetchone() is None:
        return False
    bound = (conn.execute(f"select max(rowid) from {m.group('table')}").fetchone()[0] or 0) // WALK_FRACTION
    check = (f"select count(*) > :rectrack_bound from (select rowid from {m.group('fts')} "
             f"where {m.group('match')} limit :rectrack_bound + 1)")
    return bool(conn.execute(check, {**params, "rectrack_bound": bound}).fetchone()[0])


def install(db) -> None:
    """Route a Datasette ``Database``'s ``execute`` through the rewrites above (once)."""
    if getattr(db.execute, "rectrack_search", False):
        return
    original = db.execute

    async def execute(sql, params=None, *args, **kwargs):
        counted = rewrite_count(sql) if isinstance(sql, str) else None
        if counted is not None:
            return await original(counted, params, *args, **kwargs)
        if isinstance(sql, str) and page_query(sql) is not None:
            if await db.execute_fn(lambda conn: walk_sort_order(conn, sql, params)):
                return await original(rewrite_page(sql), params, *args, **kwargs)
        return await original(sql, params, *args, **kwargs)

    execute.rectrack_search = True
    db.execute = execute
