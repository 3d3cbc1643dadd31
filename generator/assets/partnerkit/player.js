/* partnerkit talk player: timestamps and chapter links seek the recording; the paragraph being
 * spoken is highlighted while it plays. Re-attached on every Material instant-navigation page. */
(function () {
  "use strict";

  function setUp(root) {
    var player = root.querySelector(".pk-player");
    if (!player) { return; }
    var paragraphs = Array.prototype.slice.call(root.querySelectorAll(".pk-paragraph[data-pk-start]"));
    root.querySelectorAll("[data-pk-seek]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        player.currentTime = parseFloat(link.getAttribute("data-pk-seek"));
        var playing = player.play();
        if (playing && playing.catch) { playing.catch(function () { /* autoplay refused: seeking still worked */ }); }
      });
    });
    player.addEventListener("timeupdate", function () {
      var now = player.currentTime;
      paragraphs.forEach(function (paragraph) {
        var start = parseFloat(paragraph.getAttribute("data-pk-start"));
        var end = parseFloat(paragraph.getAttribute("data-pk-end"));
        paragraph.classList.toggle("pk-paragraph--current", now >= start && now < end);
      });
    });
  }

  window.partnerkit.onEveryPage(setUp);
})();
