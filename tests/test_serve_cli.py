"""`rectrack serve` before Datasette starts: which database gets the demo seed, what the start-up
lines say about signing in, and a busy port (the real CLI through CliRunner, and one real server)."""
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

from click.testing import CliRunner

from loader.cli import cli, prepare_database
from loader.web import free_port, hash_password_command, sign_in_accounts, sign_in_hint

METADATA = {"plugins": {
    "datasette-auth-passwords": {"admin_password_hash": {"$env": "HASH_ADMIN"}},
    "datasette-auth-tokens": {"tokens": [{"token": {"$env": "API_TOKEN"}, "actor": {"id": "api"}}]},
}}


def count(path, table):
    c = sqlite3.connect(path)
    try:
        return c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        c.close()


def test_a_new_named_database_starts_empty(tmp_path):
    lines = []
    prepare_database(tmp_path / "work.db", echo=lambda m, err=False: lines.append(m))
    assert count(tmp_path / "work.db", "documents") == 0
    assert "is new and empty" in lines[0] and "rectrack load" in lines[0] and "--demo" in lines[0]


def test_the_quick_start_database_gets_the_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = []
    prepare_database("rectrack.db", echo=lambda m, err=False: lines.append(m))
    assert count(tmp_path / "rectrack.db", "documents") == 1
    assert "demo seed" in lines[0] and "other files start empty" in lines[0]
    # Served again, nothing is loaded twice.
    lines.clear()
    prepare_database("rectrack.db", echo=lambda m, err=False: lines.append(m))
    assert lines == [] and count(tmp_path / "rectrack.db", "documents") == 1


def test_demo_loads_the_seed_into_any_file(tmp_path):
    lines = []
    prepare_database(tmp_path / "work.db", demo=True, echo=lambda m, err=False: lines.append(m))
    assert count(tmp_path / "work.db", "documents") == 1 and "demo seed" in lines[0]


def test_an_existing_database_is_left_as_it_is(tmp_path, seed_db):
    before = count(seed_db, "recommendations")
    lines = []
    prepare_database(seed_db, echo=lambda m, err=False: lines.append(m))
    assert lines == [] and count(seed_db, "recommendations") == before


def test_sign_in_accounts_and_hint():
    nobody = sign_in_accounts(METADATA, {})
    assert nobody == {"users": [], "unset": [("admin", "HASH_ADMIN")], "tokens": 0}
    hint = sign_in_hint(nobody, "/venv/bin/datasette")
    assert hint == ("Nobody can sign in yet: to create the user 'admin', run "
                    'export HASH_ADMIN="$(/venv/bin/datasette hash-password)" and start the server again.')
    assert sign_in_accounts(METADATA, {"HASH_ADMIN": "pbkdf2..."})["users"] == ["admin"]
    assert sign_in_hint(sign_in_accounts(METADATA, {"HASH_ADMIN": "pbkdf2..."})) is None
    assert sign_in_hint(sign_in_accounts(METADATA, {"API_TOKEN": "t"})) is None
    assert "configures no user" in sign_in_hint(sign_in_accounts({}, {}))


def test_hash_command_uses_this_environments_datasette():
    command = hash_password_command("RECTRACK_PASSWORD_HASH_ADMIN")
    assert command.startswith('export RECTRACK_PASSWORD_HASH_ADMIN="$(') and command.endswith(' hash-password)"')
    path = command.split("$(")[1].split(" hash-password")[0]
    assert os.path.exists(path), path


def test_busy_port_is_one_clear_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "work.db"), "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: port {port} on 127.0.0.1 is already in use (another server?): stop it or choose another with --port"]
    assert not (tmp_path / "work.db").exists()  # nothing created before the port check


def serve_output(tmp_path, env):
    """The real command's lines up to "Serving on ...", then it is stopped."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "loader", "serve", "--db", str(tmp_path / "work.db"), "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
        start_new_session=True)  # its own process group: stopping it stops the datasette it starts
    lines = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("Serving on"):
                break
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    return lines, port


def test_serve_says_nobody_can_sign_in(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("RECTRACK_PASSWORD_HASH_ADMIN", "RECTRACK_API_TOKEN")}
    lines, port = serve_output(tmp_path, env)
    assert any(line.startswith("Nobody can sign in yet: to create the user 'admin', run export "
                               "RECTRACK_PASSWORD_HASH_ADMIN=") for line in lines), lines
    assert any("is new and empty" in line for line in lines), lines
    assert lines[-1].startswith(f"Serving on http://127.0.0.1:{port}/ ")


def test_make_serve_takes_a_port():
    from loader.web import PROJECT_ROOT

    result = subprocess.run(["make", "-n", "serve", "PORT=8123"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "rectrack serve --db rectrack.db --host 127.0.0.1 --port 8123" in result.stdout


def test_serve_names_the_user_who_can_sign_in(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "RECTRACK_API_TOKEN"}
    env["RECTRACK_PASSWORD_HASH_ADMIN"] = "pbkdf2_sha256$1000$salt$hash"
    lines, port = serve_output(tmp_path, env)
    assert f"Sign in at http://127.0.0.1:{port}/-/login as admin" in lines, lines
    assert not any(line.startswith("Nobody can sign in") for line in lines)
