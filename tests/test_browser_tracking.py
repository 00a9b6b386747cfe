"""A real browser against a real server: sign in, change a status, see the result.

Headless Debian chromium (the ``chromium_path`` fixture) driven by Playwright; the server is
``datasette serve`` with the same arguments ``rectrack serve`` uses, on a free localhost port.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from datasette_auth_passwords.utils import hash_password

from loader.web import serve_args
from tracking_helpers import RECS_V1, make_db, rows

pytestmark = pytest.mark.browser

PASSWORD = "browser test password"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}: {proc.stdout.read()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"server did not answer {url} within {timeout}s")


@pytest.fixture
def server(tmp_path):
    path = tmp_path / "rectrack.db"
    ids = make_db(path)
    port = free_port()
    env = dict(os.environ)
    env["RECTRACK_PASSWORD_HASH_ADMIN"] = hash_password(PASSWORD, iterations=1000)
    env.pop("RECTRACK_API_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(path), *serve_args(), "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/-/versions.json", proc)
        yield base, path, ids
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_sign_in_and_change_status(server, chromium_path):
    from playwright.sync_api import sync_playwright

    base, path, ids = server
    rid = ids[RECS_V1[0][1]]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS, timeout=30000)
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            page.goto(base + "/-/login")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_load_state()
            assert "Invalid username or password" not in page.content()

            page.goto(base + f"/-/rectrack/recommendations/{rid}")
            assert page.inner_text("h1 .status") == "Proposed"
            page.select_option("select[name=status]", "accepted")
            page.fill("input[name=owner]", "Peace Operations desk")
            page.fill("textarea[name=note]", "Agreed at the May meeting")
            with page.expect_navigation():
                page.click("form.edit input[type=submit]")

            assert page.url == base + f"/-/rectrack/recommendations/{rid}"
            assert page.inner_text("h1 .status") == "Accepted"
            assert "Saved: status Proposed \u2192 Accepted, owner." in page.inner_text(".message-info")
            history = page.locator("tr.history-row")
            assert history.count() == 1
            row_text = history.first.inner_text()
            assert "Proposed \u2192 Accepted" in row_text and "admin" in row_text
            assert "Agreed at the May meeting" in row_text and "Peace Operations desk" in row_text
            # The flash message shows once.
            page.reload()
            assert page.locator(".message-info").count() == 0
            assert page.inner_text("h1 .status") == "Accepted"
        finally:
            browser.close()
    (h,) = rows(path, "select * from status_changes where recommendation_id = ?", (rid,))
    assert (h["from_status"], h["to_status"], h["changed_by"]) == ("proposed", "accepted", "admin")
