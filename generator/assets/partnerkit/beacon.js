/* partnerkit beacon: one view per page (first load and every instant-navigation page), engaged time
 * (visible, focused tab) and scroll depth sent when the page is left. No cookies; the rep's token
 * from a personal link (?pk=) is kept in localStorage and removed from the address bar. */
(function () {
  "use strict";
  var d = document, w = window, ls = w.localStorage, KEY = "partnerkit:rep";
  function meta(name) {
    var tag = d.querySelector('meta[name="partnerkit:' + name + '"]');
    return tag ? tag.content : null;
  }
  var endpoint = meta("analytics-endpoint");
  if (!endpoint || !navigator.sendBeacon) { return; }
  if (meta("analytics-dnt") && (navigator.doNotTrack === "1" || w.doNotTrack === "1")) { return; }
  var consent = meta("analytics-consent");
  var query = new URLSearchParams(location.search), token = query.get("pk");
  try {
    if (token) { ls.setItem(KEY, token); } else { token = ls.getItem(KEY); }
  } catch (e) { /* no storage: count anonymously */ }
  if (query.has("pk")) {
    query.delete("pk");
    history.replaceState(history.state, "", location.pathname + (query.toString() ? "?" + query : "") + location.hash);
  }
  var page = null;

  function allowed() {  // the theme's consent banner keeps the rep's choices under __consent
    var given = consent && w.__md_get ? w.__md_get("__consent") : null;
    return !consent || !!(given && given[consent]);
  }
  function event(type, p) {
    var e = { type: type, content: p.content, view: p.view, at: Date.now() };
    if (p.version) { e.version = p.version; }
    if (token) { e.token = token; }
    if (type === "leave") { e.engaged_ms = Math.round(p.engaged); e.scroll = p.scroll; }
    return e;
  }
  function send(events) {
    if (events.length && allowed()) { navigator.sendBeacon(endpoint, JSON.stringify(events)); }
  }
  function tick() {
    if (!page) { return; }
    var now = Date.now();
    if (page.since) { page.engaged += now - page.since; }
    page.since = d.visibilityState === "visible" && d.hasFocus() ? now : 0;
  }
  function leave() {
    if (!page) { return []; }
    tick();
    var done = page.engaged > 0 || page.scroll > 0 ? [event("leave", page)] : [];
    page.engaged = 0;
    return done;
  }
  function onPage() {
    var content = meta("content-id");
    var events = leave();
    page = null;
    if (content) {
      page = { content: content, version: meta("version"), view: Math.random().toString(36).slice(2, 12) + Date.now().toString(36),
               engaged: 0, scroll: 0, since: 0 };
      tick();
      events.push(event("view", page));
    }
    send(events);
  }
  w.addEventListener("scroll", function () {
    if (!page) { return; }
    var height = d.documentElement.scrollHeight - w.innerHeight;
    page.scroll = Math.max(page.scroll, height > 0 ? Math.min(100, Math.round(w.scrollY / height * 100)) : 100);
  }, { passive: true });
  ["focus", "blur"].forEach(function (name) { w.addEventListener(name, tick); });
  d.addEventListener("visibilitychange", function () {
    if (d.visibilityState === "hidden") { send(leave()); } else { tick(); }
  });
  w.addEventListener("pagehide", function () { send(leave()); });
  w.partnerkit.onEveryPage(onPage);
})();
