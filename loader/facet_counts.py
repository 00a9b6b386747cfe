"""Datasette's column facets, their counts kept per database state and run side by side.

A facet's counts depend only on the rows the filters select -- the table's SQL without its
order and limit, its parameters and the facet column -- never on the sort, the page or the page
size. ``FacetCounts`` keeps the result of each facet query under that SQL, its parameters and the
database's state token (see ``loader.answers.StateTokens``): the next page, another sort or another
page size of the same filter reuse the counts, and any commit, from any process, is a new state.
``cached_column_facet(counts)`` is Datasette's ``ColumnFacet`` answering from it, each configured
facet's query running at the same time as the others (Datasette runs them one after another).
Everything Datasette builds around the counts -- labels, toggle URLs, ``selected`` -- is its own.
A facet of the whole recommendations table, or of a status filter, is read from the counts kept
on write (``loader.counts``: a few index reads instead of a scan of every row) when the database
keeps them. A full-text search matching more than ``search_facet_rows`` rows (plugin config,
default ``SEARCH_FACET_ROWS``) has its facets reported as timed out (Datasette's
``facets_timed_out``) instead of counted: each facet of a search reads every matching row (a
table lookup per match, ~1 ms per 1,000 matches), and a broad search would cost seconds.
The facets of a narrower search are counted in one query (``one_pass_facet_sql``): each matching
row is read once for all of them, not once per facet.
Datasette 0.65 lists timed-out facets on the HTML page only; ``add_timed_out`` adds them to the
table JSON as ``facets_timed_out`` (the name of that list in Datasette's page context).
"""
from __future__ import annotations

import asyncio
import collections
import contextvars
import copy
import json

from datasette.database import QueryInterrupted, Results
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite

from . import counts as kept_counts
from .errors import RectrackError

# Facet queries of one request running at the same time: SQLite releases the GIL, so two use two
# cores. The bound is per request: two requests computing facets at once can take all three of
# Datasette's SQL threads (the others then queue, as they do in stock Datasette).
AT_ONCE = 2

# Searches matching more rows than this get no facet counts (``search_facet_rows``; 0: no bound).
SEARCH_FACET_ROWS = 10_000
SEARCH_FACET_KEY = "search_facet_rows"


# The facets of the current request that were not counted (timed out, or a search too broad);
# set to a list by the plugin around a table JSON request, appended to by the facets.
TIMED_OUT: contextvars.ContextVar = contextvars.ContextVar("rectrack_facets_timed_out", default=None)


def add_timed_out(body: bytes, timed_out: list) -> bytes:
    """Datasette's table JSON body (an object starting with ``"database"``) with
    ``"facets_timed_out": [...]`` added at its end; any other body (another ``_shape``, an error)
    as it is."""
    if not (body.startswith(b'{"database"') and body.rstrip().endswith(b"}")):
        return body
    field = json.dumps(list(dict.fromkeys(timed_out))).encode("utf-8")
    return body.rstrip()[:-1] + b', "facets_timed_out": ' + field + b"}"


def _report_timed_out(columns) -> None:
    holder = TIMED_OUT.get()
    if holder is not None:
        holder.extend(columns)


def check_search_config(config: dict) -> None:
    """Raise RectrackError naming ``search_facet_rows`` when the plugin config gives a bad one."""
    value = (config or {}).get(SEARCH_FACET_KEY)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise RectrackError(f"metadata.yml: plugins.rectrack.{SEARCH_FACET_KEY} must be a whole number of rows "
                         f">= 0, not {value!r}")


def search_facet_rows(ds) -> int:
    value = (ds.plugin_config("rectrack") or {}).get(SEARCH_FACET_KEY)
    return SEARCH_FACET_ROWS if value is None else value


def is_search(request) -> bool:
    """Whether the request searches the table's full text (``_search`` or ``_search_<column>``)."""
    return request is not None and any(
        (key == "_search" or key.startswith("_search_")) and key != "_searchmode" and request.args.get(key)
        for key in request.args)


class FacetCounts:
    """Facet query results under (database path, state token, SQL, parameters), at most ``maxsize``."""

    def __init__(self, tokens, maxsize: int = 512):
        self.tokens, self.maxsize = tokens, maxsize
        self._data: collections.OrderedDict = collections.OrderedDict()
        self.hits = self.misses = 0

    async def execute(self, ds, database: str, sql: str, params, **kwargs):
        """``ds.execute(database, sql, params, **kwargs)``, answered from the cache when it can be."""
        path = getattr(ds.databases.get(database), "path", None)
        token = self.tokens.token(path)
        if token is None:
            return await ds.execute(database, sql, params, **kwargs)
        key = (token, sql, _frozen(params))
        if key in self._data:
            self._data.move_to_end(key)
            self.hits += 1
            return self._data[key]
        self.misses += 1
        results = await ds.execute(database, sql, params, **kwargs)  # a time-out raises: nothing kept
        self._data[key] = results
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)
        return results


def _frozen(params):
    if isinstance(params, dict):
        return tuple(sorted(params.items()))
    return tuple(params or ())


class _CachingDatasette:
    """The Datasette instance a facet sees: ``execute`` goes through ``FacetCounts``."""

    def __init__(self, ds, counts: FacetCounts):
        self._ds, self._counts = ds, counts

    def __getattr__(self, name):
        return getattr(self._ds, name)

    async def execute(self, database, sql, params=None, **kwargs):
        return await self._counts.execute(self._ds, database, sql, params, **kwargs)


