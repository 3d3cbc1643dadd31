/* partnerkit beacon (README: View logs). Sends, with navigator.sendBeacon, one request per moment:
 * - a view when a page opens (the first load and each page the theme's instant navigation brings), in
 *   the same request as the leave of the page before;
 * - a leave when the page is hidden or left: the time it was visible in the focused tab since the last
 *   leave, and the deepest scroll (percent), if either changed;
 * - a download when a link with data-pk-r (a module's resource) is clicked, and a practice quiz's
 *   result (partnerkit.track, from practice.js);
 * each with the personal link's token (pages.js keeps it and takes it out of the address bar). Nothing
 * at all when the collector is not reachable from this copy of the site (partnerkit.endpoint), with Do
 * Not Track where the site respects it, or before the rep accepts view statistics where the site asks
 * for consent (the theme's consent banner). Needs pages.js.
 * Written small (Plausible's script is 723 bytes gzipped; tests/test_page_assets.py checks), so its
 * names are letters: w window, d document, n navigator, k partnerkit, m meta, u endpoint, g consent
 * choice, t token, p the view open now (null: none), e engaged ms since the last leave, s deepest
 * scroll, r the scroll the last leave sent, o when the engaged stretch began (0: not engaged);
 * v(fields) an event of the view open now, b(list) sends events, c() counts engaged time, l(list)
 * adds the leave, if anything changed. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["beacon", [], function () {
  var w = window, d = document, n = navigator, k = w.partnerkit, m = k.meta, u = k.endpoint(), g = m("analytics-consent"),
      t, p, e = 0, s = 0, r = 0, o = 0;
  function v(a) { return Object.assign({ at: Date.now() }, p, a); }
  function b(a) {
    a[0] && (!g || (w.__md_get && __md_get("__consent") || {})[g]) && n.sendBeacon(u, JSON.stringify(a));
  }
  function c(a) {
    a = Date.now();
    e += o && a - o;
    o = p && !d.hidden && d.hasFocus() ? a : 0;
  }
  function l(a) {
    c();
    p && (e || s > r) && a.push(v({ type: "leave", engaged_ms: e, scroll: s }));
    e = 0;
    r = s;
    return a;
  }
  if (u && n.sendBeacon && !(m("analytics-dnt") && (n.doNotTrack == 1 || w.doNotTrack == 1))) {
    t = k.token();
    k.track = function (a) { p && b([v(a)]); };
    k.onEveryPage(function (a) {
      a = l([]);
      p = m("content-id");
      p = p && { type: "view", content: p, version: m("version"), token: t,
                 view: Date.now().toString(36) + Math.random().toString(36).slice(2) };
      r = s = 0;
      p && a.push(v());
      b(a);
      c();
    });
    addEventListener("click", function (a) {  /* capture: seen before any handler of the page stops it */
      a = a.target.closest("a[data-pk-r]");
      a && k.track({ type: "download", target: a.dataset.pkR });
    }, 1);
    addEventListener("scroll", function (a) {
      a = d.documentElement.scrollHeight - innerHeight;
      s = Math.max(s, Math.min(100, a > 0 ? Math.round(scrollY / a * 100) : 100));
    });
    addEventListener("focus", c);
    addEventListener("blur", c);
    addEventListener("visibilitychange", function () { d.hidden ? b(l([])) : c(); });  /* bubbles up from document */
    addEventListener("pagehide", function () { b(l([])); });
  }
}]);
