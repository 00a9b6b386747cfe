"""Glue: file -> Source -> Document -> extracted rows -> database.

``load_files`` is what ``rectrack load`` runs: it skips the files whose bytes (sha256) and
lexicon are those of the stored document, parses and extracts the others in a pool of worker
processes, and stores each result from the main process (one writer, several documents per
transaction, a savepoint each: ``store.BatchWriter``). The rules are compiled once in the main
process; forked workers inherit them.
"""
from __future__ import annotations

import collections
import hashlib
import json
import multiprocessing
import os
import sqlite3
from pathlib import Path

from . import store
from .context import apply_context, read_sidecar
from .documents import derive_title
from .errors import DatabaseBusy, RectrackError, is_busy
from .extract import extract, link_commitments, rules_for
from .learned_filter import model_digest
from .lexicon import load_lexicon
from .locations import apply_source
from .model import Document, Source
from .read import document_id_for, read_source, scan_paths
from .speakers import resolve_speakers, vocabulary
from .store import store_document
from .turns import parse_document

TOTAL_KEYS = ("documents", "speakers", "turns", "recommendations", "commitments", "kept_edited")
OUTCOMES = ("loaded", "unchanged", "skipped", "failed")  # what happened to each file
LOAD_CHECKPOINT_PAGES = 4000  # WAL pages between the automatic checkpoints of a load's connection


LONG_DOCUMENT = 2_000_000  # characters: a document this long is extracted in runs of turns across the pool


def process_source(source: Source, lexicon=None, context: dict | None = None, workers: int = 1):
    """Pure: parse, resolve speakers, read the meeting's context and extract.

    ``context`` is what the user says of the meeting (``forum``, ``addressee``); it wins over what
    the transcript shows. With ``workers`` > 1 a long document's turns are extracted in that many
    processes (the same output). Returns (document, recommendations, commitments).
    """
    doc: Document = apply_source(parse_document(source, lexicon), source)
    doc.title = derive_title(doc, lexicon)
    resolve_speakers(doc, lexicon)
    apply_context(doc, lexicon, context)
    if workers > 1 and len(doc.text) >= LONG_DOCUMENT and len(doc.turns) > 1:
        recs, coms = extract_in_runs(doc, lexicon, workers)
    else:
        recs, coms = extract(doc, lexicon)
    return doc, recs, coms


def turn_runs(turns: list, n: int) -> list[list]:
    """``turns`` cut into at most ``n`` consecutive runs of about the same number of characters."""
    total = sum(t.char_end - t.char_start for t in turns) or 1
    runs, run, size = [], [], 0
    for t in turns:
        run.append(t)
        size += t.char_end - t.char_start
        if size >= total * (len(runs) + 1) / n and len(runs) < n - 1:
            runs.append(run)
            run = []
    return runs + ([run] if run else [])


_LONG: dict = {}  # the document a forked pool extracts in runs (inherited, not pickled)


def _extract_run(bounds: tuple[int, int]) -> tuple:
    doc, lexicon = _LONG["doc"], _LONG["lexicon"]
    return extract(doc, lexicon, turns=doc.turns[bounds[0]:bounds[1]], link=False)


def extract_in_runs(doc: Document, lexicon, workers: int) -> tuple[list, list]:
    """``extract(doc)`` with runs of turns extracted in ``workers`` forked processes, put together
    in order and linked once; where fork is not available, in this process."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return extract(doc, lexicon)
    rules_for(lexicon)  # compiled before the fork: the workers inherit the rules
    bounds, at = [], 0
    for run in turn_runs(doc.turns, workers):
        bounds.append((at, at + len(run)))
        at += len(run)
    _LONG.update(doc=doc, lexicon=lexicon)
    try:
        with multiprocessing.get_context("fork").Pool(len(bounds)) as pool:
            parts = pool.map(_extract_run, bounds)
    finally:
        _LONG.clear()
    recs = [r for part_recs, _ in parts for r in part_recs]
    coms = [c for _, part_coms in parts for c in part_coms]
    link_commitments(recs, coms, lexicon)
    return recs, coms


def load_file(conn, path, lexicon=None) -> dict:
    """Read, process and store one file in one transaction. Returns counts."""
    source = read_source(path)
    doc, recs, coms = process_source(source, lexicon)
    return store_document(conn, doc, recs, coms)


def lexicon_digest(lexicon: dict) -> str:
    """A hash of the merged lexicon and of the filter model it switches on: a document extracted
    with another lexicon or another model is out of date."""
    model = model_digest(lexicon)
    parts = lexicon if model is None else {"lexicon": lexicon, "filter_model": model}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def file_digest(path) -> str | None:
    """sha256 of the file's bytes (what ``Source.sha256`` holds); None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def settings_digest(lexicon_sha: str, path, context: dict | None = None, encoding: str | None = None) -> str:
    """What a file was extracted with besides its bytes: the lexicon, the run's ``context`` and
    ``encoding``, and the file's sidecar (``<file>.meta.json``). Stored in
    ``documents.lexicon_sha256``; when any of these changes, the file is redone."""
    side = Path(str(path) + ".meta.json")
    # only the values that are used (an unset --forum is None from the command line, absent from
    # a library call: the same run)
    used = {k: v for k, v in (context or {}).items() if v}
    parts = {"lexicon": lexicon_sha, "context": used, "encoding": encoding,
             "sidecar": file_digest(side) if side.exists() else None}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def split_unchanged(conn, files, lexicon_sha: str, force: bool = False, context: dict | None = None,
                    encoding: str | None = None) -> tuple[list, list]:
    """(to load, unchanged): a file is unchanged when the stored document of its id has the same
    sha256 and was extracted with the same lexicon, context, encoding and sidecar."""
    if force:
        return list(files), []
    stored = {row[0]: (row[1], row[2]) for row in
              conn.execute("SELECT id, sha256, lexicon_sha256 FROM documents")}
    todo, unchanged = [], []
    for path in files:
        known = stored.get(document_id_for(path))
        if (known and known[1] == settings_digest(lexicon_sha, path, context, encoding)
                and known[0] == file_digest(path)):
            unchanged.append(path)
        else:
            todo.append(path)
    return todo, unchanged


