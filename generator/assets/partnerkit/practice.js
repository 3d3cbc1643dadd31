/* partnerkit practice quizzes: graded on the page, with the same rules as
 * generator/certification/grading.py; the last result kept in localStorage. Needs quiz.js. */
/* Queued for pages.js, which runs it once per window, after quiz.js (and for a signed-in rep after learning.js). */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["practice", ["quiz", "learning?"], function () {
  "use strict";
  var STORE = "partnerkit_quiz:";
  var w = window.partnerkit.widgets, el = w.el, format = w.format;
  var questionView = window.partnerkit.quiz.questionView, unansweredCheck = window.partnerkit.quiz.unansweredCheck;

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

  /* The right answer of a practice question, as text. */
  function rightAnswer(question) {
    var texts = {};
    (question.choices || question.items || []).forEach(function (c) { texts[c.id] = c.text; });
    if (question.type === "short-text") { return (question.answers || [])[0] || null; }
    var right = (question.correct || []).map(function (id) { return texts[id]; });
    return right.length ? right.join(question.type === "ordering" ? " → " : "; ") : null;
  }

  function practice(root, data) {
    var quiz = data.quiz, t = data.strings, key = STORE + quiz.id, views = [], graded = false;
    var form = el("form", { "class": "pk-quiz-form", novalidate: "" });
    var result = el("p", { "class": "pk-result", role: "status", "aria-live": "polite", tabindex: "-1" });
    var onward = el("p", { "class": "pk-next-step", hidden: "" });
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
      onward.hidden = true;
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
        if (review !== "score" && share !== 1) {  /* the wrong pick marked where it was made, in more than colour */
          [].concat(answer || []).forEach(function (id) {
            var input = view.node.querySelector('input[value="' + String(id).replace(/["\\]/g, "") + '"]');
            var label = input && input.closest("label");
            if (label && (question.correct || []).indexOf(id) < 0) {
              label.classList.add("pk-choice--wrong");
              label.appendChild(el("span", { "class": "pk-choice-mark", text: "✗ " + t.your_pick }));
            }
          });
        }
        view.lock();
      });
      var points = score(views.map(function (view) { return view.question; }), shares), passed = points >= quiz.pass_mark;
      result.textContent = format(t.score, { score: points, pass_mark: quiz.pass_mark }) + " · " + (passed ? t.passed : t.failed);
      try { localStorage.setItem(key, JSON.stringify({ score: points, passed: passed, questions: outcome, at: Date.now() })); } catch (error) {}
      if (window.partnerkit.track) { window.partnerkit.track({ type: "quiz", quiz: quiz.id, score: points, passed: passed }); }
      if (window.partnerkit.learning) { window.partnerkit.learning.quizResult(quiz.id, points, passed); }
      onward.textContent = "";
      onward.hidden = !(passed && data.exam);
      if (passed && data.exam) {
        onward.appendChild(el("a", { href: data.exam.url, "class": "md-button md-button--primary", text: format(t.take_exam, { title: data.exam.title }) }));
      }
      graded = true;
      check.hidden = true; retry.hidden = false;
      result.scrollIntoView({ block: "start" });
      result.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!graded && !row.hidden) { confirm.ask(views, grade); }
    });
    retry.addEventListener("click", deal);
    root.appendChild(result);
    root.appendChild(onward);
    root.appendChild(form);
    deal();
  }

  window.partnerkit.onEveryPage(function (page) { w.each(page, ".pk-quiz--practice", practice); });
}]);
