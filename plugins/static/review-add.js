// Document page: select words inside one turn, then add them as a recommendation or commitment.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("rectrack-add-data").textContent);
  var transcript = document.querySelector(".transcript");
  if (!transcript) { return; }
  var box = document.createElement("div");
  box.className = "rectrack-add";
  box.hidden = true;
  document.body.appendChild(box);
  var span = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  // The selection as document offsets, or null when it is not inside one turn's words.
  function selectedSpan() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) { return null; }
    var range = sel.getRangeAt(0);
    var said = (range.startContainer.parentElement || range.startContainer).closest("p.said");
    var saidEnd = (range.endContainer.parentElement || range.endContainer).closest("p.said");
    if (!said || said !== saidEnd) { return null; }
    var turn = said.closest("section.turn");
    var base = data.turn_starts[turn.id.replace("turn-", "")];
    if (base === undefined) { return null; }
    var before = document.createRange();
    before.setStart(said, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var start = base + before.toString().length;
    var text = range.toString();
    return {char_start: start, char_end: start + text.length, text: text};
  }

  function place(rect) {
    box.style.top = (window.scrollY + rect.bottom + 6) + "px";
    box.style.left = (window.scrollX + Math.max(8, rect.left)) + "px";
    box.hidden = false;
  }

  function showChoice() {
    box.innerHTML = "";
    ["recommendation", "commitment"].forEach(function (kind) {
      var b = el("button", {type: "button", "data-kind": kind}, "Add " + kind);
      b.addEventListener("click", function () { showForm(kind); });
      box.appendChild(b);
      box.appendChild(document.createTextNode(" "));
    });
  }

  function field(form, label, name, value) {
    var l = el("label", {}, label);
    var input = el("input", {type: "text", name: name});
    input.value = value || "";
    l.appendChild(input);
    form.appendChild(l);
  }

  function showForm(kind) {
    var q = "?document_id=" + encodeURIComponent(data.document_id) + "&char_start=" + span.char_start +
      "&char_end=" + span.char_end;
    fetch(data.guess_url + q, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (guess) {
      box.innerHTML = "";
      if (!guess.ok) { box.appendChild(el("p", {"class": "error"}, guess.error)); return; }
      var form = el("form", {"class": "rectrack-add-form"});
      form.appendChild(el("p", {"class": "quote"}, "\u201c" + guess.text + "\u201d"));
      field(form, "Actor(s), separated by \";\"", "actors", guess.actor);
      field(form, "Theme", "theme", guess.theme);
      var l = el("label", {}, "Strength");
      var select = el("select", {name: "strength"});
      ["must", "should", "could"].forEach(function (s) {
        var o = el("option", {value: s}, s);
        if (s === guess.strength) { o.selected = true; }
        select.appendChild(o);
      });
      l.appendChild(select);
      form.appendChild(l);
      var p = el("p");
      p.appendChild(el("button", {type: "submit"}, "Add " + kind));
      var cancel = el("button", {type: "button"}, "Cancel");
      cancel.addEventListener("click", function () { box.hidden = true; });
      p.appendChild(document.createTextNode(" "));
      p.appendChild(cancel);
      form.appendChild(p);
      form.addEventListener("submit", function (e) { e.preventDefault(); create(form, kind, guess); });
      box.appendChild(form);
    });
  }

  function create(form, kind, guess) {
    var actors = form.elements.actors.value.split(";").map(function (s) { return s.trim(); })
      .filter(function (s) { return s; });
    var body = {document_id: data.document_id, char_start: guess.char_start, char_end: guess.char_end, kind: kind,
      theme: form.elements.theme.value.trim() || guess.theme, strength: form.elements.strength.value};
    if (actors.length) { body.actors = actors; }
    fetch(data.create_url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "x-csrftoken": data.csrftoken},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (d) { return {status: r.status, data: d}; }); })
      .then(function (res) {
        if (res.status !== 201) {
          var old = form.querySelector(".error");
          if (old) { old.remove(); }
          form.appendChild(el("p", {"class": "error"}, "Not added: " + res.data.error));
          return;
        }
        window.location.hash = "rec-" + res.data.id;
        window.location.reload();
      });
  }

  transcript.addEventListener("mouseup", function (e) {
    if (box.contains(e.target)) { return; }
    window.setTimeout(function () {
      var found = selectedSpan();
      if (!found || !found.text.trim()) { box.hidden = true; return; }
      span = found;
      showChoice();
      place(window.getSelection().getRangeAt(0).getBoundingClientRect());
    }, 0);
  });
}());
