"""The prefilter's analysis is kept between runs (``AnalysisCache``), the lexicon's cue patterns
are compiled only when a text calls for them (``LazyPattern``), and a document's lower-case words
are looked up only for the words asked (``LowerWords``): each changes what a run costs, never
what it finds."""
import re
import threading
import time

import pytest

from conftest import SEED_FILE
from loader.extract import _LOWER_WORD, LowerWords, compile_rules, extract, rules_for
from loader.lexicon import load_lexicon
from loader.prefilter import AnalysisCache, LazyPattern, LiteralIndex
from loader.read import read_source
from test_extract import make_doc

STRUCTURES = ("literals", "branches", "of_regex", "always", "rest", "sure", "checked", "anchor_lits",
              "fully_anchorable", "prefixes")


def cue_regexes():
    return [c.regex for c in rules_for(None).all_cues()]


def test_an_index_read_from_the_cache_is_the_index_worked_out(tmp_path):
    regexes = cue_regexes()
    plain = LiteralIndex(regexes)
    assert plain.analysed == len(regexes)
    first = LiteralIndex(regexes, AnalysisCache(tmp_path / "c.json"))
    assert first.analysed == len(regexes) and (tmp_path / "c.json").exists()
    again = LiteralIndex(regexes, AnalysisCache(tmp_path / "c.json"))  # a new run: read from the file
    assert again.analysed == 0
    for name in STRUCTURES:
        assert getattr(again, name) == getattr(plain, name), name


def test_only_a_new_pattern_is_analysed(tmp_path):
    regexes = cue_regexes()
    LiteralIndex(regexes, AnalysisCache(tmp_path / "c.json"))
    extra = re.compile(r"\bwe\s+(?:hereby\s+)?undertake\s+to\b", re.I)
    index = LiteralIndex([*regexes, extra], AnalysisCache(tmp_path / "c.json"))
    assert index.analysed == 1
    assert "undertake" in index.literals


@pytest.mark.parametrize("content", ["not json {", '{"2:x": 5}', "[1, 2]", ""])
def test_an_unreadable_cache_is_worked_out_again(tmp_path, content):
    regexes = cue_regexes()
    path = tmp_path / "c.json"
    path.write_text(content, encoding="utf-8")
    bad = {f"{rx.flags}:{rx.pattern}": 5 for rx in regexes[:3]}  # entries not in the written shape
    cache = AnalysisCache(path)
    cache._load().update(bad)
    index = LiteralIndex(regexes, cache)
    assert index.analysed == len(regexes)
    assert index.literals == LiteralIndex(regexes).literals


def test_a_cache_that_cannot_be_written_is_left_alone(tmp_path):
    (tmp_path / "file").write_text("x")
    index = LiteralIndex(cue_regexes()[:5], AnalysisCache(tmp_path / "file" / "c.json"))  # parent is a file
    assert index.analysed == 5
    assert not list(tmp_path.glob("file*.tmp"))


@pytest.fixture
def cold_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RECTRACK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_cue_patterns_are_compiled_when_a_text_calls_for_them(cold_cache):
    lexicon = load_lexicon()
    before = LazyPattern.compilations
    rules = compile_rules(lexicon)  # no earlier run: every pattern is compiled (a bad one fails here)
    assert LazyPattern.compilations - before == len(rules.all_cues())
    assert list(cold_cache.glob("prefilter-*.json"))

    lexicon = load_lexicon()  # a later run, with the cache written by the first
    rules = rules_for(lexicon)
    before = LazyPattern.compilations
    assert LazyPattern.compilations == before and not any(c.regex.is_compiled for c in rules.all_cues())
    recs, coms = extract(make_doc("Thank you very much. Good morning."), lexicon)
    assert (recs, coms) == ([], [])
    assert LazyPattern.compilations == before  # no cue literal: no cue regex compiled nor run
    assert not any(rx.is_compiled for rx in rules.cue_index()._narrow.values())

    recs, _ = extract(make_doc("The Security Council must act now."), lexicon)
    assert [r.cue for r in recs] == ["modal"]
    compiled = [c.name for c in rules.all_cues() if c.regex.is_compiled]
    assert "modal" in [c.name for c in rules.rec_cues if c.regex.is_compiled]
    assert 0 < len(compiled) < len(rules.all_cues()) // 2, compiled


def test_a_bad_pattern_fails_at_compile_time_with_a_warm_cache(cold_cache):
    compile_rules(load_lexicon())  # the cache now knows the default patterns
    lexicon = load_lexicon()
    lexicon["cues"]["recommendation"].append({"name": "broken", "pattern": r"(?<=a+)b"})
    with pytest.raises(Exception, match="broken"):
        compile_rules(lexicon)


def test_a_lazy_pattern_finds_what_its_regex_finds():
    lazy = LazyPattern(r"\bmust\b", re.I)
    assert not lazy.is_compiled and lazy.pattern == r"\bmust\b" and lazy.flags == re.I
    s = "We MUST act; they must too."
    assert [m.span() for m in lazy.finditer(s)] == [m.span() for m in re.finditer(r"\bmust\b", s, re.I)]
    assert lazy.is_compiled
    assert lazy.search(s, 5).start() == s.index("must")
    with pytest.raises(TypeError):
        LazyPattern(5)


@pytest.mark.parametrize("text", [
    "the court said 'tis the court's view; a'tis rock'n'roll -court court- Court courts x_court 9court",
    "Court. The COURT and the-court, court'd 'court court",
    "",
])
def test_lower_words_answers_what_the_set_of_all_lower_case_words_answers(text):
    every = frozenset(_LOWER_WORD.findall(text))
    words = LowerWords(text)
    for word in ["court", "tis", "the", "courts", "roll", "n'roll", "view", "court'd", "xx", "a", "Court", "c-"]:
        assert (word in words) == (word in every), word


def test_lower_words_on_the_seed():
    text = read_source(SEED_FILE).text
    every = frozenset(_LOWER_WORD.findall(text))
    words = LowerWords(text)
    capitalised = {w.lower() for w in re.findall(r"\b[A-Z][A-Za-z'\-]+", text)}
    assert capitalised & every and capitalised - every
    for word in sorted(capitalised):
        assert (word in words) == (word in every), word


def test_threads_adding_while_one_saves(tmp_path):
    """Datasette runs the extractor (guess.json) in several threads: one thread writing the cache
    while another adds patterns to it (both building their first index) must not fail."""
    cache = AnalysisCache(tmp_path / "c.json")
    parts = [("x", ("lits", frozenset({"abc", "def"})), frozenset({"ab"}))]
    for i in range(3000):
        cache.put(f"p{i}", 0, parts)
    stop, failures = threading.Event(), []

    def add():
        i = 0
        while not stop.is_set():
            cache.put(f"q{i}", 0, parts)
            i += 1

    adder = threading.Thread(target=add)
    adder.start()
    try:
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline and not failures:
            cache.dirty = True
            try:
                cache.save()
            except RuntimeError as e:  # "dictionary changed size during iteration"
                failures.append(e)
    finally:
        stop.set()
        adder.join()
    assert failures == []
    assert AnalysisCache(tmp_path / "c.json").get("p0", 0) == parts


@pytest.mark.parametrize("home", ["~", "relative/home"])
def test_no_cache_without_an_absolute_home(monkeypatch, home):
    monkeypatch.delenv("RECTRACK_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", home)
    assert AnalysisCache.default_path() is None  # not a ./~/.cache folder under wherever it runs
    monkeypatch.setenv("HOME", "/home/someone")
    assert str(AnalysisCache.default_path()).startswith("/home/someone/.cache/rectrack/prefilter-")
