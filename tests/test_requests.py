"""loader.requests: body limits, JSON depth, text validity, methods, query arguments, auth headers."""
import asyncio

import pytest

from loader import requests as rq


@pytest.mark.parametrize("raw, depth", [
    (b'{"a": 1}', 1),
    (b'[[[]]]', 3),
    (b'{"a": "[[[[{{{{"}', 1),  # brackets inside strings do not count
    (b'{"a": "\\"[[["}', 1),  # nor after an escaped quote
    (b'"plain"', 0),
    (b"[" * 100_000 + b"]" * 100_000, 100_000),
], ids=["object", "arrays", "string", "escaped-quote", "scalar", "100k-deep"])
def test_json_depth(raw, depth):
    assert rq.json_depth(raw) == depth


@pytest.mark.parametrize("raw, message", [
    (b"[" * 60_000 + b"]" * 4000, "nested too deeply"),
    (b'{"a": ' * 33 + b"1" + b"}" * 33, "nested too deeply"),
    (b'{"owner": "' + b"x" * (64 * 1024) + b'"}', "too large"),
    (b"{\xff}", "not UTF-8"),
    (b"{nope", "not valid JSON"),
], ids=["60k-deep", "33-deep", "too-large", "not-utf8", "not-json"])
def test_parse_json_body_refuses(raw, message):
    with pytest.raises(rq.BadBody) as e:
        rq.parse_json_body(raw)
    assert str(e.value).startswith("body: ") and message in str(e.value)


def test_parse_json_body_accepts():
    assert rq.parse_json_body(b'{"status": "accepted", "version": 1}') == {"status": "accepted", "version": 1}
    assert rq.parse_json_body(b"") is None
    assert rq.parse_json_body(b'{"a": ' * 32 + b"1" + b"}" * 32) is not None


def test_read_body_stops_at_the_limit():
    chunks = [{"type": "http.request", "body": b"x" * 1000, "more_body": True} for _ in range(100)]
    received = []

    async def receive():
        received.append(1)
        return chunks.pop(0)

    with pytest.raises(rq.BadBody, match="too large"):
        asyncio.run(rq.read_body(receive, None, max_bytes=5000))
    assert len(received) == 6  # stopped reading, did not buffer all 100 KB
    with pytest.raises(rq.BadBody, match="100000 bytes"):
        asyncio.run(rq.read_body(receive, "100000", max_bytes=5000))


def test_parse_form_body():
    assert rq.parse_form_body(b"owner=D%C3%A9si&note=") == {"owner": "D\u00e9si", "note": ""}
    with pytest.raises(rq.BadBody, match="not UTF-8"):
        rq.parse_form_body(b"owner=\xff")


@pytest.mark.parametrize("value, ok", [("plain", True), ("\u674e \u660e", True), ("\ud800", False),
                                       ("\udcff", False), ("", True)])
def test_is_valid_text(value, ok):
    assert rq.is_valid_text(value) is ok


@pytest.mark.parametrize("value, shown", [("plain", "plain"), ("a\udcffb", "a\ufffdb"), ("x\ud800", "x\ufffd"),
                                          ("caf\udcc3\udca9", "caf\u00e9")])
def test_printable(value, shown):
    assert rq.printable(value) == shown


def test_check_text_names_the_option():
    rq.check_text("--owner", None)
    with pytest.raises(rq.BadText, match="^--owner: not valid text"):
        rq.check_text("--owner", b"\xff".decode("utf-8", "surrogateescape"))


@pytest.mark.parametrize("method, allowed, answer", [
    ("GET", ("GET",), None),
    ("HEAD", ("GET",), None),
    ("post", ("GET", "POST"), None),
    ("PUT", ("GET", "POST"), "GET, POST, HEAD"),
    ("DELETE", ("GET",), "GET, HEAD"),
    ("PATCH", ("GET", "OPTIONS"), "GET, OPTIONS, HEAD"),
])
def test_method_not_allowed(method, allowed, answer):
    problem = rq.method_not_allowed(method, allowed)
    assert (problem and problem["allow"]) == answer
    if problem:
        assert method.upper() in problem["error"]


@pytest.mark.parametrize("args, problem", [
    ({"_sort": "id"}, None),
    ({"_sort": "id", "_sort_desc": "id"}, "Cannot use _sort and _sort_desc"),
    ({"_timelimit": "100"}, None),
    ({"_timelimit": "x"}, "_timelimit"),
    ({"_timelimit": ""}, "_timelimit"),
])
def test_query_arg_problem(args, problem):
    found = rq.query_arg_problem(args)
    assert (found is None) if problem is None else (problem in found)


def test_bad_argument_messages():
    assert rq.is_bad_argument_message("Cannot sort table by id;DROP TABLE x")
    assert not rq.is_bad_argument_message("no such table: x")
    assert not rq.is_bad_argument_message(None)


@pytest.mark.parametrize("headers, cookie", [
    ([(b"cookie", b"ds_actor=abc; ds_csrftoken=t")], b"ds_actor=abc; ds_csrftoken=t"),  # no token: untouched
    ([(b"authorization", b"Bearer x"), (b"cookie", b"ds_actor=abc; ds_csrftoken=t")], b"ds_csrftoken=t"),
    ([(b"Authorization", b"Bearer x"), (b"cookie", b"ds_csrftoken=t;ds_actor=abc")], b"ds_csrftoken=t"),
    ([(b"authorization", b"Bearer x"), (b"cookie", b"ds_actor=abc")], None),
    ([(b"authorization", b"Basic eA=="), (b"cookie", b"ds_actor=abc")], b"ds_actor=abc"),
])
def test_without_actor_cookie(headers, cookie):
    out = dict((k.lower(), v) for k, v in rq.without_actor_cookie(headers))
    assert out.get(b"cookie") == cookie
