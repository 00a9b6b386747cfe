"""Browsing: filters, SQL builders and counts behind the dashboard, summary.json and document pages.

Pure functions build SQL with named parameters (never user values pasted in); ``compute_*``
functions run them on a ``sqlite3`` connection (the plugin calls them through
``database.execute_fn``) and return plain dicts and lists. Nothing here knows about HTTP.

Example::

    filters = parse_filters({"actor": ["security-council"]})
    check_known(conn, filters)           # raises FilterError for an unknown actor
    summary = compute_summary(conn, filters, today="2026-11-27")
"""
from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from .locations import cue_span
from . import counts, pages
from .tracking import FINAL_STATUSES, HIDDEN_STATUSES, STATUSES

# An extraction error: hidden from default views, counted only when asked for by status=dismissed.
(HIDDEN_STATUS,) = HIDDEN_STATUSES

FILTER_NAMES = ("document", "actor", "theme", "status")
# Filter name -> recommendations column it constrains.
FILTER_COLUMNS = {"document": "document_id", "actor": "actor_id", "theme": "theme", "status": "status"}


class FilterError(ValueError):
    """A filter parameter is malformed (repeated, unknown name) or names a value that does not exist."""


@dataclass(frozen=True)
class Filters:
    """Which recommendations to count. None means no constraint (dismissed still excluded)."""

    document: str | None = None
    actor: str | None = None
    theme: str | None = None
    status: str | None = None

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # asdict without its deep copies

    def active(self) -> dict:
        return {k: v for k, v in self.as_dict().items() if v is not None}


def parse_filters(args: dict[str, list[str]], allowed=FILTER_NAMES) -> Filters:
    """Filters from query-string arguments ``{name: [values]}`` (e.g. ``urllib.parse.parse_qs``).

    Empty values mean "no filter". Names starting with ``_`` are ignored (cache busters).
    Raises FilterError for an unknown name, a repeated name or a status outside the vocabulary.
    """
    values: dict[str, str | None] = {}
    for name, given in args.items():
        if name.startswith("_"):
            continue
        if name not in allowed:
            raise FilterError(f"unknown parameter {name!r}: use {', '.join(allowed)}")
        given = [v for v in given if v != ""]
        if len(given) > 1:
            raise FilterError(f"{name!r} given {len(given)} times: give one value")
        values[name] = given[0] if given else None
    status = values.get("status")
    if status is not None and status not in STATUSES:
        raise FilterError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    return Filters(**values)


# Rowids of the recommendations whose further actors (position > 0, set by a person) include
# :f_actor. Few rows, found through a partial index: counts stay index-only scans.
FURTHER_ACTOR_ROWIDS = (
    "SELECT r_fa.rowid FROM recommendation_actors ra_fa JOIN recommendations r_fa ON r_fa.id = ra_fa.recommendation_id "
    "WHERE ra_fa.position > 0 AND ra_fa.actor_id = :f_actor")


def not_commitment(alias: str = "r") -> str:
    """An item a person reclassified as a commitment is not counted as a recommendation.

    Written against rowid (in every index) and the small set of such rows, so that counts over
    the ``(column, status)`` indexes stay index-only.
    """
    return f"{alias}.rowid NOT IN (SELECT rowid FROM recommendations WHERE kind = 'commitment')"


def further_actors_sql(filters: Filters, select: str, group: str) -> tuple[str, dict]:
    """Counts over the further actors (position > 0) of the recommendations ``filters`` selects."""
    where, params = where_clause(filters)
    return (f"SELECT {select} FROM recommendation_actors ra JOIN recommendations r ON r.id = ra.recommendation_id "
            f"WHERE ra.position > 0 AND {where} GROUP BY {group}", params)


def where_clause(filters: Filters, alias: str = "r") -> tuple[str, dict]:
    """``(sql, params)`` selecting the recommendations ``filters`` asks for.

    Dismissed recommendations are excluded unless ``status`` asks for them.
    """
    clauses, params = [], {}
    for name, column in FILTER_COLUMNS.items():
        value = getattr(filters, name)
        if value is not None and name == "actor":  # the first actor, or a further one
            clauses.append(f"{alias}.rowid IN (SELECT rowid FROM recommendations WHERE actor_id = :f_actor "
                           f"UNION ALL {FURTHER_ACTOR_ROWIDS})")
            params["f_actor"] = value
        elif value is not None:
            clauses.append(f"{alias}.{column} = :f_{name}")
            params[f"f_{name}"] = value
    clauses.append(not_commitment(alias))
    if filters.status is None:
        clauses.append(f"{alias}.status != :f_hidden")
        params["f_hidden"] = HIDDEN_STATUS
    return " AND ".join(clauses), params


def _final_params() -> tuple[str, dict]:
    names = [f":final_{i}" for i in range(len(FINAL_STATUSES))]
    return ", ".join(names), {f"final_{i}": s for i, s in enumerate(FINAL_STATUSES)}


def total_sql(filters: Filters) -> tuple[str, dict]:
    where, params = where_clause(filters)
    return f"SELECT count(*) AS n FROM recommendations r WHERE {where}", params


def by_status_sql(filters: Filters) -> tuple[str, dict]:
    where, params = where_clause(filters)
    return f"SELECT r.status AS status, count(*) AS n FROM recommendations r WHERE {where} GROUP BY r.status", params


def by_actor_sql(filters: Filters) -> tuple[str, dict]:
    """Counts per actor: every actor of a recommendation counts it (first ones, then further ones)."""
    where, params = where_clause(filters)
    further, _ = further_actors_sql(filters, "ra.actor_id AS actor_id, count(*) AS n", "ra.actor_id")
    return (
        "SELECT c.actor_id AS actor_id, a.name AS actor, sum(c.n) AS n FROM ("
        f"SELECT r.actor_id AS actor_id, count(*) AS n FROM recommendations r WHERE {where} GROUP BY r.actor_id "
        f"UNION ALL {further}) c LEFT JOIN actors a ON a.id = c.actor_id "
        "GROUP BY c.actor_id ORDER BY n DESC, actor, c.actor_id",
        params,
    )


def by_theme_sql(filters: Filters) -> tuple[str, dict]:
    where, params = where_clause(filters)
    return (
        f"SELECT r.theme AS theme, count(*) AS n FROM recommendations r WHERE {where} "
        "GROUP BY r.theme ORDER BY n DESC, r.theme",
        params,
    )


