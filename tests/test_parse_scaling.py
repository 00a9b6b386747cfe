"""Parsing work grows linearly with the document (an operation count, never a wall time).

The seed is parsed (turns, speakers, sentences) at two sizes. Two counts are taken: Python
function calls (``sys.setprofile``: generator steps and per-line helpers show up here) and
characters copied out of the document by slicing it (a ``str`` subclass counts them: copying the
rest of the document at every sentence boundary shows up here). Doubling the input twice may
at most about quadruple either count.
"""
import sys

import pytest

from conftest import SEED_FILE
from loader.model import Source
from loader.sentences import split_sentences
from loader.speakers import resolve_speakers
from loader.turns import parse_document


class CountingText(str):
    """A document text that counts the characters sliced out of it."""

    copied = 0

    def __getitem__(self, key):
        piece = super().__getitem__(key)
        if isinstance(key, slice):
            CountingText.copied += len(piece)
        return piece


def parse_counts(text: str) -> tuple[int, int]:
    counted = CountingText(text)
    calls = 0

    def profile(frame, event, arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    resolve_speakers(parse_document(Source(counted, "x.txt", "x", "x")))  # warm caches (lexicon)
    CountingText.copied = 0
    sys.setprofile(profile)
    try:
        doc = parse_document(Source(counted, "x.txt", "x", "x"))
        resolve_speakers(doc)
        for turn in doc.turns:
            split_sentences(counted, turn.speech_start, turn.char_end)
    finally:
        sys.setprofile(None)
    return calls, CountingText.copied


@pytest.fixture(scope="module")
def counts():
    seed = SEED_FILE.read_text(encoding="utf-8-sig")
    return {n: parse_counts(seed * n) for n in (1, 4)}


def test_function_calls_grow_linearly(counts):
    assert counts[4][0] <= 4.4 * counts[1][0], counts


def test_characters_copied_grow_linearly(counts):
    assert counts[4][1] <= 4.4 * counts[1][1], counts
