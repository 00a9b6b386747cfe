"""Parsing cost per MB as the document grows, and a 30 MB transcript loaded end to end.

Parses the seed repeated 1x, 8x and 32x (turns, speakers, sentence splitting: everything before
extraction) and prints seconds per MB; linear parsing keeps that figure flat. Then writes the seed
repeated to at least ``--load-mb`` MB and times ``rectrack load`` on it (a subprocess, a fresh
database: reading, parsing, extraction and storing).

    .venv/bin/python bench/parse_scaling.py                 # 1x / 8x / 32x, then the 30 MB load
    .venv/bin/python bench/parse_scaling.py --load-mb 0     # parsing only
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loader.model import Source  # noqa: E402
from loader.sentences import split_sentences  # noqa: E402
from loader.speakers import resolve_speakers  # noqa: E402
from loader.turns import parse_document  # noqa: E402

SEED = ROOT / "seeds" / "000_59fee67576fde5b5.txt"


def parse(text: str):
    doc = resolve_speakers(parse_document(Source(text, "bench.txt", "x", "bench")))
    return doc, sum(len(split_sentences(text, t.speech_start, t.char_end)) for t in doc.turns)


def parse_figures(seed: str, factors=(1, 8, 32)) -> None:
    parse(seed)  # warm the lexicon and caches
    for n in factors:
        text = seed * n
        mb = len(text.encode("utf-8")) / 1e6
        wall, cpu = time.perf_counter(), time.process_time()
        doc, n_sentences = parse(text)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"seed x{n:<3} {mb:6.2f} MB  {len(doc.turns):6d} turns {n_sentences:7d} sentences  "
              f"{wall:6.2f} s  {wall / mb:5.2f} s/MB wall  {cpu / mb:5.2f} s/MB cpu", flush=True)


def load_figure(seed: str, megabytes: float) -> None:
    copies = int(megabytes * 1e6 // len(seed.encode("utf-8"))) + 1
    with tempfile.TemporaryDirectory() as tmp:
        path, db = Path(tmp) / "big.txt", Path(tmp) / "rectrack.db"
        path.write_text(seed * copies, encoding="utf-8")
        mb = path.stat().st_size / 1e6
        wall, cpu = time.perf_counter(), time.process_time()
        doc, n_sentences = parse(seed * copies)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"parse of {mb:.1f} MB (seed x{copies}): {len(doc.turns)} turns {n_sentences} sentences, "
              f"{wall:.1f} s wall, {cpu:.1f} s cpu ({cpu / mb:.2f} s/MB cpu)", flush=True)
        del doc
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "loader", "load", str(path), "--db", str(db)],
                                capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        print(f"rectrack load of {mb:.1f} MB (seed x{copies}): {seconds:.1f} s wall, {cpu:.1f} s cpu, "
              f"exit {result.returncode}")
        print("  " + (result.stdout.strip() or result.stderr.strip()[-500:]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--load-mb", type=float, default=30, help="size of the end-to-end load (0: skip)")
    args = ap.parse_args()
    seed = SEED.read_text(encoding="utf-8-sig")
    parse_figures(seed)
    if args.load_mb:
        load_figure(seed, args.load_mb)


if __name__ == "__main__":
    main()
