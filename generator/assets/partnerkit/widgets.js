/* partnerkit widgets: what the quiz widget, the verification page and My accounts share: building
 * elements, filling in interface words, talking to the collector, and setting up each widget root once. */
/* Queued for pages.js, which runs it once per window. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["widgets", [], function () {
  "use strict";

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

  /* A message with `command` spans shown as code. */
  function message(text) {
    var line = el("span", {});
    text.split("`").forEach(function (part, index) {
      if (part) { line.appendChild(index % 2 ? el("code", { text: part }) : document.createTextNode(part)); }
    });
    return line;
  }

  function say(node, text) {
    node.textContent = "";
    node.appendChild(message(text));
  }

  function reachable(base) {
    return window.partnerkit.collectorReachable(base);
  }

  /* POST ``body`` as JSON text (a simple CORS request, no cookies) to the collector: {status, json}. */
  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify(body), credentials: "omit" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) { return { status: response.status, json: json }; });
      });
  }

  /* Calls ``setUp(root, data)`` once for every ``selector`` root of ``page`` with its data. */
  function each(page, selector, setUp) {
    Array.prototype.forEach.call(page.querySelectorAll(selector), function (root) {
      if (root.getAttribute("data-pk-ready")) { return; }
      root.setAttribute("data-pk-ready", "1");
      /* An attribute, not a JSON <script>: Material's instant navigation re-creates inline scripts
       * without their type, which would run the data as code. */
      setUp(root, JSON.parse(root.getAttribute("data-pk-data")));
    });
  }

  window.partnerkit.widgets = { el: el, format: format, say: say, reachable: reachable, each: each, token: window.partnerkit.token, post: post };
}]);
