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
})();
