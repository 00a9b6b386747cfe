"""A real browser: select words on the document page and add them as a recommendation; work
through the review queue with the keyboard.

Headless Debian chromium driven by Playwright against ``datasette serve`` on a free port.
"""

import pytest

from browser import browser_page
from test_review import MANUAL_QUOTE
from tracking_helpers import rows, served_with_password

pytestmark = pytest.mark.browser

PASSWORD = "browser review password"

SELECT_WORDS = """(words) => {
  const said = document.querySelector('#turn-1 p.said');
  const walker = document.createTreeWalker(said, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.textContent.indexOf(words);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + words.length);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      const rect = range.getBoundingClientRect();
      said.dispatchEvent(new MouseEvent('mouseup', {bubbles: true, clientX: rect.right, clientY: rect.bottom}));
      return true;
    }
  }
  return false;
}"""


@pytest.fixture
def server(tmp_path):
    with served_with_password(tmp_path, PASSWORD) as served_db:
        yield served_db


def sign_in(page, base):
    page.goto(base + "/-/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()


def test_select_text_add_recommendation_and_see_it_highlighted(server, chromium_path):
    base, path, ids = server
    with browser_page(chromium_path) as (page, errors):
        sign_in(page, base)
        page.goto(base + "/-/rectrack/documents/meeting")
        assert page.locator(".transcript mark.rec").count() == 6
        assert page.evaluate(SELECT_WORDS, MANUAL_QUOTE)
        page.click(".rectrack-add button[data-kind=recommendation]")
        form = page.locator(".rectrack-add-form")
        form.wait_for()
        assert MANUAL_QUOTE in form.locator(".quote").inner_text()
        assert form.locator("select[name=strength]").input_value() == "should"  # the extractor's guess
        page.fill(".rectrack-add-form input[name=actors]", "Member States")
        page.click(".rectrack-add-form button[type=submit]")
        page.wait_for_selector('.transcript mark.rec[data-id^="m"]')  # the page reloads with the new one
        page.wait_for_load_state()
        (row,) = rows(path, "select * from recommendations where origin = 'manual'")
        assert row["text"] == MANUAL_QUOTE and row["actor_id"] == "member-states" and row["reviewed_by"] == "admin"
        mark = page.locator(f'mark.rec[data-id="{row["id"]}"]')
        assert mark.count() == 1 and mark.inner_text() == MANUAL_QUOTE
        assert page.locator(".transcript mark.rec").count() == 7
        assert page.url.endswith(f"#rec-{row['id']}")
        assert errors == []


def test_review_queue_keyboard(server, chromium_path):
    base, path, ids = server
    with browser_page(chromium_path) as (page, errors):
        sign_in(page, base)
        page.goto(base + "/-/rectrack/review?document=meeting")
        assert page.inner_text(".progress-text") == "0 of 6 reviewed"
        first = page.locator(".review-item").nth(0)
        first_id = first.get_attribute("data-id")
        page.keyboard.press("y")
        page.wait_for_function("document.querySelector('.progress-text').textContent === '1 of 6 reviewed'")
        assert "kept" in first.get_attribute("class")
        second_id = page.locator(".review-item.current").get_attribute("data-id")
        assert second_id != first_id
        page.click(".review-item.current button[data-action=dismiss]")
        page.wait_for_function("document.querySelector('.progress-text').textContent === '2 of 6 reviewed'")
        assert errors == []
    reviewed = {r["id"]: r for r in rows(path, "select * from recommendations where reviewed_at is not null")}
    assert set(reviewed) == {first_id, second_id}
    assert reviewed[second_id]["status"] == "dismissed" and reviewed[first_id]["reviewed_by"] == "admin"
