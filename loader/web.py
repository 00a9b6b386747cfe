"""How rectrack's Datasette is put together: one place for the CLI, the tests and the benchmark."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
METADATA = PROJECT_ROOT / "metadata.yml"
PLUGINS = PROJECT_ROOT / "plugins"
TEMPLATES = PLUGINS / "templates"
STATIC = PLUGINS / "static"
SEEDS = PROJECT_ROOT / "seeds"

# Stock Datasette computes suggested facets on every table page; on large tables that
# dominates the request time, so it is off (facets configured in metadata.yml still run).
SETTINGS = {
    "suggest_facets": False,
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "default_page_size": 50,
}


DATABASE_NAME = "rectrack"  # the `databases:` key in metadata.yml


def metadata_for(db_path) -> dict:
    """metadata.yml, with its database block under the name Datasette gives ``db_path``.

    Datasette names a database after its file stem, so ``--db work.db`` is served as ``work``;
    without this the tables' descriptions, facets and canned queries would not apply to it.
    """
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    name = Path(db_path).stem
    databases = metadata.get("databases") or {}
    if name != DATABASE_NAME and DATABASE_NAME in databases:
        databases[name] = databases.pop(DATABASE_NAME)
        if "description_html" in metadata:
            metadata["description_html"] = metadata["description_html"].replace(
                f'"/{DATABASE_NAME}/', f'"/{name}/')
    return metadata


def metadata_path_for(db_path) -> Path:
    """A metadata file for ``datasette serve``: metadata.yml itself, or a renamed copy."""
    if Path(db_path).stem == DATABASE_NAME:
        return METADATA
    digest = hashlib.sha1(str(Path(db_path).resolve()).encode()).hexdigest()[:10]
    path = Path(tempfile.gettempdir()) / f"rectrack-metadata-{Path(db_path).stem}-{digest}.json"
    path.write_text(json.dumps(metadata_for(db_path)), encoding="utf-8")
    return path


def serve_args(db_path, metadata_path=None) -> list[str]:
    """Arguments for ``datasette serve`` after the database path (``metadata_path``: another
    metadata file than :func:`metadata_path_for`'s)."""
    args = [
        "--metadata", str(metadata_path or metadata_path_for(db_path)),
        "--plugins-dir", str(PLUGINS),
        "--template-dir", str(TEMPLATES),
        "--static", f"rectrack-static:{STATIC}",
    ]
    for key, value in SETTINGS.items():
        if isinstance(value, bool):
            value = "on" if value else "off"
        args += ["--setting", key, str(value)]
    return args


FORWARDED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


def run_in_place(args: list[str]) -> int:
    """Run ``args`` (``datasette serve ...``) so that stopping rectrack stops it.

    On POSIX this process becomes Datasette (``os.execv``): SIGTERM, SIGINT and SIGHUP reach it
    directly and nothing is left running, whatever signal ends it. Elsewhere it runs as a child
    with those signals forwarded; returns its exit code.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(args[0], args)
    return run_forwarding_signals(args)


def run_forwarding_signals(args: list[str]) -> int:
    """Run ``args`` as a child, pass SIGTERM / SIGINT / SIGHUP on to it, wait for it.

    Returns its exit code (128 + the signal number when a signal ended it, as a shell reports).
    """
    proc = subprocess.Popen(args)
    previous = {sig: signal.signal(sig, lambda signum, frame: proc.send_signal(signum)) for sig in FORWARDED_SIGNALS}
    try:
        code = proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code


def make_datasette(db_path, metadata: dict | None = None, **kwargs):
    """A Datasette instance configured exactly as ``rectrack serve`` runs it."""
    from datasette.app import Datasette

    if metadata is None:
        metadata = metadata_for(db_path)
    return Datasette(
        [str(db_path)],
        metadata=metadata,
        plugins_dir=str(PLUGINS),
        template_dir=str(TEMPLATES),
        static_mounts=[("rectrack-static", str(STATIC))],
        settings=dict(SETTINGS),
        **kwargs,
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(db_path, env: dict | None = None, timeout: float = 30, metadata_path=None):
    """Run ``datasette serve`` exactly as ``rectrack serve`` does, on a free localhost port.

    Yields the base URL once the server answers; the server is always terminated. Used by the
    browser tests, the screenshot script and the benchmark (``metadata_path``: another metadata
    file). Raises RuntimeError when it exits or never answers.
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db_path), *serve_args(db_path, metadata_path),
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    import urllib.request  # http.client, email, ssl: not needed by the commands that load

    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("datasette exited: " + proc.stderr.read().decode(errors="replace")[-2000:])
                if time.monotonic() > deadline:
                    raise RuntimeError(f"datasette did not answer within {timeout} s")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def sign_in_accounts(metadata: dict, environ) -> dict:
    """Who can sign in with the configuration ``metadata`` under the environment ``environ``.

    Returns ``{"users": [names with a password hash], "unset": [(name, env var)], "tokens": n}``:
    ``unset`` lists the users whose hash comes from an environment variable that is empty.
    """
    plugins = (metadata or {}).get("plugins") or {}
    passwords = plugins.get("datasette-auth-passwords") or {}
    users, unset = [], []
    for key, value in passwords.items():
        if not key.endswith("_password_hash"):
            continue
        name = key[: -len("_password_hash")]
        if isinstance(value, dict) and list(value) == ["$env"]:
            if environ.get(value["$env"]):
                users.append(name)
            else:
                unset.append((name, value["$env"]))
        elif value:
            users.append(name)
    tokens = 0
    for entry in ((plugins.get("datasette-auth-tokens") or {}).get("tokens") or []):
        token = (entry or {}).get("token")
        if isinstance(token, dict) and list(token) == ["$env"]:
            token = environ.get(token["$env"])
        tokens += bool(token)
    return {"users": users, "unset": unset, "tokens": tokens}


def hash_password_command(env_var: str, datasette_path: str | None = None) -> str:
    """The shell line that sets ``env_var`` to a password hash (datasette-auth-passwords' tool)."""
    datasette_path = datasette_path or str(Path(sys.executable).with_name("datasette"))
    return f'export {env_var}="$({datasette_path} hash-password)"'


def sign_in_hint(accounts: dict, datasette_path: str | None = None) -> str | None:
    """One line for the start-up output when nobody can sign in or call the API; else None."""
    if accounts["users"] or accounts["tokens"]:
        return None
    if not accounts["unset"]:
        return ("Nobody can sign in: metadata.yml configures no user "
                "(add <name>_password_hash under datasette-auth-passwords).")
    name, env_var = accounts["unset"][0]
    return (f"Nobody can sign in yet: to create the user {name!r}, run "
            f"{hash_password_command(env_var, datasette_path)} and start the server again.")


def port_in_use(host: str, port: int) -> bool:
    """True when something already listens on ``host:port`` (binding there fails)."""
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False
