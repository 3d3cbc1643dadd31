/* partnerkit learner record (README: Progress and the learner record), loaded by pages.js for a
 * signed-in rep only (a personal link, ?pk=, kept, and a reachable collector). Progress lives in
 * localStorage (progress.js); here every change is also queued and sent to the collector's
 * POST /learning, which answers the rep's whole record; the page then takes the record's state for
 * every module with no change of its own still waiting (per module, the latest change wins, on the
 * collector too), so two devices converge. Unsent changes stay queued and go with the next sync (the
 * next page, the browser coming back online). Also: practice-quiz results (partnerkit.learning.quizResult),
 * the exams a rep passed on the home page and path pages, "My learning" on the home page, and the
 * record for exam.js. Runs before progress.js, practice.js and exam.js (they need "learning?"). */
/* Queued for pages.js, which runs it once per window. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["learning", [], function () {
  "use strict";
  var PREFIX = "partnerkit:done:", PENDING = "partnerkit:pending", RECORD = "partnerkit:record", OWNER = "partnerkit:owner";
  var BATCH = 100, listeners = [], syncing = null, again = false, k = window.partnerkit;

  function read(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function write(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
    } catch (e) { /* storage disabled */ }
  }
  function readJson(key, empty) { try { return JSON.parse(read(key)) || empty; } catch (e) { return empty; } }

  function token() { return k.token(); }

  function collector() {
    var endpoint = k.endpoint();
    return endpoint && endpoint.replace(/\/[^\/]*$/, "");
  }

  /* "partner/rep" the token names (its payload is base64url "partner|rep|issued"), or null. */
  function owner(pk) {
    try { return atob(pk.split(".")[0].replace(/-/g, "+").replace(/_/g, "/")).split("|").slice(0, 2).join("/"); }
    catch (e) { return null; }
  }

  function signedIn() { return k.signedIn(); }

  /* A browser first used with another rep's link (or none) starts that rep from their record. */
  function claim() {
    var pk = token(), who = pk && owner(pk), kept = read(OWNER);
    if (!who || kept === who) { return; }
    if (kept !== null) {
      try {
        Object.keys(window.localStorage).forEach(function (key) {
          if (key.indexOf(PREFIX) === 0 || key.indexOf("partnerkit_quiz:") === 0) { window.localStorage.removeItem(key); }
        });
      } catch (e) {}
      write(PENDING, null);
      write(RECORD, null);
    }
    write(OWNER, who);
  }

  function isDone(id) { return read(PREFIX + id) === "1"; }

  function setLocal(id, done) { write(PREFIX + id, done ? "1" : null); }

  function pending() { return readJson(PENDING, { modules: {}, quizzes: {} }); }

  /* A module marked done or not on this page (progress.js has kept it). */
  function changed(id, done) {
    if (!signedIn()) { return; }
    var queue = pending();
    queue.modules[id] = { done: done, at: Date.now() };
    write(PENDING, JSON.stringify(queue));
    sync();
  }

  function quizResult(id, score, passed) {
    if (!signedIn()) { return; }
    var queue = pending(), before = queue.quizzes[id];
    if (!before || before.score < score) { queue.quizzes[id] = { score: score, passed: passed, at: Date.now() }; }
    write(PENDING, JSON.stringify(queue));
    sync();
  }

  function record() { return signedIn() ? readJson(RECORD, null) : null; }

  function post(base, body) {
    return fetch(base + "/learning", { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify(body),
                                       credentials: "omit" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) { return { status: response.status, json: json }; });
      });
  }

  /* Send the waiting changes (a batch at a time; a batch the collector refuses as naming what this
   * release lacks is tried one change at a time, and the refused ones dropped), take the record. */
  function sendFrom(base, pk, first) {
    var queue = pending(), ids = Object.keys(queue.modules).slice(0, BATCH), quizzes = Object.keys(queue.quizzes).slice(0, 20);
    if (first) {  /* progress made before the link was used (or on this browser only) joins the record */
      var known = (readJson(RECORD, null) || { modules: {} }).modules;
      try {
        Object.keys(window.localStorage).forEach(function (key) {
          var id = key.slice(PREFIX.length);
          if (key.indexOf(PREFIX) === 0 && !known[id] && !queue.modules[id] && ids.length < BATCH) {
            queue.modules[id] = { done: true, at: Date.now() };
            ids.push(id);
          }
        });
      } catch (e) {}
      write(PENDING, JSON.stringify(queue));
    }
    var body = { token: pk, version: k.meta("version"),
                 modules: ids.map(function (id) { return { module: id, done: queue.modules[id].done, at: queue.modules[id].at }; }),
                 quizzes: quizzes.map(function (id) { var q = queue.quizzes[id]; return { quiz: id, score: q.score, passed: q.passed, at: q.at }; }) };
    return post(base, body).then(function (reply) {
      var now = pending();
      function settle() {  /* sent and not changed since: done */
        ids.forEach(function (id) { if (now.modules[id] && now.modules[id].at === queue.modules[id].at) { delete now.modules[id]; } });
        quizzes.forEach(function (id) { if (now.quizzes[id] && now.quizzes[id].at === queue.quizzes[id].at) { delete now.quizzes[id]; } });
        write(PENDING, JSON.stringify(now));
      }
      if (reply.status === 422 && ids.length + quizzes.length > 1) {
        return ids.reduce(function (chain, id) {
          return chain.then(function () {
            return post(base, { token: pk, version: body.version, modules: [{ module: id, done: queue.modules[id].done, at: queue.modules[id].at }] })
              .then(function (single) {
                if (single.status === 200 || single.status === 422) {
                  var left = pending();
                  if (left.modules[id] && left.modules[id].at === queue.modules[id].at) { delete left.modules[id]; }
                  write(PENDING, JSON.stringify(left));
                }
                if (single.status === 200) { take(single.json); }
              });
          });
        }, Promise.resolve()).then(function () {
          var left = pending();
          quizzes.forEach(function (id) { delete left.quizzes[id]; });
          write(PENDING, JSON.stringify(left));
        });
      }
      if (reply.status === 422) { settle(); return null; }
      if (reply.status === 403) { return null; }  /* a link no longer accepted: local progress only */
      if (reply.status !== 200) { return null; }  /* rate limit, store down: the changes wait */
      settle();
      take(reply.json);
      var left = pending();
      if (Object.keys(left.modules).length && ids.length === BATCH) { return sendFrom(base, pk, false); }
      return null;
    });
  }

  /* The collector's record: kept for the next page, its state taken for every module with no change waiting. */
  function take(json) {
    var queue = pending();
    write(RECORD, JSON.stringify(json));
    Object.keys(json.modules || {}).forEach(function (id) {
      if (!queue.modules[id]) { setLocal(id, json.modules[id].done); }
    });
    paintAll(document);
    window.dispatchEvent(new StorageEvent("storage", { key: RECORD }));  /* progress.js repaints, as for another tab's change */
    listeners.forEach(function (listener) { listener(json); });
  }

  function sync() {
    var base = collector(), pk = token();
    if (!base || !pk) { return Promise.resolve(null); }
    if (syncing) { again = true; return syncing; }
    syncing = sendFrom(base, pk, !read(RECORD)).catch(function () { return null; /* unreachable: the changes wait */ })
      .then(function () {
        syncing = null;
        if (again) { again = false; return sync(); }
        return null;
      });
    return syncing;
  }

  /* Calls ``listener(record)`` with the record kept (if any) now and with every record the collector sends. */
  function onRecord(listener) {
    listeners.push(listener);
    var kept = record();
    if (kept) { listener(kept); }
  }

  /* "Exam to pass" becomes "Passed · your certificate" for a rep whose record holds a valid certificate. */
  function paintExam(line) {
    var kept = record(), exam = kept && kept.exams && kept.exams[line.getAttribute("data-pk-exam")];
    var certificate = exam && exam.certificate, passed = line.querySelector(".pk-exam-passed");
    if (!passed) { return; }
    var held = certificate && certificate.status !== "expired";
    passed.hidden = !held;
    line.querySelector(".pk-exam-todo").hidden = Boolean(held);
    if (held) { passed.querySelector("a").href = line.getAttribute("data-pk-verify") + "?id=" + encodeURIComponent(certificate.id); }
  }

  function paintAll(root) {
    root.querySelectorAll(".pk-anonymous-only").forEach(function (line) { line.hidden = signedIn(); });
    root.querySelectorAll("[data-pk-exam][data-pk-verify]").forEach(paintExam);
  }

  function setUp(root) {
    claim();
    setUpLearning(root);
    paintAll(root);
    sync();
  }

  /* "My learning" on the home page, for a signed-in rep: who, where to continue, the paths of their
   * role first, each path's progress, their certificates. Hidden (the page as before) for anyone else. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); } });
    return node;
  }
  function fill(template, values) { return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; }); }

  function myLearning(box, data, json) {
    var t = data.strings, role = json.rep.role, day = function (text) { return text; };  /* ISO days, as My accounts writes them */
    var mine = data.paths.filter(function (path) { return path.role === role; });
    var others = data.paths.filter(function (path) { return path.role !== role; });
    var latest = null;
    Object.keys(json.modules).forEach(function (id) { if (!latest || json.modules[id].at > json.modules[latest].at) { latest = id; } });
    var current = data.paths.filter(function (path) { return latest && path.modules.some(function (m) { return m.id === latest; }); })
      .concat(mine, data.paths).filter(function (path) { return path.modules.some(function (m) { return !isDone(m.id); }); })[0];
    var nextModule = current && current.modules.filter(function (m) { return !isDone(m.id); })[0];
    box.textContent = "";
    box.appendChild(el("h2", { id: "pk-my-learning", text: t.title }));
    box.appendChild(el("p", { "class": "pk-learning__who", text: fill(t.signed_in, { name: json.rep.name, partner: json.rep.partner }) }));
    if (nextModule) {
      box.appendChild(el("p", {}, [el("a", { "class": "md-button md-button--primary", href: nextModule.url, text: fill(t["continue"], { title: nextModule.title }) })]));
    }
    function list(paths) {
      return el("ul", { "class": "pk-learning__paths" }, paths.map(function (path) {
        var done = path.modules.filter(function (m) { return isDone(m.id); }).length;
        var bar = el("progress", { max: String(path.modules.length) });
        bar.value = done;
        return el("li", {}, [el("a", { href: path.url, text: path.title }), " ", bar, " ",
                             el("span", { "class": "pk-path-progress__label", text: fill(t.progress, { done: done, total: path.modules.length }) })]);
      }));
    }
    if (mine.length) {
      box.appendChild(el("h3", { text: fill(t.your_paths, { role: data.roles[role] || role }) }));
      box.appendChild(list(mine));
    }
    if (others.length) {
      box.appendChild(el("h3", { text: mine.length ? t.other_paths : t.title }));
      box.appendChild(list(others));
    }
    var held = Object.keys(json.exams || {}).filter(function (id) { return json.exams[id].certificate; });
    if (held.length && data.verify) {
      box.appendChild(el("h3", { text: t.certificates }));
      box.appendChild(el("ul", { "class": "pk-learning__certificates" }, held.map(function (id) {
        var c = json.exams[id].certificate, exam = data.exams[id] || { title: json.exams[id].title, url: "#" };
        var state = c.status === "expired" ? fill(t.expired, { date: day(c.valid_until) })
          : c.recertify_by ? fill(t.recertify_by, { date: day(c.recertify_by) }) : fill(t.valid_until, { date: day(c.valid_until) });
        return el("li", {}, [el("strong", { text: exam.title }), " · " + state + " · ",
                             el("a", { href: data.verify + "?id=" + encodeURIComponent(c.id), text: t.certificate }), " · ",
                             el("a", { href: exam.url, text: t.exam })]);
      })));
    }
    var updated = Object.keys(data.changed || {}).filter(function (id) {
      var state = json.modules[id];
      return state && state.done && state.version !== data.release;
    });
    if (updated.length) {
      box.appendChild(el("h3", { text: t.updated }));
      box.appendChild(el("ul", { "class": "pk-learning__updated" }, updated.map(function (id) {
        var module = data.changed[id];
        return el("li", {}, [el("a", { href: module.url, text: module.title }), " · ",
                             el("a", { href: module.whats_new, text: fill(t.whats_new, { release: data.release }) })]);
      })));
    }
    if (data.accounts) { dueOnAccounts(box, data, json); }
    box.hidden = false;
  }

  /* "Due on your accounts": the rep's worklist steps due by Sunday (or overdue) and not done, as the
   * record lists them; nothing shown when there are none. */
  function dueOnAccounts(box, data, json) {
    var t = data.strings;
    if (!json.due || !json.due.length) { return; }
    box.appendChild(el("h3", { text: t.due_title }));
    box.appendChild(el("ul", { "class": "pk-learning__due" }, json.due.map(function (step) {
      return el("li", { "class": step.overdue ? "pk-overdue" : "" },
                [fill(step.overdue ? t.overdue : t.due, { date: step.due }) + " · " + step.customer + ": " + step.action]);
    })));
    box.appendChild(el("p", {}, [el("a", { href: data.accounts, text: t.accounts })]));
  }

  function setUpLearning(root) {
    root.querySelectorAll(".pk-learning[data-pk-data]").forEach(function (box) {
      if (box.getAttribute("data-pk-ready")) { return; }
      box.setAttribute("data-pk-ready", "1");
      var data = JSON.parse(box.getAttribute("data-pk-data"));
      if (!signedIn()) { return; }
      onRecord(function (json) { if (document.contains(box)) { myLearning(box, data, json); } });
    });
  }

  window.addEventListener("storage", function (event) {
    if (event.key === null || event.key === RECORD) { paintAll(document); }
  });
  window.addEventListener("online", function () { sync(); });

  window.partnerkit.learning = { signedIn: signedIn, record: record, onRecord: onRecord, sync: sync, quizResult: quizResult,
                                 changed: changed, isDone: isDone, token: token };
  window.partnerkit.onEveryPage(setUp);
}]);