def by_speaker_sql(filters: Filters) -> tuple[str, dict]:
    where, params = where_clause(filters)
    return (
        "SELECT r.speaker_id AS speaker_id, s.name AS speaker, count(*) AS n FROM recommendations r "
        f"LEFT JOIN speakers s ON s.id = r.speaker_id WHERE {where} "
        "GROUP BY r.speaker_id ORDER BY n DESC, speaker, r.speaker_id",
        params,
    )


def overdue_sql(filters: Filters, today: str, kept: bool = False) -> tuple[str, dict]:
    """Recommendations past their due date (``due_date < today``) and not in a final status
    (``kept``: counted from recommendation_counts; no filters)."""
    where, params = where_clause(filters)
    finals, final_params = _final_params()
    if kept:
        sql, params = counts.overdue_sql(HIDDEN_STATUS, today, finals)
        return sql, {**params, **final_params}
    return (
        f"SELECT count(*) AS n FROM recommendations r WHERE {where} "
        f"AND r.due_date IS NOT NULL AND r.due_date != '' AND r.due_date < :today "
        f"AND r.status NOT IN ({finals})",
        {**params, **final_params, "today": today},
    )


def documents_sql(filters: Filters) -> tuple[str, dict]:
    """Every document (only the asked one with ``document``), with its matching recommendation count."""
    where, params = where_clause(filters)
    doc_where = "WHERE d.id = :f_document" if filters.document is not None else ""
    # Count first, then join: a join per document would search the recommendations once per document.
    return (
        "SELECT d.id AS document_id, d.title AS title, d.event_date AS event_date, coalesce(c.n, 0) AS n "
        "FROM documents d LEFT JOIN (SELECT r.document_id AS document_id, count(*) AS n FROM recommendations r "
        f"WHERE {where} GROUP BY r.document_id) c ON c.document_id = d.id "
        f"{doc_where} ORDER BY d.event_date, d.id",
        params,
    )


# Dimensions the dashboard crosses with status: name -> (key column, label expression, join).
DIMENSIONS = {
    "actor": ("r.actor_id", "a.name", "LEFT JOIN actors a ON a.id = r.actor_id"),
    "theme": ("r.theme", "r.theme", ""),
    "speaker": ("r.speaker_id", "s.name", "LEFT JOIN speakers s ON s.id = r.speaker_id"),
}


def status_by_sql(dimension: str, filters: Filters, one_id: bool = True) -> tuple[str, dict]:
    """Counts per (dimension value, status): columns key, label, status, n, and ``one_id`` (the
    smallest recommendation id of the group; NULL with ``one_id`` False: reading ids costs a
    table lookup per row)."""
    key, label, join = DIMENSIONS[dimension]
    one = "min(r.id)" if one_id else "NULL"
    where, params = where_clause(filters)
    if dimension == "actor":  # every actor of a recommendation counts it
        further, _ = further_actors_sql(filters, "ra.actor_id AS key, r.status AS status, count(*) AS n, "
                                        f"{one} AS one_id", "ra.actor_id, r.status")
        return (
            "SELECT c.key AS key, a.name AS label, c.status AS status, sum(c.n) AS n, min(c.one_id) AS one_id FROM ("
            f"SELECT r.actor_id AS key, r.status AS status, count(*) AS n, {one} AS one_id "
            f"FROM recommendations r WHERE {where} "
            f"GROUP BY r.actor_id, r.status UNION ALL {further}) c LEFT JOIN actors a ON a.id = c.key "
            "GROUP BY c.key, c.status ORDER BY label, key, status",
            params,
        )
    return (
        f"SELECT {key} AS key, {label} AS label, r.status AS status, count(*) AS n, {one} AS one_id "
        f"FROM recommendations r {join} WHERE {where} GROUP BY {key}, r.status ORDER BY label, key, r.status",
        params,
    )


def chart_counts_sql(dimension: str, filters: Filters, limit: int) -> tuple[str, dict]:
    """Counts per (dimension value, status) for a chart of ``limit`` bars: columns key, label,
    status, n, n_keys (how many keys there are in all; NULL when every key is listed).

    Unlike ``status_by_sql`` no recommendation id is read (a table lookup per row), and the
    speaker chart counts statuses only for its ``limit`` speakers with the most recommendations
    (an archive has tens of thousands of speakers)."""
    if dimension != "speaker":
        sql, params = status_by_sql(dimension, filters, one_id=False)
        return f"SELECT key, label, status, n, NULL AS n_keys FROM ({sql})", params
    where, params = where_clause(filters)
    return (
        f"WITH c AS (SELECT r.speaker_id AS key, count(*) AS n FROM recommendations r WHERE {where} "
        "GROUP BY r.speaker_id), top AS (SELECT key FROM c ORDER BY n DESC, key LIMIT :limit) "
        "SELECT r.speaker_id AS key, s.name AS label, r.status AS status, count(*) AS n, "
        "(SELECT count(*) FROM c) AS n_keys FROM recommendations r LEFT JOIN speakers s ON s.id = r.speaker_id "
        f"WHERE {where} AND (r.speaker_id IN (SELECT key FROM top) "
        "OR (r.speaker_id IS NULL AND EXISTS (SELECT 1 FROM top WHERE key IS NULL))) "
        "GROUP BY r.speaker_id, r.status ORDER BY label, key, r.status",
        {**params, "limit": limit},
    )


def one_recommendation_id(conn, filters: Filters, dimension: str, key, status: str):
    """The id of the recommendation a chart bar of one counts (its ``dimension`` value ``key``,
    its ``status``, within ``filters``), found through the indexes."""
    where, params = where_clause(dataclasses.replace(filters, status=status))
    if dimension == "actor" and key is not None:
        where, params = where_clause(dataclasses.replace(filters, status=status, actor=key))
    else:
        where += f" AND {DIMENSIONS[dimension][0]} IS :one_key"
        params = {**params, "one_key": key}
    row = conn.execute(f"SELECT min(r.id) FROM recommendations r WHERE {where}", params).fetchone()
    return row[0] if row else None


# A history row that changed the status (an edit of owner or due date alone is not one).
STATUS_CHANGED = "c.from_status IS NOT c.to_status"