def one_pass_facet_sql(sql: str, columns: list[str], limit: int) -> str:
    """One query counting the values of each of ``columns`` among ``sql``'s rows, reading each row
    once: rows ``(facet, value, count)``, ``facet`` the column's position in ``columns``, each
    facet's rows those of Datasette's own facet query (``count desc, value``, at most ``limit``),
    in its order: each facet ranks its values by its own column's collation (``rank``), which a
    sort of the union by value would not keep."""
    names = ", ".join(escape_sqlite(c) for c in dict.fromkeys(columns))
    parts = [f"select * from (select {i} as facet, {escape_sqlite(c)} as value, count(*) as count, "
             f"row_number() over (order by count(*) desc, {escape_sqlite(c)}) as rank from rows "
             f"where {escape_sqlite(c)} is not null group by {escape_sqlite(c)} order by count desc, value "
             f"limit {int(limit)})" for i, c in enumerate(columns)]
    return (f"with rows as materialized (select {names} from ({sql})) "
            + " union all ".join(parts) + " order by facet, rank")


class _Answered:
    """The Datasette a facet sees when its rows were counted already: its one query answers ``results``."""

    def __init__(self, ds, results):
        self._ds, self._results = ds, results

    def __getattr__(self, name):
        return getattr(self._ds, name)

    async def execute(self, database, sql, params=None, **kwargs):
        return self._results


class _Answering:
    """The Datasette a facet sees when the kept counts answer it: its one query is ``sql``."""

    def __init__(self, ds, sql, params):
        self._ds, self._sql, self._params = ds, sql, params

    def __getattr__(self, name):
        return getattr(self._ds, name)

    async def execute(self, database, sql, params=None, **kwargs):
        return await self._ds.execute(database, self._sql, self._params, **kwargs)


def cached_column_facet(counts: FacetCounts):
    """A ``ColumnFacet`` class whose counts come from ``counts``, its facets computed concurrently."""

    class CachedColumnFacet(ColumnFacet):
        __doc__ = ColumnFacet.__doc__

        def __init__(self, ds, *args, **kwargs):
            super().__init__(_CachingDatasette(ds, counts), *args, **kwargs)

        async def facet_results(self):
            configs = self.get_configs()
            if configs and await self._search_too_broad():
                columns = [c["config"].get("column") or c["config"].get("simple") for c in configs]
                _report_timed_out(columns)
                return [], columns
            if len(configs) > 1 and is_search(self.request):
                return await self._one_pass(configs)
            kept = await self._counts_kept() if self.table == "recommendations" else False
            if len(configs) < 2 and not kept:
                results, timed_out = await super().facet_results()
                _report_timed_out(timed_out)
                return results, timed_out
            at_once = asyncio.Semaphore(AT_ONCE)

            async def one(config):
                async with at_once:
                    return await ColumnFacet.facet_results(self._one(config, kept))

            parts = await asyncio.gather(*(one(config) for config in configs))
            results, timed_out = [], []
            for facet_results, facets_timed_out in parts:
                results.extend(facet_results)
                timed_out.extend(facets_timed_out)
            _report_timed_out(timed_out)
            return results, timed_out

        async def _one_pass(self, configs):
            """Every facet of a search counted by one query (``one_pass_facet_sql``), each then
            built by Datasette's own code from its share of the rows."""
            columns = [c["config"].get("column") or c["config"].get("simple") for c in configs]
            sql = one_pass_facet_sql(self.sql, columns, self.get_facet_size() + 1)
            try:
                counted = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                                custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                _report_timed_out(columns)
                return [], columns
            results = []
            for i, config in enumerate(configs):
                one = copy.copy(self)
                one.get_configs = lambda config=config: [config]
                one.ds = _Answered(self.ds, Results([r for r in counted.rows if r["facet"] == i], False,
                                                    counted.description))
                results.extend((await ColumnFacet.facet_results(one))[0])
            return results, []

        def _one(self, config, kept=False):
            """This facet with only ``config`` (Datasette's code then runs one query); with ``kept``,
            that query reads the kept counts when they can answer it."""
            one = copy.copy(self)
            one.get_configs = lambda: [config]
            column = config["config"].get("column") or config["config"].get("simple")
            found = kept_counts.facet_sql(self.sql, self.params, column, self.get_facet_size() + 1) if kept else None
            if found is not None:
                one.ds = _Answering(self.ds, *found)
            return one

        async def _search_too_broad(self):
            """Whether this is a search matching more than ``search_facet_rows`` rows (counted up to
            that bound when Datasette did not count them: ``_nocount``)."""
            bound = search_facet_rows(self.ds)
            if not bound or not is_search(self.request):
                return False
            n = self.row_count
            if n is None:
                rows = await self.ds.execute(
                    self.database, f"select count(*) from (select 1 from ({self.sql}) limit {int(bound) + 1})", self.params)
                n = rows.first()[0]
            return n > bound

        async def _counts_kept(self):
            """Whether the database keeps ``recommendation_counts`` (its triggers are rectrack's)."""
            rows = await self.ds.execute(self.database, kept_counts.INSTALLED_SQL)
            return kept_counts.installed_from(rows.rows)

    return CachedColumnFacet
