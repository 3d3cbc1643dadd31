/* partnerkit quiz widget: practice quizzes graded here (same rules as generator/certification/grading.py),
 * exams graded by the collector, and the certificate verification page. */
(function () {
  "use strict";
  var STORE = "partnerkit_quiz:";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  function meta(name) {
    var tag = document.querySelector('meta[name="partnerkit:' + name + '"]');
    return tag ? tag.content : null;
  }

  function token() {
    var given = new URLSearchParams(location.search).get("pk");
    try {
      if (given) { localStorage.partnerkit_pk = given; }
      return given || localStorage.partnerkit_pk || null;
    } catch (error) { return given; }
  }

  function shuffled(list) {
    var copy = list.slice();
    for (var i = copy.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1)), kept = copy[i];
      copy[i] = copy[j]; copy[j] = kept;
    }
    return copy;
  }

  var CJK = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff";
  var EDGE = "\\s.,;:!?。、．，！？「」『』\"'";
  function normalise(text) {
    return text.normalize("NFKC").toLowerCase().split(/\s+/).join(" ").trim()
      .replace(new RegExp("([" + CJK + "])\\s+|\\s+(?=[" + CJK + "])", "g"), "$1")
      .replace(new RegExp("^[" + EDGE + "]+|[" + EDGE + "]+$", "g"), "");
  }

  function grade(question, answer) {
    var right = question.correct || [];
    if (question.type === "single" || question.type === "true-false") { return answer === right[0] ? 1 : 0; }
    if (question.type === "multiple") {
      var picked = answer || [], hits = picked.filter(function (id) { return right.indexOf(id) >= 0; }).length;
      if (!question.partial_credit) { return hits === right.length && picked.length === right.length ? 1 : 0; }
      return Math.max(0, (hits - (picked.length - hits)) / right.length);
    }
    if (question.type === "short-text") {
      var given = normalise(answer || "");
      if (given && question.answers.some(function (accepted) { return normalise(accepted) === given; })) { return 1; }
      return question.pattern && new RegExp("^(?:" + question.pattern + ")$", "u").test(given) ? 1 : 0;
    }
    return JSON.stringify(answer) === JSON.stringify(right) ? 1 : 0;
  }

  function score(questions, shares) {
    var total = 0, earned = 0;
    questions.forEach(function (question) { total += question.points; earned += shares[question.id] * question.points; });
    return Math.floor(100 * earned / total + 1e-9);
  }

  /* One question as a fieldset of native, keyboard-usable controls; answer() reads it back. */
  function questionView(question, order, number, t) {
    var name = "pk-q-" + question.id + "-" + Math.random().toString(36).slice(2, 8);
    var box = el("fieldset", { "class": "pk-question", "data-pk-question": question.id },
      [el("legend", { text: number + ". " + question.prompt })]);
    var list, choices = question.choices || question.items || [];
    if (order) {
      choices = order.map(function (id) { return choices.filter(function (c) { return c.id === id; })[0]; });
    }
    if (question.type === "short-text") {
      box.appendChild(el("label", {}, [el("span", { text: t.answer + " " }), el("input", { type: "text", name: name, autocomplete: "off" })]));
    } else if (question.type === "ordering") {
      list = el("ol", { "class": "pk-order" });
      choices.forEach(function (item) {
        var row = el("li", { "data-pk-id": item.id }, [el("span", { text: item.text })]);
        [["up", -1], ["down", 1]].forEach(function (move) {
          var button = el("button", { type: "button", "class": "md-button pk-move", "aria-label": t[move[0]] + ": " + item.text,
                                      text: move[1] < 0 ? "↑" : "↓" });
          button.addEventListener("click", function () {
            var sibling = move[1] < 0 ? row.previousElementSibling : row.nextElementSibling;
            if (sibling) { list.insertBefore(row, move[1] < 0 ? sibling : sibling.nextElementSibling); button.focus(); }
          });
          row.appendChild(button);
        });
        list.appendChild(row);
      });
      box.appendChild(list);
    } else {
      choices.forEach(function (choice) {
        box.appendChild(el("label", { "class": "pk-choice" }, [
          el("input", { type: question.type === "multiple" ? "checkbox" : "radio", name: name, value: choice.id }),
          el("span", { text: " " + choice.text })
        ]));
      });
    }
    box.appendChild(el("div", { "class": "pk-feedback", "aria-live": "polite" }));
    return {
      question: question, node: box,
      answer: function () {
        if (question.type === "short-text") { return box.querySelector("input").value; }
        if (question.type === "ordering") {
          return Array.prototype.map.call(list.children, function (row) { return row.getAttribute("data-pk-id"); });
        }
        var checked = Array.prototype.filter.call(box.querySelectorAll("input"), function (input) { return input.checked; })
          .map(function (input) { return input.value; });
        return question.type === "multiple" ? checked : (checked[0] || null);
      },
      show: function (lines, right) {
        var feedback = box.querySelector(".pk-feedback");
        feedback.textContent = "";
        box.classList.toggle("pk-right", right === true);
        box.classList.toggle("pk-wrong", right === false);
        lines.forEach(function (line) { if (line) { feedback.appendChild(line.nodeType ? line : el("p", { text: line })); } });
      }
    };
  }

  function practice(root, data) {
    var quiz = data.quiz, t = data.strings, key = STORE + quiz.id, views = [];
    var form = el("form", { "class": "pk-quiz-form", novalidate: "" });
    var result = el("p", { "class": "pk-result", role: "status", "aria-live": "polite" });
    var check = el("button", { type: "submit", "class": "md-button md-button--primary", text: t.check });
    var retry = el("button", { type: "button", "class": "md-button", text: t.retry, hidden: "" });

    function saved() { try { return JSON.parse(localStorage.getItem(key)); } catch (error) { return null; } }

    function deal() {
      var pool = quiz.shuffle_questions || quiz.draw < quiz.questions.length ? shuffled(quiz.questions) : quiz.questions;
      pool = pool.slice(0, quiz.draw);
      if (!quiz.shuffle_questions) { pool = quiz.questions.filter(function (q) { return pool.indexOf(q) >= 0; }); }
      form.textContent = "";
      views = pool.map(function (question, index) {
        var ids = (question.choices || question.items || []).map(function (c) { return c.id; });
        var view = questionView(question, question.type === "ordering" || quiz.shuffle_choices ? shuffled(ids) : null, index + 1, t);
        form.appendChild(view.node);
        return view;
      });
      form.appendChild(el("p", {}, [check, retry]));
      check.hidden = false; retry.hidden = true;
      var last = saved();
      result.textContent = last ? format(t.last_result, { score: last.score }) + " · " + (last.passed ? t.passed : t.failed) : "";
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var shares = {}, outcome = {};
      views.forEach(function (view) {
        var question = view.question, answer = view.answer(), share = grade(question, answer);
        shares[question.id] = share;
        outcome[question.id] = share === 1;
        var picked = [].concat(answer || []), lines = [el("strong", { text: share === 1 ? t.correct : t.wrong })];
        picked.forEach(function (id) { lines.push((question.feedback || {})[id]); });
        lines.push(question.explanation);
        if (question.source) {
          lines.push(el("p", {}, [el("a", { href: question.source.url, text: question.source.title + " (" + question.source.start + ")" })]));
        }
        view.show(lines, share === 1);
      });
      var points = score(views.map(function (view) { return view.question; }), shares), passed = points >= quiz.pass_mark;
      result.textContent = format(t.score, { score: points, pass_mark: quiz.pass_mark }) + " · " + (passed ? t.passed : t.failed);
      try { localStorage.setItem(key, JSON.stringify({ score: points, passed: passed, questions: outcome, at: Date.now() })); } catch (error) {}
      if (window.partnerkit.track) { window.partnerkit.track({ type: "quiz", quiz: quiz.id, score: points, passed: passed }); }
      check.hidden = true; retry.hidden = false;
      retry.focus();
    });
    retry.addEventListener("click", deal);
    root.appendChild(result);
    root.appendChild(form);
    deal();
  }

  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify(body), credentials: "omit" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) { return { status: response.status, json: json }; });
      });
  }

  function exam(root, data) {
    var quiz = data.quiz, t = data.strings, base = data.collector + "/exams/" + encodeURIComponent(quiz.id) + "/attempts";
    var status = el("p", { "class": "pk-result", role: "status", "aria-live": "polite" });
    var form = el("form", { "class": "pk-quiz-form", novalidate: "" });
    var start = el("button", { type: "button", "class": "md-button md-button--primary", text: t.start });
    var attempt = null, views = [], timer = null;

    function refusal(reply) {
      var reason = reply.json.error;
      if (reason === "anonymous" || reason === "forged token") { return t.anonymous; }
      if (reason === "too early") { return format(t.too_early, { time: new Date(reply.json.retry_at).toLocaleString(data.language) }); }
      if (reason === "no attempts left") { return t.no_attempts; }
      if (reason === "time is up") { return t.time_up; }
      return t.unavailable;
    }

    function tick(deadline) {
      clearInterval(timer);
      if (!deadline) { return; }
      var clock = el("p", { "class": "pk-timer" });
      form.insertBefore(clock, form.firstChild);
      function update() {
        var left = Math.max(0, Math.round((new Date(deadline) - Date.now()) / 1000));
        clock.textContent = format(t.time_left, { time: Math.floor(left / 60) + ":" + ("0" + left % 60).slice(-2) });
      }
      update();
      timer = setInterval(update, 1000);
    }

    start.addEventListener("click", function () {
      start.disabled = true;
      post(base, { version: meta("version"), token: token() }).then(function (reply) {
        start.disabled = false;
        if (reply.status !== 200) { status.textContent = refusal(reply); return; }
        attempt = reply.json;
        var byId = {};
        quiz.questions.forEach(function (question) { byId[question.id] = question; });
        form.textContent = "";
        views = attempt.questions.map(function (id, index) {
          var view = questionView(byId[id], attempt.order[id], index + 1, t);
          form.appendChild(view.node);
          return view;
        });
        form.appendChild(el("p", {}, [el("button", { type: "submit", "class": "md-button md-button--primary", text: t.submit })]));
        tick(attempt.deadline);
        status.textContent = "";
        start.hidden = true;
        form.querySelector("input, button").focus();
      }, function () { start.disabled = false; status.textContent = t.unavailable; });
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answers = {};
      views.forEach(function (view) {
        var answer = view.answer();
        if (answer !== null) { answers[view.question.id] = answer; }
      });
      form.querySelector("button[type=submit]").disabled = true;
      post(base + "/" + encodeURIComponent(attempt.attempt), { token: token(), answers: answers }).then(function (reply) {
        clearInterval(timer);
        start.hidden = false;
        start.textContent = t.retry;
        if (reply.status !== 200) { status.textContent = refusal(reply); form.textContent = ""; return; }
        var verdict = reply.json;
        views.forEach(function (view) {
          var right = verdict.questions ? verdict.questions[view.question.id] : undefined;
          view.show(right === undefined ? [] : [el("strong", { text: right ? t.correct : t.wrong })], right);
          Array.prototype.forEach.call(view.node.querySelectorAll("input, button"), function (input) { input.disabled = true; });
        });
        status.textContent = format(t.score, { score: verdict.score, pass_mark: verdict.pass_mark }) + " · " +
          (verdict.passed ? t.passed : t.failed);
        if (verdict.certificate) {
          start.hidden = true;
          status.appendChild(el("span", { text: " · " }));
          status.appendChild(el("a", { "class": "pk-certificate-link", href: data.verify + "?id=" + encodeURIComponent(verdict.certificate),
                                       text: t.certificate_link }));
        }
      }, function () { form.querySelector("button[type=submit]").disabled = false; status.textContent = t.unavailable; });
    });
    root.appendChild(status);
    root.appendChild(el("p", {}, [start]));
    root.appendChild(form);
  }

  function verify(root, data) {
    var t = data.strings, id = new URLSearchParams(location.search).get("id"), box = el("div", { "class": "pk-certificate", role: "status" });
    root.appendChild(box);
    if (!id) { box.textContent = t.not_found; return; }
    fetch(data.collector + "/certificates/" + encodeURIComponent(id), { credentials: "omit" }).then(function (response) {
      return response.json().then(function (json) { return { status: response.status, json: json }; });
    }).then(function (reply) {
      if (reply.status !== 200) { box.textContent = reply.status === 404 ? t.not_found : t.unavailable; return; }
      var c = reply.json, rows = el("dl", {});
      var state = c.status === "recertify" ? format(t["status.recertify"], { date: c.recertify_by }) : t["status." + c.status];
      [[t.holder, c.holder], [t.partner, c.partner], [t.certification, c.certification + " (" + c.level + ")"],
       [t.release, c.release || "–"], [t.issued, c.issued], [t.expires, c.expires], [t.status, state]].forEach(function (row) {
        rows.appendChild(el("dt", { text: row[0] }));
        rows.appendChild(el("dd", { text: row[1] }));
      });
      box.setAttribute("data-pk-status", c.status);
      box.appendChild(el("h2", { text: t.certificate }));
      box.appendChild(rows);
      box.appendChild(el("p", { "class": "pk-certificate-id", text: c.id }));
      var print = el("button", { type: "button", "class": "md-button pk-print", text: t.print });
      print.addEventListener("click", function () { window.print(); });
      box.appendChild(print);
    }, function () { box.textContent = t.unavailable; });
  }

  window.partnerkit.onEveryPage(function (page) {
    Array.prototype.forEach.call(page.querySelectorAll(".pk-quiz, .pk-verify"), function (root) {
      if (root.getAttribute("data-pk-ready")) { return; }
      root.setAttribute("data-pk-ready", "1");
      var data = JSON.parse(root.querySelector(".pk-quiz-data").textContent);
      if (root.classList.contains("pk-verify")) { verify(root, data); }
      else if (data.quiz.mode === "exam") { exam(root, data); }
      else { practice(root, data); }
    });
  });
})();
