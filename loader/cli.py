"""The ``rectrack`` command line: a thin wrapper over the loader library."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import click

from . import store
from .documents import check_details, set_document_details
from .errors import RectrackError
from .extract import compile_rules
from .lexicon import load_lexicon
from .pipeline import process_source
from .read import document_id_for, find_transcripts, read_source

from .web import SEEDS, metadata_for, port_in_use, serve_args, sign_in_accounts, sign_in_hint


@click.group()
@click.version_option(package_name="rectrack")
def cli():
    """rectrack: meeting transcripts -> a tracked list of recommendations.

    \b
    Example:
        rectrack load seeds/ --db rectrack.db
        rectrack serve --db rectrack.db
    """


def load_paths(db_path, paths, lexicon_paths=(), echo=click.echo, progress=True):
    """Load transcripts into ``db_path``; one transaction per document.

    Returns (totals, errors) where errors is a list of one-line messages.
    """
    lexicon = load_lexicon(lexicon_paths)
    compile_rules(lexicon)  # a malformed cue fails here, once, naming the cue
    files = find_transcripts(paths)
    conn = store.connect(db_path)
    totals = {"documents": 0, "speakers": 0, "turns": 0, "recommendations": 0, "commitments": 0, "kept_edited": 0}
    errors = []
    try:
        if progress and len(files) > 1:
            bar = click.progressbar(files, label="Loading", show_pos=True, file=sys.stderr,
                                    item_show_func=lambda p: p.name if p else "")
        else:
            bar = contextlib.nullcontext(files)
        with bar as items:
            for path in items:
                try:
                    source = read_source(path)
                    doc, recs, coms = process_source(source, lexicon)
                    counts = store.store_document(conn, doc, recs, coms)
                except RectrackError as e:
                    errors.append(str(e))
                    continue
                except Exception as e:  # a bug on one file must not stop the others
                    errors.append(f"{path}: failed ({type(e).__name__}: {e})")
                    continue
                for k in totals:
                    totals[k] += counts.get(k, 0)
    finally:
        conn.close()
    return totals, errors


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--db", "db_path", default="rectrack.db", show_default=True, help="SQLite database file")
@click.option("--lexicon", "lexicon_paths", multiple=True, type=click.Path(),
              help="Extra lexicon YAML merged over the default (repeatable)")
@click.option("--title", help="Title of the document (one transcript only); kept across reloads")
@click.option("--date", "event_date", help="Date of the event, YYYY-MM-DD (one transcript only)")
def load(paths, db_path, lexicon_paths, title, event_date):
    """Load transcripts (files or folders of .txt) into the database.

    Loading a file again replaces what was extracted from it; human edits are kept.
    A transcript without a title block gets one from its opening words, first line or
    file name; --title and --date set your own (recorded in document_changes).

    \b
    Example:
        rectrack load seeds/
        rectrack load hearing.txt debates/ --db work.db --lexicon my-lexicon.yml
        rectrack load committee-4-may.txt --title "Education Committee: oral evidence" --date 2022-05-04
    """
    try:
        if title is not None or event_date is not None:
            check_details(title, event_date)
            files = find_transcripts(paths)
            if len(files) != 1:
                raise click.ClickException(
                    f"--title and --date describe one transcript: {len(files)} found in {', '.join(paths)}")
        totals, errors = load_paths(db_path, paths, lexicon_paths)
        if (title is not None or event_date is not None) and not errors:
            import getpass

            conn = store.connect(db_path)
            try:
                set_document_details(conn, document_id_for(files[0]), title, event_date, getpass.getuser())
            finally:
                conn.close()
    except RectrackError as e:
        raise click.ClickException(str(e))
    for message in errors:
        click.echo(f"Error: {message}", err=True)
    click.echo(
        f"Loaded {totals['documents']} document(s): {totals['speakers']} speakers, {totals['turns']} turns, "
        f"{totals['recommendations']} recommendations, {totals['commitments']} commitments"
        + (f" ({totals['kept_edited']} edited recommendation(s) no longer extracted were kept)"
           if totals["kept_edited"] else "")
        + f" -> {db_path}"
    )
    if errors:
        sys.exit(1)


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
    store.connect(db_path).close()  # create the file, or bring an older file's schema up to date
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
    prepare_database(db_path, demo)
    accounts = sign_in_accounts(metadata_for(db_path), os.environ)
    hint = sign_in_hint(accounts)
    if hint:
        click.echo(hint)
    elif accounts["users"]:
        click.echo(f"Sign in at http://{host}:{port}/-/login as {' or '.join(accounts['users'])}")
    args = datasette_args(db_path, host, port)
    click.echo(f"Serving on http://{host}:{port}/")
    sys.exit(subprocess.call(args))


@cli.command(name="set")
@click.argument("rec_id", metavar="ID")
@click.option("--status", help="New status: proposed, accepted, in_progress, implemented, "
              "partially_implemented, declined, dismissed")
@click.option("--owner", help="Who follows it up (empty string clears)")
@click.option("--due", "due_date", help="Due date, YYYY-MM-DD (empty string clears)")
@click.option("--priority", help="high, normal or low")
@click.option("--follow-up", "follow_up", help="Next step or notes (empty string clears)")
@click.option("--note", help="Why, recorded in the history")
@click.option("--as", "who", help="Recorded as the author [default: the OS user]")
@click.option("--db", "db_path", default="rectrack.db", show_default=True, help="SQLite database file")
def set_(rec_id, status, owner, due_date, priority, follow_up, note, who, db_path):
    """Change the status or follow-up of recommendation ID, with a history row.

    The same rules as the web page apply (see docs/tracking.md for the allowed status
    transitions). The current version is read for you.

    \b
    Example:
        rectrack set r3f2a9c1d0 --status accepted --owner "DPO" --due 2025-06-30
        rectrack set r3f2a9c1d0 --status implemented --note "Reported done on 3 May" --as ana
    """
    import getpass

    from . import tracking

    given = {"status": status, "owner": owner, "due_date": due_date, "priority": priority,
             "follow_up": follow_up, "note": note}
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise click.ClickException("nothing to set: give --status, --owner, --due, --priority, --follow-up or --note")
    if not Path(db_path).exists():
        raise click.ClickException(f"{db_path}: no such database")
    conn = store.connect(db_path)
    try:
        version = tracking.get_record(conn, rec_id)["version"]
        result = tracking.update_recommendation(conn, rec_id, changes, version, who or getpass.getuser())
    except RectrackError as e:
        raise click.ClickException(str(e))
    finally:
        conn.close()
    rec, change = result["recommendation"], result["change"]
    if change is None:
        click.echo(f"{rec_id}: nothing changed (status {rec['status']}, version {rec['version']})")
    else:
        fields = ", ".join(k for k in change["changes"] if k != "status")
        click.echo(f"{rec_id}: {change['from_status']} -> {change['to_status']}"
                   + (f"; changed {fields}" if fields else "") + f" (version {rec['version']})")


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


@cli.command(name="eval")
@click.option("--gold", "gold_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="Folder of gold files (seed_turns.json, seed_recommendations.json, ...)")
@click.option("--transcript", default=str(SEEDS / "000_59fee67576fde5b5.txt"), show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="The transcript the gold files describe")
@click.option("--lexicon", "lexicon_paths", multiple=True, type=click.Path(),
              help="Extra lexicon YAML merged over the default (repeatable)")
def eval_command(gold_dir, transcript, lexicon_paths):
    """Score turns, speakers, recommendations, actors and commitments against gold files.

    \b
    Example:
        rectrack eval --gold tests/fixtures/gold
        rectrack eval --gold my-gold/ --transcript hearing.txt --lexicon my-lexicon.yml
    """
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
    else:
        click.echo("Recommendations:  n/a\nActors:           n/a")
    click.echo("Commitments:      " + (f"{prf(c)}  (tp {c['tp']}, fp {c['fp']}, fn {c['fn']}) signal accuracy "
                                       f"{c['signal_accuracy']:.2f}" if c else "n/a"))
    click.echo(f"Extraction time:  {figs['extract_seconds'] * 1000:.0f} ms")


def main():
    cli()