def changes_by_day_sql(filters: Filters) -> tuple[str, dict]:
    """Status changes per day and new status, for the recommendations ``filters`` selects.

    Only rows whose status changed count: edits of the owner, due date or notes alone do not."""
    where, params = where_clause(filters)
    return (
        "SELECT date(c.changed_at) AS day, c.to_status AS status, count(*) AS n FROM status_changes c "
        f"JOIN recommendations r ON r.id = c.recommendation_id WHERE {where} AND {STATUS_CHANGED} "
        "GROUP BY day, c.to_status ORDER BY day, c.to_status",
        params,
    )


def _rows(conn, sql_params) -> list[dict]:
    sql, params = sql_params
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def today_utc() -> str:
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def check_known(conn, filters: Filters) -> None:
    """Raise FilterError when ``document``, ``actor`` or ``theme`` names nothing in the database."""
    checks = {
        "document": "SELECT 1 FROM documents WHERE id = :v",
        "actor": "SELECT 1 FROM actors WHERE id = :v",
        "theme": "SELECT 1 FROM recommendations WHERE theme = :v LIMIT 1",
    }
    for name, sql in checks.items():
        value = getattr(filters, name)
        if value is not None and conn.execute(sql, {"v": value}).fetchone() is None:
            raise FilterError(f"unknown {name} {value!r}")


def compute_summary(conn, filters: Filters, today: str | None = None) -> dict:
    """The summary.json body (see docs/json-api.md for the shape)."""
    today = today or today_utc()
    by_status = {status: 0 for status in STATUSES}
    for row in _rows(conn, by_status_sql(filters)):
        by_status[row["status"]] = row["n"]  # a status outside the vocabulary still shows
    return {
        "ok": True,
        "filters": filters.as_dict(),
        "today": today,
        "total": _rows(conn, total_sql(filters))[0]["n"],
        "by_status": by_status,
        "by_actor": _rows(conn, by_actor_sql(filters)),
        "by_theme": _rows(conn, by_theme_sql(filters)),
        "by_speaker": _rows(conn, by_speaker_sql(filters)),
        "overdue": _rows(conn, overdue_sql(filters, today))[0]["n"],
        "documents": _rows(conn, documents_sql(filters)),
    }


SUMMARY_LIMIT, MAX_SUMMARY_LIMIT = 50, 1000  # items per list in summary.json: default and most


def parse_limit(args: dict[str, list[str]]) -> tuple[int, dict]:
    """(limit, the other arguments): ``limit`` is how many items summary.json lists per list.

    Raises FilterError for a limit given twice or not a whole number from 0 to MAX_SUMMARY_LIMIT.
    """
    rest = dict(args)
    given = [v for v in rest.pop("limit", []) if v != ""]
    if not given:
        return SUMMARY_LIMIT, rest
    if len(given) > 1:
        raise FilterError(f"'limit' given {len(given)} times: give one value")
    if not given[0].isdigit() or int(given[0]) > MAX_SUMMARY_LIMIT:
        raise FilterError(f"limit {given[0]!r}: give a whole number from 0 to {MAX_SUMMARY_LIMIT}")
    return int(given[0]), rest


def _bounded(conn, sql_params, limit: int) -> tuple[list[dict], int]:
    """The first ``limit`` rows of a grouped query, and how many rows it has in all (one scan:
    ``count(*) OVER ()`` counts the groups before LIMIT applies)."""
    sql, params = sql_params
    head, sep, tail = sql.partition(" FROM ")
    rows = _rows(conn, (f"{head}, count(*) OVER () AS n_rows{sep}{tail} LIMIT :limit", {**params, "limit": limit}))
    if not rows:
        return [], (_rows(conn, (f"SELECT count(*) AS n FROM ({sql})", params))[0]["n"] if limit == 0 else 0)
    n = rows[0]["n_rows"]
    for row in rows:
        del row["n_rows"]
    return rows, n


def first_documents_sql(filters: Filters, limit: int, kept: bool = False) -> tuple[str, dict]:
    """``documents_sql`` bounded to its first ``limit`` rows: the documents are picked first and
    only theirs are counted (a search of the ``(document_id, status)`` index each, or with
    ``kept`` of recommendation_counts), instead of counting every document's recommendations."""
    where, params = where_clause(filters)
    doc_where = "WHERE d.id = :f_document" if filters.document is not None else ""
    n = f"(SELECT count(*) FROM recommendations r WHERE r.document_id = d.id AND {where})"
    if kept:
        n, params = counts.document_count_sql(HIDDEN_STATUS, "d.id")
    return (
        "SELECT d.id AS document_id, d.title AS title, d.event_date AS event_date, "
        f"{n} AS n "
        f"FROM (SELECT id, title, event_date FROM documents d {doc_where} ORDER BY d.event_date, d.id LIMIT :limit) d "
        "ORDER BY d.event_date, d.id",
        {**params, "limit": limit},
    )


def count_documents(conn, filters: Filters) -> int:
    """How many rows ``documents_sql`` has: every document, or the one asked for."""
    if filters.document is not None:
        sql, params = "SELECT count(*) FROM documents WHERE id = ?", (filters.document,)
    else:
        sql, params = "SELECT count(*) FROM documents", ()
    return conn.execute(sql, params).fetchone()[0]


def top_speakers_sql(filters: Filters, limit: int, kept: bool = False) -> tuple[str, dict]:
    """``by_speaker_sql`` bounded to ``limit`` rows, with ``n_rows`` = how many speakers in all:
    names are looked up only for the speakers with at least the ``limit``-th largest count (an
    archive has tens of thousands of speakers, each a row to join and sort by name). ``kept``:
    counted from recommendation_counts (no filters)."""
    if kept:
        return counts.top_speakers_sql(limit)
    where, params = where_clause(filters)
    return (
        f"WITH c AS (SELECT r.speaker_id AS speaker_id, count(*) AS n FROM recommendations r WHERE {where} "
        "GROUP BY r.speaker_id), cut AS (SELECT n FROM c ORDER BY n DESC LIMIT 1 OFFSET max(:limit - 1, 0)) "
        "SELECT c.speaker_id AS speaker_id, s.name AS speaker, c.n AS n, (SELECT count(*) FROM c) AS n_rows "
        "FROM c LEFT JOIN speakers s ON s.id = c.speaker_id WHERE c.n >= coalesce((SELECT n FROM cut), 0) "
        "ORDER BY c.n DESC, speaker, c.speaker_id LIMIT :limit",
        {**params, "limit": limit},
    )


