"""Recommendation counts kept on write.

``recommendation_counts`` holds, for each counted column (``DIMENSIONS``) and the whole table
(facet ``"*"``), how many recommendations have each ``(value, status, kind)``. Triggers on
``recommendations`` keep it exact on every INSERT, UPDATE and DELETE -- a load, a reload, a
tracking edit, a correction, a manual addition, SQL typed by hand -- in the same transaction, so
a count read from it is what ``SELECT count(*) ... GROUP BY`` would say, for the cost of a few
index reads instead of a scan of every recommendation. (``INSERT OR REPLACE`` is the one write
that bypasses delete triggers; nothing in rectrack uses it on this table, and ``rebuild`` makes
the counts again from scratch.)

``recommendation_totals`` adds, for the columns with many values (``TOTALS``: speakers,
documents, actors), the total per value over every row (scope ``all``) and over what summary.json
counts (``counted``: not dismissed, not reclassified as a commitment), indexed by count: the
largest values are the first entries of an index instead of a sum over every value.

``summary_generation`` holds one number the triggers raise whenever something summary.json reads
without filters changes (``SUMMARY_INPUTS``): the plugin keeps that answer while it stays.

``ensure_counts(conn)`` creates the triggers and fills the tables once for a database that lacks
them; an up-to-date database is not written to. Readers: ``facet_sql`` (Datasette's column facet
over the whole table or a status filter) and the summary's queries below.

Example::

    ensure_counts(conn)
    sql, params = facet_sql("select id from recommendations ", {}, "theme", 31)
    conn.execute(sql, params).fetchall()   # [(value, count), ...] as Datasette's facet orders them
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
TOTALS_TABLE = "recommendation_totals"
TOTALS = ("actor_id", "speaker_id", "document_id")  # columns with many values: totals by count
HIDDEN, NOT_COUNTED_KIND = "dismissed", "commitment"  # tracking.HIDDEN_STATUSES; review's reclassification
# A number the triggers raise whenever something summary.json reads without filters changes: an
# answer computed at one generation is the answer at any later state of the same generation (a
# priority, owner or note edit, a history row, leave it unchanged).
GENERATION_TABLE = "summary_generation"
# Numbers raised, like the summary generation, whenever the inputs of one part of summary.json
# change: part -> (the ``recommendation_totals`` rows it reads: facet and scope, the other tables
# it reads: table -> the columns whose change matters). The top speakers (a join and a sort of
# every speaker tied at the cut: most of the summary's cost at archive scale) are kept while theirs
# stays, so a status change between two counted statuses, which moves no speaker's total, does not
# recompute them. The counting triggers raise a part's number where they write its totals.
PARTS_TABLE = "summary_part_generations"
PARTS = {"speakers": (("speaker_id", "counted"), {"speakers": ("id", "name")})}
# What it reads: table -> the columns whose change matters (None: any insert, update or delete).
SUMMARY_INPUTS = {
    "recommendations": ("id", "text", "status", "kind", "actor_id", "theme", "speaker_id", "document_id", "due_date"),
    "recommendation_actors": None,
    "actors": ("id", "name"),
    "speakers": ("id", "name"),
    "documents": ("id", "title", "event_date"),
}

# The table and its index also appear in loader.store.SCHEMA (CREATE ... IF NOT EXISTS).
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    facet TEXT NOT NULL,
    value,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    n INTEGER NOT NULL
);
-- one row per key, NULL values included (an upsert's target: NULLs are never equal in a plain index)
CREATE UNIQUE INDEX IF NOT EXISTS idx_{TABLE}_key ON {TABLE}(facet, ifnull(value, x'00'), status, kind);
CREATE INDEX IF NOT EXISTS idx_{TABLE} ON {TABLE}(facet, value, status, kind);
-- the counts that reached 0 (none between two statements): the triggers delete them through it
CREATE INDEX IF NOT EXISTS idx_{TABLE}_spent ON {TABLE}(n) WHERE n <= 0;
CREATE TABLE IF NOT EXISTS {TOTALS_TABLE} (
    facet TEXT NOT NULL,
    scope TEXT NOT NULL,
    value,
    n INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_{TOTALS_TABLE}_key ON {TOTALS_TABLE}(facet, scope, ifnull(value, x'00'));
CREATE INDEX IF NOT EXISTS idx_{TOTALS_TABLE}_n ON {TOTALS_TABLE}(facet, scope, n DESC, value);
CREATE INDEX IF NOT EXISTS idx_{TOTALS_TABLE}_spent ON {TOTALS_TABLE}(n) WHERE n <= 0;
CREATE TABLE IF NOT EXISTS {GENERATION_TABLE} (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS {PARTS_TABLE} (
    part TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);
"""

