"""JSON turns: ``[{"speaker", "text", "start_time"?, "end_time"?}, ...]`` or
``{"title", "date", "venue", "turns": [...]}``. A wrong shape names the path of the bad element."""
from __future__ import annotations

import json

from ..errors import ReadError
from ..model import Source
from ..turns import parse_date
from .render import Piece, Said, render

META_KEYS = ("title", "date", "venue")


def _time(value, where: str, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ReadError(f"{name}: {where}: expected a number of seconds >= 0")
    return float(value)


def _text(item: dict, key: str, where: str, name: str) -> str:
    if key not in item:
        raise ReadError(f"{name}: {where}.{key}: missing")
    value = item[key]
    if not isinstance(value, str):
        raise ReadError(f"{name}: {where}.{key}: expected a string, got {type(value).__name__}")
    if not value.strip():
        raise ReadError(f"{name}: {where}.{key}: empty")
    return value


def parse_turns(data, name: str) -> tuple[dict, list[Said]]:
    """(meta, turns) from decoded JSON. Raises :class:`ReadError` naming the path of a bad element."""
    meta = {}
    prefix = ""
    if isinstance(data, dict):
        if "turns" not in data:
            raise ReadError(f"{name}: turns: missing (expected a list of {{\"speaker\", \"text\"}} objects)")
        for key in META_KEYS:
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                raise ReadError(f"{name}: {key}: expected a string, got {type(value).__name__}")
            if value and value.strip():
                meta[key] = " ".join(value.split())
        data, prefix = data["turns"], "turns"
    if not isinstance(data, list):
        raise ReadError(f"{name}: {prefix or '(top level)'}: expected a list of turns, got {type(data).__name__}")
    if not data:
        raise ReadError(f"{name}: {prefix or '(top level)'}: no turns")
    turns = []
    for i, item in enumerate(data):
        where = f"{prefix}[{i}]"
        if not isinstance(item, dict):
            raise ReadError(f"{name}: {where}: expected an object, got {type(item).__name__}")
        speaker = " ".join(_text(item, "speaker", where, name).split())
        text = "\n".join(line.strip() for line in _text(item, "text", where, name).strip().splitlines())
        start = _time(item.get("start_time"), f"{where}.start_time", name)
        end = _time(item.get("end_time"), f"{where}.end_time", name)
        if start is not None and end is not None and end < start:
            raise ReadError(f"{name}: {where}.end_time: before start_time")
        turns.append(Said(speaker, [Piece(text, start, end)]))
    return meta, turns


def read_json(data: bytes, name: str, text: str) -> Source:
    """``text`` is ``data`` decoded. Raises :class:`ReadError` for invalid JSON or a wrong shape."""
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as e:
        raise ReadError(f"{name}: not valid JSON at line {e.lineno} column {e.colno} ({e.msg})") from None
    meta, turns = parse_turns(parsed, name)
    if "date" in meta:
        iso = parse_date(meta["date"])
        if iso is None:
            raise ReadError(f"{name}: date: not a date ({meta['date']!r}; use YYYY-MM-DD)")
        meta["event_date"] = iso
    header = [meta.get("title", ""), meta.get("date", ""), meta.get("venue", "")]
    rendered, source_turns, locations = render(header, turns)
    out_meta = {"title": meta.get("title"), "event_date": meta.get("event_date"), "venue": meta.get("venue")}
    return Source(text=rendered, source_path=name, sha256="", document_id="", format="json",
                  locations=locations, turns=source_turns, meta={k: v for k, v in out_meta.items() if v})
