/* partnerkit: what every partnerkit script shares (window.partnerkit).
 * Each page loads only the scripts it uses, inside its content. Material's instant navigation inserts
 * them again on every page that lists them, in any order (as they arrive): each script queues its body
 * on ``window.partnerkitQueue`` as [name, names of the scripts it needs, body], and this one runs each
 * body once per window, after those it needs. A needed name ending in "?" is needed by a signed-in rep
 * only (partnerkit.signedIn()).
 * The scripts only a signed-in rep uses (the learner record, "Ask for help") are not in the page's
 * content: the page names them (data-pk-signed-in, overrides/main.html) and this script loads them,
 * from its own folder, for a signed-in rep, once per window.
 * partnerkit.onEveryPage(setUp) runs setUp(document) once on every page: the first page, and each page
 * instant navigation brings (the theme's document$ says when).
 * Every page loads it, so it is written small, its names letters: w window, d document, k partnerkit,
 * q the queued bodies, l the names loaded (scripts that ran, or were asked for), f the set-ups, x the
 * set-ups that ran on each page (by the element the theme replaces on every page change), o this
 * script's address. */
(function (w, d, k, q, l, f, x, o) {
  k = w.partnerkit = w.partnerkit || {};
  if (k.onEveryPage) { return; }
  q = w.partnerkitQueue || [];
  l = {};
  f = [];
  x = new WeakMap();
  o = (d.currentScript || {}).src || "";

  function run(a, b, c) {
    b = d.querySelector('[data-md-component="container"]') || d.body;
    c = x.get(b) || [];
    if (c.indexOf(a) < 0) {
      x.set(b, c.concat(a));
      a(d);
    }
  }
  function runAll() { f.forEach(run); }
  function follow() {
    runAll();
    w.document$ && document$.subscribe(runAll);
  }
  k.onEveryPage = function (a) {
    f.push(a);
    d.readyState != "loading" && run(a);
  };
  d.readyState == "loading" ? d.addEventListener("DOMContentLoaded", follow) : follow();

  /* The content of the page's ``partnerkit:<name>`` meta tag, or null. */
  k.meta = function (a) {
    a = d.querySelector('meta[name="partnerkit:' + a + '"]');
    return a && a.content;
  };

  /* The rep's personal-link token: from ``?pk=`` (kept in localStorage for later pages, and taken out of
   * the address bar, so that an address passed on does not carry it), else the one kept, or null. */
  k.token = function (a, b) {
    a = new URLSearchParams(location.search);
    b = a.get("pk");
    try { b ? localStorage.partnerkit_pk = b : b = localStorage.partnerkit_pk; } catch (error) {}
    if (a.has("pk")) {
      a.delete("pk");
      a += "";
      history.replaceState(history.state, "", location.pathname + (a && "?" + a) + location.hash);
    }
    return b || null;
  };

  /* The collector at ``base`` accepts only the site's own origins (analytics.origins, default:
   * site_url's), and host names reserved by RFC 2606 and RFC 6761 (an example's fictional collector)
   * are never reachable: a copy of the site opened anywhere else (a local build, a preview) cannot
   * reach it, so scripts that talk to the collector ask first and stay silent, with nothing failing
   * in the browser console. */
  k.collectorReachable = function (base, host) {
    try { host = new URL(base, location.href).hostname; } catch (error) { return false; }
    return !!base && (k.meta("analytics-origins") || "").split(" ").indexOf(location.origin) >= 0 &&
      !/(^|\.)(example(\.(com|net|org))?|invalid|test)$/.test(host);
  };

  /* The collector's endpoint (analytics.endpoint), or null where this copy of the site cannot reach it. */
  k.endpoint = function (a) {
    a = k.meta("analytics-endpoint");
    return k.collectorReachable(a) ? a : null;
  };

  /* A rep who came with a personal link, on a site whose collector they can reach (truthy: their token). */
  k.signedIn = function () { return k.endpoint() && k.token(); };

  /* Runs every queued body whose scripts are all there, until none is left that can run. */
  function drain(a) {
    do {
      a = 0;
      q = q.filter(function (b) {
        /* b: [name, needs, body]; one ran already when instant navigation inserted its script again */
        if (!l[b[0]] && b[1].some(function (c) { return !l[c.replace("?", "")] && (c.slice(-1) != "?" || k.signedIn()); })) {
          return 1;
        }
        l[b[0]] || (l[b[0]] = a = 1, b[2]());
      });
    } while (a);
  }
  w.partnerkitQueue = { push: function (a) { q.push(a); drain(); } };
  drain();

  k.onEveryPage(function (a) {
    a = d.querySelector("[data-pk-signed-in]");
    k.signedIn() && a && a.getAttribute("data-pk-signed-in").split(" ").forEach(function (b, c) {
      if (!l[b]) {
        l[b] = 1;
        c = d.createElement("script");
        c.src = o.replace(/[^\/]*$/, b);
        d.head.appendChild(c);
      }
    });
  });
})(window, document);