# The triggers a database has that keep the counts: ``(name, sql)`` (GLOB: case and ``_`` as written,
# so a user's own trigger of a similar name is never taken for one of them and dropped).
INSTALLED_SQL = f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB '{TABLE}_*'"

# An upsert adding each selected row's ``n`` to the count of its key, written as the unique
# indexes' expressions (x'00' stands for NULL there, a value no TEXT column of recommendations holds).
_UPSERT = " WHERE 1 ON CONFLICT (facet, ifnull(value, x'00'), status, kind) DO UPDATE SET n = n + excluded.n"
_TOTAL_UPSERT = " WHERE 1 ON CONFLICT (facet, scope, ifnull(value, x'00')) DO UPDATE SET n = n + excluded.n"
# scope -> the condition a row meets to be in it (``{row}``: new or old)
SCOPES = {"all": "1", "counted": f"{{row}}.status != '{HIDDEN}' AND {{row}}.kind != '{NOT_COUNTED_KIND}'"}
FACETS = (ALL, *DIMENSIONS)


def _value(facet: str, row: str) -> str:
    return "NULL" if facet == ALL else f'{row}."{facet}"'


def _changed(columns) -> str:
    """Whether an update changes any of ``columns``."""
    return " OR ".join(f'old."{c}" IS NOT new."{c}"' for c in columns)


def _moves(facet: str) -> str:
    """Whether an update moves a row's count of ``facet``: its value, status or kind changes."""
    return _changed(["status", "kind"] + ([] if facet == ALL else [facet]))


def _totals_move(facet: str, scope: str) -> str:
    """Whether an update moves a row's total of ``facet`` in ``scope``: its value changes, or it
    enters or leaves the scope. A status change between two counted statuses moves none, so it
    leaves ``recommendation_totals`` (and the pages of its by-count index) unwritten."""
    moved = f'old."{facet}" IS NOT new."{facet}"'
    member = SCOPES[scope]
    if member == "1":
        return moved
    return f'{moved} OR ({member.format(row="old")}) IS NOT ({member.format(row="new")})'


def _count_rows(row: str, sign: int, when) -> list[str]:
    """``(facet, value, status, kind, n)`` selects of ``row`` (new or old) counted ``sign`` times
    under each facet, each when ``when(facet)`` holds."""
    return [f"SELECT '{f}', {_value(f, row)}, {row}.status, {row}.kind, {sign}{_where(when(f))}" for f in FACETS]


def _total_rows(row: str, sign: int, when) -> list[str]:
    """``(facet, scope, value, n)`` selects of ``row`` for each total it is in, each when
    ``when(facet, scope)`` holds."""
    return [f"SELECT '{f}', '{scope}', {_value(f, row)}, {sign}{_where(when(f, scope), member.format(row=row))}"
            for f in TOTALS for scope, member in SCOPES.items()]


def _where(*conditions: str) -> str:
    """`` WHERE`` and the ``conditions`` that are not always true (``"1"``), each in parentheses."""
    kept = [f"({c})" for c in conditions if c != "1"]
    return f" WHERE {' AND '.join(kept)}" if kept else ""


def _apply(table: str, columns: str, upsert: str, selects: list[str], uncount: bool) -> str:
    """One statement adding the selected rows' ``n`` to their counts in ``table`` (``uncount``: then
    one deleting the counts that reached 0, found in the partial index of counts <= 0)."""
    sql = f"  INSERT INTO {table} ({columns}) SELECT * FROM ({' UNION ALL '.join(selects)}){upsert};\n"
    return sql + (f"  DELETE FROM {table} WHERE n <= 0;\n" if uncount else "")


def _counting(counts: list[str], totals: list[str], uncount: bool) -> str:
    return (_apply(TABLE, "facet, value, status, kind, n", _UPSERT, counts, uncount)
            + _apply(TOTALS_TABLE, "facet, scope, value, n", _TOTAL_UPSERT, totals, uncount))


def _bump_parts(when) -> str:
    """Statements raising the generation of each part of ``PARTS`` when ``when(facet, scope)``
    holds for the totals it reads."""
    return "".join(f"  UPDATE {PARTS_TABLE} SET n = n + 1 WHERE part = '{part}' AND {when(read, scope)};\n"
                   for part, ((read, scope), _tables) in PARTS.items())


