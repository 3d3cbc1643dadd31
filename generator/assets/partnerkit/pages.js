/* partnerkit: what every partnerkit script shares (window.partnerkit, here k).
 * Each page loads only the scripts it uses, inside its content. Material's instant navigation inserts
 * them again on every page that lists them, in any order (as they arrive): each script queues its body
 * on ``window.partnerkitQueue`` as [name, names of the scripts it needs, body], and this one runs each
 * body once per window, after those it needs. A needed name ending in "?" is needed by a signed-in rep
 * only (k.signedIn()).
 * The scripts only a signed-in rep uses (the learner record, "Ask for help") are not
 * in the page's content: the page names them (data-pk-signed-in, overrides/main.html) and this script
 * loads them, from its own folder, for a signed-in rep, once per window.
 * k.onEveryPage(setUp) runs setUp(document) once on every page (the first page, and each page instant
 * navigation brings: q is the set-ups, x the ones that ran on each page, by the element the theme
 * replaces on every page change). */
(function (w, d, k) {
  k = w.partnerkit = w.partnerkit || {};
  if (k.onEveryPage) { return; }
  var queued = w.partnerkitQueue || [], loaded = {}, q = [], x = new WeakMap(), folder = (d.currentScript || {}).src || "";

  function run(setUp) {
    var page = d.querySelector('[data-md-component="container"]') || d.body, ran = x.get(page) || [];
    if (ran.indexOf(setUp) < 0) {
      x.set(page, ran.concat(setUp));
      setUp(d);
    }
  }
  function runAll() { q.forEach(run); }
  function follow() {
    runAll();
    w.document$ && w.document$.subscribe(runAll);
  }
  k.onEveryPage = function (setUp) {
    q.push(setUp);
    d.readyState != "loading" && run(setUp);
  };
  d.readyState == "loading" ? d.addEventListener("DOMContentLoaded", follow) : follow();

  /* The content of the page's ``partnerkit:<name>`` meta tag, or null. */
  k.meta = function (name) {
    name = d.querySelector('meta[name="partnerkit:' + name + '"]');
    return name && name.content;
  };

  /* The rep's personal-link token: from ``?pk=`` (kept in localStorage for later pages, and taken out of
   * the address bar, so that an address passed on does not carry it), else the one kept, or null. */
  k.token = function (query, given) {
    query = new URLSearchParams(location.search);
    given = query.get("pk");
    try { given ? localStorage.partnerkit_pk = given : given = localStorage.partnerkit_pk; } catch (error) {}
    if (query.has("pk")) {
      query.delete("pk");
      query += "";
      history.replaceState(history.state, "", location.pathname + (query && "?" + query) + location.hash);
    }
    return given || null;
  };

  /* The collector at ``base`` accepts only the site's own origins (analytics.origins, default:
   * site_url's), and host names reserved by RFC 2606 and RFC 6761 (an example's fictional collector)
   * are never reachable: a copy of the site opened anywhere else (a local build, a preview) cannot
   * reach it, so scripts that talk to the collector ask first and stay silent, with nothing failing
   * in the browser console. */
  k.collectorReachable = function (base, host) {
    try { host = new URL(base, location.href).hostname; } catch (error) { return false; }
    return !!base && (k.meta("analytics-origins") || "").split(" ").indexOf(location.origin) >= 0 &&
      !/(^|\.)(example|invalid|test|example\.(com|net|org))$/.test(host);
  };

  /* The collector's endpoint (analytics.endpoint), or null where this copy of the site cannot reach it. */
  k.endpoint = function (url) {
    url = k.meta("analytics-endpoint");
    return k.collectorReachable(url) ? url : null;
  };

  /* A rep who came with a personal link, on a site whose collector they can reach. */
  k.signedIn = function () { return !!(k.endpoint() && k.token()); };

  /* Runs every queued body whose scripts are all there, until none is left that can run. */
  function drain(ran) {
    do {
      ran = 0;
      queued = queued.filter(function (entry) {
        if (loaded[entry[0]]) { return 0; }  /* ran already: instant navigation inserted it again */
        if (entry[1].some(function (name) { return !loaded[name.replace("?", "")] && (name.slice(-1) != "?" || k.signedIn()); })) {
          return 1;
        }
        loaded[entry[0]] = ran = 1;
        entry[2]();
      });
    } while (ran);
  }
  w.partnerkitQueue = { push: function (entry) { queued.push(entry); drain(); } };
  drain();

  k.onEveryPage(function (names) {
    names = d.querySelector("[data-pk-signed-in]");
    k.signedIn() && names && names.getAttribute("data-pk-signed-in").split(" ").forEach(function (name, node) {
      if (!loaded[name]) {
        loaded[name] = 1;
        node = d.createElement("script");
        node.src = folder.replace(/[^\/]*$/, name);
        d.head.appendChild(node);
      }
    });
  });
})(window, document);
