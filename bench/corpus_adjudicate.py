"""Adjudicate two annotators' files for the corpus (``tests/fixtures/corpus``) into gold.

Run with ``.venv/bin/python bench/corpus_adjudicate.py`` once ``annotations/A/<stem>.json`` and
``annotations/B/<stem>.json`` exist (the output format of ``ANNOTATION.md``: a JSON list of items
with ``quote``, ``kind``, ``confidence``, ``speaker``, ``actor``, ``actors_all``, ``actor_text``,
``strength``, ``signal``). For each transcript in ``dev/`` and ``test/`` it

1. locates every quote in the transcript: exactly (items are in transcript order, so a repeated
   quote is taken at its first occurrence at or after the previous item, and after the previous
   item of the same kind: one sentence may be both a recommendation and a commitment), else by a
   whitespace-insensitive search when that finds exactly one place (repaired, reported), else the
   item is dropped and reported;
2. matches A's items to B's, separately for recommendations and commitments, with the scorer's
   rule (``loader.evaluate.match_spans``: overlap >= half of the shorter span, one-to-one, largest
   overlaps first) and reports agreement per file: F1 of one against the other over all items, over
   the items both marked clear, and actor agreement on clear pairs;
3. writes gold in the format of ``tests/fixtures/blind2_gold`` to ``gold/``:
   ``<stem>_recommendations.json``, ``<stem>_commitments.json``, ``<stem>_coverage.json`` (the whole
   file). An item is ``clear`` when both annotators found it and both marked it clear, ``borderline``
   when only one found it or one marked it borderline (commitments carry the same ``confidence``
   field). The quote, speaker, actor, strength and signal are annotator A's; a differing actor (or
   signal) on a clear item is recorded in ``note`` and in ``gold/adjudication.json``. A quote that
   occurs more than once in the file is widened word by word (within its paragraph) until it is
   unique; items of the same kind that still overlap are merged into one (clear only if all were).

``gold/adjudication.json`` holds the per-file agreement figures and every repair, drop, merge and
disagreement; the table printed is the one to quote in the corpus README.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loader.evaluate import match_spans  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
KINDS = ("recommendation", "commitment")
STRENGTHS = ("must", "should", "could")
SIGNALS = {"committed": "committed", "in_progress": "in progress", "in progress": "in progress",
           "done": "done", "declined": "declined"}


# ---- locating quotes -------------------------------------------------------------------------

def loose_pattern(quote: str) -> re.Pattern:
    return re.compile(r"\s+".join(re.escape(tok) for tok in quote.split()))


def locate(text: str, quote: str, cursor: int) -> tuple[int, int, str]:
    """``(start, end, how)``: how is "exact", "repaired" or "" (not found / ambiguous)."""
    if not quote or not quote.strip():
        return -1, -1, ""
    at = text.find(quote, cursor)
    if at < 0:
        at = text.find(quote)
    if at >= 0:
        return at, at + len(quote), "exact"
    hits = list(loose_pattern(quote).finditer(text))
    if len(hits) == 1:
        return hits[0].start(), hits[0].end(), "repaired"
    return -1, -1, ""


def resolve(text: str, items: list, who: str, log: list) -> list[dict]:
    """Items with ``_start``/``_end`` set; unknown kinds and quotes not found are dropped (logged)."""
    out, cursor, after = [], 0, {}  # after[kind]: where the next item of that kind may start
    for n, item in enumerate(items):
        quote = item.get("quote") if isinstance(item, dict) else None
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind not in KINDS:
            log.append({"annotator": who, "item": n, "problem": f"unknown kind {kind!r}: dropped"})
            continue
        start, end, how = locate(text, quote or "", max(cursor, after.get(kind, 0)))
        if not how:
            log.append({"annotator": who, "item": n, "quote": (quote or "")[:200],
                        "problem": "quote not found exactly or by a unique whitespace-insensitive search: dropped"})
            continue
        if how == "repaired":
            log.append({"annotator": who, "item": n, "quote": quote[:200],
                        "problem": "whitespace differs: repaired to the file's text"})
        out.append({**item, "_start": start, "_end": end})
        cursor, after[kind] = start, start + 1
    return out


def widen_unique(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow ``[start, end)`` by whole words, right then left, inside its paragraph, until unique."""
    para_start = text.rfind("\n\n", 0, start) + 2 if text.rfind("\n\n", 0, start) >= 0 else 0
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end < 0 else para_end
    while text.count(text[start:end]) > 1:
        grew = False
        m = re.compile(r"\s*\S+").match(text, end)
        if m and m.end() <= para_end:
            end, grew = m.end(), True
        elif start > para_start:
            m = re.compile(r"\S+\s*$").search(text, para_start, start)
            if m:
                start, grew = m.start(), True
        if not grew:
            break
    return start, end


# ---- agreement -------------------------------------------------------------------------------

def spans(items) -> list[tuple[int, int]]:
    return [(i["_start"], i["_end"]) for i in items]


