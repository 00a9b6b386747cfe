"""Score the extractor on the annotation corpus (``tests/fixtures/corpus``), per split and per kind.

Run with ``.venv/bin/python bench/corpus_scores.py [--split dev|test|all] [--batch N]``; ``--errors`` lists
false positives, misses and actor errors, and is refused for the test split: no rule is ever
written from the test part, so its errors are never looked at. Same method as
``bench/dev_scores.py``: the real pipeline on each transcript, scored with ``loader.evaluate``
against the adjudicated gold in ``tests/fixtures/corpus/gold`` (overlap >= half of the shorter
span, one-to-one; borderline gold neutral; actor accuracy on matched clear items). Files whose gold
does not exist yet (not annotated by both annotators) are listed and skipped.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dev_scores import errors, load_gold_files, pooled, score_transcript, table  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
GOLD = CORPUS / "gold"


def sources() -> list[dict]:
    return json.loads((CORPUS / "sources.json").read_text(encoding="utf-8"))


def annotated(split: str, batch: int | None = None) -> tuple[list[dict], list[str]]:
    """The corpus entries of ``split`` ("dev", "test" or "all"), of one ``batch`` if given, with gold,
    and the stems without."""
    rows = [s for s in sources() if (split == "all" or s["split"] == split)
            and (batch is None or s.get("batch", 1) == batch)]
    have = [s for s in rows if (GOLD / f"{s['stem']}_recommendations.json").exists()]
    return have, [s["stem"] for s in rows if s not in have]


def score_corpus(split: str, lexicon=None, batch: int | None = None) -> tuple[list[dict], dict, dict, list[str]]:
    """Results per file, the pooled figures, pooled figures per kind, and the stems without gold."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    rows, missing = annotated(split, batch)
    results = []
    for s in rows:
        path = CORPUS / s["split"] / f"{s['stem']}.txt"
        result = score_transcript(path, load_gold_files(GOLD, s["stem"]), s["stem"], lexicon)
        result["kind"] = s["kind"]
        results.append(result)
    kinds = sorted({x["kind"] for x in results})
    by_kind = {k: pooled([x for x in results if x["kind"] == k]) for k in kinds}
    return results, (pooled(results) if results else {}), by_kind, missing


def kind_table(by_kind: dict) -> str:
    head = f"{'kind':20} {'tp':>3} {'fp':>3} {'fn':>3} {'P':>5} {'R':>5} {'F1':>5} {'actor':>5} | {'com F1':>6}"
    lines = [head, "-" * len(head)]
    for k, p in by_kind.items():
        lines.append(f"{k:20} {p['tp']:>3} {p['fp']:>3} {p['fn']:>3} {p['precision']:5.2f} {p['recall']:5.2f} "
                     f"{p['f1']:5.2f} {p['actor_accuracy']:5.2f} | {p['com_f1']:6.2f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["dev", "test", "all"], default="test")
    ap.add_argument("--batch", type=int, help="only the files of one batch (sources.json)")
    ap.add_argument("--errors", action="store_true", help="list errors (dev split only)")
    args = ap.parse_args(argv)
    if args.errors and args.split != "dev":
        ap.error("--errors is for the dev split only: the test part's errors are never looked at")
    results, pool, by_kind, missing = score_corpus(args.split, batch=args.batch)
    if missing:
        print(f"no gold yet for: {', '.join(missing)}")
    if not results:
        print("nothing to score")
        return 1
    print(table(results, pool))
    print()
    print(kind_table(by_kind))
    if args.errors:
        print()
        print(errors(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
