"""Glue: file -> Source -> Document -> extracted rows -> database.

``load_files`` is what ``rectrack load`` runs: it skips the files whose bytes (sha256) and
lexicon are those of the stored document, parses and extracts the others in a pool of worker
processes, and stores each result from the main process (one writer, one transaction per
document). The rules are compiled once in the main process; forked workers inherit them.
"""
from __future__ import annotations

import collections
import hashlib
import json
import multiprocessing
import os
from pathlib import Path

from . import store
from .errors import RectrackError
from .extract import extract, rules_for
from .lexicon import load_lexicon
from .model import Document, Source
from .read import document_id_for, find_transcripts, read_source
from .speakers import resolve_speakers, vocabulary
from .store import store_document
from .turns import parse_document

TOTAL_KEYS = ("documents", "speakers", "turns", "recommendations", "commitments", "kept_edited")
OUTCOMES = ("loaded", "unchanged", "skipped", "failed")  # what happened to each file
STAMP_BATCH = 64  # documents whose lexicon hash is written in one transaction


def process_source(source: Source, lexicon=None):
    """Pure: parse, resolve speakers and extract. Returns (document, recommendations, commitments)."""
    doc: Document = parse_document(source, lexicon)
    resolve_speakers(doc, lexicon)
    recs, coms = extract(doc, lexicon)
    return doc, recs, coms


def load_file(conn, path, lexicon=None) -> dict:
    """Read, process and store one file in one transaction. Returns counts."""
    source = read_source(path)
    doc, recs, coms = process_source(source, lexicon)
    return store_document(conn, doc, recs, coms)


def lexicon_digest(lexicon: dict) -> str:
    """A hash of the merged lexicon: a document extracted with another lexicon is out of date."""
    return hashlib.sha256(json.dumps(lexicon, sort_keys=True, default=str).encode("utf-8")).hexdigest()


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


def split_unchanged(conn, files, lexicon_sha: str, force: bool = False) -> tuple[list, list]:
    """(to load, unchanged): a file is unchanged when the stored document of its id has the same
    sha256 and was extracted with the same lexicon."""
    if force:
        return list(files), []
    stored = {row[0]: (row[1], row[2]) for row in
              conn.execute("SELECT id, sha256, lexicon_sha256 FROM documents")}
    todo, unchanged = [], []
    for path in files:
        known = stored.get(document_id_for(path))
        if known and known[1] == lexicon_sha and known[0] == file_digest(path):
            unchanged.append(path)
        else:
            todo.append(path)
    return todo, unchanged


# ---------------------------------------------------------------- workers

_WORKER: dict = {}  # the lexicon of this process (set before the pool forks, or by _init_worker)


def _init_worker(lexicon: dict) -> None:
    if _WORKER.get("lexicon") is not lexicon:
        _WORKER["lexicon"] = lexicon
        rules_for(lexicon)  # compiled once per process (inherited as is when the pool forks)
        vocabulary(lexicon)


def _work(path) -> tuple:
    """(path, (document, recommendations, commitments) or None, error message or None)."""
    try:
        return str(path), process_source(read_source(path), _WORKER.get("lexicon")), None
    except RectrackError as e:
        return str(path), None, str(e)
    except Exception as e:  # a bug on one file must not stop the others
        return str(path), None, f"{path}: failed ({type(e).__name__}: {e})"


def _results(files, workers: int, lexicon: dict):
    """``_work`` of each file, in order: in this process (workers <= 1) or in a pool, with at
    most two files per worker in flight (so finished documents never pile up in memory)."""
    _init_worker(lexicon)
    if workers <= 1 or len(files) <= 1:
        for path in files:
            yield _work(path)
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ctx.Pool(workers, initializer=_init_worker, initargs=(lexicon,))
    try:
        pending: collections.deque = collections.deque()
        queue = iter(files)
        for path in queue:
            pending.append(pool.apply_async(_work, (path,)))
            if len(pending) >= 2 * workers:
                break
        while pending:
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


def load_files(db_path, paths, lexicon_paths=(), workers: int | None = None, force: bool = False,
               on_progress=None) -> tuple[dict, list]:
    """Load transcripts into ``db_path``: one transaction per document, from one writer.

    Files whose bytes and lexicon are unchanged since they were stored are not redone (unless
    ``force``); the others are parsed and extracted by ``workers`` processes (default: the
    cores; 1: in this process). ``on_progress(totals, path, number of files)`` is called once for
    the unchanged files and after each other file. Returns (totals, errors): totals has the row counts
    (``TOTAL_KEYS``) and the outcome counts (``OUTCOMES``); errors are one-line messages.
    Raises RectrackError for a bad lexicon or a path that does not exist.
    """
    lexicon = load_lexicon(lexicon_paths)
    rules_for(lexicon)  # a malformed cue fails here, once, naming the cue; compiled once
    lexicon_sha = lexicon_digest(lexicon)
    files = find_transcripts(paths)
    totals = dict.fromkeys(TOTAL_KEYS + OUTCOMES, 0)
    errors: list[str] = []
    conn = store.connect(db_path)
    conn.execute("PRAGMA synchronous = NORMAL")  # WAL: a commit no longer waits for fsync; still atomic
    stamps: list[str] = []
    try:
        todo, unchanged = split_unchanged(conn, files, lexicon_sha, force)
        totals["unchanged"] = len(unchanged)
        if on_progress and unchanged:
            on_progress(totals, None, len(files))
        workers = default_workers() if workers is None else max(1, workers)
        for path, result, error in _results(todo, workers, lexicon):
            if error is None:
                try:
                    counts = store.store_document(conn, *result)
                except RectrackError as e:
                    error = str(e)
                except Exception as e:  # a bug on one file must not stop the others
                    error = f"{path}: failed ({type(e).__name__}: {e})"
            if error is not None:
                errors.append(error)
                totals["failed"] += 1
            else:
                totals["loaded"] += 1
                for k in TOTAL_KEYS:
                    totals[k] += counts.get(k, 0)
                stamps.append(result[0].id)
                if len(stamps) >= STAMP_BATCH:
                    _stamp(conn, stamps, lexicon_sha)
            if on_progress:
                on_progress(totals, path, len(files))
    finally:
        try:
            _stamp(conn, stamps, lexicon_sha)
        finally:
            conn.close()
    return totals, errors


def _stamp(conn, doc_ids: list, lexicon_sha: str) -> None:
    """Record which lexicon the stored documents were extracted with (after they are stored: a
    crash in between only means they are redone next time)."""
    if doc_ids:
        with conn:
            conn.executemany("UPDATE documents SET lexicon_sha256 = ? WHERE id = ?",
                             [(lexicon_sha, d) for d in doc_ids])
        doc_ids.clear()
