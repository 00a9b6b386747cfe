"""rectrack's Datasette plugin: hooks, the route list and thin views.

Logic lives in the ``loader`` package (tracking rules, SQL builders); the views here parse
the request, call it, and render.
"""
from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

# ---------------------------------------------------------------- tracking (issue 4)


import json as _json
import os as _os
import urllib.parse as _urlparse

from datasette.utils import tilde_encode as _tilde_encode
from datasette.utils.asgi import Forbidden

from loader import tracking

EDIT_ACTION = "rectrack-edit"


def _rec_path(datasette, rec_id, format=None):
    path = "/-/rectrack/recommendations/" + _urlparse.quote(rec_id, safe="")
    return datasette.urls.path(path + (".json" if format == "json" else ""))


def _json_error(status, message, **extra):
    return Response.json({"ok": False, "error": message, **extra}, status=status)


def _error_response(e):
    """A tracking exception as the JSON error response it stands for."""
    if isinstance(e, tracking.StaleVersion):
        return _json_error(409, str(e), current_version=e.current_version)
    if isinstance(e, tracking.RecommendationNotFound):
        return _json_error(404, str(e))
    extra = {"field": e.field}
    if getattr(e, "allowed", None) is not None:
        extra["allowed"] = e.allowed
    return _json_error(400, str(e), **extra)


async def _ensure_can_view(datasette, request, db):
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (db.name, "recommendations")), ("view-database", db.name), "view-instance"],
    )


async def _read(db, rec_id, context=False):
    def fn(conn):
        data = tracking.get_recommendation(conn, rec_id)
        if context:
            data["context"] = tracking.get_context(conn, data["recommendation"])
        return data

    return await db.execute_fn(fn)


async def _update(db, rec_id, changes, version, actor):
    return await db.execute_write_fn(
        lambda conn: tracking.update_recommendation(conn, rec_id, changes, version, actor), block=True
    )


async def recommendation_page(request, datasette):
    """GET: the recommendation in context, its history and commitments, and the edit form.
    POST: a form (cookie + CSRF; redirect with a flash message) or JSON (bearer token)."""
    db = datasette.get_database()
    rec_id = request.url_vars["id"]
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            return await _post_form(request, datasette, db, rec_id)
        return await _post_json(request, datasette, db, rec_id)
    await _ensure_can_view(datasette, request, db)
    try:
        data = await _read(db, rec_id, context=True)
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
                "json_url": _rec_path(datasette, rec_id, "json"),
                "post_url": _rec_path(datasette, rec_id),
            },
            request=request,
        )
    )


async def _post_form(request, datasette, db, rec_id):
    if not await tracking.can_edit(datasette, request.actor):
        raise Forbidden("You do not have permission to edit recommendations")
    form = await request.post_vars()
    changes = {key: form[key] for key in tracking.UPDATE_KEYS if key in form}
    here = _rec_path(datasette, rec_id)
    try:
        result = await _update(db, rec_id, changes, form.get("version"), request.actor)
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
        datasette.add_message(request, _saved_message(result["change"]), datasette.INFO)
    return Response.redirect(here)


def _saved_message(change):
    label = tracking.STATUS_LABELS
    parts = []
    if change["from_status"] != change["to_status"]:
        parts.append(f"status {label[change['from_status']]} \u2192 {label[change['to_status']]}")
    parts += [field.replace("_", " ") for field in change["changes"] if field != "status"]
    if change["note"] and not parts:
        parts.append("note added")
    return "Saved: " + ", ".join(parts) + "."


async def _post_json(request, datasette, db, rec_id):
    if not await tracking.can_edit(datasette, request.actor):
        return _json_error(403, "permission denied: rectrack-edit is required (sign in or send a bearer token)")
    try:
        body = _json.loads((await request.post_body()) or b"null")
    except ValueError as e:
        return _json_error(400, f"body: not valid JSON ({e})", field="body")
    if not isinstance(body, dict):
        return _json_error(400, "body: expected a JSON object", field="body")
    changes = {k: v for k, v in body.items() if k != "version"}
    try:
        result = await _update(db, rec_id, changes, body.get("version"), request.actor)
    except (tracking.InvalidValue, tracking.RecommendationNotFound, tracking.StaleVersion) as e:
        return _error_response(e)
    return Response.json(
        {"ok": True, "changed": result["changed"], "recommendation": result["recommendation"],
         "change": result["change"]}
    )


async def recommendation_json(request, datasette):
    """GET: ``{"ok": true, "recommendation", "history", "commitments"}``; POST as on the page."""
    db = datasette.get_database()
    rec_id = request.url_vars["id"]
    if request.method == "POST":
        return await _post_json(request, datasette, db, rec_id)
    try:
        await _ensure_can_view(datasette, request, db)
    except Forbidden as e:
        return _json_error(403, str(e))
    try:
        data = await _read(db, rec_id)
    except tracking.RecommendationNotFound as e:
        return _error_response(e)
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


async def dashboard(request, datasette):
    raise NotFound("Not implemented yet")


async def summary_json(request, datasette):
    raise NotFound("Not implemented yet")


async def document_page(request, datasette):
    raise NotFound("Not implemented yet")


# ---------------------------------------------------------------- hooks


@hookimpl
def register_routes():
    return [
        (r"^/-/rectrack/recommendations/(?P<id>[^/]+)\.json$", recommendation_json),
        (r"^/-/rectrack/recommendations/(?P<id>[^/.]+)$", recommendation_page),
        (r"^/-/rectrack/documents/(?P<id>[^/]+)$", document_page),
        (r"^/-/rectrack/dashboard$", dashboard),
        (r"^/-/rectrack/summary\.json$", summary_json),
    ]