@functools.cache
def trigger_sql() -> dict[str, str]:
    """``{trigger name: CREATE TRIGGER statement}`` keeping ``recommendation_counts`` exact: one
    trigger per row event, each counting every facet in one upsert per table (an update: only the
    facets it moves), then deleting the counts that reached 0."""
    counted = {row: SCOPES["counted"].format(row=row) for row in ("old", "new")}
    columns = ["status", "kind", *DIMENSIONS]
    moved = {facet: _moves(facet) for facet in FACETS}
    totals_moved = {(f, scope): _totals_move(f, scope) for f in TOTALS for scope in SCOPES}
    insert = _counting(_count_rows("new", 1, lambda f: "1"), _total_rows("new", 1, lambda f, s: "1"), False)
    delete = _counting(_count_rows("old", -1, lambda f: "1"), _total_rows("old", -1, lambda f, s: "1"), True)
    update = _counting(
        _count_rows("old", -1, moved.get) + _count_rows("new", 1, moved.get),
        _total_rows("old", -1, lambda f, s: totals_moved[f, s]) + _total_rows("new", 1, lambda f, s: totals_moved[f, s]),
        True)
    triggers = {
        f"{TABLE}_ai": f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON recommendations BEGIN\n{insert}"
                       + _bump_parts(lambda f, s: counted["new"]) + "END",
        f"{TABLE}_ad": f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON recommendations BEGIN\n{delete}"
                       + _bump_parts(lambda f, s: counted["old"]) + "END",
        f"{TABLE}_au": f"CREATE TRIGGER {TABLE}_au AFTER UPDATE OF {', '.join(columns)} ON recommendations "
                       f"WHEN {_changed(columns)} BEGIN\n{update}"
                       + _bump_parts(lambda f, s: f"({_totals_move(f, s)}) AND (({counted['old']}) OR ({counted['new']}))")
                       + "END",
    }
    triggers.update(_generation_triggers())
    triggers.update(_part_triggers())
    return triggers


def _generation_triggers() -> dict[str, str]:
    bump = f"  UPDATE {GENERATION_TABLE} SET n = n + 1 WHERE id = 1;\n"
    triggers = {}
    for table, columns in SUMMARY_INPUTS.items():
        for event, suffix in (("INSERT", "ai"), ("DELETE", "ad"), ("UPDATE", "au")):
            name = f"{TABLE}_gen_{table}_{suffix}"
            when = ""
            if event == "UPDATE" and columns:
                event = f"UPDATE OF {', '.join(columns)}"
                when = " WHEN " + " OR ".join(f'old."{c}" IS NOT new."{c}"' for c in columns)
            triggers[name] = f"CREATE TRIGGER {name} AFTER {event} ON {table}{when} BEGIN\n{bump}END"
    return triggers


def _part_triggers() -> dict[str, str]:
    """Triggers raising a part's generation when one of the other tables it reads changes."""
    triggers = {}
    for part, (_totals, tables) in PARTS.items():
        bump = f"  UPDATE {PARTS_TABLE} SET n = n + 1 WHERE part = '{part}';\n"
        for table, columns in tables.items():
            changed = " OR ".join(f'old."{c}" IS NOT new."{c}"' for c in columns)
            for event, suffix in (("INSERT", "ai"), ("DELETE", "ad"), (f"UPDATE OF {', '.join(columns)}", "au")):
                name = f"{TABLE}_part_{part}_{table}_{suffix}"
                when = f" WHEN {changed}" if suffix == "au" else ""
                triggers[name] = f"CREATE TRIGGER {name} AFTER {event} ON {table}{when} BEGIN\n{bump}END"
    return triggers


def part_generation_sql(part: str) -> str:
    """The generation of one part of summary.json (``PARTS``), NULL when the database does not keep
    it (no row, or not all of its triggers)."""
    names = [name for name in _part_triggers() if name.startswith(f"{TABLE}_part_{part}_")]
    listed = ", ".join(f"'{name}'" for name in names)
    return (f"SELECT n FROM {PARTS_TABLE} WHERE part = '{part}' AND (SELECT count(*) FROM sqlite_master "
            f"WHERE type = 'trigger' AND name IN ({listed})) = {len(names)}")


# summary.json's generation, NULL when the database does not keep it (no row, or not all its triggers).
GENERATION_SQL = (f"SELECT n FROM {GENERATION_TABLE} WHERE id = 1 AND (SELECT count(*) FROM sqlite_master "
                  f"WHERE type = 'trigger' AND name LIKE '{TABLE}\\_gen\\_%' ESCAPE '\\') = "
                  f"{len(SUMMARY_INPUTS) * 3}")


