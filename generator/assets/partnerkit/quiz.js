/* partnerkit quiz widget: practice quizzes graded here (same rules as generator/certification/grading.py),
 * exams graded by the collector (which sends each attempt its questions: an exam page holds only its
 * rules). Every state shows only the controls that apply. Needs widgets.js. */
/* Queued for pages.js, which runs it once per window, after widgets.js. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["quiz", ["widgets"], function () {
  "use strict";
  var STORE = "partnerkit_quiz:";
  var w = window.partnerkit.widgets, el = w.el, format = w.format, say = w.say, reachable = w.reachable;

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

  function gradeAnswer(question, answer) {
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
    var feedback = el("div", { "class": "pk-feedback", "aria-live": "polite" });
    box.appendChild(feedback);
    var view = {
      question: question, node: box, number: number,
      answer: function () {
        if (question.type === "short-text") { return box.querySelector("input").value; }
        if (question.type === "ordering") {
          return Array.prototype.map.call(list.children, function (row) { return row.getAttribute("data-pk-id"); });
        }
        var checked = Array.prototype.filter.call(box.querySelectorAll("input"), function (input) { return input.checked; })
          .map(function (input) { return input.value; });
        return question.type === "multiple" ? checked : (checked[0] || null);
      },
      /* Ordering questions always hold an order; the others are unanswered until something is picked or typed. */
      unanswered: function () {
        if (question.type === "ordering") { return false; }
        var answer = view.answer();
        return question.type === "multiple" ? answer.length === 0 : !answer || !String(answer).trim();
      },
      show: function (lines, right) {
        feedback.textContent = "";
        box.classList.remove("pk-unanswered");
        box.classList.toggle("pk-right", right === true);
        box.classList.toggle("pk-wrong", right === false);
        lines.forEach(function (line) { if (line) { feedback.appendChild(line.nodeType ? line : el("p", { text: line })); } });
      },
      lock: function () {
        Array.prototype.forEach.call(box.querySelectorAll("input, button"), function (input) { input.disabled = true; });
      }
    };
    return view;
  }

  /* The right answer of a practice question, as text. */
  function rightAnswer(question) {
    var texts = {};
    (question.choices || question.items || []).forEach(function (c) { texts[c.id] = c.text; });
    if (question.type === "short-text") { return (question.answers || [])[0] || null; }
    var right = (question.correct || []).map(function (id) { return texts[id]; });
    return right.length ? right.join(question.type === "ordering" ? " → " : "; ") : null;
  }

  function listed(numbers, language) {
    try { return new Intl.ListFormat(language, { type: "conjunction" }).format(numbers); }
    catch (error) { return numbers.join(", "); }
  }

  /* Before grading: name the unanswered questions and ask, in the page, whether to go on. */
  function unansweredCheck(t, row, goLabel, language) {
    var text = el("p", {});
    var go = el("button", { type: "button", "class": "md-button md-button--primary", text: goLabel });
    var back = el("button", { type: "button", "class": "md-button", text: t.keep_answering });
    var box = el("div", { "class": "pk-confirm", role: "alert", hidden: "" }, [text, el("p", { "class": "pk-actions" }, [go, back])]);
    var pending = null, missing = [];
    function close() { box.hidden = true; row.hidden = false; }
    go.addEventListener("click", function () { var next = pending; pending = null; close(); if (next) { next(); } });
    back.addEventListener("click", function () {
      pending = null;
      close();
      var first = missing[0] && missing[0].node.querySelector("input");
      if (first) { first.focus(); }
    });
    return {
      node: box,
      reset: function () { pending = null; box.hidden = true; },
      ask: function (views, proceed) {
        missing = views.filter(function (view) { return view.unanswered(); });
        views.forEach(function (view) {
          var gap = missing.indexOf(view) >= 0;
          view.node.classList.toggle("pk-unanswered", gap);
          view.node.querySelector(".pk-feedback").textContent = gap ? t.not_answered : "";
        });
        if (!missing.length) { proceed(); return; }
        var numbers = listed(missing.map(function (view) { return String(view.number); }), language);
        text.textContent = format(missing.length === 1 ? t.unanswered_one : t.unanswered,
                                  { count: missing.length, total: views.length, numbers: numbers });
        pending = proceed;
        row.hidden = true;
        box.hidden = false;
        go.focus();
      }
    };
  }

  function practice(root, data) {
    var quiz = data.quiz, t = data.strings, key = STORE + quiz.id, views = [], graded = false;
    var form = el("form", { "class": "pk-quiz-form", novalidate: "" });
    var result = el("p", { "class": "pk-result", role: "status", "aria-live": "polite" });
    var check = el("button", { type: "submit", "class": "md-button md-button--primary", text: t.check });
    var retry = el("button", { type: "button", "class": "md-button", text: t.retry, hidden: "" });
    var row = el("p", { "class": "pk-actions" }, [check, retry]);
    var confirm = unansweredCheck(t, row, t.check_anyway, data.language);

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
      form.appendChild(row);
      form.appendChild(confirm.node);
      confirm.reset();
      graded = false;
      row.hidden = false; check.hidden = false; retry.hidden = true;
      var last = saved();
      result.textContent = last ? format(t.last_result, { score: last.score }) + " · " + (last.passed ? t.passed : t.failed) : "";
    }

    function grade() {
      var shares = {}, outcome = {}, review = quiz.review;
      views.forEach(function (view) {
        var question = view.question, answer = view.answer(), share = gradeAnswer(question, answer);
        shares[question.id] = share;
        outcome[question.id] = share === 1;
        var lines = [];
        if (review !== "score") { lines.push(el("strong", { text: share === 1 ? t.correct : t.wrong })); }
        if (review === "answers") {
          [].concat(answer || []).forEach(function (id) { lines.push((question.feedback || {})[id]); });
          var right = share === 1 ? null : rightAnswer(question);
          if (right) { lines.push(el("p", { "class": "pk-right-answer", text: format(t.right_answer, { answer: right }) })); }
          lines.push(question.explanation);
        }
        if (review !== "score" && question.source) {
          lines.push(el("p", {}, [el("a", { href: question.source.url, text: question.source.title + " (" + question.source.start + ")" })]));
        }
        view.show(lines, review === "score" ? undefined : share === 1);
        view.lock();
      });
      var points = score(views.map(function (view) { return view.question; }), shares), passed = points >= quiz.pass_mark;
      result.textContent = format(t.score, { score: points, pass_mark: quiz.pass_mark }) + " · " + (passed ? t.passed : t.failed);
      try { localStorage.setItem(key, JSON.stringify({ score: points, passed: passed, questions: outcome, at: Date.now() })); } catch (error) {}
      if (window.partnerkit.track) { window.partnerkit.track({ type: "quiz", quiz: quiz.id, score: points, passed: passed }); }
      graded = true;
      check.hidden = true; retry.hidden = false;
      retry.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!graded && !row.hidden) { confirm.ask(views, grade); }
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
    var next = el("p", { "class": "pk-next", "aria-live": "polite" });
    var form = el("form", { "class": "pk-quiz-form", novalidate: "" });
    var start = el("button", { type: "button", "class": "md-button md-button--primary", text: t.start });
    var submit = el("button", { type: "submit", "class": "md-button md-button--primary", text: t.submit });
    var submitRow = el("p", { "class": "pk-actions" }, [submit]);
    var confirm = unansweredCheck(t, submitRow, t.submit_anyway, data.language);
    var attempt = null, views = [], timer = null, clock = null, reopen = null;

    function stopClock() {
      clearInterval(timer);
      timer = null;
      if (clock && clock.parentNode) { clock.parentNode.removeChild(clock); }
      clock = null;
    }

    function tick(deadline) {
      stopClock();
      if (!deadline) { return; }
      clock = el("p", { "class": "pk-timer" });
      form.insertBefore(clock, form.firstChild);
      function update() {
        if (!document.contains(root)) { stopClock(); return; }  /* the reader left the page */
        var left = Math.max(0, Math.round((new Date(deadline) - Date.now()) / 1000));
        clock.textContent = format(t.time_left, { time: Math.floor(left / 60) + ":" + ("0" + left % 60).slice(-2) });
      }
      update();
      timer = setInterval(update, 1000);
    }

    function offer() { next.textContent = ""; start.textContent = t.retry; start.disabled = false; start.hidden = false; }

    /* The next attempt opens at ``when``: say so, and offer it then. */
    function openAt(when) {
      clearTimeout(reopen);
      start.hidden = true;
      next.textContent = format(t.too_early, { time: when.toLocaleString(data.language) });
      var wait = when - Date.now();
      if (wait < 2147483647) { reopen = setTimeout(function () { if (document.contains(root)) { offer(); } }, Math.max(0, wait)); }
    }

    function afterFailure() {
      if (attempt && attempt.attempts_left === 0) { start.hidden = true; next.textContent = t.no_attempts; return; }
      if (quiz.retry_after_hours) { openAt(new Date(Date.now() + quiz.retry_after_hours * 3600 * 1000)); return; }
      offer();
    }

    function unreachable() { start.hidden = true; say(status, t.unreachable); }

    function refused(reply) {
      var reason = reply.json.error;
      status.textContent = "";
      if (reason === "too early") { openAt(new Date(reply.json.retry_at)); return; }
      if (reason === "no attempts left") { start.hidden = true; next.textContent = t.no_attempts; return; }
      if (reason === "anonymous" || reason === "forged token") { start.hidden = true; status.textContent = t.anonymous; return; }
      status.textContent = t.unavailable;
    }

    function begin(reply) {
      attempt = reply.json;
      form.textContent = "";
      views = attempt.asked.map(function (question, index) {
        var view = questionView(question, null, index + 1, t);
        form.appendChild(view.node);
        return view;
      });
      form.appendChild(submitRow);
      form.appendChild(confirm.node);
      confirm.reset();
      submitRow.hidden = false;
      submit.disabled = false;
      tick(attempt.deadline);
      status.textContent = "";
      next.textContent = "";
      start.hidden = true;
      var first = form.querySelector("input, button");
      if (first) { first.focus(); }
    }

    function graded(verdict) {
      views.forEach(function (view) {
        var right = verdict.questions ? verdict.questions[view.question.id] : undefined;
        view.show(right === undefined ? [] : [el("strong", { text: right ? t.correct : t.wrong })], right);
      });
      status.textContent = format(t.score, { score: verdict.score, pass_mark: verdict.pass_mark }) + " · " +
        (verdict.passed ? t.passed : t.failed);
      if (verdict.certificate) {
        status.appendChild(el("span", { text: " · " }));
        status.appendChild(el("a", { "class": "pk-certificate-link", href: data.verify + "?id=" + encodeURIComponent(verdict.certificate),
                                     text: t.certificate_link }));
      } else {
        afterFailure();
      }
    }

    function send() {
      var answers = {};
      views.forEach(function (view) {
        var answer = view.answer();
        if (answer !== null) { answers[view.question.id] = answer; }
      });
      submit.disabled = true;
      post(base + "/" + encodeURIComponent(attempt.attempt), { token: token(), answers: answers }).then(function (reply) {
        var reason = reply.json.error;
        if (reply.status !== 200 && reason !== "time is up" && reason !== "already graded" && reason !== "unknown attempt") {
          submit.disabled = false;  /* nothing was graded: the same answers may be sent again */
          status.textContent = reply.status === 403 ? t.anonymous : t.unavailable;
          return;
        }
        stopClock();
        submitRow.hidden = true;
        confirm.reset();
        views.forEach(function (view) { view.lock(); });
        if (reply.status === 200) { graded(reply.json); return; }
        if (reason === "time is up") { status.textContent = t.time_up; afterFailure(); return; }
        status.textContent = t.already_graded;
        offer();
      }, function () { submit.disabled = false; say(status, t.unreachable); });
    }

    start.addEventListener("click", function () {
      start.disabled = true;
      post(base, { version: meta("version"), token: token() }).then(function (reply) {
        start.disabled = false;
        if (reply.status === 200) { begin(reply); } else { refused(reply); }
      }, function () { start.disabled = false; unreachable(); });
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (attempt && !submitRow.hidden && !submit.disabled) { confirm.ask(views, send); }
    });
    root.appendChild(status);
    root.appendChild(next);
    root.appendChild(el("p", { "class": "pk-actions" }, [start]));
    root.appendChild(form);
    if (!reachable(data.collector)) { unreachable(); }
  }

  window.partnerkit.onEveryPage(function (page) {
    w.each(page, ".pk-quiz", function (root, data) {
      if (data.quiz.mode === "exam") { exam(root, data); } else { practice(root, data); }
    });
  });
}]);
