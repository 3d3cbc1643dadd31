/* partnerkit talk player: timestamps and chapter links (times and titles) seek the recording in place (no page load,
 * so the player keeps playing and no extra view is counted); `#t=200` in the address seeks on
 * arrival; the paragraph being spoken is highlighted and, for audio, the caption shown under the player. */
/* Queued for pages.js, which runs it once per window. */
(window.partnerkitQueue = window.partnerkitQueue || []).push(["player", [], function () {
  "use strict";
  var TIME_HASH = /^#t=(\d+(?:\.\d+)?)$/;

  function playerOf(root) { return root.querySelector(".pk-player"); }

  function seek(player, seconds) {
    function go() { player.currentTime = seconds; }
    if (player.readyState >= 1) { go(); } else { player.addEventListener("loadedmetadata", go, { once: true }); }
  }

  /* Capture phase on window: runs before Material's instant navigation sees the click. */
  window.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[data-pk-seek]") : null;
    var player = link && playerOf(document);
    if (!player || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    event.stopPropagation();
    var seconds = parseFloat(link.getAttribute("data-pk-seek"));
    seek(player, seconds);
    /* A chapter's title also brings its transcript into view, just below the sticky player. */
    var target = /^#chapter-\d+$/.test(link.getAttribute("href") || "") && document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
        window.scrollTo(0, Math.max(0, window.scrollY + target.getBoundingClientRect().top - covered(player)));
    }
    history.replaceState(history.state, "", location.pathname + location.search + "#t=" + Math.floor(seconds));
    var playing = player.play();
    if (playing && playing.catch) { playing.catch(function () { /* autoplay refused: seeking still worked */ }); }
  }, true);

  /* How far down the window the sticky player (with its caption) reaches, and a little room. */
  function covered(player) {
    var box = player.closest(".pk-player-box");
    return box ? (parseFloat(getComputedStyle(box).top) || 0) + box.offsetHeight + 8 : 0;
  }

  function showCaptions(player, box) {
    var track = player.querySelector("track");
    if (!track || player.tagName !== "AUDIO" || !track.track) { return; }
    var line = document.createElement("p");
    line.className = "pk-caption";
    line.setAttribute("aria-hidden", "true"); /* the transcript below says the same, for screen readers */
    box.appendChild(line);
    track.track.mode = "hidden";
    track.track.addEventListener("cuechange", function () {
      var cues = track.track.activeCues;
      line.textContent = cues && cues.length ? cues[cues.length - 1].getCueAsHTML().textContent : "";
    });
  }

  function setUp(root) {
    var player = playerOf(root);
    if (!player || player.pkReady) { return; }
    player.pkReady = true;
    var paragraphs = Array.prototype.slice.call(root.querySelectorAll(".pk-paragraph[data-pk-start]"));
    player.addEventListener("timeupdate", function () {
      var now = player.currentTime;
      paragraphs.forEach(function (paragraph) {
        var start = parseFloat(paragraph.getAttribute("data-pk-start"));
        var end = parseFloat(paragraph.getAttribute("data-pk-end"));
        paragraph.classList.toggle("pk-paragraph--current", now >= start && now < end);
      });
    });
    showCaptions(player, player.parentNode);
    /* Measured again whenever the player's box changes size (its stylesheet or fonts arriving after this
     * script, a caption wrapping) and once everything has loaded: a stale figure leaves headings under it.
     * A player the theme took away with its page (instant navigation) measures nothing any more. */
    function measure() {
      if (player.isConnected) { document.documentElement.style.setProperty("--pk-player-covers", covered(player) + "px"); }
    }
    measure();
    if (window.ResizeObserver) { new ResizeObserver(measure).observe(player.parentNode, { box: "border-box" }); }
    if (document.readyState !== "complete") { window.addEventListener("load", measure, { once: true }); }
    var heading = /^#[\w-]+$/.test(location.hash) && !TIME_HASH.test(location.hash) && document.getElementById(location.hash.slice(1));
    if (heading) { heading.scrollIntoView(); }  /* arrived at #chapter-2: again, now that the margin is known */
    var wanted = TIME_HASH.exec(location.hash);
    if (wanted) { seek(player, parseFloat(wanted[1])); }
  }

  window.partnerkit.onEveryPage(setUp);
}]);
