"""A bounded soak: reads and updates from several clients while the document is reloaded.

The real server (``datasette serve`` as ``rectrack serve`` runs it, on 127.0.0.1 and a free port)
answers 4 client threads, each reading and updating its own recommendations with a bearer token,
while another process reloads the same document again and again (alternating a corrected copy and
the original, so reloads rewrite rows). No answer may be a 5xx; every successful update is one
history row; after the last reload every recommendation carries its last successful update.
"""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from click.testing import CliRunner

from conftest import SEED_FILE
from loader.cli import cli
from loader.web import PROJECT_ROOT, served
from tracking_helpers import rows

TOKEN = "soak-token-0123456789abcdef"
CLIENTS = 4
MAX_REQUESTS_PER_CLIENT = 150  # half reads, half updates
PAUSE = 0.02  # seconds between a client's requests
TIME_LIMIT = 20  # seconds for the client phase, whatever happens


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


def client(base, k, rec_ids, deadline, done, results):
    statuses, updates = [], {}
    versions = {}
    for n in range(MAX_REQUESTS_PER_CLIENT):
        if done.is_set() or time.monotonic() > deadline:
            break
        time.sleep(PAUSE)
        rid = rec_ids[n % len(rec_ids)]
        path = f"/-/rectrack/recommendations/{rid}.json"
        if n % 2 == 0 or rid not in versions:
            status, body = call(base, "GET", path)
            if status == 200:
                versions[rid] = body["recommendation"]["version"]
        else:
            owner = f"client {k} update {n}"
            status, body = call(base, "POST", path, {"owner": owner, "version": versions[rid]})
            if status == 200 and body["changed"]:
                versions[rid] = body["recommendation"]["version"]
                updates[rid] = owner
                results["updated"][k] += 1
            elif status == 409:
                versions.pop(rid)
        statuses.append(status)
        results["made"][k] += 1
    results["statuses"][k] = statuses
    results["last"][k] = updates


def test_soak_updates_during_reloads(tmp_path):
    db = tmp_path / "rectrack.db"
    doc_path = tmp_path / SEED_FILE.name
    original = SEED_FILE.read_text(encoding="utf-8-sig")
    doc_path.write_text(original, encoding="utf-8")
    assert CliRunner().invoke(cli, ["load", str(doc_path), "--db", str(db)]).exit_code == 0
    rec_ids = [r["id"] for r in rows(db, "select id from recommendations order by char_start")]
    assert len(rec_ids) >= CLIENTS * 3
    env = {**os.environ, "RECTRACK_API_TOKEN": TOKEN}
    results = {"statuses": {}, "last": {}, "updated": [0] * CLIENTS, "made": [0] * CLIENTS}
    with served(db, env=env) as base:
        stop = threading.Event()
        reloads = []

        def reloader():
            corrected = original.replace(" and ", " as well as ", 3)
            n = 0
            while not stop.is_set():
                doc_path.write_text(corrected if n % 2 == 0 else original, encoding="utf-8")
                proc = subprocess.run([sys.executable, "-m", "loader", "load", str(doc_path), "--db", str(db)],
                                      cwd=PROJECT_ROOT, capture_output=True, text=True)
                reloads.append(proc.returncode)
                n += 1

        reload_thread = threading.Thread(target=reloader)
        reload_thread.start()
        time.sleep(1.0)  # the first reload is under way
        deadline = time.monotonic() + TIME_LIMIT
        done = threading.Event()  # two reloads have written while the clients ran
        threads = [threading.Thread(target=client, args=(base, k, rec_ids[k::CLIENTS], deadline, done, results))
                   for k in range(CLIENTS)]
        for t in threads:
            t.start()
        # two reloads have written and the clients have made their minimum of requests (a fast
        # reload on a busy machine must not end the client phase before they got going)
        while ((len(reloads) < 2 or sum(results["made"]) < CLIENTS * 20) and time.monotonic() < deadline
               and any(t.is_alive() for t in threads)):
            time.sleep(0.1)
        during = len(reloads)
        done.set()
        for t in threads:
            t.join()
        stop.set()
        reload_thread.join()
    doc_path.write_text(original, encoding="utf-8")
    assert CliRunner().invoke(cli, ["load", str(doc_path), "--db", str(db)]).exit_code == 0

    statuses = [s for k in range(CLIENTS) for s in results["statuses"][k]]
    assert len(statuses) >= CLIENTS * 20, "the clients barely ran"
    assert [s for s in statuses if s >= 500] == []
    assert reloads and all(rc == 0 for rc in reloads), reloads
    assert during >= 1, "no reload wrote while the clients ran"
    print(f"soak: {len(statuses)} requests, {sum(results['updated'])} updates, {len(reloads)} reloads")
    updated = sum(results["updated"])
    assert updated > 0
    assert rows(db, "select count(*) n from status_changes")[0]["n"] == updated
    final = {r["id"]: r for r in rows(db, "select id, owner from recommendations")}
    for k in range(CLIENTS):
        for rid, owner in results["last"][k].items():
            assert final[rid]["owner"] == owner
