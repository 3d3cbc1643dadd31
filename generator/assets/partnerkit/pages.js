/* partnerkit: run a script's set-up on the first page and after every Material instant-navigation
 * page change (Material's document$ observable), or once when instant navigation is off. */
(function () {
  "use strict";
  var partnerkit = window.partnerkit = window.partnerkit || {};
  partnerkit.onEveryPage = function (setUp) {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(function () { setUp(document); });
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { setUp(document); });
    } else {
      setUp(document);
    }
  };
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