def overdue_items_sql(filters: Filters, today: str) -> tuple[str, dict]:
    """The overdue recommendations themselves (see ``overdue_sql``), soonest due first."""
    where, params = where_clause(filters)
    finals, final_params = _final_params()
    return (
        "SELECT r.id AS id, r.due_date AS due_date, r.status AS status, r.actor_id AS actor_id, "
        f"r.document_id AS document_id, r.text AS text FROM recommendations r WHERE {where} "
        "AND r.due_date IS NOT NULL AND r.due_date != '' AND r.due_date < :today "
        f"AND r.status NOT IN ({finals}) ORDER BY r.due_date, r.id",
        {**params, **final_params, "today": today},
    )


GROUPED_INDEX = "idx_recs_actor_theme_status"


def _none_first(value) -> tuple:
    """A sort key ordering like SQLite: NULL before any text."""
    return (value is not None, value if value is not None else "")


def grouped_rows(conn, filters: Filters) -> list[tuple] | None:
    """``(actor_id, theme, status, n)`` for the recommendations ``filters`` selects: one scan of
    the ``(actor_id, theme, status)`` index. None when the database lacks that index (an older
    file nobody has opened with rectrack since)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (GROUPED_INDEX,)).fetchone() is None:
        return None
    where, params = where_clause(filters)
    return conn.execute(f"SELECT r.actor_id, r.theme, r.status, count(*) FROM recommendations r WHERE {where} "
                        "GROUP BY r.actor_id, r.theme, r.status", params).fetchall()


@dataclass
class Tallies:
    """Recommendations counted by ``(actor_id, status)`` -- the further actors of each one
    included -- and by ``(theme, status)``, with the actors' names: what the summary's and the
    dashboard's actor and theme figures are summed from."""

    actors: dict
    themes: dict
    names: dict


def kept_counts(conn, filters: Filters) -> bool:
    """Whether ``filters`` (none) can be counted from recommendation_counts in this database."""
    return not filters.active() and counts.installed(conn)


def grouped_tallies(conn, filters: Filters) -> Tallies | None:
    """``Tallies`` from recommendation_counts (no filters) or ``grouped_rows`` (one index scan),
    and one query for the further actors; None without either."""
    if kept_counts(conn, filters):
        actors = counts.by_status(conn, "actor_id", HIDDEN_STATUS)
        themes = counts.by_status(conn, "theme", HIDDEN_STATUS)
    else:
        groups = grouped_rows(conn, filters)
        if groups is None:
            return None
        actors, themes = {}, {}
        for actor_id, theme, status, n in groups:
            actors[actor_id, status] = actors.get((actor_id, status), 0) + n
            themes[theme, status] = themes.get((theme, status), 0) + n
    further, further_params = further_actors_sql(filters, "ra.actor_id, r.status, count(*)", "ra.actor_id, r.status")
    for actor_id, status, n in conn.execute(further, further_params):
        actors[actor_id, status] = actors.get((actor_id, status), 0) + n
    return Tallies(actors, themes, dict(conn.execute("SELECT id, name FROM actors")))


def _totals(counts: dict) -> dict:
    """``{key: n}`` summed over the statuses of ``{(key, status): n}``."""
    out: dict = {}
    for (key, _status), n in counts.items():
        out[key] = out.get(key, 0) + n
    return out


def grouped_counts(conn, filters: Filters, tallies: Tallies | None = None) -> tuple[dict, list[dict], list[dict]] | None:
    """``(by_status, by_actor, by_theme)`` -- what ``by_status_sql``, ``by_actor_sql`` and
    ``by_theme_sql`` return, in their order -- from ``tallies`` (given, or read) instead of
    three scans (and a fourth for the total); None without its index: then each is queried."""
    tallies = grouped_tallies(conn, filters) if tallies is None else tallies
    if tallies is None:
        return None
    by_status: dict = {}
    for (_theme, status), n in tallies.themes.items():  # each recommendation once (its theme)
        by_status[status] = by_status.get(status, 0) + n
    by_actor = sorted(({"actor_id": a, "actor": tallies.names.get(a), "n": n} for a, n in _totals(tallies.actors).items()),
                      key=lambda r: (-r["n"], _none_first(r["actor"]), _none_first(r["actor_id"])))
    by_theme = sorted(({"theme": t, "n": n} for t, n in _totals(tallies.themes).items()),
                      key=lambda r: (-r["n"], _none_first(r["theme"])))
    return by_status, by_actor, by_theme


def grouped_chart_rows(tallies: Tallies) -> dict[str, list[dict]]:
    """The actor and theme charts' ``{key, label, status, n}`` rows -- what ``status_by_sql``
    returns for them, in its order, without ``one_id`` -- from ``tallies``."""
    def chart(counts, label):
        rows = [{"key": k, "label": label(k), "status": st, "n": n} for (k, st), n in counts.items()]
        return sorted(rows, key=lambda r: (_none_first(r["label"]), _none_first(r["key"]), _none_first(r["status"])))

    return {"actor": chart(tallies.actors, tallies.names.get), "theme": chart(tallies.themes, lambda theme: theme)}


MAX_KEPT_SPEAKER_LISTS = 16


def top_speakers(conn, filters: Filters, limit: int, kept: bool) -> tuple[list[dict], int]:
    """(the first ``limit`` speakers by count, how many speakers in all)."""
    by_speaker = _rows(conn, top_speakers_sql(filters, limit, kept)) if limit else []
    n_speakers = by_speaker[0]["n_rows"] if by_speaker else (
        _rows(conn, (f"SELECT count(*) AS n FROM ({by_speaker_sql(filters)[0]})", by_speaker_sql(filters)[1]))[0]["n"]
        if limit == 0 else 0)
    for row in by_speaker:
        del row["n_rows"]
    return by_speaker, n_speakers


def _kept_speakers(conn, filters: Filters, limit: int, kept: bool, memo: dict | None) -> tuple[list[dict], int]:
    """``top_speakers``, from ``memo`` when the database's speakers generation is the one they were
    computed at (read before computing: what is kept under a generation is never older than it)."""
    generation = conn.execute(counts.part_generation_sql("speakers")).fetchone() if kept and memo is not None else None
    if generation is None:
        return top_speakers(conn, filters, limit, kept)
    hit = memo.get(limit)
    if hit is None or hit[0] != generation[0]:
        if len(memo) >= MAX_KEPT_SPEAKER_LISTS:  # one per ``limit`` asked for: a few in practice
            memo.clear()
        hit = memo[limit] = (generation[0], top_speakers(conn, filters, limit, kept))
    rows, n_speakers = hit[1]
    return [dict(row) for row in rows], n_speakers


