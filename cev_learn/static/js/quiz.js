// Quiz pages: a countdown driven by the server's deadline (which the server prints in the
// person's own time zone), autosave of answers, and the question navigator kept up to date
// while answering. The pages work without this script: the navigator shows the last saved
// state, and the buttons save, review or submit.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var status = form.querySelector(".save-status");
  var timer = document.querySelector(".countdown");

  // A question jumped to lands below the bar that stays in view, whatever its height.
  var bar = document.querySelector(".quiz-bar");
  var fitBar = function () {
    if (bar) {
      document.documentElement.style.setProperty(
        "--quiz-bar-space", (bar.offsetHeight + 16) + "px");
    }
  };
  window.addEventListener("resize", fitBar);

  if (timer) {
    var deadline = Date.parse(timer.dataset.deadline);
    var skew = Date.parse(timer.dataset.now) - Date.now(); // server clock minus ours
    var left = timer.querySelector(".countdown__left");
    var announce = document.querySelector(".countdown__announce");
    var warned = {};
    var submitted = false;
    var warn = function (minutes, s) {
      if (s <= minutes * 60 && !warned[minutes]) {
        warned[minutes] = true;
        if (announce && s > minutes * 60 - 5) {
          announce.textContent = minutes + (minutes === 1 ? " minute" : " minutes") +
            " left to submit.";
        }
      }
    };
    var tick = function () {
      var ms = deadline - (Date.now() + skew);
      if (ms <= 0) {
        left.textContent = "— time is up, submitting…";
        if (announce) { announce.textContent = "Time is up: your answers are being submitted."; }
        if (!submitted) { submitted = true; form.submit(); }
        return;
      }
      var s = Math.floor(ms / 1000);
      var text = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      left.textContent = "(" + text + " left)";
      timer.classList.toggle("countdown--urgent", s < 60);
      warn(5, s);
      warn(1, s);
      window.setTimeout(tick, 250);
    };
    tick();
  }
  fitBar();  // again, now that the bar shows the local time and what is left

  // The navigator: each question's state in words, as the rep answers and flags.
  var answered = function (question) {
    var fields = question.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.name === "flag") { continue; }
      if ((f.type === "radio" || f.type === "checkbox") ? (f.checked && f.value) : f.value.trim()) {
        return true;
      }
    }
    return false;
  };
  var refresh = function () {
    var questions = form.querySelectorAll("[data-question]");
    var done = 0, flagged = 0;
    questions.forEach(function (question) {
      var key = question.dataset.question;
      var isAnswered = answered(question);
      var flag = question.querySelector("input[name=flag]");
      var isFlagged = Boolean(flag && flag.checked);
      done += isAnswered ? 1 : 0;
      flagged += isFlagged ? 1 : 0;
      var item = document.querySelector('[data-nav-for="' + key + '"]');
      if (!item) { return; }
      item.classList.toggle("quiz-nav__item--answered", isAnswered);
      item.classList.toggle("quiz-nav__item--flagged", isFlagged);
      item.querySelector(".quiz-nav__state").textContent = isAnswered ? "Answered" : "Not answered";
      item.querySelector(".quiz-nav__flag").hidden = !isFlagged;
    });
    var count = document.querySelector(".quiz-bar__answered");
    if (count && count.textContent !== String(done)) { count.textContent = String(done); }
    var flags = document.querySelector(".quiz-bar__flagged");
    if (flags) {
      flags.hidden = flagged === 0;
      flags.querySelector(".quiz-bar__flag-count").textContent = String(flagged);
    }
  };

  if (!form.dataset.saveUrl) { return; }  // the summary page: nothing to save
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
    refresh();
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(save, 800);
  });
  form.addEventListener("input", refresh);
})();
