"""Checks on what clients send: request bodies, methods, query arguments, headers and text.

Pure functions (plus one that reads an ASGI body), so the plugin's views and the CLI stay thin
and every rule here has a direct test (tests/test_requests.py).
"""
from __future__ import annotations

import itertools
import json
import re

from .errors import RectrackError

MAX_BODY_BYTES = 64 * 1024  # an update is a few short fields; 64 KiB is generous
MAX_JSON_DEPTH = 32  # an update is one flat object

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class BadBody(RectrackError):
    """A request body that is too large, too deep, not UTF-8 or not valid JSON (answered 400)."""

    field = "body"

    def __init__(self, message):
        super().__init__(f"body: {message}")


class BadText(RectrackError):
    """A CLI argument that is not valid Unicode text."""

    def __init__(self, name):
        self.field = name
        super().__init__(f"{name}: not valid text (undecodable bytes or a lone surrogate; use UTF-8)")


def is_valid_text(value: str) -> bool:
    """False for a string SQLite cannot store as UTF-8: a lone surrogate, from JSON's
    ``"\\ud800"`` or from undecodable command-line bytes (Python's surrogateescape)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(value: str) -> str:
    """``value`` with undecodable bytes (surrogate escapes, as in a non-UTF-8 file name) shown as
    U+FFFD, so it can be stored and printed."""
    if is_valid_text(value):
        return value
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)


def check_text(name: str, value: str | None) -> None:
    """Raise BadText when ``value`` (a CLI argument or option) is not valid Unicode text."""
    if value is not None and not is_valid_text(value):
        raise BadText(name)


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in ``raw`` JSON (brackets inside strings ignored)."""
    outside_strings = _JSON_STRING.sub(b'""', raw)
    steps = (_DEPTH_STEP[m.group()[0]] for m in _BRACKET.finditer(outside_strings))
    return max(itertools.accumulate(steps, initial=0))


def parse_json_body(raw: bytes, max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_JSON_DEPTH):
    """The JSON value in ``raw`` (an empty body is None).

    Raises BadBody naming the problem: larger than ``max_bytes``, nested deeper than
    ``max_depth``, not UTF-8 or not JSON.
    """
    if len(raw) > max_bytes:
        raise BadBody(f"too large ({len(raw)} bytes; at most {max_bytes})")
    if not raw.strip():
        return None
    # nesting needs an opening bracket per level: a body with few cannot be too deep
    if raw.count(b"[") + raw.count(b"{") > max_depth and json_depth(raw) > max_depth:
        raise BadBody(f"JSON nested too deeply (at most {max_depth} levels)")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise BadBody("not UTF-8") from None
    except ValueError as e:
        raise BadBody(f"not valid JSON ({e})") from None


async def read_body(receive, content_length: str | None = None, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """Read an ASGI request body, stopping as soon as it is larger than ``max_bytes``.

    Raises BadBody (a declared Content-Length is checked before reading anything).
    """
    if content_length and content_length.strip().isdigit() and int(content_length) > max_bytes:
        raise BadBody(f"too large ({int(content_length)} bytes; at most {max_bytes})")
    body = b""
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if len(body) > max_bytes:
            raise BadBody(f"too large (more than {max_bytes} bytes)")
        more = message.get("more_body", False)
    return body


def parse_form_body(raw: bytes) -> dict:
    """A form-encoded body as a dict (last value wins). Raises BadBody when it is not UTF-8."""
    from urllib.parse import parse_qsl

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("form data is not UTF-8") from None
    return dict(parse_qsl(text, keep_blank_values=True))


# ---------------------------------------------------------------- methods


def method_not_allowed(method: str, allowed: tuple[str, ...]) -> dict | None:
    """None when ``method`` is allowed, else ``{"error", "allow"}`` for a 405 answer.

    HEAD is allowed wherever GET is.
    """
    allowed = tuple(allowed) + (("HEAD",) if "GET" in allowed and "HEAD" not in allowed else ())
    if method.upper() in allowed:
        return None
    return {"error": f"method {method.upper()} not allowed; use {', '.join(allowed)}", "allow": ", ".join(allowed)}


# ---------------------------------------------------------------- query arguments


def query_arg_problem(args) -> str | None:
    """Why Datasette's table arguments in ``args`` (a mapping) are malformed, or None.

    Only what Datasette 0.65.5 turns into a 500 instead of a 400: two sort orders at once, an
    empty or non-integer ``_timelimit``. Unknown sort columns are Datasette's own check.
    """
    if args.get("_sort") and args.get("_sort_desc"):
        return "Cannot use _sort and _sort_desc at the same time"
    timelimit = args.get("_timelimit")
    if timelimit is not None and not timelimit.strip().isdigit():
        return f"_timelimit: {timelimit!r} is not a whole number of milliseconds"
    return None


# Datasette 0.65.5 raises DatasetteError (status 500) with these messages for bad arguments.
_BAD_ARGUMENT_MESSAGES = re.compile(r"^(Cannot sort table by |Cannot use _sort and _sort_desc at the same time)")


def is_bad_argument_message(message) -> bool:
    """True for the messages of Datasette errors caused by the client's query arguments."""
    return isinstance(message, str) and bool(_BAD_ARGUMENT_MESSAGES.match(message))


# ---------------------------------------------------------------- who is asking


def without_actor_cookie(headers: list[tuple[bytes, bytes]], cookie_name: bytes = b"ds_actor") -> list:
    """ASGI ``headers`` with the signed-in cookie removed when an ``Authorization: Bearer`` header
    is present: a request that carries a token is authenticated by that token alone, so an invalid
    token is anonymous (403 on writes), never the cookie's user. Other cookies are kept.
    """
    if not any(k.lower() == b"authorization" and v.startswith(b"Bearer ") for k, v in headers):
        return headers
    out = []
    for key, value in headers:
        if key.lower() == b"cookie":
            kept = [c for c in value.split(b";") if c.strip().split(b"=", 1)[0] != cookie_name]
            if not kept:
                continue
            value = b";".join(kept).strip()
        out.append((key, value))
    return out


# ---------------------------------------------------------------- ASGI middleware


def token_alone_and_decodable(app):
    """ASGI middleware: ``without_actor_cookie`` on every HTTP request, and a 400 instead of a
    500 when the middleware under it (asgi_csrf parses every form body it checks as UTF-8)
    fails to decode the request before any response has started."""

    async def middleware(scope, receive, send):
        if scope.get("type") != "http":
            return await app(scope, receive, send)
        headers = scope.get("headers") or []
        stripped = without_actor_cookie(headers)
        if stripped is not headers:
            scope = dict(scope, headers=stripped)
        started = False

        async def tracking_send(message):
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, tracking_send)
        except UnicodeDecodeError:
            if started:
                raise
            await _send_json(send, 400, {"ok": False, "error": "body: form data is not UTF-8"})

    return middleware


async def _send_json(send, status, data):
    body = json.dumps(data).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
