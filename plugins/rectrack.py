"""rectrack's Datasette plugin: hooks, the route list and thin views.

Logic lives in the ``loader`` package (tracking rules, SQL builders); the views here parse
the request, call it, and render.
"""
from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

# ---------------------------------------------------------------- tracking (issue 4)


import json as _json
import os as _os
import sqlite3 as _sqlite3
import urllib.parse as _urlparse

from datasette.utils import tilde_encode as _tilde_encode
from datasette.utils.asgi import Forbidden

from loader import tracking

EDIT_ACTION = "rectrack-edit"


def _tr_rec_path(datasette, rec_id, format=None):
    path = "/-/rectrack/recommendations/" + _urlparse.quote(rec_id, safe="")
    return datasette.urls.path(path + (".json" if format == "json" else ""))


def _tr_json_error(status, message, **extra):
    return Response.json({"ok": False, "error": message, **extra}, status=status)


def _tr_error_response(e):
    """A tracking exception as the JSON error response it stands for."""
    if isinstance(e, tracking.StaleVersion):
        return _tr_json_error(409, str(e), current_version=e.current_version)
    if isinstance(e, tracking.RecommendationNotFound):
        return _tr_json_error(404, str(e))
    extra = {"field": e.field}
    if getattr(e, "allowed", None) is not None:
        extra["allowed"] = e.allowed
    return _tr_json_error(400, str(e), **extra)


async def _tr_ensure_can_view(datasette, request, db):
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (db.name, "recommendations")), ("view-database", db.name), "view-instance"],
    )


async def _tr_read(db, rec_id, context=False):
    def fn(conn):
        data = tracking.get_recommendation(conn, rec_id)
        if context:
            data["context"] = tracking.get_context(conn, data["recommendation"])
        return data

    return await db.execute_fn(fn)


# A write that finds the database locked (a long reload elsewhere) is answered 503 with this
# Retry-After, never a 500. ``write_busy_timeout_ms`` in the plugin config: how long a write waits
# for the lock first (SQLite's busy timeout on the write connection; unset: Datasette's 5 s).
RETRY_AFTER_SECONDS = 2


def _tr_is_busy(e):
    return isinstance(e, _sqlite3.OperationalError) and ("locked" in str(e) or "busy" in str(e))


