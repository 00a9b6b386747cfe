"""rectrack's Datasette plugin: hooks, the route list and thin views.

Logic lives in the ``loader`` package (tracking rules, SQL builders); the views here parse
the request, call it, and render.
"""

import asyncio as _asyncio
import functools
import json as _bjson
import os as _os
import re as _re
import sqlite3 as _sqlite3
import urllib.parse as _urlparse
from urllib.parse import parse_qs as _parse_qs, quote as _quote

from datasette import handle_exception as _datasette_exceptions  # the module: its hook is not ours
from datasette import hookimpl
from datasette.facets import ColumnFacet as _ColumnFacet
from datasette.utils import tilde_encode as _tilde_encode
from datasette.utils.asgi import BadRequest as _BadRequest
from datasette.utils.asgi import Forbidden
from datasette.utils.asgi import NotFound, Response
from datasette.views.base import DatasetteError as _DatasetteError
from markupsafe import Markup as _Markup

from loader import answers as _answers
from loader import browse as _browse
from loader import counts as _counts
from loader import display as _display
from loader import documents as _documents
from loader import facet_counts as _facet_counts
from loader import locations as _locations
from loader import pages as _pages
from loader import requests as _requests
from loader import review as _review
from loader import review_queue as _review_queue
from loader import search_sql as _search_sql
from loader import tracking
from loader import web as _web
from loader import write_batches as _write_batches
from loader.browse import document_page_of as _document_page_of
from loader.errors import DatabaseBusy, is_busy
from loader.requests import method_not_allowed


def allow_methods(*methods):
    """A view that answers other HTTP methods with a JSON 405 and an ``Allow`` header (HEAD goes
    where GET does). Every route's view carries it: ``view.allowed_methods``."""

    def decorate(view):
        @functools.wraps(view)
        async def checked(request, datasette):
            problem = method_not_allowed(request.method, methods)
            if problem:
                return Response.json({"ok": False, "error": problem["error"]}, status=405,
                                     headers={"Allow": problem["allow"]})
            return await view(request, datasette)

        checked.allowed_methods = methods
        return checked

    return decorate


# ---------------------------------------------------------------- tracking (issue 4)


EDIT_ACTION = "rectrack-edit"


def _tr_rec_path(datasette, rec_id, format=None):
    path = "/-/rectrack/recommendations/" + _urlparse.quote(rec_id, safe="")
    return datasette.urls.path(path + (".json" if format == "json" else ""))


def _tr_json_error(status, message, **extra):
    return Response.json({"ok": False, "error": message, **extra}, status=status)


def _tr_error_response(e):
    """A tracking exception as the JSON error response it stands for."""
    if isinstance(e, DatabaseBusy):
        return _tr_busy_response()
    if isinstance(e, tracking.StaleVersion):
        return _tr_json_error(409, str(e), current_version=e.current_version)
    if isinstance(e, tracking.RecommendationNotFound):
        return _tr_json_error(404, str(e))
    if isinstance(e, _review.DocumentNotFound):
        return _tr_json_error(404, str(e))
    if isinstance(e, _review.DuplicateItem):
        return _tr_json_error(409, str(e), existing_id=e.existing_id)
    extra = {"field": e.field}
    if getattr(e, "allowed", None) is not None:
        extra["allowed"] = e.allowed
    return _tr_json_error(400, str(e), **extra)


async def _tr_ensure_can_view(datasette, request, db):
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (db.name, "recommendations")), ("view-database", db.name), "view-instance"],
    )


async def _tr_read(db, rec_id, context=False, actors=False):
    """The recommendation, its history and commitments (with ``context``: what the page shows
    around it; with ``actors``: its actors), read in one trip to a read thread."""
    def fn(conn):
        data = tracking.get_recommendation(conn, rec_id)
        if context:
            data["context"] = tracking.get_context(conn, data["recommendation"])
            data["context"]["origin"] = _locations.origin_of(conn, data["recommendation"])
        if actors:
            data["actors"] = _review.get_actors(conn, rec_id)
        return data

    return await db.execute_fn(fn)


# A write that finds the database locked (a long reload elsewhere) is answered 503 with this
# Retry-After, never a 500. ``write_busy_timeout_ms`` in the plugin config: how long a write waits
# for the lock first (SQLite's busy timeout on the write connection; unset: Datasette's 5 s).
RETRY_AFTER_SECONDS = 2


