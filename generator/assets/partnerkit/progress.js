/* partnerkit progress: "mark as done" on module pages (and the next step after it), progress bars on
 * learning paths and the home page, a tick beside each module of a path (procedure checklists are
 * checklist.js). State lives in localStorage under stable module ids (never URLs), so it survives
 * releases, aliases and moved pages: all there is for an anonymous reader. A signed-in rep's learner
 * record (learning.js, loaded for them only) runs first, sends each change with partnerkit.learning.changed
 * and repaints with partnerkit.progress.paint. Re-applied on every page instant navigation brings and
 * when another tab changes the state. (README: Progress and the learner record) */
/* Queued for pages.js, which runs it once per window (for a signed-in rep after learning.js). */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["progress", ["learning?"], function () {
  var k = window.partnerkit, d = document, PREFIX = "partnerkit:done:";

  function isDone(id) { try { return localStorage.getItem(PREFIX + id) == "1"; } catch (e) { return false; } }
  function setDone(id, done) {
    try { done ? localStorage.setItem(PREFIX + id, "1") : localStorage.removeItem(PREFIX + id); }
    catch (e) { /* storage disabled: the control still toggles for this page view */ }
  }
  function each(root, selector, paint) { root.querySelectorAll(selector).forEach(paint); }
  function data(node, name) { return node.getAttribute("data-pk-" + name); }
  function link(href, text) {
    var a = d.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function paint(root) {
    /* The control, and after "Mark as done" the next module of the path, or the path's exam once every module is done. */
    each(root, ".pk-done[data-pk-module]", function (box) {
      var button = box.querySelector("button"), next = box.querySelector(".pk-next-step"), done = isDone(data(box, "module")),
          modules = (data(box, "path-modules") || "").split(" ").filter(Boolean), complete = modules[0] && modules.every(isDone);
      button.textContent = data(box, done ? "label-done" : "label");
      button.setAttribute("aria-pressed", done);
      button.classList.toggle("md-button--primary", done);
      next.textContent = "";
      if (!done) { return; }
      if (complete && data(box, "exam-href")) { next.appendChild(link(data(box, "exam-href"), data(box, "label-exam"))); }
      else if (complete) { next.textContent = data(box, "label-complete"); }
      else if (data(box, "next-href")) {
        next.appendChild(link(data(box, "next-href"), data(box, "label-next").replace("{title}", data(box, "next-title"))));
      }
    });
    each(root, ".pk-path-progress[data-pk-modules]", function (box) {
      var ids = data(box, "modules").split(" ").filter(Boolean), done = ids.filter(isDone).length;
      box.querySelector("progress").value = done;
      box.querySelector(".pk-path-progress__label").textContent = data(box, "label").replace("{done}", done).replace("{total}", ids.length);
      box.classList.toggle("pk-path-progress--complete", done == ids.length);
    });
    each(root, ".pk-module-state[data-pk-module]", function (mark) {
      var done = isDone(data(mark, "module"));
      mark.textContent = done ? "✓" : "";
      mark.classList.toggle("pk-module-state--done", done);
    });
  }

  k.progress = { isDone: isDone, setDone: setDone, paint: paint };
  k.onEveryPage(function (root) {
    each(root, ".pk-done[data-pk-module]", function (box) {
      var button = box.querySelector("button"), id = data(box, "module");
      button.disabled = false;
      button.addEventListener("click", function () {
        var done = !isDone(id);
        setDone(id, done);
        k.learning && k.learning.changed(id, done);
        paint(d);
      });
    });
    paint(root);
  });
  window.addEventListener("storage", function (event) {
    (event.key === null || !event.key.indexOf(PREFIX)) && paint(d);
  });
}]);