def compute_summary_json(conn, filters: Filters, today: str | None = None, limit: int = SUMMARY_LIMIT,
                         tallies: Tallies | None = None, speakers: dict | None = None) -> dict:
    """The summary.json body: counts, and at most ``limit`` items per list (docs/json-api.md).
    ``tallies``: ``grouped_tallies(conn, filters)`` when the caller has them already. ``speakers``:
    a dict the caller keeps for this database between calls, where the top speakers are kept
    under their generation (``counts.PARTS``) and reused while it stays.

    ``counts`` gives the full length of each list; ``overdue`` is the number of overdue
    recommendations and ``overdue_items`` the first ``limit`` of them, soonest due first.
    """
    today = today or today_utc()
    kept = kept_counts(conn, filters)
    by_status = {status: 0 for status in STATUSES}
    grouped = grouped_counts(conn, filters, tallies)
    if grouped is None:
        by_status.update({row["status"]: row["n"] for row in _rows(conn, by_status_sql(filters))})
        by_actor, n_actors = _bounded(conn, by_actor_sql(filters), limit)
        by_theme, n_themes = _bounded(conn, by_theme_sql(filters), limit)
    else:
        by_status.update(grouped[0])
        by_actor, n_actors = grouped[1][:limit], len(grouped[1])
        by_theme, n_themes = grouped[2][:limit], len(grouped[2])
    by_speaker, n_speakers = _kept_speakers(conn, filters, limit, kept, speakers)
    n_overdue = _rows(conn, overdue_sql(filters, today, kept))[0]["n"]  # from counts, or the (due_date, status) index
    items_sql, items_params = overdue_items_sql(filters, today)
    overdue_items = _rows(conn, (items_sql + " LIMIT :limit", {**items_params, "limit": limit}))
    documents = _rows(conn, first_documents_sql(filters, limit, kept))
    n_documents = count_documents(conn, filters)
    return {
        "ok": True,
        "filters": filters.as_dict(),
        "today": today,
        "limit": limit,
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_actor": by_actor,
        "by_theme": by_theme,
        "by_speaker": by_speaker,
        "overdue": n_overdue,
        "overdue_items": overdue_items,
        "documents": documents,
        "counts": {"by_actor": n_actors, "by_theme": n_themes, "by_speaker": n_speakers,
                   "overdue_items": n_overdue, "documents": n_documents},
    }


MAX_DOCUMENT_OPTIONS = 200


def filter_options(conn, selected_document: str | None = None, max_documents: int = MAX_DOCUMENT_OPTIONS) -> dict:
    """Choices for the dashboard's select boxes: documents, actors and themes with recommendations.

    At most ``max_documents`` documents, the latest by event date (and ``selected_document``), in
    date order; ``documents_total`` says how many there are (an archive has thousands: a page
    listing them all would weigh megabytes).
    """
    hidden = {"hidden": HIDDEN_STATUS}
    return {
        "document": _rows(conn, (
            "SELECT value, label FROM (SELECT * FROM (SELECT id AS value, coalesce(title, id) AS label, event_date "
            "FROM documents ORDER BY event_date DESC, id DESC LIMIT :max) UNION SELECT id, coalesce(title, id), "
            "event_date FROM documents WHERE id = :selected) ORDER BY event_date, value",
            {"max": max_documents, "selected": selected_document})),
        "documents_total": conn.execute("SELECT count(*) FROM documents").fetchone()[0],
        "actor": _rows(conn, (
            "SELECT c.value AS value, coalesce(a.name, c.value) AS label, sum(c.n) AS n FROM ("
            "SELECT r.actor_id AS value, count(*) AS n FROM recommendations r WHERE r.status != :hidden "
            "AND r.actor_id IS NOT NULL GROUP BY r.actor_id UNION ALL "
            "SELECT ra.actor_id AS value, count(*) AS n FROM recommendation_actors ra "
            "JOIN recommendations r ON r.id = ra.recommendation_id WHERE ra.position > 0 AND r.status != :hidden "
            "GROUP BY ra.actor_id) c LEFT JOIN actors a ON a.id = c.value GROUP BY c.value ORDER BY label", hidden)),
        "theme": _rows(conn, (
            "SELECT theme AS value, theme AS label, count(*) AS n FROM recommendations "
            "WHERE status != :hidden AND theme IS NOT NULL GROUP BY theme ORDER BY theme", hidden)),
    }


# ------------------------------------------------------------------ dashboard charts


def table_href(base: str, params: dict) -> str:
    """A Datasette table URL with column filters; a None value becomes ``column__isnull=1``."""
    query = []
    for column, value in params.items():
        if value is None:
            query.append((f"{column}__isnull", "1"))
        else:
            query.append((column, value))
    return base + ("?" + urlencode(query) if query else "")


def _filter_columns(filters: Filters) -> dict:
    return {FILTER_COLUMNS[k]: v for k, v in filters.active().items()}


DIMENSION_COLUMNS = {"actor": "actor_id", "theme": "theme", "speaker": "speaker_id"}


def top_keys(rows: list[dict], limit: int) -> tuple[list[dict], dict]:
    """Keep the rows of the ``limit`` keys with the most recommendations; give each a unique label.

    Rows are ``{key, label, status, n}``. A missing label becomes the key (or "(none)"); a label
    shared by different keys (one person's speaker ids in two documents) gets the key appended.
    Returns (rows, {"shown": n keys kept, "total": n keys}).
    """
    totals: dict = {}
    for row in rows:
        totals[row["key"]] = totals.get(row["key"], 0) + row["n"]
    keep = set(sorted(totals, key=lambda k: (-totals[k], str(k)))[:limit])
    rows = [row for row in rows if row["key"] in keep]
    keys_per_label: dict = {}
    for row in rows:
        row["label"] = row["label"] if row["label"] is not None else (row["key"] or "(none)")
        keys_per_label.setdefault(row["label"], set()).add(row["key"])
    for row in rows:
        if len(keys_per_label[row["label"]]) > 1:
            row["label"] = f"{row['label']} ({row['key']})"
    return rows, {"shown": len(keep), "total": len(totals)}


MAX_BARS = 20
DASHBOARD_LIST_LIMIT = 20  # the documents the empty dashboard lists (summary.json's limit)