def f1(n_pairs: int, n_a: int, n_b: int) -> float | None:
    return 2 * n_pairs / (n_a + n_b) if n_a + n_b else None


def is_clear(item) -> bool:
    return (item.get("confidence") or "clear") == "clear"


def same_actor(a, b) -> bool:
    def norm(x):
        x = " ".join(str(x or "").split()).lower()
        return x[4:] if x.startswith("the ") else x
    return norm(a) == norm(b)


def agreement(a_items, b_items) -> tuple[dict, list[tuple[int, int]]]:
    pairs = match_spans(spans(a_items), spans(b_items))
    ca = [i for i in a_items if is_clear(i)]
    cb = [i for i in b_items if is_clear(i)]
    clear_pairs = match_spans(spans(ca), spans(cb))
    both_clear = [(i, j) for i, j in pairs if is_clear(a_items[i]) and is_clear(b_items[j])]
    actor_same = sum(same_actor(a_items[i].get("actor"), b_items[j].get("actor")) for i, j in both_clear)
    return {"a": len(a_items), "b": len(b_items), "matched": len(pairs), "f1": f1(len(pairs), len(a_items), len(b_items)),
            "a_clear": len(ca), "b_clear": len(cb), "matched_clear": len(clear_pairs),
            "clear_f1": f1(len(clear_pairs), len(ca), len(cb)),
            "actor_pairs": len(both_clear), "actor_same": actor_same,
            "actor_agreement": actor_same / len(both_clear) if both_clear else None}, pairs


# ---- gold ------------------------------------------------------------------------------------

def merged_items(kind, a_items, b_items, pairs, log) -> list[dict]:
    """One adjudicated item per pair and per unmatched item (A's fields win), before ids."""
    out = []
    b_of = {i: j for i, j in pairs}
    matched_b = set(b_of.values())
    for i, a in enumerate(a_items):
        if i in b_of:
            b = b_items[b_of[i]]
            clear = is_clear(a) and is_clear(b)
            notes = []
            if clear and not same_actor(a.get("actor"), b.get("actor")):
                notes.append(f"actor: A {a.get('actor')!r}, B {b.get('actor')!r} (A kept)")
            if kind == "commitment" and SIGNALS.get(a.get("signal")) != SIGNALS.get(b.get("signal")):
                notes.append(f"signal: A {a.get('signal')!r}, B {b.get('signal')!r} (A kept)")
            for note in notes:
                log.append({"quote": a["quote"][:200], "problem": note})
            out.append({"src": a, "clear": clear, "by": "AB", "notes": notes})
        else:
            out.append({"src": a, "clear": False, "by": "A", "notes": ["found by A only"]})
    for j, b in enumerate(b_items):
        if j not in matched_b:
            out.append({"src": b, "clear": False, "by": "B", "notes": ["found by B only"]})
    for x in out:
        if x["by"] == "AB" and not x["clear"]:
            x["notes"].insert(0, "marked borderline by one annotator")
        x["start"], x["end"] = x["src"]["_start"], x["src"]["_end"]
    return sorted(out, key=lambda x: (x["start"], x["end"]))


def merge_overlaps(items, text, log) -> list[dict]:
    out = []
    for x in items:
        if out and x["start"] < out[-1]["end"]:
            prev = out[-1]
            log.append({"quote": text[x["start"]:x["end"]][:200],
                        "problem": f"overlaps {text[prev['start']:prev['end']][:80]!r}: merged into one item"})
            prev["end"] = max(prev["end"], x["end"])
            prev["clear"] = prev["clear"] and x["clear"]
            prev["by"] = "".join(sorted(set(prev["by"] + x["by"])))
            prev["notes"].append("merged with an overlapping item")
            continue
        out.append(x)
    return out


def gold_record(kind, n, x, text) -> dict:
    src = x["src"]
    start, end = widen_unique(text, x["start"], x["end"])
    notes = list(x["notes"]) + (["quote widened to be unique"] if (start, end) != (x["start"], x["end"]) else [])
    common = {"speaker": src.get("speaker"), "quote": text[start:end], "actor": src.get("actor") or "Unspecified",
              "actors_all": src.get("actors_all") or [src.get("actor") or "Unspecified"],
              "confidence": "clear" if x["clear"] else "borderline", "annotators": x["by"],
              "note": "; ".join(notes) or None}
    if kind == "recommendation":
        strength = src.get("strength") if src.get("strength") in STRENGTHS else "should"
        return {"id": f"R{n:02d}", **common, "actor_text": src.get("actor_text"), "theme": None,
                "strength": strength}
    return {"id": f"C{n:02d}", **common, "responds_to": [],
            "status_signal": SIGNALS.get(src.get("signal"), "committed")}


