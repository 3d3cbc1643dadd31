/* partnerkit "Ask for help" on deal-stage pages: a rep signed in with their personal link tells the
 * vendor's partner team what the deal is about; the collector stores it for the next digest. Anonymous
 * readers see nothing. Needs widgets.js. */
/* Queued for pages.js, which runs it once per window, after widgets.js. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["help", ["widgets"], function () {
  "use strict";
  var w = window.partnerkit.widgets, el = w.el;

  function help(root, data) {
    var t = data.strings, token = w.token();
    if (!token || !w.reachable(data.collector)) { return; }
    var fieldId = "pk-help-text-" + Math.random().toString(36).slice(2, 8);
    var field = el("textarea", { id: fieldId, rows: "3", maxlength: String(data.max_chars) });
    var send = el("button", { type: "submit", "class": "md-button", text: t.send });
    var status = el("p", { role: "status", "aria-live": "polite" });
    var form = el("form", {}, [el("label", { "for": fieldId, text: t.label }), field, send]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = field.value.trim(), version = document.querySelector('meta[name="partnerkit:version"]');
      if (!text) { return; }
      send.disabled = true;
      w.post(data.collector + "/help", { token: token, content: data.content, version: version ? version.content : null, text: text })
        .then(function (reply) {
          if (reply.status === 200) { form.hidden = true; status.textContent = t.sent; return; }
          send.disabled = false;
          status.textContent = w.format(t.not_sent, { reason: reply.json.error || reply.status });
        }, function () { send.disabled = false; status.textContent = w.format(t.not_sent, { reason: "network" }); });
    });
    [el("h2", { text: t.title }), el("p", { text: t.intro }), form, status].forEach(function (node) { root.appendChild(node); });
  }

  window.partnerkit.onEveryPage(function (page) { w.each(page, ".pk-help", help); });
}]);