def compute_dashboard(conn, filters: Filters, table_url: str, changes_url: str, today: str | None = None,
                      max_bars: int = MAX_BARS, actor_table_url: str | None = None,
                      rec_url: str | None = None) -> dict:
    """Everything the dashboard draws: summary, chart rows (each with an ``href``) and filter choices.

    ``table_url`` is the recommendations table page, ``changes_url`` the status_changes one;
    actor bars link to ``actor_table_url`` (the recommendations_by_actor view) when given, so a
    bar's rows include the recommendations an actor shares with others. Each bar chart keeps its
    ``max_bars`` biggest bars (``shown`` says how many of how many). With ``rec_url`` (the
    recommendation pages' URL prefix) a bar of one recommendation opens its page.
    """
    tallies = grouped_tallies(conn, filters)
    summary = compute_summary_json(conn, filters, today, DASHBOARD_LIST_LIMIT, tallies)
    from_groups = grouped_chart_rows(tallies) if tallies is not None else {}
    base_filters = _filter_columns(filters)
    charts, shown = {}, {}
    for dimension, column in DIMENSION_COLUMNS.items():
        counted = from_groups.get(dimension) or _rows(conn, chart_counts_sql(dimension, filters, max_bars))
        n_keys = counted[0].get("n_keys") if counted else None
        for row in counted:
            row.pop("n_keys", None)
            row.pop("one_id", None)
        rows, shown[dimension] = top_keys(counted, max_bars)
        if n_keys is not None:
            shown[dimension]["total"] = n_keys
        base = actor_table_url if dimension == "actor" and actor_table_url else table_url
        for row in rows:
            row["href"] = table_href(base, {**base_filters, column: row["key"], "status": row["status"]})
            if rec_url and row["n"] == 1:
                one_id = one_recommendation_id(conn, filters, dimension, row["key"], row["status"])
                row["href"] = rec_url + quote(str(one_id), safe="")
        charts[dimension] = rows
    changes = _rows(conn, changes_by_day_sql(filters))
    for row in changes:
        row["href"] = table_href(changes_url, {"changed_at__startswith": row["day"], "to_status": row["status"],
                                               "_where": STATUS_CHANGED.replace("c.", "")})
    charts["changes"] = changes
    return {
        "summary": summary,
        "charts": charts,
        "shown": shown,
        "status_hrefs": {s: table_href(table_url, {**base_filters, "status": s}) for s in STATUSES},
        # How many the default counts leave out (0 when a status filter is given).
        "dismissed": 0 if filters.status else _rows(
            conn, total_sql(dataclasses.replace(filters, status=HIDDEN_STATUS)))[0]["n"],
        "options": filter_options(conn, filters.document),
        "filtered_table_url": table_href(
            table_url, base_filters if filters.status else {**base_filters, "status__not": HIDDEN_STATUS}),
        "any_recommendations": conn.execute(
            "SELECT 1 FROM recommendations WHERE status != ? LIMIT 1", (HIDDEN_STATUS,)
        ).fetchone() is not None,
    }


# Colours per status (Tableau-like, colour-blind friendly enough, fixed so every chart agrees).
STATUS_COLORS = {
    "proposed": "#9aa5b1",
    "accepted": "#4c78a8",
    "in_progress": "#f2b447",
    "implemented": "#54a24b",
    "partially_implemented": "#a0d47a",
    "declined": "#e45756",
    "dismissed": "#6f6f6f",
}


def _status_color(rows: list[dict], title: str = "Status", legend_columns: int = 4):
    """One colour per status, the same in every chart; dismissed listed only when it is shown."""
    present = {r["status"] for r in rows}
    domain = [s for s in STATUSES if s != HIDDEN_STATUS or s in present]
    domain += sorted(s for s in present if s not in STATUSES)  # never drop an unexpected value
    return {
        "field": "status",
        "type": "nominal",
        "title": title,
        "scale": {"domain": domain, "range": [STATUS_COLORS.get(s, "#bbbbbb") for s in domain]},
        "sort": domain,
        "legend": {"labelExpr": "replace(datum.label, '_', ' ')", "orient": "bottom", "direction": "horizontal",
                   "columns": legend_columns, "titleOrient": "left"},
    }


def bar_spec(rows: list[dict], title: str, axis_title: str, label_limit: int = 220, legend_columns: int = 4) -> dict:
    """A Vega-Lite horizontal stacked bar chart of ``rows`` (label, status, n, href), biggest bar first.

    It fills its container's width (``autosize: fit-x``) with the status legend below the bars,
    so a half-width chart keeps most of its width for the bars."""
    n_bars = len({r["label"] for r in rows})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": title,
        "data": {"values": rows},
        "width": "container",
        "height": max(90, 22 * n_bars),
        "autosize": {"type": "fit-x", "contains": "padding"},
        "mark": {"type": "bar", "cursor": "pointer"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "title": None,
                  "sort": {"op": "sum", "field": "n", "order": "descending"},
                  "axis": {"labelLimit": label_limit}},
            "x": {"field": "n", "type": "quantitative", "title": "Recommendations", "axis": {"tickMinStep": 1}},
            "color": _status_color(rows, legend_columns=legend_columns),
            "order": {"field": "status_rank", "type": "quantitative"},
            "href": {"field": "href", "type": "nominal"},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": axis_title},
                {"field": "status", "type": "nominal", "title": "Status"},
                {"field": "n", "type": "quantitative", "title": "Recommendations"},
            ],
        },
    }


