/* partnerkit "My accounts" page: the rep's open worklist cases, fetched from the collector (the page
 * itself holds no customer data), with a checkbox per step the rep may tick and a note field per case.
 * A vendor identity sees the vendor's and shared steps of every partner. Needs widgets.js. */
/* Queued for pages.js, which runs it once per window, after widgets.js. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["accounts", ["widgets"], function () {
  "use strict";
  var w = window.partnerkit.widgets, el = w.el, format = w.format, say = w.say, reachable = w.reachable, token = w.token, post = w.post;

  function accounts(root, data) {
    var t = data.strings, base = data.collector + "/worklists";
    var status = el("p", { "class": "pk-accounts-state", role: "status", "aria-live": "polite" });
    root.appendChild(status);
    if (!reachable(data.collector)) { say(status, t.unreachable); return; }
    post(base, { token: token() }).then(function (reply) {
      if (reply.status === 403) { say(status, t.anonymous); return; }
      if (reply.status !== 200) { say(status, t.failed); return; }
      shown(reply.json);
    }, function () { say(status, t.unreachable); });

    function shown(list) {
      status.textContent = list.vendor ? format(t.vendor, { name: list.name, vendor: data.vendor }) : format(t.hello, { name: list.name });
      if (!list.cases.length) { root.appendChild(el("p", { text: t.empty })); return; }
      list.cases.forEach(function (item) { root.appendChild(caseView(item, list.vendor)); });
    }

    function caseView(item, vendor) {
      var heading = item.customer + (vendor ? " · " + item.partner : "");
      var about = el("p", { "class": "pk-accounts-about" }, [
        el("span", { text: item.procedure + " · " + item.segment + " · " + format(t.since, { date: item.since }) + " · " }),
        item.url ? el("a", { href: item.url, text: t.procedure }) : null]);
      var steps = el("ul", { "class": "pk-accounts-steps" });
      item.steps.forEach(function (step) { steps.appendChild(stepView(item, step)); });
      var notes = el("ul", { "class": "pk-accounts-notes" });
      item.notes.forEach(function (note) { notes.appendChild(noteView(note)); });
      var fieldId = "pk-note-" + item.id;
      var field = el("textarea", { id: fieldId, rows: "2", maxlength: String(data.note_max_chars || 500) });
      var saved = el("span", { role: "status", "aria-live": "polite" });
      var send = el("button", { type: "submit", "class": "md-button", text: t.send });
      var form = el("form", { "class": "pk-accounts-note" }, [
        el("label", { "for": fieldId, text: format(t.note, { vendor: data.vendor }) }), field, send, saved]);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = field.value.trim();
        if (!text) { return; }
        send.disabled = true;
        post(base + "/" + encodeURIComponent(item.id) + "/notes", { token: token(), text: text }).then(function (reply) {
          send.disabled = false;
          if (reply.status !== 200) { saved.textContent = format(t.not_saved, { reason: reply.json.error || reply.status }); return; }
          notes.appendChild(noteView({ by: "", at: new Date().toISOString().slice(0, 10), text: text }));
          field.value = "";
          saved.textContent = t.saved;
        }, function () { send.disabled = false; saved.textContent = format(t.not_saved, { reason: "network" }); });
      });
      return el("section", { "class": "pk-accounts-case", "data-pk-case": item.id }, [
        el("h2", { text: heading }), about, steps, el("h3", { text: t.notes }), notes, form]);
    }

    function stepView(item, step) {
      var boxId = "pk-step-" + item.id + "-" + step.step;
      var box = el("input", { type: "checkbox", id: boxId });
      box.checked = step.done;
      box.disabled = !step.mine;
      var by = el("span", { "class": "pk-accounts-done", text: step.done && step.done_by ? " · " + format(t.done_by, { name: step.done_by }) : "" });
      var overdue = step.due && !step.done && step.due < new Date().toISOString().slice(0, 10);
      var when = step.due ? format(overdue ? t.overdue : t.due, { date: step.due }) : step.when;
      var label = el("label", { "for": boxId, text: when + " · " + step.owner + ": " + step.action });
      var checklist = el("ul", {});
      step.checklist.forEach(function (line) { checklist.appendChild(el("li", { text: line })); });
      box.addEventListener("change", function () {
        var wanted = box.checked;
        box.disabled = true;
        post(base + "/" + encodeURIComponent(item.id) + "/steps/" + step.step, { token: token(), done: wanted }).then(function (reply) {
          box.disabled = false;
          if (reply.status !== 200) { box.checked = !wanted; by.textContent = " · " + format(t.not_saved, { reason: reply.json.error || reply.status }); return; }
          by.textContent = wanted ? " · " + t.saved : "";
        }, function () { box.disabled = false; box.checked = !wanted; by.textContent = " · " + format(t.not_saved, { reason: "network" }); });
      });
      return el("li", { "class": overdue ? "pk-overdue" : "" },
                [box, label, by, step.checklist.length ? checklist : null]);
    }

    function noteView(note) {
      return el("li", { text: (note.by ? note.by + " · " : "") + note.at.slice(0, 10) + ": " + note.text });
    }
  }

  window.partnerkit.onEveryPage(function (page) { w.each(page, ".pk-accounts", accounts); });
}]);
