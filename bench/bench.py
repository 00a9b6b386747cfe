"""rectrack benchmark: every figure of the Performance section in one run.

    make bench                                   # default: 100 transcripts, 300,000 recommendations
    .venv/bin/python bench/bench.py --docs 1000  # the 1,000-transcript archive (about 88 MB)
    .venv/bin/python bench/bench.py --only load --code /path/to/older/checkout   # compare a version

Sections: ``one`` (one seed transcript: each stage, and a whole ``rectrack load`` process),
``load`` (a generated archive: fresh load, unchanged reload, peak memory of the process tree),
``serve`` (a database of ``--rows`` recommendations: summary.json, table JSON with its facets,
full-text search, dashboard, one recommendation, status updates from 8 clients while readers
poll, in this process and against a ``datasette serve`` process over HTTP). The large database is built once and kept in the temporary folder (``--rebuild`` makes it
again). Prints one line per figure and, at the end, a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

try:
    import sniffio  # noqa: F401
except ImportError:
    # httpx's ASGI transport (Datasette's ``ds.client``, which drives every request here) tries
    # ``import sniffio`` on every request; without the package each failed import searches sys.path
    # again (~0.1-0.2 ms CPU per request, measured against the server's figures). Marked absent once.
    sys.modules["sniffio"] = None

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import make_corpus  # noqa: E402
from loader import browse, store, tracking  # noqa: E402
from loader.extract import _WS, extract, rules_for  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402
from loader.pipeline import process_source  # noqa: E402
from loader.prefilter import fold  # noqa: E402
from loader.read import read_source  # noqa: E402
from loader.sentences import split_sentences  # noqa: E402
from loader.speakers import resolve_speakers  # noqa: E402
from loader.turns import parse_document  # noqa: E402
from loader.web import SEEDS, make_datasette, metadata_for, served  # noqa: E402

SEED = SEEDS / "000_59fee67576fde5b5.txt"
TOKEN = "rectrack-bench-token"
BUILD_VERSION = "1"  # change when build_large makes a different database
RESULTS: list[tuple[str, str]] = []  # (what, figure) for the final table


def report(what: str, figure: str) -> None:
    RESULTS.append((what, figure))
    print(f"{what}: {figure}", flush=True)


def median_ms(fn, repeat: int) -> float:
    """Median CPU time of ``fn`` (the machine is shared: wall time would measure the neighbours)."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times) * 1000


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- one transcript


def bench_one(repeat: int) -> None:
    lexicon = load_lexicon()
    source = read_source(SEED)
    doc = resolve_speakers(parse_document(source, lexicon), lexicon)
    extract(doc, lexicon)  # warm: rules compiled, caches filled
    parse = median_ms(lambda: parse_document(source, lexicon), repeat)
    speakers = median_ms(lambda: resolve_speakers(parse_document(source, lexicon), lexicon), repeat) - parse
    extraction = median_ms(lambda: extract(doc, lexicon), repeat)
    recs, coms = extract(doc, lexicon)
    with tempfile.TemporaryDirectory() as d:
        conn = store.connect(Path(d) / "one.db")
        stores = []
        for i in range(repeat):
            dd = copy.copy(doc)
            dd.id = f"doc-{i}"
            t0 = time.process_time()
            store.store_document(conn, dd, recs, coms)
            stores.append(time.process_time() - t0)
        conn.close()
        floor = _executemany_floor(Path(d) / "floor.db", doc, recs, repeat)
        runs, cpus = [], []
        for i in range(3):
            t0, c0 = time.perf_counter(), children_cpu()
            subprocess.run([sys.executable, "-m", "loader", "load", str(SEED), "--db", str(Path(d) / f"run{i}.db")],
                           cwd=ROOT, check=True, capture_output=True)
            runs.append(time.perf_counter() - t0)
            cpus.append(children_cpu() - c0)
    words = len(source.text.split())
    report("one seed transcript, CPU: parse / speakers / extraction / store",
           f"{parse:.0f} / {speakers:.0f} / {extraction:.0f} / {statistics.median(stores) * 1000:.0f} ms "
           f"({len(recs)} recommendations, {len(coms)} commitments)")
    report("extraction throughput", f"{words / (extraction / 1000):,.0f} words/s ({words:,} words)")
    report("where extraction goes: lexicon regexes (cue, cancel, exclusion) a sentence runs", _prefilter_share(doc, lexicon))
    report("one transcript end to end (`rectrack load seed.txt`, process start to exit)",
           f"{statistics.median(runs):.2f} s wall, {statistics.median(cpus):.2f} s CPU")
    report("floor: the same rows with executemany + FTS5, no parsing", f"{floor:.0f} ms per document")