def adjudicate_file(text: str, a_raw: list, b_raw: list) -> dict:
    """Agreement and gold for one transcript (pure: no files)."""
    log_a, log_b, log = [], [], []
    a_all, b_all = resolve(text, a_raw, "A", log_a), resolve(text, b_raw, "B", log_b)
    result = {"agreement": {}, "gold": {}, "log": log_a + log_b}
    for kind, key in (("recommendation", "recommendations"), ("commitment", "commitments")):
        a = [i for i in a_all if i["kind"] == kind]
        b = [i for i in b_all if i["kind"] == kind]
        result["agreement"][key], pairs = agreement(a, b)
        items = merge_overlaps(merged_items(kind, a, b, pairs, log), text, log)
        result["gold"][key] = [gold_record(kind, n, x, text) for n, x in enumerate(items, 1)]
    result["gold"]["coverage"] = {"char_start": 0, "char_end": len(text)}
    result["log"] += log
    return result


# ---- files and table -------------------------------------------------------------------------

def transcripts(corpus: Path) -> dict[str, Path]:
    return {p.stem: p for part in ("dev", "test") for p in sorted((corpus / part).glob("*.txt"))}


def read_json(path: Path) -> list:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of items")
    return data


def write_gold(gold_dir: Path, stem: str, gold: dict) -> None:
    gold_dir.mkdir(parents=True, exist_ok=True)
    for key in ("recommendations", "commitments", "coverage"):
        (gold_dir / f"{stem}_{key}.json").write_text(
            json.dumps(gold[key], indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _f(x) -> str:
    return f"{x:5.2f}" if x is not None else f"{'-':>5}"


def table(rows: dict) -> str:
    head = (f"{'file':34} {'split':5} {'recA':>4} {'recB':>4} {'m':>3} {'recF1':>5} {'clrF1':>5} {'actor':>5} | "
            f"{'comA':>4} {'comB':>4} {'m':>3} {'comF1':>5}")
    lines = [head, "-" * len(head)]
    tot = {k: [0, 0, 0] for k in ("r", "rc", "c")}
    for stem, (split, ag) in rows.items():
        r, c = ag["recommendations"], ag["commitments"]
        lines.append(f"{stem[:34]:34} {split:5} {r['a']:>4} {r['b']:>4} {r['matched']:>3} {_f(r['f1'])} "
                     f"{_f(r['clear_f1'])} {_f(r['actor_agreement'])} | {c['a']:>4} {c['b']:>4} {c['matched']:>3} "
                     f"{_f(c['f1'])}")
        for k, (x, a, b, m) in {"r": (r, "a", "b", "matched"), "rc": (r, "a_clear", "b_clear", "matched_clear"),
                                "c": (c, "a", "b", "matched")}.items():
            tot[k] = [tot[k][0] + x[a], tot[k][1] + x[b], tot[k][2] + x[m]]
    lines.append("-" * len(head))
    pooled = {k: f1(v[2], v[0], v[1]) for k, v in tot.items()}
    lines.append(f"{'POOLED (micro)':34} {'':5} {tot['r'][0]:>4} {tot['r'][1]:>4} {tot['r'][2]:>3} {_f(pooled['r'])} "
                 f"{_f(pooled['rc'])} {'':>5} | {tot['c'][0]:>4} {tot['c'][1]:>4} {tot['c'][2]:>3} {_f(pooled['c'])}")
    lines.append("recF1: all recommendations of A against B; clrF1: items each marked clear; actor: same actor "
                 "on pairs both marked clear")
    return "\n".join(lines)


def run(corpus: Path = CORPUS, annotators=("A", "B"), out=print) -> dict:
    ann = corpus / "annotations"
    rows, report = {}, {}
    for stem, path in transcripts(corpus).items():
        files = [ann / who / f"{stem}.json" for who in annotators]
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            out(f"{stem}: skipped, missing {', '.join(missing)}")
            continue
        text = path.read_text(encoding="utf-8")
        res = adjudicate_file(text, read_json(files[0]), read_json(files[1]))
        write_gold(corpus / "gold", stem, res["gold"])
        rows[stem] = (path.parent.name, res["agreement"])
        report[stem] = {"split": path.parent.name, "agreement": res["agreement"], "log": res["log"],
                        "gold": {k: len(v) for k, v in res["gold"].items() if k != "coverage"}}
        for entry in res["log"]:
            out(f"{stem}: {entry.get('annotator', '')} {entry['problem']}: {entry.get('quote', '')[:90]!r}")
    if rows:
        (corpus / "gold").mkdir(parents=True, exist_ok=True)
        (corpus / "gold" / "adjudication.json").write_text(
            json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        out(table(rows))
    return report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="folder with dev/, test/ and annotations/")
    ap.add_argument("--annotators", nargs=2, default=["A", "B"], metavar=("FIRST", "SECOND"),
                    help="annotation sub-folders; the first one's fields win (default A B)")
    args = ap.parse_args(argv)
    try:
        report = run(args.corpus, tuple(args.annotators))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0 if report else 1


if __name__ == "__main__":
    raise SystemExit(main())
