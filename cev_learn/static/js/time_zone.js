// The browser's time zone, for pages that can use it. Without this script nothing is sent and
// times stay in the zone the person has (UTC until they choose one).
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) { return; }

  // Sign-in and choose-a-password forms: kept for a person who has no zone yet.
  document.querySelectorAll("input[data-browser-time-zone]").forEach(function (input) {
    input.value = zone;
  });

  // The time-zone page: offer the browser's zone when it is not the one chosen.
  var offer = document.querySelector("[data-browser-zone-offer]");
  if (!offer) { return; }
  var select = document.getElementById(offer.dataset.browserZoneOffer);
  var known = select && Array.prototype.some.call(select.options, function (option) {
    return option.value === zone;
  });
  if (!known || select.value === zone) { return; }
  offer.querySelector("[data-browser-zone-name]").textContent = zone.replace(/_/g, " ");
  offer.querySelector("button").addEventListener("click", function () {
    select.value = zone;
    select.focus();
  });
  offer.hidden = false;
})();
