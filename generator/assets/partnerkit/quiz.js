/* partnerkit quiz widget, what practice quizzes (practice.js) and exams (exam.js) share: a question as
 * native, keyboard-usable controls, and the in-page question before grading an incomplete answer.
 * Every state shows only the controls that apply. Needs widgets.js. */
/* Queued for pages.js, which runs it once per window, after widgets.js. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["quiz", ["widgets"], function () {
  "use strict";
  var w = window.partnerkit.widgets, el = w.el, format = w.format;

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

  window.partnerkit.quiz = { questionView: questionView, unansweredCheck: unansweredCheck };
}]);
