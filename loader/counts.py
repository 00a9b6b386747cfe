"""Recommendation counts kept on write.

``recommendation_counts`` holds, for each counted column (``DIMENSIONS``) and the whole table
(facet ``"*"``), how many recommendations have each ``(value, status, kind)``. Triggers on
``recommendations`` keep it exact on every INSERT, UPDATE and DELETE -- a load, a reload, a
tracking edit, a correction, a manual addition, SQL typed by hand -- in the same transaction, so
a count read from it is what ``SELECT count(*) ... GROUP BY`` would say, for the cost of a few
index reads instead of a scan of every recommendation. (``INSERT OR REPLACE`` is the one write
that bypasses delete triggers; nothing in rectrack uses it on this table, and ``rebuild`` makes
the counts again from scratch.)

``ensure_counts(conn)`` creates the triggers and fills the table once for a database that lacks
them; an up-to-date database is not written to. Readers: ``facet_rows`` (Datasette's column facet
over the whole table or a status filter), ``summary_tallies`` / ``top_speakers`` /
``overdue_count`` (summary.json without filters).

Example::

    ensure_counts(conn)
    facet_rows(conn, "theme", limit=31)   # [(value, count), ...] as Datasette's facet orders them
"""
from __future__ import annotations

import functools
import re
import sqlite3

TABLE = "recommendation_counts"
ALL = "*"  # the facet whose rows count the whole table per (status, kind); its value is NULL
# Columns counted per value: the recommendations table's configured facets, the summary's
# speaker list and the due date (overdue counts).
DIMENSIONS = ("actor_id", "actor_group", "theme", "speaker_id", "document_id", "strength", "due_date")

# The table and its index also appear in loader.store.SCHEMA (CREATE ... IF NOT EXISTS).
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    facet TEXT NOT NULL,
    value,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    n INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_{TABLE} ON {TABLE}(facet, value, status, kind);
