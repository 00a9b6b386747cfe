"""A synthetic archive made from the seed transcript, for load benchmarks.

Each generated transcript keeps the seed's title block and turns but shuffles the turns (the
first one, the chair's opening, stays first), renames the speakers consistently within the
file, and moves the meeting date, so every file has its own sha256, document id, speakers and
date while staying seed-sized and seed-like. ``scale=k`` repeats the shuffled turns k times (a
document k times the seed's size).

    .venv/bin/python bench/corpus.py OUT_DIR 1000          # 1,000 seed-sized transcripts
    .venv/bin/python bench/corpus.py OUT_DIR 10 --scale 4  # 10 transcripts of 4x the seed
"""
from __future__ import annotations

import argparse
import datetime
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loader.read import read_source  # noqa: E402
from loader.turns import parse_document  # noqa: E402
from loader.web import SEEDS  # noqa: E402

SEED = SEEDS / "000_59fee67576fde5b5.txt"
SEED_DATE = datetime.date(2009, 11, 9)
FIRST = ["Amina", "Boris", "Chen", "Dara", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kofi", "Lena",
         "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yara"]
LAST = ["Abara", "Bergstrom", "Castillo", "Dlamini", "Eriksen", "Fontaine", "Gupta", "Haddad", "Ivanova",
        "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rahman",
        "Santos", "Tanaka", "Umarov", "Vargas", "Weber", "Xu", "Yilmaz", "Zeller"]


def seed_parts():
    """(title block, [turn texts], speaker name words) of the seed."""
    source = read_source(SEED)
    doc = parse_document(source)
    text = source.text
    turns = [text[t.char_start:t.char_end] for t in doc.turns]
    words = sorted({w for t in doc.turns if t.label for w in re.findall(r"[A-Z][\w'-]+", t.label)} - {"Dr", "Mr", "Ms", "Mrs"})
    return text[:doc.turns[0].char_start], turns, words


def make_transcript(header: str, turns: list[str], words: list[str], index: int, scale: int = 1) -> str:
    rng = random.Random(index)
    names = {w: rng.choice(LAST if i % 2 else FIRST) for i, w in enumerate(words)}
    label_word = re.compile(r"\b(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b")

    def rename(turn: str) -> str:
        label, sep, speech = turn.partition(":")
        return label_word.sub(lambda m: names[m.group(1)], label) + sep + speech if sep else turn

    body = []
    for _ in range(scale):
        rest = turns[1:]
        rng.shuffle(rest)
        body.extend(rename(t) for t in [turns[0], *rest])
    date = SEED_DATE + datetime.timedelta(days=index * 3 % 5000)
    head = header.replace("Monday, November 9, 2009", f"{date:%A}, {date:%B} {date.day}, {date.year}")
    return head + "\n\n".join(body) + "\n"


def make_corpus(out_dir, n: int, scale: int = 1, start: int = 0) -> list[Path]:
    """Write ``n`` transcripts into ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    header, turns, words = seed_parts()
    paths = []
    for i in range(start, start + n):
        path = out / f"meeting_{scale}x_{i:05d}.txt"
        path.write_text(make_transcript(header, turns, words, i, scale), encoding="utf-8")
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("n", type=int)
    parser.add_argument("--scale", type=int, default=1, help="each transcript this many times the seed's size")
    args = parser.parse_args()
    paths = make_corpus(args.out_dir, args.n, args.scale)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} transcripts ({size / 1e6:.1f} MB) to {args.out_dir}")


if __name__ == "__main__":
    main()