def _fresh_totals_sql() -> str:
    """``(facet, scope, value, n)`` counted from the recommendations themselves."""
    return " UNION ALL ".join(
        f"SELECT '{f}', '{scope}', \"{f}\", count(*) FROM recommendations AS new WHERE {member.format(row='new')} "
        f'GROUP BY "{f}"' for f in TOTALS for scope, member in SCOPES.items())


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
    conn.execute(f"DELETE FROM {TOTALS_TABLE}")
    conn.execute(f"INSERT INTO {TOTALS_TABLE} (facet, scope, value, n) {_fresh_totals_sql()}")


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
        # read again under the write lock: another connection may have upgraded it meanwhile
        stored = dict(conn.execute(INSTALLED_SQL).fetchall())
        if stored == wanted:
            return
        for name in stored:
            conn.execute(f'DROP TRIGGER "{name}"')
        for sql in wanted.values():
            conn.execute(sql)
        rebuild(conn)
        conn.execute(f"INSERT OR IGNORE INTO {GENERATION_TABLE} (id, n) VALUES (1, 0)")
        conn.execute(f"UPDATE {GENERATION_TABLE} SET n = n + 1 WHERE id = 1")
        for part in PARTS:
            conn.execute(f"INSERT OR IGNORE INTO {PARTS_TABLE} (part, n) VALUES (?, 0)", (part,))
            conn.execute(f"UPDATE {PARTS_TABLE} SET n = n + 1 WHERE part = ?", (part,))


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
    kept.update({("totals", *row[:3]): row[3] for row in conn.execute(f"SELECT facet, scope, value, n FROM {TOTALS_TABLE}")})
    fresh.update({("totals", *row[:3]): row[3] for row in conn.execute(_fresh_totals_sql())})
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
    if m.group("op") is None and column in TOTALS:  # the first entries of the by-count index
        return (f"SELECT value, n AS count FROM {TOTALS_TABLE} WHERE facet = :facet AND scope = 'all' "
                "AND value IS NOT NULL ORDER BY n DESC, value LIMIT :limit", {"facet": column, "limit": limit})
    where, out = ["facet = :facet"], {"facet": ALL if column == "status" else column, "limit": limit}
    if m.group("op") is not None:
        where.append(f"status {m.group('op')} :status")
        out["status"] = params["p0"]
    value = "status" if column == "status" else "value"
    return (f"SELECT {value} AS value, sum(n) AS count FROM {TABLE} WHERE {' AND '.join(where)} "
            f"AND {value} IS NOT NULL GROUP BY {value} ORDER BY count DESC, value LIMIT :limit", out)


# ---------------------------------------------------------------- summary.json's counts


def counted(hidden: str) -> tuple[str, dict]:
    """The counts of what summary.json counts: not ``hidden`` (dismissed), not reclassified as a
    commitment (``loader.browse.where_clause`` without filters)."""
    return f"status != :k_hidden AND kind != '{NOT_COUNTED_KIND}'", {"k_hidden": hidden}


def by_status(conn: sqlite3.Connection, facet: str, hidden: str) -> dict:
    """``{(value, status): n}`` of ``facet`` over what summary.json counts."""
    where, params = counted(hidden)
    return {(value, status): n for value, status, n in conn.execute(
        f"SELECT value, status, sum(n) FROM {TABLE} WHERE facet = :facet AND {where} GROUP BY value, status",
        {**params, "facet": facet})}


def top_speakers_sql(limit: int) -> tuple[str, dict]:
    """``loader.browse.top_speakers_sql`` without filters (``speaker_id, speaker, n, n_rows``) from
    ``recommendation_totals``: the speakers with at least the ``limit``-th largest count are the
    first entries of its by-count index."""
    speakers = "facet = 'speaker_id' AND scope = 'counted'"
    return (
        f"WITH cut AS (SELECT n FROM {TOTALS_TABLE} WHERE {speakers} ORDER BY n DESC LIMIT 1 OFFSET max(:limit - 1, 0)) "
        f"SELECT c.value AS speaker_id, s.name AS speaker, c.n AS n, "
        f"(SELECT count(*) FROM {TOTALS_TABLE} WHERE {speakers}) AS n_rows "
        f"FROM {TOTALS_TABLE} c LEFT JOIN speakers s ON s.id = c.value "
        "WHERE c.facet = 'speaker_id' AND c.scope = 'counted' AND c.n >= coalesce((SELECT n FROM cut), 0) "
        "ORDER BY c.n DESC, speaker, c.value LIMIT :limit",
        {"limit": limit})


def overdue_sql(hidden: str, today: str, finals: str) -> tuple[str, dict]:
    """How many counted recommendations are due before ``today`` in a status not in ``finals``
    (an SQL list of parameters the caller binds)."""
    where, params = counted(hidden)
    return (f"SELECT coalesce(sum(n), 0) AS n FROM {TABLE} WHERE facet = 'due_date' AND {where} "
            f"AND value IS NOT NULL AND value != '' AND value < :today AND status NOT IN ({finals})",
            {**params, "today": today})


def document_count_sql(hidden: str, document: str) -> tuple[str, dict]:
    """The counted recommendations of the document ``document`` (an SQL expression) names."""
    where, params = counted(hidden)
    return (f"(SELECT coalesce(sum(n), 0) FROM {TABLE} WHERE facet = 'document_id' AND value = {document} "
            f"AND {where})", params)