# ---------------------------------------------------------------- workers

_WORKER: dict = {}  # the lexicon of this process (set before the pool forks, or by _init_worker)


def _init_worker(lexicon: dict, context: dict | None = None, encoding: str | None = None) -> None:
    _WORKER["context"], _WORKER["encoding"] = context, encoding
    if _WORKER.get("lexicon") is not lexicon:
        _WORKER["lexicon"] = lexicon
        rules_for(lexicon)  # compiled once per process (inherited as is when the pool forks)
        vocabulary(lexicon)


def _work(path) -> tuple:
    """(path, (document, recommendations, commitments) or None, error message or None, warnings).

    The meeting's context is the run's (``rectrack load --forum/--addressee``), else the file's
    sidecar, else what the transcript shows."""
    try:
        source = read_source(path, _WORKER.get("encoding"))
        context = {**read_sidecar(path), **{k: v for k, v in (_WORKER.get("context") or {}).items() if v}}
        result = process_source(source, _WORKER.get("lexicon"), context, _WORKER.get("inner_workers", 1))
        return str(path), result, None, list(source.warnings)
    except RectrackError as e:
        return str(path), None, str(e), []
    except Exception as e:  # a bug on one file must not stop the others
        return str(path), None, f"{path}: failed ({type(e).__name__}: {e})", []


IDLE = None  # what ``_results`` yields when the next result is not ready within ``wait()`` seconds
LONG_FILE_BYTES = 1_000_000  # in this process (workers=1), a file this large is read after a commit


def _size(path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _results(files, workers: int, lexicon: dict, context: dict | None = None, encoding: str | None = None,
             wait=None):
    """``_work`` of each file, in order: in this process (workers <= 1) or in a pool, with at
    most two files per worker in flight (so finished documents never pile up in memory).

    ``wait()``: how many seconds the caller can wait for the next result before it has something
    to do (None: as long as it takes); when the pool's next result is not ready by then, ``IDLE``
    is yielded first (the writer commits its batch instead of holding the lock while it waits).
    In this process, ``IDLE`` comes before a file of ``LONG_FILE_BYTES`` or more while a batch
    is open."""
    _init_worker(lexicon, context, encoding)
    if workers <= 1 or len(files) <= 1:
        _WORKER["inner_workers"] = workers  # one file: its own pool when it is long
        try:
            for path in files:
                if wait is not None and wait() is not None and _size(path) >= LONG_FILE_BYTES:
                    yield IDLE  # a long file is extracted here, in the writer: not while it holds the lock
                yield _work(path)
        finally:
            _WORKER["inner_workers"] = 1
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ctx.Pool(workers, initializer=_init_worker, initargs=(lexicon, context, encoding))
    try:
        pending: collections.deque = collections.deque()
        queue = iter(files)
        for path in queue:
            pending.append(pool.apply_async(_work, (path,)))
            if len(pending) >= 2 * workers:
                break
        while pending:
            limit = wait() if wait is not None else None
            if limit is not None and not pending[0].ready():
                pending[0].wait(limit)
                if not pending[0].ready():
                    yield IDLE
            result = pending.popleft().get()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.apply_async(_work, (nxt,)))
            yield result
        pool.close()
    finally:
        pool.terminate()
        pool.join()


# ---------------------------------------------------------------- the load


BATCH_DOCUMENTS = 16  # documents stored in one transaction at most
BATCH_SECONDS = 1.0  # ... or stored within this long of the batch's first (the write lock is held meanwhile)
BATCH_CHARACTERS = 4_000_000  # ... or this much text
LOAD_CACHE_KIB = 65536  # the load connection's page cache (64 MiB: the indexes a load writes stay in memory)


