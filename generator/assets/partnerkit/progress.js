/* partnerkit progress: "mark as done" on module pages (and the next step after it), progress bars on
 * learning paths and the home page, a tick beside each module of a path (procedure checklists are
 * checklist.js). State lives in localStorage under stable module ids (never URLs), so it survives
 * releases, aliases and moved pages: all there is for an anonymous reader. A signed-in rep's learner
 * record (learning.js, loaded for them only) runs first, sends each change (partnerkit.learning.changed)
 * and repaints by a storage event, as another tab would. Re-applied on every page instant navigation brings and
 * when another tab changes the state. (README: Progress and the learner record)
 * Every module page loads it, so it is written small: k partnerkit, d document, P the localStorage
 * prefix; done(id), set(id, done), all(root, selector, paint), data(node, name) reads data-pk-<name>,
 * link(href, text), paint(root). */
/* Queued for pages.js, which runs it once per window (for a signed-in rep after learning.js). */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["progress", ["learning?"], function () {
  var k = window.partnerkit, d = document, P = "partnerkit:done:";

  function done(a) { try { return localStorage[P + a] == "1"; } catch (e) {} }
  function set(a, b) {
    try { b ? localStorage[P + a] = "1" : localStorage.removeItem(P + a); }
    catch (e) { /* storage disabled: the control still toggles for this page view */ }
  }
  function all(a, b, c) { a.querySelectorAll(b).forEach(c); }
  function data(a, b) { return a.getAttribute("data-pk-" + b); }
  function link(a, b, c) {
    c = d.createElement("a");
    c.href = a;
    c.textContent = b;
    return c;
  }

  function paint(root) {
    /* The control, and after "Mark as done" the next module of the path, or the path's exam once every module is done. */
    all(root, ".pk-done[data-pk-module]", function (a, b, c, e) {
      b = a.querySelector("button");
      c = a.querySelector(".pk-next-step");
      e = !!done(data(a, "module"));
      b.textContent = data(a, e ? "label-done" : "label");
      b.setAttribute("aria-pressed", e);
      b.classList.toggle("md-button--primary", e);
      c.textContent = "";
      e = e && (data(a, "path-modules") || "").split(" ").filter(Boolean);
      !e ? 0
        : e[0] && e.every(done) ? data(a, "exam-href") ? c.appendChild(link(data(a, "exam-href"), data(a, "label-exam")))
          : c.textContent = data(a, "label-complete")
        : data(a, "next-href") && c.appendChild(link(data(a, "next-href"), data(a, "label-next").replace("{title}", data(a, "next-title"))));
    });
    all(root, ".pk-path-progress[data-pk-modules]", function (a, b, c) {
      b = data(a, "modules").split(" ").filter(Boolean);
      c = b.filter(done).length;
      a.querySelector("progress").value = c;
      a.querySelector(".pk-path-progress__label").textContent = data(a, "label").replace("{done}", c).replace("{total}", b.length);
      a.classList.toggle("pk-path-progress--complete", c == b.length);
    });
    all(root, ".pk-module-state[data-pk-module]", function (a, b) {
      b = !!done(data(a, "module"));
      a.textContent = b ? "✓" : "";
      a.classList.toggle("pk-module-state--done", b);
    });
  }

  k.onEveryPage(function (root) {
    all(root, ".pk-done[data-pk-module]", function (a, b, c) {
      b = a.querySelector("button");
      c = data(a, "module");
      b.disabled = false;
      b.addEventListener("click", function (e) {
        e = !done(c);
        set(c, e);
        k.learning && k.learning.changed(c, e);
        paint(d);
      });
    });
    paint(root);
  });
  addEventListener("storage", function () { paint(d); });  /* another tab, or the learner record, changed the state */
}]);
