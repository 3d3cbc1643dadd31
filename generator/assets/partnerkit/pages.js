/* partnerkit: what every partnerkit script shares. Each page loads only the scripts it uses, inside its
 * content, so Material's instant navigation runs them again on every page that lists them:
 * ``partnerkit.first(name)`` lets a script's body run once per window, and ``onEveryPage`` runs each
 * script's set-up once on every page (the first page, and each page instant navigation brings). */
(function () {
  "use strict";
  var partnerkit = window.partnerkit = window.partnerkit || {};
  if (partnerkit.onEveryPage) { return; }
  var loaded = {}, setUps = [], done = typeof WeakMap === "function" ? new WeakMap() : null;

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

  partnerkit.first = function (name) {
    if (loaded[name]) { return false; }
    loaded[name] = true;
    return true;
  };
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
})();
