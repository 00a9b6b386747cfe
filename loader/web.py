"""How rectrack's Datasette is put together: one place for the CLI, the tests and the benchmark."""
from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.request
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


def serve_args() -> list[str]:
    """Arguments for ``datasette serve`` after the database path."""
    args = [
        "--metadata", str(METADATA),
        "--plugins-dir", str(PLUGINS),
        "--template-dir", str(TEMPLATES),
        "--static", f"rectrack-static:{STATIC}",
    ]
    for key, value in SETTINGS.items():
        if isinstance(value, bool):
            value = "on" if value else "off"
        args += ["--setting", key, str(value)]
    return args


def make_datasette(db_path, metadata: dict | None = None, **kwargs):
    """A Datasette instance configured exactly as ``rectrack serve`` runs it."""
    from datasette.app import Datasette

    if metadata is None:
        metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
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
def served(db_path, env: dict | None = None, timeout: float = 30):
    """Run ``datasette serve`` exactly as ``rectrack serve`` does, on a free localhost port.

    Yields the base URL once the server answers; the server is always terminated. Used by the
    browser tests and the screenshot script. Raises RuntimeError when it exits or never answers.
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db_path), *serve_args(),
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
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
