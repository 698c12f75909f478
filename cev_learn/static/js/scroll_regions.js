// Boxes that scroll sideways (wide tables, long lines of code) can be reached and scrolled
// with the keyboard: each one that overflows gets a tab stop and a name, and loses them when
// it fits again (after a resize, or a table that changed). Without JavaScript they still
// scroll with a pointer or a swipe.
(function () {
  "use strict";
  var SELECTOR = ".table-wrap, pre, .chart, .prose table";

  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim() + " (scrolls sideways)";
    }
    var chart = box.querySelector("svg title");
    if (chart && chart.textContent.trim()) {
      return chart.textContent.trim() + " (scrolls sideways)";
    }
    return box.tagName === "PRE" ? "Code (scrolls sideways)" : "Table (scrolls sideways)";
  }

  function mark(box) {
    var overflows = box.scrollWidth > box.clientWidth + 1;
    var marked = box.hasAttribute("data-scroll-region");
    if (overflows && !marked) {
      box.setAttribute("data-scroll-region", "");
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) {
        box.setAttribute("role", "region");
      }
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        box.setAttribute("aria-label", nameOf(box));
      }
    } else if (!overflows && marked) {
      box.removeAttribute("data-scroll-region");
      box.removeAttribute("tabindex");
    }
  }

  function markAll() {
    Array.prototype.forEach.call(document.querySelectorAll(SELECTOR), mark);
  }

  var pending = null;
  function later() {
    if (pending === null) {
      pending = window.requestAnimationFrame(function () { pending = null; markAll(); });
    }
  }

  markAll();
  window.addEventListener("resize", later);
  document.addEventListener("toggle", later, true);  // a <details> opened: its tables now show
})();
