/* partnerkit checklists: the items of a procedure step are checkboxes a rep ticks; each is kept in
 * localStorage under partnerkit:check:<procedure id>:<step>:<item>, so it survives releases and moved
 * pages, and other open tabs follow. */
/* Queued for pages.js, which runs it once per window. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["checklist", [], function () {
  "use strict";
  var PREFIX = "partnerkit:check:", BOXES = "input.pk-check[data-pk-check]";

  function isChecked(key) {
    try { return window.localStorage.getItem(PREFIX + key) === "1"; } catch (e) { return false; }
  }

  function setChecked(key, checked) {
    try {
      if (checked) { window.localStorage.setItem(PREFIX + key, "1"); }
      else { window.localStorage.removeItem(PREFIX + key); }
    } catch (e) { /* storage disabled: the box still ticks for this page view */ }
  }

  function paint(root) {
    root.querySelectorAll(BOXES).forEach(function (box) { box.checked = isChecked(box.getAttribute("data-pk-check")); });
  }

  window.partnerkit.onEveryPage(function (root) {
    root.querySelectorAll(BOXES).forEach(function (box) {
      box.addEventListener("change", function () { setChecked(box.getAttribute("data-pk-check"), box.checked); });
    });
    paint(root);
  });

  window.addEventListener("storage", function (event) {
    if (event.key === null || event.key.indexOf(PREFIX) === 0) { paint(document); }
  });
}]);
