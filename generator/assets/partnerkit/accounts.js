/* partnerkit "My accounts" page: the rep's open worklist cases, fetched from the collector (the page
 * itself holds no customer data), most urgent first, under a summary ("3 overdue, 2 due this week"),
 * with a checkbox per step the rep may tick (the step's state changes at once), a tickable checklist
 * per step (kept in this browser) and a note field per case. A vendor identity sees the vendor's and
 * shared steps of every partner. Needs widgets.js. */
/* Queued for pages.js, which runs it once per window, after widgets.js. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["accounts", ["widgets"], function () {
  "use strict";
  var w = window.partnerkit.widgets, el = w.el, format = w.format, say = w.say, reachable = w.reachable, token = w.token, post = w.post;
  var WEEK_MS = 7 * 24 * 3600 * 1000;

  function day(offsetMs) { return new Date(Date.now() + (offsetMs || 0)).toISOString().slice(0, 10); }

  /* How pressing a step is for whoever reads the page: their own open steps are overdue, due within a
   * week or due later; a step someone else owns, or one done, presses no one here. */
  function urgency(step) {
    if (step.done) { return "done"; }
    if (!step.mine) { return "theirs"; }
    if (!step.due) { return "later"; }
    if (step.due < day()) { return "overdue"; }
    return step.due <= day(WEEK_MS) ? "soon" : "later";
  }

  /* Cases in order of their most pressing step: overdue first (oldest first), then due soonest. */
  function rank(item) {
    var RANKS = { overdue: 0, soon: 1, later: 2, theirs: 3, done: 4 };
    return item.steps.reduce(function (best, step) {
      var key = RANKS[urgency(step)] + ":" + (step.due || "9999");
      return key < best ? key : best;
    }, "9:9999");
  }

  /* The checklist lines a rep ticked, by case and step, in this browser only. */
  function ticks(item, step) {
    var key = "partnerkit_checklist:" + item.id + ":" + step.step;
    return {
      read: function () { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (error) { return []; } },
      write: function (lines) { try { localStorage.setItem(key, JSON.stringify(lines)); } catch (error) { /* private mode */ } }
    };
  }

  function accounts(root, data) {
    var t = data.strings, base = data.collector + "/worklists";
    var status = el("p", { "class": "pk-accounts-state", role: "status", "aria-live": "polite" });
    var summary = el("p", { "class": "pk-accounts-summary" });
    var steps = [];
    root.appendChild(status);
    if (!reachable(data.collector)) { say(status, t.unreachable); return; }
    post(base, { token: token() }).then(function (reply) {
      if (reply.status === 403) { say(status, t.anonymous); return; }
      if (reply.status !== 200) { say(status, t.failed); return; }
      shown(reply.json);
    }, function () { say(status, t.unreachable); });

    function summarise() {
      var counts = { overdue: 0, soon: 0 };
      steps.forEach(function (step) { var state = urgency(step); if (state in counts) { counts[state] += 1; } });
      summary.textContent = counts.overdue || counts.soon ? format(t.summary, { overdue: counts.overdue, week: counts.soon }) : t.all_clear;
      summary.classList.toggle("pk-accounts-summary--late", counts.overdue > 0);
    }

    function shown(list) {
      status.textContent = list.vendor ? format(t.vendor, { name: list.name, vendor: data.vendor }) : format(t.hello, { name: list.name });
      if (!list.cases.length) { root.appendChild(el("p", { text: t.empty })); return; }
      list.cases.forEach(function (item) { item.steps.forEach(function (step) { steps.push(step); }); });
      root.appendChild(summary);
      summarise();
      list.cases.slice().sort(function (a, b) { return rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0; })
        .forEach(function (item) { root.appendChild(caseView(item, list)); });
    }

    function caseView(item, list) {
      var heading = item.customer + (list.vendor ? " · " + item.partner : "");
      var about = el("p", { "class": "pk-accounts-about" }, [
        el("span", { text: item.procedure + " · " + item.segment + " · " + format(t.since, { date: item.since }) + " · " }),
        item.url ? el("a", { href: item.url, text: t.procedure }) : null]);
      var stepList = el("ul", { "class": "pk-accounts-steps" });
      item.steps.forEach(function (step) { stepList.appendChild(stepView(item, step, list)); });
      var notes = el("ul", { "class": "pk-accounts-notes" });
      item.notes.forEach(function (note) { notes.appendChild(noteView(note)); });
      var fieldId = "pk-note-" + item.id;
      var field = el("textarea", { id: fieldId, rows: "3", maxlength: String(data.note_max_chars || 500) });
      var saved = el("p", { "class": "pk-accounts-note-state", role: "status", "aria-live": "polite" });
      var send = el("button", { type: "submit", "class": "md-button md-button--primary", text: t.send });
      var form = el("form", { "class": "pk-accounts-note" }, [
        el("label", { "for": fieldId, text: format(t.note, { vendor: data.vendor }) }), field,
        el("div", { "class": "pk-accounts-note-actions" }, [send, saved])]);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = field.value.trim();
        if (!text) { return; }
        send.disabled = true;
        post(base + "/" + encodeURIComponent(item.id) + "/notes", { token: token(), text: text }).then(function (reply) {
          send.disabled = false;
          if (reply.status !== 200) { saved.textContent = format(t.not_saved, { reason: reply.json.error || reply.status }); return; }
          notes.appendChild(noteView({ by: list.name, at: day(), text: text }));
          field.value = "";
          saved.textContent = t.saved;
        }, function () { send.disabled = false; saved.textContent = format(t.not_saved, { reason: "network" }); });
      });
      return el("section", { "class": "pk-accounts-case", "data-pk-case": item.id }, [
        el("h2", { text: heading }), about, stepList, el("h3", { text: t.notes }), notes, form]);
    }

    function stepView(item, step, list) {
      var boxId = "pk-step-" + item.id + "-" + step.step;
      var box = el("input", { type: "checkbox", id: boxId });
      box.checked = step.done;
      box.disabled = !step.mine;
      var when = el("span", { "class": "pk-accounts-when" });
      var who = el("span", { "class": "pk-accounts-theirs" });
      var label = el("label", { "for": boxId }, [when, el("span", { text: " · " + step.owner + ": " + step.action })]);
      var by = el("span", { "class": "pk-accounts-done", role: "status", "aria-live": "polite" });
      var line = el("li", {}, [box, label, who, by, step.checklist.length ? checklistView(item, step) : null]);

      function show(doneBy) {
        var state = urgency(step);
        line.className = "pk-step pk-step--" + state;
        when.textContent = step.done ? t.done_now : step.due ? format(step.due < day() ? t.overdue : t.due, { date: step.due }) : step.when;
        who.textContent = step.mine ? "" : format(t.theirs, { owner: step.owner });
        by.textContent = step.done && doneBy ? " · " + format(t.done_by, { name: doneBy }) : "";
      }
      show(step.done_by);

      box.addEventListener("change", function () {
        var wanted = box.checked;
        box.disabled = true;
        post(base + "/" + encodeURIComponent(item.id) + "/steps/" + step.step, { token: token(), done: wanted }).then(function (reply) {
          box.disabled = false;
          if (reply.status !== 200) { box.checked = !wanted; by.textContent = " · " + format(t.not_saved, { reason: reply.json.error || reply.status }); return; }
          step.done = wanted;
          show(wanted ? list.name : "");
          summarise();
        }, function () { box.disabled = false; box.checked = !wanted; by.textContent = " · " + format(t.not_saved, { reason: "network" }); });
      });
      return line;
    }

    function checklistView(item, step) {
      var kept = ticks(item, step), ticked = kept.read();
      var lines = el("ul", { "class": "pk-accounts-checklist", "aria-label": t.checklist });
      step.checklist.forEach(function (text, index) {
        var id = "pk-check-" + item.id + "-" + step.step + "-" + index;
        var box = el("input", { type: "checkbox", id: id });
        box.checked = ticked.indexOf(index) >= 0;
        box.addEventListener("change", function () {
          var now = kept.read().filter(function (other) { return other !== index; });
          if (box.checked) { now.push(index); }
          kept.write(now);
        });
        lines.appendChild(el("li", {}, [box, el("label", { "for": id, text: text })]));
      });
      return lines;
    }

    function noteView(note) {
      return el("li", { text: (note.by ? note.by + " · " : "") + note.at.slice(0, 10) + ": " + note.text });
    }
  }

  window.partnerkit.onEveryPage(function (page) { w.each(page, ".pk-accounts", accounts); });
}]);
