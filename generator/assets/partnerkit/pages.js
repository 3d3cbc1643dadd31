/* partnerkit: what every partnerkit script shares. Each page loads only the scripts it uses, inside its
 * content. Material's instant navigation inserts them again on every page that lists them, in any
 * order (as they arrive): each script queues its body on ``window.partnerkitQueue`` with the names of
 * the scripts it needs, and this one runs each body once per window, after those it needs.
 * ``onEveryPage`` runs each script's set-up once on every page (the first page, and each page instant
 * navigation brings). */
(function () {
  "use strict";
  var partnerkit = window.partnerkit = window.partnerkit || {};
  if (partnerkit.onEveryPage) { return; }
  var queued = window.partnerkitQueue || [], loaded = {}, setUps = [], done = typeof WeakMap === "function" ? new WeakMap() : null;

  /* The element Material replaces on every page change (the whole body without the theme). */
  function current() { return document.querySelector('[data-md-component="container"]') || document.body; }

  function run(setUp) {
    var page = current(), ran = done ? done.get(page) || [] : [];
    if (ran.indexOf(setUp) >= 0) { return; }
    ran.push(setUp);
    if (done) { done.set(page, ran); }
    setUp(document);
  }

  function runAll() { setUps.forEach(run); }

  function follow() {
    runAll();
    if (window.document$ && typeof window.document$.subscribe === "function") { window.document$.subscribe(runAll); }
  }

  partnerkit.onEveryPage = function (setUp) {
    setUps.push(setUp);
    if (document.readyState !== "loading") { run(setUp); }
  };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", follow); } else { follow(); }

  /* The collector at ``base`` accepts only the site's own origins (analytics.origins, default:
   * site_url's), and host names reserved by RFC 2606 and RFC 6761 (an example's fictional collector)
   * are never reachable: a copy of the site opened anywhere else (a local build, a preview) cannot
   * reach it, so scripts that talk to the collector ask first and stay silent, with nothing failing
   * in the browser console. */
  partnerkit.collectorReachable = function (base) {
    var origins = document.querySelector('meta[name="partnerkit:analytics-origins"]'), host;
    if (!base || !origins || origins.content.split(" ").indexOf(location.origin) < 0) { return false; }
    try { host = new URL(base, location.href).hostname; } catch (error) { return false; }
    return !/(^|\.)(example|invalid|test)$/.test(host) && !/(^|\.)example\.(com|net|org)$/.test(host);
  };

  /* Runs every queued body whose scripts are all there, until none is left that can run. */
  function drain() {
    var ran = true;
    while (ran) {
      ran = false;
      queued = queued.filter(function (entry) {
        if (loaded[entry[0]]) { return false; }  /* ran already: instant navigation inserted it again */
        if (!entry[1].every(function (name) { return loaded[name]; })) { return true; }
        loaded[entry[0]] = ran = true;
        entry[2]();
        return false;
      });
    }
  }
  window.partnerkitQueue = { push: function (entry) { queued.push(entry); drain(); } };
  drain();
})();