def _prefilter_share(doc, lexicon) -> str:
    """How many of the lexicon's cue, cancel and exclusion regexes the prefilter lets run."""
    index = rules_for(lexicon).cue_index()
    occurrences = index.scan(fold(_WS.sub(" ", doc.text).replace("\u2019", "'")))
    sentences = ran = anchored = 0
    for turn in doc.turns:
        for s0, e0 in split_sentences(doc.text, turn.speech_start, turn.char_end):
            # a view whose anchors do not occur in the sentence (``starts == []``) runs nothing
            views = [v for v in index.views(occurrences, s0, e0).values() if v.starts != []]
            sentences += 1
            ran += len(views)
            anchored += sum(1 for v in views if v.starts is not None)
    total = sentences * len(index.regexes)
    return (f"{ran:,} of {total:,} regex runs ({ran / total:.0%}; {anchored:,} of them tried only at their "
            f"anchors) over {sentences} sentences")


def _executemany_floor(path: Path, doc, recs, repeat: int) -> float:
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE turns (id TEXT PRIMARY KEY, text TEXT); CREATE TABLE recs (id TEXT PRIMARY KEY, text TEXT);"
                       "CREATE VIRTUAL TABLE turns_fts USING fts5(text, content='turns', tokenize='porter');"
                       "CREATE VIRTUAL TABLE recs_fts USING fts5(text, content='recs', tokenize='porter');")
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        with conn:
            conn.executemany("INSERT INTO turns VALUES (?, ?)", [(f"{i}:{t.seq}", t.text) for t in doc.turns])
            conn.executemany("INSERT INTO recs VALUES (?, ?)", [(f"{i}:{k}", r.text) for k, r in enumerate(recs)])
            conn.execute("INSERT INTO turns_fts(rowid, text) SELECT rowid, text FROM turns WHERE id LIKE ?", (f"{i}:%",))
            conn.execute("INSERT INTO recs_fts(rowid, text) SELECT rowid, text FROM recs WHERE id LIKE ?", (f"{i}:%",))
        times.append(time.perf_counter() - t0)
    conn.close()
    return statistics.median(times) * 1000


# ---------------------------------------------------------------- an archive


