// Practice player: a comment's time seeks the player there; on the review page, "Comment at
// current time" starts a comment line with the player's time. Without this script the times
// are read as text and the coach types them.
(function () {
  "use strict";
  var player = document.getElementById("practice-player");
  if (!player) { return; }
  var clock = function (s) {
    s = Math.floor(s);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var mm = h ? ("0" + m).slice(-2) : String(m);
    return (h ? h + ":" : "") + mm + ":" + ("0" + sec).slice(-2);
  };

  Array.prototype.forEach.call(document.querySelectorAll("[data-seek]"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      player.currentTime = parseFloat(link.getAttribute("data-seek"));
      player.focus();
    });
  });

  var button = document.getElementById("comment-now");
  var comments = document.getElementById("comments");
  if (!button || !comments) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    player.pause();
    var line = clock(player.currentTime) + " ";
    var text = comments.value;
    comments.value = text + (text && text.slice(-1) !== "\n" ? "\n" : "") + line;
    comments.focus();
    comments.setSelectionRange(comments.value.length, comments.value.length);
  });
})();
