// The review queue: one click (or key) per item; the page never reloads.
(function () {
  "use strict";
  var list = document.querySelector(".review-queue");
  if (!list) { return; }
  var token = list.getAttribute("data-csrftoken");
  var counter = document.querySelector(".progress-text");
  var bar = document.querySelector(".review-progress progress");

  function items() { return Array.prototype.slice.call(list.querySelectorAll(".review-item")); }
  function current() { return list.querySelector(".review-item.current"); }

  function focus(item) {
    items().forEach(function (li) { li.classList.remove("current"); });
    if (!item) { return; }
    item.classList.add("current");
    item.focus({preventScroll: true});
    item.scrollIntoView({block: "nearest"});
  }

  function move(step) {
    var all = items().filter(function (li) { return !li.classList.contains("done"); });
    var at = all.indexOf(current());
    focus(all[Math.max(0, Math.min(all.length - 1, at + step))] || all[0]);
  }

  function bump() {
    var reviewed = Number(counter.getAttribute("data-reviewed")) + 1;
    var total = counter.getAttribute("data-total");
    counter.setAttribute("data-reviewed", reviewed);
    counter.textContent = reviewed + " of " + total + " reviewed";
    if (bar) { bar.value = reviewed; }
  }

  function act(item, action) {
    if (!item || item.classList.contains("done") || item.classList.contains("busy")) { return; }
    var body = {version: Number(item.getAttribute("data-version"))};
    if (action === "ok") { body.reviewed = true; } else { body.status = "dismissed"; }
    var outcome = item.querySelector(".outcome");
    item.classList.add("busy");
    fetch(item.getAttribute("data-url"), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "x-csrftoken": token},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (data) { return {status: r.status, data: data}; }); })
      .then(function (res) {
        item.classList.remove("busy");
        if (res.status !== 200) {
          outcome.textContent = "Not saved: " + (res.data.error || res.status);
          return;
        }
        item.setAttribute("data-version", res.data.recommendation.version);
        item.classList.add("done", action === "ok" ? "kept" : "dismissed");
        outcome.textContent = action === "ok" ? "Reviewed: looks right" : "Dismissed";
        bump();
        move(1);
      }, function (err) {
        item.classList.remove("busy");
        outcome.textContent = "Not saved: " + err;
      });
  }

  list.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-action]");
    if (button) { act(button.closest(".review-item"), button.getAttribute("data-action")); }
  });

  document.addEventListener("keydown", function (e) {
    if (e.target.closest("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var item = current();
    if (e.key === "j") { move(1); } else if (e.key === "k") { move(-1); }
    else if (e.key === "y") { act(item, "ok"); } else if (e.key === "d") { act(item, "dismiss"); }
    else if (e.key === "e" && item) { window.location.href = item.getAttribute("data-url"); }
    else { return; }
    e.preventDefault();
  });
}());