def _day_domain(rows: list[dict], min_days: int = 14) -> list[str]:
    """An x range of at least ``min_days`` days around the data, so a few days do not fill the chart."""
    days = sorted(datetime.date.fromisoformat(r["day"]) for r in rows if r.get("day"))
    first, last = days[0], days[-1]
    missing = max(0, min_days - (last - first).days - 1)
    first -= datetime.timedelta(days=missing - missing // 2)
    last += datetime.timedelta(days=missing // 2 + 1)
    return [first.isoformat(), last.isoformat()]


def changes_spec(rows: list[dict]) -> dict:
    """Status changes per day (UTC), stacked by the new status."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": "Status changes over time",
        "data": {"values": rows},
        "width": "container",
        "height": 180,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "mark": {"type": "bar", "cursor": "pointer"},
        "encoding": {
            "x": {"field": "day", "type": "temporal", "timeUnit": "utcyearmonthdate", "title": "Day (UTC)",
                  "scale": {"type": "utc", "domain": _day_domain(rows)},
                  "axis": {"format": "%b %d", "formatType": "utc", "tickCount": "day",
                           "labelOverlap": True, "labelAngle": 0}},
            "y": {"field": "n", "type": "quantitative", "title": "Changes", "axis": {"tickMinStep": 1}},
            "color": _status_color(rows, "New status", legend_columns=7),
            "order": {"field": "status_rank", "type": "quantitative"},
            "href": {"field": "href", "type": "nominal"},
            "tooltip": [
                {"field": "day", "type": "nominal", "title": "Day (UTC)"},
                {"field": "status", "type": "nominal", "title": "New status"},
                {"field": "n", "type": "quantitative", "title": "Changes"},
            ],
        },
    }


def chart_specs(charts: dict, shown: dict | None = None) -> dict:
    """Vega-Lite specs for the dashboard, keyed by chart id; an empty chart is left out.

    ``shown`` (from compute_dashboard) adds "top N of M" to the title of a truncated chart.
    """
    shown = shown or {}
    rank = {s: i for i, s in enumerate(STATUSES)}
    for rows in charts.values():
        for row in rows:
            row["status_rank"] = rank.get(row["status"], len(STATUSES))
    specs = {}
    titles = {"actor": ("Status by actor", "Actor"), "theme": ("Status by theme", "Theme"),
              "speaker": ("Status by speaker", "Speaker")}
    for dimension, (title, axis_title) in titles.items():
        if charts.get(dimension):
            counts = shown.get(dimension) or {}
            if counts and counts["shown"] < counts["total"]:
                title = f"{title} (top {counts['shown']} of {counts['total']})"
            # The actor chart spans the page; theme and speaker share a row (see rectrack.css).
            wide = dimension == "actor"
            specs[dimension] = bar_spec(charts[dimension], title, axis_title, label_limit=260 if wide else 180,
                                        legend_columns=7 if wide else 2)
    if charts.get("changes"):
        specs["changes"] = changes_spec(charts["changes"])
    return specs


# ------------------------------------------------------------------ document page


def speech_start(text: str, char_start: int, char_end: int, label: str | None) -> int:
    """Where the spoken words of a turn start: after its printed label, colon and blank space."""
    pos = char_start
    if label and text.startswith(label, char_start):
        pos += len(label)
        if text.startswith(":", pos):
            pos += 1
        while pos < char_end and text[pos].isspace():
            pos += 1
    return pos


def segment(text: str, start: int, end: int, spans: list[dict]) -> list[dict]:
    """Cut ``text[start:end]`` at every span boundary.

    ``spans`` are dicts with ``start`` and ``end`` (offsets into ``text``). Returns pieces
    ``{"text", "start", "spans"}`` in order, where ``spans`` lists the spans covering that piece, so
    overlapping spans still land on exactly their characters. Joining the pieces gives back
    ``text[start:end]``.
    """
    inside = [s for s in spans if s["end"] > start and s["start"] < end and s["end"] > s["start"]]
    cuts = {start, end}
    for s in inside:
        cuts.add(max(start, s["start"]))
        cuts.add(min(end, s["end"]))
    points = sorted(cuts)
    pieces = []
    for a, b in zip(points, points[1:]):
        covering = [s for s in inside if s["start"] <= a and s["end"] >= b]
        pieces.append({"text": text[a:b], "start": a, "spans": covering})
    return pieces


def _trim(text: str, start: int, end: int, spans: list[dict]) -> tuple[int, int]:
    """Narrow [start, end) past leading and trailing blank space, never cutting into a span."""
    inside = [s for s in spans if s["end"] > start and s["start"] < end]
    lo = min([s["start"] for s in inside], default=end)
    hi = max([s["end"] for s in inside], default=start)
    while start < end and start < lo and text[start].isspace():
        start += 1
    while end > start and end > hi and text[end - 1].isspace():
        end -= 1
    return start, end


def document_blocks(text: str, turns: list[dict], spans: list[dict], start: int = 0,
                    end: int | None = None) -> list[dict]:
    """The document (or its ``[start, end)`` page) as blocks in order: each turn (label cut off)
    and any text between turns.

    ``turns`` are dicts with char_start, char_end and label (plus anything the page shows);
    returns ``{"kind": "turn"|"gap", "turn", "pieces", "continued"}``, ``continued`` True for a
    turn that began on an earlier page. Every character of the range outside turn labels and
    surrounding blank space appears in exactly one block, so no span is lost.
    """
    end = len(text) if end is None else end
    blocks = []

    def gap(a, b):
        a, b = _trim(text, a, b, spans)
        if b > a:
            blocks.append({"kind": "gap", "turn": None, "pieces": segment(text, a, b, spans), "continued": False})

    pos = start
    for turn in sorted(turns, key=lambda t: (t["char_start"], t["char_end"])):
        t_start, t_end = max(turn["char_start"], pos), min(turn["char_end"], end)
        if t_start > pos:
            gap(pos, t_start)
        if t_end <= t_start:
            continue
        body = speech_start(text, t_start, t_end, turn.get("label")) if t_start == turn["char_start"] else t_start
        # Never cut off a highlighted span that starts inside the label.
        if any(t_start <= s["start"] < body for s in spans):
            body = t_start
        body, t_stop = _trim(text, body, t_end, spans)
        blocks.append({"kind": "turn", "turn": turn, "pieces": segment(text, body, t_stop, spans),
                       "continued": t_start > turn["char_start"]})
        pos = t_end
    if pos < end:
        gap(pos, end)
    return blocks


def compute_document(conn, document_id: str, page: int = 1, rec_id: str | None = None,
                     page_chars: int = pages.PAGE_CHARS, page_spans: int = pages.PAGE_SPANS) -> dict | None:
    """A document with one page of its text: the turns (speaker name and role), recommendations
    (dismissed left out), commitments and notes on that page, and the blocks to render; None when
    there is no such document.

    ``page`` is 1-based; ``rec_id`` instead picks the page holding that recommendation. Whole-document
    counts are in ``totals``; ``pagination`` has ``page``, ``count``, ``numbers`` (for a pager),
    ``start`` and ``end``. Raises PageNotFound for a page past the last.
    """
    layout = _document_layout(conn, document_id, page_chars, page_spans)
    if layout is None:
        return None
    doc, text, turns, recs, coms, notes, hidden, spans, ranges = layout
    held = [r["start"] for r in recs if r["id"] == rec_id and r["start"] is not None]
    if held:
        page = pages.page_of(ranges, held[0])
    if page > len(ranges):
        raise PageNotFound(f"page {page}: the document has {len(ranges)} page(s)")
    start, end = ranges[page - 1]

    def on_page(rows):
        return [r for r in rows if r["start"] is not None and start <= r["start"] < end]

    page_recs = on_page(recs)
    shown_spans = [s for s in spans if s["end"] > start and s["start"] < end]
    page_turns = [t for t in turns if t["char_end"] > start and t["char_start"] < end]
    return {
        "document": doc,
        "turns": page_turns,
        "recommendations": page_recs,
        "commitments": on_page(coms),
        "notes": on_page(notes),
        "dismissed": hidden,
        "totals": {"recommendations": len(recs), "commitments": len(coms)},
        "pagination": {"page": page, "count": len(ranges), "start": start, "end": end,
                       "numbers": pages.page_numbers(page, len(ranges))},
        "groups": group_by_actor(page_recs),
        "blocks": document_blocks(text, page_turns, shown_spans, start, end),
    }


class PageNotFound(LookupError):
    """A page number past the document's last page."""


def _document_rows(conn, document_id: str):
    """(turns, recommendations, commitments, notes, dismissed count) of one document, each row
    with ``kind`` and ``start``/``end`` offsets, in document order."""
    params = {"id": document_id, "hidden": HIDDEN_STATUS}
    turns = _rows(conn, (
        "SELECT t.id, t.seq, t.label, t.char_start, t.char_end, t.speaker_id, s.name AS speaker, s.role, "
        "t.start_time, t.end_time "
        "FROM turns t LEFT JOIN speakers s ON s.id = t.speaker_id WHERE t.document_id = :id ORDER BY t.seq", params))
    for turn in turns:
        turn["cue"] = cue_span(turn["start_time"], turn["end_time"])
    recs = _rows(conn, (
        "SELECT r.id, r.text, r.char_start AS start, r.char_end AS end, r.actor_id, "
        "coalesce(a.name, r.actor_id) AS actor, r.status, r.strength, r.theme, r.turn_id FROM recommendations r "
        "LEFT JOIN actors a ON a.id = r.actor_id WHERE r.document_id = :id AND r.status != :hidden "
        "ORDER BY r.char_start", params))
    coms = _rows(conn, (
        "SELECT c.id, c.text, c.char_start AS start, c.char_end AS end, c.actor_id, "
        "coalesce(a.name, c.actor_id) AS actor, c.signal, c.recommendation_id FROM commitments c "
        "LEFT JOIN actors a ON a.id = c.actor_id WHERE c.document_id = :id ORDER BY c.char_start", params))
    notes = _rows(conn, ("SELECT char_start AS start, char_start + length(text) AS end, text FROM notes "
                         "WHERE document_id = :id ORDER BY char_start", params))
    hidden = conn.execute("SELECT count(*) FROM recommendations WHERE document_id = :id AND status = :hidden",
                          params).fetchone()[0]
    for kind, rows in (("recommendation", recs), ("commitment", coms), ("note", notes)):
        for row in rows:
            row["kind"] = kind
    return turns, recs, coms, notes, hidden


def _document_layout(conn, document_id: str, page_chars: int, page_spans: int):
    """(document, text, turns, recommendations, commitments, notes, dismissed count, spans, page
    ranges), or None when there is no such document."""
    docs = _rows(conn, ("SELECT id, title, event_date, venue, source_path, text, forum, addressee FROM documents WHERE id = :id",
                        {"id": document_id}))
    if not docs:
        return None
    doc = docs[0]
    text = doc.pop("text") or ""
    turns, recs, coms, notes, hidden = _document_rows(conn, document_id)
    spans = [s for s in recs + coms + notes if s["start"] is not None and s["end"] is not None]
    ranges = pages.page_ranges(text, turns, spans, page_chars, page_spans)
    return doc, text, turns, recs, coms, notes, hidden, spans, ranges


def document_page_of(conn, document_id: str, offset: int, page_chars: int = pages.PAGE_CHARS,
                     page_spans: int = pages.PAGE_SPANS) -> int:
    """The number of the document page showing character ``offset`` (1 for a short document).

    Reads only offsets (the same turns and highlights compute_document pages by), so a
    recommendation page can link to the right page of a long transcript cheaply.
    """
    row = conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
    if row is None or offset is None:
        return 1
    params = {"id": document_id, "hidden": HIDDEN_STATUS}
    turns = [{"char_start": r[0]} for r in conn.execute(
        "SELECT char_start FROM turns WHERE document_id = :id", params)]
    spans = [{"start": r[0], "end": r[1]} for r in conn.execute(
        "SELECT char_start, char_end FROM recommendations WHERE document_id = :id AND status != :hidden "
        "UNION ALL SELECT char_start, char_end FROM commitments WHERE document_id = :id "
        "UNION ALL SELECT char_start, char_start + length(text) FROM notes WHERE document_id = :id", params)
        if r[0] is not None and r[1] is not None]
    return pages.page_of(pages.page_ranges(row[0] or "", turns, spans, page_chars, page_spans), offset)


def group_by_actor(recommendations: list[dict]) -> list[dict]:
    """``[{"actor_id", "actor", "recommendations": [...]}]``, biggest group first, then by name."""
    groups: dict = {}
    for rec in recommendations:
        key = rec.get("actor_id")
        group = groups.setdefault(key, {"actor_id": key, "actor": rec.get("actor") or key or "(none)",
                                        "recommendations": []})
        group["recommendations"].append(rec)
    return sorted(groups.values(), key=lambda g: (-len(g["recommendations"]), g["actor"]))


# ------------------------------------------------------------------ CORS


def cors_headers(origin: str | None, allowed) -> dict:
    """Headers allowing ``origin`` to read a response, when it is in ``allowed`` ("*" allows any)."""
    if not allowed:
        return {}
    if isinstance(allowed, str):
        allowed = [allowed]
    if "*" in allowed:
        return {"Access-Control-Allow-Origin": "*"}
    # The answer depends on Origin: caches must keep one copy per origin.
    headers = {"Vary": "Origin"}
    if origin and origin in allowed:
        headers["Access-Control-Allow-Origin"] = origin
    return headers
