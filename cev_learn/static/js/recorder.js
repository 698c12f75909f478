// Practice recorder: records a take with the browser's MediaRecorder, plays it back, and puts
// it in the upload form's file field, so "Submit recording" sends it like a chosen file.
// Recording again replaces the take; nothing leaves the browser until the rep submits.
// Without this script (or without MediaRecorder) the page is a plain upload form.
(function () {
  "use strict";
  var box = document.getElementById("recorder");
  var form = document.getElementById("recording-form");
  if (!box || !form || !window.MediaRecorder || !navigator.mediaDevices ||
      !window.DataTransfer) { return; }
  var status = box.querySelector(".recorder__status");
  var start = document.getElementById("recorder-start");
  var stop = document.getElementById("recorder-stop");
  var live = document.getElementById("recorder-live");
  var preview = document.getElementById("recorder-preview");
  var withVideo = document.getElementById("recorder-video");
  var input = form.querySelector('input[type="file"]');
  var maxSeconds = parseInt(box.getAttribute("data-max-seconds"), 10);
  var recorder = null, stream = null, timer = null, chunks = [];
  box.hidden = false;

  var say = function (text) { status.textContent = text; };
  var clock = function (s) { return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2); };

  var finish = function () {
    var type = (recorder.mimeType || "audio/webm").split(";")[0];
    var blob = new Blob(chunks, { type: type });
    var file = new File([blob], "recording.webm", { type: type });
    var transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    if (preview.src) { URL.revokeObjectURL(preview.src); }
    preview.src = URL.createObjectURL(blob);
    preview.hidden = false;
    live.hidden = true;
    stream.getTracks().forEach(function (track) { track.stop(); });
    start.textContent = "Record again";
    start.disabled = false;
    stop.disabled = true;
    say("Take recorded. Play it back, record again, or submit it.");
  };

  start.addEventListener("click", function () {
    var wanted = { audio: true, video: withVideo.checked };
    navigator.mediaDevices.getUserMedia(wanted).then(function (media) {
      stream = media;
      chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", function (e) {
        if (e.data && e.data.size) { chunks.push(e.data); }
      });
      recorder.addEventListener("stop", finish);
      if (wanted.video) { live.srcObject = stream; live.hidden = false; live.play(); }
      preview.hidden = true;
      recorder.start(1000);
      start.disabled = true;
      stop.disabled = false;
      var elapsed = 0;
      say("Recording… 0:00 of " + clock(maxSeconds));
      timer = setInterval(function () {
        elapsed += 1;
        say("Recording… " + clock(elapsed) + " of " + clock(maxSeconds));
        if (elapsed >= maxSeconds) { stop.click(); }
      }, 1000);
    }).catch(function () {
      say("The browser could not use the microphone" + (wanted.video ? " or camera" : "") +
          ". Allow it, or choose a file below.");
    });
  });

  stop.addEventListener("click", function () {
    clearInterval(timer);
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
  });
})();
