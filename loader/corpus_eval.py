"""Score the extractor on an annotated corpus of transcripts of several kinds (``rectrack eval --corpus``).

A corpus directory holds ``sources.json`` (a list of ``{"stem", "kind", "split", ...}``), the
transcripts as ``<split>/<stem>.txt`` (or ``<stem>.txt`` at the top) and the adjudicated gold in
``gold/``: ``<stem>_recommendations.json``, ``<stem>_commitments.json`` and ``<stem>_coverage.json``
(the annotated character range; system items outside it are not scored). The layout is
``tests/fixtures/corpus``'s. Scoring is :mod:`loader.evaluate`'s (overlap >= half of the shorter
span, one to one; borderline gold neutral; actor accuracy on matched clear items, by group), pooled
(micro: tp/fp/fn summed) per kind of transcript and over all files.

Example::

    figures = score_corpus("tests/fixtures/corpus", split="dev")
    figures["by_kind"]["un_ga"]["f1"], figures["pooled"]["actor_accuracy"]
"""
from __future__ import annotations

import json
from pathlib import Path

from .errors import RectrackError
from .evaluate import _prf as prf, score_commitments, score_recommendations
from .pipeline import process_source
from .read import read_source

GOLD_KINDS = ("recommendations", "commitments", "coverage")


def read_sources(corpus_dir) -> list[dict]:
    """The entries of ``corpus_dir/sources.json``. Raises RectrackError naming the file and the reason."""
    path = Path(corpus_dir) / "sources.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise RectrackError(f"{path}: no such file (a corpus needs sources.json: a list of "
                            "{{\"stem\", \"kind\", \"split\"}})") from None
    except ValueError as e:
        raise RectrackError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(entries, list):
        raise RectrackError(f"{path}: expected a list of {{\"stem\", \"kind\", \"split\"}} objects")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("stem", "kind")):
            raise RectrackError(f"{path}: entry {i + 1} needs a \"stem\" and a \"kind\" (strings)")
    return entries


def _transcript(corpus: Path, entry: dict) -> Path:
    for path in (corpus / str(entry.get("split") or "") / f"{entry['stem']}.txt", corpus / f"{entry['stem']}.txt"):
        if path.is_file():
            return path
    raise RectrackError(f"{corpus}: no transcript for {entry['stem']!r} ({entry.get('split') or '.'}/{entry['stem']}.txt)")


def _gold(gold_dir: Path, stem: str) -> dict:
    out = {}
    for kind in GOLD_KINDS:
        path = gold_dir / f"{stem}_{kind}.json"
        try:
            out[kind] = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise RectrackError(f"{path}: not valid JSON ({e})") from None
        except OSError as e:
            raise RectrackError(f"{path}: cannot be read ({e.strerror or e})") from None
    cov = out["coverage"]
    if not (isinstance(cov, dict) and all(isinstance(cov.get(k), int) for k in ("char_start", "char_end"))):
        raise RectrackError(f"{gold_dir / (stem + '_coverage.json')}: needs integer \"char_start\" and \"char_end\"")
    return out


def inside(item, coverage: dict) -> bool:
    return coverage["char_start"] <= item.char_start and item.char_end <= coverage["char_end"]


def score_file(path: Path, gold: dict, lexicon=None) -> dict:
    """``{"rec", "com", "doc", "recs", "coms"}``: the pipeline on ``path`` scored against ``gold``
    inside its coverage, with the document and what was scored."""
    doc, recs, coms = process_source(read_source(path), lexicon)
    cov = gold["coverage"]
    recs = [r for r in recs if inside(r, cov)]
    coms = [c for c in coms if inside(c, cov)]
    return {"rec": score_recommendations(doc, recs, gold["recommendations"], lexicon),
            "com": score_commitments(doc, coms, gold["commitments"]), "doc": doc, "recs": recs, "coms": coms}


def pooled(files: list[dict]) -> dict:
    """Micro-averaged recommendation, actor and commitment figures over ``files``."""
    tp, fp, fn = (sum(x["rec"][k] for x in files) for k in ("tp", "fp", "fn"))
    ctp, cfp, cfn = (sum(x["com"][k] for x in files) for k in ("tp", "fp", "fn"))
    right = sum(x["rec"]["actor_right"] for x in files)
    p, r, f = (prf(tp, fp, fn)[k] for k in ("precision", "recall", "f1"))
    cp, cr, cf = (prf(ctp, cfp, cfn)[k] for k in ("precision", "recall", "f1"))
    return {"files": len(files), "precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn,
            "actor_accuracy": right / tp if tp else 0.0, "actor_right": right,
            "neutral": sum(x["rec"]["neutral"] for x in files),
            "com_precision": cp, "com_recall": cr, "com_f1": cf, "com_tp": ctp, "com_fp": cfp, "com_fn": cfn}


def score_corpus(corpus_dir, split: str | None = None, lexicon=None, progress=None) -> dict:
    """Score every file of ``split`` (None: all) that has gold. Returns ``{"files": [{"stem", "kind",
    "split", "rec", "com"}], "by_kind": {kind: pooled}, "pooled": pooled, "missing": [stems without
    gold]}``. ``progress(entry)`` is called before each file. Raises RectrackError for a malformed
    corpus or an unknown split."""
    corpus = Path(corpus_dir)
    entries = read_sources(corpus)
    splits = sorted({str(e.get("split")) for e in entries if e.get("split")})
    if split is not None and split not in splits:
        raise RectrackError(f"{corpus / 'sources.json'}: no split {split!r} (splits: {', '.join(splits) or 'none'})")
    chosen = [e for e in entries if split is None or e.get("split") == split]
    gold_dir = corpus / "gold"
    have = [e for e in chosen if all((gold_dir / f"{e['stem']}_{k}.json").is_file() for k in GOLD_KINDS)]
    files = []
    for entry in have:
        if progress:
            progress(entry)
        scored = score_file(_transcript(corpus, entry), _gold(gold_dir, entry["stem"]), lexicon)
        files.append({"stem": entry["stem"], "kind": entry["kind"], "split": entry.get("split"), **scored})
    kinds = sorted({x["kind"] for x in files})
    return {"files": files, "by_kind": {k: pooled([x for x in files if x["kind"] == k]) for k in kinds},
            "pooled": pooled(files), "missing": [e["stem"] for e in chosen if e not in have]}


def kind_table(figures: dict) -> list[str]:
    """The per-kind table and the pooled line, as text lines."""
    head = (f"{'kind':22} {'files':>5} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>5} {'R':>5} {'F1':>5} {'actor':>5} | "
            f"{'com P':>5} {'com R':>5} {'com F1':>6}")

    def line(label, p):
        return (f"{label[:22]:22} {p['files']:>5} {p['tp']:>4} {p['fp']:>4} {p['fn']:>4} {p['precision']:5.2f} "
                f"{p['recall']:5.2f} {p['f1']:5.2f} {p['actor_accuracy']:5.2f} | {p['com_precision']:5.2f} "
                f"{p['com_recall']:5.2f} {p['com_f1']:6.2f}")

    rule = "-" * len(head)
    return [head, rule, *(line(k, p) for k, p in figures["by_kind"].items()), rule, line("pooled", figures["pooled"])]
