/* partnerkit beacon (README: View logs) */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["beacon", [], function () { (function (w, d, n, L) {
  function meta(k) {
    var t = d.querySelector('meta[name="partnerkit:' + k + '"]');
    return t && t.content;
  }
  var url = meta("analytics-endpoint"), gate = meta("analytics-consent"), q = new URLSearchParams(L.search),
      pk = q.get("pk"), p, e = 0, s = 0, sent = 0, since = 0;
  if (!url || !w.partnerkit.collectorReachable(url) || !n.sendBeacon || meta("analytics-dnt") && (n.doNotTrack == 1 || w.doNotTrack == 1)) { return; }
  try {
    pk ? localStorage.partnerkit_pk = pk : pk = localStorage.partnerkit_pk;
  } catch (x) {}
  if (q.has("pk")) {
    q.delete("pk");
    q += "";
    history.replaceState(history.state, "", L.pathname + (q && "?" + q) + L.hash);
  }
  function send(list) {
    var given = gate && w.__md_get && w.__md_get("__consent");
    if (list.length && (!gate || given && given[gate])) { n.sendBeacon(url, JSON.stringify(list)); }
  }
  function tick() {
    var now = Date.now();
    e += since && now - since;
    since = p && !d.hidden && d.hasFocus() ? now : 0;
  }
  function leave() {
    tick();
    var list = p && (e || s > sent) ? [Object.assign({}, p, { type: "leave", at: Date.now(), engaged_ms: e, scroll: s })] : [];
    e = 0;
    sent = s;
    return list;
  }
  w.partnerkit.track = function (fields) {
    p && send([Object.assign({}, p, fields, { at: Date.now() })]);
  };
  w.partnerkit.onEveryPage(function () {
    var list = leave(), c = meta("content-id");
    p = c && { type: "view", content: c, version: meta("version"), token: pk, at: Date.now(),
               view: Math.random().toString(36).slice(2, 10) + Date.now().toString(36) };
    s = sent = 0;
    p && list.push(p);
    tick();
    send(list);
  });
  d.addEventListener("click", function (v) {
    var a = v.target.closest("a[data-pk-r]");
    a && w.partnerkit.track({ type: "download", target: a.getAttribute("data-pk-r") });
  }, true);
  w.addEventListener("scroll", function () {
    var h = d.documentElement.scrollHeight - w.innerHeight;
    s = Math.max(s, h > 0 ? Math.min(100, Math.round(w.scrollY / h * 100)) : 100);
  });
  w.addEventListener("focus", tick);
  w.addEventListener("blur", tick);
  d.addEventListener("visibilitychange", function () { d.hidden ? send(leave()) : tick(); });
  w.addEventListener("pagehide", function () { send(leave()); });
})(window, document, navigator, location); }]);
