"""The ``rectrack`` command line: a thin wrapper over the loader library."""
from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import click

from . import store
from .errors import RectrackError
from .lexicon import load_lexicon
from .pipeline import process_source
from .read import find_transcripts, read_source

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


def load_paths(db_path, paths, lexicon_paths=(), echo=click.echo, progress=True):
    """Load transcripts into ``db_path``; one transaction per document.

    Returns (totals, errors) where errors is a list of one-line messages.
    """
    lexicon = load_lexicon(lexicon_paths)
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
def load(paths, db_path, lexicon_paths):
    """Load transcripts (files or folders of .txt) into the database.

    Loading a file again replaces what was extracted from it; human edits are kept.

    \b
    Example:
        rectrack load seeds/
        rectrack load hearing.txt debates/ --db work.db --lexicon my-lexicon.yml
    """
    try:
        totals, errors = load_paths(db_path, paths, lexicon_paths)
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
    return [sys.executable, "-m", "datasette", "serve", str(db_path), *serve_args(), "--host", host, "--port", str(port)]


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


def main():
    cli()
