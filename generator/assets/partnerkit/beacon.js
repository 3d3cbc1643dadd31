/* partnerkit beacon (README: View logs). Sends, with navigator.sendBeacon, one request per moment:
 * - a view when a page opens (the first load and each page the theme's instant navigation brings), in
 *   the same request as the leave of the page before;
 * - a leave when the page is hidden or left: the time it was visible in the focused tab since the last
 *   leave, and the deepest scroll (percent), if either changed;
 * - a download when a link with data-pk-r (a module's resource) is clicked, and a practice quiz's
 *   result (partnerkit.track, from practice.js);
 * each with the personal link's token. Nothing at all when the collector is not reachable from this copy
 * of the site, with Do Not Track where the site respects it, or before the rep accepts view statistics
 * where the site asks for consent (the theme's consent banner).
 * Self-contained, as Plausible's script is: it needs no other script, so it reads for itself, as pages.js
 * does for the others, the page's partnerkit:<name> meta tags; the collector's address, used only where
 * this copy of the site is one of the collector's origins (analytics.origins) and the address's host is
 * not a name reserved by RFC 2606 and RFC 6761 (an example's fictional collector); and the token from
 * ?pk= (kept in localStorage for later pages and taken out of the address bar, so that an address passed
 * on does not carry it), else the one kept.
 * Instant navigation runs the script again on every page it brings (after the theme has put in the new
 * page's meta tags): the first run sets the beacon up and defines partnerkit.page, each later run only
 * calls it, a new page. (partnerkit.page and partnerkit.track do nothing where the beacon sends nothing.)
 * Written small, so its names are letters: k partnerkit, u endpoint, g consent choice, t token, p the view
 * open now (null: none), e engaged ms since the last leave, s deepest scroll, r the scroll the last leave
 * sent, o when the engaged stretch began (0: not engaged); N() the clock, m(name) a meta tag's content,
 * v(fields) an event of the view open now, b(list) sends events, c() counts engaged time, l() the leave,
 * in a list, if anything changed (else an empty list). */
(function (k, u, g, t, p, e, s, r, o, N, m, v, b, c, l) {
  N = Date.now;
  m = a => (a = document.querySelector('meta[name="partnerkit:' + a + '"]')) && a.content;
  v = a => Object.assign({ at: N() }, p, a);
  b = a => a[0] && (!g || (self.__md_get && __md_get("__consent") || {})[g]) && navigator.sendBeacon(u, JSON.stringify(a));
  c = a => {
    a = N();
    e += o && a - o;
    o = p && !document.hidden && document.hasFocus() ? a : 0;
  };
  l = a => (c(), a = p && (e || s > r) ? [v({ type: "leave", engaged_ms: e, scroll: s })] : [], e = 0, r = s, a);

  k = self.partnerkit = self.partnerkit || {};
  if (k.page) { return k.page(); }
  k.page = k.track = a => p && b([v(a)]);
  u = m("analytics-endpoint");
  g = m("analytics-consent");
  try { e = new URL(u, location).hostname; } catch (a) { u = 0; }
  /* (the origins tag comes with the endpoint's, always) */
  if (u && m("analytics-origins").split(" ").includes(location.origin) &&
      !/(^|\.)(example(\.(com|net|org))?|invalid|test)$/.test(e) &&
      navigator.sendBeacon && !(m("analytics-dnt") && (navigator.doNotTrack == 1 || self.doNotTrack == 1))) {
    e = new URLSearchParams(location.search);
    t = e.get("pk");
    try { t ? localStorage.partnerkit_pk = t : t = localStorage.partnerkit_pk; } catch (a) {}
    if (e.has("pk")) {
      e.delete("pk");
      e += "";
      history.replaceState(history.state, "", location.pathname + (e && "?" + e) + location.hash);
    }
    e = 0;
    (k.page = a => {
      a = l();
      p = m("content-id");
      p = p && { type: "view", content: p, version: m("version"), token: t,
                 view: N().toString(36) + Math.random().toString(36).slice(2) };
      r = s = 0;
      p && a.push(v());
      b(a);
      c();
    })();
    /* capture: seen before any handler of the page stops it */
    addEventListener("click", a => (a = a.target.closest("a[data-pk-r]")) && k.track({ type: "download", target: a.dataset.pkR }), 1);
    addEventListener("scroll", a => {
      a = document.documentElement.scrollHeight - innerHeight;
      s = Math.max(s, a > 0 ? Math.min(100, Math.round(scrollY / a * 100)) : 100);
    });
    addEventListener("focus", c);
    addEventListener("blur", c);
    addEventListener("visibilitychange", () => document.hidden ? b(l()) : c());  /* bubbles up from document */
    addEventListener("pagehide", () => b(l()));
  }
})();
