"""Datasette's column facets, their counts kept per database state and run side by side.

A facet's counts depend only on the rows the filters select -- the table's SQL without its
order and limit, its parameters and the facet column -- never on the sort, the page or the page
size. ``FacetCounts`` keeps the result of each facet query under that SQL, its parameters and the
database's state token (see ``loader.answers.StateTokens``): the next page, another sort or another
page size of the same filter reuse the counts, and any commit, from any process, is a new state.
``cached_column_facet(counts)`` is Datasette's ``ColumnFacet`` answering from it, each configured
facet's query running at the same time as the others (Datasette runs them one after another).
Everything Datasette builds around the counts -- labels, toggle URLs, ``selected`` -- is its own.
"""
from __future__ import annotations

import asyncio
import collections
import copy

from datasette.facets import ColumnFacet

# Facet queries of one request running at the same time: SQLite releases the GIL, so two use two
# cores. The bound is per request: two requests computing facets at once can take all three of
# Datasette's SQL threads (the others then queue, as they do in stock Datasette).
AT_ONCE = 2


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


def cached_column_facet(counts: FacetCounts):
    """A ``ColumnFacet`` class whose counts come from ``counts``, its facets computed concurrently."""

    class CachedColumnFacet(ColumnFacet):
        __doc__ = ColumnFacet.__doc__

        def __init__(self, ds, *args, **kwargs):
            super().__init__(_CachingDatasette(ds, counts), *args, **kwargs)

        async def facet_results(self):
            configs = self.get_configs()
            if len(configs) < 2:
                return await super().facet_results()
            at_once = asyncio.Semaphore(AT_ONCE)

            async def one(config):
                async with at_once:
                    return await self._one(config).facet_results()

            parts = await asyncio.gather(*(one(config) for config in configs))
            results, timed_out = [], []
            for facet_results, facets_timed_out in parts:
                results.extend(facet_results)
                timed_out.extend(facets_timed_out)
            return results, timed_out

        def _one(self, config):
            """This facet with only ``config`` (Datasette's code then runs one query)."""
            one = copy.copy(self)
            one.get_configs = lambda: [config]
            return one

    return CachedColumnFacet
