"""The ``rectrack`` command line: a thin wrapper over the loader library."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from pathlib import Path

import click

from . import pipeline, store
from .documents import check_details, set_document_details
from .errors import DatabaseBusy, RectrackError, is_busy
from .lexicon import load_lexicon
from .pipeline import connect, process_source
from .read import document_id_for, read_source, scan_paths, supported_list
from .requests import check_text

from .web import SEEDS, metadata_for, port_in_use, run_in_place, serve_args, sign_in_accounts, sign_in_hint


@click.group()
@click.version_option(package_name="rectrack")
def cli():
    """rectrack: meeting transcripts -> a tracked list of recommendations.

    \b
    Example:
        rectrack load seeds/ --db rectrack.db
        rectrack serve --db rectrack.db
    """


def load_paths(db_path, paths, lexicon_paths=(), echo=click.echo, progress=True, workers=None, force=False,
               encoding=None, context=None):
    """Load transcripts into ``db_path`` (``pipeline.load_files``), with a progress bar on stderr
    when there is more than one file. Returns (totals, errors)."""
    if not progress:
        return pipeline.load_files(db_path, paths, lexicon_paths, workers=workers, force=force,
                                   encoding=encoding, context=context)
    with contextlib.ExitStack() as stack:
        state = {}

        def on_progress(totals, path, n):
            if "bar" not in state:
                if n <= 1:
                    state["bar"] = None
                else:
                    state["bar"] = stack.enter_context(click.progressbar(
                        length=n, label="Loading", show_pos=True, file=sys.stderr, item_show_func=lambda s: s))
                    state["done"] = 0
            bar = state["bar"]
            if bar is not None:
                done = sum(totals[k] for k in pipeline.OUTCOMES)
                bar.update(done - state["done"], current_item=outcome_line(totals))
                state["done"] = done

        return pipeline.load_files(db_path, paths, lexicon_paths, workers=workers, force=force,
                                   on_progress=on_progress, encoding=encoding, context=context)


def outcome_line(totals, every: bool = False) -> str:
    """``3 loaded, 2 unchanged, 0 failed`` (skipped files too when there are any, or ``every``)."""
    parts = [f"{totals.get(k, 0)} {k}" for k in pipeline.OUTCOMES if every or k != "skipped" or totals.get(k)]
    return ", ".join(parts)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--db", "db_path", default="rectrack.db", show_default=True, help="SQLite database file")
@click.option("--lexicon", "lexicon_paths", multiple=True, type=click.Path(),
              help="Extra lexicon YAML merged over the default (repeatable)")
@click.option("--encoding", help="Encoding of text files (.txt .vtt .srt .json), e.g. cp1252 [default: detected]")
@click.option("--title", help="Title of the document (one transcript only); kept across reloads")
@click.option("--date", "event_date", help="Date of the event, YYYY-MM-DD (one transcript only)")
@click.option("--forum", help="The body meeting (e.g. \"General Assembly\"), for every file [default: read from the transcript]")
@click.option("--addressee", help="To whom its members' demands go by default (e.g. \"Welsh Government\")")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes that parse and extract [default: the number of cores; 1: no pool]")
@click.option("--force", is_flag=True, help="Redo files whose contents and settings are unchanged")
def load(paths, db_path, lexicon_paths, encoding, title, event_date, forum, addressee, workers, force):
    """Load transcripts (files or folders) into the database.

    Reads .txt (any encoding), .pdf (text layer), .docx, .vtt and .srt captions and .json turns;
    other files are skipped and named. Loading a file again replaces what was extracted from it;
    human edits are kept. A file whose bytes and settings (lexicon, --forum/--addressee,
    --encoding, its sidecar) are unchanged since it was stored is skipped (--force redoes it).
    Exits 1 when a file fails or nothing was loaded.
    A transcript without a title block gets one from its opening words, first line or
    file name; --title and --date set your own (recorded in document_changes).
    The meeting's forum and addressee are read from the title block and the labels; --forum
    and --addressee (or a FILE.meta.json sidecar: {"forum": ..., "addressee": ...}) say them.

    \b
    Example:
        rectrack load seeds/
        rectrack load A-79-PV.29.pdf meeting.docx zoom.vtt --db work.db
        rectrack load hearing.txt debates/ --db work.db --lexicon my-lexicon.yml
        rectrack load old-notes.txt --encoding cp1252
        rectrack load committee-4-may.txt --title "Education Committee: oral evidence" --date 2022-05-04
        rectrack load archive/ --workers 4
        rectrack load archive/ --force
        rectrack load hearing.txt --forum "Public Accounts Committee" --addressee "Welsh Government"
    """
    try:
        if title is not None or event_date is not None:
            check_details(title, event_date)
            files = scan_paths(paths)[0]
            if len(files) != 1:
                raise click.ClickException(
                    f"--title and --date describe one transcript: {len(files)} found in {', '.join(paths)}")
        totals, errors = load_paths(db_path, paths, lexicon_paths, workers=workers, force=force, encoding=encoding,
                                    context={"forum": forum, "addressee": addressee})
        if (title is not None or event_date is not None) and not errors:
            import getpass

            conn = connect(db_path)
            try:
                set_document_details(conn, document_id_for(files[0]), title, event_date, getpass.getuser())
            finally:
                conn.close()
    except RectrackError as e:
        raise click.ClickException(str(e))
    echo_outcomes(totals, errors)
    click.echo(
        f"Loaded {totals['documents']} document(s): {totals['speakers']} speakers, {totals['turns']} turns, "
        f"{totals['recommendations']} recommendations, {totals['commitments']} commitments"
        + (f" ({totals['kept_edited']} edited recommendation(s) no longer extracted were kept)"
           if totals["kept_edited"] else "")
        + f" -> {db_path}"
    )
    click.echo("Summary: " + outcome_line(totals, every=True))
    if not (totals["loaded"] or totals["unchanged"]):
        found = totals["failed"] or totals["skipped"]
        click.echo("Error: nothing loaded" + ("" if found else f": no files in {', '.join(paths)}; "
                                               f"rectrack reads {supported_list()}"), err=True)
    if errors or not (totals["loaded"] or totals["unchanged"]):
        sys.exit(1)


def echo_outcomes(totals, errors):
    """Warnings, skipped files and errors of a load run, one line each, on stderr."""
    for message in totals["warnings"]:
        click.echo(f"Warning: {message}", err=True)
    for message in totals["skipped_files"]:
        click.echo(f"Skipped: {message}", err=True)
    for message in errors:
        click.echo(f"Error: {message}", err=True)


def datasette_args(db_path, host, port):
    return [sys.executable, "-m", "datasette", "serve", str(db_path), *serve_args(db_path), "--host", host, "--port", str(port)]


DEFAULT_DB = "rectrack.db"


def prepare_database(db_path, demo=False, echo=click.echo):
    """Make ``db_path`` ready to serve. The seed transcripts are loaded only into the quick-start
    database (the default file, when it does not exist yet) or when ``demo`` asks for them; any
    other new file starts empty, and the message says how to fill it."""
    new = not Path(db_path).exists()
    if demo or (new and Path(db_path).name == DEFAULT_DB and Path(db_path).parent == Path(".")):
        echo(f"Loading the demo seed transcripts from {SEEDS} into {db_path}"
             + ("" if demo else " (the quick-start database; other files start empty)"))
        totals, errors = load_paths(db_path, [SEEDS], progress=False)
        for message in errors:
            echo(f"Error: {message}", err=True)
        echo(f"Loaded {totals['documents']} document(s), {totals['recommendations']} recommendations")
        return
    connect(db_path).close()  # create the file, or bring an older file's schema up to date
    if new:
        echo(f"{db_path} is new and empty: load transcripts with `rectrack load FILE... --db {db_path}`"
             " (or serve with --demo to load the seed transcripts)")


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database file")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Load the seed transcripts (seeds/) into the database first")
def serve(db_path, host, port, demo):
    """Serve the database with Datasette.

    The seed transcripts are loaded only into the quick-start database (rectrack.db in the
    current folder, the first time) or with --demo; any other new --db file starts empty.

    \b
    Example:
        rectrack serve
        rectrack serve --db work.db --host 0.0.0.0 --port 8080
        rectrack serve --db demo.db --demo
    """
    if port_in_use(host, port):
        raise click.ClickException(
            f"port {port} on {host} is already in use (another server?): stop it or choose another with --port")
    from .answers import check_timing_config  # asyncio and threading: not needed by a load

    metadata = metadata_for(db_path)
    try:
        check_timing_config((metadata.get("plugins") or {}).get("rectrack"))
        prepare_database(db_path, demo)
    except RectrackError as e:
        raise click.ClickException(str(e))
    accounts = sign_in_accounts(metadata, os.environ)
    hint = sign_in_hint(accounts)
    if hint:
        click.echo(hint)
    elif accounts["users"]:
        click.echo(f"Sign in at http://{host}:{port}/-/login as {' or '.join(accounts['users'])}")
    args = datasette_args(db_path, host, port)
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C or SIGTERM stops it)")
    sys.exit(run_in_place(args))


@cli.command(name="backup")
@click.argument("dest", type=click.Path())
@click.option("--db", "db_path", default="rectrack.db", show_default=True, help="SQLite database file")
@click.option("--force", is_flag=True, help="Overwrite DEST when it exists")
def backup_command(dest, db_path, force):
    """Copy the database to DEST, safely while `rectrack serve` keeps running and writing.

    Uses SQLite's online backup API: the copy is one consistent snapshot (every edit and its
    history row, or neither). DEST may be a folder: the copy is then named
    <db name>-YYYYMMDD-HHMMSS.db (UTC). To restore: stop the server, delete the
    database's -wal and -shm files, copy the backup over the database.

    \b
    Example:
        rectrack backup backups/rectrack-2026-12-01.db
        rectrack backup /mnt/backups/ --db work.db
    """
    from .backup import backup

    try:
        result = backup(db_path, dest, overwrite=force)
    except RectrackError as e:
        raise click.ClickException(str(e))
    click.echo(f"Backed up {db_path} -> {result['path']} ({result['bytes'] / 1e6:.1f} MB: "
               f"{result['documents']} documents, {result['recommendations']} recommendations, "
               f"{result['status_changes']} history rows)")


def run_write(db_path, fn):
    """``fn(conn)`` on the existing database ``db_path``; library errors and a database locked by
    another writer become one-line ClickExceptions, nothing half written."""
    if not Path(db_path).exists():
        raise click.ClickException(f"{db_path}: no such database")
    try:
        conn = connect(db_path)
    except RectrackError as e:
        raise click.ClickException(str(e))
    try:
        return fn(conn)
    except RectrackError as e:
        raise click.ClickException(str(e))
    except sqlite3.OperationalError as e:
        if not is_busy(e):
            raise
        raise click.ClickException(str(DatabaseBusy(db_path, e)))
    finally:
        conn.close()


def check_arguments(values: dict) -> None:
    """Raise BadText naming the first argument that is not valid text (undecodable bytes)."""
    for name, value in values.items():
        check_text(name, value)


@cli.command(name="set")
@click.argument("rec_id", metavar="ID")
@click.option("--status", help="New status: proposed, accepted, in_progress, implemented, "
              "partially_implemented, declined, dismissed")
@click.option("--owner", help="Who follows it up (empty string clears)")
@click.option("--due", "due_date", help="Due date, YYYY-MM-DD (empty string clears)")
@click.option("--priority", help="high, normal or low")
@click.option("--follow-up", "follow_up", help="Next step or notes (empty string clears)")
@click.option("--note", help="Why, recorded in the history")
@click.option("--actor", "actors", multiple=True, help="Correct the actor(s): an existing actor or a new name "
              "(repeat for several; the first is the main one)")
@click.option("--actor-kind", help="Kind of the actors named with --actor that are new (e.g. government)")
@click.option("--theme", help="Correct the theme")
@click.option("--strength", help="Correct the strength: must, should or could")
@click.option("--span", help="Correct the span: START:END offsets in the document, inside the same turn")
@click.option("--kind", help="recommendation or commitment")
@click.option("--reviewed", is_flag=True, help="Mark it checked as it is")
@click.option("--as", "who", help="Recorded as the author [default: the OS user]")
@click.option("--db", "db_path", default="rectrack.db", show_default=True, help="SQLite database file")
def set_(rec_id, status, owner, due_date, priority, follow_up, note, actors, actor_kind, theme, strength, span, kind,
         reviewed, who, db_path):
    """Change the status or follow-up of recommendation ID, or correct what was extracted, with a history row.

    The same rules as the web page apply (see docs/tracking.md for the allowed status
    transitions). The current version is read for you. Corrected fields are kept by reloads.

    \b
    Example:
        rectrack set r3f2a9c1d0 --status accepted --owner "DPO" --due 2025-06-30
        rectrack set r3f2a9c1d0 --status implemented --note "Reported done on 3 May" --as ana
        rectrack set r3f2a9c1d0 --actor "Security Council" --actor "Local NGOs" --actor-kind "civil society"
        rectrack set r3f2a9c1d0 --theme mandates --strength must --span 1200:1310
        rectrack set r3f2a9c1d0 --kind commitment
        rectrack set r3f2a9c1d0 --reviewed
    """
    import getpass

    from . import review, tracking

    given = {"status": status, "owner": owner, "due_date": due_date, "priority": priority,
             "follow_up": follow_up, "note": note, "theme": theme, "strength": strength, "kind": kind}
    changes = {k: v for k, v in given.items() if v is not None}
    if actors:
        changes["actors"] = [{"name": a, "kind": actor_kind} for a in actors]
    if reviewed:
        changes["reviewed"] = True
    if span is not None:
        start, sep, end = span.partition(":")
        if not sep or not start.strip().isdigit() or not end.strip().isdigit():
            raise click.ClickException(f"--span: {span!r} is not START:END (two offsets, e.g. 1200:1310)")
        changes.update(char_start=int(start), char_end=int(end))
    if not changes:
        raise click.ClickException("nothing to set: give --status, --owner, --due, --priority, --follow-up, --note, "
                                   "--actor, --theme, --strength, --span, --kind or --reviewed")
    try:
        check_arguments({"ID": rec_id, "--as": who, "--status": status, "--owner": owner, "--due": due_date,
                         "--priority": priority, "--follow-up": follow_up, "--note": note,
                         "--actor-kind": actor_kind, "--theme": theme, "--strength": strength, "--span": span,
                         "--kind": kind})
        for a in actors:
            check_text("--actor", a)
    except RectrackError as e:
        raise click.ClickException(str(e))
    def update(conn):
        version = tracking.get_record(conn, rec_id)["version"]
        return review.update_item(conn, rec_id, changes, version, who or getpass.getuser())

    result = run_write(db_path, update)
    rec, change = result["recommendation"], result["change"]
    if change is None:
        click.echo(f"{rec_id}: nothing changed (status {rec['status']}, version {rec['version']})")
    else:
        fields = ", ".join(k for k in change["changes"] if k != "status")
        click.echo(f"{rec_id}: {change['from_status']} -> {change['to_status']}"
                   + (f"; changed {fields}" if fields else "") + f" (version {rec['version']})")


@cli.command()
@click.option("--document", "document_id", required=True, help="The document id (see the documents table)")
@click.option("--quote", help="The words, exactly as in the transcript (must occur once)")
@click.option("--span", help="Or START:END offsets in the document, inside one turn")
@click.option("--kind", default="recommendation", show_default=True, help="recommendation or commitment")
@click.option("--actor", "actors", multiple=True, help="Who is asked to act (repeatable) [default: guessed]")
@click.option("--actor-kind", help="Kind of the actors named with --actor that are new")
@click.option("--theme", help="[default: guessed]")
@click.option("--strength", help="must, should or could [default: guessed]")
@click.option("--note", help="Why, recorded in the history")
@click.option("--as", "who", help="Recorded as the author [default: the OS user]")
@click.option("--db", "db_path", default="rectrack.db", show_default=True, help="SQLite database file")
def add(document_id, quote, span, kind, actors, actor_kind, theme, strength, note, who, db_path):
    """Add a recommendation (or commitment) the extractor missed; prints its id.

    The actor, theme and strength you do not give are guessed by the extractor's rules. The
    row is marked as added by hand (origin manual), counts as reviewed, and survives reloads.

    \b
    Example:
        rectrack add --document hearing --quote "The Ministry should publish the data every month."
        rectrack add --document hearing --span 5120:5188 --kind commitment --actor "Ministry of Health"
    """
    import getpass

    from . import review

    if (quote is None) == (span is None):
        raise click.ClickException("give --quote or --span (one of them)")
    body = {"document_id": document_id, "kind": kind}
    if quote is not None:
        body["quote"] = quote
    else:
        start, sep, end = span.partition(":")
        if not sep or not start.strip().isdigit() or not end.strip().isdigit():
            raise click.ClickException(f"--span: {span!r} is not START:END (two offsets, e.g. 1200:1310)")
        body.update(char_start=int(start), char_end=int(end))
    if actors:
        body["actors"] = [{"name": a, "kind": actor_kind} for a in actors]
    body.update({k: v for k, v in {"theme": theme, "strength": strength, "note": note}.items() if v is not None})
    result = run_write(db_path, lambda conn: review.create_item(conn, body, who or getpass.getuser()))
    rec = result["recommendation"]
    click.echo(f"{result['id']}: added {rec['kind']} to {rec['actor_id']} ({rec['theme']}, {rec['strength']}) "
               f"at {rec['char_start']}-{rec['char_end']}")


def print_db_eval(figures: dict, echo=click.echo) -> None:
    """The ``rectrack eval --db`` report: one line per reviewed document, then the pooled line."""
    def line(label, d):
        return (f"{label:<32} P {d['precision']:.2f}  R {d['recall']:.2f}  F1 {d['f1']:.2f}  "
                f"actor accuracy {d['actor_accuracy']:.2f}  (tp {d['tp']}, fp {d['fp']}, fn {d['fn']}, "
                f"actors right {d['actor_right']} of {d['actor_n']})")

    if not figures["documents"]:
        echo("No reviewed documents yet: review items in /-/rectrack/review (or rectrack set ID --reviewed).")
    for doc in figures["documents"]:
        echo(line(doc["document_id"][:32], doc))
    if figures["documents"]:
        echo(line(f"Pooled ({len(figures['documents'])} document(s))", figures["pooled"]))
    for doc in figures["partly_reviewed"]:
        echo(f"Skipped {doc['document_id']}: {doc['unreviewed']} extracted item(s) not reviewed yet")


@cli.command(name="export-gold")
@click.option("--db", "db_path", default="rectrack.db", show_default=True, help="SQLite database file")
@click.argument("out_dir", type=click.Path(file_okay=False))
def export_gold(db_path, out_dir):
    """Write the reviewed documents' items as gold files that rectrack eval --gold reads.

    One folder per reviewed document: the transcript text (<id>.txt) and gold_recommendations.json.

    \b
    Example:
        rectrack export-gold --db rectrack.db my-gold/
        rectrack eval --gold my-gold/hearing --transcript my-gold/hearing/hearing.txt
    """
    from .quality import export_gold as write_gold

    if not Path(db_path).exists():
        raise click.ClickException(f"{db_path}: no such database")
    conn = store.connect(db_path)
    try:
        folders = write_gold(conn, out_dir)
    finally:
        conn.close()
    for folder in folders:
        click.echo(f"Wrote {folder}")
    if not folders:
        click.echo("No reviewed documents yet: nothing written.")


def eval_figures(gold_dir, transcript, lexicon_paths=()) -> dict:
    """Process ``transcript`` and score it against the gold files in ``gold_dir``.

    Returns {"turns", "speakers", "recommendations", "commitments"}: each a dict of figures, or
    None when that scorer is not available or there is no gold file for it.
    """
    import time

    from .evaluate import load_gold, score_commitments, score_recommendations, score_speakers, score_turns
    from .extract import extract

    lexicon = load_lexicon(lexicon_paths)
    gold = load_gold(gold_dir)
    if not gold:
        raise RectrackError(f"{gold_dir}: no gold files (*_turns.json, *_recommendations.json, ...)")
    doc, _, _ = process_source(read_source(transcript), lexicon)
    started = time.perf_counter()
    recs, coms = extract(doc, lexicon)
    seconds = time.perf_counter() - started

    def attempt(fn, *args):
        try:
            return fn(*args)
        except NotImplementedError:
            return None

    out = {"extract_seconds": seconds, "turns": None, "speakers": None, "recommendations": None, "commitments": None}
    if "turns" in gold:
        out["turns"] = attempt(score_turns, doc, gold["turns"])
        out["speakers"] = attempt(score_speakers, doc, gold["turns"], gold.get("speakers"))
    if "recommendations" in gold:
        out["recommendations"] = score_recommendations(doc, recs, gold["recommendations"], lexicon)
    if "commitments" in gold:
        out["commitments"] = score_commitments(doc, coms, gold["commitments"])
    return out


def print_corpus_eval(corpus_dir, split, lexicon_paths=(), echo=click.echo) -> None:
    """The ``rectrack eval --corpus`` report: figures per kind of transcript, then pooled."""
    from .corpus_eval import kind_table, score_corpus

    try:
        lexicon = load_lexicon(lexicon_paths)
        figures = score_corpus(corpus_dir, split, lexicon)
    except RectrackError as e:
        raise click.ClickException(str(e))
    echo(f"Corpus: {corpus_dir} ({'split ' + split if split else 'all splits'}, "
         f"{len(figures['files'])} file(s) with gold)")
    if figures["missing"]:
        echo(f"No gold yet for: {', '.join(figures['missing'])}")
    if not figures["files"]:
        raise click.ClickException(f"{corpus_dir}: no file of {'split ' + split if split else 'the corpus'} has gold")
    for line in kind_table(figures):
        echo(line)
    echo("Recommendations: P / R / F1 (borderline gold neutral); actor: accuracy on matched clear items, by group; "
         "com: commitments")


@cli.command(name="eval")
@click.option("--gold", "gold_dir", type=click.Path(exists=True, file_okay=False),
              help="Folder of gold files (seed_turns.json, seed_recommendations.json, ...)")
@click.option("--db", "db_path", type=click.Path(exists=True, dir_okay=False),
              help="Instead of --gold: score the extractor against the reviews in this database")
@click.option("--transcript", default=str(SEEDS / "000_59fee67576fde5b5.txt"), show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="The transcript the gold files describe")
@click.option("--lexicon", "lexicon_paths", multiple=True, type=click.Path(),
              help="Extra lexicon YAML merged over the default (repeatable)")
@click.option("--corpus", "corpus_dir", type=click.Path(exists=True, file_okay=False),
              help="Instead of --gold: a corpus of transcripts of several kinds (sources.json, gold/); "
                   "prints figures per kind and pooled")
@click.option("--split", default=None, help="With --corpus: only the files of this split (e.g. dev)")
def eval_command(gold_dir, db_path, transcript, lexicon_paths, corpus_dir, split):
    """Score turns, speakers, recommendations, actors and commitments against gold files,
    or (--db) recommendations and actors against what people reviewed in a database,
    or (--corpus) recommendations, actors and commitments per kind of transcript.

    \b
    Example:
        rectrack eval --gold tests/fixtures/gold
        rectrack eval --gold my-gold/ --transcript hearing.txt --lexicon my-lexicon.yml
        rectrack eval --db rectrack.db
        rectrack eval --corpus tests/fixtures/corpus --split dev
    """
    if split is not None and corpus_dir is None:
        raise click.ClickException("--split goes with --corpus DIR")
    if [gold_dir, db_path, corpus_dir].count(None) != 2:
        raise click.ClickException("give --gold DIR, --db FILE or --corpus DIR (one of them)")
    if corpus_dir is not None:
        print_corpus_eval(corpus_dir, split, lexicon_paths)
        return
    if db_path is not None:
        from .quality import eval_db

        conn = store.connect(db_path)
        try:
            print_db_eval(eval_db(conn))
        finally:
            conn.close()
        return
    try:
        figs = eval_figures(gold_dir, transcript, lexicon_paths)
    except RectrackError as e:
        raise click.ClickException(str(e))

    def prf(d):
        return f"P {d['precision']:.2f}  R {d['recall']:.2f}  F1 {d['f1']:.2f}"

    t, s, r, c = figs["turns"], figs["speakers"], figs["recommendations"], figs["commitments"]
    click.echo(f"Transcript:       {transcript}")
    click.echo("Turns:            " + (f"{prf(t)}  speaker accuracy {t['speaker_accuracy']:.2f}" if t else "n/a"))
    click.echo("Speakers:         " + (f"B-cubed {prf(s)}" if s else "n/a"))
    if r:
        click.echo(f"Recommendations:  {prf(r)}  (tp {r['tp']}, fp {r['fp']}, fn {r['fn']}, borderline matched {r['neutral']})")
        click.echo(f"Actors:           accuracy {r['actor_accuracy']:.2f} on {r['tp']} matched clear recommendations")
        click.echo(f"All actors:       the same set as the gold's actors_all on {r['actor_set_right']} of {r['tp']} "
                   f"({r['actor_set_accuracy']:.2f})")
    else:
        click.echo("Recommendations:  n/a\nActors:           n/a")
    click.echo("Commitments:      " + (f"{prf(c)}  (tp {c['tp']}, fp {c['fp']}, fn {c['fn']}) signal accuracy "
                                       f"{c['signal_accuracy']:.2f}" if c else "n/a"))
    click.echo(f"Extraction time:  {figs['extract_seconds'] * 1000:.0f} ms")


def main():
    cli()
