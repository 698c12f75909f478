// Module checklists: each tick is saved as it is made, without reloading the page.
// The page works without this script: the boxes belong to a form with a "Save" button.
(function () {
  "use strict";
  var form = document.getElementById("checklist");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = form.querySelector(".checklist-save__status");
  var button = form.querySelector(".checklist-save__button");
  var needed = document.getElementById("checklist-needed");  // on a track that requires ticks
  button.hidden = true;

  var boxes = document.querySelectorAll('input[type="checkbox"][form="checklist"]');
  var sayWhatIsNeeded = function () {
    if (!needed) { return; }
    var unticked = {}, left = 0;  // an item written twice has two boxes and one tick
    Array.prototype.forEach.call(boxes, function (box) {
      if (!box.checked && !unticked[box.value]) { unticked[box.value] = true; left += 1; }
    });
    needed.textContent = left
      ? "Tick every item of the checklist to complete this module: " + left + " of " +
        needed.getAttribute("data-total") + " still to tick."
      : "Every item of the checklist is ticked: you can complete this module.";
  };

  var saved = function (box, response) {
    return response.json().then(function (body) {
      if (!response.ok) { throw new Error(body.error || "Not saved."); }
      status.textContent = (box.checked ? "Ticked" : "Unticked") + " and saved.";
      sayWhatIsNeeded();
    });
  };

  Array.prototype.forEach.call(boxes, function (box) {
    box.addEventListener("change", function () {
      var data = new FormData();
      data.append("csrf_token", form.elements.csrf_token.value);
      data.append("item", box.value);
      if (box.checked) { data.append("ticked", box.value); }
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) { return saved(box, response); })
        .catch(function (error) {
          box.checked = !box.checked;
          status.textContent = error instanceof TypeError
            ? "Not saved: check your connection, then tick again." : error.message;
          button.hidden = false;
        });
    });
  });
}());
