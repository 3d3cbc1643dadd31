/* partnerkit exams: graded by the collector, which sends each attempt its questions (an exam page
 * holds only its rules), keeps the clock and issues the certificate. Needs quiz.js. */
/* Queued for pages.js, which runs it once per window, after quiz.js (and for a signed-in rep after learning.js). */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["exam", ["quiz", "learning?"], function () {
  "use strict";
  var w = window.partnerkit.widgets, el = w.el, format = w.format, say = w.say, reachable = w.reachable, token = w.token, post = w.post;
  var questionView = window.partnerkit.quiz.questionView, unansweredCheck = window.partnerkit.quiz.unansweredCheck;

  function meta(name) {
    var tag = document.querySelector('meta[name="partnerkit:' + name + '"]');
    return tag ? tag.content : null;
  }

  function exam(root, data) {
    var quiz = data.quiz, t = data.strings, base = data.collector + "/exams/" + encodeURIComponent(quiz.id) + "/attempts";
    var status = el("p", { "class": "pk-result", role: "status", "aria-live": "polite", tabindex: "-1" });
    var standing = el("div", { "class": "pk-exam-state", "aria-live": "polite", hidden: "" });
    var again = el("div", { "class": "pk-again", role: "alert", hidden: "" });
    var certified = false;
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
      status.scrollIntoView({ block: "center" });
      status.focus();
      if (learning()) { learning().sync(); }
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

    function learning() { return window.partnerkit.learning && window.partnerkit.learning.signedIn() ? window.partnerkit.learning : null; }

    function day(text) { return text; }  /* ISO days, as My accounts and the verification page write them */

    /* What the learner record says about this exam: the rep, a certificate held, attempts left, the next attempt's time. */
    function known(record) {
      var mine = record.exams && record.exams[quiz.id];
      if (!mine || attempt) { return; }
      standing.textContent = "";
      standing.appendChild(el("p", { text: format(t.signed_in, { name: record.rep.name, partner: record.rep.partner }) }));
      var held = mine.certificate;
      certified = Boolean(held && held.status !== "expired");
      if (held) {
        var line = held.status === "expired" ? format(t.expired, { date: day(held.valid_until) })
          : format(t.certified, { date: day(held.valid_until) }) + (held.recertify_by ? " " + format(t.recertify, { date: day(held.recertify_by) }) : "");
        standing.appendChild(el("p", {}, [el("strong", { text: line + " " }),
          el("a", { "class": "pk-certificate-link", href: data.verify + "?id=" + encodeURIComponent(held.id), text: t.certificate_link })]));
      }
      if (mine.attempts_left !== null && mine.attempts_left !== undefined) {
        standing.appendChild(el("p", { text: format(t.attempts_left, { count: mine.attempts_left }) }));
      }
      standing.hidden = false;
      if (mine.attempts_left === 0) { start.hidden = true; next.textContent = t.no_attempts; }
      else if (mine.retry_at && new Date(mine.retry_at) > Date.now()) { openAt(new Date(mine.retry_at)); }
      else if (certified && start.textContent === t.start) { start.textContent = t.start_again; }
    }

    var goAgain = el("button", { type: "button", "class": "md-button md-button--primary", text: t.start_again });
    var stay = el("button", { type: "button", "class": "md-button", text: t.keep_answering });
    again.appendChild(el("p", { text: t.confirm_again }));
    again.appendChild(el("p", { "class": "pk-actions" }, [goAgain, stay]));
    stay.addEventListener("click", function () { again.hidden = true; start.hidden = false; start.focus(); });
    goAgain.addEventListener("click", function () { again.hidden = true; certified = false; start.hidden = false; start.click(); });

    start.addEventListener("click", function () {
      if (certified) { start.hidden = true; again.hidden = false; goAgain.focus(); return; }
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
    root.appendChild(standing);
    root.appendChild(status);
    root.appendChild(next);
    root.appendChild(el("p", { "class": "pk-actions" }, [start]));
    root.appendChild(again);
    root.appendChild(form);
    if (!reachable(data.collector)) { unreachable(); return; }
    if (window.partnerkit.learning) { window.partnerkit.learning.onRecord(function (record) { if (document.contains(root)) { known(record); } }); }
  }

  window.partnerkit.onEveryPage(function (page) { w.each(page, ".pk-quiz--exam", exam); });
}]);
