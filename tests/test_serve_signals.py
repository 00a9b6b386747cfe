"""`rectrack serve` stops when it is told to: a real process on 127.0.0.1 and a free port."""
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from loader.web import free_port
from tracking_helpers import make_db

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def answers(url) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).read()
        return True
    except OSError:
        return False


def processes_mentioning(text: str) -> list[int]:
    """Pids of live processes whose command line contains ``text`` (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_serve_stops_on_signal_and_leaves_nothing_running(tmp_path, sig):
    db = tmp_path / f"serve-{sig.name.lower()}.db"
    make_db(db)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "loader", "serve", "--db", str(db), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/-/versions.json"
    try:
        assert wait_until(lambda: answers(url) or proc.poll() is not None, 60) and proc.poll() is None, \
            proc.stdout.read().decode(errors="replace")
        assert processes_mentioning(str(db)), "the server runs with the database path in its arguments"
        proc.send_signal(sig)
        proc.wait(timeout=20)
        assert wait_until(lambda: not answers(url), 10), "the port still answers after the signal"
        assert wait_until(lambda: not processes_mentioning(str(db)), 10), processes_mentioning(str(db))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in processes_mentioning(str(db)):
            os.kill(pid, signal.SIGKILL)


def test_forwarding_passes_the_signal_on_and_returns_the_code(tmp_path):
    """The non-POSIX path of run_in_place, run here directly: a child that reports SIGTERM."""
    marker = tmp_path / "child.txt"
    child = (f"import signal, sys, time; from pathlib import Path\n"
             f"signal.signal(signal.SIGTERM, lambda *a: (Path({str(marker)!r}).write_text('got'), sys.exit(3)))\n"
             f"Path({str(marker)!r}).write_text('ready'); time.sleep(60)")
    parent = ("import sys; from loader.web import run_forwarding_signals; "
              f"sys.exit(run_forwarding_signals([sys.executable, '-c', {child!r}]))")
    proc = subprocess.Popen([sys.executable, "-c", parent], cwd=Path(__file__).resolve().parent.parent)
    try:
        assert wait_until(lambda: marker.exists() and marker.read_text() == "ready", 30)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 3
        assert marker.read_text() == "got"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