def _tr_busy_response():
    return Response.json(
        {"ok": False, "error": "database is busy (a load may be running); nothing was written, try again shortly",
         "retry_after": RETRY_AFTER_SECONDS},
        status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _tr_write(datasette, db, fn):
    """``fn(conn)`` on the write connection, waiting at most ``write_busy_timeout_ms`` for the lock.
    Raises DatabaseBusy when another writer kept the lock that long."""
    busy_ms = (datasette.plugin_config("rectrack") or {}).get("write_busy_timeout_ms")

    def write(conn):
        if busy_ms is not None:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        return fn(conn)

    try:
        return await db.execute_write_fn(write, block=True)
    except _sqlite3.OperationalError as e:
        if not is_busy(e):
            raise
        raise DatabaseBusy(db.name, e) from None


# Tracking updates go through a WriteBatcher per database (group commit: the updates that arrive
# while one batch is written share the next transaction, each in its savepoint; see
# loader/write_batches.py). ``write_batch_max`` in the plugin config: the most updates in one
# transaction (1: a transaction per update). Kept on the Datasette instance per database object and
# event loop (a future belongs to its loop).
def _tr_batcher(datasette, db):
    per_loop = datasette.__dict__.setdefault("_rectrack_write_batchers", {})
    key = (_asyncio.get_running_loop(), db)
    if key not in per_loop:
        most = int((datasette.plugin_config("rectrack") or {}).get("write_batch_max", _write_batches.MAX_BATCH))

        async def write(steps):
            return await _tr_write(datasette, db, lambda conn: _write_batches.run_batch(conn, steps))

        per_loop[key] = _write_batches.WriteBatcher(write, max_batch=max(1, most))
    return per_loop[key]


async def _tr_update(datasette, db, rec_id, changes, version, actor):
    prepared = _review.prepare_update(rec_id, changes, version, actor)
    return await _tr_batcher(datasette, db).submit(lambda conn: _review.write_update(conn, prepared))


async def _read_body(request):
    """The request body, at most loader.requests.MAX_BODY_BYTES (BadBody beyond)."""
    return await _requests.read_body(request.receive, request.headers.get("content-length"))


@allow_methods("GET", "POST")
async def recommendation_page(request, datasette):
    """GET: the recommendation in context, its history and commitments, and the edit form.
    POST: a form (cookie + CSRF; redirect with a flash message) or JSON (bearer token)."""
    db = datasette.get_database()
    rec_id = request.url_vars["id"]
    if request.method == "POST":
        # A form from the page: form-encoded, cookie + CSRF. Anything with a bearer token is
        # JSON (curl -d sends form-encoded by default), and so is everything else.
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        has_bearer = request.headers.get("authorization", "").startswith("Bearer ")
        if content_type == "application/x-www-form-urlencoded" and not has_bearer:
            return await _tr_post_form(request, datasette, db, rec_id)
        return await _tr_post_json(request, datasette, db, rec_id)
    await _tr_ensure_can_view(datasette, request, db)
    try:
        data = await _tr_read(db, rec_id, context=True)
    except tracking.RecommendationNotFound as e:
        raise NotFound(str(e))
    rec = data["recommendation"]
    context = data.pop("context")
    allowed = await tracking.can_edit(datasette, request.actor)
    review_context = await db.execute_fn(lambda conn: {
        "actors": _review.get_actors(conn, rec_id), "actor_kinds": _review.actor_kinds(conn),
        "kinds": _review.KINDS, "strengths": _review.STRENGTHS})
    document = context["document"] or {"id": rec["document_id"], "title": rec["document_id"]}
    return Response.html(
        await datasette.render_template(
            "recommendation.html",
            {
                **data,
                **context,
                **review_context,
                "review_url": datasette.urls.path("/-/rectrack/review") + "?document="
                + _urlparse.quote(rec["document_id"], safe=""),
                "rec": rec,
                "database_name": db.name,
                "can_edit": allowed,
                "statuses": tracking.STATUSES,
                "status_labels": tracking.STATUS_LABELS,
                "next_statuses": [rec["status"], *tracking.allowed_next(rec["status"])],
                "priorities": tracking.PRIORITIES,
                "hidden": rec["status"] in tracking.HIDDEN_STATUSES,
                "document": document,
                "document_url": await _tr_document_url(datasette, db, rec),
                "row_url": datasette.urls.row(db.name, "recommendations", _tilde_encode(rec_id)),
                "json_url": _tr_rec_path(datasette, rec_id, "json"),
                "post_url": _tr_rec_path(datasette, rec_id),
            },
            request=request,
        )
    )


async def _tr_document_url(datasette, db, rec):
    """The document page holding ``rec`` (``?page=N`` when it is not the first)."""
    page = await db.execute_fn(lambda conn: _document_page_of(conn, rec["document_id"], rec["char_start"]))
    url = datasette.urls.path("/-/rectrack/documents/" + _urlparse.quote(rec["document_id"], safe=""))
    return url + (f"?page={page}" if page > 1 else "")


async def _form_body(request, datasette, back):
    """(the posted form, None), or (None, a redirect to ``back`` with a "Not saved" message) when
    the body is too large or not UTF-8."""
    try:
        return _requests.parse_form_body(await _read_body(request)), None
    except _requests.BadBody as e:
        datasette.add_message(request, f"Not saved: {e}", datasette.ERROR)
        return None, Response.redirect(back)


async def _tr_post_form(request, datasette, db, rec_id):
    if not await tracking.can_edit(datasette, request.actor):
        raise Forbidden("You do not have permission to edit recommendations")
    here = _tr_rec_path(datasette, rec_id)
    form, refused = await _form_body(request, datasette, here)
    if refused is not None:
        return refused
    changes = _review.form_changes(form)
    try:
        result = await _tr_update(datasette, db, rec_id, changes, form.get("version"), request.actor)
    except DatabaseBusy:
        datasette.add_message(request, "Not saved: the database is busy (a load may be running). "
                              "Try again in a moment.", datasette.ERROR)
        return Response.redirect(here)
    except tracking.RecommendationNotFound as e:
        raise NotFound(str(e))
    except tracking.StaleVersion as e:
        datasette.add_message(
            request,
            f"Not saved: someone else changed this recommendation (now version {e.current_version}). "
            "Check the current values below and try again.",
            datasette.ERROR,
        )
        return Response.redirect(here)
    except tracking.InvalidValue as e:
        datasette.add_message(request, f"Not saved: {e}", datasette.ERROR)
        return Response.redirect(here)
    if not result["changed"]:
        datasette.add_message(request, "Nothing changed.", datasette.INFO)
    else:
        datasette.add_message(request, _tr_saved_message(result["change"]), datasette.INFO)
    return Response.redirect(here)


def _tr_saved_message(change):
    label = tracking.STATUS_LABELS
    parts = []
    if change["from_status"] != change["to_status"]:
        parts.append(f"status {label[change['from_status']]} \u2192 {label[change['to_status']]}")
    parts += [field.replace("_", " ") for field in change["changes"] if field != "status"]
    if change["note"] and not parts:
        parts.append("note added")
    return "Saved: " + ", ".join(parts) + "."


async def _json_body(request):
    """The request body as a JSON object, or a 400 response naming ``body`` (size, depth, encoding)."""
    try:
        body = _requests.parse_json_body(await _read_body(request))
    except _requests.BadBody as e:
        return None, _tr_json_error(400, str(e), field="body")
    if not isinstance(body, dict):
        return None, _tr_json_error(400, "body: expected a JSON object", field="body")
    return body, None


async def _tr_post_json(request, datasette, db, rec_id):
    if not await tracking.can_edit(datasette, request.actor):
        return _tr_json_error(403, "permission denied: rectrack-edit is required (sign in or send a bearer token)")
    body, error = await _json_body(request)
    if error is not None:
        return error
    changes = {k: v for k, v in body.items() if k != "version"}
    try:
        result = await _tr_update(datasette, db, rec_id, changes, body.get("version"), request.actor)
    except (tracking.InvalidValue, tracking.RecommendationNotFound, tracking.StaleVersion, DatabaseBusy) as e:
        return _tr_error_response(e)
    return Response.json(
        {"ok": True, "changed": result["changed"], "recommendation": result["recommendation"],
         "change": result["change"]}
    )


@allow_methods("GET", "POST")
async def recommendation_json(request, datasette):
    """GET: ``{"ok": true, "recommendation", "history", "commitments"}``; POST as on the page."""
    db = datasette.get_database()
    rec_id = request.url_vars["id"]
    if request.method == "POST":
        return await _tr_post_json(request, datasette, db, rec_id)
    try:
        await _tr_ensure_can_view(datasette, request, db)
    except Forbidden as e:
        return _tr_json_error(403, str(e))
    try:
        data = await _tr_read(db, rec_id, actors=True)
    except tracking.RecommendationNotFound as e:
        return _tr_error_response(e)
    return Response.json({"ok": True, **data})


@hookimpl(specname="permission_allowed")
def rectrack_edit_permission(datasette, actor, action, resource):
    if action != EDIT_ACTION:
        return None
    return tracking.edit_allowed(actor, datasette.plugin_config("rectrack"))


@hookimpl(specname="startup")
def rectrack_drop_unset_tokens(datasette):
    """Drop bearer tokens whose ``$env`` variable is unset or empty.

    datasette-auth-tokens 0.3 compares every incoming token with each configured one and fails
    (a 500) on a token that resolved to None; without the variable there is simply no token.
    """
    plugins = (getattr(datasette, "_metadata_local", None) or {}).get("plugins") or {}
    config = plugins.get("datasette-auth-tokens")
    if not isinstance(config, dict) or not isinstance(config.get("tokens"), list):
        return
    kept = []
    for entry in config["tokens"]:
        token = (entry or {}).get("token")
        if isinstance(token, dict) and list(token) == ["$env"]:
            token = _os.environ.get(token["$env"])
        if token:
            kept.append(entry)
    config["tokens"] = kept


# ---------------------------------------------------------------- browsing (issue 5)


# summary.json bodies and dashboard data, once per database state (see loader.answers).
_ANSWERS = _answers.AnswerCache()
_STATE = _answers.StateTokens()
# summary.json's top speakers per database file, kept under their generation (loader.browse).
_SPEAKERS: dict = {}


# An answer whose last computation cost more CPU than this is served from the previous database
# state while the new one is computed (``previous_answer_after_ms`` in the plugin config).
PREVIOUS_ANSWER_AFTER_MS = 100
# A reader waits at most this long (wall clock) for a new state's answer; then it gets the previous
# state's, marked stale, while the computation finishes (``previous_answer_wait_ms``).
PREVIOUS_ANSWER_WAIT_MS = 100


@hookimpl(specname="startup")
def rectrack_check_answer_timing(datasette):
    """A bad ``previous_answer_after_ms`` / ``recompute_every_ms`` stops the server at start with
    one line naming the key, instead of failing every summary and dashboard request."""
    _answers.check_timing_config(datasette.plugin_config("rectrack") or {})
    _facet_counts.check_search_config(datasette.plugin_config("rectrack") or {})


def _previous_after(datasette):
    """(previous_after, every, wait) for AnswerCache.get_or_previous, in seconds, from the plugin
    config: ``previous_answer_after_ms``, ``recompute_every_ms`` (default 0: a slow answer is
    recomputed as soon as the previous computation ends) and ``previous_answer_wait_ms`` (default
    ``PREVIOUS_ANSWER_WAIT_MS``: how long a reader waits for a new state's answer before it gets the
    previous state's)."""
    config = datasette.plugin_config("rectrack") or {}
    return (float(config.get("previous_answer_after_ms", PREVIOUS_ANSWER_AFTER_MS)) / 1000,
            float(config.get("recompute_every_ms", 0)) / 1000,
            float(config.get("previous_answer_wait_ms", PREVIOUS_ANSWER_WAIT_MS)) / 1000)


def _browse_filters(request):
    return _browse.parse_filters(_parse_qs(request.query_string, keep_blank_values=True))


async def _ensure_can_view(datasette, request, db, table):
    await datasette.ensure_permissions(
        request.actor, [("view-table", (db.name, table)), ("view-database", db.name), "view-instance"]
    )


def _script_json(value):
    """JSON safe inside <script type="application/json">."""
    return (_bjson.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@allow_methods("GET")
async def dashboard(request, datasette):
    db = datasette.get_database()
    await _ensure_can_view(datasette, request, db, "recommendations")
    try:
        filters = _browse_filters(request)
        today = _browse.today_utc()

        def compute(conn):
            _browse.check_known(conn, filters)
            data = _browse.compute_dashboard(
                conn, filters,
                table_url=datasette.urls.table(db.name, "recommendations"),
                changes_url=datasette.urls.table(db.name, "status_changes"),
                actor_table_url=datasette.urls.table(db.name, "recommendations_by_actor"),
                rec_url=datasette.urls.path("/-/rectrack/recommendations/"),
                today=today,
            )
            return (data, _browse.chart_specs(data["charts"], data["shown"]),
                    _review_queue.progress(conn, filters.document))

        token = _STATE.token(db.path)
        key = ("dashboard", db.name, db.path, filters, today)
        (data, specs, review_progress, state), fresh = await _ANSWERS.get_or_previous(
            key, token, lambda: db.execute_fn(_answers.cpu_costed(
                lambda conn: (*compute(conn), _answers.state_fields(token)))), *_previous_after(datasette))
    except _browse.FilterError as e:
        raise _BadRequest(str(e))
    context = {
        **data,
        "state": {**state, "stale": not fresh},
        "review_progress": review_progress,
        "review_url": datasette.urls.path("/-/rectrack/review")
        + (("?document=" + _quote(filters.document, safe="")) if filters.document else ""),
        "filters": filters,
        "specs_json": _script_json(specs),
        "chart_ids": list(specs),
        "statuses": _browse.STATUSES,
        "status_colors": _browse.STATUS_COLORS,
        "table_url": datasette.urls.table(db.name, "recommendations"),
        "summary_url": datasette.urls.path("/-/rectrack/summary.json"),
        "overdue_url": datasette.urls.query(db.name, "overdue_follow_ups"),
        "static": lambda path: datasette.urls.path("/rectrack-static/" + path),
        "database": db.name,
    }
    html = await datasette.render_template("dashboard.html", context, request=request)
    return Response.html(html, headers=_answers.state_headers(state, fresh))


@allow_methods("GET", "OPTIONS")
async def summary_json(request, datasette):
    config = datasette.plugin_config("rectrack") or {}
    cors = _browse.cors_headers(request.headers.get("origin"), config.get("cors_origins"))
    if request.method == "OPTIONS":
        if cors.get("Access-Control-Allow-Origin"):
            cors = {**cors, "Access-Control-Allow-Methods": "GET", "Access-Control-Max-Age": "3600"}
        return Response.text("", status=204, headers=cors)
    if request.method not in ("GET", "HEAD"):
        return Response.json({"ok": False, "error": "use GET"}, status=405, headers={**cors, "Allow": "GET, HEAD"})
    db = datasette.get_database()
    await _ensure_can_view(datasette, request, db, "recommendations")
    try:
        limit, args = _browse.parse_limit(_parse_qs(request.query_string, keep_blank_values=True))
        filters = _browse.parse_filters(args)
        today = _browse.today_utc()

        token = _STATE.token(db.path)

        def compute(conn):
            _browse.check_known(conn, filters)
            state = _answers.state_fields(token)
            summary = _browse.compute_summary_json(conn, filters, today, limit,
                                                   speakers=_SPEAKERS.setdefault(db.path, {}))
            return _bjson.dumps({**summary, **state}).encode("utf-8"), state

        key = ("summary", db.name, db.path, filters, today, limit)
        (body, state), fresh = await _ANSWERS.get_or_previous(
            key, _summary_token(db, filters, token), lambda: db.execute_fn(_answers.cpu_costed(compute)),
            *_previous_after(datasette))
    except _browse.FilterError as e:
        return Response.json({"ok": False, "error": str(e)}, status=400, headers=cors)
    body = body if fresh else _answers.marked_stale(body)
    return Response(body, content_type="application/json; charset=utf-8",
                    headers={**cors, **_answers.state_headers(state, fresh)})


def _summary_token(db, filters, token):
    """What a summary answer is kept under: without filters, the database's summary generation
    (loader.counts: it changes only when something the summary reads does, so an edit of a
    priority or a note keeps the answer), else the state token."""
    if token is None or filters.active():
        return token
    generation = _STATE.value(db.path, _counts.GENERATION_SQL)
    return token if generation is None else (db.path, "summary generation", generation)


@allow_methods("GET")
async def document_page(request, datasette):
    db = datasette.get_database()
    await _ensure_can_view(datasette, request, db, "documents")
    document_id = request.url_vars["id"]
    try:
        page = _pages.parse_page(request.args.get("page"))
        data = await db.execute_fn(
            lambda conn: _browse.compute_document(conn, document_id, page, request.args.get("rec")))
    except ValueError as e:
        raise _BadRequest(str(e))
    except _browse.PageNotFound as e:
        raise NotFound(str(e))
    if data is None:
        raise NotFound(f"No document {document_id!r}")
    context = {
        **data,
        "can_edit": await tracking.can_edit(datasette, request.actor),
        "can_edit_details": await tracking.can_edit(datasette, request.actor),
        "details_url": datasette.urls.path("/-/rectrack/documents/" + _quote(document_id, safe="") + "/details"),
        "rec_url": lambda rec_id: datasette.urls.path(
            "/-/rectrack/recommendations/" + _quote(rec_id, safe="")),
        "commitment_url": lambda cid: datasette.urls.row(db.name, "commitments", _tilde_encode(cid)),
        "table_url": lambda table: datasette.urls.table(db.name, table),
        "static": lambda path: datasette.urls.path("/rectrack-static/" + path),
        "database": db.name,
    }
    return Response.html(await datasette.render_template("document.html", context, request=request))


@hookimpl(specname="render_cell")
def browse_render_cell(row, value, column, table, database, datasette):
    """documents.title links to the transcript page (a string check per cell, nothing more)."""
    if table != "documents" or column != "title" or value is None:
        return None
    try:
        document_id = row["id"]
    except (KeyError, IndexError):
        return None
    href = datasette.urls.path("/-/rectrack/documents/" + _quote(str(document_id), safe=""))
    return _Markup('<a href="{}" title="Read the transcript">{}</a>').format(href, value)


# ---------------------------------------------------------------- review: add, guess, queue


@allow_methods("POST")
async def create_recommendation(request, datasette):
    """POST JSON ``{"document_id", "char_start", "char_end"}`` or ``{"document_id", "quote"}`` (+ kind,
    actors, theme, strength, note): 201 with the new id. Same auth and CSRF rules as updates."""
    if not await tracking.can_edit(datasette, request.actor):
        return _tr_json_error(403, "permission denied: rectrack-edit is required (sign in or send a bearer token)")
    body, error = await _json_body(request)
    if error is not None:
        return error
    db = datasette.get_database()
    try:
        result = await _tr_write(datasette, db, lambda conn: _review.create_item(conn, body, request.actor))
    except (tracking.InvalidValue, _review.DocumentNotFound, _review.DuplicateItem, DatabaseBusy) as e:
        return _tr_error_response(e)
    rec_id = result["id"]
    return Response.json(
        {"ok": True, "id": rec_id, "recommendation": result["recommendation"], "change": result["change"],
         "url": _tr_rec_path(datasette, rec_id)},
        status=201, headers={"Location": _tr_rec_path(datasette, rec_id)})


@allow_methods("GET")
async def guess_json(request, datasette):
    """GET ``?document_id=&char_start=&char_end=`` (or ``quote=``): the extractor's guesses for that span."""
    db = datasette.get_database()
    try:
        await _ensure_can_view(datasette, request, db, "recommendations")
    except Forbidden as e:
        return _tr_json_error(403, str(e))
    args = {k: v[-1] for k, v in _parse_qs(request.query_string).items()
            if k in ("document_id", "char_start", "char_end", "quote")}
    try:
        guess = await db.execute_fn(lambda conn: _review.guess_for(conn, args))
    except (tracking.InvalidValue, _review.DocumentNotFound) as e:
        return _tr_error_response(e)
    return Response.json({"ok": True, **guess})


@allow_methods("GET")
async def review_page(request, datasette):
    """The review queue: unreviewed items of one document (``?document=``) or of all, least confident first."""
    db = datasette.get_database()
    await _ensure_can_view(datasette, request, db, "recommendations")
    document = (_parse_qs(request.query_string).get("document") or [None])[-1] or None

    def compute(conn):
        if document is not None and conn.execute("SELECT 1 FROM documents WHERE id = ?", (document,)).fetchone() is None:
            return None
        return {
            "items": _review_queue.queue(conn, document),
            "progress": _review_queue.progress(conn, document),
            "recent": _review_queue.reviewed_items(conn, document),
            "documents": _browse._rows(conn, ("SELECT id, coalesce(title, id) AS title FROM documents "
                                               "ORDER BY event_date, id", {})),
        }

    data = await db.execute_fn(compute)
    if data is None:
        raise NotFound(f"No document {document!r}")
    context = {
        **data,
        "document": document,
        "can_edit": await tracking.can_edit(datasette, request.actor),
        "rec_url": lambda rec_id: datasette.urls.path("/-/rectrack/recommendations/" + _quote(rec_id, safe="")),
        "static": lambda path: datasette.urls.path("/rectrack-static/" + path),
        "database": db.name,
    }
    return Response.html(await datasette.render_template("review.html", context, request=request))


# ---------------------------------------------------------------- table JSON, once per database state


_TABLE_JSON = _answers.ResponseCache()
_TABLE_JSON_PATH = _re.compile(r"^/(?P<database>[^/]+)/(?P<table>[^/]+)\.json$")


def _table_json_key(datasette, scope):
    """(database path, cache key) for a GET of a table's JSON, else None."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return None
    m = _TABLE_JSON_PATH.match(scope.get("path", ""))
    db = datasette.databases.get(m.group("database")) if m else None
    if db is None or not db.path or m.group("table").startswith("-"):
        return None
    headers = dict(scope.get("headers") or [])
    # the date too: a canned query may compare with date('now')
    return db.path, (scope["path"], scope.get("query_string", b""), headers.get(b"cookie"),
                     headers.get(b"authorization"), headers.get(b"accept-encoding"), _browse.today_utc())


@hookimpl(specname="asgi_wrapper")
def table_json_once_per_state(datasette):
    """Serve a repeated table JSON request from ``_TABLE_JSON`` while the database is unchanged; every
    table JSON answer lists the facets it did not count in ``facets_timed_out`` (see loader.facet_counts)."""
    def wrap(app):
        async def cached(scope, receive, send):
            found = _table_json_key(datasette, scope)
            if found is None:
                return await app(scope, receive, send)
            path, key = found
            token = _STATE.token(path)  # read before the answer is made: never filed under a newer state
            hit = _TABLE_JSON.get(key, token)
            if hit is not None:
                status, headers, body = hit
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            sent = {"body": []}
            timed_out: list = []  # facets the request did not count (loader.facet_counts.TIMED_OUT)
            reset = _facet_counts.TIMED_OUT.set(timed_out)

            async def capture(message):
                """Hold the response until its body is complete: the body gets ``facets_timed_out``
                (its length corrected) and is kept for the next request of the same state."""
                if message["type"] == "http.response.start":
                    sent["start"] = message
                    return
                if message["type"] != "http.response.body":
                    return await send(message)
                sent["body"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                start = sent["start"]
                body = _facet_counts.add_timed_out(b"".join(sent["body"]), timed_out)
                headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                _TABLE_JSON.put(key, token, start["status"], headers, body)

            try:
                await app(scope, receive, capture)
            finally:
                _facet_counts.TIMED_OUT.reset(reset)

        return cached

    return wrap


# ---------------------------------------------------------------- full-text search from its index


@hookimpl(specname="startup")
def search_from_the_index(datasette):
    """A table search's count read from its full-text index, and its first page walked in sort
    order for common terms, instead of a table lookup per match (see loader.search_sql)."""
    for db in datasette.databases.values():
        _search_sql.install(db, token=functools.partial(_STATE.token, db.path), counts=_SEARCH_COUNTS)


_SEARCH_COUNTS = _search_sql.SearchCounts()


# ---------------------------------------------------------------- facet counts, once per filter and state


_FACET_COUNTS = _facet_counts.FacetCounts(_STATE)
_CachedColumnFacet = _facet_counts.cached_column_facet(_FACET_COUNTS)


@hookimpl(hookwrapper=True, specname="register_facet_classes")
def column_facets_once_per_state():
    """Datasette's column facets counted once per (filter, database state), side by side: the
    next page or another sort of the same rows reuses the counts (see loader.facet_counts)."""
    outcome = yield
    outcome.force_result([[_CachedColumnFacet if klass is _ColumnFacet else klass for klass in classes]
                          for classes in outcome.get_result()])


# ---------------------------------------------------------------- hooks


@hookimpl
def extra_css_urls(datasette):
    """Compact column descriptions on Datasette's own table pages."""
    return [datasette.urls.path("/rectrack-static/tables.css")]


@hookimpl
def register_routes():
    return [
        (r"^/-/rectrack/recommendations/(?P<id>[^/]+)\.json$", recommendation_json),
        (r"^/-/rectrack/recommendations/(?P<id>[^/.]+)$", recommendation_page),
        (r"^/-/rectrack/documents/(?P<id>[^/]+)$", document_page),
        (r"^/-/rectrack/documents/(?P<id>[^/]+)/details$", document_details),
        (r"^/-/rectrack/dashboard$", dashboard),
        (r"^/-/rectrack/summary\.json$", summary_json),
        (r"^/-/rectrack/recommendations$", create_recommendation),
        (r"^/-/rectrack/guess\.json$", guess_json),
        (r"^/-/rectrack/review$", review_page),
    ]


# ---------------------------------------------------------------- bad requests get a 4xx


@hookimpl
def asgi_wrapper(datasette):
    """A request with ``Authorization: Bearer`` is authenticated by its token alone (the signed-in
    cookie is dropped: an invalid token is anonymous, never the cookie's user); an undecodable
    form body is a 400 (see loader.requests.token_alone_and_decodable)."""
    return _requests.token_alone_and_decodable


@hookimpl(specname="handle_exception")
def bad_arguments_are_400(datasette, request, exception):
    """Datasette 0.65.5 answers a bad ``_sort``, ``_sort_desc`` or ``_timelimit`` with a 500;
    they are the client's mistake, so they get the same error page or JSON with status 400."""
    message = None
    if isinstance(exception, _DatasetteError) and _requests.is_bad_argument_message(exception.message):
        message = exception.message
    elif isinstance(exception, ValueError):
        message = _requests.query_arg_problem(request.args)
    if message is None:
        return None
    return _datasette_exceptions.handle_exception(datasette, request, _DatasetteError(message, status=400))


# ---------------------------------------------------------------- labels, links and sign-in


# Datasette columns a person reads under another name (facet titles, table headers); the
# metadata.yml block ``plugins: rectrack: column_labels`` adds to or rewords these.
COLUMN_LABELS = {
    "actor_id": "Actor", "speaker_id": "Speaker", "document_id": "Document", "turn_id": "Turn",
    "recommendation_id": "Recommendation", "due_date": "Due date", "follow_up": "Follow-up",
    "char_start": "Start offset", "char_end": "End offset", "to_status": "New status",
    "from_status": "Old status", "changed_at": "Changed at", "changed_by": "Changed by",
    "updated_at": "Updated at", "updated_by": "Updated by", "actor_text": "Actor as printed",
    "event_date": "Date", "short_title": "Short title", "source_path": "File",
    "actor_group": "Actor group",
}


def _column_label(datasette, name):
    labels = {**COLUMN_LABELS, **((datasette.plugin_config("rectrack") or {}).get("column_labels") or {})}
    return labels.get(name) or _display.humanize(name)


STATUS_COLUMNS = ("status", "from_status", "to_status")


def _value_label(column, value):
    """A status or cue value as a person reads it; any other value unchanged."""
    if column in STATUS_COLUMNS and isinstance(value, str):
        return tracking.STATUS_LABELS.get(value, value)
    if column == "cue" and isinstance(value, str):
        return _display.cue_label(value)
    if column == "document_id" and isinstance(value, str):  # a facet's label: the document's title
        return _display.short_title(value)
    return value


def _rec_url(datasette, rec_id):
    return datasette.urls.path("/-/rectrack/recommendations/" + _urlparse.quote(str(rec_id), safe=""))


def _safe_next(value):
    """A same-site path to return to after sign-in, else None (never another host)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(c.isspace() or ord(c) < 32 for c in value):  # browsers drop tabs: "/\t/evil" is "//evil"
        return None
    return value


@hookimpl(specname="prepare_jinja2_environment")
def labels_jinja_filters(env, datasette):
    env.filters["head_words"] = _display.head_words
    env.filters["tail_words"] = _display.tail_words
    env.filters["cue_label"] = _display.cue_label
    env.filters["short_title"] = _display.short_title
    env.filters["column_label"] = lambda name: _column_label(datasette, name)
    env.filters["value_label"] = lambda column, value: _value_label(column, value)


@hookimpl(specname="extra_template_vars")
def labels_template_vars(template, database, table, columns, request, datasette):
    extra = {}
    if template == "password_login.html":
        accounts = _web.sign_in_accounts(
            {"plugins": {k: datasette.plugin_config(k) or {}
                         for k in ("datasette-auth-passwords", "datasette-auth-tokens")}}, {})
        extra["rectrack_sign_in"] = {
            "users": accounts["users"],
            "commands": [(name, _web.hash_password_command(var)) for name, var in _sign_in_unset(datasette)],
            "next": _safe_next(request.args.get("next")) if request else None,
        }
    if template == "table.html" and table and request is not None:
        extra.update(_table_layout(datasette, database, table, columns or [], request))
    if request is not None:
        here = request.path + (("?" + request.query_string) if request.query_string else "")
        extra["rectrack_login_url"] = datasette.urls.path("/-/login") + "?" + _urlparse.urlencode({"next": here})
    return extra


def _table_layout(datasette, database, table, columns, request):
    """Which columns a table page shows first, from ``plugins: rectrack: table_columns``.

    Without ``_col``/``_nocol`` in the URL a configured table shows its listed columns in that
    order and names the others (``rectrack_more``) with a link showing every column; with them,
    the page shows what was asked for.
    """
    wanted = ((datasette.plugin_config("rectrack") or {}).get("table_columns") or {}).get(table)
    if not wanted or "_col" in request.args or "_nocol" in request.args:
        return {"rectrack_shown": None}
    shown = [c for c in wanted if c in columns]
    more = [c for c in columns if c not in shown]
    args = [(k, v) for k, v in _urlparse.parse_qsl(request.query_string, keep_blank_values=True)
            if k not in ("_col", "_nocol", "_next")]
    pks = set(shown[:1])  # the primary key is always shown; _col lists the others
    all_url = request.path + "?" + _urlparse.urlencode(args + [("_col", c) for c in columns if c not in pks])
    return {"rectrack_shown": shown, "rectrack_more": more, "rectrack_all_columns_url": all_url}


def _sign_in_unset(datasette):
    """(user, env var) for each password hash whose environment variable is empty."""
    raw = ((getattr(datasette, "_metadata_local", None) or {}).get("plugins") or {}).get(
        "datasette-auth-passwords") or {}
    return _web.sign_in_accounts({"plugins": {"datasette-auth-passwords": raw}}, _os.environ)["unset"]


@hookimpl(specname="asgi_wrapper")
def sign_in_returns_to_next(datasette):
    """After a successful sign-in (a redirect from POST /-/login), go to ``?next=`` instead of "/"."""
    login_path = datasette.urls.path("/-/login")

    def wrap(app):
        async def app_with_next(scope, receive, send):
            if scope.get("type") != "http" or scope.get("method") != "POST" or scope.get("path") != login_path:
                return await app(scope, receive, send)
            query = _urlparse.parse_qs((scope.get("query_string") or b"").decode("latin-1"))
            target = _safe_next((query.get("next") or [None])[0])

            async def send_with_next(message):
                if target and message["type"] == "http.response.start" and message["status"] in (301, 302, 303):
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"location"]
                    headers.append((b"location", target.encode("utf-8")))
                    message = {**message, "headers": headers}
                await send(message)

            return await app(scope, receive, send_with_next)

        return app_with_next

    return wrap


def _changes_cell(datasette, value):
    """status_changes.changes (JSON ``{field: [old, new]}``) as "Field: old → new" lines."""
    try:
        changes = _bjson.loads(value)
    except ValueError:
        return None
    if not isinstance(changes, dict):
        return None
    lines = []
    for field, pair in changes.items():
        if not (isinstance(pair, list) and len(pair) == 2):
            return None
        old, new = (_value_label(field, v) if v is not None else "none" for v in pair)
        lines.append(_Markup("{}: {} \u2192 {}").format(_column_label(datasette, field), old, new))
    return _Markup("<br>").join(lines)


_FK_TABLES = {"speaker_id": "speakers", "actor_id": "actors", "turn_id": "turns"}

# Foreign-key columns shown by name where Datasette does not expand them (the row page):
# column -> SQL for (label, link key) by id.
_ID_LABELS = {
    "document_id": "SELECT title AS label FROM documents WHERE id = ?",
    "speaker_id": "SELECT name AS label FROM speakers WHERE id = ?",
    "actor_id": "SELECT name AS label FROM actors WHERE id = ?",
    "turn_id": "SELECT 'Turn ' || seq || coalesce(': ' || label, '') AS label, document_id, seq FROM turns WHERE id = ?",
}


async def _id_link(datasette, database, column, value):
    """An id as the name of what it identifies, linked (the plain id when there is no such row)."""
    row = (await datasette.get_database(database).execute(_ID_LABELS[column], [value])).first()
    if row is None or not row["label"]:
        return None
    db = database
    if column == "document_id":
        href = datasette.urls.path("/-/rectrack/documents/" + _quote(value, safe=""))
        return _Markup('<a href="{}" title="{}">{}</a>').format(href, row["label"], _display.short_title(row["label"]))
    if column == "turn_id":
        href = datasette.urls.path("/-/rectrack/documents/" + _quote(row["document_id"], safe="")) + f"#turn-{row['seq']}"
    else:
        href = datasette.urls.row(db, {"speaker_id": "speakers", "actor_id": "actors"}[column], _tilde_encode(value))
    return _Markup('<a href="{}">{}</a>').format(href, row["label"])


async def _query_rec_link(datasette, database, rec_id, shown):
    """``shown`` linked to recommendation ``rec_id``'s page, when there is such a recommendation."""
    rows = await datasette.get_database(database).execute(
        "SELECT 1 FROM recommendations WHERE id = ?", [str(rec_id)])
    if rows.first() is None:
        return None
    return _Markup('<a href="{}">{}</a>').format(_rec_url(datasette, rec_id), shown)


async def _document_link(datasette, database, document_id):
    """A document id as its short title linked to the transcript (the value itself when unknown)."""
    rows = await datasette.get_database(database).execute(
        "SELECT title FROM documents WHERE id = ?", [str(document_id)])
    row = rows.first()
    if row is None:
        return None
    href = datasette.urls.path("/-/rectrack/documents/" + _quote(str(document_id), safe=""))
    return _Markup('<a href="{}" title="{}">{}</a>').format(
        href, row["title"] or "", _display.short_title(row["title"]) or document_id)


@hookimpl(specname="render_cell")
def links_render_cell(row, value, column, table, database, datasette):
    """Every listed recommendation links to its rectrack page; documents show their title.

    Table and row pages of recommendations: ``id`` and ``text``; any table's
    ``recommendation_id``; queries (no table): ``id``/``recommendation_id`` and the text beside
    them when they name a recommendation, and ``document_id`` as the document's linked title.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dict):  # an expanded foreign key: {"value", "label"}
        if column == "document_id":
            href = datasette.urls.path("/-/rectrack/documents/" + _quote(str(value["value"]), safe=""))
            label = value.get("label") or ""
            return _Markup('<a href="{}" title="{}">{}</a>').format(
                href, label, _display.short_title(label) or value["value"])
        if column == "recommendation_id":
            label = value.get("label") or value["value"]
            return _Markup('<a href="{}">{}</a>').format(_rec_url(datasette, value["value"]), _display.head_words(label, 120)
                                                         + ("…" if len(label) > 120 else ""))
        if column in _FK_TABLES and value.get("label"):  # the name alone, without the raw id beside it
            href = datasette.urls.row(database, _FK_TABLES[column], _tilde_encode(str(value["value"])))
            return _Markup('<a href="{}">{}</a>').format(href, value["label"])
        return None
    if table in ("recommendations", "commitments", "status_changes") and (column in STATUS_COLUMNS or column == "cue"):
        return _Markup('<span title="{}">{}</span>').format(value, _value_label(column, value))
    if table == "status_changes" and column == "changes" and isinstance(value, str):
        return _changes_cell(datasette, value)
    if table == "recommendations" and column in ("id", "text"):
        return _Markup('<a href="{}">{}</a>').format(_rec_url(datasette, row["id"]), value)
    if table is not None and table != "recommendations" and column == "recommendation_id":
        return _Markup('<a href="{}">{}</a>').format(_rec_url(datasette, value), value)
    if table is not None and column in _ID_LABELS and isinstance(value, str):  # an unexpanded foreign key
        return _id_link(datasette, database, column, value)
    if table is None:  # a query (canned or typed): ids the database knows become links
        keys = row.keys() if hasattr(row, "keys") else []
        if column in ("id", "recommendation_id"):
            return _query_rec_link(datasette, database, value, value)
        if column in ("text", "recommendation"):
            for key in ("id", "recommendation_id"):
                if key in keys and row[key]:
                    return _query_rec_link(datasette, database, row[key], value)
        if column == "document_id":
            return _document_link(datasette, database, value)
        if column in STATUS_COLUMNS:
            return _value_label(column, value)
    return None


# ---------------------------------------------------------------- document title and date


@allow_methods("POST")
async def document_details(request, datasette):
    """POST (form, cookie + CSRF): set a document's title and date; back to the document page."""
    db = datasette.get_database()
    document_id = request.url_vars["id"]
    here = datasette.urls.path("/-/rectrack/documents/" + _quote(document_id, safe=""))
    if not await tracking.can_edit(datasette, request.actor):
        raise Forbidden("You do not have permission to edit documents")
    form, refused = await _form_body(request, datasette, here)
    if refused is not None:
        return refused
    try:
        result = await db.execute_write_fn(
            lambda conn: _documents.set_document_details(
                conn, document_id, form.get("title"), form.get("event_date"), request.actor), block=True)
    except _documents.DocumentNotFound as e:
        raise NotFound(str(e))
    except _documents.ValidationError as e:
        datasette.add_message(request, f"Not saved: {e}", datasette.ERROR)
        return Response.redirect(here)
    datasette.add_message(request, "Saved: title and date." if result["changed"] else "Nothing changed.",
                          datasette.INFO)
    return Response.redirect(here)


@hookimpl(specname="menu_links")
def sign_in_menu_link(datasette, actor, request):
    """A "Sign in" entry in the navigation menu that comes back to the current page."""
    if actor or request is None or request.path == datasette.urls.path("/-/login"):
        return None
    here = request.path + (("?" + request.query_string) if request.query_string else "")
    return [{"href": datasette.urls.path("/-/login") + "?" + _urlparse.urlencode({"next": here}),
             "label": "Sign in"}]
