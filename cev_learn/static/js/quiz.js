// Quiz page: a countdown driven by the server's deadline, and autosave of answers.
// The page works without this script: the deadline is printed and buttons save or submit.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var status = form.querySelector(".save-status");
  var timer = document.querySelector(".countdown");

  if (timer) {
    var deadline = Date.parse(timer.dataset.deadline);
    var skew = Date.parse(timer.dataset.now) - Date.now(); // server clock minus ours
    var left = timer.querySelector(".countdown__left");
    var submitted = false;
    var tick = function () {
      var ms = deadline - (Date.now() + skew);
      if (ms <= 0) {
        left.textContent = "— time is up, submitting…";
        if (!submitted) { submitted = true; form.submit(); }
        return;
      }
      var s = Math.floor(ms / 1000);
      var text = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      left.textContent = "(" + text + " left)";
      timer.classList.toggle("countdown--urgent", s < 60);
      window.setTimeout(tick, 250);
    };
    tick();
  }

  var pending = null;
  var save = function () {
    pending = null;
    var data = new FormData(form);
    fetch(form.dataset.saveUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.ok) {
        // The server writes the time in the zone the deadline is shown in (the person's).
        return response.json().then(function (body) {
          status.textContent = "Saved at " + body.saved_at_shown;
        });
      } else {
        return response.json().then(function (body) {
          status.textContent = "Not saved: " + (body.error || response.status);
        });
      }
    }).catch(function () {
      status.textContent = "Not saved: you seem to be offline. Your answers are still on this page.";
    });
  };
  form.addEventListener("change", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(save, 800);
  });
})();