"""

# The triggers a database has that keep the counts: ``(name, sql)``.
INSTALLED_SQL = f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '{TABLE}%'"

_KEY = "facet = '{facet}' AND value IS {value} AND status = {row}.status AND kind = {row}.kind"


def _value(facet: str, row: str) -> str:
    return "NULL" if facet == ALL else f'{row}."{facet}"'


def _add(facet: str) -> str:
    """Statements counting ``new`` once more under ``facet``."""
    value = _value(facet, "new")
    key = _KEY.format(facet=facet, value=value, row="new")
    return (f"  INSERT INTO {TABLE} (facet, value, status, kind, n) SELECT '{facet}', {value}, new.status, new.kind, 0 "
            f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE {key});\n"
            f"  UPDATE {TABLE} SET n = n + 1 WHERE {key};\n")


def _remove(facet: str) -> str:
    """Statements counting ``old`` once less under ``facet`` (a count reaching 0 is deleted)."""
    key = _KEY.format(facet=facet, value=_value(facet, "old"), row="old")
    return (f"  UPDATE {TABLE} SET n = n - 1 WHERE {key};\n"
            f"  DELETE FROM {TABLE} WHERE {key} AND n <= 0;\n")


@functools.cache
def trigger_sql() -> dict[str, str]:
    """``{trigger name: CREATE TRIGGER statement}`` keeping ``recommendation_counts`` exact."""
    facets = (ALL, *DIMENSIONS)
    triggers = {
        f"{TABLE}_ai": f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON recommendations BEGIN\n"
                       + "".join(_add(f) for f in facets) + "END",
        f"{TABLE}_ad": f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON recommendations BEGIN\n"
                       + "".join(_remove(f) for f in facets) + "END",
    }
    for facet in facets:
        columns = ["status", "kind"] + ([] if facet == ALL else [facet])
        changed = " OR ".join(f'old."{c}" IS NOT new."{c}"' for c in columns)
        name = f"{TABLE}_au_{'all' if facet == ALL else facet}"
        triggers[name] = (f"CREATE TRIGGER {name} AFTER UPDATE OF {', '.join(columns)} ON recommendations "
                          f"WHEN {changed} BEGIN\n{_remove(facet)}{_add(facet)}END")
    return triggers


def _fresh_sql() -> str:
    """``(facet, value, status, kind, n)`` counted from the recommendations themselves."""
    selects = [f"SELECT '{ALL}', NULL, status, kind, count(*) FROM recommendations GROUP BY status, kind"]
    selects += [f'SELECT \'{f}\', "{f}", status, kind, count(*) FROM recommendations GROUP BY "{f}", status, kind'
                for f in DIMENSIONS]
    return " UNION ALL ".join(selects)


def rebuild(conn: sqlite3.Connection) -> None:
    """Count every recommendation again (inside the caller's transaction, if any)."""
    conn.execute(f"DELETE FROM {TABLE}")
    conn.execute(f"INSERT INTO {TABLE} (facet, value, status, kind, n) {_fresh_sql()}")


def ensure_counts(conn: sqlite3.Connection) -> None:
    """Create the table, the triggers and the counts when the database lacks them or has other
    triggers (an older version's): everything in one transaction. Writes nothing otherwise."""
    conn.executescript(SCHEMA)
    wanted = trigger_sql()
    stored = dict(conn.execute(INSTALLED_SQL).fetchall())
    if stored == wanted:
        return
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        for name in stored:
            conn.execute(f'DROP TRIGGER "{name}"')
        for sql in wanted.values():
            conn.execute(sql)
        rebuild(conn)


def installed_from(rows) -> bool:
    """Whether the ``(name, sql)`` rows of ``INSTALLED_SQL`` are the triggers ``trigger_sql`` makes."""
    return {row[0]: row[1] for row in rows} == trigger_sql()


def installed(conn: sqlite3.Connection) -> bool:
    """Whether this database keeps the counts (its triggers are the ones ``trigger_sql`` makes)."""
    return installed_from(conn.execute(INSTALLED_SQL).fetchall())


def differences(conn: sqlite3.Connection) -> list[tuple]:
    """Rows where the kept counts and a fresh count disagree: ``(facet, value, status, kind, kept,
    fresh)``; empty when the counts are exact (tests, and a check after SQL typed by hand)."""
    kept = {row[:4]: row[4] for row in conn.execute(f"SELECT facet, value, status, kind, n FROM {TABLE}")}
    fresh = {row[:4]: row[4] for row in conn.execute(_fresh_sql())}
    return sorted(((*key, kept.get(key), fresh.get(key)) for key in kept.keys() | fresh.keys()
                   if kept.get(key) != fresh.get(key)), key=repr)


# Datasette's SQL for the rows of the recommendations table a facet counts (``select <its columns>
# from recommendations [where "status" = :p0 | "status" != :p0]``): the sets the counts answer.
_ROWS_SQL = re.compile(r'^select [\w, ]+ from recommendations (?:where "status" (?P<op>=|!=) :p0 )?$')


def facet_sql(rows_sql: str, params, column: str, limit: int) -> tuple[str, dict] | None:
    """The query on ``recommendation_counts`` giving Datasette's column facet of ``column`` --
    ``(value, count)``, largest first, then by value, at most ``limit`` rows -- over the rows
    ``rows_sql`` selects with ``params``; None when the counts cannot answer it (another table,
    another filter, a search, a column not counted)."""
    m = _ROWS_SQL.match(rows_sql)
    if m is None or column not in ("status", *DIMENSIONS):
        return None
    params = dict(params or {})
    if (m.group("op") is None and params) or (m.group("op") is not None and set(params) != {"p0"}):
        return None
    where, out = ["facet = :facet"], {"facet": ALL if column == "status" else column, "limit": limit}
    if m.group("op") is not None:
        where.append(f"status {m.group('op')} :status")
        out["status"] = params["p0"]
    value = "status" if column == "status" else "value"
    return (f"SELECT {value} AS value, sum(n) AS count FROM {TABLE} WHERE {' AND '.join(where)} "
            f"AND {value} IS NOT NULL GROUP BY {value} ORDER BY count DESC, value LIMIT :limit", out)