class TreeMemory:
    """Peak of the summed resident memory of a process and its descendants (sampled from /proc)."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry))
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo.extend(children.get(p, ()))
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for p in self._tree():
                try:
                    with open(f"/proc/{p}/statm") as f:
                        total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
                except (OSError, IndexError, ValueError):
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_load(folder: Path, db: Path, code: Path, extra=()) -> tuple[float, int, str]:
    """Wall seconds, CPU seconds (the process and its workers), peak tree memory (bytes) and last
    output line of ``rectrack load`` run from ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    t0, c0 = time.perf_counter(), children_cpu()
    proc = subprocess.Popen([sys.executable, "-m", "loader", "load", str(folder), "--db", str(db), *extra],
                            cwd=code, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    peak = memory.stop()
    if proc.returncode != 0:
        raise SystemExit(f"rectrack load failed ({proc.returncode}): {err[-500:]}")
    return seconds, children_cpu() - c0, peak, (out.strip().splitlines() or [""])[-1]


def bench_load(n: int, code: Path, workers: int | None) -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "archive"
        paths = make_corpus(folder, n)
        size = sum(p.stat().st_size for p in paths) / 1e6
        extra = () if workers is None else ("--workers", str(workers))
        db = Path(d) / "archive.db"
        seconds, cpu, peak, _ = run_load(folder, db, code, extra)
        report(f"{n:,} seed-sized transcripts ({size:.0f} MB), fresh database",
               f"{seconds:.1f} s wall ({n / seconds:.1f} documents/s, {size / seconds:.2f} MB/s), {cpu:.0f} s CPU")
        report("peak memory while loading (process and workers)", f"{peak / 2**20:.0f} MiB")
        again, cpu, _, line = run_load(folder, db, code, extra)
        report(f"the same {n:,} reloaded unchanged", f"{again:.1f} s wall, {cpu:.1f} s CPU ({line})")


# ---------------------------------------------------------------- a large database


def build_large(path: Path, rows: int) -> int:
    """A database of about ``rows`` recommendations: the seed stored once, then copied by SQL under
    new document, speaker, turn and recommendation ids (dates spread over ten years), statuses
    and due dates drawn at random."""
    lexicon = load_lexicon()
    doc, recs, coms = process_source(read_source(SEED), lexicon)
    if not recs:
        raise SystemExit("the extractor found no recommendations in the seed; nothing to benchmark")
    conn = store.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    t0 = time.perf_counter()
    first = copy.copy(doc)
    first.id = "bench-00000"
    store.store_document(conn, first, recs, coms)
    tail = len(first.id) + 1  # substr(x, tail): what follows the document id in a derived id
    with conn:
        for i in range(1, -(-rows // len(recs))):
            new = f"bench-{i:05d}"
            p = {"new": new, "days": i % 3650, "tail": tail}
            conn.execute("INSERT INTO documents (id, title, event_date, venue, source_path, sha256, text, loaded_at) "
                         "SELECT :new, title, date(event_date, '+' || :days || ' days'), venue, source_path, sha256, "
                         "text, loaded_at FROM documents WHERE id = 'bench-00000'", p)
            conn.execute("INSERT INTO speakers (id, name, role, document_id) SELECT :new || substr(id, :tail), name, role, "
                         ":new FROM speakers WHERE document_id = 'bench-00000'", p)
            conn.execute("INSERT INTO speaker_aliases (alias, speaker_id) SELECT alias, :new || substr(speaker_id, :tail) "
                         "FROM speaker_aliases WHERE speaker_id LIKE 'bench-00000:%'", p)
            conn.execute("INSERT INTO turns (id, document_id, seq, speaker_id, label, text, char_start, char_end) "
                         "SELECT :new || substr(id, :tail), :new, seq, :new || substr(speaker_id, :tail), label, text, "
                         "char_start, char_end FROM turns WHERE document_id = 'bench-00000'", p)
            conn.execute("INSERT INTO recommendations (id, document_id, turn_id, speaker_id, actor_id, actor_text, text, "
                         "char_start, char_end, theme, strength, cue, confidence) SELECT 'r' || :new || substr(id, 2), :new, "
                         ":new || substr(turn_id, :tail), :new || substr(speaker_id, :tail), actor_id, actor_text, text, "
                         "char_start, char_end, theme, strength, cue, confidence FROM recommendations "
                         "WHERE document_id = 'bench-00000'", p)
            conn.execute("INSERT INTO commitments (id, document_id, turn_id, speaker_id, actor_id, text, char_start, "
                         "char_end, signal, recommendation_id, cue, confidence) SELECT 'c' || :new || substr(id, 2), :new, "
                         ":new || substr(turn_id, :tail), :new || substr(speaker_id, :tail), actor_id, text, char_start, "
                         "char_end, signal, 'r' || :new || substr(recommendation_id, 2), cue, confidence FROM commitments "
                         "WHERE document_id = 'bench-00000'", p)
        statuses = ["proposed", "accepted", "in_progress", "implemented", "declined"]
        conn.execute(
            "UPDATE recommendations SET status = CASE abs(random()) % 5 "
            + " ".join(f"WHEN {k} THEN '{s}'" for k, s in enumerate(statuses))
            + " END, due_date = date('2026-01-01', '+' || (abs(random()) % 700) || ' days')"
        )
    conn.execute("ANALYZE")
    conn.close()
    n = sqlite3.connect(path).execute("select count(*) from recommendations").fetchone()[0]
    print(f"built {n:,} recommendations in {-(-rows // len(recs)):,} documents in {time.perf_counter() - t0:.0f} s",
          flush=True)
    return n


def large_db(rows: int, rebuild: bool) -> Path:
    """The large database, built once per size (and BUILD_VERSION), kept in the temporary folder."""
    digest = store.short_hash(str(rows), BUILD_VERSION)  # store.connect brings an older schema up to date
    path = Path(tempfile.gettempdir()) / f"rectrack-bench-{rows}-{digest}" / "rectrack.db"  # served as /rectrack
    path.parent.mkdir(exist_ok=True)
    if rebuild or not path.exists():
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        build_large(path, rows)
    return path


async def timings(ds, path: str, seconds: float, headers=None, fresh=False) -> list[float]:
    """Latencies (s) of sequential GETs of ``path`` for ``seconds`` (after one warm-up request);
    ``fresh``: each URL different (``&_fresh=i``, ignored by Datasette), so no answer is cached."""
    r = await ds.client.get(path, headers=headers)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    out, t_end = Latencies(), time.perf_counter() + seconds
    while time.perf_counter() < t_end or len(out) < 3:
        t0, c0 = time.perf_counter(), time.process_time()
        r = await ds.client.get(path + (f"{'&' if '?' in path else '?'}_fresh={len(out)}" if fresh else ""),
                                headers=headers)
        out.append(time.perf_counter() - t0)
        out.cpu.append(time.process_time() - c0)
        assert r.status_code == 200, (path, r.status_code)
    return out


class Latencies(list):
    """Wall seconds of each request, and ``cpu``: the CPU seconds this process spent on it (all its
    threads: the comparable figure on a shared machine)."""

    def __init__(self):
        super().__init__()
        self.cpu: list[float] = []


def rate_line(lat: list[float]) -> str:
    line = f"{len(lat) / sum(lat):.0f} req/s, p50 {statistics.median(lat) * 1000:.1f} ms"
    cpu = getattr(lat, "cpu", None)
    return line + (f" (CPU p50 {statistics.median(cpu) * 1000:.1f} ms)" if cpu else "")


async def bench_serve(path: Path, seconds: float) -> None:
    os.environ["RECTRACK_API_TOKEN"] = TOKEN
    ds = make_datasette(path)
    conn = store.connect(path)
    n = conn.execute("select count(*) from recommendations").fetchone()[0]
    rec_id = conn.execute("select id from recommendations limit 1 offset 500").fetchone()[0]
    theme = conn.execute("select theme from recommendations group by theme order by count(*) desc").fetchone()[0]
    t0 = time.perf_counter()
    body = json.dumps(browse.compute_summary_json(conn, browse.Filters(), browse.today_utc())).encode()
    uncached = time.perf_counter() - t0
    summary = "/-/rectrack/summary.json"
    report(f"at {n:,} recommendations: summary.json unfiltered", rate_line(await timings(ds, summary, seconds))
           + f"; {len(body) / 1e3:.0f} kB; uncached {uncached * 1000:.0f} ms")
    report("summary.json filtered (`?theme=...`)", rate_line(await timings(ds, f"{summary}?theme={theme}", seconds)))
    report("summary.json after a write (the next reader's wait)", await _after_write(ds, conn, summary))
    report(" - after a status change", await _after_write(ds, conn, summary, {"status": "accepted", "note": "bench"}))
    for label, url in (("table JSON `recommendations.json?_size=50` with its 7 configured facets",
                        "/rectrack/recommendations.json?_size=50"),
                       ("table page `recommendations?_size=50` with its 7 facets", "/rectrack/recommendations?_size=50"),
                       ("full-text search `recommendations.json?_search=council`",
                        "/rectrack/recommendations.json?_search=council&_size=50"),
                       ("dashboard (cached between writes)", "/-/rectrack/dashboard"),
                       ("one recommendation JSON", f"/-/rectrack/recommendations/{rec_id}.json")):
        report(label, rate_line(await timings(ds, url, seconds)))
        if url.startswith("/rectrack/recommendations.json"):
            report(" - the same, each request a new URL (the same rows: facet counts reused)",
                   rate_line(await timings(ds, url, seconds, fresh=True)))
            report(" - the same right after a write (nothing cached: every facet counted again)",
                   await _table_after_write(ds, conn, url))
    report("full-text search, a new search term each request (nothing cached)", await _new_searches(ds, conn))
    report(" - the table page (its search box), a new search term each request", await _new_searches(ds, conn, page=True))
    report(" - with a filter beside it (`&status=accepted`)", await _new_searches(ds, conn, extra="&status=accepted"))
    report(" - sorted by another column (`&_sort=due_date`)", await _new_searches(ds, conn, extra="&_sort=due_date"))
    t0, c0 = time.perf_counter(), time.process_time()
    browse.compute_dashboard(conn, browse.Filters(), "/t", "/c")
    report("dashboard data uncached", f"{(time.perf_counter() - t0) * 1000:.0f} ms wall, "
           f"{(time.process_time() - c0) * 1000:.0f} ms CPU")
    report("dashboard after a write (the next reader's wait)", await _after_write(ds, conn, "/-/rectrack/dashboard"))
    conn.close()
    await bench_writes(path, seconds)


def _rectrack_config(path: Path, **config) -> dict:
    metadata = metadata_for(path)
    metadata.setdefault("plugins", {}).setdefault("rectrack", {}).update(config)
    return metadata


async def bench_writes(path: Path, seconds: float, batch_max: int | None = None) -> None:
    """Updates from 8 clients, with and without readers, in this process and over HTTP.
    ``batch_max``: the plugin's ``write_batch_max`` (1: a transaction per update)."""
    os.environ["RECTRACK_API_TOKEN"] = TOKEN
    config = {} if batch_max is None else {"write_batch_max": batch_max}
    label = "" if batch_max is None else f" (`write_batch_max: {batch_max}`)"
    ds = make_datasette(path, metadata=_rectrack_config(path, **config))
    await _writers_and_readers(ds, path, seconds, readers=0, label=label)
    await _writers_and_readers(ds, path, seconds, label=label)
    await _writers_and_readers(ds, path, seconds, status=True, label=label)
    if batch_max is None:
        await _writers_and_readers(make_datasette(path, metadata=_rectrack_config(path, recompute_every_ms=250)),
                                   path, seconds, status=True, label=" (`recompute_every_ms: 250`)")
    await _writers_and_readers_over_http(path, seconds, config, label)


HTTP_LABEL = " over HTTP (a `datasette serve` process: its CPU)"


async def _writers_and_readers_over_http(path: Path, seconds: float, config: dict | None = None,
                                         label: str = "") -> None:
    """The same writers and readers against ``datasette serve`` as ``rectrack serve`` runs it, from
    this process over keep-alive connections: the CPU figures are the server process's alone (the
    in-process figures above also count the ASGI client's work for each request)."""
    import httpx

    metadata_path = None
    if config:
        metadata_path = Path(tempfile.gettempdir()) / f"rectrack-bench-metadata-{os.getpid()}.json"
        metadata_path.write_text(json.dumps(_rectrack_config(path, **config)), encoding="utf-8")
    with served(path, env={**os.environ, "RECTRACK_API_TOKEN": TOKEN}, metadata_path=metadata_path) as base:
        pid = _child_pid()
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            assert (await client.get("/-/rectrack/summary.json")).status_code == 200  # a new process: warm it
            for readers, status in ((0, False), (2, False), (2, True)):
                await _writers_and_readers(None, path, seconds, readers=readers, status=status, client=client,
                                           cpu=lambda: _process_cpu(pid), label=HTTP_LABEL + label)


def _child_pid() -> int:
    """The one child process of this one (the server ``served`` started)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                        return int(entry)
            except (OSError, IndexError, ValueError):
                continue
    raise SystemExit("the server process was not found")


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _after_write(ds, conn, url: str, change: dict | None = None) -> str:
    """The median wait of the first request after a write (a priority edit, or ``change``: wall
    and CPU), whether it was the previous state's answer, and how long until the new state's
    answer is served."""
    waits, cpus, stale, until_fresh = [], [], 0, []
    for _ in range(3):
        await _fresh_answer(ds, url)
        rid, version = conn.execute("select id, version from recommendations where status = 'proposed' "
                                    "order by random() limit 1").fetchone()
        tracking.update_recommendation(conn, rid, change or {"priority": "high", "note": "bench"}, version, "bench")
        t0, c0 = time.perf_counter(), time.process_time()
        r = await ds.client.get(url)
        waits.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        stale += r.headers.get("x-rectrack-stale") == "1"
        await _fresh_answer(ds, url)
        until_fresh.append(time.perf_counter() - t0)
    return (f"{statistics.median(waits) * 1000:.0f} ms (CPU {statistics.median(cpus) * 1000:.0f} ms); "
            f"{stale} of 3 answered from the previous state; the new state's answer served after "
            f"{statistics.median(until_fresh) * 1000:.0f} ms")


async def _table_after_write(ds, conn, url: str, repeat: int = 5) -> str:
    waits, cpus = [], []
    for i in range(repeat):
        rid, version = conn.execute("select id, version from recommendations where status = 'proposed' "
                                    "order by random() limit 1").fetchone()
        tracking.update_recommendation(conn, rid, {"priority": "high", "note": "bench"}, version, "bench")
        t0, c0 = time.perf_counter(), time.process_time()
        r = await ds.client.get(f"{url}&_after_write={i}")
        assert r.status_code == 200
        waits.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return f"p50 {statistics.median(waits) * 1000:.0f} ms (CPU p50 {statistics.median(cpus) * 1000:.0f} ms)"


FACETS = metadata_for(Path("rectrack.db"))["databases"]["rectrack"]["tables"]["recommendations"]["facets"]
SEARCH_TERMS = ("peacekeeping", "mandate", "humanitarian", "civilians", "secretariat", "troop", "guidance",
                "training", "resources", "protection", "integrated", "mission")


async def _new_searches(ds, conn, page: bool = False, extra: str = "") -> str:
    """Each term searched once (its first request: nothing cached), with the number of matches and
    how many terms got all their configured facets counted (the others: ``facets_timed_out``).
    ``page``: the table's HTML page (its search box), each request after a write (a priority edit,
    not timed), so that nothing the JSON requests counted is reused; ``extra``: more of the query
    string (a filter beside the search, a sort)."""
    waits, cpus, matches, with_facets = [], [], [], 0
    for term in SEARCH_TERMS:
        matches.append(conn.execute("select count(*) from recommendations_fts where recommendations_fts match ?",
                                    (term,)).fetchone()[0])
        if page:
            rid, version = conn.execute("select id, version from recommendations where status = 'proposed' "
                                        "order by random() limit 1").fetchone()
            tracking.update_recommendation(conn, rid, {"priority": "high", "note": "bench"}, version, "bench")
        t0, c0 = time.perf_counter(), time.process_time()
        r = await ds.client.get(f"/rectrack/recommendations{'' if page else '.json'}?_search={term}&_size=50{extra}")
        assert r.status_code == 200
        waits.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        with_facets += "These facets timed out" not in r.text if page else len(r.json()["facet_results"]) == len(FACETS)
    return (f"p50 {statistics.median(waits) * 1000:.0f} ms (CPU p50 {statistics.median(cpus) * 1000:.0f} ms, "
            f"per term {min(cpus) * 1000:.0f}–{max(cpus) * 1000:.0f} ms) over "
            f"{len(SEARCH_TERMS)} terms matching {min(matches):,}–{max(matches):,} rows (median "
            f"{statistics.median(matches):,.0f}); facets counted for {with_facets} of them")


async def _fresh_answer(ds, url: str):
    """Ask until the answer is not the previous state's (``X-Rectrack-Stale: 0``)."""
    while True:
        r = await ds.client.get(url)
        if r.headers.get("x-rectrack-stale") != "1":
            return r
        await asyncio.sleep(0.02)


async def _writers_and_readers(ds, path: Path, seconds: float, clients: int = 8, readers: int = 2,
                               label: str = "", status: bool = False, client=None, cpu=time.process_time) -> None:
    """``clients`` tasks POST updates (each with its history row: a priority, or with ``status``
    the status between proposed and accepted) while ``readers`` poll summary.json. ``client``:
    what sends the requests (default ``ds.client``, in this process); ``cpu()``: the CPU seconds
    of the server so far (default this process's)."""
    client = client or ds.client
    conn = sqlite3.connect(path)
    ids = [r[0] for r in conn.execute("select id from recommendations where status = 'proposed' limit ?", (clients * 50,))]
    conn.close()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    done, reader_lat, stale = [0], [], [0]
    # each client reads its recommendations' versions before the clock starts (then each answer
    # gives the next version): the updates are timed, not a first read of each recommendation
    versions, statuses = {}, {}
    for rid in ids:
        current = (await client.get(f"/-/rectrack/recommendations/{rid}.json")).json()["recommendation"]
        versions[rid], statuses[rid] = current["version"], current["status"]
    stop = time.perf_counter() + seconds

    async def writer(k: int):
        mine = ids[k::clients]
        while time.perf_counter() < stop:
            rid = random.choice(mine)
            if rid not in versions:  # after a conflict: read it again
                current = (await client.get(f"/-/rectrack/recommendations/{rid}.json")).json()["recommendation"]
                versions[rid], statuses[rid] = current["version"], current["status"]
            change = {"priority": random.choice(["high", "low", "normal"])}
            if status:
                change = {"status": "proposed" if statuses.get(rid) == "accepted" else "accepted"}
            r = await client.post(f"/-/rectrack/recommendations/{rid}.json", headers=headers,
                                  content=json.dumps({**change, "note": "bench", "version": versions[rid]}))
            if r.status_code == 200:
                versions[rid] = r.json()["recommendation"]["version"]
                statuses[rid] = r.json()["recommendation"]["status"]
                done[0] += 1
            else:
                versions.pop(rid, None)

    async def reader():
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            r = await client.get("/-/rectrack/summary.json")
            assert r.status_code == 200
            reader_lat.append(time.perf_counter() - t0)
            stale[0] += r.headers.get("x-rectrack-stale") == "1"

    t0, c0 = time.perf_counter(), cpu()
    await asyncio.gather(*(writer(k) for k in range(clients)), *(reader() for _ in range(readers)))
    elapsed, spent = time.perf_counter() - t0, cpu() - c0
    # CPU-seconds the server spent per wall second, and per update: on a shared machine the
    # comparable figures (2 cores: at most 2 CPU-s per s)
    load = f"{spent / elapsed:.2f} CPU-s/s, {spent / max(done[0], 1) * 1000:.1f} ms CPU per update"
    what = "status changes" if status else "updates (priority)"
    if not readers:
        report(f"{what} from {clients} clients, no readers{label}", f"{done[0] / elapsed:.0f} updates/s ({load})")
        return
    report(f"{what} from {clients} clients while {readers} readers poll summary.json{label}",
           f"{done[0] / elapsed:.0f} updates/s ({load}, readers and recomputations included); "
           f"reader p50 {statistics.median(reader_lat) * 1000:.0f} ms, "
           f"max {max(reader_lat) * 1000:.0f} ms; {len(reader_lat)} reads, {stale[0]} of them the previous "
           f"state's answer")


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100, help="transcripts in the generated archive")
    parser.add_argument("--rows", type=int, default=300_000, help="recommendations in the large database")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each request benchmark")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each one-transcript stage")
    parser.add_argument("--workers", type=int, default=None, help="rectrack load --workers (default: its own)")
    parser.add_argument("--only", choices=["one", "load", "serve", "writes"], action="append",
                        help="run only these sections (writes: the updates from 8 clients, a part of serve)")
    parser.add_argument("--write-batch-max", type=int, action="append",
                        help="with --only writes: the plugin's write_batch_max for a run (repeat: one run each, "
                             "alternating, e.g. 1 and 64 side by side)")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose `rectrack load` the load section runs")
    parser.add_argument("--rebuild", action="store_true", help="build the large database again")
    args = parser.parse_args()
    sections = args.only or ["one", "load", "serve"]
    started = time.perf_counter()
    if "one" in sections:
        bench_one(args.repeat)
    if "load" in sections:
        bench_load(args.docs, args.code.resolve(), args.workers)
    if "serve" in sections:
        asyncio.run(bench_serve(large_db(args.rows, args.rebuild), args.seconds))
    elif "writes" in sections:
        for batch_max in args.write_batch_max or [None]:
            asyncio.run(bench_writes(large_db(args.rows, args.rebuild), args.seconds, batch_max))
    print(f"\nbench finished in {time.perf_counter() - started:.0f} s "
          f"(python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, {os.cpu_count()} cores)\n")
    print("| what | measured |\n|---|---|")
    for what, figure in RESULTS:
        print(f"| {what} | {figure} |")


if __name__ == "__main__":
    main()