def load_files(db_path, paths, lexicon_paths=(), workers: int | None = None, force: bool = False,
               on_progress=None, encoding: str | None = None, context: dict | None = None,
               batch_documents: int = BATCH_DOCUMENTS, batch_seconds: float = BATCH_SECONDS,
               batch_characters: int = BATCH_CHARACTERS) -> tuple[dict, list]:
    """Load transcripts into ``db_path`` from one writer, several documents per transaction.

    Files no reader takes are skipped and named (``totals["skipped_files"]``); a path that does
    not exist is an error. Files whose bytes and settings (lexicon, ``context``, ``encoding``,
    sidecar) are unchanged since they were stored are not redone (unless ``force``); the others
    are parsed and extracted by ``workers`` processes (default: the cores; 1: in this process).
    ``encoding`` overrides detection for text formats; ``context`` (``forum``, ``addressee``)
    says what the meeting is, for every file.

    The writer stores up to ``batch_documents`` documents, ``batch_characters`` characters or
    ``batch_seconds`` of them in one transaction (``store.BatchWriter``: a savepoint per
    document, so a failing document is rolled back alone; ``batch_documents=1``: one transaction
    per document). It commits early rather than hold the lock while it waits for the workers.
    A document counts as loaded once its batch is committed: ``on_progress(totals, path, number
    of files)`` is called once for the unchanged files and for each other file once its outcome
    is known (a batch's files together, at its commit). Returns (totals, errors): totals has the
    row counts (``TOTAL_KEYS``), the outcome counts (``OUTCOMES``) and the one-line
    ``skipped_files`` and ``warnings``; errors are one-line messages.
    Raises RectrackError for a bad lexicon or a database that cannot be opened.
    """
    lexicon = load_lexicon(lexicon_paths)
    rules_for(lexicon)  # a malformed cue fails here, once, naming the cue; compiled once
    lexicon_sha = lexicon_digest(lexicon)
    files, skipped, missing = scan_paths(paths)
    totals = dict.fromkeys(TOTAL_KEYS + OUTCOMES, 0)
    totals.update(skipped=len(skipped), skipped_files=list(skipped), warnings=[])
    errors: list[str] = list(missing)
    totals["failed"] = len(missing)
    conn = connect(db_path)
    conn.execute("PRAGMA synchronous = NORMAL")  # WAL: a commit no longer waits for fsync; still atomic
    # a checkpoint every 4,000 WAL pages (16 MB) instead of 1,000: the index and count pages the
    # documents of a load share are copied back once per checkpoint, not once per few documents
    conn.execute(f"PRAGMA wal_autocheckpoint = {LOAD_CHECKPOINT_PAGES}")
    conn.execute("PRAGMA temp_store = MEMORY")  # the savepoints' statement journals: no temporary files
    conn.execute(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
    writer = store.BatchWriter(conn, max(1, batch_documents), batch_seconds, batch_characters)
    seen_ids: dict[str, str] = {}  # document id -> the file stored under it in this run
    stored: dict[str, tuple] = {}  # path -> (document id, counts): in the open batch

    def fail(path, message):
        errors.append(message)
        totals["failed"] += 1
        if on_progress:
            on_progress(totals, path, len(files))

    def commit():
        if not writer.batch:
            return
        done_paths = writer.pending()
        try:
            done = writer.commit()
        except sqlite3.Error as e:
            for path in done_paths:
                doc_id, _counts = stored.pop(path)
                seen_ids.pop(doc_id, None)
                fail(path, f"{path}: failed (not committed: {type(e).__name__}: {e})")
            return
        for path in done:
            _doc_id, counts = stored.pop(path)
            totals["loaded"] += 1
            for k in TOTAL_KEYS:
                totals[k] += counts.get(k, 0)
            if on_progress:
                on_progress(totals, path, len(files))

    try:
        todo, unchanged = split_unchanged(conn, files, lexicon_sha, force, context, encoding)
        totals["unchanged"] = len(unchanged)
        if on_progress and unchanged:
            on_progress(totals, None, len(files))
        workers = default_workers() if workers is None else max(1, workers)
        for item in _results(todo, workers, lexicon, context, encoding, wait=writer.seconds_left):
            if item is IDLE:
                commit()
                continue
            path, result, error, warnings = item
            totals["warnings"].extend(warnings)
            doc_id = result[0].id if result else None
            if error is None and doc_id in seen_ids:
                error = f"{path}: same document id {doc_id!r} as {seen_ids[doc_id]} in this run (rename one of them)"
            if error is None:
                try:
                    counts = writer.store(*result, stamp=settings_digest(lexicon_sha, path, context, encoding),
                                          key=path)
                except RectrackError as e:
                    error = str(e)
                except Exception as e:  # a bug on one file must not stop the others
                    error = f"{path}: failed ({type(e).__name__}: {e})"
            if error is not None:
                fail(path, error)
            else:
                seen_ids[doc_id] = path
                stored[path] = (doc_id, counts)
            if writer.full():
                commit()
        commit()
    finally:
        try:
            if writer.batch:  # interrupted: what was stored whole is kept, as a commit per document kept it
                commit()
        finally:
            writer.rollback()
            conn.close()
    return totals, errors


def connect(db_path):
    """store.connect, with a file that cannot be opened as a database as a one-line RectrackError."""
    try:
        return store.connect(db_path)
    except sqlite3.Error as e:
        if is_busy(e):
            raise DatabaseBusy(db_path, e) from None
        raise RectrackError(f"{db_path}: cannot open as a rectrack database ({e})") from None
