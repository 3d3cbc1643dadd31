/* partnerkit verification page: a form for a certificate id (``?id=``), what the collector's records
 * say about that certificate, written for whoever checks it, and the certificate as one printable
 * landscape page with its verify link and QR code. Needs widgets.js. */
/* Queued for pages.js, which runs it once per window, after widgets.js. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["verify", ["widgets"], function () {
  "use strict";
  var w = window.partnerkit.widgets, el = w.el, format = w.format, say = w.say, reachable = w.reachable;

  function verify(root, data) {
    var t = data.strings, id = (new URLSearchParams(location.search).get("id") || "").trim();
    /* Someone without a personal link (a customer, an employer checking a certificate) gets the
     * verification alone: verify.css hides the partners' navigation while this class is on the page. */
    if (!w.token()) { root.classList.add("pk-verify--outsider"); }
    var field = el("input", { type: "text", name: "id", id: "pk-verify-id", autocomplete: "off", spellcheck: "false" });
    var form = el("form", { "class": "pk-verify-form", method: "get" }, [
      el("label", { "for": "pk-verify-id", text: t.id }), field,
      el("button", { type: "submit", "class": "md-button md-button--primary", text: t.lookup })]);
    var box = el("div", { "class": "pk-certificate-state", role: "status", "aria-live": "polite" });
    field.value = id;
    root.appendChild(form);
    root.appendChild(box);
    if (!id) { return; }
    if (!reachable(data.collector)) { say(box, t.unreachable); return; }
    var page = location.origin + location.pathname;
    /* The holder's own personal-link token, if this browser has one: the collector then adds the
     * holder's buttons (credential, badge, LinkedIn); anyone else sees the verdict and the certificate. */
    var mine = w.token();
    fetch(data.collector + "/certificates/" + encodeURIComponent(id) + "?page=" + encodeURIComponent(page) +
          (mine ? "&pk=" + encodeURIComponent(mine) : ""), { credentials: "omit" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) { shown(response.status, json); });
      }, function () { say(box, t.unreachable); });

    function shown(status, c) {
      if (status !== 200) { box.textContent = status === 404 ? format(t.not_found, { id: id }) : t.unavailable; return; }
      var states = { valid: t["status.valid"], recertify: format(t["status.recertify"], { date: c.recertify_by }),
                     expired: format(t["status.expired"], { date: c.valid_until }),
                     revoked: format(t["status.revoked"], { date: c.revoked_on }) };
      var level = c.level && c.certification.toLowerCase().indexOf(c.level.toLowerCase()) < 0 ? " (" + c.level + ")" : "";
      var earned = c.release ? format(t.earned_release, { exam: c.certification, release: c.release })
                             : format(t.earned_exam, { exam: c.certification });
      var rows = el("dl", {});
      [[t.holder, c.holder], [t.partner, c.partner],
       [t.certification, c.certification + level], [t.earned, earned], [t.issued, c.issued], [t.expires, c.valid_until]]
        .forEach(function (row) { rows.appendChild(el("dt", { text: row[0] })); rows.appendChild(el("dd", { text: row[1] })); });
      box.setAttribute("data-pk-status", c.status);
      box.appendChild(el("p", { "class": "pk-certificate-verdict", text: states[c.status] || c.status }));
      box.appendChild(el("p", { "class": "pk-certificate-issuer", text: format(t.issuer, { vendor: data.vendor }) }));
      box.appendChild(rows);
      if (c.status !== "valid" && c.status !== "recertify") { return; }
      var logo = document.querySelector(".md-header .md-logo img");
      var link = c.verify_url || page + "?id=" + encodeURIComponent(c.id);
      var sheet = el("section", { "class": "pk-certificate", "aria-label": t.title }, [
        logo ? el("img", { "class": "pk-certificate-logo", src: logo.src, alt: "" }) : null,
        el("p", { "class": "pk-certificate-vendor", text: format(t.certifies, { vendor: data.vendor }) }),
        el("p", { "class": "pk-certificate-holder", text: c.holder }),
        el("p", { "class": "pk-certificate-partner", text: format(t.of_partner, { partner: c.partner }) }),
        el("p", { text: t.has_earned }),
        el("p", { "class": "pk-certificate-name", text: c.certification + level }),
        el("p", { text: t.issued + ": " + c.issued + " · " + t.expires + ": " + c.valid_until }),
        el("div", { "class": "pk-certificate-check" }, [
          c.qr ? el("img", { "class": "pk-certificate-qr", src: c.qr, alt: link }) : null,
          el("p", {}, [el("span", { text: t.verify_at + " " }), el("a", { href: link, text: link }),
                       el("br"), el("span", { text: t.id + ": " + c.id })])])]);
      var print = el("button", { type: "button", "class": "md-button pk-print", text: t.print });
      print.addEventListener("click", function () { window.print(); });
      /* The collector's credential downloads and LinkedIn's add-to-profile form: links to those two places only. */
      function from(url, start) { return typeof url === "string" && url.indexOf(start) === 0 ? url : null; }
      var own = data.collector + "/credentials/", credential = from(c.credential_url, own), badge = from(c.badge_url, own);
      var linkedin = from(c.linkedin_url, "https://www.linkedin.com/profile/add?");
      if (c.yours === true) { root.appendChild(el("p", { "class": "pk-certificate-yours", text: t.yours })); }
      root.appendChild(el("p", { "class": "pk-actions" }, [print,
        credential ? el("a", { "class": "md-button", href: credential, download: "", text: t.download_credential }) : null,
        badge ? el("a", { "class": "md-button", href: badge, download: "", text: t.download_badge }) : null,
        linkedin ? el("a", { "class": "md-button", href: linkedin, target: "_blank", rel: "noopener noreferrer", text: t.linkedin }) : null]));
      root.appendChild(sheet);
    }
  }

  window.partnerkit.onEveryPage(function (page) { w.each(page, ".pk-verify", verify); });
}]);