def _tr_busy_response():
    return Response.json(
        {"ok": False, "error": "database is busy (a load may be running); nothing was written, try again shortly",
         "retry_after": RETRY_AFTER_SECONDS},
        status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _tr_update(datasette, db, rec_id, changes, version, actor):
    busy_ms = (datasette.plugin_config("rectrack") or {}).get("write_busy_timeout_ms")

    def fn(conn):
        if busy_ms is not None:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        return tracking.update_recommendation(conn, rec_id, changes, version, actor)

    return await db.execute_write_fn(fn, block=True)


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
    document = context["document"] or {"id": rec["document_id"], "title": rec["document_id"]}
    return Response.html(
        await datasette.render_template(
            "recommendation.html",
            {
                **data,
                **context,
                "rec": rec,
                "database_name": db.name,
                "can_edit": allowed,
                "statuses": tracking.STATUSES,
                "status_labels": tracking.STATUS_LABELS,
                "next_statuses": [rec["status"], *tracking.allowed_next(rec["status"])],
                "priorities": tracking.PRIORITIES,
                "hidden": rec["status"] in tracking.HIDDEN_STATUSES,
                "document": document,
                "document_url": datasette.urls.path(
                    "/-/rectrack/documents/" + _urlparse.quote(rec["document_id"], safe="")
                ),
                "row_url": datasette.urls.row(db.name, "recommendations", _tilde_encode(rec_id)),
                "json_url": _tr_rec_path(datasette, rec_id, "json"),
                "post_url": _tr_rec_path(datasette, rec_id),
            },
            request=request,
        )
    )


async def _tr_post_form(request, datasette, db, rec_id):
    if not await tracking.can_edit(datasette, request.actor):
        raise Forbidden("You do not have permission to edit recommendations")
    form = await request.post_vars()
    changes = {key: form[key] for key in tracking.UPDATE_KEYS if key in form}
    here = _tr_rec_path(datasette, rec_id)
    try:
        result = await _tr_update(datasette, db, rec_id, changes, form.get("version"), request.actor)
    except _sqlite3.OperationalError as e:
        if not _tr_is_busy(e):
            raise
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


async def _tr_post_json(request, datasette, db, rec_id):
    if not await tracking.can_edit(datasette, request.actor):
        return _tr_json_error(403, "permission denied: rectrack-edit is required (sign in or send a bearer token)")
    try:
        body = _json.loads((await request.post_body()) or b"null")
    except ValueError as e:
        return _tr_json_error(400, f"body: not valid JSON ({e})", field="body")
    if not isinstance(body, dict):
        return _tr_json_error(400, "body: expected a JSON object", field="body")
    changes = {k: v for k, v in body.items() if k != "version"}
    try:
        result = await _tr_update(datasette, db, rec_id, changes, body.get("version"), request.actor)
    except (tracking.InvalidValue, tracking.RecommendationNotFound, tracking.StaleVersion) as e:
        return _tr_error_response(e)
    except _sqlite3.OperationalError as e:
        if not _tr_is_busy(e):
            raise
        return _tr_busy_response()
    return Response.json(
        {"ok": True, "changed": result["changed"], "recommendation": result["recommendation"],
         "change": result["change"]}
    )


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
        data = await _tr_read(db, rec_id)
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

import json as _bjson
from urllib.parse import parse_qs as _parse_qs, quote as _quote

from datasette.utils import tilde_encode as _btilde_encode
from datasette.utils.asgi import BadRequest as _BadRequest

from markupsafe import Markup as _Markup

from loader import browse as _browse


# summary.json answers between writes (see loader.browse.ResultCache).
_RESULTS = _browse.ResultCache()


def _browse_filters(request):
    return _browse.parse_filters(_parse_qs(request.query_string, keep_blank_values=True))


async def _ensure_can_view(datasette, request, db, table):
    await datasette.ensure_permissions(
        request.actor, [("view-table", (db.name, table)), ("view-database", db.name), "view-instance"]
    )


def _script_json(value):
    """JSON safe inside <script type="application/json">."""
    return (_bjson.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


async def dashboard(request, datasette):
    db = datasette.get_database()
    await _ensure_can_view(datasette, request, db, "recommendations")
    try:
        filters = _browse_filters(request)

        def compute(conn):
            _browse.check_known(conn, filters)
            return _browse.compute_dashboard(
                conn, filters,
                table_url=datasette.urls.table(db.name, "recommendations"),
                changes_url=datasette.urls.table(db.name, "status_changes"),
            )

        data = await db.execute_fn(compute)
    except _browse.FilterError as e:
        raise _BadRequest(str(e))
    specs = _browse.chart_specs(data["charts"], data["shown"])
    context = {
        **data,
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
    return Response.html(await datasette.render_template("dashboard.html", context, request=request))


async def summary_json(request, datasette):
    config = datasette.plugin_config("rectrack") or {}
    cors = _browse.cors_headers(request.headers.get("origin"), config.get("cors_origins"))
    if request.method == "OPTIONS":
        if cors.get("Access-Control-Allow-Origin"):
            cors = {**cors, "Access-Control-Allow-Methods": "GET", "Access-Control-Max-Age": "3600"}
        return Response.text("", status=204, headers=cors)
    if request.method != "GET":
        return Response.json({"ok": False, "error": "use GET"}, status=405, headers={**cors, "Allow": "GET"})
    db = datasette.get_database()
    await _ensure_can_view(datasette, request, db, "recommendations")
    try:
        filters = _browse_filters(request)

        today = _browse.today_utc()

        def compute(conn):
            _browse.check_known(conn, filters)
            return _browse.compute_summary(conn, filters, today)

        key, fingerprint = ("summary", filters, today), _browse.file_fingerprint(db.path)
        summary = _RESULTS.get(key, fingerprint)
        if summary is None:
            summary = await db.execute_fn(compute)
            _RESULTS.put(key, fingerprint, summary)
    except _browse.FilterError as e:
        return Response.json({"ok": False, "error": str(e)}, status=400, headers=cors)
    return Response.json(summary, headers=cors)


async def document_page(request, datasette):
    db = datasette.get_database()
    await _ensure_can_view(datasette, request, db, "documents")
    document_id = request.url_vars["id"]
    data = await db.execute_fn(lambda conn: _browse.compute_document(conn, document_id))
    if data is None:
        raise NotFound(f"No document {document_id!r}")
    context = {
        **data,
        "rec_url": lambda rec_id: datasette.urls.path(
            "/-/rectrack/recommendations/" + _quote(rec_id, safe="")),
        "commitment_url": lambda cid: datasette.urls.row(db.name, "commitments", _btilde_encode(cid)),
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
        (r"^/-/rectrack/dashboard$", dashboard),
        (r"^/-/rectrack/summary\.json$", summary_json),
    ]
