"""The ``rectrack`` command line: a thin wrapper over the loader library."""
from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import click

from . import pipeline, store
from .errors import RectrackError
from .lexicon import load_lexicon
from .pipeline import process_source
from .read import read_source

from .web import SEEDS, serve_args


@click.group()
@click.version_option(package_name="rectrack")
def cli():
    """rectrack: meeting transcripts -> a tracked list of recommendations.

    \b
    Example:
        rectrack load seeds/ --db rectrack.db
        rectrack serve --db rectrack.db
    """


def load_paths(db_path, paths, lexicon_paths=(), echo=click.echo, progress=True, workers=None, force=False):
    """Load transcripts into ``db_path`` (``pipeline.load_files``), with a progress bar on stderr
    when there is more than one file. Returns (totals, errors)."""
    if not progress:
        return pipeline.load_files(db_path, paths, lexicon_paths, workers=workers, force=force)
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
                                   on_progress=on_progress)


def outcome_line(totals) -> str:
    """``3 loaded, 2 unchanged, 0 failed`` (and skipped files, when there are any)."""
    parts = [f"{totals.get(k, 0)} {k}" for k in pipeline.OUTCOMES if k != "skipped" or totals.get(k)]
    return ", ".join(parts)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--db", "db_path", default="rectrack.db", show_default=True, help="SQLite database file")
@click.option("--lexicon", "lexicon_paths", multiple=True, type=click.Path(),
              help="Extra lexicon YAML merged over the default (repeatable)")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes that parse and extract [default: the number of cores; 1: no pool]")
@click.option("--force", is_flag=True, help="Redo files whose contents and lexicon are unchanged")
def load(paths, db_path, lexicon_paths, workers, force):
    """Load transcripts (files or folders of .txt) into the database.

    Loading a file again replaces what was extracted from it; human edits are kept. A file
    whose bytes and lexicon are unchanged since it was stored is skipped (``--force`` redoes it).

    \b
    Example:
        rectrack load seeds/
        rectrack load hearing.txt debates/ --db work.db --lexicon my-lexicon.yml
        rectrack load archive/ --workers 4
        rectrack load archive/ --force
    """
    try:
        totals, errors = load_paths(db_path, paths, lexicon_paths, workers=workers, force=force)
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
        + f"\n{outcome_line(totals)}"
    )
    if errors:
        sys.exit(1)


def datasette_args(db_path, host, port):
    return [sys.executable, "-m", "datasette", "serve", str(db_path), *serve_args(db_path), "--host", host, "--port", str(port)]


@cli.command()
@click.option("--db", "db_path", default="rectrack.db", show_default=True, help="SQLite database file")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve(db_path, host, port):
    """Serve the database with Datasette (loads seeds/ first when the database does not exist).

    \b
    Example:
        rectrack serve
        rectrack serve --db work.db --host 0.0.0.0 --port 8080
    """
    if not Path(db_path).exists():
        click.echo(f"{db_path} does not exist: loading the seed transcripts from {SEEDS}")
        totals, errors = load_paths(db_path, [SEEDS])
        for message in errors:
            click.echo(f"Error: {message}", err=True)
        click.echo(f"Loaded {totals['documents']} document(s), {totals['recommendations']} recommendations")
    else:
        store.connect(db_path).close()  # bring an older file's schema up to date
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
