/* partnerkit progress: "mark as done" on module pages, progress bars on learning paths and the
 * home page (procedure checklists are checklist.js).
 * State lives in localStorage under stable module ids (never URLs), so it survives
 * releases, aliases and moved pages. Re-applied on every Material instant-navigation
 * page change through document$. */
/* Queued for pages.js, which runs it once per window. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["progress", [], function () {
  "use strict";
  var PREFIX = "partnerkit:done:";

  function isDone(id) {
    try { return window.localStorage.getItem(PREFIX + id) === "1"; } catch (e) { return false; }
  }

  function setDone(id, done) {
    try {
      if (done) { window.localStorage.setItem(PREFIX + id, "1"); }
      else { window.localStorage.removeItem(PREFIX + id); }
    } catch (e) { /* storage disabled: the control still toggles for this page view */ }
  }

  function paintControl(box) {
    var button = box.querySelector("button");
    var done = isDone(box.getAttribute("data-pk-module"));
    button.textContent = box.getAttribute(done ? "data-pk-label-done" : "data-pk-label");
    button.setAttribute("aria-pressed", done ? "true" : "false");
    button.classList.toggle("md-button--primary", done);
  }

  function paintPath(box) {
    var ids = box.getAttribute("data-pk-modules").split(" ").filter(Boolean);
    var done = ids.filter(isDone).length;
    box.querySelector("progress").value = done;
    box.querySelector(".pk-path-progress__label").textContent = box
      .getAttribute("data-pk-label")
      .replace("{done}", String(done))
      .replace("{total}", String(ids.length));
    box.classList.toggle("pk-path-progress--complete", done === ids.length);
  }

  function paintState(mark) {
    var done = isDone(mark.getAttribute("data-pk-module"));
    mark.textContent = done ? "✓" : "";
    mark.classList.toggle("pk-module-state--done", done);
  }

  function paintAll(root) {
    root.querySelectorAll(".pk-done[data-pk-module]").forEach(paintControl);
    root.querySelectorAll(".pk-path-progress[data-pk-modules]").forEach(paintPath);
    root.querySelectorAll(".pk-module-state[data-pk-module]").forEach(paintState);
  }

  function setUp(root) {
    root.querySelectorAll(".pk-done[data-pk-module]").forEach(function (box) {
      var button = box.querySelector("button");
      button.disabled = false;
      button.addEventListener("click", function () {
        var id = box.getAttribute("data-pk-module");
        setDone(id, !isDone(id));
        paintAll(document);
      });
    });
    paintAll(root);
  }

  window.addEventListener("storage", function (event) {
    if (event.key === null || event.key.indexOf(PREFIX) === 0) { paintAll(document); }
  });

  window.partnerkit.onEveryPage(setUp);
}]);
